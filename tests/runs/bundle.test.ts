/** Run bundles: the zip round trip, zips of a folder, runs without run.json, and each refusal by file and path. */
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MAX_UNZIPPED_BYTES, runFromFiles, unzipRun, zipRun } from '../../src/runs/bundle';
import { decodeCheckpoint, encodeCheckpoint, fromStoredCheckpoint, toStoredCheckpoint } from '../../src/runs/checkpoint';
import { RUN_FORMAT, RUN_FORMAT_VERSION, RunFileError, type RunFiles } from '../../src/runs/format';
import type { StoredCheckpoint } from '../../src/runtime/checkpoints';
import type { ModelState } from '../../src/runtime/weights';

const batcher = { seed: 7, batchSize: 4, count: 100, epoch: 1, cursor: 12, step: 27 };
const state: ModelState = {
  step: 27,
  randomCounter: 311,
  tensors: {
    'var:enc/kernel': { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 4, 5e-8, -6]) },
    'var:enc/bias': { shape: [3], data: Float32Array.from([0.1, 0.2, 0.3]) },
    'opt:adam:Adam:iter': { shape: [], data: Float32Array.from([27]), name: 'iter' },
  },
};
const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

function sampleRun(): RunFiles {
  return {
    manifest: {
      format: RUN_FORMAT,
      version: RUN_FORMAT_VERSION,
      name: 'hinge variant',
      colour: '#d62728',
      seed: 3,
      backend: 'webgl',
      data: 'mnist',
      step: 27,
      createdAt: '2026-12-01T10:00:00.000Z',
      origin: 'browser',
    },
    graph: { schemaVersion: 1, meta: { title: 'GAN', seed: 3 }, nodes: [], edges: [] },
    losses: [
      { step: 1, losses: { adam: 2.5, KL: 0.25 } },
      { step: 2, losses: { adam: NaN, KL: 0.125 } },
    ],
    measurements: [{ step: 2, metrics: { fld: 80 } as never }],
    checkpoint: encodeCheckpoint(state, batcher, 'webgl', { learningRates: { adam: 0.0005 }, savedAt: '2026-12-01T10:00:00.000Z' }),
    pictures: [
      { path: 'samples.png', png },
      { path: 'thumbnails/samples-25.png', png },
    ],
  };
}

/** The RunFileError `f` throws (the test fails when it throws nothing or something else). */
function refusal(f: () => unknown): RunFileError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RunFileError);
    return e as RunFileError;
  }
  throw new Error('expected a RunFileError');
}

/** A bundle's entries by path, as zipRun writes them. */
const files = (run: RunFiles) => unzipSync(zipRun(run));

