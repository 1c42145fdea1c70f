/**
 * GAN Lab's 2-D playground for any graph whose data are 2-D points: layered
 * view (real and generated points, the critic's map, the generator's manifold,
 * the generator loss's push on each sample), one-player steps, slow motion,
 * the grid KL/JS curve, data chosen or drawn by hand, and for a VAE with a 2-D
 * latent its posterior over the data. The worker computes every layer
 * (src/runtime/playground.ts); this file only draws and edits the document.
 */
import { useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import uPlot from 'uplot';
import type { GraphNode } from '../../graph/document';
import type { AnyNodeDef } from '../../graph/nodeApi';
import type { ChoiceParam } from '../../graph/params';
import { DRAWN_MAX_POINTS, formatDrawnPoints, parseDrawnPoints, type Point2 } from '../../data/drawn';
import type { FromWorkerOf, ModelInfo } from '../../runtime/protocol';
import { editorStore, useEditor } from '../../store';
import { classColor } from './draw';
import { FamiliesLesson } from './FamiliesLesson';
import { seriesText } from './chartText';
import { run, useRun, type RunState } from './runStore';
import { useWidth } from './useWidth';

type Layers = FromWorkerOf<'points2d'>;
type Bounds = Layers['bounds'];
type LayerKey = 'real' | 'fake' | 'heatmap' | 'manifold' | 'arrows';

export const COLORS = {
  real: '#1b7837',
  fake: '#762a83',
  arrow: '#d95f02',
  manifold: 'rgba(30, 40, 90, 0.55)',
  axis: '#4b5563',
  grid: 'rgba(0, 0, 0, 0.07)',
};
/** The critic's map, from "fake" to "real": pale ends, so dark points stay visible on either. */
const MAP_FAKE: [number, number, number] = [222, 203, 228];
const MAP_MID: [number, number, number] = [247, 247, 247];
const MAP_REAL: [number, number, number] = [199, 233, 192];
/** The 95th-percentile arrow is drawn this fraction of the frame's width long. */
const ARROW_FRACTION = 0.07;
/** At most this many arrows are drawn (on every k-th point): hundreds would hide the points they start from. */
const MAX_ARROWS = 120;
const arrowStride = (n: number) => Math.max(1, Math.ceil(n / MAX_ARROWS));
/** Slow motion's slider: 0 (full speed) to this many ms per round (the worker allows more). */
const SLIDER_MAX_MS = 500;
/** Where drawing starts when there is no frame yet. */
const DEFAULT_FRAME: Bounds = [-3, 3, -3, 3];
/** A drag adds a point every this many pixels, scattered by up to SPRAY_PX, so a stroke is a little cloud. */
const STROKE_SPACING_PX = 7;
const SPRAY_PX = 5;
/** Fewer real points than this make the 20×20 grid measure coarse, and the readout says so. */
const SMALL_REFERENCE = 200;
const MARGIN = { left: 36, bottom: 24, top: 6, right: 6 };

/** A flow's density, from 0 (white) to the plane's highest density: one hue, since density has no "fake" side. */
const DENSITY_HIGH: [number, number, number] = [107, 174, 214];
function densityColor(t: number): string {
  const u = Math.max(0, Math.min(1, t));
  return `rgb(${DENSITY_HIGH.map((v) => Math.round(255 + (v - 255) * u)).join(',')})`;
}

function mapColor(t: number): string {
  const u = Math.max(0, Math.min(1, t));
  const [a, b, w] = u < 0.5 ? [MAP_FAKE, MAP_MID, u * 2] : [MAP_MID, MAP_REAL, (u - 0.5) * 2];
  return `rgb(${a.map((v, i) => Math.round(v + (b[i] - v) * w)).join(',')})`;
}

/** Round tick values, about `count` of them, across [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.abs(v) < step / 1e6 ? 0 : v);
  return out;
}

const fmt = (v: number) => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : Number(v.toPrecision(2)).toString());

/** Data ↔ canvas pixels for a square plot area inside the margins. */
export function projection(bounds: Bounds, size: number) {
  const w = size - MARGIN.left - MARGIN.right;
  const h = size - MARGIN.top - MARGIN.bottom;
  return {
    w,
    h,
    px: (x: number) => MARGIN.left + ((x - bounds[0]) / (bounds[1] - bounds[0])) * w,
    py: (y: number) => MARGIN.top + h - ((y - bounds[2]) / (bounds[3] - bounds[2])) * h,
    fromPx: (cx: number, cy: number): Point2 => [
      bounds[0] + ((cx - MARGIN.left) / w) * (bounds[1] - bounds[0]),
      bounds[2] + ((MARGIN.top + h - cy) / h) * (bounds[3] - bounds[2]),
    ],
  };
}

export function setupCanvas(c: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; size: number } | null {
  const size = Math.max(200, Math.floor(c.clientWidth));
  const dpr = window.devicePixelRatio || 1;
  c.width = size * dpr;
  c.height = size * dpr;
  const ctx = c.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, size };
}

