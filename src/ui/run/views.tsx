/** The live views of the run panel. Each reads the run store and asks the worker for fresh data. */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { InputGradient, ModelInfo } from '../../runtime/protocol';
import { classColor } from './draw';
import { ActivationView } from './ActivationView';
import { GradientCurve } from './GradientFlow';
import { ImageGrid } from './ImageGrid';
import { pickLatent } from './latentPick';
import { downloadCanvasPng, run, useRun } from './runStore';

/** A class as the data names it (a folder name), else by its number. */
function className(info: ModelInfo, i: number): string {
  const name = info.data.classNames?.[i];
  return name !== undefined && name !== String(i) ? `${name} (${i})` : `class ${i}`;
}

export function SampleGrid() {
  const info = useRun((s) => s.info);
  const samples = useRun((s) => s.samples);
  const pixels = useRun((s) => s.pixels);
  const diverged = useRun((s) => s.diverged);
  const [label, setLabel] = useState<number | undefined>(undefined);
  const canvas = useRef<HTMLCanvasElement>(null);
  if (!info?.modes.generate || info.data.kind !== 'image') return null;
  const ar = info.modes.autoregressive;
  const classes = info.modes.conditional ? info.data.numClasses : 0;
  const shown = ar ? pixels : samples;
  return (
    <div className="run-view">
      <h4>
        {ar ? 'Samples, pixel by pixel' : 'Samples from the prior'}
        {ar && pixels && (
          <span className="muted" data-testid="pixel-progress">
            {pixels.index + 1}/{pixels.total}
          </span>
        )}
        <span className="spacer" />
        {classes > 0 && (
          <select
            value={label ?? ''}
            onChange={(e) => {
              const v = e.target.value === '' ? undefined : Number(e.target.value);
              setLabel(v);
              run.samples(ar ? 8 : 36, v);
            }}
            aria-label="class"
          >
            <option value="">all classes</option>
            {Array.from({ length: classes }, (_, i) => (
              <option key={i} value={i}>
                {className(info, i)}
              </option>
            ))}
          </select>
        )}
        <button onClick={() => run.samples(ar ? 8 : 36, label)} data-testid="samples-refresh">
          ↻
        </button>
        <button
          onClick={() => canvas.current && downloadCanvasPng(canvas.current, 'samples.png')}
          disabled={!shown}
          title="Save the grid as PNG"
        >
          PNG
        </button>
      </h4>
      {diverged ? (
        <p className="hint" data-testid="samples-diverged">
          No samples while the model is diverged (its weights are not finite): restore the checkpoint or reset.
        </p>
      ) : shown ? (
        <ImageGrid
          canvasRef={canvas}
          images={'canvas' in shown ? shown.canvas : shown.images}
          n={shown.n}
          shape={shown.shape}
          cols={ar ? 4 : 6}
          testId="sample-grid"
        />
      ) : (
        <p className="hint">Press play or ↻ to draw samples.</p>
      )}
      {'step' in (samples ?? {}) && !ar && samples && <p className="hint">fixed noise, at step {samples.step}</p>}
    </div>
  );
}

export function Reconstructions() {
  const info = useRun((s) => s.info);
  const recon = useRun((s) => s.recon);
  // Rows: what the network saw (corrupted, for a denoising AE), the data, the reconstruction.
  const rows = useMemo(
    () => (recon ? (recon.seen ? [recon.seen, recon.inputs, recon.outputs] : [recon.inputs, recon.outputs]) : null),
    [recon],
  );
  const both = useMemo(() => {
    if (!recon || !rows) return null;
    const size = recon.inputs.length / recon.n;
    const out = new Float32Array(recon.n * rows.length * size);
    rows.forEach((r, i) => out.set(r, i * recon.n * size));
    return out;
  }, [recon, rows]);
  if (!info?.modes.reconstruct || info.data.kind !== 'image') return null;
  return (
    <div className="run-view">
      <h4>
        Reconstructions{' '}
        <span className="muted" data-testid="recon-legend">
          {recon?.seen ? 'noisy input (what the net sees), clean target, output' : 'inputs above, outputs below'}
        </span>
        <span className="spacer" />
        <button onClick={() => run.reconstructions(8)}>↻</button>
      </h4>
      {recon && both ? (
        <ImageGrid images={both} n={recon.n * (rows?.length ?? 2)} shape={recon.shape} cols={recon.n} testId="recon-grid" />
      ) : (
        <p className="hint">Waiting for the first step.</p>
      )}
    </div>
  );
}

function useLatent() {
  return useRun((s) => s.latent);
}

