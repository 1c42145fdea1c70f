/**
 * Which graph the editor opens with: a share link or preset named in the URL
 * (as a new graph), else this graph's autosave, else the default preset.
 * Every source goes through the one load path; a bad one is reported and
 * the next source is tried, never half-loaded. A pack link (`#pack=`) opens
 * no graph: it opens this tab's own and offers the pack in the gallery.
 */
import { emptyDocument, type GraphDocument } from '../graph/document';
import { formatLoadError, type LoadResult } from '../graph/load';
import { startAutosave, loadSaved, idbStorage, type Autosave } from '../store/autosave';
import { decodePackHash, isPackHash } from '../store/myPresets';
import { decodeShareHash, isShareHash } from '../store/share';
import { loadUploads } from '../store/uploads';
import type { EditorStore } from '../store';
import { currentGraphId, freshGraphId, graphUrl, settleUrl } from './graphUrl';
import { DEFAULT_PRESET, findPreset, packOffer } from './presets';

const PRESET_PREFIX = '#preset=';

function fromHash(hash: string): LoadResult | null {
  if (isShareHash(hash)) return decodeShareHash(hash);
  if (hash.startsWith(PRESET_PREFIX)) {
    const name = decodeURIComponent(hash.slice(PRESET_PREFIX.length));
    const preset = findPreset(name);
    return preset
      ? { ok: true, doc: structuredClone(preset.doc) }
      : { ok: false, error: { code: 'parse', source: 'link', message: `there is no preset named “${name}”` } };
  }
  return null;
}

/** Reads a pack link, drops it from the address (so a reload does not offer it again) and offers it in the gallery. */
function offerPackLink(store: EditorStore, graphId: string) {
  const read = decodePackHash(location.hash);
  settleUrl(graphId);
  if (!read.ok) return store.getState().notify('error', `Could not read the pack link: ${formatLoadError(read.error)}`);
  packOffer.setState({ offer: read });
  store.getState().setOverlay('gallery');
}

/** The page's graph and its autosave, once bootstrap has opened it; switching graphs saves through it. */
let opened: { store: EditorStore; autosave: Autosave } | null = null;

export async function bootstrap(store: EditorStore): Promise<Autosave> {
  const notify = store.getState().notify;
  // Data picked in an earlier visit: until it is listed, a graph that uses it cannot be checked against it.
  void loadUploads().catch((e: unknown) => notify('warn', `Could not list the data picked earlier: ${(e as Error).message}`));
  let graphId = currentGraphId();
  let doc: GraphDocument | null = null;
  let rev = 0;
  let fromLink = false;

  if (isPackHash(location.hash)) offerPackLink(store, graphId);
  const linked = fromHash(location.hash);
  if (linked) {
    if (linked.ok) {
      doc = linked.doc;
      graphId = freshGraphId();
      fromLink = true;
    } else notify('error', `Could not open the link: ${formatLoadError(linked.error)}`);
    settleUrl(graphId);
  }
  if (!doc) {
    try {
      const saved = await loadSaved(idbStorage, graphId);
      if (saved?.result.ok) {
        doc = saved.result.doc;
        rev = saved.rev;
      } else if (saved && !saved.result.ok) {
        rev = saved.rev;
        notify('error', `The autosaved graph could not be restored: ${formatLoadError(saved.result.error)}`);
      }
    } catch (e) {
      notify('error', `Could not read the autosaved graph: ${(e as Error).message}`);
    }
  }
  doc ??= structuredClone(findPreset(DEFAULT_PRESET)?.doc) ?? emptyDocument();

  store.getState().replaceDocument(doc);
  store.getState().frameOpened();
  // Opening is not an edit: there is nothing to undo yet.
  store.temporal.getState().clear();
  const autosave = startAutosave({ store, graphId, rev, unsaved: fromLink });
  opened = { store, autosave };
  // A pasted share link changes only the hash; open it the same way as a fresh visit.
  window.addEventListener('hashchange', () => {
    // A pack link leaves the open graph alone, so it needs no reload.
    if (isPackHash(location.hash)) offerPackLink(store, graphId);
    else if (fromHash(location.hash)) void autosave.flush().then(() => location.reload());
  });
  return autosave;
}

/** Writes the open graph now, so a list of saved graphs shows its latest state. */
export function saveOpenGraph(): Promise<void> {
  return opened?.autosave.flush() ?? Promise.resolve();
}

/**
 * Opens the saved graph `graphId` in this tab, the way a visit to its URL
 * does. The open graph is saved first; if that fails the switch is refused
 * (returns why), because leaving would lose it.
 */
export async function switchToGraph(graphId: string): Promise<string | null> {
  if (!opened) return 'autosave is off, so this graph would be lost; export it first';
  await opened.autosave.flush();
  const s = opened.store.getState();
  if (s.conflict) return 'another tab changed this graph; choose which version to keep first';
  if (s.saveStatus === 'failed') return `this graph could not be saved (${s.saveError ?? 'unknown error'}); export it first`;
  location.assign(graphUrl(graphId));
  return null;
}

const THEME_KEY = 'latent-lab:theme';

export function initialTheme(): 'light' | 'dark' {
  const saved = localStorage.getItem(THEME_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function rememberTheme(theme: 'light' | 'dark') {
  document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    // A theme that is not remembered is harmless.
  }
}
