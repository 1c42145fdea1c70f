/**
 * One card per preset file, grouped by model family (seed 001's taxonomy),
 * each group with a line on what its models can and cannot do. The family
 * comes from the compiled plan's modes (modelFamily), so a new preset lands
 * in its group without a list to keep. Open a card here (undoable) or in a
 * new graph in a new tab.
 *
 * Above the built-in groups: "My presets" (graphs saved from the editor, in
 * this browser) and one group per imported pack. My presets can be exported
 * as a pack file or link; pack and graph files are imported by picking or
 * dropping them anywhere on the gallery.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { registry } from '../../../nodes/index';
import { compile } from '../../compiler/compile';
import { FAMILY_INFO, FAMILY_ORDER, modelFamily, type ModelFamily } from '../../compiler/family';
import type { GraphDocument } from '../../graph/document';
import { makePack, type PresetPack } from '../../graph/presetPack';
import { editorStore, useEditor } from '../../store';
import {
  deleteMyPreset,
  encodePackHash,
  listMyPresets,
  listPacks,
  moveMyPreset,
  removePack,
  renameMyPreset,
  saveMyPreset,
  type ImportedPack,
  type MyPreset,
} from '../../store/myPresets';
import { encodeShareHash } from '../../store/share';
import { newGraphUrl } from '../graphUrl';
import { addOfferedPack, brokenPresets, downloadPack, importGalleryFiles, packOffer, presets, usePackOffer, type Preset } from '../presets';
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

const errorText = (e: unknown) => (e as Error)?.message || String(e);

function openHere(doc: GraphDocument, onClose: () => void) {
  const s = editorStore.getState();
  s.replaceDocument(structuredClone(doc));
  s.frameOpened();
  s.notify('info', `Opened “${doc.meta.title}”. Undo brings back your previous graph.`);
  onClose();
}

/** A stored graph in a new tab, as a share link does it (a built-in preset uses its own, shorter link). */
function openInNewTab(doc: GraphDocument) {
  const link = encodeShareHash(doc);
  if (link.ok) window.open(newGraphUrl(link.hash), '_blank', 'noopener');
  else editorStore.getState().notify('error', link.message);
}

