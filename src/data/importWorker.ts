/**
 * Decodes files a user picked in the page and stores the result in IndexedDB,
 * off the page's thread. The page creates it per import with
 *   new Worker(new URL('../../data/importWorker.ts', import.meta.url), { type: 'module' })
 */
import type { ImportReply, ImportRequest, UploadSummary } from '../graph/uploads';
import { browserImageDecoder } from './browserImages';
import { decodeFiles, type InputFile } from './decode';
import { DataError } from './errors';
import { measureDataSet } from './types';
import { storeUpload } from './uploads';

declare const self: DedicatedWorkerGlobalScope;

/** The same files give the same id, so picking them again reuses the stored copy and graphs that name it. */
async function contentId(files: InputFile[]): Promise<string> {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : 1))) parts.push(enc.encode(`${f.name}\0${f.bytes.length}\0`), f.bytes);
  const digest = await crypto.subtle.digest('SHA-256', await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
  return Array.from(new Uint8Array(digest).subarray(0, 12), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function importFiles(req: ImportRequest): Promise<ImportReply> {
  const files: InputFile[] = [];
  for (const f of req.files) files.push({ name: f.name, bytes: new Uint8Array(await f.file.arrayBuffer()) });
  const { data, format, skipped } = await decodeFiles(files, browserImageDecoder, req.name ? { name: req.name } : undefined);
  const summary: UploadSummary = {
    ...measureDataSet(data),
    id: await contentId(files),
    format,
    files: files.length,
    skipped,
    storedAt: Date.now(),
  };
  await storeUpload(summary, data);
  return { ok: true, summary };
}

self.onmessage = async (e: MessageEvent<ImportRequest>) => {
  let reply: ImportReply;
  try {
    reply = await importFiles(e.data);
  } catch (err) {
    reply =
      err instanceof DataError
        ? { ok: false, message: err.message, hint: err.hint }
        : {
            ok: false,
            message: `the files could not be read (${err instanceof Error ? err.message : String(err)})`,
            hint: 'try fewer or smaller files',
          };
  }
  self.postMessage(reply);
};
