/** A node's output drawn in the form that fits its tensor (see ActivationView in src/runtime/activations.ts). */
import { useEffect, useRef } from 'react';
import type { ActivationView as View, Histogram } from '../../runtime/protocol';
import { classColor, diverging } from './draw';
import { ImageGrid } from './ImageGrid';

const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : v.toFixed(2));

function HistogramBars({ h, label }: { h: Histogram; label: string }) {
  const max = Math.max(1, ...h.counts);
  const w = 100 / h.counts.length;
  return (
    <figure style={{ margin: 0 }}>
      <svg
        viewBox="0 0 100 40"
        width="100%"
        height="70"
        preserveAspectRatio="none"
        role="img"
        aria-label={label}
        data-testid="activation-histogram"
      >
        {h.counts.map((c, i) => (
          <rect
            key={i}
            x={i * w + 0.15}
            width={w - 0.3}
            y={40 - (c / max) * 40}
            height={(c / max) * 40}
            fill="currentColor"
            opacity={0.7}
          />
        ))}
      </svg>
      <figcaption className="hint" style={{ display: 'flex', justifyContent: 'space-between' }}>
        <span>{fmt(h.lo)}</span>
        <span>{label}</span>
        <span>{fmt(h.hi)}</span>
      </figcaption>
    </figure>
  );
}

/** examples × units, blue below zero and red above, one row per example. */
function HeatStrip({ view }: { view: Extract<View, { kind: 'perUnit' }> }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    canvas.width = view.stripUnits;
    canvas.height = view.examples;
    const img = ctx.createImageData(view.stripUnits, view.examples);
    const m = view.absMax || 1;
    view.strip.forEach((v, i) => {
      const [r, g, b] = diverging(v / m);
      img.data.set([r, g, b, 255], i * 4);
    });
    ctx.putImageData(img, 0, 0);
  }, [view]);
  return (
    <canvas
      ref={ref}
      data-testid="activation-strip"
      style={{ width: '100%', height: Math.max(48, view.examples * 8), imageRendering: 'pixelated', display: 'block' }}
      aria-label={`Heat strip: ${view.examples} examples by ${view.stripUnits} units, ±${fmt(view.absMax)}`}
    />
  );
}

function Scatter({ view }: { view: Extract<View, { kind: 'codeScatter' }> }) {
  let lim = 1e-6;
  for (const v of view.points) lim = Math.max(lim, Math.abs(v));
  lim *= 1.1;
  const pts = Array.from({ length: view.examples }, (_, i) => [view.points[2 * i], view.points[2 * i + 1]]);
  return (
    <svg
      viewBox="-1 -1 2 2"
      width="100%"
      height="200"
      role="img"
      aria-label={`Scatter of z1 against z2 for ${view.examples} examples`}
      data-testid="activation-scatter"
    >
      <line x1={-1} x2={1} y1={0} y2={0} stroke="currentColor" strokeWidth={0.005} opacity={0.4} />
      <line y1={-1} y2={1} x1={0} x2={0} stroke="currentColor" strokeWidth={0.005} opacity={0.4} />
      {pts.map(([x, y], i) => (
        <circle key={i} cx={x / lim} cy={-y / lim} r={0.02} fill={classColor(0)} opacity={0.6} />
      ))}
    </svg>
  );
}

export function ActivationView({ view }: { view: View }) {
  switch (view.kind) {
    case 'oneValue':
      return <p className="mono">{view.value.toPrecision(5)}</p>;
    case 'featureMaps':
      return (
        <div data-testid="activation-maps" data-channels={view.shown}>
          <ImageGrid images={view.images} n={view.shown} shape={[view.height, view.width, 1]} cols={8} testId="node-preview" />
          <p className="hint">
            {view.shown === view.channels ? `All ${view.channels}` : `The first ${view.shown} of ${view.channels}`} channels of one example,
            each {view.height}×{view.width} and scaled to its own range (white: its highest value).
          </p>
        </div>
      );
    case 'perUnit':
      return (
        <div data-testid="node-preview">
          <HistogramBars h={view.histogram} label={`all ${view.units} units × ${view.examples} examples`} />
          <HeatStrip view={view} />
          <p className="hint">
            One row per example{view.stripUnits < view.units ? `, the first ${view.stripUnits} of ${view.units} units` : ''}: red above
            zero, blue below.
          </p>
        </div>
      );
    case 'codeScatter':
      return (
        <div data-testid="node-preview">
          <Scatter view={view} />
          <p className="hint">
            z1 against z2 of {view.examples} held-out examples{view.dims > 2 ? ` (the first 2 of ${view.dims} dimensions)` : ''}.
          </p>
          <HistogramBars h={view.histogram} label="every dimension's values" />
        </div>
      );
  }
}
