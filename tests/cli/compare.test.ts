/**
 * `compare`: two tiny GAN runs that differ in one loss kind give one HTML file
 * with a chart per loss term (both runs overlaid), both sample pictures
 * embedded, the table with eval's measurements and the diff naming exactly the
 * changed parameter, and nothing that reaches outside the file; --json holds
 * the same table; bad runs are refused by name.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registry } from '../../nodes/index';
import { compareTable, readableColour, reportHtml, type ComparedRun } from '../../src/cli/report';
import { EXIT } from '../../src/cli/setup';
import { loadDocumentValue } from '../../src/graph/load';
import { playsAGame } from '../../src/graph/nodeApi';
import { RUN_FORMAT, RUN_FORMAT_VERSION, type RunFiles } from '../../src/runs/format';
import { zipRun } from '../../src/runs/bundle';
import { readRunDir } from '../../src/cli/runFiles';
import { captureCliOutput, cli, io } from './harness';

const root = mkdtempSync(join(tmpdir(), 'latent-lab-compare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
captureCliOutput();

const STEPS = 20;
const gan2d = () =>
  JSON.parse(readFileSync(fileURLToPath(new URL('../../presets/gan-2d.json', import.meta.url)), 'utf8')) as {
    nodes: { id: string; params: Record<string, unknown> }[];
  };

const nonSat = join(root, 'nonsat');
const hinge = join(root, 'hinge');

beforeAll(async () => {
  const doc = gan2d();
  writeFileSync(join(root, 'nonsat.json'), JSON.stringify(doc));
  doc.nodes.find((n) => n.id === 'gLoss')!.params.kind = 'hinge';
  writeFileSync(join(root, 'hinge.json'), JSON.stringify(doc));
  expect(await cli('train', join(root, 'nonsat.json'), '--steps', `${STEPS}`, '--out', nonSat), io.stderr).toBe(EXIT.ok);
  expect(await cli('train', join(root, 'hinge.json'), '--steps', `${STEPS}`, '--out', hinge), io.stderr).toBe(EXIT.ok);
  // beforeAll runs before the capture is installed: keep eval's report out of the test log.
  const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  expect(await cli('eval', nonSat, '--n', '100'), io.stderr).toBe(EXIT.ok);
  quiet.mockRestore();
}, 120_000);

const svgs = (html: string) => html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
const termsOf = (run: string) =>
  Object.keys(JSON.parse(readFileSync(join(run, 'metrics.jsonl'), 'utf8').split('\n')[0]!) as object).filter((k) => k !== 'step');

describe('compare two CLI runs', () => {
  it('eval saved its measurement at the checkpoint step in measurements.json', () => {
    const saved = JSON.parse(readFileSync(join(nonSat, 'measurements.json'), 'utf8')) as { step: number; metrics: { grid_kl?: number } }[];
    expect(saved).toHaveLength(1);
    expect(saved[0]!.step).toBe(STEPS);
    expect(saved[0]!.metrics.grid_kl).toBeGreaterThan(0);
  });

  it('eval again at the same step replaces its entry; a damaged measurements.json is replaced with a warning', async () => {
    const copy = join(root, 'measured-twice');
    cpSync(hinge, copy, { recursive: true });
    expect(await cli('eval', copy, '--n', '100', '--json'), io.stderr).toBe(EXIT.ok);
    expect(await cli('eval', copy, '--n', '100', '--json'), io.stderr).toBe(EXIT.ok);
    const read = () => JSON.parse(readFileSync(join(copy, 'measurements.json'), 'utf8')) as { step: number }[];
    expect(read().map((m) => m.step)).toEqual([STEPS]);
    writeFileSync(join(copy, 'measurements.json'), '{"half":');
    expect(await cli('eval', copy, '--n', '100', '--json'), io.stderr).toBe(EXIT.ok);
    expect(io.stderr).toContain('measurements.json was not a list of measurements');
    expect(read().map((m) => m.step)).toEqual([STEPS]);
  });

  it('writes one self-contained report.html: both runs, a chart per term with two curves, both samples, the one-line diff', async () => {
    const out = join(root, 'report.html');
    expect(await cli('compare', nonSat, hinge, '--out', out), io.stderr).toBe(EXIT.ok);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('nonsat');
    expect(html).toContain('hinge');

    // gan-2d's two optimizers each train one loss: their totals (optD, optG) are those terms again, so they get no chart of their own.
    const terms = termsOf(nonSat).filter((t) => t !== 'optD' && t !== 'optG');
    expect(terms).toEqual(['Discriminator loss', 'Generator loss']);
    const charts = svgs(html);
    expect(charts).toHaveLength(terms.length);
    for (const svg of charts) expect(svg.match(/<polyline /g)).toHaveLength(2);
    for (const term of terms) expect(html).toContain(`<figcaption>${term}</figcaption>`);
    expect(html).not.toContain('<figcaption>optD</figcaption>');

    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(2);
    // Every src is an embedded picture and nothing links anywhere: the file needs no network.
    const refs = [...html.matchAll(/\b(src|href)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[2]!);
    expect(refs.length).toBe(2);
    for (const ref of refs) expect(ref.startsWith('data:image/png;base64,')).toBe(true);
    expect(html.replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, '')).not.toMatch(/https?:|\/\//);

    const diffSection = html.slice(html.indexOf('Graph differences'));
    expect(diffSection.match(/<li>[^<]*<\/li>/g)).toEqual(['<li>Generator loss “gLoss” (ganLoss): kind nonSaturating → hinge</li>']);
    // eval's measurement of the first run is in the table.
    expect(html).toContain('grid KL');
  });

  it('--json prints the table with both runs, their final losses, the measurement and the diff', async () => {
    expect(await cli('compare', nonSat, hinge, '--json'), io.stderr).toBe(EXIT.ok);
    expect(io.stdout).toHaveLength(1);
    const table = JSON.parse(io.stdout[0]!) as {
      runs: { name: string; steps: number; finalLosses: Record<string, number>; measurements: Record<string, number>; diff: string[] }[];
    };
    expect(table.runs.map((r) => r.name)).toEqual(['nonsat', 'hinge']);
    expect(table.runs.map((r) => r.steps)).toEqual([STEPS, STEPS]);
    for (const r of table.runs) expect(Object.keys(r.finalLosses).sort()).toEqual(['Discriminator loss', 'Generator loss']);
    expect(table.runs[0]!.measurements.grid_kl).toBeGreaterThan(0);
    expect(table.runs[1]!.measurements).toEqual({});
    expect(table.runs[0]!.diff).toEqual([]);
    expect(table.runs[1]!.diff).toEqual(['Generator loss “gLoss” (ganLoss): kind nonSaturating → hinge']);
  });

  it('reads a run bundle (.zip) beside a folder, and a copy of the same run is "same graph"', async () => {
    const bundle = join(root, 'hinge-bundle.zip');
    writeFileSync(bundle, zipRun(await readRunDir(hinge)));
    const out = join(root, 'bundle-report.html');
    expect(await cli('compare', hinge, bundle, '--out', out), io.stderr).toBe(EXIT.ok);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<p>same graph</p>');
    for (const svg of svgs(html)) expect(svg.match(/<polyline /g)).toHaveLength(2);
  });

  it('escapes run names taken from run.json', async () => {
    const named = join(root, 'named');
    cpSync(hinge, named, { recursive: true });
    const manifest = { format: RUN_FORMAT, version: RUN_FORMAT_VERSION, name: '<img src=x onerror=alert(1)>', colour: 'red" onload="x' };
    writeFileSync(join(named, 'run.json'), JSON.stringify(manifest));
    const out = join(root, 'named.html');
    expect(await cli('compare', nonSat, named, '--out', out), io.stderr).toBe(EXIT.ok);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('onload="x');
  });
});

describe('compare refuses what it cannot compare, by name', () => {
  it('fewer than two runs', async () => {
    expect(await cli('compare', nonSat, '--out', join(root, 'one.html'))).toBe(EXIT.badArguments);
    expect(io.stderr).toContain('compare needs two or more runs');
  });

  it('a path that does not exist, and a file that is not a run bundle', async () => {
    const missing = join(root, 'no-such-run');
    expect(await cli('compare', nonSat, missing, '--json')).toBe(EXIT.badArguments);
    expect(io.stderr).toContain(missing);
    const text = join(root, 'notes.txt');
    writeFileSync(text, 'not a run');
    expect(await cli('compare', nonSat, text, '--json')).toBe(EXIT.badArguments);
    expect(io.stderr).toContain(`${text}: is not a zip file`);
    expect(io.stdout).toEqual([]);
  });

  it('a run folder without metrics, and a folder that is not a run', async () => {
    const noMetrics = join(root, 'no-metrics');
    mkdirSync(noMetrics);
    cpSync(join(hinge, 'graph.json'), join(noMetrics, 'graph.json'));
    expect(await cli('compare', nonSat, noMetrics, '--json')).toBe(EXIT.invalidDocument);
    expect(io.stderr).toContain(`${noMetrics}: no losses to compare (metrics.jsonl is missing`);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(await cli('compare', nonSat, empty, '--json')).toBe(EXIT.badArguments);
    expect(io.stderr).toContain(`${empty}: has no graph.json`);
    expect(io.stderr).not.toMatch(/\n\s+at /);
  });

  it('an --out in a folder that does not exist', async () => {
    const out = join(root, 'no-such-folder', 'report.html');
    expect(await cli('compare', nonSat, hinge, '--out', out)).toBe(EXIT.badArguments);
    expect(io.stderr).toContain(`cannot write ${out}: its folder does not exist`);
  });
});

/** A run in memory with the given losses and measurement, on the GAN-2D graph. */
function run(name: string, losses: number[], metrics: Record<string, number>, colour = ''): ComparedRun {
  const graph = gan2d();
  const loaded = loadDocumentValue(graph, name, registry);
  if (!loaded.ok) throw new Error(loaded.error.message);
  const files: RunFiles = {
    manifest: {
      format: RUN_FORMAT,
      version: 1,
      name,
      colour,
      seed: 1,
      backend: 'cpu',
      data: 'ring',
      step: losses.length,
      createdAt: '',
      origin: 'cli',
    },
    graph,
    losses: losses.map((v, i) => ({ step: i + 1, losses: { loss: v } })),
    measurements: [{ step: losses.length, metrics: { n: 10, reference: '', floorFrom: '', ...metrics } }],
    checkpoint: null,
    pictures: [],
  };
  return { source: name, files, doc: loaded.doc, optimizerTotals: [] };
}

