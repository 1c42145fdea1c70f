/**
 * A diffusion model's denoising trajectory (issue 13 §2): x_T → x_0 as a strip
 * of frames for images, or the particles' paths over the data for 2-D points,
 * played frame by frame so the learner sees the noise being removed, and a DDIM
 * steps slider to weigh quality against sampling cost. The worker computes the
 * chain (Views.trajectory); this file only draws.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FromWorkerOf } from '../../runtime/protocol';
import { ImageGrid } from './ImageGrid';
import { COLORS, dots, drawAxes, projection, setupCanvas } from './Playground2d';
import { run, useRun } from './runStore';

type Trajectory = FromWorkerOf<'trajectory'>;

/** Images: a row per sample, ten frames each; points: enough frames for smooth paths, enough particles to show the modes. */
const IMAGE = { n: 6, frames: 10 };
const POINTS = { n: 300, frames: 40 };
/** One pass of the animation from x_T to x_0, then it holds on the samples. */
const PLAY_MS = 2500;
/** Not-yet-shown frames of the strip: the grid's own background grey, so they read as empty. */
const EMPTY_PIXEL = 120 / 255;
const PATH = 'rgba(118, 42, 131, 0.22)';
const NOISE = '#9ca3af';

/** x with a subscript, as text. */
const x = (sub: string) => (
  <>
    <i>x</i>
    <sub>{sub}</sub>
  </>
);

/** The slider's step counts: 10, 20 and 50 where the schedule is longer, and T itself (DDIM visiting every step). */
export function stepStops(T: number): number[] {
  return [...[10, 20, 50].filter((k) => k < T), T];
}

/** The frame on show: it climbs from 0 to the last frame over PLAY_MS each time `restart` changes (or replay is pressed). */
function usePlayback(count: number, restart: unknown): [number, () => void] {
  const [shown, setShown] = useState(0);
  const [replays, setReplays] = useState(0);
  useEffect(() => {
    const last = Math.max(0, count - 1);
    const every = PLAY_MS / Math.max(1, last);
    const started = performance.now();
    const tick = () => {
      const f = Math.min(last, Math.floor((performance.now() - started) / every));
      setShown(f);
      return f;
    };
    tick();
    const t = setInterval(() => tick() >= last && clearInterval(t), every);
    return () => clearInterval(t);
  }, [count, restart, replays]);
  return [Math.min(shown, Math.max(0, count - 1)), () => setReplays((r) => r + 1)];
}

function drawPaths(c: HTMLCanvasElement, traj: Trajectory, shown: number) {
  const setup = setupCanvas(c);
  if (!setup || !traj.bounds) return;
  const { ctx, size } = setup;
  const bounds = traj.bounds;
  const p = projection(bounds, size);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, size, size);
  drawAxes(ctx, bounds, size);
  ctx.save();
  ctx.beginPath();
  ctx.rect(p.px(bounds[0]), p.py(bounds[3]), p.w, p.h);
  ctx.clip();
  const f = traj.frames;
  ctx.strokeStyle = PATH;
  ctx.lineWidth = 1;
  for (let i = 0; i < traj.n; i++) {
    ctx.beginPath();
    ctx.moveTo(p.px(f[0][2 * i]), p.py(f[0][2 * i + 1]));
    for (let j = 1; j <= shown; j++) ctx.lineTo(p.px(f[j][2 * i]), p.py(f[j][2 * i + 1]));
    ctx.stroke();
  }
  dots(ctx, f[0], bounds, size, NOISE, 1.6);
  // The target above the paths, the points being denoised above both.
  if (traj.real) dots(ctx, traj.real, bounds, size, COLORS.real, 2);
  dots(ctx, f[shown], bounds, size, COLORS.fake, 2.4);
  ctx.restore();
}

function Paths({ traj, shown }: { traj: Trajectory; shown: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    if (canvas.current) drawPaths(canvas.current, traj, shown);
  }, [traj, shown, width]);
  const last = shown === traj.frames.length - 1;
  return (
    <div className="diff-body">
      <canvas ref={canvas} className="diff-canvas" data-testid="diff-paths" data-frame={shown} />
      <ul className="diff-legend">
        <li>
          <span className="diff-dot" style={{ background: NOISE }} /> {x('T')}: {traj.n} points of pure noise, drawn from N(0, I)
        </li>
        <li>
          <span className="diff-line" style={{ background: COLORS.fake }} /> each point's path as the chain denoises it
        </li>
        <li>
          <span className="diff-dot" style={{ background: COLORS.fake }} />{' '}
          {last ? (
            <>{x('0')}: the samples, where the paths end</>
          ) : (
            <>
              {x('t')}: the points at t = {traj.t[shown]}
            </>
          )}
        </li>
        {traj.real && (
          <li>
            <span className="diff-dot" style={{ background: COLORS.real }} /> {traj.real.length / 2} held-out data points, the target
          </li>
        )}
      </ul>
    </div>
  );
}