export function drawAxes(ctx: CanvasRenderingContext2D, bounds: Bounds, size: number) {
  const p = projection(bounds, size);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = COLORS.axis;
  ctx.strokeStyle = COLORS.grid;
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of ticks(bounds[0], bounds[1])) {
    const x = p.px(v);
    ctx.beginPath();
    ctx.moveTo(x, MARGIN.top);
    ctx.lineTo(x, MARGIN.top + p.h);
    ctx.stroke();
    ctx.fillText(fmt(v), x, MARGIN.top + p.h + 5);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of ticks(bounds[2], bounds[3])) {
    const y = p.py(v);
    ctx.beginPath();
    ctx.moveTo(MARGIN.left, y);
    ctx.lineTo(MARGIN.left + p.w, y);
    ctx.stroke();
    ctx.fillText(fmt(v), MARGIN.left - 5, y);
  }
  ctx.strokeStyle = COLORS.axis;
  ctx.strokeRect(MARGIN.left, MARGIN.top, p.w, p.h);
}

export function dots(ctx: CanvasRenderingContext2D, xy: Float32Array | Point2[], bounds: Bounds, size: number, color: string, r = 2.6) {
  const p = projection(bounds, size);
  ctx.fillStyle = color;
  ctx.strokeStyle = 'rgba(255,255,255,0.8)';
  ctx.lineWidth = 0.8;
  const n = Array.isArray(xy) ? xy.length : xy.length / 2;
  for (let i = 0; i < n; i++) {
    const [x, y] = Array.isArray(xy) ? xy[i] : [xy[2 * i], xy[2 * i + 1]];
    ctx.beginPath();
    ctx.arc(p.px(x), p.py(y), r, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}

/** The arrows' drawing scale: the 95th-percentile gradient is drawn ARROW_FRACTION of the frame long. */
export function arrowScale(vectors: Float32Array, frameWidth: number): number {
  const lengths = Array.from({ length: vectors.length / 2 }, (_, i) => Math.hypot(vectors[2 * i], vectors[2 * i + 1])).sort(
    (a, b) => a - b,
  );
  const typical = lengths[Math.floor(lengths.length * 0.95)] ?? 0;
  return typical > 0 ? (ARROW_FRACTION * frameWidth) / typical : 0;
}

/** The manifold's points to draw: for a flow, its grid at the chosen stage of undoing the layers; else the one grid. */
function manifoldPoints(m: NonNullable<Layers['manifold']>, stage: number): Float32Array {
  return m.stages?.points[Math.min(stage, m.stages.points.length - 1)] ?? m.points;
}

function drawLayers(c: HTMLCanvasElement, pts: Layers, on: Record<LayerKey, boolean>, arrowK: number, stage: number) {
  const setup = setupCanvas(c);
  if (!setup) return;
  const { ctx, size } = setup;
  const { bounds } = pts;
  const p = projection(bounds, size);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, size, size);
  if (on.heatmap && pts.heatmap) {
    const { size: g, values, meaning } = pts.heatmap;
    let [lo, hi] = [0, 1];
    if (meaning === 'score') [lo, hi] = [Math.min(...values), Math.max(...values)];
    if (meaning === 'density') hi = Math.max(...values);
    const color = meaning === 'density' ? densityColor : mapColor;
    const cw = p.w / g;
    const ch = p.h / g;
    for (let j = 0; j < g; j++)
      for (let i = 0; i < g; i++) {
        ctx.fillStyle = color(hi > lo ? (values[j * g + i] - lo) / (hi - lo) : 0.5);
        ctx.fillRect(MARGIN.left + i * cw, MARGIN.top + j * ch, cw + 0.5, ch + 0.5);
      }
  }
  drawAxes(ctx, bounds, size);
  ctx.save();
  ctx.beginPath();
  ctx.rect(MARGIN.left, MARGIN.top, p.w, p.h);
  ctx.clip();
  if (on.manifold && pts.manifold) {
    const { perLine } = pts.manifold;
    const points = manifoldPoints(pts.manifold, stage);
    ctx.strokeStyle = COLORS.manifold;
    ctx.lineWidth = 1;
    for (let l = 0; l < points.length / 2 / perLine; l++) {
      ctx.beginPath();
      for (let m = 0; m < perLine; m++) {
        const k = (l * perLine + m) * 2;
        if (m === 0) ctx.moveTo(p.px(points[k]), p.py(points[k + 1]));
        else ctx.lineTo(p.px(points[k]), p.py(points[k + 1]));
      }
      ctx.stroke();
    }
  }
  // Generated, then real on top (often fewer, and the target), then the arrows, the layer being studied.
  if (on.fake) dots(ctx, pts.fake, bounds, size, COLORS.fake);
  if (on.real) dots(ctx, pts.real, bounds, size, COLORS.real);
  if (on.arrows && pts.arrows && arrowK > 0) {
    const v = pts.arrows.vectors;
    ctx.strokeStyle = COLORS.arrow;
    ctx.fillStyle = COLORS.arrow;
    ctx.lineWidth = 1.2;
    for (let i = 0; i < v.length / 2; i += arrowStride(v.length / 2)) {
      const x0 = p.px(pts.fake[2 * i]);
      const y0 = p.py(pts.fake[2 * i + 1]);
      const x1 = p.px(pts.fake[2 * i] + v[2 * i] * arrowK);
      const y1 = p.py(pts.fake[2 * i + 1] + v[2 * i + 1] * arrowK);
      const len = Math.hypot(x1 - x0, y1 - y0);
      if (len < 1.5) continue;
      const a = Math.atan2(y1 - y0, x1 - x0);
      const head = Math.min(5, len * 0.5);
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - head * Math.cos(a - 0.45), y1 - head * Math.sin(a - 0.45));
      ctx.lineTo(x1 - head * Math.cos(a + 0.45), y1 - head * Math.sin(a + 0.45));
      ctx.fill();
    }
  }
  ctx.restore();
}

