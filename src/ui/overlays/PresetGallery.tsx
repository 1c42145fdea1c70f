/**
 * One card per preset file, grouped by model family (seed 001's taxonomy),
 * each group with a line on what its models can and cannot do. The family
 * comes from the compiled plan's modes (modelFamily), so a new preset lands
 * in its group without a list to keep. Open a card here (undoable) or in a
 * new graph in a new tab.
 */
import { useMemo } from 'react';
import { registry } from '../../../nodes/index';
import { compile } from '../../compiler/compile';
import { FAMILY_INFO, FAMILY_ORDER, modelFamily, type ModelFamily } from '../../compiler/family';
import { editorStore } from '../../store';
import { brokenPresets, presets, type Preset } from '../presets';
import { newGraphUrl } from '../graphUrl';
import { Modal } from './Modal';
import './PresetGallery.css';

/** Exercises come first, apart from the families: their graphs have blanks, so they do not compile until solved. */
type GalleryGroup = 'exercise' | ModelFamily;
const GROUP_ORDER: readonly GalleryGroup[] = ['exercise', ...FAMILY_ORDER];
const GROUP_INFO: Record<GalleryGroup, { title: string; can: string }> = {
  ...FAMILY_INFO,
  exercise: {
    title: 'Exercises',
    can: 'A graph with parts left for you to wire and tasks the app checks as you go; hints unlock one by one.',
  },
};

function groupOf(p: Preset): GalleryGroup {
  if (p.doc.exercise) return 'exercise';
  const plan = compile(p.doc, registry).plan;
  return plan ? modelFamily(plan.modes) : 'other';
}

export function PresetGallery({ onClose }: { onClose: () => void }) {
  const groups = useMemo(() => {
    const byPreset = presets.map(groupOf);
    return GROUP_ORDER.map((family) => ({ family, presets: presets.filter((_, i) => byPreset[i] === family) })).filter(
      (g) => g.presets.length > 0,
    );
  }, []);
  const open = (p: Preset) => {
    const s = editorStore.getState();
    s.replaceDocument(structuredClone(p.doc));
    s.frameOpened();
    s.notify('info', `Opened “${p.doc.meta.title}”. Undo brings back your previous graph.`);
    onClose();
  };
  return (
    <Modal title="Presets" onClose={onClose} className="gallery" testId="preset-gallery">
      {groups.map(({ family, presets: members }) => (
        <section key={family} className="preset-family" data-testid={`preset-family-${family}`} aria-labelledby={`family-${family}`}>
          <h3 id={`family-${family}`}>{GROUP_INFO[family].title}</h3>
          <p className="family-can">{GROUP_INFO[family].can}</p>
          <div className="cards">
            {members.map((p) => (
              <article key={p.name} className="card" data-testid={`preset-card-${p.name}`}>
                <h4 className="card-title">{p.doc.meta.title}</h4>
                <p className="card-description">{p.doc.meta.description}</p>
                {p.doc.meta.goals.length > 0 && (
                  <>
                    <h5>You will</h5>
                    <ul>
                      {p.doc.meta.goals.map((g, i) => (
                        <li key={i}>{g}</li>
                      ))}
                    </ul>
                  </>
                )}
                <footer>
                  <span className="muted small">{p.doc.nodes.length} nodes</span>
                  <a
                    className="button"
                    href={newGraphUrl(`#preset=${encodeURIComponent(p.name)}`)}
                    target="_blank"
                    rel="noopener"
                    data-testid={`preset-new-${p.name}`}
                  >
                    New tab
                  </a>
                  <button className="primary" onClick={() => open(p)} data-testid={`preset-open-${p.name}`}>
                    Open
                  </button>
                </footer>
              </article>
            ))}
          </div>
        </section>
      ))}
      {brokenPresets.length > 0 && (
        <section className="preset-family">
          <h3>Presets that did not load</h3>
          <div className="cards">
            {brokenPresets.map((b) => (
              <article key={b.name} className="card broken">
                <h4 className="card-title">{b.name}</h4>
                <p className="invalid-text">{b.error}</p>
              </article>
            ))}
          </div>
        </section>
      )}
    </Modal>
  );
}
