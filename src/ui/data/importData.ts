/**
 * Gathers the files a user picked or dropped (folders walked, paths kept so
 * sub-folders can name classes) and hands them to the import worker, which
 * reads, decodes and stores them. The page never reads or decodes data itself.
 */
import type { ImportReply, ImportRequest } from '../../graph/uploads';

export interface PickedFile {
  /** path relative to what was picked, '/'-separated ("digits/3/a.png") */
  name: string;
  file: File;
}

/** Picks beyond this are refused before anything is read: the decoded set must fit in a tab's memory. */
export const MAX_PICK_BYTES = 1024 ** 3;

export function fromInput(list: FileList | null): PickedFile[] {
  return Array.from(list ?? [], (file) => ({ name: file.webkitRelativePath || file.name, file }));
}

function readEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries returns at most ~100 entries per call; an empty batch ends the folder.
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  const name = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ name, file });
  } else if (entry.isDirectory) {
    for (const child of await readEntries(entry as FileSystemDirectoryEntry)) await walk(child, name, out);
  }
}

/** Files and whole folders dropped on the page. */
export async function fromDrop(data: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(data.items)
    .map((item) => item.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return fromInput(data.files);
  const out: PickedFile[] = [];
  for (const e of entries) await walk(e, '', out);
  return out;
}

/** A name for the set: the picked folder's or single file's, as the user knows it. */
function setName(picked: PickedFile[]): string | undefined {
  const first = picked[0]?.name ?? '';
  const top = first.split('/')[0];
  if (picked.length === 1) return top.replace(/\.(zip|csv|gz)$/i, '');
  return picked.every((p) => p.name.startsWith(`${top}/`)) ? top : undefined;
}

export async function importPicked(picked: PickedFile[]): Promise<ImportReply> {
  if (picked.length === 0) return { ok: false, message: 'no files were picked', hint: 'pick files or a folder, or drop them here' };
  const total = picked.reduce((t, p) => t + p.file.size, 0);
  if (total > MAX_PICK_BYTES)
    return {
      ok: false,
      message: `the picked files hold ${(total / 1024 ** 3).toFixed(1)} GiB; at most ${MAX_PICK_BYTES / 1024 ** 3} GiB can be read in a browser`,
      hint: 'pick fewer files, or train on them with the CLI (--data PATH)',
    };
  // Files are handles, not bytes: the worker reads them, so the page never holds the data.
  const files: ImportRequest['files'] = picked.map((p) => ({ name: p.name, file: p.file }));
  const worker = new Worker(new URL('../../data/importWorker.ts', import.meta.url), { type: 'module' });
  try {
    return await new Promise<ImportReply>((resolve) => {
      worker.onmessage = (e: MessageEvent<ImportReply>) => resolve(e.data);
      worker.onerror = (e) =>
        resolve({ ok: false, message: `the import worker failed (${e.message || 'no details'})`, hint: 'reload the page and try again' });
      const request: ImportRequest = { files, name: setName(picked) };
      worker.postMessage(request);
    });
  } finally {
    worker.terminate();
  }
}