function drawDrawing(c: HTMLCanvasElement, bounds: Bounds, points: Point2[]) {
  const setup = setupCanvas(c);
  if (!setup) return;
  const { ctx, size } = setup;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, size, size);
  drawAxes(ctx, bounds, size);
  dots(ctx, points, bounds, size, COLORS.real, 3);
}

/** The graph's Dataset node and its declaration, found by capability. */
function useDatasetNode(): { node: GraphNode; def: AnyNodeDef } | null {
  const doc = useEditor((s) => s.doc);
  const registry = useEditor((s) => s.registry);
  for (const node of doc.nodes) {
    const def = registry[node.type];
    if (def?.dataset) return { node, def };
  }
  return null;
}

/** The sources whose examples are 2-D points (asked of the node itself), and the current one whatever it is (an uploaded CSV). */
function pointSources(node: GraphNode, def: AnyNodeDef): string[] {
  const decl = def.params.source as ChoiceParam | undefined;
  const current = String(node.params.source ?? '');
  const options = (decl?.options ?? []).filter((o) => o === current || def.dataset!.info({ ...node.params, source: o }).kind === 'points');
  return options;
}

function sourceLabel(source: string): string {
  if (source === 'drawn') return 'drawn by hand';
  if (source === 'upload') return 'uploaded CSV';
  return source;
}