describe('run bundles', () => {
  it('zipRun → unzipRun gives the run back: manifest, graph, every loss (NaN too), measurements, checkpoint, pictures', () => {
    const run = sampleRun();
    const back = unzipRun(zipRun(run), 'hinge.zip');
    expect(back).toEqual(run);
    expect(Number.isNaN(back.losses[1].losses.adam)).toBe(true);
    expect(decodeCheckpoint(back.checkpoint!.meta, back.checkpoint!.weights, 'hinge.zip/checkpoint')).toEqual(state);
  });

  it('a worker checkpoint survives fromStoredCheckpoint → bundle → toStoredCheckpoint, with the run’s curve as its history', () => {
    const stored: StoredCheckpoint = {
      info: { step: 27, savedAt: Date.parse('2026-12-01T10:00:00.000Z'), backend: 'webgl' },
      docKey: 'doc',
      state,
      batcher,
      batchSize: 4,
      learningRates: { adam: 0.0005 },
      history: [],
      measurements: [],
    };
    const run = { ...sampleRun(), checkpoint: fromStoredCheckpoint(stored) };
    const back = toStoredCheckpoint(unzipRun(zipRun(run), 'r.zip'), 'doc');
    expect(back).toEqual({ ...stored, history: run.losses, measurements: run.measurements });
    expect(refusal(() => toStoredCheckpoint({ ...run, checkpoint: null }, 'doc')).message).toBe(
      'hinge variant: has no checkpoint to continue from (checkpoint/checkpoint.json)',
    );
  });

  it('reads a zip of a run folder inside its top folder, and describes a run without run.json from its files', () => {
    const { 'run.json': _, ...rest } = files(sampleRun());
    const inFolder: Record<string, Uint8Array> = { '__MACOSX/mine/._graph.json': strToU8('litter'), 'mine/.DS_Store': strToU8('x') };
    for (const [k, v] of Object.entries(rest)) inFolder[`mine/${k}`] = v;
    const run = unzipRun(zipSync(inFolder), 'downloads/mine.zip');
    expect(run.manifest).toMatchObject({ name: 'mine', origin: 'cli', seed: 3, step: 27, backend: 'webgl', createdAt: '2026-12-01T10:00:00.000Z' });
    expect(run.manifest.colour).toMatch(/^#[0-9a-f]{6}$/);
    expect(run.checkpoint?.meta.step).toBe(27);
    // Nothing optional: a graph alone is a run (with no checkpoint to continue).
    const bare = runFromFiles({ 'graph.json': strToU8('{"meta":{"seed":9}}') }, 'runs/bare');
    expect(bare).toMatchObject({ checkpoint: null, losses: [], measurements: [], pictures: [], manifest: { name: 'bare', seed: 9, step: 0 } });
    // A half line a killed write left at the end of metrics.jsonl is passed over.
    const half = runFromFiles({ ...rest, 'metrics.jsonl': strToU8('{"step":1,"adam":2}\n{"step":2,"ad') }, 'runs/half');
    expect(half.losses).toEqual([{ step: 1, losses: { adam: 2 } }]);
  });

  it('refuses what is not a run, by the file and the path inside it', () => {
    const ok = files(sampleRun());
    expect(refusal(() => unzipRun(strToU8('hello'), 'notes.zip')).message).toMatch(/^notes\.zip: is not a zip file/);
    expect(refusal(() => unzipRun(zipRun(sampleRun()).subarray(0, 200), 'cut.zip')).message).toMatch(/^cut\.zip: is a damaged zip/);
    const { 'graph.json': _, ...noGraph } = ok;
    expect(refusal(() => unzipRun(zipSync(noGraph), 'r.zip')).message).toMatch(/^r\.zip: has no graph\.json/);
    expect(refusal(() => runFromFiles({ ...ok, 'checkpoint/checkpoint.json': strToU8('{"st') }, 'r.zip')).message).toMatch(
      /^r\.zip\/checkpoint\/checkpoint\.json: is not valid JSON .*the checkpoint is damaged/,
    );
    const meta = JSON.parse(new TextDecoder().decode(ok['checkpoint/checkpoint.json']));
    const withMeta = (m: unknown) => ({ ...ok, 'checkpoint/checkpoint.json': strToU8(JSON.stringify(m)) });
    expect(refusal(() => runFromFiles(withMeta({ ...meta, step: 1.5 }), 'r.zip')).message).toMatch(
      /^r\.zip\/checkpoint\/checkpoint\.json: step 1\.5 is not a whole number/,
    );
    const wrongLength = { ...meta, tensors: meta.tensors.map((t: { length: number }, i: number) => (i === 0 ? { ...t, length: 5 } : t)) };
    expect(refusal(() => runFromFiles(withMeta(wrongLength), 'r.zip')).message).toMatch(/tensor var:enc\/kernel is 2×3 but holds 5 values/);
    const short = { ...ok, 'checkpoint/weights.bin': ok['checkpoint/weights.bin'].subarray(0, 16) };
    expect(refusal(() => runFromFiles(short, 'r.zip')).message).toBe(
      'r.zip/checkpoint: weights.bin is shorter than checkpoint.json says (16 bytes, it needs 40); the checkpoint is damaged (train or download the run again)',
    );
    expect(refusal(() => runFromFiles({ ...ok, 'checkpoint/weights.bin': ok['checkpoint/weights.bin'].subarray(0, 15) }, 'r.zip')).message).toMatch(
      /^r\.zip\/checkpoint\/weights\.bin: is 15 bytes, not a whole number of floats/,
    );
    const { 'checkpoint/checkpoint.json': __, ...onlyWeights } = ok;
    expect(refusal(() => runFromFiles(onlyWeights, 'r.zip')).message).toMatch(/^r\.zip\/checkpoint\/weights\.bin: has no checkpoint\.json beside it/);
    expect(refusal(() => runFromFiles({ ...ok, 'run.json': strToU8('{"version":99}') }, 'r.zip')).message).toMatch(
      /^r\.zip\/run\.json: is run format version 99; this Latent Lab reads up to 1/,
    );
  });

  it('refuses a zip that would unpack to more than the cap before inflating it', () => {
    const zip = zipSync({ 'graph.json': strToU8('{}'), 'metrics.jsonl': strToU8('x'.repeat(1000)) });
    // Make the central directory declare metrics.jsonl 1.5 times the cap.
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    for (let at = 0; at + 46 < zip.length; at++)
      if (view.getUint32(at, true) === 0x02014b50 && new TextDecoder().decode(zip.subarray(at + 46, at + 59)) === 'metrics.jsonl')
        view.setUint32(at + 24, MAX_UNZIPPED_BYTES * 1.5, true);
    expect(refusal(() => unzipRun(zip, 'bomb.zip')).message).toBe(
      'bomb.zip/metrics.jsonl: the bundle unpacks to more than 512 MB; no run of this lab is that large, so it is not opened',
    );
  });
});
