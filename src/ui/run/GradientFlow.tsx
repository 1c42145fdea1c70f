/**
 * Gradients, backwards through the graph: the gradient flow strip (each
 * trainable layer's gradient norm at the last sampled step, log scale, in graph
 * order) and one node's gradient norm over training. Both read the series the
 * worker sends (GradientSeries in src/store/runClient.ts); no request of their own.
 */
import type { GradientSeries } from '../../store/runClient';
import { seriesText } from './chartText';
import { classColor } from './draw';
import { useRun } from './runStore';

const FLOOR = 1e-8;
const log = (v: number) => Math.log10(Math.max(FLOOR, v));
const fmt = (v: number) => (Number.isFinite(v) ? v.toExponential(1) : '—');

/** The decades the values span, at least one. */
function decades(values: number[]): [number, number] {
  const logs = values.filter((v) => Number.isFinite(v) && v > 0).map(log);
  if (logs.length === 0) return [-4, 1];
  const lo = Math.floor(Math.min(...logs));
  return [lo, Math.max(lo + 1, Math.ceil(Math.max(...logs)))];
}

export function GradientFlow() {
  const series = useRun((s) => s.gradients);
  const info = useRun((s) => s.info);
  if (!series || series.steps.length === 0) return null;
  const last = series.norms[series.norms.length - 1];
  const [lo, hi] = decades(last);
  const optimizers = info?.optimizers ?? [];
  const colorOf = (opt: string) =>
    classColor(
      Math.max(
        0,
        optimizers.findIndex((o) => o.id === opt),
      ),
    );
  return (
    <div className="run-view" data-testid="gradient-flow">
      <h4>
        Gradient flow <span className="muted">step {series.steps[series.steps.length - 1]}, log scale</span>
      </h4>
      <div
        role="list"
        style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr max-content', gap: '2px 8px', alignItems: 'center' }}
      >
        {series.layers.map((layer, i) => {
          const v = last[i];
          const width = Number.isFinite(v) ? ((log(v) - lo) / (hi - lo)) * 100 : 0;
          return (
            <div
              role="listitem"
              key={`${layer.optimizer}:${layer.id}`}
              style={{ display: 'contents' }}
              title={`${layer.id}: ‖∇‖ = ${fmt(v)}`}
            >
              <span className="mono" style={{ fontSize: 12 }}>
                {layer.id}
              </span>
              <span style={{ height: 12, background: 'rgba(127,127,127,0.15)' }}>
                <span style={{ display: 'block', height: '100%', width: `${Math.max(1, width)}%`, background: colorOf(layer.optimizer) }} />
              </span>
              <span className="mono" style={{ fontSize: 12 }}>
                {fmt(v)}
              </span>
            </div>
          );
        })}
      </div>
      <p className="hint">
        ‖∂loss/∂weights‖ of each layer, from 10<sup>{lo}</sup> to 10<sup>{hi}</sup>. Bars that shrink towards the input mean vanishing
        gradients; colour: the optimizer ({optimizers.map((o) => o.label).join(', ')}).
      </p>
    </div>
  );
}

/** A document node's gradient norm at each sampled step: the L2 norm over all its layers' variables. */
export function nodeGradientCurve(series: GradientSeries, docId: string): { steps: number[]; norms: number[] } | null {
  const mine = series.layers.flatMap((l, i) => (l.docId === docId ? [i] : []));
  if (mine.length === 0) return null;
  const norms = series.norms.map((row) => Math.sqrt(mine.reduce((s, i) => s + row[i] * row[i], 0)));
  return { steps: series.steps, norms };
}

export function GradientCurve({ nodeId }: { nodeId: string }) {
  const series = useRun((s) => s.gradients);
  const curve = series ? nodeGradientCurve(series, nodeId) : null;
  if (!curve) return null;
  const [lo, hi] = decades(curve.norms);
  const first = curve.steps[0],
    lastStep = curve.steps[curve.steps.length - 1];
  const x = (step: number) => (lastStep > first ? ((step - first) / (lastStep - first)) * 300 : 300);
  const y = (v: number) => 100 - ((log(v) - lo) / (hi - lo)) * 100;
  const points = curve.steps.map((s, k) => `${x(s).toFixed(1)},${y(curve.norms[k]).toFixed(1)}`).join(' ');
  const now = curve.norms[curve.norms.length - 1];
  return (
    <div className="run-view" data-testid="gradient-curve">
      <h4>
        Gradient norm of {nodeId} <span className="muted">now {fmt(now)}</span>
      </h4>
      <svg
        viewBox="-34 -6 342 124"
        width="100%"
        height="150"
        role="img"
        aria-label={`Gradient norm of ${nodeId} over training, log scale: ${seriesText(curve.norms) ?? 'no value'}`}
      >
        {Array.from({ length: hi - lo + 1 }, (_, k) => lo + k).map((d) => (
          <g key={d}>
            <line x1={0} x2={300} y1={y(10 ** d)} y2={y(10 ** d)} stroke="currentColor" opacity={0.15} strokeWidth={0.5} />
            <text x={-4} y={y(10 ** d) + 3} fontSize={9} textAnchor="end" fill="currentColor">
              1e{d}
            </text>
          </g>
        ))}
        <polyline points={points} fill="none" stroke={classColor(1)} strokeWidth={1.5} />
        <text x={0} y={115} fontSize={9} fill="currentColor">
          step {first}
        </text>
        <text x={300} y={115} fontSize={9} textAnchor="end" fill="currentColor">
          step {lastStep}
        </text>
      </svg>
      <p className="hint">
        ‖∂loss/∂weights‖ over all of this node's variables at each sampled step. A curve falling by decades: its gradients vanish.
      </p>
    </div>
  );
}