function DataRow(props: { drawing: boolean; setDrawing: (v: boolean) => void; drawnCount: number }) {
  const found = useDatasetNode();
  if (!found) return null;
  const { node, def } = found;
  const source = String(node.params.source ?? '');
  return (
    <div className="pg-row">
      <label>
        data{' '}
        <select
          value={source}
          data-testid="pg-source"
          onChange={(e) => editorStore.getState().setParams(node.id, { source: e.target.value })}
          aria-label="data source"
        >
          {pointSources(node, def).map((s) => (
            <option key={s} value={s}>
              {sourceLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <button
        className={props.drawing ? 'primary' : ''}
        data-testid="pg-draw"
        onClick={() => props.setDrawing(!props.drawing)}
        title="Click or drag on the plane to add points; they become the training data"
      >
        {props.drawing ? '✓ Done drawing' : '✎ Draw points'}
      </button>
      {(props.drawing || source === 'drawn') && (
        <>
          <span className="muted" data-testid="pg-drawn-count">
            {props.drawnCount}/{DRAWN_MAX_POINTS} drawn
          </span>
          <button
            data-testid="pg-clear"
            disabled={props.drawnCount === 0}
            onClick={() => editorStore.getState().setParams(node.id, { source: 'drawn', drawnPoints: '' })}
          >
            Clear
          </button>
        </>
      )}
    </div>
  );
}

function StepRow({ info }: { info: ModelInfo }) {
  const running = useRun((s) => s.running);
  const diverged = useRun((s) => s.diverged);
  const step = useRun((s) => s.step);
  const delay = useRun((s) => s.roundDelayMs);
  const players = info.optimizers.length > 1 ? info.optimizers : [];
  return (
    <div className="pg-row">
      {players.map((o) => (
        <button
          key={o.id}
          data-testid={`pg-step-${o.id}`}
          disabled={running || !!diverged}
          onClick={() => run.step(o.id)}
          title={`Train only ${o.label}: ${o.stepsPerRound} step${o.stepsPerRound === 1 ? '' : 's'}; the other player stays frozen`}
        >
          Step {o.label}
        </button>
      ))}
      <label className="pg-slow" title="Slow motion: the worker waits this long after every training round">
        slow motion
        <input
          type="range"
          min={0}
          max={SLIDER_MAX_MS}
          step={10}
          value={delay}
          data-testid="pg-delay"
          onChange={(e) => run.setRoundDelay(Number(e.target.value))}
        />
        <span className="pg-num">{delay === 0 ? 'off' : `${delay} ms/round`}</span>
      </label>
      <span className="pg-round">
        round <strong data-testid="pg-round">{step}</strong>
      </span>
    </div>
  );
}

function DivergenceChart() {
  const curve = useRun((s) => s.playgroundCurve);
  const [box, width] = useWidth<HTMLDivElement>(200, 400);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const line = (label: string, stroke: string, dash?: number[]) => ({ label, stroke, width: 1.5, ...(dash ? { dash } : {}) });
    const p = new uPlot(
      {
        width,
        height: 130,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false } },
        axes: [
          { size: 28, font: '11px system-ui' },
          { size: 40, font: '11px system-ui', label: 'nats', labelSize: 14 },
        ],
        series: [
          {},
          line('grid KL', COLORS.fake),
          line('KL floor', COLORS.fake, [4, 4]),
          line('grid JS', COLORS.real),
          line('JS floor', COLORS.real, [4, 4]),
        ],
      },
      [[], [], [], [], []],
      el,
    );
    plot.current = p;
    return () => {
      p.destroy();
      plot.current = null;
    };
  }, [box, width]);
  useEffect(() => {
    plot.current?.setData([
      curve.map((c) => c.step),
      curve.map((c) => c.kl),
      curve.map((c) => c.klFloor),
      curve.map((c) => c.js),
      curve.map((c) => c.jsFloor),
    ]);
  }, [curve, width]);
  const last = curve.at(-1);
  const text = last
    ? `Grid KL over training: ${seriesText(
        curve.map((c) => c.kl),
        'nats',
      )} (floor ${last.klFloor.toFixed(3)}); grid JS ${seriesText(curve.map((c) => c.js))} (floor ${last.jsFloor.toFixed(3)})`
    : 'Grid KL and JS over training: no values yet';
  return <div ref={box} data-testid="pg-divergence-chart" role="img" aria-label={text} />;
}

function DivergenceReadout({ d }: { d: NonNullable<Layers['divergence']> }) {
  return (
    <p className="hint" data-testid="pg-divergence">
      <span style={{ color: COLORS.fake }}>■</span> grid KL(real ‖ generated) <strong>{d.kl.toFixed(3)}</strong> nats (floor{' '}
      {d.klFloor.toFixed(3)}) · <span style={{ color: COLORS.real }}>■</span> JS <strong>{d.js.toFixed(3)}</strong> (floor{' '}
      {d.jsFloor.toFixed(3)}). 20×20 histograms of the generated points and {d.n} real ones; the dashed floor is the same measure between
      two real sets, the best a generator can expect.
      {d.n < SMALL_REFERENCE && ' With this few real points the floor itself is high: the grid measure needs hundreds to be sharp.'}
    </p>
  );
}

