import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { emptyDocument, type GraphDocument } from '../../src/graph/document';
import { playsAGame } from '../../src/graph/nodeApi';
import { preset } from '../compiler/helpers';
import {
  activeAfterLoad,
  addThumbnail,
  appendTime,
  checkCap,
  curvesToPoints,
  measuredOverTime,
  measurementCurves,
  metricTable,
  newRun,
  nextRunName,
  overlay,
  pickColour,
  pointsToCurves,
  RUN_COLOURS,
  thumbnailAt,
  toThumbnail,
  variantTitle,
  type Thumbnail,
} from '../../src/store/runHistory';
import { ELBO_SERIES } from '../../src/store/runCurves';

const thumb = (step: number): Thumbnail => ({ step, n: 1, shape: [1], pixels: new Uint8Array([step % 256]) });

describe('when a run starts and continues', () => {
  const active = { runId: 'r1', graphId: 'g1' };
  it('a model at step 0 (a fresh load, a restart) ends the run', () => {
    expect(activeAfterLoad(active, { graphId: 'g1', step: 0, resumed: false }, { id: 'r1' }, null)).toBeNull();
  });
  it('the same graph past step 0 (weights kept after an edit) continues the active run', () => {
    expect(activeAfterLoad(active, { graphId: 'g1', step: 40, resumed: false }, { id: 'r0' }, null)).toEqual(active);
  });
  it('a resume of another graph’s stored checkpoint continues that graph’s latest run, or none', () => {
    expect(activeAfterLoad(active, { graphId: 'g2', step: 40, resumed: true }, { id: 'r7' }, null)).toEqual({ runId: 'r7', graphId: 'g2' });
    expect(activeAfterLoad(active, { graphId: 'g2', step: 40, resumed: true }, null, null)).toBeNull();
  });
  it('a reload that resumes from the stored checkpoint continues the graph’s latest run', () => {
    expect(activeAfterLoad(null, { graphId: 'g1', step: 250, resumed: true }, { id: 'r3' }, null)).toEqual({ runId: 'r3', graphId: 'g1' });
  });
  it('kept weights with no run training (its run was deleted) are no older run’s', () => {
    expect(activeAfterLoad(null, { graphId: 'g1', step: 250, resumed: false }, { id: 'r3' }, null)).toBeNull();
  });
  it('continuing a chosen run wins over everything', () => {
    expect(activeAfterLoad(active, { graphId: 'g1', step: 0, resumed: false }, null, 'r9')).toEqual({ runId: 'r9', graphId: 'g1' });
  });
});

describe('names and colours', () => {
  it('numbers runs after the highest number of the graph', () => {
    expect(nextRunName('DCGAN', [])).toBe('DCGAN · run 1');
    expect(nextRunName('DCGAN', ['DCGAN · run 1', 'DCGAN · run 2'])).toBe('DCGAN · run 3');
    // run 1 was deleted: "run 2" must not be given twice
    expect(nextRunName('DCGAN', ['DCGAN · run 2'])).toBe('DCGAN · run 3');
    expect(nextRunName('  ', [])).toBe('Untitled graph · run 1');
  });
  it('names variants after the original, counting the family', () => {
    expect(variantTitle('DCGAN', 1)).toBe('DCGAN · variant 2');
    expect(variantTitle('DCGAN · variant 2', 2)).toBe('DCGAN · variant 3');
  });
  it('gives each run of a family its own colour, then the least used', () => {
    expect(pickColour([])).toBe(RUN_COLOURS[0]);
    expect(pickColour([RUN_COLOURS[0]])).toBe(RUN_COLOURS[1]);
    const all = [...RUN_COLOURS, RUN_COLOURS[0], RUN_COLOURS[1]];
    expect(pickColour(all)).toBe(RUN_COLOURS[2]);
  });
  it('a new record keeps the graph, its seed and a name and colour', () => {
    const doc = { ...emptyDocument(), meta: { ...emptyDocument().meta, title: 'VAE', seed: 7 } };
    const r = newRun({
      id: 'r',
      graphId: 'g',
      familyId: 'g',
      doc,
      data: 'mnist',
      backend: 'wasm',
      now: 5,
      namesOfGraph: ['VAE · run 1'],
      coloursInFamily: [RUN_COLOURS[0]],
    });
    expect(r).toMatchObject({ name: 'VAE · run 2', colour: RUN_COLOURS[1], seed: 7, data: 'mnist', step: 0, createdAt: 5 });
  });
});