describe('the compare table', () => {
  it('leaves out an optimizer total only where it repeats one of its terms, and keeps a total that sums several', () => {
    const withTotals = (name: string, total: (a: number, b: number) => number): ComparedRun => {
      const r = run(name, [1, 2, 3], {});
      r.files.losses = [1, 2, 3].map((v, i) => ({ step: i + 1, losses: { a: v, b: 10 * v, opt: total(v, 10 * v) } }));
      return { ...r, optimizerTotals: ['opt'] };
    };
    expect(compareTable([withTotals('x', (a) => a), withTotals('y', (a) => a)]).lossTerms).toEqual(['a', 'b']);
    expect(compareTable([withTotals('x', (a, b) => a + b), withTotals('y', (a) => a)]).lossTerms).toEqual(['a', 'b', 'opt']);
  });

  it('takes the mean of the last 5 % of logged steps as the final loss', () => {
    const losses = Array.from({ length: 100 }, (_, i) => (i < 95 ? 10 : i - 94)); // last five: 1…5
    const t = compareTable([run('a', losses, {}), run('b', losses, {})]);
    expect(t.runs[0]!.finalLosses.loss).toBe(3);
  });

  it('marks the best of a column by its direction: lower FLD and loss, higher recall; density unmarked', () => {
    const runs = [run('a', [2], { fld: 5, recall: 0.2, density: 1.1 }), run('b', [1], { fld: 9, recall: 0.6, density: 0.9 })];
    const html = reportHtml(runs, compareTable(runs));
    const best = [...html.matchAll(/<td class="best" title="best">★ ([^<]+)<\/td>/g)].map((m) => m[1]);
    // Row by row: b's loss, a's FLD, b's recall.
    expect(best).toEqual(['1', '5', '0.6']);
    // These runs are gan-2d's game of two optimizers: told so, no loss is starred.
    const game = compareTable(runs, undefined, (doc) => playsAGame(doc, registry));
    expect(game.game).toBe(true);
    expect([...reportHtml(runs, game).matchAll(/<td class="best" title="best">★ ([^<]+)<\/td>/g)].map((m) => m[1])).toEqual(['5', '0.6']);
  });

  it("reads a measurement's likelihood figures under eval --json's keys", () => {
    const a = run('a', [1], {});
    const likelihood = {
      kind: 'elbo' as const,
      nats: 100,
      bitsPerDim: 0.2,
      examples: 10,
      heldOut: true,
      objective: 100,
      why: null,
      terms: {},
    };
    a.files.measurements[0]!.metrics.likelihood = { ...likelihood, importanceSampled: { samples: 4, nats: 95, bitsPerDim: 0.19 } };
    const t = compareTable([a, run('b', [1], {})]);
    expect(t.runs[0]!.measurements).toEqual({ neg_elbo: 100, is_nll: 95, bits_per_dim: 0.2 });
    expect(t.metrics).toEqual(['neg_elbo', 'is_nll', 'bits_per_dim']);
  });

  it('marks no best where every run has the same value', () => {
    const runs = [run('a', [1], { precision: 0 }), run('b', [1], { precision: 0 })];
    expect(reportHtml(runs, compareTable(runs))).not.toContain('class="best"');
  });

  it('gives runs without a usable colour distinct ones from the palette', () => {
    const t = compareTable([run('a', [1], {}, '#123456'), run('b', [1], {}, '#123456'), run('c', [1], {}, 'url(x)')]);
    expect(t.runs[0]!.colour).toBe('#123456');
    expect(new Set(t.runs.map((r) => r.colour)).size).toBe(3);
    expect(t.runs[2]!.colour).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('darkens a run colour too light to read on white to 3:1, and keeps a dark one', () => {
    const channel = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
    const contrast = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => channel(parseInt(hex.slice(i, i + 2), 16)));
      return 1.05 / (0.2126 * r! + 0.7152 * g! + 0.0722 * b! + 0.05);
    };
    expect(contrast('#edc948')).toBeLessThan(2);
    const yellow = readableColour('#EDC948')!;
    expect(contrast(yellow)).toBeGreaterThanOrEqual(3);
    expect(contrast(yellow)).toBeLessThan(3.5);
    expect(readableColour('#4e79a7')).toBe('#4e79a7');
    expect(readableColour('#fff')).toMatch(/^#([0-9a-f]{2})\1\1$/);
    expect(readableColour('red')).toBeNull();
  });

  it('tells two runs with the same name apart', () => {
    const t = compareTable([run('latest', [1], {}), run('latest', [1], {})]);
    expect(t.runs.map((r) => r.name)).toEqual(['latest', 'latest (2)']);
  });
});