function Legend({ pts, info, on, arrowK }: { pts: Layers; info: ModelInfo; on: Record<LayerKey, boolean>; arrowK: number }) {
  const flow = info.modes.flow;
  const vae = info.modes.encode && !flow;
  const gen = info.optimizers.find((o) => o.id === pts.arrows?.optimizer);
  const m = pts.manifold;
  return (
    <ul className="pg-legend" data-testid="pg-legend">
      {on.real && (
        <li>
          <span className="pg-dot" style={{ background: COLORS.real }} /> real: {pts.real.length / 2} training points
        </li>
      )}
      {on.fake && pts.fake.length > 0 && (
        <li>
          <span className="pg-dot" style={{ background: COLORS.fake }} />{' '}
          {flow
            ? 'generated: z drawn from the prior N(0, I), run backwards through every flow layer'
            : vae
              ? 'generated: decoder(z), z drawn from the prior N(0, I)'
              : 'generated: G(z), the same noise z every refresh'}
        </li>
      )}
      {on.heatmap && pts.heatmap && (
        <li>
          <span
            className="pg-bar"
            style={{
              background:
                pts.heatmap.meaning === 'density'
                  ? `linear-gradient(to right, ${densityColor(0)}, ${densityColor(1)})`
                  : `linear-gradient(to right, ${mapColor(0)}, ${mapColor(0.5)}, ${mapColor(1)})`,
            }}
          />{' '}
          {pts.heatmap.meaning === 'density' ? (
            <>background: the flow's density p(x), exact: 0 (white) to {fmt(Math.max(...pts.heatmap.values))} per unit area</>
          ) : pts.heatmap.meaning === 'probability' ? (
            <>background: the discriminator's D(x) = P(real), 0 (fake) · 0.5 · 1 (real)</>
          ) : (
            <>
              background: the critic's score, {fmt(Math.min(...pts.heatmap.values))} (fake-like) to {fmt(Math.max(...pts.heatmap.values))}{' '}
              (real-like)
            </>
          )}
        </li>
      )}
      {on.manifold && m && (
        <li>
          <span className="pg-line" style={{ background: COLORS.manifold }} /> manifold: a grid of z pushed through the{' '}
          {flow ? 'inverted flow, layer by layer (the slider below)' : vae ? 'decoder' : 'generator'}
          {m.latentSize === 1
            ? ' (1-D noise: one curve)'
            : m.latentSize === 2
              ? ` (z is 2-D: the whole ${vae || flow ? 'latent' : 'noise'} space)`
              : `; z is ${m.latentSize}-D, so this is a 2-D slice through dims ${m.dims[0] + 1} and ${m.dims[1] + 1}, the other ${m.latentSize - 2} held at their median`}
        </li>
      )}
      {on.arrows && pts.arrows && (
        <li>
          <span className="pg-line" style={{ background: COLORS.arrow }} /> arrows: −∂L/∂x, where {gen ? gen.label : 'the generator'}'s loss
          pushes each generated point (on {Math.ceil(pts.arrows.vectors.length / 2 / arrowStride(pts.arrows.vectors.length / 2))} of them),
          drawn ×{fmt(arrowK)} longer for visibility
        </li>
      )}
    </ul>
  );
}

function PosteriorView({ post, info }: { post: NonNullable<Layers['posterior']>; info: ModelInfo }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const setup = setupCanvas(c);
    if (!setup) return;
    const { ctx, size } = setup;
    let half = 3;
    for (let i = 0; i < post.mean.length; i++) half = Math.max(half, Math.abs(post.mean[i]) + post.sd[i]);
    const bounds: Bounds = [-half, half, -half, half];
    const p = projection(bounds, size);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, size, size);
    drawAxes(ctx, bounds, size);
    ctx.setLineDash([4, 4]);
    ctx.strokeStyle = COLORS.axis;
    for (const r of [1, 2]) {
      ctx.beginPath();
      ctx.ellipse(p.px(0), p.py(0), (r / (2 * half)) * p.w, (r / (2 * half)) * p.h, 0, 0, 2 * Math.PI);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    const n = post.mean.length / 2;
    for (let i = 0; i < n; i++) {
      const color = post.labels ? classColor(post.labels[i]) : COLORS.real;
      ctx.strokeStyle = color;
      ctx.globalAlpha = 0.55;
      ctx.beginPath();
      ctx.ellipse(
        p.px(post.mean[2 * i]),
        p.py(post.mean[2 * i + 1]),
        (post.sd[2 * i] / (2 * half)) * p.w,
        (post.sd[2 * i + 1] / (2 * half)) * p.h,
        0,
        0,
        2 * Math.PI,
      );
      ctx.stroke();
      ctx.globalAlpha = 1;
      ctx.fillStyle = color;
      ctx.fillRect(p.px(post.mean[2 * i]) - 1, p.py(post.mean[2 * i + 1]) - 1, 2, 2);
    }
  }, [post]);
  return (
    <div className="pg-latent">
      <h5>Latent space: the encoder's q(z|x) for each real point</h5>
      <canvas ref={canvas} className="pg-canvas" data-testid="pg-posterior" />
      <p className="hint">
        Each ellipse is μ ± σ of one point's posterior (axes z₁, z₂
        {post.labels && info.data.numClasses > 0 ? '; colour: its component' : ''}). Dashed: 1σ and 2σ of the prior N(0, I). The KL term
        pulls the ellipses toward that circle; the reconstruction term keeps them apart.
      </p>
    </div>
  );
}

