/**
 * Run bundles in the browser: a history run to a .zip (graph.json, the
 * checkpoint, metrics.jsonl, measurements, sample PNGs, run.json) and a .zip
 * (a bundle, or a CLI run folder zipped) back into the history. The file
 * layout is src/runs; PNGs are made and read with a canvas, which only the page has.
 */
import { formatLoadError, loadDocumentValue } from '../../graph/load';
import type { StoredCheckpoint } from '../../runtime/protocol';
import { registry } from '../../../nodes/index';
import { RUN_FORMAT, RUN_FORMAT_VERSION, type RunFiles, type RunPicture } from '../../runs/format';
import { unzipRun, zipRun } from '../../runs/bundle';
import { fromStoredCheckpoint, toStoredCheckpoint } from '../../runs/checkpoint';
import { curvesToPoints, newRun, pointsToCurves, thumbnailImages, type RunRecord, type Thumbnail } from '../../store/runHistory';
import { drawImageGrid, imageDims } from './draw';
import { historyNotice, historyStore, runHistory } from './historyStore';
import { download } from './runStore';

/** A thumbnail as a PNG: the grid the run panel draws (square-ish, 1-pixel gaps). */
async function thumbnailPng(t: Thumbnail): Promise<Uint8Array | null> {
  const canvas = document.createElement('canvas');
  const cols = t.n === 1 ? 1 : Math.ceil(Math.sqrt(t.n));
  drawImageGrid(canvas, thumbnailImages(t), t.n, t.shape, cols);
  if (!imageDims(t.shape)) return null;
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
}

/** A PNG as a one-image thumbnail (grey when every pixel is grey). */
async function pngThumbnail(step: number, png: Uint8Array): Promise<Thumbnail | null> {
  try {
    const bitmap = await createImageBitmap(new Blob([png as BlobPart], { type: 'image/png' }));
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return null;
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const count = bitmap.width * bitmap.height;
    let grey = true;
    for (let i = 0; i < count && grey; i++) grey = rgba[4 * i] === rgba[4 * i + 1] && rgba[4 * i] === rgba[4 * i + 2];
    const c = grey ? 1 : 3;
    const pixels = new Uint8Array(count * c);
    for (let i = 0; i < count; i++) for (let ch = 0; ch < c; ch++) pixels[i * c + ch] = rgba[4 * i + ch];
    return { step, n: 1, shape: [bitmap.height, bitmap.width, c], pixels };
  } catch {
    return null;
  }
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'run';

/** Downloads the run as one .zip. */
export async function downloadBundle(r: RunRecord): Promise<void> {
  try {
    const [checkpoint, thumbnails] = await Promise.all([runHistory.checkpoint(r.id), runHistory.thumbnails(r.id)]);
    const pictures: RunPicture[] = [];
    for (const t of thumbnails) {
      const png = await thumbnailPng(t);
      if (png) pictures.push({ path: `thumbnails/samples-${t.step}.png`, png });
    }
    const latest = pictures.at(-1);
    if (latest) pictures.push({ path: 'samples.png', png: latest.png });
    const files: RunFiles = {
      manifest: {
        format: RUN_FORMAT,
        version: RUN_FORMAT_VERSION,
        name: r.name,
        colour: r.colour,
        seed: r.seed,
        backend: r.backend,
        data: r.data,
        step: checkpoint?.info.step ?? r.step,
        createdAt: new Date(r.createdAt).toISOString(),
        origin: 'browser',
      },
      graph: r.doc,
      // The checkpoint is the run's end: curve points past it (logged after the last pause) did not make it into the weights.
      losses: curvesToPoints(r.curves).filter((p) => !checkpoint || p.step <= checkpoint.info.step),
      measurements: r.measurements,
      checkpoint: checkpoint ? fromStoredCheckpoint(checkpoint) : null,
      pictures,
    };
    download(`${slug(r.name)}.zip`, new Blob([zipRun(files) as BlobPart], { type: 'application/zip' }));
    if (!checkpoint)
      historyNotice('warn', `“${r.name}” has no checkpoint yet, so its bundle holds the curves and graph but cannot continue.`);
  } catch (e) {
    historyNotice('error', `Could not make the bundle of “${r.name}”: ${(e as Error).message || String(e)}`);
  }
}

/** Opens a bundle (or a zipped CLI run folder): its graph goes into the editor, the run into the history, and training continues from its checkpoint. */
export async function openBundle(file: File): Promise<boolean> {
  let files: RunFiles;
  try {
    files = unzipRun(new Uint8Array(await file.arrayBuffer()), file.name);
  } catch (e) {
    historyNotice('error', `Could not open ${(e as Error).message || file.name}. Nothing was changed.`);
    return false;
  }
  const loaded = loadDocumentValue(files.graph, `${file.name}: graph.json`, registry);
  if (!loaded.ok) {
    historyNotice('error', `Could not open ${formatLoadError(loaded.error)}. Nothing was changed.`);
    return false;
  }
  let checkpoint: StoredCheckpoint | null;
  try {
    checkpoint = files.checkpoint ? toStoredCheckpoint(files, '') : null;
  } catch (e) {
    historyNotice('error', `Could not open ${file.name}: ${(e as Error).message}. Nothing was changed.`);
    return false;
  }
  const thumbnails: Thumbnail[] = [];
  for (const p of files.pictures) {
    const m = /^thumbnails\/samples-(\d+)\.png$/.exec(p.path);
    if (!m) continue;
    const t = await pngThumbnail(Number(m[1]), p.png);
    if (t) thumbnails.push(t);
  }
  thumbnails.sort((a, b) => a.step - b.step);
  const latest = files.pictures.find((p) => p.path === 'samples.png');
  if (!thumbnails.length && latest) {
    const t = await pngThumbnail(files.manifest.step, latest.png);
    if (t) thumbnails.push(t);
  }
  const { graphId, familyId, runs } = historyStore.getState();
  const now = Date.now();
  const base = newRun({
    id: `run-${now.toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
    graphId,
    familyId,
    doc: loaded.doc,
    data: files.manifest.data,
    backend: files.manifest.backend,
    now,
    namesOfGraph: runs.filter((r) => r.graphId === graphId).map((r) => r.name),
    coloursInFamily: runs.filter((r) => r.familyId === familyId).map((r) => r.colour),
  });
  const curves = pointsToCurves(files.losses);
  const record: RunRecord = {
    ...base,
    name: files.manifest.name || base.name,
    colour: /^#[0-9a-f]{6}$/i.test(files.manifest.colour) ? files.manifest.colour : base.colour,
    seed: files.manifest.seed,
    step: checkpoint?.info.step ?? curves.steps.at(-1) ?? 0,
    curves,
    measurements: files.measurements,
    origin: files.manifest.origin,
    thumbnailCount: thumbnails.length,
  };
  const ok = await runHistory.addAndContinue(record, { checkpoint, thumbnails });
  if (ok)
    historyNotice(
      'info',
      `Opened ${file.name}: “${record.name}” at step ${record.step}${checkpoint ? ', continuing from its checkpoint' : ' (no checkpoint: its graph is open, training starts afresh)'}. Undo brings back the previous graph.`,
    );
  return ok;
}
