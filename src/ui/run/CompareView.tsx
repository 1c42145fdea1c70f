/**
 * Two or more runs side by side: one chart per loss term with a line per run
 * in the run's colour (by step, or by training time), their sample grids at
 * one step chosen with a single slider, the metric table with the best value
 * of each column marked, and what changed between their graphs (also marked
 * on the canvas while this view is open).
 */
import { useEffect, useMemo, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { describeDiff, diffGraphs, isEmptyDiff } from '../../graph/diff';
import { playsAGame } from '../../graph/nodeApi';
import { registry } from '../../../nodes/index';
import {
  compareTerms,
  measuredOverTime,
  measurementCurves,
  metricTable,
  overlay,
  thumbnailAt,
  thumbnailImages,
  type RunRecord,
  type Thumbnail,
} from '../../store/runHistory';
import { seriesText } from './chartText';
import { formatReading } from './lossReadout';
import { ImageGrid } from './ImageGrid';
import { runHistory, useHistoryStore } from './historyStore';
import { useWidth } from './useWidth';
import './compare.css';

type Axis = 'step' | 'time';

const paramDefault = (type: string, param: string) => registry[type]?.params?.[param]?.default;

function TermChart(props: { term: { key: string; label: string }; runs: RunRecord[]; axis: Axis; log: boolean; measured?: boolean }) {
  const [box, width] = useWidth<HTMLDivElement>(240, 420);
  const { term, runs, axis, log, measured } = props;
  const data = useMemo(
    () => overlay(measured ? runs.map((r) => ({ curves: measurementCurves(r), time: r.time })) : runs, term.key, axis),
    [runs, term.key, axis, measured],
  );
  const positive = useMemo(() => data.ys.every((ys) => ys.every((v) => v === null || v > 0)), [data]);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const u = new uPlot(
      {
        width,
        height: 170,
        legend: { show: false },
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: false }, y: log ? { distr: positive ? 3 : 4 } : {} },
        axes: [
          {
            label: axis === 'step' ? 'step' : 'training time (s)',
            size: 30,
            labelSize: 16,
            font: '12px sans-serif',
            labelFont: '13px sans-serif',
          },
          { size: 56, font: '12px sans-serif' },
        ],
        series: [{ label: axis }, ...runs.map((r) => ({ label: r.name, stroke: r.colour, width: 2, spanGaps: true }))],
      },
      [data.x, ...data.ys] as uPlot.AlignedData,
      el,
    );
    return () => u.destroy();
  }, [data, runs, width, log, positive, axis, box]);
  return (
    <figure className="compare-chart" data-testid="compare-chart" data-term={term.key} data-series={runs.length}>
      <figcaption title={term.key}>{term.label}</figcaption>
      <div
        ref={box}
        role="img"
        aria-label={`${term.label} by ${axis === 'step' ? 'step' : 'training time'}: ${runs.map((r, i) => `${r.name} ${seriesText(data.ys[i]) ?? 'no value'}`).join('; ')}`}
      />
    </figure>
  );
}