export function LatentTools() {
  const info = useRun((s) => s.info);
  const map = useLatent();
  const decoded = useRun((s) => s.decoded);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [a, setA] = useState<Float32Array | null>(null);
  const [b, setB] = useState<Float32Array | null>(null);
  const [t, setT] = useState(0.5);
  const [offsets, setOffsets] = useState<number[]>([]);
  // Conditional graphs decode every latent tool's vectors for one chosen class.
  const [label, setLabel] = useState(0);
  const [picked, setPicked] = useState<number | null>(null);
  const classes = info?.modes.conditional ? info.data.numClasses : 0;
  const decodeLabel = classes > 0 ? Math.min(label, classes - 1) : undefined;
  const size = 240;

  const bounds = useMemo(() => {
    if (!map) return null;
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < map.n; i++) {
      x0 = Math.min(x0, map.points[2 * i]);
      x1 = Math.max(x1, map.points[2 * i]);
      y0 = Math.min(y0, map.points[2 * i + 1]);
      y1 = Math.max(y1, map.points[2 * i + 1]);
    }
    const px = (x1 - x0) * 0.05 + 1e-6;
    const py = (y1 - y0) * 0.05 + 1e-6;
    return { x0: x0 - px, x1: x1 + px, y0: y0 - py, y1: y1 + py };
  }, [map]);

  useEffect(() => {
    const c = canvas.current;
    if (!c || !map || !bounds) return;
    c.width = size;
    c.height = size;
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, size, size);
    for (let i = 0; i < map.n; i++) {
      const x = ((map.points[2 * i] - bounds.x0) / (bounds.x1 - bounds.x0)) * size;
      const y = size - ((map.points[2 * i + 1] - bounds.y0) / (bounds.y1 - bounds.y0)) * size;
      ctx.fillStyle = map.labels ? classColor(map.labels[i]) : '#4f46e5';
      ctx.globalAlpha = 0.75;
      ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
    }
    ctx.globalAlpha = 1;
  }, [map, bounds]);

  // Interpolation strip whenever both ends are set.
  useEffect(() => {
    if (!a || !b) return;
    const steps = 8;
    const z = new Float32Array(steps * a.length);
    for (let k = 0; k < steps; k++) for (let d = 0; d < a.length; d++) z[k * a.length + d] = a[d] + ((b[d] - a[d]) * k) / (steps - 1);
    run.decode('interpStrip', z, steps, decodeLabel);
  }, [a, b, decodeLabel]);

  // Live decode at the slider's t, and the traversal from A.
  useEffect(() => {
    if (!a || !b) return;
    const z = a.map((v, d) => v + (b[d] - v) * t);
    run.decode('interp', z, 1, decodeLabel);
  }, [a, b, t, decodeLabel]);
  useEffect(() => {
    if (!a) return;
    run.decode(
      'traverse',
      a.map((v, d) => v + (offsets[d] ?? 0)),
      1,
      decodeLabel,
    );
  }, [a, offsets, decodeLabel]);

  if (!info?.modes.encode || info.latentSize === 0) return null;
  const click = (e: React.MouseEvent<HTMLCanvasElement>) => {
    if (!map || !bounds) return;
    const r = e.currentTarget.getBoundingClientRect();
    const x = bounds.x0 + ((e.clientX - r.left) / r.width) * (bounds.x1 - bounds.x0);
    const y = bounds.y0 + (1 - (e.clientY - r.top) / r.height) * (bounds.y1 - bounds.y0);
    // Within 4 px of a plotted example: that example's own code and class.
    const reach = { x: (4 / r.width) * (bounds.x1 - bounds.x0), y: (4 / r.height) * (bounds.y1 - bounds.y0) };
    const pick = pickLatent(map, x, y, reach);
    const z = pick.z;
    const pickedLabel = classes > 0 && pick.label !== null && pick.label < classes ? pick.label : decodeLabel;
    if (pickedLabel !== undefined && pickedLabel !== label) setLabel(pickedLabel);
    setPicked(pick.example);
    run.decode('map', z, 1, pickedLabel);
    if (e.shiftKey) setB(z);
    else {
      setA(z);
      setOffsets([]);
    }
  };
  const img = (key: string, cols = 1) => {
    const d = decoded[key];
    return d && info.data.kind === 'image' ? (
      <ImageGrid images={d.images} n={d.n} shape={d.shape} cols={cols} testId={`decoded-${key}`} />
    ) : null;
  };
  const dims = Math.min(info.latentSize, 16);
  return (
    <>
      <div className="run-view">
        <h4>
          Latent map{' '}
          <span className="muted">
            {map ? (map.basis ? `PCA of ${map.dim}-D, ${Math.round((map.explained ?? 0) * 100)}% var.` : '2-D') : ''}
          </span>
          <span className="spacer" />
          {classes > 0 && (
            <select
              value={decodeLabel}
              onChange={(e) => setLabel(Number(e.target.value))}
              aria-label="class to decode"
              data-testid="latent-class"
              title="The class every latent tool decodes with (a conditional model needs one)"
            >
              {Array.from({ length: classes }, (_, i) => (
                <option key={i} value={i}>
                  {className(info, i)}
                </option>
              ))}
            </select>
          )}
          <button onClick={() => run.latentMap(1000)}>↻</button>
        </h4>
        <div style={{ display: 'flex', gap: 6 }}>
          <canvas
            ref={canvas}
            onClick={click}
            data-testid="latent-map"
            style={{ width: '70%', aspectRatio: '1', cursor: 'crosshair', border: '1px solid var(--border)' }}
          />
          <div style={{ width: '30%' }}>
            {img('map')}
            <p className="hint" data-testid="latent-picked">
              {picked !== null ? `example #${picked}: its own code` : 'a point of the map plane'}
            </p>
            <p className="hint">click: decode (sets A); shift-click: sets B. On a dot: that example&apos;s code.</p>
          </div>
        </div>
      </div>
      <div className="run-view">
        <h4>Interpolation A → B</h4>
        {a && b ? (
          <>
            {img('interpStrip', 8)}
            <input
              type="range"
              min={0}
              max={1}
              step={0.01}
              value={t}
              onChange={(e) => setT(Number(e.target.value))}
              aria-label="interpolation"
            />
            <div style={{ width: '30%' }}>{img('interp')}</div>
          </>
        ) : (
          <p className="hint">Click a point on the latent map for A, shift-click another for B.</p>
        )}
      </div>
      <div className="run-view">
        <h4>
          Traversal from A<span className="spacer" />
          {a && <button onClick={() => setOffsets([])}>zero</button>}
        </h4>
        {a ? (
          <div style={{ display: 'flex', gap: 6 }}>
            <div className="traversal" style={{ flex: 1 }}>
              {Array.from({ length: dims }, (_, d) => (
                <FragmentRow
                  key={d}
                  d={d}
                  value={offsets[d] ?? 0}
                  onChange={(v) =>
                    setOffsets((o) => {
                      const n = o.slice();
                      n[d] = v;
                      return n;
                    })
                  }
                />
              ))}
            </div>
            <div style={{ width: '30%' }}>{img('traverse')}</div>
          </div>
        ) : (
          <p className="hint">Click a point on the latent map to start from it.</p>
        )}
      </div>
    </>
  );
}

