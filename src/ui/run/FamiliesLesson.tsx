/**
 * Seed 002's lesson under the 2-D playground: the four families trained on
 * this graph's data, their samples on one frame side by side, each with
 * precision and recall beside the floor of a second real draw.
 */
import { useEffect, useRef } from 'react';
import type { FromWorkerOf } from '../../runtime/protocol';
import { FAMILIES_LESSON, lessonRounds } from '../../runs/lesson';
import { familiesLesson, QUICK_SCALE, useLesson, type LessonItem } from './familiesLesson';
import { useHistoryStore } from './historyStore';
import { COLORS, dots, drawAxes, projection, setupCanvas } from './Playground2d';
import './families.css';

type Bounds = FromWorkerOf<'points2d'>['bounds'];

/** One frame for all four: the real points' extent with a quarter's margin, so the samples are drawn on the same axes. */
function commonFrame(real: Float32Array): Bounds {
  const ext = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < real.length; i += 2) {
    ext[0] = Math.min(ext[0], real[i]);
    ext[1] = Math.max(ext[1], real[i]);
    ext[2] = Math.min(ext[2], real[i + 1]);
    ext[3] = Math.max(ext[3], real[i + 1]);
  }
  const half = Math.max(ext[1] - ext[0], ext[3] - ext[2]) * 0.625;
  const [cx, cy] = [(ext[0] + ext[1]) / 2, (ext[2] + ext[3]) / 2];
  return [cx - half, cx + half, cy - half, cy + half];
}

function Scatter({ item, frame }: { item: LessonItem; frame: Bounds | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c || !item.points || !frame) return;
    const setup = setupCanvas(c);
    if (!setup) return;
    const { ctx, size } = setup;
    ctx.clearRect(0, 0, size, size);
    drawAxes(ctx, frame, size);
    // Samples far off the data stay inside the frame's box instead of spilling over the axes.
    const p = projection(frame, size);
    ctx.save();
    ctx.beginPath();
    ctx.rect(p.px(frame[0]), p.py(frame[3]), p.w, p.h);
    ctx.clip();
    dots(ctx, item.points.real, frame, size, 'rgba(27, 120, 55, 0.35)', 1.6);
    dots(ctx, item.points.fake, frame, size, COLORS.fake, 1.6);
    ctx.restore();
  }, [item.points, frame]);
  return (
    <canvas
      ref={canvas}
      className="fl-canvas"
      data-testid="fl-canvas"
      role="img"
      aria-label={`${item.family.family}: ${item.points ? `${item.points.fake.length / 2} samples over the data` : 'not trained yet'}`}
    />
  );
}

const f3 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(3));

function Figures({ item }: { item: LessonItem }) {
  const m = item.metrics;
  if (!m) return <p className="muted">{item.unavailable ?? (item.points ? 'not measured' : 'waiting')}</p>;
  return (
    <dl className="fl-figures" data-testid="fl-figures">
      <dt title="the share of samples that fall on the data">precision</dt>
      <dd data-testid="fl-precision">
        {f3(m.precision)} <span className="muted">floor {f3(m.precision_floor)}</span>
      </dd>
      <dt title="the share of data points near some sample">recall</dt>
      <dd data-testid="fl-recall">
        {f3(m.recall)} <span className="muted">floor {f3(m.recall_floor)}</span>
      </dd>
      <dt title="KL divergence of the 20×20 grid histograms, data ‖ samples">grid KL</dt>
      <dd>
        {f3(m.grid_kl)} <span className="muted">floor {f3(m.grid_kl_floor)}</span>
      </dd>
    </dl>
  );
}