/**
 * A flow's grid, undone one layer at a time: stage 0 is the prior's grid of z, each further stage has one more
 * layer inverted, and the last is the data space. Names come from the document (the worker sends node ids).
 */
function FlowStages({
  stages,
  stage,
  setStage,
}: {
  stages: NonNullable<NonNullable<Layers['manifold']>['stages']>;
  stage: number;
  setStage: (k: number) => void;
}) {
  const doc = useEditor((s) => s.doc);
  const last = stages.points.length - 1;
  const at = Math.min(stage, last);
  const id = stages.undone[at];
  const name = id ? (doc.nodes.find((n) => n.id === id)?.label ?? id) : null;
  return (
    <label className="pg-stage" data-testid="pg-stage">
      Grid after undoing {at} of {last} layers
      <input
        type="range"
        min={0}
        max={last}
        step={1}
        value={at}
        onChange={(e) => setStage(Number(e.target.value))}
        aria-label="flow layers undone"
      />
      <span className="hint">
        {name ? `last undone: ${name}${at === last ? ' (data space)' : ''}` : 'z: the prior’s grid, no layer undone yet'}
      </span>
    </label>
  );
}

const LAYER_NAMES: Record<LayerKey, string> = {
  real: 'real',
  fake: 'generated',
  heatmap: 'discriminator map',
  manifold: 'manifold',
  arrows: 'gradient arrows',
};

function available(pts: Layers | null): LayerKey[] {
  if (!pts) return ['real'];
  return (['real', 'fake', 'heatmap', 'manifold', 'arrows'] as LayerKey[]).filter(
    (k) =>
      k === 'real' ||
      (k === 'fake' ? pts.fake.length > 0 : k === 'heatmap' ? !!pts.heatmap : k === 'manifold' ? !!pts.manifold : !!pts.arrows),
  );
}

const selectLayers = (s: RunState) => s.points2d;