describe('thumbnails', () => {
  it('keeps at most max, the first and the latest, spread over the run', () => {
    let list: Thumbnail[] = [];
    for (let s = 0; s <= 1000; s += 10) list = addThumbnail(list, thumb(s), 20);
    expect(list.length).toBe(20);
    expect(list[0].step).toBe(0);
    expect(list.at(-1)!.step).toBe(1000);
    const gaps = list.slice(1).map((t, i) => t.step - list[i].step);
    // Evenly spread: no gap more than a few times another.
    expect(Math.max(...gaps)).toBeLessThanOrEqual(4 * Math.min(...gaps));
    expect(list.map((t) => t.step)).toEqual([...list.map((t) => t.step)].sort((a, b) => a - b));
  });
  it('a grid at an earlier step (a restore rewound) replaces the later ones', () => {
    const list = addThumbnail([thumb(10), thumb(20), thumb(30)], thumb(20));
    expect(list.map((t) => t.step)).toEqual([10, 20]);
  });
  it('the slider shows the grid at or before the step', () => {
    const list = [thumb(10), thumb(20), thumb(30)];
    expect(thumbnailAt(list, 5)).toBeNull();
    expect(thumbnailAt(list, 25)!.step).toBe(20);
    expect(thumbnailAt(list, 30)!.step).toBe(30);
  });
  it('stores grids in 8 bits', () => {
    const t = toThumbnail(3, 1, [2], new Float32Array([0, 1, 0.5, NaN, 2, -1]));
    expect([...t.pixels]).toEqual([0, 255, 128, 0, 255, 0]);
  });
});

describe('the cap', () => {
  const run = (id: string, createdAt: number, mb: number) => ({
    id,
    name: id,
    createdAt,
    bytes: { record: mb * 1024 * 1024, checkpoint: 0, thumbnails: 0 },
  });
  const MB = 1024 * 1024;
  it('lets a write through under the cap, counting a run’s own old bytes once', () => {
    expect(checkCap([run('a', 1, 50), run('b', 2, 100)], 'b', 150 * MB, 200 * MB)).toEqual({ ok: true });
  });
  it('refuses a write past the cap and names the oldest runs to delete', () => {
    const v = checkCap([run('b', 2, 80), run('a', 1, 60), run('c', 3, 50)], 'new', 30 * MB, 200 * MB);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.over).toBe(20 * MB);
    expect(v.oldest.map((o) => o.id)).toEqual(['a']);
    expect(v.enough).toBe(true);
  });
  it('says when deleting every other run would not be enough', () => {
    const v = checkCap([run('a', 1, 10)], 'new', 300 * MB, 200 * MB);
    expect(v.ok === false && v.enough).toBe(false);
  });
});

describe('time and files', () => {
  it('adds training time per step, not the time spent paused', () => {
    let t = appendTime([], 10, 100);
    t = appendTime(t, 20, 200);
    expect(t).toEqual([
      { step: 10, seconds: 1 },
      { step: 20, seconds: 3 },
    ]);
    // a restore to step 10 drops what came after it
    expect(appendTime(t, 15, 100)).toEqual([
      { step: 10, seconds: 1 },
      { step: 15, seconds: 1.5 },
    ]);
  });
  it('curves go to metrics lines and back, leaving out the page’s ELBO sum and NaN gaps', () => {
    const c = { steps: [1, 2], series: { a: [1, NaN], b: [3, 4], [ELBO_SERIES]: [9, 9] } };
    const points = curvesToPoints(c);
    expect(points).toEqual([
      { step: 1, losses: { a: 1, b: 3 } },
      { step: 2, losses: { b: 4 } },
    ]);
    expect(pointsToCurves(points)).toEqual({ steps: [1, 2], series: { a: [1, NaN], b: [3, 4] } });
  });
});

