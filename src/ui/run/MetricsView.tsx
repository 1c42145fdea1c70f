/**
 * The Metrics view: on demand, the worker judges n samples against real data
 * (Fréchet distance in the embedded classifier's features, precision/recall,
 * NDB, the class histogram; grid KL/JS and MMD for 2-D points). Every value
 * stands beside its floor, the same metric between two sets of real data, and
 * the headline metric is charted over the steps measured so far.
 */
import { useEffect, useMemo, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SampleMetrics } from '../../runtime/protocol';
import { seriesText } from './chartText';
import { classColor } from './draw';
import { LikelihoodTable } from './LikelihoodTable';
import { measuring, run, useRun, type Measurement } from './runStore';
import { useWidth } from './useWidth';

/** The worker refuses more (src/runtime/metricsRequests.ts). */
const MAX_N = 10_000;
const MAX_K = 1_000;

interface Row {
  name: string;
  /** the chart's axis label, where the name is too long for it */
  short?: string;
  value: (m: SampleMetrics) => number | undefined;
  floor: (m: SampleMetrics) => number | undefined;
  digits: number;
  better: 'lower' | 'higher' | 'closer to the floor';
  meaning: string;
}

/** The metrics in the CLI's order and words (src/cli/evaluate.ts formatSamples); a row shows only where its value exists. */
const ROWS: (Row & { id: string })[] = [
  {
    id: 'fld',
    name: 'Fréchet LeNet distance',
    short: 'FLD',
    value: (m) => m.fld,
    floor: (m) => m.fld_floor,
    digits: 2,
    better: 'lower',
    meaning: 'distance between Gaussian fits of the classifier’s features',
  },
  {
    id: 'precision',
    name: 'precision',
    value: (m) => m.precision,
    floor: (m) => m.precision_floor,
    digits: 3,
    better: 'higher',
    meaning: 'share of samples inside the real data’s k-NN balls (k = 3): do samples look real?',
  },
  {
    id: 'recall',
    name: 'recall',
    value: (m) => m.recall,
    floor: (m) => m.recall_floor,
    digits: 3,
    better: 'higher',
    meaning: 'share of real examples inside the samples’ k-NN balls: is all the data covered?',
  },
  {
    id: 'density',
    name: 'density',
    value: (m) => m.density,
    floor: (m) => m.density_floor,
    digits: 3,
    better: 'closer to the floor',
    meaning: 'like precision, counting how many real balls hold each sample',
  },
  {
    id: 'coverage',
    name: 'coverage',
    value: (m) => m.coverage,
    floor: (m) => m.coverage_floor,
    digits: 3,
    better: 'higher',
    meaning: 'share of real examples with a sample inside their ball',
  },
  {
    id: 'ndb',
    name: 'NDB (of 100 bins)',
    value: (m) => m.ndb,
    floor: (m) => m.ndb_floor,
    digits: 0,
    better: 'lower',
    meaning: 'pixel-space bins where samples and data differ significantly',
  },
  {
    id: 'ndb_js',
    name: 'NDB JS',
    value: (m) => m.ndb_js,
    floor: (m) => m.ndb_js_floor,
    digits: 4,
    better: 'lower',
    meaning: 'Jensen–Shannon divergence of the bin histograms, nats',
  },
  {
    id: 'mnist_score',
    name: 'MNIST score',
    value: (m) => m.mnist_score,
    floor: (m) => m.mnist_score_floor,
    digits: 2,
    better: 'higher',
    meaning: 'exp E[KL(p(y|x) ‖ p(y))]: confident and varied digits; 10 at most',
  },
  {
    id: 'confidence',
    name: 'confidence',
    value: (m) => m.confidence,
    floor: (m) => m.confidence_floor,
    digits: 3,
    better: 'higher',
    meaning: 'the classifier’s mean max-probability: how sure it is which digit each sample is (0.8: recognisable)',
  },
  {
    id: 'class_entropy',
    name: 'class entropy',
    value: (m) => m.class_entropy,
    floor: (m) => m.class_entropy_floor,
    digits: 3,
    better: 'higher',
    meaning: 'of the classifier’s labels for the samples, as a fraction of ln 10 (1 = all equally often)',
  },
  {
    id: 'cond_accuracy',
    name: 'conditioning accuracy',
    value: (m) => m.cond_accuracy,
    floor: (m) => m.cond_accuracy_floor,
    digits: 3,
    better: 'higher',
    meaning: 'the classifier agrees with the class asked for',
  },
  {
    id: 'grid_kl',
    name: 'grid KL',
    value: (m) => m.grid_kl,
    floor: (m) => m.grid_kl_floor,
    digits: 4,
    better: 'lower',
    meaning: 'KL(real ‖ generated) on a 20×20 grid, nats',
  },
  {
    id: 'grid_js',
    name: 'grid JS',
    value: (m) => m.grid_js,
    floor: (m) => m.grid_js_floor,
    digits: 4,
    better: 'lower',
    meaning: 'Jensen–Shannon divergence on the same grid, nats',
  },
  {
    id: 'mmd',
    name: 'MMD²',
    value: (m) => m.mmd,
    floor: (m) => m.mmd_floor,
    digits: 5,
    better: 'lower',
    meaning: 'RBF kernel, median-heuristic bandwidth, unbiased',
  },
];

