/**
 * Data sets a user picked in the browser are decoded in a worker and kept in
 * IndexedDB, so a reload does not lose them. The worker writes them and the
 * page lists them; both agree on these keys and this summary.
 */
import type { MeasuredData } from './nodeApi';

export interface UploadSummary extends MeasuredData {
  /** content hash of the picked files; the Dataset node's `upload` parameter */
  id: string;
  format: 'idx' | 'images' | 'points';
  /** files that were read (zip entries count one each) */
  files: number;
  /** files left out, each with the reason */
  skipped: { file: string; reason: string }[];
  storedAt: number;
}

export const uploadDataKey = (id: string) => `latent-lab:data:${id}`;
export const uploadSummaryKey = (id: string) => `latent-lab:data-summary:${id}`;
export const UPLOAD_SUMMARY_PREFIX = 'latent-lab:data-summary:';

/** Page → import worker: the picked files (names keep their folders; the worker reads them) and a name for the set. */
export interface ImportRequest {
  files: { name: string; file: Blob }[];
  name?: string;
}

/** Import worker → page. */
export type ImportReply = { ok: true; summary: UploadSummary } | { ok: false; message: string; hint: string };
