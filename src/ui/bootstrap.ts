/**
 * Which graph the editor opens with: a share link or preset named in the URL
 * (as a new graph), else this graph's autosave, else the default preset.
 * Every source goes through the one load path; a bad one is reported and
 * the next source is tried, never half-loaded.
 */
import { emptyDocument, type GraphDocument } from '../graph/document';
import { formatLoadError, type LoadResult } from '../graph/load';
import { startAutosave, loadSaved, idbStorage, type Autosave } from '../store/autosave';
import { decodeShareHash, isShareHash } from '../store/share';
import type { EditorStore } from '../store';
import { currentGraphId, freshGraphId, settleUrl } from './graphUrl';
import { DEFAULT_PRESET, findPreset } from './presets';

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

export async function bootstrap(store: EditorStore): Promise<Autosave> {
  const notify = store.getState().notify;
  let graphId = currentGraphId();
  let doc: GraphDocument | null = null;
  let rev = 0;

  const linked = fromHash(location.hash);
  if (linked) {
    if (linked.ok) {
      doc = linked.doc;
      graphId = freshGraphId();
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
  const autosave = startAutosave({ store, graphId, rev });
  // A pasted share link changes only the hash; open it the same way as a fresh visit.
  window.addEventListener('hashchange', () => {
    if (fromHash(location.hash)) void autosave.flush().then(() => location.reload());
  });
  return autosave;
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