const fmt = (v: number | undefined, digits: number) => (v === undefined ? '–' : Number.isFinite(v) ? v.toFixed(digits) : String(v));

/** The metric charted over steps: FLD for images, grid JS for 2-D points. */
function headline(history: Measurement[]): Row | null {
  const last = history.at(-1)?.metrics;
  return ROWS.find((r) => (r.id === 'fld' || r.id === 'grid_js') && last && r.value(last) !== undefined) ?? null;
}

function MetricsTable({ m }: { m: SampleMetrics }) {
  return (
    <table className="metrics-table" data-testid="metrics-table">
      <thead>
        <tr>
          <th>metric</th>
          <th title="the samples against real data">samples</th>
          <th title="the same metric between two sets of real data: what a perfect generator would score">floor</th>
          <th>better</th>
        </tr>
      </thead>
      <tbody>
        {ROWS.filter((r) => r.value(m) !== undefined).map((r) => (
          <tr key={r.id}>
            <th scope="row">
              {r.name}
              <div className="meaning">{r.meaning}</div>
            </th>
            <td className="num" data-testid={`metric-${r.id}`}>
              {fmt(r.value(m), r.digits)}
            </td>
            <td className="num floor" data-testid={`metric-${r.id}-floor`}>
              {fmt(r.floor(m), r.digits)}
            </td>
            <td className="better">{r.better}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** How often the classifier saw each digit in the samples; missing ones are marked. */
function ClassBars({ counts, missing }: { counts: number[]; missing: number[] }) {
  const max = Math.max(1, ...counts);
  return (
    <div className="class-bars" data-testid="class-bars" aria-label="class histogram of the samples">
      {counts.map((c, i) => (
        <div key={i} className={missing.includes(i) ? 'missing' : undefined} title={`digit ${i}: ${c} samples`}>
          <span className="n">{c}</span>
          <span className="bar" style={{ height: `${(c / max) * 100}%` }} />
          <span className="label">{i}</span>
        </div>
      ))}
    </div>
  );
}

function HistoryChart({ history, row }: { history: Measurement[]; row: Row }) {
  const [box, width] = useWidth<HTMLDivElement>(200, 300);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const data: uPlot.AlignedData = [
      history.map((h) => h.step),
      history.map((h) => row.value(h.metrics) ?? null),
      history.map((h) => row.floor(h.metrics) ?? null),
    ];
    const u = new uPlot(
      {
        width,
        height: 150,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, y: { range: (_u, lo, hi) => [Math.min(0, lo), hi * 1.1 || 1] } },
        axes: [
          { label: 'step', size: 34, labelSize: 14 },
          { size: 48, label: row.short ?? row.name, labelSize: 16 },
        ],
        // Points as well as lines: the first measurement is a single point.
        series: [
          { label: 'step' },
          { label: 'samples', stroke: classColor(0), width: 2, points: { show: true, size: 6 }, spanGaps: true },
          { label: 'floor', stroke: classColor(2), width: 1.5, dash: [5, 4], points: { show: true, size: 5 }, spanGaps: true },
        ],
      },
      data,
      el,
    );
    return () => u.destroy();
  }, [box, history, row, width]);
  return (
    <div className="metrics-chart">
      <div
        ref={box}
        data-testid="metrics-chart"
        role="img"
        aria-label={`${row.name} of the samples at ${history.length} measured step${history.length === 1 ? '' : 's'}: ${seriesText(history.map((h) => row.value(h.metrics))) ?? 'no value'}; its floor ${seriesText(history.map((h) => row.floor(h.metrics))) ?? 'not measured'}`}
      />
      <p className="chart-key">
        <span className="swatch" style={{ background: classColor(0) }} /> {row.name} of the samples
        <span className="swatch dashed" style={{ borderColor: classColor(2) }} /> its floor (real vs real)
      </p>
    </div>
  );
}

const wholeIn = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;

/** A whole-number field of the view's header, marked while its text is not a whole number in [min, max]. */
function CountField(props: {
  name: string;
  title: string;
  min: number;
  max: number;
  step: number;
  text: string;
  onChange: (text: string) => void;
  testId: string;
}) {
  return (
    <label title={props.title}>
      {props.name}
      <input
        type="number"
        min={props.min}
        max={props.max}
        step={props.step}
        value={props.text}
        className={wholeIn(Number(props.text), props.min, props.max) ? '' : 'invalid'}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.testId}
      />
    </label>
  );
}

export function MetricsView() {
  const info = useRun((s) => s.info);
  const progress = useRun(measuring);
  const latest = useRun((s) => s.measure.latest);
  const history = useRun((s) => s.measure.history);
  const [text, setText] = useState('1000');
  const [kText, setKText] = useState('50');
  const n = Number(text);
  const k = Number(kText);
  const importance = !!info?.elbo;
  const validN = wholeIn(n, 1, MAX_N);
  const validK = !importance || wholeIn(k, 0, MAX_K);
  const valid = validN && validK;
  const chartRow = useMemo(() => headline(history), [history]);
  if (!info?.modes.generate) return null;
  const m = latest?.metrics ?? null;
  const missing = m?.missing_classes;
  return (
    <div className="run-view wide metrics-view" data-testid="metrics-view">
      <h4>
        {info.modes.likelihood ? 'Likelihood and sample quality' : 'Sample quality'}
        {latest && (
          <span className="muted" data-testid="metrics-when">
            step {latest.step}
            {m ? ` · ${m.n} samples` : ''} · {(latest.ms / 1000).toFixed(1)} s{latest.backend ? ` on ${latest.backend}` : ''}
          </span>
        )}
        <span className="spacer" />
        <CountField
          name="n"
          title={`samples to draw, and real examples in each reference set (1 to ${MAX_N})`}
          min={1}
          max={MAX_N}
          step={100}
          text={text}
          onChange={setText}
          testId="metrics-n"
        />
        {importance && (
          <CountField
            name="K"
            title={`posterior samples per example for the importance-sampled NLL (0 = the ELBO only, at most ${MAX_K})`}
            min={0}
            max={MAX_K}
            step={10}
            text={kText}
            onChange={setKText}
            testId="metrics-k"
          />
        )}
        <button
          className="primary"
          onClick={() => run.measureSamples(n, importance ? k : 0)}
          disabled={!valid || !!progress}
          data-testid="metrics-measure"
        >
          Measure
        </button>
      </h4>
      {progress && (
        <div className="measure-progress" data-testid="metrics-progress">
          <progress value={progress.done} max={progress.of} />
          <span>
            {progress.what} ({progress.done}/{progress.of}) · {progress.n} samples; training waits
          </span>
        </div>
      )}
      {!latest && !progress && (
        <p className="hint">
          Measure draws n samples and compares them with n real examples in the eyes of a frozen digit classifier
          {info.modes.likelihood ? ', and scores n test examples by the model’s likelihood' : ''}. Training pauses while it runs
          {info.modes.autoregressive ? '; pixel-by-pixel sampling is slow, so start with n = 100' : ''}.
        </p>
      )}
      {latest?.unavailable && (
        <p className="hint" data-testid="metrics-unavailable">
          Not available: {latest.unavailable}.
        </p>
      )}
      {m?.likelihood && <LikelihoodTable r={m.likelihood} />}
      {m?.unavailable && (
        <p className="hint" data-testid="metrics-unavailable">
          No sample metrics: {m.unavailable}.
        </p>
      )}
      {m && !m.unavailable && (
        <>
          <p className="hint floor-note">
            <strong>floor</strong> = the same metric between two sets of real data ({m.floorFrom}): what a perfect generator would score.
            The closer a value is to its floor, the better. Samples were compared with {m.reference}.
          </p>
          {missing && (
            <p className={`collapse-flag${missing.length ? ' on' : ''}`} data-testid="mode-collapse">
              {missing.length
                ? `Missing classes: ${missing.join(', ')} — under 1 % of samples look like ${missing.length === 1 ? 'this digit' : 'these digits'}: mode collapse.`
                : 'No class is missing from the samples.'}
            </p>
          )}
          <div className="metrics-body">
            <MetricsTable m={m} />
            <div className="metrics-side">
              {m.class_counts && (
                <>
                  <div className="side-title">digits the classifier sees in the samples</div>
                  <ClassBars counts={m.class_counts} missing={missing ?? []} />
                </>
              )}
              {chartRow && (
                <>
                  <div className="side-title">
                    {chartRow.name} over {history.length} measurement{history.length === 1 ? '' : 's'}
                  </div>
                  <HistoryChart history={history} row={chartRow} />
                </>
              )}
            </div>
          </div>
        </>
      )}
    </div>
  );
}
