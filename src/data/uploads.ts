/** The stored copy of data sets picked in the browser (see src/graph/uploads.ts). */
import { get, set } from 'idb-keyval';
import { uploadDataKey, uploadSummaryKey, type UploadSummary } from '../graph/uploads.js';
import { DataError } from './errors.js';
import type { DataSet } from './types.js';

const hasIndexedDb = () => typeof indexedDB !== 'undefined';

export async function storeUpload(summary: UploadSummary, data: DataSet): Promise<void> {
  // The examples first: a summary must never name data that is not there.
  await set(uploadDataKey(summary.id), data);
  await set(uploadSummaryKey(summary.id), summary);
}

export async function loadUpload(id: string): Promise<DataSet> {
  if (!hasIndexedDb())
    throw new DataError(
      `upload ${id}`,
      'this data was picked in a browser and is kept in that browser only',
      'on the CLI, pass the same files with --data PATH',
    );
  const data = (await get(uploadDataKey(id))) as DataSet | undefined;
  if (!data)
    throw new DataError(
      `upload ${id}`,
      'the picked files are no longer stored in this browser',
      'pick the files again in the Dataset node',
    );
  return data;
}
