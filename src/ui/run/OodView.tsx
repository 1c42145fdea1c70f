/**
 * The OOD view: draw a digit (or pick a built-in strange input), and the worker
 * scores it by the model's log p(x); the page ranks it among the test set's
 * log-likelihoods, with the CLI's verdict. Shown only for explicit models (a
 * VAE's ELBO or a PixelCNN's exact likelihood) of 28×28 grey images.
 */
import { useEffect, useRef, useState } from 'react';
import type { OodTest } from '../../runtime/protocol';
import { OOD_HIGH, OOD_LOW, oodHistogram, oodVerdict, percentileOf } from '../../store/runOod';
import { run, useRun } from './runStore';

const SIDE = 28;
/** The pad's CSS scale: a 28×28 canvas shown at 224×224. */
const SCALE = 8;
/** The brush's Gaussian width in pixels: soft edges, like the anti-aliased strokes of MNIST. */
const BRUSH_SIGMA = 1.1;
const BINS = 40;

/** Paints grey values in [0, 1] onto a canvas of their own size. */
function paint(canvas: HTMLCanvasElement | null, values: Float32Array) {
  const ctx = canvas?.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(SIDE, SIDE);
  values.forEach((v, i) => {
    const g = Math.round(Math.max(0, Math.min(1, v)) * 255);
    img.data.set([g, g, g, 255], i * 4);
  });
  ctx.putImageData(img, 0, 0);
}

/** Ink along the segment from a to b (pad pixels), keeping each pixel's darkest stroke so far. */
function stroke(pad: Float32Array, a: [number, number], b: [number, number]) {
  const steps = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) * 2));
  for (let s = 0; s <= steps; s++) {
    const cx = a[0] + ((b[0] - a[0]) * s) / steps;
    const cy = a[1] + ((b[1] - a[1]) * s) / steps;
    for (let y = Math.floor(cy - 3); y <= Math.ceil(cy + 3); y++)
      for (let x = Math.floor(cx - 3); x <= Math.ceil(cx + 3); x++) {
        if (x < 0 || y < 0 || x >= SIDE || y >= SIDE) continue;
        const d2 = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2;
        const ink = Math.min(1, 1.6 * Math.exp(-d2 / (2 * BRUSH_SIGMA ** 2)));
        pad[y * SIDE + x] = Math.max(pad[y * SIDE + x], ink);
      }
  }
}

function DrawingPad(props: { pad: Float32Array; version: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const last = useRef<[number, number] | null>(null);
  useEffect(() => paint(canvas.current, props.pad), [props.pad, props.version]);
  const at = (e: React.PointerEvent<HTMLCanvasElement>): [number, number] => {
    const r = e.currentTarget.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * SIDE, ((e.clientY - r.top) / r.height) * SIDE];
  };
  const draw = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const p = at(e);
    stroke(props.pad, last.current ?? p, p);
    last.current = p;
    paint(canvas.current, props.pad);
  };
  return (
    <canvas
      ref={canvas}
      width={SIDE}
      height={SIDE}
      className="ood-pad"
      style={{ width: SIDE * SCALE, height: SIDE * SCALE }}
      data-testid="ood-pad"
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        last.current = null;
        draw(e);
      }}
      onPointerMove={(e) => last.current && draw(e)}
      onPointerUp={() => (last.current = null)}
    />
  );
}

/** The test set's log-likelihoods as bars, with the scored image as a red line. */
function Histogram(props: { test: OodTest; mark: number | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const h = oodHistogram(props.test, BINS, props.mark ?? undefined);
  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const { width: W, height: H } = c;
    ctx.clearRect(0, 0, W, H);
    const max = Math.max(...h.counts, 1);
    ctx.fillStyle = '#6a8cc7';
    h.counts.forEach((n, i) => ctx.fillRect((i * W) / BINS + 0.5, H - (n / max) * (H - 4), W / BINS - 1, (n / max) * (H - 4)));
    if (props.mark !== null) {
      const x = ((props.mark - h.lo) / (h.hi - h.lo)) * W;
      ctx.fillStyle = '#e0453a';
      ctx.fillRect(Math.min(W - 2, Math.max(0, x - 1)), 0, 2, H);
    }
  });
  return (
    <div className="ood-hist" data-testid="ood-histogram">
      <div className="side-title">log p(x) of {props.test.n} test digits (nats); red: the scored image</div>
      <canvas ref={canvas} width={320} height={110} />
      <div className="ood-axis">
        <span>{h.lo.toFixed(0)}</span>
        <span>{h.hi.toFixed(0)}</span>
      </div>
    </div>
  );
}

