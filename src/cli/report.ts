/**
 * The compare report: the table (final losses, measurements, graph diff per
 * run) and one self-contained HTML page around it — inline SVG curves, the
 * runs' pictures as data: URIs, no scripts and nothing fetched from anywhere.
 */
import { describeDiff, diffGraphs, type ParamDefaults } from '../graph/diff';
import type { GraphDocument } from '../graph/document';
import type { RunFiles } from '../runs/format';
import type { SampleMetrics } from '../runtime/sampleQuality';
import { escapeHtml, formatNumber, lineChartSvg } from './reportSvg';

export interface ComparedRun {
  /** Where the run was read from, as the user named it. */
  source: string;
  files: RunFiles;
  doc: GraphDocument;
  /** Logged names that are an optimizer's total (its id), not a loss node's term. */
  optimizerTotals: string[];
}

export interface RunSummary {
  name: string;
  source: string;
  colour: string;
  /** The last logged step. */
  steps: number;
  /** Per loss term: the mean over the last FINAL_FRACTION of its logged steps. */
  finalLosses: Record<string, number>;
  /** The step of the latest measurement, null when the run was never measured. */
  measuredAtStep: number | null;
  measurements: Record<string, number>;
  /** What differs from the first run's graph, one line per change; [] for the same graph (and for the first run). */
  diff: string[];
}

export interface CompareTable {
  lossTerms: string[];
  /** A run plays a game (two optimizers, a GAN): its losses do not rank the runs. */
  game: boolean;
  /** Measurement keys some run has, in the order of METRICS. */
  metrics: string[];
  runs: RunSummary[];
}

/** The share of the logged steps whose mean is a run's final loss: one step's value is too noisy to compare. */
export const FINAL_FRACTION = 0.05;

type Better = 'lower' | 'higher' | null;
interface MetricDef {
  key: string;
  label: string;
  better: Better;
  read(m: SampleMetrics): number | undefined;
}

const sample = (key: keyof SampleMetrics, label: string, better: Better): MetricDef => ({
  key,
  label,
  better,
  read: (m) => (typeof m[key] === 'number' ? (m[key] as number) : undefined),
});

/** Every figure a measurement may hold, with which way is better (density has no better side: 1 is the match). */
const METRICS: MetricDef[] = [
  // The keys of `eval --json`.
  { key: 'neg_elbo', label: '−ELBO (nats)', better: 'lower', read: (m) => (m.likelihood?.kind === 'elbo' ? m.likelihood.nats : undefined) },
  { key: 'nll', label: 'NLL (nats)', better: 'lower', read: (m) => (m.likelihood?.kind === 'nll' ? m.likelihood.nats : undefined) },
  { key: 'is_nll', label: 'IS NLL (nats)', better: 'lower', read: (m) => m.likelihood?.importanceSampled?.nats },
  { key: 'bits_per_dim', label: 'bits/dim', better: 'lower', read: (m) => m.likelihood?.bitsPerDim ?? undefined },
  sample('fld', 'FLD', 'lower'),
  sample('precision', 'precision', 'higher'),
  sample('recall', 'recall', 'higher'),
  sample('density', 'density', null),
  sample('coverage', 'coverage', 'higher'),
  sample('ndb', 'NDB (bins)', 'lower'),
  sample('ndb_js', 'NDB JS', 'lower'),
  sample('mnist_score', 'MNIST score', 'higher'),
  sample('confidence', 'confidence', 'higher'),
  sample('class_entropy', 'class entropy', 'higher'),
  sample('cond_accuracy', 'conditioning accuracy', 'higher'),
  sample('grid_kl', 'grid KL', 'lower'),
  sample('grid_js', 'grid JS', 'lower'),
  sample('mmd', 'MMD²', 'lower'),
];

/** Colours for runs that bring none (CLI folders), dark enough to read on white. */
const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc3399', '#6a3d9a', '#8c564b', '#333333', '#a07000'];
/** Lines on white want at least 3:1 contrast (WCAG's figure for graphics). */
const MIN_CONTRAST = 3;