/** Frames as a grid, a row per sample: frame j of sample i sits at row i, column j; frames after `shown` are left empty. */
function stripImages(traj: Trajectory, shown: number): Float32Array {
  const F = traj.frames.length;
  const size = traj.frames[0].length / traj.n;
  const out = new Float32Array(traj.n * F * size).fill(EMPTY_PIXEL);
  for (let i = 0; i < traj.n; i++)
    for (let j = 0; j <= shown; j++) out.set(traj.frames[j].subarray(i * size, (i + 1) * size), (i * F + j) * size);
  return out;
}

function Strip({ traj, shown }: { traj: Trajectory; shown: number }) {
  const images = useMemo(() => stripImages(traj, shown), [traj, shown]);
  const F = traj.frames.length;
  return (
    <div className="diff-strip">
      <ImageGrid images={images} n={traj.n * F} shape={traj.shape} cols={F} testId="diff-strip" />
      <div className="diff-t" style={{ gridTemplateColumns: `repeat(${F}, 1fr)` }}>
        {traj.t.map((t, j) => (
          <span key={j} className={j <= shown ? '' : 'muted'}>
            t={t}
          </span>
        ))}
      </div>
    </div>
  );
}

export function DiffusionView() {
  const info = useRun((s) => s.info);
  const traj = useRun((s) => s.trajectory);
  const running = useRun((s) => s.running);
  const step = useRun((s) => s.step);
  const T = info?.diffusionSteps ?? 0;
  const stops = useMemo(() => stepStops(T), [T]);
  const image = info?.data.kind === 'image';
  const size = image ? IMAGE : POINTS;
  // Points are cheap, so they start with every step; an image's network is costly, so it starts at 50.
  const [picked, setPicked] = useState<number | null>(null);
  const k = picked ?? (image ? stops[Math.min(2, stops.length - 1)] : T);
  const [shown, replay] = usePlayback(traj?.frames.length ?? 0, traj);

  // Ask again when the model has trained on, paced like the panel's other views, and at once for a new step count.
  useEffect(() => {
    if (!info?.modes.diffusion) return;
    const stale = !traj || traj.steps !== k;
    if (stale || traj.step !== step) run.trajectory(size.n, size.frames, k, !stale && running);
  }, [info, k, step, running, traj, size]);

  if (!info?.modes.diffusion) return null;
  const at = stops.indexOf(k);
  return (
    <div className="run-view wide diffusion" data-testid="diffusion-view">
      <h4>
        <span>
          Denoising trajectory, {x('T')} → {x('0')}
        </span>
        {traj && (
          <span className="muted" data-testid="diff-frame">
            frame {shown + 1}/{traj.frames.length}, t = {traj.t[shown]}
          </span>
        )}
        <span className="spacer" />
        <button onClick={replay} disabled={!traj} data-testid="diff-replay" title="Play the chain again from pure noise">
          ▶ Replay
        </button>
      </h4>
      <p className="hint">
        {x('T')} is pure noise. Each step, the network predicts the noise ε̂ in {x('t')} and the sampler removes part of it, so t counts down
        from T = {T} to 0, where {x('0')} is the sample. Every refresh starts from the same noise.
      </p>
      <div className="diff-steps">
        <label>
          DDIM steps <strong data-testid="diff-k">{k === T ? `${k} (T)` : k}</strong>
          <span className="diff-slider">
            <input
              type="range"
              min={0}
              max={stops.length - 1}
              step={1}
              value={Math.max(0, at)}
              onChange={(e) => setPicked(stops[Number(e.target.value)])}
              aria-label="DDIM steps"
              data-testid="diff-steps"
            />
            <span className="diff-stops">
              {stops.map((s) => (
                <span key={s}>{s === T ? 'T' : s}</span>
              ))}
            </span>
          </span>
        </label>
        <span className="diff-cost" data-testid="diff-cost">
          {traj && traj.steps === k
            ? `${traj.steps} network calls per sample: ${traj.n} samples took ${formatMs(traj.ms)} (model at step ${traj.step})`
            : `drawing with ${k} steps…`}
        </span>
      </div>
      {traj ? (
        image ? (
          <Strip traj={traj} shown={shown} />
        ) : (
          <Paths traj={traj} shown={shown} />
        )
      ) : (
        <p className="hint">Waiting for the worker…</p>
      )}
      <p className="hint">
        Fewer steps cost fewer network calls but take bigger jumps: compare the {image ? 'last column' : 'purple points'} at 10 steps and at
        T.
      </p>
    </div>
  );
}

const formatMs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