export function OodView() {
  const info = useRun((s) => s.info);
  const latest = useRun((s) => s.ood.latest);
  const strange = useRun((s) => s.ood.strange);
  const scoring = useRun((s) => !!s.requests.ood);
  const strangeBusy = useRun((s) => !!s.requests.oodStrange);
  const [pad] = useState(() => new Float32Array(SIDE * SIDE));
  const [version, setVersion] = useState(0);
  if (!info) return null;
  const why = !info.modes.likelihood
    ? info.modes.generate
      ? 'this graph generates without a likelihood (an implicit model, such as a GAN), so it cannot say how likely an image is'
      : 'this graph defines no likelihood of its inputs (an autoencoder reconstructs images; it does not model p(x))'
    : info.data.shape.join('×') !== `${SIDE}×${SIDE}×1`
      ? `the pad draws 28×28 grey images, and this graph models data of shape ${info.data.shape.join('×')}`
      : null;
  if (why)
    return (
      <div className="run-view wide ood-view" data-testid="ood-view">
        <h4>Out of distribution?</h4>
        <p className="hint" data-testid="ood-unavailable">
          Not available: {why}. The check needs an explicit model, such as a VAE or a PixelCNN.
        </p>
      </div>
    );
  const ll = latest?.logLikelihoods[0];
  const percentile = ll !== undefined && latest?.test ? percentileOf(latest.test, ll) : null;
  const score = () => run.scoreImages(pad.slice(), 1);
  return (
    <div className="run-view wide ood-view" data-testid="ood-view">
      <h4>
        Out of distribution?
        {latest && !latest.unavailable && <span className="muted">step {latest.step}</span>}
        <span className="spacer" />
        <button
          onClick={() => {
            pad.fill(0);
            setVersion((v) => v + 1);
          }}
          data-testid="ood-clear"
        >
          Clear
        </button>
        <button className="primary" onClick={score} disabled={scoring} data-testid="ood-score">
          {scoring ? 'Scoring…' : 'Score'}
        </button>
      </h4>
      <div className="ood-body">
        <DrawingPad pad={pad} version={version} />
        <div className="ood-result">
          {!latest && (
            <p className="hint">
              Draw a digit and press Score: the model's log-likelihood of it is ranked among the test set&apos;s. Training pauses while it
              scores.
            </p>
          )}
          {latest?.unavailable && (
            <p className="hint" data-testid="ood-unavailable">
              Not available: {latest.unavailable}.
            </p>
          )}
          {ll !== undefined && percentile !== null && (
            <>
              <p className="ood-numbers">
                log p(x) <strong data-testid="ood-ll">{ll.toFixed(2)}</strong> nats · percentile{' '}
                <strong data-testid="ood-percentile">{percentile.toFixed(1)}</strong> of test digits
              </p>
              <p
                className={`ood-verdict ${percentile < OOD_LOW ? 'low' : percentile > OOD_HIGH ? 'high' : 'typical'}`}
                data-testid="ood-verdict"
              >
                {oodVerdict(percentile)}
              </p>
              <p className="hint">
                Below the {OOD_LOW}st percentile: unlikely; above the {OOD_HIGH}th: unusually likely. {latest!.note}.
              </p>
            </>
          )}
          {latest?.test && <Histogram test={latest.test} mark={ll ?? null} />}
        </div>
      </div>
      <div className="ood-strange">
        <div className="side-title">
          built-in strange inputs{' '}
          <button onClick={() => run.scoreStrange()} disabled={strangeBusy} data-testid="ood-strange-load">
            {strangeBusy ? 'Scoring…' : strange ? 'Score again' : 'Score them'}
          </button>
        </div>
        {strange?.unavailable && <p className="hint">Not available: {strange.unavailable}.</p>}
        <div className="ood-strange-row">
          {strange?.strange.map((s, i) => (
            <StrangeTile
              key={s.name}
              name={s.name}
              description={s.description}
              image={s.image}
              ll={strange.logLikelihoods[i]}
              percentile={strange.test ? percentileOf(strange.test, strange.logLikelihoods[i]) : null}
              onPick={() => {
                pad.set(s.image);
                setVersion((v) => v + 1);
                run.scoreImages(s.image, 1);
              }}
            />
          ))}
        </div>
        <p className="hint" data-testid="ood-caveat">
          Likelihood is a poor OOD detector on its own: simple images (blank, shapes) can score HIGHER than real digits (Nalisnick et al.
          2019). The CLI&apos;s <code>latent-lab ood --auroc</code> prints the full table.
        </p>
      </div>
    </div>
  );
}

function StrangeTile(props: {
  name: string;
  description: string;
  image: Float32Array;
  ll: number;
  percentile: number | null;
  onPick: () => void;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => paint(canvas.current, props.image), [props.image]);
  return (
    <button
      className="ood-tile"
      onClick={props.onPick}
      title={`${props.description}: click to score it`}
      data-testid={`ood-strange-${props.name}`}
    >
      <canvas ref={canvas} width={SIDE} height={SIDE} />
      <span>{props.name}</span>
      <span className="muted">
        {props.ll.toFixed(0)} nats{props.percentile !== null ? ` · p${props.percentile.toFixed(0)}` : ''}
      </span>
    </button>
  );
}
