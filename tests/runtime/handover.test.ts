/**
 * A run handed between the browser and the CLI goes on as if it had never
 * stopped: a session trains N rounds, its checkpoint becomes a bundle, the
 * CLI continues the bundle M rounds, and a fresh session continues the CLI's
 * run folder K rounds. The losses at every step are those of one session that
 * trained N + M + K rounds straight, on the same backend (wasm).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registry } from '../../nodes/index';
import { readRunDir } from '../../src/cli/runFiles';
import { train } from '../../src/cli/train';
import type { GraphDocument } from '../../src/graph/document';
import { loadDocumentText } from '../../src/graph/load';
import { unzipRun, zipRun } from '../../src/runs/bundle';
import { fromStoredCheckpoint, toStoredCheckpoint } from '../../src/runs/checkpoint';
import { RUN_FORMAT, RUN_FORMAT_VERSION, type RunFiles } from '../../src/runs/format';
import type { LossPoint } from '../../src/runtime/protocol';
import type { TrainingSession } from '../../src/runtime/session';
import { sessionHarness } from './sessionHarness';

const root = mkdtempSync(join(tmpdir(), 'latent-lab-handover-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The 2-D GAN preset with small networks: two Adam optimizers (their slots must travel too), a few ms a round. */
function tinyGan(hidden = 16): GraphDocument {
  const doc = JSON.parse(readFileSync(new URL('../../presets/gan-2d.json', import.meta.url), 'utf8'));
  for (const n of doc.nodes) {
    if (n.type === 'generator' || n.type === 'discriminator') n.params.hidden = [hidden, hidden];
    if (n.type === 'dataset') n.params.batchSize = 32;
  }
  const r = loadDocumentText(JSON.stringify(doc), 'tiny-gan.json', registry);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}

/** What a learner changes while a run trains: one player's learning rate and the batch size. Both must travel with the run. */
async function live(session: TrainingSession) {
  await session.handle({ type: 'setLearningRate', optimizer: 'optG', lr: 0.0004 });
  await session.handle({ type: 'setBatchSize', batchSize: 16 });
}

const N = 6;
const M = 5;
const K = 4;

/** The CLI writes its losses under the same names the session reports them by. */
function expectSameLosses(got: LossPoint[], want: LossPoint[], tolerance: number) {
  expect(got.map((p) => p.step)).toEqual(want.map((p) => p.step));
  got.forEach((p, i) => {
    expect(Object.keys(p.losses).sort()).toEqual(Object.keys(want[i].losses).sort());
    for (const [term, v] of Object.entries(want[i].losses))
      expect(Math.abs(p.losses[term] - v), `step ${p.step} ${term}: ${p.losses[term]} vs ${v}`).toBeLessThanOrEqual(
        tolerance * Math.abs(v),
      );
  });
}

describe('browser → bundle → CLI → bundle → browser', () => {
  it('continuing on the same backend gives the losses of a run that never stopped', async () => {
    const doc = tinyGan();
    const straight = sessionHarness();
    await straight.session.handle({ type: 'load', doc });
    await straight.session.handle({ type: 'step', count: N });
    await live(straight.session);
    await straight.session.handle({ type: 'step', count: M + K });
    expect(straight.errors()).toEqual([]);
    const reference = straight.points();
    expect(reference.map((p) => p.step)).toEqual(Array.from({ length: N + M + K }, (_, i) => i + 1));

    // The browser: N rounds, then the run as a bundle.
    const browser = sessionHarness();
    await browser.session.handle({ type: 'load', doc });
    await browser.session.handle({ type: 'step', count: N });
    await live(browser.session);
    await browser.session.handle({ type: 'exportCheckpoint', id: 1 });
    const [exported] = browser.of('checkpointData');
    expect(exported.unavailable).toBeUndefined();
    const stored = exported.checkpoint!;
    expect(stored).toMatchObject({ info: { step: N }, batchSize: 16, learningRates: { optG: 0.0004 } });
    const run: RunFiles = {
      manifest: {
        format: RUN_FORMAT,
        version: RUN_FORMAT_VERSION,
        name: 'hand-over',
        colour: '#aa3377',
        seed: doc.meta.seed ?? 0,
        backend: stored.info.backend,
        data: 'ring',
        step: N,
        createdAt: new Date().toISOString(),
        origin: 'browser',
      },
      graph: doc,
      losses: stored.history ?? [],
      measurements: stored.measurements ?? [],
      checkpoint: fromStoredCheckpoint(stored),
      pictures: [],
    };
    const zipPath = join(root, 'hand-over.zip');
    writeFileSync(zipPath, zipRun(unzipRun(zipRun(run), 'hand-over.zip')));

    // The CLI: M more rounds from the zip, into a run folder.
    const out = join(root, 'cli-run');
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await train(zipPath, { resume: zipPath, steps: N + M, backend: 'wasm', out, checkpointEvery: 100, quiet: true })).toBe(0);
    } finally {
      quiet.mockRestore();
    }
    const cliRun = unzipRun(zipRun(await readRunDir(out)), 'cli-run.zip');
    expect(cliRun.manifest).toMatchObject({ name: 'hand-over', colour: '#aa3377', origin: 'cli', step: N + M });
    expect(cliRun.checkpoint?.meta).toMatchObject({ learningRates: { optG: 0.0004 }, batcher: { batchSize: 16 } });

    // The browser again: a fresh session continues the CLI's run K more rounds.
    const back = sessionHarness();
    await back.session.handle({ type: 'load', doc, checkpoint: toStoredCheckpoint(cliRun, 'from the CLI') });
    expect(back.errors()).toEqual([]);
    expect(back.of('loaded')[0]).toMatchObject({ step: N + M, resumed: true });
    // Kept as the document's stored checkpoint, so a reload continues from it too.
    expect([...back.store.map.values()].map((c) => c.info.step)).toEqual([N + M]);
    const from = back.events.length;
    // The curve comes back whole first: the browser's N steps and the CLI's M.
    expectSameLosses(back.points(0).slice(0, N + M), reference.slice(0, N + M), 0);
    await back.session.handle({ type: 'step', count: K });
    expect(back.errors()).toEqual([]);

    // Bit for bit: the same batches, noise draws, weights and Adam slots at every hand-over.
    const handedOver = [...browser.points().slice(0, N), ...cliRun.losses.slice(N), ...back.points(from)];
    expectSameLosses(handedOver, reference, 0);
  }, 120_000);

  it("a run's checkpoint that does not fit the graph is refused by what differs, and the fresh model trains", async () => {
    const h = sessionHarness();
    await h.session.handle({ type: 'exportCheckpoint', id: 1 });
    expect(h.of('checkpointData')[0]).toMatchObject({ checkpoint: null, unavailable: 'no model is loaded yet' });
    await h.session.handle({ type: 'load', doc: tinyGan(16) });
    await h.session.handle({ type: 'step', count: 2 });
    await h.session.handle({ type: 'exportCheckpoint', id: 2 });
    const small = h.of('checkpointData')[1].checkpoint!;

    const other = sessionHarness();
    await other.session.handle({ type: 'load', doc: tinyGan(24), checkpoint: small });
    const [error] = other.errors();
    expect(error.where).toBe('load');
    expect(error.message).toMatch(
      /^the run's checkpoint does not fit this graph: gen\/dense0\/kernel 16×24 here, 16×16 in the run; .* and 6 more$/,
    );
    expect(other.of('loaded')[0]).toMatchObject({ step: 0, resumed: false });
    expect(other.store.map.size).toBe(0);
    await other.session.handle({ type: 'step', count: 1 });
    expect(other.session.step).toBe(1);
  }, 60_000);
});