function verdict(item: LessonItem): string {
  const m = item.metrics;
  if (m?.precision === undefined || m.recall === undefined) return '';
  // Far from the data on both counts, the two say little about the family: train longer first.
  const far = (v: number, floor: number | undefined) => v < 0.5 * (floor ?? 1);
  if (far(m.precision, m.precision_floor) && far(m.recall, m.recall_floor))
    return `still far from the data (precision and recall both under half their floors${m.grid_kl !== undefined && m.grid_kl_floor ? `, grid KL ${Math.round(m.grid_kl / Math.max(m.grid_kl_floor, 0.01))}× its floor` : ''}): train longer before judging`;
  // Each against its floor: what a second real draw scores, the best a model can do.
  const precisionShort = (m.precision_floor ?? 1) - m.precision;
  const recallShort = (m.recall_floor ?? 1) - m.recall;
  if (precisionShort < 0.05 && recallShort < 0.05) return 'close to the data: precision and recall within 0.05 of their floors';
  if (precisionShort > recallShort + 0.05)
    return 'covers the modes and spreads mass between them (precision further below its floor than recall)';
  if (recallShort > precisionShort + 0.05) return 'sits on the modes it found and misses some data (recall further below its floor)';
  return 'short of both floors about equally';
}

export function FamiliesLesson({ dataName }: { dataName: string }) {
  const phase = useLesson((s) => s.phase);
  const items = useLesson((s) => s.items);
  const scale = useLesson((s) => s.scale);
  const problem = useLesson((s) => s.problem);
  const lessonData = useLesson((s) => s.data);
  const queue = useHistoryStore((s) => s.queue);
  const busy = phase === 'running' || queue.running;
  const first = items.find((it) => it.points);
  const frame = first?.points ? commonFrame(first.points.real) : null;
  return (
    <section className="families-lesson" aria-labelledby="fl-title" data-testid="families-lesson">
      <h5 id="fl-title">Four families on this data: mode covering against mode seeking</h5>
      <p className="hint">
        A VAE, a normalizing flow and a diffusion model are trained by likelihood: every data point the model misses costs it, so they cover
        every mode, and may spread mass between them. A GAN is trained only to fool its discriminator, so it may sharpen onto some modes and
        drop others. This trains the four 2-D presets on the data above ({dataName}), one after another, as variants of this graph, and
        judges each by the same held-out points.
      </p>
      <div className="fl-row">
        <label>
          length{' '}
          <select
            value={scale}
            disabled={busy}
            aria-label="How long each family trains"
            data-testid="fl-scale"
            onChange={(e) => familiesLesson.setScale(Number(e.target.value))}
          >
            <option value={QUICK_SCALE}>quick: a quarter of each preset’s rounds</option>
            <option value={1}>full: each preset’s README rounds</option>
          </select>
        </label>
        <span className="muted">
          {FAMILIES_LESSON.map((f) => `${f.family} ${lessonRounds(f, scale).toLocaleString('en')}`).join(' · ')} rounds
        </span>
        {busy ? (
          <button onClick={familiesLesson.stop} data-testid="fl-stop">
            Stop
          </button>
        ) : (
          <button className="primary" onClick={() => void familiesLesson.start(dataName)} data-testid="fl-start">
            Train the four families
          </button>
        )}
        {phase === 'done' && (
          <button onClick={familiesLesson.compare} data-testid="fl-compare">
            Compare their runs
          </button>
        )}
      </div>
      <p className="muted" aria-live="polite" data-testid="fl-status">
        {phase === 'running' ? queue.status : (problem ?? (phase === 'done' ? `Done: the four families on ${lessonData}.` : ''))}
      </p>
      {items.length > 0 && (
        <div className="fl-grid">
          {items.map((it) => (
            <figure key={it.graphId} className="fl-panel" data-testid="fl-panel" data-family={it.family.family}>
              <figcaption>
                <strong>{it.family.family}</strong> <span className="muted">likelihood: {it.family.likelihood}</span>
                <br />
                <span className="muted" data-testid="fl-time">
                  {it.rounds.toLocaleString('en')} rounds{it.seconds !== null ? ` · ${it.seconds.toFixed(0)} s training` : ''}
                  {it.wallSeconds !== null ? ` (${it.wallSeconds.toFixed(0)} s with views)` : ''}
                </span>
              </figcaption>
              <Scatter item={it} frame={frame} />
              <Figures item={it} />
              <p className="fl-verdict">{verdict(it)}</p>
            </figure>
          ))}
        </div>
      )}
      {items.length > 0 && (
        <p className="muted">
          Green: the data; purple: {items[0]?.points ? `${items[0].points.fake.length / 2} samples of each model` : 'the samples'}. Floors
          are a second real draw scored the same way: what a perfect model would get.
        </p>
      )}
    </section>
  );
}
