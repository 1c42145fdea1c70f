/** Export and import of graph files; import goes through the one load path and never touches the open graph on failure. */
import type { GraphDocument } from '../graph/document';
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

/** Data files by their first bytes: a graph is JSON text, so any of these was picked by mistake. */
function dataFormatOf(head: Uint8Array): string | null {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0, 0, 8, 3) || starts(0, 0, 8, 1)) return 'an IDX data file';
  if (starts(0x1f, 0x8b)) return 'a gzip file (such as MNIST’s .gz data)';
  if (starts(0x50, 0x4b)) return 'a zip archive';
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'a PNG image';
  if (starts(0xff, 0xd8)) return 'a JPEG image';
  return null;
}

export async function importFile(file: File) {
  const s = editorStore.getState();
  let text: string;
  try {
    const format = dataFormatOf(new Uint8Array(await file.slice(0, 4).arrayBuffer()));
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
