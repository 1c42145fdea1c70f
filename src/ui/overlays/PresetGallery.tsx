/** One card per preset file: open it here (undoable) or in a new graph in a new tab. */
import { editorStore } from '../../store';
import { brokenPresets, presets, type Preset } from '../presets';
import { newGraphUrl } from '../graphUrl';
import { Modal } from './Modal';

export function PresetGallery({ onClose }: { onClose: () => void }) {
  const open = (p: Preset) => {
    const s = editorStore.getState();
    s.replaceDocument(structuredClone(p.doc));
    s.frameOpened();
    s.notify('info', `Opened “${p.doc.meta.title}”. Undo brings back your previous graph.`);
    onClose();
  };
  return (
    <Modal title="Presets" onClose={onClose} className="gallery" testId="preset-gallery">
      <div className="cards">
        {presets.map((p) => (
          <article key={p.name} className="card" data-testid={`preset-card-${p.name}`}>
            <h3>{p.doc.meta.title}</h3>
            <p className="card-description">{p.doc.meta.description}</p>
            {p.doc.meta.goals.length > 0 && (
              <>
                <h4>You will</h4>
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
        {brokenPresets.map((b) => (
          <article key={b.name} className="card broken">
            <h3>{b.name}</h3>
            <p className="invalid-text">{b.error}</p>
          </article>
        ))}
      </div>
    </Modal>
  );
}