/** The relative luminance of an sRGB colour (WCAG 2). */
function luminance(rgb: number[]): number {
  const [r, g, b] = rgb.map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/**
 * A run's own colour as #rrggbb, darkened until it reads on white (the browser's palette has a light
 * yellow and grey); null for anything but #rgb / #rrggbb, since it goes into an attribute.
 */
export function readableColour(colour: string): string | null {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(colour.trim());
  if (!m) return null;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  let rgb = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  while (1.05 / (luminance(rgb) + 0.05) < MIN_CONTRAST) rgb = rgb.map((c) => Math.floor(c * 0.9));
  return '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
}

function finalLoss(files: RunFiles, term: string): number | undefined {
  const values = files.losses.filter((p) => term in p.losses).map((p) => p.losses[term]!);
  if (values.length === 0) return undefined;
  const last = values.slice(-Math.max(1, Math.ceil(values.length * FINAL_FRACTION)));
  return last.reduce((a, b) => a + b, 0) / last.length;
}

function uniqueNames(runs: ComparedRun[]): string[] {
  const used = new Map<string, number>();
  return runs.map((r) => {
    const base = r.files.manifest.name.trim() || r.source;
    const seen = (used.get(base) ?? 0) + 1;
    used.set(base, seen);
    return seen === 1 ? base : `${base} (${seen})`;
  });
}

function runColours(runs: ComparedRun[]): string[] {
  const used = new Set<string>();
  return runs.map((r) => {
    const own = readableColour(r.files.manifest.colour ?? '');
    const colour = own && !used.has(own) ? own : (PALETTE.find((c) => !used.has(c)) ?? PALETTE[used.size % PALETTE.length]!);
    used.add(colour);
    return colour;
  });
}

/** Whether `a` and `b` are logged with the same value at every step of `files`. */
function sameSeries(files: RunFiles, a: string, b: string): boolean {
  return files.losses.every((p) => p.losses[a] === p.losses[b]);
}

/**
 * The loss names to compare: every logged name, less an optimizer's total that is, in every run,
 * one of its terms under another name (an optimizer trained on a single loss), so no chart comes twice.
 */
function distinctTerms(runs: ComparedRun[]): string[] {
  const logged = [...new Set(runs.flatMap((r) => r.files.losses.flatMap((p) => Object.keys(p.losses))))];
  const copies = (term: string) =>
    runs.every(
      (r) =>
        !r.files.losses.some((p) => term in p.losses) ||
        (r.optimizerTotals.includes(term) &&
          logged.some((other) => other !== term && !r.optimizerTotals.includes(other) && sameSeries(r.files, term, other))),
    );
  return logged.filter((term) => !copies(term));
}

export function compareTable(
  runs: ComparedRun[],
  defaults?: ParamDefaults,
  playsAGame: (doc: GraphDocument) => boolean = () => false,
): CompareTable {
  const lossTerms = distinctTerms(runs);
  const names = uniqueNames(runs);
  const colours = runColours(runs);
  const summaries = runs.map((r, i): RunSummary => {
    const latest = [...r.files.measurements].sort((a, b) => a.step - b.step).pop();
    const measurements: Record<string, number> = {};
    for (const m of METRICS) {
      const v = latest ? m.read(latest.metrics) : undefined;
      if (v !== undefined) measurements[m.key] = v;
    }
    const finalLosses: Record<string, number> = {};
    for (const term of lossTerms) {
      const v = finalLoss(r.files, term);
      if (v !== undefined) finalLosses[term] = v;
    }
    return {
      name: names[i]!,
      source: r.source,
      colour: colours[i]!,
      steps: r.files.losses.reduce((most, p) => Math.max(most, p.step), 0),
      finalLosses,
      measuredAtStep: latest?.step ?? null,
      measurements,
      diff: i === 0 ? [] : describeDiff(diffGraphs(runs[0]!.doc, r.doc, defaults)),
    };
  });
  const metrics = METRICS.filter((m) => summaries.some((s) => m.key in s.measurements)).map((m) => m.key);
  return { lossTerms, game: runs.some((r) => playsAGame(r.doc)), metrics, runs: summaries };
}

/** The best of a row's values: none when fewer than two runs have one, when all are equal, or when the row has no better side. */
function best(values: (number | undefined)[], better: Better): number | undefined {
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (!better || finite.length < 2 || finite.every((v) => v === finite[0])) return undefined;
  return better === 'lower' ? Math.min(...finite) : Math.max(...finite);
}

function cell(v: number | undefined, bestValue: number | undefined): string {
  if (v === undefined) return '<td class="none">–</td>';
  return v === bestValue ? `<td class="best" title="best">★ ${formatNumber(v)}</td>` : `<td>${formatNumber(v)}</td>`;
}

const swatch = (colour: string) => `<span class="swatch" style="background:${escapeHtml(colour)}"></span>`;

/** One row of values, one column per run, the best starred. */
function valueRow(label: string, values: (number | undefined)[], better: Better): string {
  const direction = better ? ` <span class="dir">(${better} is better)</span>` : '';
  const top = best(values, better);
  return `<tr><th scope="row">${escapeHtml(label)}${direction}</th>${values.map((v) => cell(v, top)).join('')}</tr>`;
}

/** Runs are columns and figures rows: a comparison has few runs and many figures. */
function tableHtml(t: CompareTable): string {
  const metricDefs = t.metrics.map((k) => METRICS.find((m) => m.key === k)!);
  const columns = t.runs.length + 1;
  const group = (text: string) => `<tr class="group"><th scope="rowgroup" colspan="${columns}">${text}</th></tr>`;
  const rows = [
    `<tr><th scope="row">steps</th>${t.runs.map((r) => `<td>${r.steps}</td>`).join('')}</tr>`,
    group(`final loss (mean of the last ${FINAL_FRACTION * 100} % of logged steps)`),
    ...t.lossTerms.map((term) =>
      valueRow(
        term,
        t.runs.map((r) => r.finalLosses[term]),
        t.game ? null : 'lower',
      ),
    ),
  ];
  if (metricDefs.length) {
    rows.push(group('measurements'));
    rows.push(`<tr><th scope="row">measured at step</th>${t.runs.map((r) => `<td>${r.measuredAtStep ?? '–'}</td>`).join('')}</tr>`);
    for (const m of metricDefs)
      rows.push(
        valueRow(
          m.label,
          t.runs.map((r) => r.measurements[m.key]),
          m.better,
        ),
      );
  }
  const measuredNote = metricDefs.length
    ? ' Measurements are the latest that <code>latent-lab eval</code> (or the browser’s Metrics view) saved with the run.'
    : ' No run has measurements; run <code>latent-lab eval &lt;run&gt;</code> on each to add FLD, precision and recall here.';
  const head = t.runs.map((r) => `<th scope="col">${swatch(r.colour)}${escapeHtml(r.name)}</th>`).join('');
  return `<table>
<caption>Each loss is the mean of the last ${FINAL_FRACTION * 100} % of its logged steps.</caption>
<thead><tr><th scope="col">run</th>${head}</tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table>
<p class="note">★ marks the best value of a row: lowest for losses, likelihoods and distances, highest for precision, recall, coverage, scores and accuracy. Where a run plays a game of two optimizers (a GAN) no loss is starred: one player's loss falls when the other plays worse, and losses of different kinds (a hinge and a non-saturating GAN loss, say) are on different scales.${measuredNote}</p>`;
}

function chartsHtml(runs: ComparedRun[], t: CompareTable): string {
  return t.lossTerms
    .map((term) => {
      const series = runs.map((r, i) => ({
        name: t.runs[i]!.name,
        colour: t.runs[i]!.colour,
        points: r.files.losses.filter((p) => term in p.losses).map((p) => ({ step: p.step, value: p.losses[term]! })),
      }));
      return `<figure class="chart-box"><figcaption>${escapeHtml(term)}</figcaption>${lineChartSvg(term, series)}</figure>`;
    })
    .join('\n');
}

const PICTURES = [
  { path: 'samples.png', caption: 'samples' },
  { path: 'reconstructions.png', caption: 'reconstructions' },
];

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function picturesHtml(runs: ComparedRun[], t: CompareTable): string {
  return runs
    .map((r, i) => {
      const s = t.runs[i]!;
      const images = PICTURES.flatMap(({ path, caption }) => {
        const picture = r.files.pictures.find((p) => p.path === path);
        if (!picture) return [];
        return [
          `<figure><img src="data:image/png;base64,${base64(picture.png)}" alt="${escapeHtml(`${caption} of ${s.name}`)}"><figcaption>${caption}</figcaption></figure>`,
        ];
      });
      const body = images.length ? images.join('') : '<p class="none">no pictures saved with this run</p>';
      return `<div class="run-pictures"><h3>${swatch(s.colour)}${escapeHtml(s.name)} <span class="dir">step ${s.steps}</span></h3>${body}</div>`;
    })
    .join('\n');
}

function diffHtml(t: CompareTable): string {
  const first = t.runs[0]!;
  return t.runs
    .slice(1)
    .map((r) => {
      const body = r.diff.length ? `<ul>${r.diff.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` : '<p>same graph</p>';
      return `<h3>${swatch(r.colour)}${escapeHtml(r.name)} against ${escapeHtml(first.name)}</h3>${body}`;
    })
    .join('\n');
}

const STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1a1a1a; background: #fff; margin: 24px; max-width: 1400px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 28px 0 8px; } h3 { font-size: 16px; margin: 14px 0 6px; }
.sources { color: #444; margin: 0; } code { font-size: 14px; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 8px 24px; }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; margin-right: 6px; vertical-align: -2px; }
table { border-collapse: collapse; font-size: 14px; }
caption { caption-side: top; text-align: left; color: #444; padding-bottom: 6px; white-space: nowrap; }
.note { color: #444; max-width: 900px; }
th, td { border: 1px solid #bbb; padding: 5px 9px; text-align: right; }
td { white-space: nowrap; }
th[scope=row], thead th { text-align: left; background: #f3f3f3; }
tr.group th { text-align: left; background: #fff; border-left: none; border-right: none; padding-top: 12px; font-size: 14px; }
td.best { font-weight: 700; background: #e6f4ea; }
.none { color: #555; }
.dir { font-weight: 400; color: #555; font-size: 13px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; }
figcaption { font-weight: 600; font-size: 15px; margin-bottom: 2px; }
.chart .grid { stroke: #e2e2e2; } .chart .axis { stroke: #555; }
.chart .tick { font-size: 13px; fill: #333; } .chart .label { font-size: 14px; fill: #222; }
.pictures { display: flex; flex-wrap: wrap; gap: 24px; }
.run-pictures figure { display: inline-block; margin-right: 12px; vertical-align: top; }
.run-pictures img { width: 280px; image-rendering: pixelated; border: 1px solid #ccc; }
.run-pictures figcaption { font-weight: 400; color: #444; font-size: 13px; }
`;

export function reportHtml(runs: ComparedRun[], t: CompareTable): string {
  const legend = t.runs
    .map((r, i) => {
      const m = runs[i]!.files.manifest;
      return `<li>${swatch(r.colour)}<strong>${escapeHtml(r.name)}</strong> — ${escapeHtml(runs[i]!.doc.meta.title)}, seed ${m.seed}, ${r.steps} steps <span class="dir">(${escapeHtml(r.source)})</span></li>`;
    })
    .join('');
  const diffTitle = `Graph differences against ${escapeHtml(t.runs[0]!.name)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Latent Lab: ${t.runs.map((r) => escapeHtml(r.name)).join(' vs ')}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Comparing ${t.runs.length} runs</h1>
<p class="sources">Written by <code>latent-lab compare</code>. Curves are aligned by training step.</p>
<ul class="legend">${legend}</ul>
<h2>Final values</h2>
${tableHtml(t)}
<h2>Loss curves</h2>
<ul class="legend">${t.runs.map((r) => `<li>${swatch(r.colour)}${escapeHtml(r.name)}</li>`).join('')}</ul>
<div class="charts">
${chartsHtml(runs, t)}
</div>
<h2>Samples</h2>
<div class="pictures">
${picturesHtml(runs, t)}
</div>
<h2>${diffTitle}</h2>
${diffHtml(t)}
</body>
</html>
`;
}