describe('compare', () => {
  const runA = {
    id: 'a',
    step: 30,
    doc: preset('vae.json'),
    curves: { steps: [10, 20, 30], series: { 'D loss': [1, 0.8, 0.7], 'G loss': [2, 2.5, 3] } },
    time: [{ step: 30, seconds: 3 }],
    measurements: [{ step: 30, metrics: { n: 1, reference: '', floorFrom: '', fld: 40, precision: 0.5 } }],
  };
  const runB = {
    id: 'b',
    step: 30,
    doc: preset('vae.json'),
    curves: { steps: [10, 25, 30], series: { 'D loss': [0.9, 0.6, 0.5], 'G loss': [1, 1.5, 3] } },
    time: [{ step: 30, seconds: 6 }],
    measurements: [{ step: 30, metrics: { n: 1, reference: '', floorFrom: '', fld: 50, precision: 0.7 } }],
  };
  it('aligns curves by step, null where a run logged nothing', () => {
    const o = overlay([runA, runB], 'D loss', 'step');
    expect(o.x).toEqual([10, 20, 25, 30]);
    expect(o.ys).toEqual([
      [1, 0.8, null, 0.7],
      [0.9, null, 0.6, 0.5],
    ]);
  });
  it('or by training time', () => {
    const o = overlay([runA, runB], 'D loss', 'time');
    expect(o.x).toEqual([1, 2, 3, 5, 6]);
    expect(o.ys).toEqual([
      [1, 0.8, 0.7, null, null],
      [null, 0.9, null, 0.6, 0.5],
    ]);
  });
  it('marks the best value per column: lowest loss and FLD, highest precision; a tie marks both', () => {
    const t = metricTable([runA, runB]);
    expect(t.columns.map((c) => c.id)).toEqual(['loss:D loss', 'loss:G loss', 'fld', 'precision']);
    expect(t.rows[0].values).toEqual([0.7, 3, 40, 0.5]);
    expect(t.best).toEqual([['b'], ['a', 'b'], ['a'], ['b']]);
  });
  it('charts a measurement over steps when a run measured it twice', () => {
    const twice = { ...runB, measurements: [{ step: 10, metrics: { n: 1, reference: '', floorFrom: '', fld: 80 } }, ...runB.measurements] };
    expect(measuredOverTime([runA, twice]).map((c) => c.id)).toEqual(['fld']);
    expect(measurementCurves(twice)).toEqual({ steps: [10, 30], series: { fld: [80, 50], precision: [NaN, 0.7] } });
    expect(measuredOverTime([runA, runB])).toEqual([]);
  });
  it('marks no loss when a run plays a game (a GAN’s two optimizers): one player’s loss falls as the other plays worse', () => {
    const gan = { ...runB, doc: preset('gan.json') };
    const game = (doc: GraphDocument) => playsAGame(doc, registry);
    expect(playsAGame(runA.doc, registry)).toBe(false);
    const t = metricTable([runA, gan], game);
    expect(t.columns.map((c) => c.better)).toEqual([null, null, 'lower', 'higher']);
    expect(t.best).toEqual([[], [], ['a'], ['b']]);
    expect(metricTable([runA, runB], game).best[0]).toEqual(['b']);
  });
  it('marks nothing with a single run', () => {
    expect(metricTable([runA]).best.every((b) => b.length === 0)).toBe(true);
  });
});
