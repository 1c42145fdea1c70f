/** Export and import of graph files; import goes through the one load path and never touches the open graph on failure. */
import type { GraphDocument } from '../graph/document';
import { sniff } from '../data/decode';
import { formatLoadError, loadDocumentText } from '../graph/load';
import { editorStore } from '../store';
import { registry } from '../../nodes/index';

export function fileNameFor(doc: GraphDocument): string {
  const slug =
    doc.meta.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'graph';
  return `${slug}.json`;
}

export function exportDocument(doc: GraphDocument) {
  const blob = new Blob([JSON.stringify(doc, null, 2) + '\n'], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileNameFor(doc);
  a.click();
  // Give the browser a moment to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Data files a graph Import may be given by mistake, by their first bytes (a graph is JSON text). */
const DATA_FORMATS: Partial<Record<ReturnType<typeof sniff>, string>> = {
  'idx-images': 'an IDX image file',
  'idx-labels': 'an IDX label file',
  gzip: 'a gzip file (such as MNIST’s .gz data)',
  zip: 'a zip archive',
  png: 'a PNG image',
  jpeg: 'a JPEG image',
};

export async function importFile(file: File) {
  const s = editorStore.getState();
  let text: string;
  try {
    const format = DATA_FORMATS[sniff(new Uint8Array(await file.slice(0, 16).arrayBuffer()))];
    if (format) {
      s.notify(
        'error',
        `${file.name} is ${format}, not a graph: this is a dataset — use the Dataset node (select it, then pick or drop the file under “Your data”). The open graph is unchanged.`,
      );
      return;
    }
    text = await file.text();
  } catch (e) {
    s.notify('error', `Could not read ${file.name}: ${(e as Error).message}. The open graph is unchanged.`);
    return;
  }
  const loaded = loadDocumentText(text, file.name, registry);
  if (!loaded.ok) {
    s.notify('error', `Could not open ${formatLoadError(loaded.error)}. The open graph is unchanged.`);
    return;
  }
  s.replaceDocument(loaded.doc);
  s.frameOpened();
  s.notify(
    'info',
    `Opened ${file.name}${loaded.migratedFrom ? ` (upgraded from version ${loaded.migratedFrom})` : ''}. Undo brings back the previous graph.`,
  );
  if (loaded.droppedKeys)
    s.notify(
      'warn',
      `${file.name} has fields this Latent Lab does not know, so they were not kept: ${loaded.droppedKeys.join(', ')}. A newer version may have written them.`,
    );
}
