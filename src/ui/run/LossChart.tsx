/** Live loss curves: one line per term, EMA smoothing, log scale. uPlot redraws at most a few times a second. */
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { classColor } from './draw';
import { chartSeries, formatReading, readTerms, sharedUnit } from './lossReadout';
import { runStore, useRun, type Curves } from './runStore';
import { useWidth } from './useWidth';

const STEP_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1e6];

function smooth(values: number[], alpha: number): (number | null)[] {
  const out: (number | null)[] = new Array(values.length);
  let acc: number | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    acc = acc === null || alpha === 0 ? v : alpha * acc + (1 - alpha) * v;
    out[i] = acc;
  }
  return out;
}

function toData(c: Curves, terms: string[], alpha: number): uPlot.AlignedData {
  return [c.steps, ...terms.map((t) => smooth(c.series[t] ?? [], alpha))] as uPlot.AlignedData;
}

/** Over the last points: does the smoothed curve go down, up, or stay? Compares the means of the latest window and the one before. */
export function trendOf(series: readonly number[], window = 20): 'falling' | 'rising' | 'flat' | null {
  const finite = series.filter(Number.isFinite);
  if (finite.length < 4) return null;
  const w = Math.min(window, Math.floor(finite.length / 2));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const now = mean(finite.slice(-w));
  const before = mean(finite.slice(-2 * w, -w));
  const change = (now - before) / Math.max(Math.abs(before), 1e-12);
  return change < -0.01 ? 'falling' : change > 0.01 ? 'rising' : 'flat';
}

/** How often the spoken summary may change: a screen reader reads each change, so not on every metrics message. */
const SUMMARY_EVERY = 25;

export function LossChart() {
  const [box, width] = useWidth<HTMLDivElement>(240, 520);
  const plot = useRef<uPlot | null>(null);
  const [alpha, setAlpha] = useState(0.6);
  const [log, setLog] = useState(true);
  const info = useRun((s) => s.info);
  const seriesKey = useRun((s) => Object.keys(s.curves.series).join('\u0000'));
  const points = useRun((s) => s.curves.steps.length);
  const drawn = useMemo(() => chartSeries(info, seriesKey ? seriesKey.split('\u0000') : []), [seriesKey, info]);
  const terms = useMemo(() => drawn.map((s) => s.key), [drawn]);
  const unit = sharedUnit(drawn);
  const anyNonPositive = useRun((s) => terms.some((t) => (s.curves.series[t] ?? []).some((v) => v <= 0)));
  const curves = useRun((s) => s.curves);
  const readings = useMemo(() => readTerms(curves, terms), [curves, terms]);
  const running = useRun((s) => s.running);
  // While training, every SUMMARY_EVERY points; once paused, the latest.
  const summaryAt = running ? Math.floor(points / SUMMARY_EVERY) : -points;
  // The chart's text alternative, e.g. "KL to prior 24.8 nats, falling".
  const summary = useMemo(
    () =>
      readTerms(runStore.getState().curves, terms)
        .map((r, i) => {
          if (r.value === null) return null;
          const trend = trendOf(runStore.getState().curves.series[r.term] ?? []);
          return `${drawn[i].label} ${formatReading(r.value)}${drawn[i].unit ? ` ${drawn[i].unit}` : ''}${trend ? `, ${trend}` : ''}`;
        })
        .filter(Boolean)
        .join('; '),
    [summaryAt, terms, drawn], // eslint-disable-line react-hooks/exhaustive-deps -- summaryAt stands for the curves, read fresh inside
  );

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width,
      height: 200,
      // The readout below names each curve with its colour and latest value.
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, y: log ? { distr: anyNonPositive ? 4 : 3 } : {} },
      // Steps are whole numbers: no 0.2-step ticks on a short curve.
      // The y axis names the unit when every curve shares one; otherwise the readout names each curve's.
      axes: [
        { label: 'step', size: 30, labelSize: 14, incrs: STEP_TICKS },
        { size: 52, ...(unit ? { label: unit, labelSize: 16 } : {}) },
      ],
      series: [{ label: 'step' }, ...drawn.map((s, i) => ({ label: s.label, stroke: classColor(i), width: 1.5, spanGaps: true }))],
    };
    const u = new uPlot(opts, toData(runStore.getState().curves, terms, alpha), el);
    plot.current = u;
    return () => {
      u.destroy();
      plot.current = null;
    };
  }, [drawn, log, anyNonPositive, width]); // eslint-disable-line react-hooks/exhaustive-deps -- alpha only changes the data, which the effect below redraws; the plot is rebuilt only when its layout changes

  // New points: redraw on the next frame, at most every 250 ms, never per message.
  useEffect(() => {
    let last = 0;
    let raf = 0;
    let pending = true;
    const draw = () => {
      raf = 0;
      const now = performance.now();
      if (now - last < 250) {
        raf = requestAnimationFrame(draw);
        return;
      }
      last = now;
      pending = false;
      plot.current?.setData(toData(runStore.getState().curves, terms, alpha));
    };
    const unsub = runStore.subscribe((s, prev) => {
      if (s.curves.version === prev.curves.version) return;
      pending = true;
      if (!raf) raf = requestAnimationFrame(draw);
    });
    if (pending) raf = requestAnimationFrame(draw);
    return () => {
      unsub();
      if (raf) cancelAnimationFrame(raf);
    };
  }, [terms, alpha, log, anyNonPositive, width]);

  return (
    <div className="run-view wide loss-chart">
      <h4>
        Loss
        <span className="muted" data-testid="loss-points" data-points={points}>
          {points} points
        </span>
        <span className="spacer" />
        <label title="exponential moving average">
          smooth
          <input
            type="range"
            min={0}
            max={0.98}
            step={0.02}
            value={alpha}
            onChange={(e) => setAlpha(Number(e.target.value))}
            style={{ width: 70 }}
          />
        </label>
        <label>
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> log
        </label>
      </h4>
      <div ref={box} data-testid="loss-chart" role="img" aria-label={`Loss curves over training steps. ${summary || 'No values yet.'}`} />
      <p className="visually-hidden" aria-live="polite" data-testid="loss-summary">
        {summary}
      </p>
      <ul className="loss-readout" data-testid="loss-readout" aria-label="latest loss values">
        {readings.map((r, i) => (
          <li key={r.term} className={r.exploding ? 'exploding' : undefined} title={drawn[i].about ?? undefined}>
            <span className="swatch" style={{ background: classColor(i) }} />
            {drawn[i].label} <strong>{r.value === null ? '—' : formatReading(r.value)}</strong>
            {!unit && drawn[i].unit && <span className="muted"> {drawn[i].unit}</span>}
            {r.exploding && <span className="warn"> blowing up: lower the learning rate</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
