/**
 * Compiled graphs against hand-written TF.js on the same backend: the VAE
 * preset's step time over a hand-written VAE, steps/s of every preset, the live
 * tensor count over 500 steps, and compile time of a 200-node graph.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { registry } from '../nodes/index';
import { compile } from '../src/compiler/compile';
import type { Plan } from '../src/compiler/plan';
import { createBatcher } from '../src/data/batcher';
import type { GraphDocument } from '../src/graph/document';
import { loadDocumentText } from '../src/graph/load';
import { CompiledModel } from '../src/runtime/model';
import { loadPlanData } from '../src/runtime/planData';
import * as tf from '../src/runtime/tf';

const presetDir = new URL('../presets/', import.meta.url);

export function loadPreset(name: string): GraphDocument {
  const r = loadDocumentText(readFileSync(new URL(name, presetDir), 'utf8'), name, registry);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}

export const presetFiles = () =>
  readdirSync(presetDir)
    .filter((f) => f.endsWith('.json'))
    .sort();

/** A graph of convolutions (or a U-Net, built of them) takes seconds a round: time fewer rounds of it. */
export const isHeavy = (plan: Plan) => plan.nodes.some((n) => n.type.toLowerCase().includes('conv') || n.type === 'unet');

export function planOf(doc: GraphDocument): Plan {
  const r = compile(doc, registry);
  if (!r.plan) throw new Error(`${doc.meta.title}: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.plan;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ms per call of `step` after `warmup` calls. */
function time(step: () => void, warmup: number, reps: number): number {
  for (let i = 0; i < warmup; i++) step();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    step();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Kingma & Welling's MLP VAE written directly against TF.js, as a reference for the compiler's overhead. */
function handWrittenVae(batchSize: number) {
  const glorot = (i: number, o: number) =>
    tf.variable(tf.randomUniform([i, o], -Math.sqrt(6 / (i + o)), Math.sqrt(6 / (i + o)), 'float32', 1));
  const w = { e: glorot(784, 512), mu: glorot(512, 20), lv: glorot(512, 20), d: glorot(20, 512), o: glorot(512, 784) };
  const b = {
    e: tf.variable(tf.zeros([512])),
    mu: tf.variable(tf.zeros([20])),
    lv: tf.variable(tf.zeros([20])),
    d: tf.variable(tf.zeros([512])),
    o: tf.variable(tf.zeros([784])),
  };
  const vars = [...Object.values(w), ...Object.values(b)];
  const opt: tf.Optimizer = tf.train.adam(1e-3);
  let seed = 0;
  return (x: Float32Array) => {
    const loss = tf.tidy(() => {
      const xs = tf.tensor2d(x, [batchSize, 784]);
      const { value, grads } = tf.variableGrads(() => {
        const h = tf.relu(tf.matMul(xs, w.e).add(b.e));
        const mu = tf.matMul(h, w.mu).add(b.mu);
        const lv = tf.matMul(h, w.lv).add(b.lv);
        const z = mu.add(tf.exp(lv.mul(0.5)).mul(tf.randomNormal(mu.shape, 0, 1, 'float32', seed++)));
        const logits = tf.matMul(tf.relu(tf.matMul(z, w.d).add(b.d)), w.o).add(b.o);
        const nll = tf
          .relu(logits)
          .sub(logits.mul(xs))
          .add(tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))
          .sum(1)
          .mean();
        const kl = tf.add(1, lv).sub(mu.square()).sub(tf.exp(lv)).mul(-0.5).sum(1).mean();
        return nll.add(kl) as tf.Scalar;
      }, vars);
      opt.applyGradients(grads);
      return tf.stack([value]);
    });
    loss.dataSync();
    loss.dispose();
  };
}

export async function runCompiledBench(log: (s: string) => void): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const vaePlan = planOf(loadPreset('vae.json'));
  const data = await loadPlanData(vaePlan);
  const batcher = createBatcher(data, vaePlan.data.batchSize, 1);
  const batches = Array.from({ length: 8 }, () => ({ ...batcher.next(), size: vaePlan.data.batchSize }));
  let i = 0;
  const compiled = new CompiledModel(vaePlan);
  const hand = handWrittenVae(vaePlan.data.batchSize);
  // Interleave the two so machine noise hits both alike.
  const compiledTimes: number[] = [];
  const handTimes: number[] = [];
  for (let round = 0; round < 6; round++) {
    compiledTimes.push(time(() => compiled.trainRound(() => batches[i++ % 8]), round === 0 ? 5 : 0, 10));
    handTimes.push(time(() => hand(batches[i++ % 8].x), round === 0 ? 5 : 0, 10));
  }
  out['vae.compiled_ms'] = median(compiledTimes);
  out['vae.handwritten_ms'] = median(handTimes);
  out['vae.compiled_over_handwritten'] = out['vae.compiled_ms'] / out['vae.handwritten_ms'];
  log(
    `VAE step: compiled ${out['vae.compiled_ms'].toFixed(1)} ms, hand-written ${out['vae.handwritten_ms'].toFixed(1)} ms, ratio ${out['vae.compiled_over_handwritten'].toFixed(3)} (goal ≤ 1.05)`,
  );

  const before = tf.memory().numTensors;
  for (let s = 0; s < 500; s++) compiled.trainRound(() => batches[s % 8]);
  out['vae.live_tensors_step_start'] = before;
  out['vae.live_tensors_after_500_steps'] = tf.memory().numTensors;
  log(`live tensors: ${before} before, ${tf.memory().numTensors} after 500 more steps`);
  compiled.dispose();

  for (const file of presetFiles()) {
    const plan = planOf(loadPreset(file));
    const ds = await loadPlanData(plan);
    const b = createBatcher(ds, plan.data.batchSize, 1);
    const model = new CompiledModel(plan);
    const ms = time(() => model.trainRound(() => ({ ...b.next(), size: plan.data.batchSize })), 2, isHeavy(plan) ? 3 : 15);
    const name = file.replace('.json', '');
    out[`${name}.step_ms`] = ms;
    out[`${name}.steps_per_s`] = 1000 / ms;
    log(`${name}: ${(1000 / ms).toFixed(2)} steps/s (${ms.toFixed(0)} ms/step, batch ${plan.data.batchSize})`);
    model.dispose();
  }

  // PixelCNN sampling, one pixel for 16 canvases: the band of rows it depends on vs the whole image.
  const pixPlan = planOf(loadPreset('pixelcnn.json'));
  const g = pixPlan.modes.generate!;
  const banded = new CompiledModel(pixPlan);
  const whole = new CompiledModel({ ...pixPlan, modes: { ...pixPlan.modes, generate: { ...g, rowsAbove: null } } });
  const batch = { x: new Float32Array(16 * 784), size: 16 };
  let pixel = 0;
  const next = () => (pixel = (pixel + 97) % 784); // visits every row
  out['pixelcnn.sample_pixel_band_ms'] = time(() => banded.pixelOutputs(batch, next()), 3, 28);
  out['pixelcnn.sample_pixel_whole_ms'] = time(() => whole.pixelOutputs(batch, next()), 3, 28);
  out['pixelcnn.sample_band_speedup'] = out['pixelcnn.sample_pixel_whole_ms'] / out['pixelcnn.sample_pixel_band_ms'];
  log(
    `PixelCNN sampling, per pixel of 16 samples: rows above only ${out['pixelcnn.sample_pixel_band_ms'].toFixed(1)} ms, ` +
      `whole image ${out['pixelcnn.sample_pixel_whole_ms'].toFixed(1)} ms (${out['pixelcnn.sample_band_speedup'].toFixed(1)}x); ` +
      `a 16-sample grid takes ${((out['pixelcnn.sample_pixel_band_ms'] * 784) / 1000).toFixed(0)} s`,
  );
  banded.dispose();
  whole.dispose();
  return out;
}

/** The VAE with a chain of Dense layers spliced in before its encoder, `size` nodes in all. */
export function bigGraph(size = 200): GraphDocument {
  const doc = structuredClone(loadPreset('vae.json'));
  doc.edges = doc.edges.filter((e) => !(e.source === 'flat' && e.target === 'enc'));
  let prev = 'flat';
  for (let k = 0; doc.nodes.length < size; k++) {
    doc.nodes.push({ id: `h${k}`, type: 'dense', position: { x: k * 10, y: 600 }, params: { units: 64, activation: 'relu' } });
    doc.edges.push({ id: `h${k}e`, source: prev, sourcePort: 'y', target: `h${k}`, targetPort: 'x' });
    prev = `h${k}`;
  }
  doc.edges.push({ id: 'tail', source: prev, sourcePort: 'y', target: 'enc', targetPort: 'x' });
  return doc;
}

export function runEditorBench(log: (s: string) => void): Record<string, number> {
  const doc = bigGraph();
  const ms = time(
    () => {
      doc.nodes[5].params.units = 64 + Math.floor(Math.random() * 8);
      compile(doc, registry);
    },
    20,
    100,
  );
  log(`re-validation + shape inference after one edit, 200-node graph: ${ms.toFixed(2)} ms (goal ≤ 16 ms)`);
  return { 'editor.revalidate_200_nodes_ms': ms };
}