function Samples({ runs, thumbs }: { runs: RunRecord[]; thumbs: Record<string, Thumbnail[]> }) {
  const lastStep = Math.max(0, ...runs.map((r) => thumbs[r.id]?.at(-1)?.step ?? 0));
  const [step, setStep] = useState<number | null>(null);
  const at = step ?? lastStep;
  const steps = useMemo(
    () => [...new Set(runs.flatMap((r) => (thumbs[r.id] ?? []).map((t) => t.step)))].sort((a, b) => a - b),
    [runs, thumbs],
  );
  if (steps.length === 0)
    return <p className="muted">These runs kept no sample grids (image models keep one at each checkpoint and pause).</p>;
  return (
    <section className="compare-samples" aria-label="Samples at one step">
      <label className="compare-slider">
        Samples at step <strong data-testid="compare-step">{at}</strong>
        <input
          type="range"
          min={0}
          max={lastStep}
          step={1}
          value={at}
          list="compare-steps"
          aria-label="Step of the sample grids"
          data-testid="compare-slider"
          onChange={(e) => setStep(Number(e.target.value))}
        />
        <datalist id="compare-steps">
          {steps.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </label>
      <div className="compare-grids">
        {runs.map((r) => {
          const t = thumbnailAt(thumbs[r.id] ?? [], at);
          return (
            <figure key={r.id} className="compare-grid" data-testid="compare-grid" style={{ borderColor: r.colour }}>
              <figcaption>
                <span className="swatch" style={{ background: r.colour }} aria-hidden /> {r.name}
                <span className="muted"> {t ? `step ${t.step}` : 'no samples yet'}</span>
              </figcaption>
              {t && <GridOf t={t} />}
            </figure>
          );
        })}
      </div>
    </section>
  );
}

function GridOf({ t }: { t: Thumbnail }) {
  const images = useMemo(() => thumbnailImages(t), [t]);
  const cols = t.n === 1 ? 1 : Math.ceil(Math.sqrt(t.n));
  return <ImageGrid images={images} n={t.n} shape={t.shape} cols={cols} testId="compare-grid-canvas" />;
}

function MetricTableView({ runs }: { runs: RunRecord[] }) {
  const table = useMemo(() => metricTable(runs, (doc) => playsAGame(doc, registry)), [runs]);
  const game = table.columns.some((c) => c.better === null);
  return (
    <div className="compare-table-wrap">
      <table className="compare-table" data-testid="compare-table">
        <caption>
          Final loss of each term and the latest measurement; <span className="best-mark">★</span> marks the best of each column
          {game && ' (not the losses: in a game of two optimizers one player’s loss falls when the other plays worse)'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">step</th>
            {table.columns.map((c) => (
              <th
                scope="col"
                key={c.id}
                title={c.better ? `${c.label}: ${c.better} is better` : `${c.label}: lower is not better in a game`}
              >
                {c.label}
                {c.better && <span className="muted"> ({c.better === 'lower' ? '↓' : '↑'})</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, i) => (
            <tr key={row.runId}>
              <th scope="row">
                <span className="swatch" style={{ background: runs[i].colour }} aria-hidden /> {runs[i].name}
              </th>
              <td>{row.step}</td>
              {row.values.map((v, j) => {
                const best = table.best[j].includes(row.runId);
                return (
                  <td key={table.columns[j].id} className={best ? 'best' : undefined} data-best={best || undefined}>
                    {v === null ? '–' : formatReading(v)}
                    {best && (
                      <span className="best-mark" aria-label="best">
                        {' '}
                        ★
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Diffs({ runs }: { runs: RunRecord[] }) {
  const base = runs[0];
  const diffs = useMemo(() => runs.slice(1).map((r) => ({ run: r, diff: diffGraphs(base.doc, r.doc, paramDefault) })), [runs, base]);
  // Mark on the canvas what the other runs' graphs changed or added, while this view is open.
  useEffect(() => {
    const ids = new Set<string>();
    for (const { diff } of diffs) {
      for (const c of diff.changedParams) ids.add(c.nodeId);
      for (const n of diff.addedNodes) ids.add(n.id);
    }
    runHistory.setHighlight([...ids]);
    return () => runHistory.setHighlight([]);
  }, [diffs]);
  return (
    <section className="compare-diff" aria-label="What changed between the graphs" data-testid="compare-diff">
      <h5>What changed between the graphs</h5>
      {diffs.map(({ run, diff }) => (
        <div key={run.id}>
          <p>
            <strong>{run.name}</strong> against <strong>{base.name}</strong>
            {isEmptyDiff(diff) ? ': the same graph.' : ':'}
          </p>
          {!isEmptyDiff(diff) && (
            <ul data-testid="compare-diff-lines">
              {describeDiff(diff).map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ul>
          )}
        </div>
      ))}
      <p className="muted">Nodes that changed are outlined on the canvas while this comparison is open.</p>
    </section>
  );
}

export function CompareView() {
  const all = useHistoryStore((s) => s.runs);
  const selected = useHistoryStore((s) => s.selected);
  // Oldest first: the first run is the baseline the others' graphs are diffed against.
  const runs = useMemo(() => all.filter((r) => selected.includes(r.id)), [all, selected]);
  const [axis, setAxis] = useState<Axis>('step');
  const [log, setLog] = useState(false);
  const [thumbs, setThumbs] = useState<Record<string, Thumbnail[]>>({});
  const ids = runs.map((r) => `${r.id}:${r.thumbnailCount}:${r.step}`).join(',');
  useEffect(() => {
    let live = true;
    void Promise.all(runs.map(async (r) => [r.id, await runHistory.thumbnails(r.id)] as const)).then((pairs) => {
      if (live) setThumbs(Object.fromEntries(pairs));
    });
    return () => {
      live = false;
    };
  }, [ids]); // eslint-disable-line react-hooks/exhaustive-deps -- ids names the runs and their thumbnails' version
  const terms = useMemo(() => compareTerms(runs), [runs]);
  const measured = useMemo(() => measuredOverTime(runs), [runs]);
  const hasTime = runs.every((r) => r.time.length > 0);

  return (
    <div className="compare-view" data-testid="compare-view">
      <div className="history-row">
        <button onClick={() => runHistory.show('history')} data-testid="compare-back">
          ← Back to runs
        </button>
        <h4>Comparing {runs.length} runs</h4>
        <ul className="compare-legend" aria-label="Runs">
          {runs.map((r) => (
            <li key={r.id}>
              <span className="swatch" style={{ background: r.colour }} aria-hidden /> {r.name}
            </li>
          ))}
        </ul>
        <span className="spacer" />
        <label>
          x axis{' '}
          <select value={axis} onChange={(e) => setAxis(e.target.value as Axis)} aria-label="x axis of the charts">
            <option value="step">step</option>
            <option value="time" disabled={!hasTime}>
              training time
            </option>
          </select>
        </label>
        <label>
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> log scale
        </label>
      </div>
      {runs.length < 2 ? (
        <p className="muted">Tick two or more runs in the list to compare them.</p>
      ) : (
        <>
          <div className="compare-charts">
            {terms.map((t) => (
              <TermChart key={t.key} term={t} runs={runs} axis={axis} log={log} />
            ))}
            {measured.map((c) => (
              <TermChart
                key={`measured:${c.id}`}
                term={{ key: c.id, label: `${c.label} (measured, ${c.better} is better)` }}
                runs={runs}
                axis={axis}
                log={log}
                measured
              />
            ))}
          </div>
          <Samples runs={runs} thumbs={thumbs} />
          <MetricTableView runs={runs} />
          <Diffs runs={runs} />
        </>
      )}
    </div>
  );
}