export function Playground2d() {
  const info = useRun((s) => s.info);
  const pts = useRun(selectLayers);
  const running = useRun((s) => s.running);
  const step = useRun((s) => s.step);
  const delay = useRun((s) => s.roundDelayMs);
  const dataset = useDatasetNode();
  const drawnText = String(dataset?.node.params.drawnPoints ?? '');
  const drawn = useMemo(() => {
    try {
      return parseDrawnPoints(drawnText);
    } catch {
      // The Dataset node shows the problem; drawing starts afresh.
      return [];
    }
  }, [drawnText]);
  const [on, setOn] = useState<Record<LayerKey, boolean>>({ real: true, fake: true, heatmap: true, manifold: false, arrows: true });
  const [drawing, setDrawing] = useState(false);
  const [frame, setFrame] = useState<Bounds>(DEFAULT_FRAME);
  const [stroke, setStroke] = useState<Point2[]>([]);
  const last = useRef<[number, number] | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const arrowK = pts?.arrows ? arrowScale(pts.arrows.vectors, pts.bounds[1] - pts.bounds[0]) : 0;
  // A flow's grid starts fully undone (data space); the slider walks it back towards z.
  const [stage, setStage] = useState(Number.MAX_SAFE_INTEGER);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, [info?.data.kind]);

  // Slow motion: the panel's periodic refresh is paced for speed; here every round is worth seeing.
  useEffect(() => {
    if (running && delay > 0) run.points2d(500);
  }, [running, delay, step]);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    if (drawing) drawDrawing(c, frame, [...drawn, ...stroke]);
    else if (pts) drawLayers(c, pts, on, arrowK, stage);
  }, [pts, on, drawing, frame, drawn, stroke, arrowK, width, stage]);

  if (info?.data.kind !== 'points') return null;

  const toggleDrawing = (v: boolean) => {
    if (v) setFrame(pts?.bounds ?? DEFAULT_FRAME);
    setDrawing(v);
  };
  const at = (e: PointerEvent<HTMLCanvasElement>): [number, number] => {
    const r = e.currentTarget.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  const add = (cx: number, cy: number, spray: boolean) => {
    if (drawn.length + stroke.length >= DRAWN_MAX_POINTS) return;
    const size = canvas.current!.clientWidth;
    const a = Math.random() * 2 * Math.PI;
    const r = spray ? Math.random() * SPRAY_PX : 0;
    const point = projection(frame, size).fromPx(cx + r * Math.cos(a), cy + r * Math.sin(a));
    setStroke((s) => [...s, point]);
  };
  const commit = () => {
    last.current = null;
    if (!dataset || stroke.length === 0) return;
    editorStore.getState().setParams(dataset.node.id, { source: 'drawn', drawnPoints: formatDrawnPoints([...drawn, ...stroke]) });
    setStroke([]);
  };
  const draw = drawing
    ? {
        onPointerDown: (e: PointerEvent<HTMLCanvasElement>) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          const [x, y] = at(e);
          last.current = [x, y];
          add(x, y, false);
        },
        onPointerMove: (e: PointerEvent<HTMLCanvasElement>) => {
          if (!last.current) return;
          const [x, y] = at(e);
          if (Math.hypot(x - last.current[0], y - last.current[1]) < STROKE_SPACING_PX) return;
          last.current = [x, y];
          add(x, y, true);
        },
        onPointerUp: commit,
        onPointerCancel: commit,
      }
    : {};
  const layers = available(pts);
  return (
    <div className="run-view wide playground" data-testid="playground">
      <h4>
        2-D playground
        <span className="spacer" />
        {layers.map((k) => (
          <label key={k} className="pg-toggle">
            <input
              type="checkbox"
              checked={on[k]}
              data-testid={`pg-layer-${k}`}
              onChange={(e) => setOn({ ...on, [k]: e.target.checked })}
            />
            {k === 'heatmap' && pts?.heatmap?.meaning === 'density' ? 'density' : LAYER_NAMES[k]}
          </label>
        ))}
        <button onClick={() => run.points2d()} title="Refresh">
          ↻
        </button>
      </h4>
      <DataRow drawing={drawing} setDrawing={toggleDrawing} drawnCount={drawn.length + stroke.length} />
      <div className="pg-body">
        <div className="pg-plot">
          <canvas
            ref={canvas}
            className={`pg-canvas${drawing ? ' drawing' : ''}`}
            data-testid="pg-canvas"
            data-step={pts?.step ?? ''}
            {...draw}
          />
          {drawing && (
            <p className="hint" data-testid="pg-draw-hint">
              Click or drag to add points (up to {DRAWN_MAX_POINTS}); each stroke becomes the training data at once. Press “Done drawing” to
              see the model again.
            </p>
          )}
        </div>
        <div className="pg-side">
          {pts && !drawing && <Legend pts={pts} info={info} on={on} arrowK={arrowK} />}
          {pts?.manifold?.stages && on.manifold && !drawing && (
            <FlowStages stages={pts.manifold.stages} stage={stage} setStage={setStage} />
          )}
          {!pts && <p className="hint">Waiting for the worker…</p>}
          <StepRow info={info} />
          {pts?.posterior && !drawing && <PosteriorView post={pts.posterior} info={info} />}
        </div>
      </div>
      {pts?.divergence && (
        <>
          <DivergenceChart />
          <DivergenceReadout d={pts.divergence} />
        </>
      )}
      {info.modes.encode && !pts?.posterior && info.latentSize !== 2 && (
        <p className="hint">The posterior ellipses need a 2-D latent; this encoder's latent has {info.latentSize} dimensions.</p>
      )}
      {dataset && <FamiliesLesson dataName={sourceLabel(String(dataset.node.params.source ?? ''))} />}
    </div>
  );
}