/** My presets and imported packs as IndexedDB has them, read again after every change. */
function useShelves() {
  const [mine, setMine] = useState<MyPreset[] | null>(null);
  const [packs, setPacks] = useState<ImportedPack[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    Promise.all([listMyPresets(), listPacks()]).then(
      ([m, p]) => {
        if (!live) return;
        setMine(m);
        setPacks(p);
        setFailure(null);
      },
      (e: unknown) => live && setFailure(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  /** Runs a change to the shelves, then shows the result; a failure is shown, not thrown. */
  const change = useCallback(
    async (what: () => Promise<unknown>) => {
      try {
        await what();
      } catch (e) {
        editorStore.getState().notify('error', `Could not change the presets stored in this browser: ${errorText(e)}`);
      }
      reload();
    },
    [reload],
  );
  return { mine, packs, failure, change, reload };
}

/** Files dropped anywhere while the gallery is open are imported (and never opened by the browser in place of the app). */
function useFileDrop(onFiles: (files: File[]) => void): boolean {
  const [over, setOver] = useState(false);
  useEffect(() => {
    const carriesFiles = (e: DragEvent) => !!e.dataTransfer?.types.includes('Files');
    const onOver = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      setOver(true);
    };
    const onLeave = (e: DragEvent) => e.relatedTarget === null && setOver(false);
    const onDrop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      // The canvas under the gallery would otherwise open a dropped graph in place of the open one.
      e.stopPropagation();
      setOver(false);
      onFiles([...(e.dataTransfer?.files ?? [])]);
    };
    window.addEventListener('dragover', onOver, true);
    window.addEventListener('dragleave', onLeave, true);
    window.addEventListener('drop', onDrop, true);
    return () => {
      window.removeEventListener('dragover', onOver, true);
      window.removeEventListener('dragleave', onLeave, true);
      window.removeEventListener('drop', onDrop, true);
    };
  }, [onFiles]);
  return over;
}

export function PresetGallery({ onClose }: { onClose: () => void }) {
  const groups = useMemo(() => {
    const byPreset = presets.map(groupOf);
    return GROUP_ORDER.map((family) => ({ family, presets: presets.filter((_, i) => byPreset[i] === family) })).filter(
      (g) => g.presets.length > 0,
    );
  }, []);
  const { mine, packs, failure, change, reload } = useShelves();
  const [panel, setPanel] = useState<'none' | 'save' | 'export'>('none');
  const fileInput = useRef<HTMLInputElement>(null);
  const importFiles = useCallback((files: File[]) => void change(() => importGalleryFiles(files)), [change]);
  const dropping = useFileDrop(importFiles);
  const offer = usePackOffer();
  const savedPresets = (mine ?? []).filter((p): p is MyPreset & { doc: GraphDocument } => p.doc !== null);

  return (
    <Modal title="Presets" onClose={onClose} className={dropping ? 'gallery dropping' : 'gallery'} testId="preset-gallery">
      <div className="gallery-actions">
        <button onClick={() => setPanel(panel === 'save' ? 'none' : 'save')} aria-expanded={panel === 'save'} data-testid="gallery-save">
          Save the open graph as a preset
        </button>
        <button
          onClick={() => setPanel(panel === 'export' ? 'none' : 'export')}
          aria-expanded={panel === 'export'}
          disabled={savedPresets.length === 0}
          title={savedPresets.length === 0 ? 'Save a graph to My presets first' : undefined}
          data-testid="gallery-export"
        >
          Export as pack…
        </button>
        <button onClick={() => fileInput.current?.click()} data-testid="gallery-import">
          Import pack…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          multiple
          hidden
          aria-label="Pack or graph files to import"
          data-testid="gallery-import-file"
          onChange={(e) => {
            importFiles([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
        <span className="muted small">or drop pack files on this window</span>
      </div>
      {dropping && (
        <p className="gallery-drop-hint" role="status">
          Drop to add: a pack becomes its own group, a single graph joins My presets.
        </p>
      )}
      {failure && (
        <p className="invalid-text" role="alert">
          Could not read the presets stored in this browser: {failure}
        </p>
      )}
      {offer && <PackOffer offer={offer} onAdded={reload} />}
      {panel === 'save' && <SaveForm onDone={() => setPanel('none')} change={change} />}
      {panel === 'export' && <ExportPanel presets={savedPresets} onDone={() => setPanel('none')} />}

      {mine && mine.length > 0 && (
        <GroupSection
          id="mine"
          testId="my-presets"
          title="My presets"
          can="Graphs you saved in this browser, in your order. Export them as a pack to hand them on."
        >
          {mine.map((p, i) => (
            <MyPresetCard key={p.id} preset={p} first={i === 0} last={i === mine.length - 1} change={change} onClose={onClose} />
          ))}
        </GroupSection>
      )}
      {packs.map((p) => (
        <PackGroup key={p.id} imported={p} change={change} onClose={onClose} />
      ))}

      {groups.map(({ family, presets: members }) => (
        <GroupSection
          key={family}
          id={family}
          title={GROUP_INFO[family].title}
          can={GROUP_INFO[family].can}
          actions={
            family === 'exercise' && (
              <button
                onClick={() =>
                  downloadPack(
                    makePack(
                      'Exercises',
                      members.map((p) => ({ name: p.doc.meta.title, doc: p.doc })),
                    ),
                  )
                }
                data-testid="exercises-export"
              >
                Export the exercises as a pack
              </button>
            )
          }
        >
          {members.map((p) => (
            <PresetCard key={p.name} testId={`preset-card-${p.name}`} title={p.doc.meta.title} doc={p.doc} goals>
              <a
                className="button"
                href={newGraphUrl(`#preset=${encodeURIComponent(p.name)}`)}
                target="_blank"
                rel="noopener"
                data-testid={`preset-new-${p.name}`}
              >
                New tab
              </a>
              <button className="primary" onClick={() => openHere(p.doc, onClose)} data-testid={`preset-open-${p.name}`}>
                Open
              </button>
            </PresetCard>
          ))}
        </GroupSection>
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

type Change = (what: () => Promise<unknown>) => Promise<void>;

function GroupSection({
  id,
  title,
  can,
  actions,
  testId = `preset-family-${id}`,
  children,
}: {
  id: string;
  title: string;
  can: string;
  actions?: ReactNode;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <section className="preset-family" data-testid={testId} aria-labelledby={`family-${id}`}>
      <div className="family-head">
        <h3 id={`family-${id}`}>{title}</h3>
        {actions}
      </div>
      <p className="family-can">{can}</p>
      <div className="cards">{children}</div>
    </section>
  );
}

function PresetCard({
  testId,
  title,
  doc,
  goals = false,
  above,
  children,
}: {
  testId: string;
  title: string;
  doc: GraphDocument;
  goals?: boolean;
  above?: ReactNode;
  children: ReactNode;
}) {
  return (
    <article className="card" data-testid={testId}>
      {above}
      <h4 className="card-title">{title}</h4>
      {title !== doc.meta.title && <p className="muted small card-graph-title">Graph: {doc.meta.title}</p>}
      <p className="card-description">{doc.meta.description}</p>
      {goals && doc.meta.goals.length > 0 && (
        <>
          <h5>You will</h5>
          <ul>
            {doc.meta.goals.map((g, i) => (
              <li key={i}>{g}</li>
            ))}
          </ul>
        </>
      )}
      <footer>
        <span className="muted small">{doc.nodes.length} nodes</span>
        {children}
      </footer>
    </article>
  );
}

function PackOffer({ offer, onAdded }: { offer: NonNullable<ReturnType<typeof usePackOffer>>; onAdded: () => void }) {
  const { pack } = offer;
  const dismiss = () => packOffer.setState({ offer: null });
  return (
    <section className="pack-offer" data-testid="pack-offer" aria-labelledby="pack-offer-title">
      <h3 id="pack-offer-title">The link holds the pack “{pack.title}”</h3>
      {pack.description && <p>{pack.description}</p>}
      <ol className="pack-offer-list">
        {pack.presets.map((p, i) => (
          <li key={i}>{p.name}</li>
        ))}
      </ol>
      <p className="muted small">Adding it puts it in this gallery as its own group; the graph you have open stays as it is.</p>
      <div className="button-row">
        <button onClick={dismiss} data-testid="pack-offer-dismiss">
          Not now
        </button>
        <button
          className="primary"
          onClick={() =>
            void addOfferedPack(offer).then((added) => {
              if (added) onAdded();
              dismiss();
            })
          }
          autoFocus
          data-testid="pack-offer-add"
        >
          Add to the gallery
        </button>
      </div>
    </section>
  );
}

function SaveForm({ onDone, change }: { onDone: () => void; change: Change }) {
  const doc = useEditor((s) => s.doc);
  const [name, setName] = useState(doc.meta.title);
  const save = () =>
    void change(async () => {
      const saved = await saveMyPreset(doc, name);
      editorStore.getState().notify('info', `Saved “${saved.name}” to My presets.`);
      onDone();
    });
  return (
    <form
      className="gallery-panel"
      data-testid="save-form"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <label htmlFor="save-preset-name">Name in My presets</label>
      <div className="gallery-panel-row">
        <input
          id="save-preset-name"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          autoFocus
          data-testid="save-name"
        />
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="save-confirm">
          Save
        </button>
      </div>
      <p className="muted small">
        Saves a copy of “{doc.meta.title}” ({doc.nodes.length} nodes) as it is now; editing the graph later does not change it.
      </p>
    </form>
  );
}

function ExportPanel({ presets: mine, onDone }: { presets: (MyPreset & { doc: GraphDocument })[]; onDone: () => void }) {
  const [title, setTitle] = useState('My presets');
  const [description, setDescription] = useState('');
  const [order, setOrder] = useState(() => mine.map((p) => p.id));
  const [chosen, setChosen] = useState(() => new Set(mine.map((p) => p.id)));
  const [link, setLink] = useState<{ ok: true; url: string; copied?: boolean } | { ok: false; message: string } | null>(null);
  const byId = new Map(mine.map((p) => [p.id, p]));
  // A preset saved or deleted while the panel is open joins or leaves the list.
  const rows = [...order.filter((id) => byId.has(id)), ...mine.filter((p) => !order.includes(p.id)).map((p) => p.id)];
  const included = rows.filter((id) => chosen.has(id));
  const pack = (): PresetPack | null =>
    title.trim() && included.length
      ? makePack(
          title,
          included.map((id) => ({ name: byId.get(id)!.name, doc: byId.get(id)!.doc })),
          description,
        )
      : null;
  const move = (i: number, delta: number) => {
    const next = [...rows];
    [next[i], next[i + delta]] = [next[i + delta], next[i]];
    setOrder(next);
    setLink(null);
  };
  const makeLink = () => {
    const p = pack();
    if (!p) return;
    const encoded = encodePackHash(p);
    if (!encoded.ok) return setLink(encoded);
    const url = `${location.origin}${location.pathname}${encoded.hash}`;
    setLink({ ok: true, url });
    // The link stays shown either way; a refused clipboard only means copying it by hand.
    navigator.clipboard?.writeText(url).then(
      () => setLink((l) => (l?.ok && l.url === url ? { ...l, copied: true } : l)),
      () => undefined,
    );
  };
  const problem = !title.trim() ? 'Give the pack a title.' : included.length === 0 ? 'Choose at least one preset.' : null;
  return (
    <section className="gallery-panel" data-testid="export-panel" aria-labelledby="export-panel-title">
      <h3 id="export-panel-title">Export My presets as a pack</h3>
      <div className="export-fields">
        <label htmlFor="pack-title">Pack title</label>
        <input
          id="pack-title"
          value={title}
          maxLength={200}
          onChange={(e) => {
            setTitle(e.target.value);
            setLink(null);
          }}
          data-testid="pack-title"
        />
        <label htmlFor="pack-description">Description (optional)</label>
        <textarea
          id="pack-description"
          rows={2}
          value={description}
          maxLength={20_000}
          onChange={(e) => {
            setDescription(e.target.value);
            setLink(null);
          }}
        />
      </div>
      <p className="muted small">Tick the presets to include; the pack keeps them in this order.</p>
      <ol className="export-list">
        {rows.map((id, i) => {
          const p = byId.get(id)!;
          return (
            <li key={id} data-testid="export-row">
              <span className="export-place" aria-hidden="true">
                {i + 1}.
              </span>
              <input
                type="checkbox"
                id={`export-${id}`}
                checked={chosen.has(id)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.target.checked) next.add(id);
                  else next.delete(id);
                  setChosen(next);
                  setLink(null);
                }}
                data-testid="export-include"
              />
              <label htmlFor={`export-${id}`}>{p.name}</label>
              <button
                className="icon-button"
                disabled={i === 0}
                onClick={() => move(i, -1)}
                aria-label={`Move “${p.name}” up`}
                data-testid="export-up"
              >
                ↑
              </button>
              <button
                className="icon-button"
                disabled={i === rows.length - 1}
                onClick={() => move(i, 1)}
                aria-label={`Move “${p.name}” down`}
                data-testid="export-down"
              >
                ↓
              </button>
            </li>
          );
        })}
      </ol>
      {link && !link.ok && <p className="invalid-text small">{link.message}</p>}
      {link?.ok && (
        <input readOnly aria-label="Link to this pack" value={link.url} onFocus={(e) => e.target.select()} data-testid="pack-link" />
      )}
      <div className="button-row">
        <span className="muted small">{problem ?? `${included.length} of ${rows.length} presets`}</span>
        <button onClick={onDone}>Close</button>
        <button disabled={!!problem} onClick={makeLink} data-testid="export-link">
          {link?.ok && link.copied ? 'Link copied' : 'Copy pack link'}
        </button>
        <button
          className="primary"
          disabled={!!problem}
          onClick={() => {
            const p = pack();
            if (p) downloadPack(p);
          }}
          data-testid="export-download"
        >
          Download pack
        </button>
      </div>
    </section>
  );
}

function MyPresetCard({
  preset: p,
  first,
  last,
  change,
  onClose,
}: {
  preset: MyPreset;
  first: boolean;
  last: boolean;
  change: Change;
  onClose: () => void;
}) {
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [name, setName] = useState(p.name);
  const keepKeys = (e: KeyboardEvent) => {
    // Escape ends the inline edit; it must not also close the gallery.
    if (e.key === 'Escape') {
      e.stopPropagation();
      setMode('view');
    }
  };
  const moveButtons = (
    <div className="card-order">
      <button
        className="icon-button"
        disabled={first}
        onClick={() => void change(() => moveMyPreset(p.id, -1))}
        aria-label={`Move “${p.name}” earlier`}
      >
        ←
      </button>
      <button
        className="icon-button"
        disabled={last}
        onClick={() => void change(() => moveMyPreset(p.id, 1))}
        aria-label={`Move “${p.name}” later`}
      >
        →
      </button>
    </div>
  );
  if (!p.doc)
    return (
      <article className="card broken" data-testid="my-preset">
        <h4 className="card-title">{p.name}</h4>
        <p className="invalid-text">{p.error}</p>
        <footer>
          <button className="danger" onClick={() => void change(() => deleteMyPreset(p.id))} aria-label={`Delete “${p.name}”`}>
            Delete
          </button>
        </footer>
      </article>
    );
  if (mode === 'rename')
    return (
      <article className="card" data-testid="my-preset">
        <form
          className="card-rename"
          onKeyDown={keepKeys}
          onSubmit={(e) => {
            e.preventDefault();
            void change(() => renameMyPreset(p.id, name));
            setMode('view');
          }}
        >
          <label htmlFor={`rename-${p.id}`}>New name</label>
          <input
            id={`rename-${p.id}`}
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            autoFocus
            data-testid="rename-name"
          />
          <div className="button-row">
            <button type="button" onClick={() => setMode('view')}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={!name.trim()} data-testid="rename-confirm">
              Rename
            </button>
          </div>
        </form>
      </article>
    );
  const doc = p.doc;
  return (
    <PresetCard testId="my-preset" title={p.name} doc={doc} above={moveButtons}>
      {mode === 'delete' ? (
        <span className="card-ask" onKeyDown={keepKeys}>
          <span>Delete?</span>
          <button onClick={() => setMode('view')} autoFocus aria-label={`Keep “${p.name}”`}>
            Keep
          </button>
          <button
            className="danger"
            onClick={() => void change(() => deleteMyPreset(p.id))}
            aria-label={`Yes, delete “${p.name}”`}
            data-testid="delete-confirm"
          >
            Delete
          </button>
        </span>
      ) : (
        <>
          <button
            onClick={() => {
              setName(p.name);
              setMode('rename');
            }}
            aria-label={`Rename “${p.name}”`}
            data-testid="my-preset-rename"
          >
            Rename
          </button>
          <button className="danger" onClick={() => setMode('delete')} aria-label={`Delete “${p.name}”`} data-testid="my-preset-delete">
            Delete
          </button>
          <button className="primary" onClick={() => openHere(doc, onClose)} aria-label={`Open “${p.name}”`} data-testid="my-preset-open">
            Open
          </button>
        </>
      )}
    </PresetCard>
  );
}

function PackGroup({ imported, change, onClose }: { imported: ImportedPack; change: Change; onClose: () => void }) {
  const [asking, setAsking] = useState(false);
  const { pack } = imported;
  const actions = (
    <span className="family-actions">
      {pack && (
        <button onClick={() => downloadPack(pack)} aria-label={`Download the pack “${imported.title}”`}>
          Download
        </button>
      )}
      {asking ? (
        <>
          <span>Remove this pack?</span>
          <button onClick={() => setAsking(false)} autoFocus aria-label={`Keep the pack “${imported.title}”`}>
            Keep
          </button>
          <button className="danger" onClick={() => void change(() => removePack(imported.id))} data-testid="pack-remove-confirm">
            Remove
          </button>
        </>
      ) : (
        <button
          className="danger"
          onClick={() => setAsking(true)}
          aria-label={`Remove the pack “${imported.title}”`}
          data-testid="pack-remove"
        >
          Remove
        </button>
      )}
    </span>
  );
  return (
    <GroupSection
      id={`pack-${imported.id}`}
      testId="pack-group"
      title={imported.title}
      can={
        pack
          ? `Imported pack, ${pack.presets.length} ${pack.presets.length === 1 ? 'preset' : 'presets'}${pack.description ? ` — ${pack.description}` : '.'}`
          : 'This stored pack no longer loads.'
      }
      actions={actions}
    >
      {pack ? (
        pack.presets.map((p, i) => (
          <PresetCard key={i} testId="pack-preset" title={p.name} doc={p.doc} goals>
            <button onClick={() => openInNewTab(p.doc)} aria-label={`Open “${p.name}” in a new tab`}>
              New tab
            </button>
            <button
              className="primary"
              onClick={() => openHere(p.doc, onClose)}
              aria-label={`Open “${p.name}”`}
              data-testid="pack-preset-open"
            >
              Open
            </button>
          </PresetCard>
        ))
      ) : (
        <p className="invalid-text">{imported.error}</p>
      )}
    </GroupSection>
  );
}