function FragmentRow({ d, value, onChange }: { d: number; value: number; onChange: (v: number) => void }) {
  return (
    <>
      <span>z{d}</span>
      <input
        type="range"
        min={-3}
        max={3}
        step={0.05}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
        aria-label={`latent dimension ${d}`}
      />
      <span>
        {value >= 0 ? '+' : ''}
        {value.toFixed(2)}
      </span>
    </>
  );
}

export function KlBars() {
  const info = useRun((s) => s.info);
  const kl = useRun((s) => s.kl);
  if (!info?.hasKl) return null;
  const values = kl ? Array.from(kl.perDim) : [];
  const max = Math.max(1e-6, ...values);
  const active = values.filter((v) => v >= 0.01).length;
  return (
    <div className="run-view">
      <h4>
        KL per latent dimension <span className="muted">{kl ? `${active}/${values.length} active` : ''}</span>
        <span className="spacer" />
        <button onClick={() => run.kl()}>↻</button>
      </h4>
      {kl ? (
        <div className="kl-bars" data-testid="kl-bars">
          {values.map((v, d) => (
            <div
              key={d}
              className={v < 0.01 ? 'collapsed' : ''}
              style={{ height: `${(v / max) * 100}%` }}
              title={`z${d}: ${v.toFixed(3)} nats`}
            />
          ))}
        </div>
      ) : (
        <p className="hint">Waiting for the first step.</p>
      )}
      <p className="hint">Grey bars (&lt; 0.01 nats) are collapsed: the decoder ignores those dimensions.</p>
    </div>
  );
}

export function NodePreview({ nodeId }: { nodeId: string | null }) {
  const info = useRun((s) => s.info);
  const preview = useRun((s) => s.preview);
  useEffect(() => {
    if (nodeId && info?.previewable.includes(nodeId)) run.preview(nodeId);
  }, [nodeId, info]);
  if (!nodeId || !info?.previewable.includes(nodeId)) return null;
  const p = preview && preview.nodeId === nodeId ? preview : null;
  const body = p ? <ActivationView view={p.view} /> : <p className="hint">Computing…</p>;
  return (
    <>
      <div className="run-view">
        <h4>
          Output of {nodeId} <span className="muted">{p ? p.shape.join('×') : ''}</span>
          <span className="spacer" />
          <button onClick={() => run.preview(nodeId)}>↻</button>
        </h4>
        {body}
      </div>
      {p?.inputGradient && <InputGradientView g={p.inputGradient} />}
      <GradientCurve nodeId={nodeId} />
    </>
  );
}

/** ∂loss/∂input as a picture: bright where a small change of the input would move the loss most. */
function InputGradientView({ g }: { g: InputGradient }) {
  const source = `${g.from.node}.${g.from.port}`;
  return (
    <div className="run-view" data-testid="input-gradient">
      <h4>
        ∂loss/∂{g.port} <span className="muted">of example 1, {g.optimizer}’s loss</span>
      </h4>
      <ImageGrid images={g.image} n={1} shape={[g.height, g.width, 1]} cols={1} testId="input-gradient-canvas" />
      <p className="hint">
        |∂loss/∂{g.port}| summed over {g.channels} channel{g.channels === 1 ? '' : 's'}, where {g.port} is {source}: white marks{' '}
        {g.max > 0 ? `the largest, ${g.max.toExponential(2)}` : 'nothing: this loss does not move with the input'}. Bright pixels are where
        a small change of the input would move the loss most.
      </p>
    </div>
  );
}
