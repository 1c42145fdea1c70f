/**
 * A compiled plan built on a TF.js backend: variables, optimizers and the
 * forward pass in every mode. Every step runs inside tf.tidy so the number of
 * live tensors stays flat; randomness comes from a seeded counter so the same
 * document, seed, data and backend give the same run.
 */
import type { DisplayTransform } from '../graph/nodeApi';
import { bernoulliNllFromLogits } from '../../nodes/lib/bernoulli';
import * as tf from './tf';
import type { BuiltNode, CallContext, Init, Mode, Tensor } from '../graph/nodeApi';
import { exampleSize } from '../graph/shape';
import type { CompiledNode, OptimizerPlan, Plan, PortRef } from '../compiler/plan';

export interface Batch {
  /** B × prod(data shape) values. */
  x: Float32Array;
  /** B × classes one-hot, when the data is labelled. */
  oneHot?: Float32Array;
  size: number;
}

export interface StepResult {
  step: number;
  /** Each loss term by display name, plus each optimizer's total under its id. */
  losses: Record<string, number>;
}

export class TrainingDiverged extends Error {
  constructor(
    public step: number,
    public term: string,
    public value: number,
  ) {
    super(`training diverged at step ${step}: ${term} became ${value}. Lower the learning rate or restore the last checkpoint.`);
  }
}

/**
 * One pixel of every canvas, drawn from the net's output there (pixelOutputs:
 * n logits, or n×256 for a 256-way categorical) with the uniform u[b] of canvas b.
 */
export function drawPixels(out: Float32Array, transform: DisplayTransform, u: ArrayLike<number>): Float32Array {
  const values = new Float32Array(u.length);
  for (let b = 0; b < u.length; b++) {
    if (transform === 'categorical256') {
      const base = b * 256;
      let max = -Infinity;
      for (let k = 0; k < 256; k++) max = Math.max(max, out[base + k]);
      let sum = 0;
      for (let k = 0; k < 256; k++) sum += Math.exp(out[base + k] - max);
      let acc = 0;
      let v = 255;
      for (let k = 0; k < 256; k++)
        if ((acc += Math.exp(out[base + k] - max) / sum) > u[b]) {
          v = k;
          break;
        }
      values[b] = v / 255;
    } else {
      const p = transform === 'sigmoid' ? 1 / (1 + Math.exp(-out[b])) : out[b];
      values[b] = u[b] < p ? 1 : 0;
    }
  }
  return values;
}

/** Reads a tensor synchronously and disposes it. */
function readSync(t: tf.Tensor): Float32Array {
  try {
    return t.dataSync() as Float32Array;
  } finally {
    t.dispose();
  }
}

/** Reads tensors with `await data()` (all queued at once) and disposes them, whatever happens. */
async function readAll(tensors: tf.Tensor[]): Promise<Float32Array[]> {
  try {
    return (await Promise.all(tensors.map((t) => t.data()))) as Float32Array[];
  } finally {
    tensors.forEach((t) => t.dispose());
  }
}

const refKey = (r: PortRef) => `${r.node}\u0000${r.port}`;

/** TF.js variable names are global to the engine; this keeps two models' names apart. */
let modelInstances = 0;

export class CompiledModel {
  readonly plan: Plan;
  private built = new Map<string, BuiltNode>();
  private variables = new Map<string, tf.Variable>();
  private stateVariables = new Map<string, tf.Variable>();
  private optimizers = new Map<string, tf.Optimizer>();
  private trainVars = new Map<string, tf.Variable[]>();
  /** Seeded draws: every random tensor gets seed = base + counter++, so runs repeat exactly. */
  private randomCounter = 0;
  private readonly baseSeed: number;
  private readonly instance = ++modelInstances;
  step = 0;

  constructor(plan: Plan, opts: { seed?: number } = {}) {
    this.plan = plan;
    this.baseSeed = (opts.seed ?? plan.seed) >>> 0;
    this.build();
  }

  private nextSeed(): number {
    return (this.baseSeed * 7919 + this.randomCounter++) % 2147483647;
  }

  private init(shape: number[], init: Init): tf.Tensor {
    if (init === 'zeros') return tf.zeros(shape);
    if (init === 'ones') return tf.ones(shape);
    const fanOut = shape[shape.length - 1] ?? 1;
    const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : shape[0];
    // Convolution kernels [kh, kw, in, out]: the receptive field counts towards both fans.
    const receptive = shape.length === 4 ? shape[0] * shape[1] : 1;
    if (init === 'glorotUniform') {
      const limit = Math.sqrt(6 / (fanIn + fanOut * receptive));
      return tf.randomUniform(shape, -limit, limit, 'float32', this.nextSeed());
    }
    const std = init === 'heNormal' ? Math.sqrt(2 / fanIn) : init.normal;
    return tf.randomNormal(shape, 0, std, 'float32', this.nextSeed());
  }

  private build() {
    for (const node of this.plan.nodes) {
      const owner = node.weightOwner;
      // Not in tidy: a build may keep constants (e.g. a convolution mask) for the model's lifetime.
      const built = node.def.build(
        {
          tf,
          nodeId: node.id,
          inputShapes: node.inputShapes,
          outputShapes: node.outputShapes,
          variable: (name, shape, init) => this.getVariable(`${owner}/${name}`, shape, init, true),
          state: (name, shape, init) => this.getVariable(`${owner}/${name}`, shape, init, false),
        },
        node.params as never,
      );
      this.built.set(node.id, built);
      if (built.optimizer) this.optimizers.set(node.id, built.optimizer);
    }
    for (const opt of this.plan.optimizers) {
      const vars = [...this.variables.entries()]
        .filter(([name]) => opt.trains.some((owner) => name.startsWith(`${owner}/`) && !name.slice(owner.length + 1).includes('/')))
        .map(([, v]) => v);
      this.trainVars.set(opt.id, vars);
    }
  }

  private getVariable(name: string, shape: number[], init: Init, trainable: boolean): tf.Variable {
    const store = trainable ? this.variables : this.stateVariables;
    const existing = store.get(name);
    if (existing) {
      if (existing.shape.join() !== shape.join())
        throw new Error(`shared variable ${name} has shape ${existing.shape} but ${shape} was asked for`);
      return existing;
    }
    const initial = this.init(shape, init);
    const v = tf.variable(initial, trainable, `m${this.instance}/${trainable ? '' : 'state/'}${name.replace(/[^A-Za-z0-9_./-]/g, '_')}`);
    // The variable keeps its own reference to the data; without this the initial tensor outlives every rebuild.
    initial.dispose();
    store.set(name, v);
    return v;
  }

  /** Trainable variables by their stable name (owner/variable). */
  get namedVariables(): ReadonlyMap<string, tf.Variable> {
    return this.variables;
  }

  /** A batch from the data pipeline (arrays) or one the model made itself (tensors, e.g. a PixelCNN canvas). */
  private callContext(mode: Mode, training: boolean, batch: Batch | { size: number; x: Tensor; labels: Tensor | null }): CallContext {
    const made = batch.x instanceof tf.Tensor;
    const x = made ? (batch.x as Tensor) : tf.tensor(batch.x as Float32Array, [batch.size, ...this.plan.data.shape]);
    const oneHot = (batch as Batch).oneHot;
    const labels = made
      ? (batch as { labels: Tensor | null }).labels
      : oneHot
        ? tf.tensor(oneHot, [batch.size, this.plan.data.numClasses])
        : null;
    return {
      tf,
      mode,
      training,
      batchSize: batch.size,
      randomNormal: (shape) => tf.randomNormal(shape, 0, 1, 'float32', this.nextSeed()),
      randomUniform: (shape, low, high) => tf.randomUniform(shape, low, high, 'float32', this.nextSeed()),
      batch: { x, labels },
    };
  }

  /** Runs the nodes needed for `targets` in `mode`; returns every computed port. Call inside tidy. */
  private forward(targets: PortRef[], call: CallContext): Map<string, Tensor> {
    const needed = new Set<string>();
    const stack = targets.map((t) => t.node);
    while (stack.length) {
      const id = stack.pop()!;
      if (needed.has(id)) continue;
      needed.add(id);
      const n = this.plan.byId[id];
      const used = n.def.inputsUsedIn?.(call.mode) ?? 'all';
      for (const [port, ref] of Object.entries(n.inputs)) if (used === 'all' || used.includes(port)) stack.push(ref.node);
    }
    const values = new Map<string, Tensor>();
    for (const node of this.plan.nodes) {
      if (!needed.has(node.id)) continue;
      const used = node.def.inputsUsedIn?.(call.mode) ?? 'all';
      const inputs: Record<string, Tensor> = {};
      for (const [port, ref] of Object.entries(node.inputs)) {
        if (used !== 'all' && !used.includes(port)) continue;
        inputs[port] = values.get(refKey(ref))!;
      }
      const out = this.built.get(node.id)!.forward(inputs, call);
      for (const [port, t] of Object.entries(out)) values.set(refKey({ node: node.id, port }), t);
    }
    return values;
  }

  /** One training round: every optimizer takes its stepsPerRound steps, each on a fresh batch. */
  trainRound(nextBatch: () => Batch, only?: string): StepResult {
    const losses: Record<string, number> = {};
    for (const opt of this.plan.optimizers) {
      if (only && opt.id !== only) continue;
      for (let k = 0; k < opt.stepsPerRound; k++) {
        Object.assign(losses, this.lossesOf(opt, readSync(this.optimizerStep(opt, nextBatch()))));
      }
    }
    return this.finishRound(losses);
  }

  /**
   * trainRound with the losses read by `await data()`: the same steps, batches,
   * random draws and divergence check. Every optimizer step of the round is
   * queued before the first read, so the GPU runs the round in one go. WebGPU
   * needs this: a synchronous read there goes through a canvas and, in a
   * worker, can return zeros or hang.
   */
  async trainRoundAsync(nextBatch: () => Batch, only?: string): Promise<StepResult> {
    const opts: OptimizerPlan[] = [];
    const values: tf.Tensor[] = [];
    try {
      for (const opt of this.plan.optimizers) {
        if (only && opt.id !== only) continue;
        for (let k = 0; k < opt.stepsPerRound; k++) {
          values.push(this.optimizerStep(opt, nextBatch()));
          opts.push(opt);
        }
      }
    } catch (e) {
      values.forEach((t) => t.dispose());
      throw e;
    }
    const read = await readAll(values);
    const losses: Record<string, number> = {};
    opts.forEach((opt, i) => Object.assign(losses, this.lossesOf(opt, read[i])));
    return this.finishRound(losses);
  }

  private finishRound(losses: Record<string, number>): StepResult {
    this.step++;
    for (const [name, value] of Object.entries(losses)) if (!Number.isFinite(value)) throw new TrainingDiverged(this.step, name, value);
    return { step: this.step, losses };
  }

  private lossesOf(opt: OptimizerPlan, numbers: ArrayLike<number>): Record<string, number> {
    const out: Record<string, number> = { [opt.id]: numbers[0] };
    opt.terms.forEach((id, i) => (out[this.plan.lossNames[id]] = numbers[i + 1]));
    return out;
  }

  /** One optimizer update; returns [total, ...terms] as one tensor for the caller to read and dispose. */
  private optimizerStep(opt: OptimizerPlan, batch: Batch): tf.Tensor {
    const optimizer = this.optimizers.get(opt.id)!;
    const vars = this.trainVars.get(opt.id)!;
    const termIds = opt.terms;
    return tf.tidy(() => {
      const call = this.callContext('train', true, batch);
      let kept: Tensor[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const computed = this.forward([opt.loss], call);
        // Keep each term alive past the gradient tape's own tidy so it can be reported.
        kept = termIds.map((id) => tf.keep(computed.get(refKey({ node: id, port: 'loss' }))!));
        return computed.get(refKey(opt.loss)) as tf.Scalar;
      }, vars);
      optimizer.applyGradients(grads);
      const all = tf.stack([value, ...kept]);
      kept.forEach((t) => t.dispose());
      return all;
    });
  }

  /** Loss terms without updating anything (held-out data), in evaluate mode. */
  evaluateLosses(batch: Batch): Record<string, number> {
    const out: Record<string, number> = {};
    for (const opt of this.plan.optimizers) Object.assign(out, this.lossesOf(opt, readSync(this.evaluateTensor(opt, batch))));
    return out;
  }

  /** evaluateLosses read with `await data()` (WebGPU). */
  async evaluateLossesAsync(batch: Batch): Promise<Record<string, number>> {
    const tensors = this.plan.optimizers.map((opt) => this.evaluateTensor(opt, batch));
    const read = await readAll(tensors);
    const out: Record<string, number> = {};
    this.plan.optimizers.forEach((opt, i) => Object.assign(out, this.lossesOf(opt, read[i])));
    return out;
  }

  private evaluateTensor(opt: OptimizerPlan, batch: Batch): tf.Tensor {
    return tf.tidy(() => {
      const computed = this.forward([opt.loss], this.callContext('evaluate', false, batch));
      return tf.stack([computed.get(refKey(opt.loss))!, ...opt.terms.map((id) => computed.get(refKey({ node: id, port: 'loss' }))!)]);
    });
  }

  /**
   * Importance-sampled negative log-likelihood (Burda et al. 2015) of a VAE with a
   * Bernoulli decoder: −log (1/K) Σₖ p(x|zₖ) p(zₖ) / q(zₖ|x), zₖ ~ q(z|x), in nats per
   * example. Tighter than the ELBO; it approaches the true NLL as K grows.
   */
  importanceSampledNll(batch: Batch, samples: number): number {
    const sampler = this.plan.nodes.find((n) => n.def.role === 'sampler');
    const recon = this.plan.nodes.find((n) => n.def.reconstruction);
    if (!sampler || !recon || recon.def.reconstruction!.transform(recon.params as never) !== 'sigmoid')
      throw new Error('importance sampling needs a Sampler and a Bernoulli (logit) reconstruction loss');
    const { prediction, target } = recon.def.reconstruction!;
    const refs = [
      recon.inputs[prediction],
      recon.inputs[target],
      sampler.inputs.mean,
      sampler.inputs.logVar,
      { node: sampler.id, port: 'z' },
    ];
    const LOG_2PI = Math.log(2 * Math.PI);
    const nll = tf.tidy(() => {
      const logWeights: Tensor[] = [];
      for (let k = 0; k < samples; k++) {
        const values = this.forward(refs, this.callContext('evaluate', false, batch));
        const [logits, x, mean, logVar, z] = refs.map((r) => values.get(refKey(r))!.reshape([batch.size, -1]));
        const logPx = tf.neg(bernoulliNllFromLogits(tf, logits, x)).sum(1);
        const logPz = z.square().add(LOG_2PI).mul(-0.5).sum(1);
        const logQz = z.sub(mean).square().div(tf.exp(logVar)).add(logVar).add(LOG_2PI).mul(-0.5).sum(1);
        logWeights.push(logPx.add(logPz).sub(logQz));
      }
      return tf.logSumExp(tf.stack(logWeights, 1), 1).sub(Math.log(samples)).neg().mean();
    });
    const value = nll.dataSync()[0];
    nll.dispose();
    return value;
  }

  /** Data-space values (B × prod(data shape)) for a model output, e.g. sigmoid of logits. */
  private toDataSpace(t: Tensor, transform: string, n: number): Tensor {
    const shape = [n, ...this.plan.data.shape];
    if (transform === 'sigmoid') return tf.sigmoid(t).reshape(shape);
    if (transform === 'categorical256')
      return tf
        .argMax(t.reshape([n, exampleSize(this.plan.data.shape), 256]), -1)
        .toFloat()
        .div(255)
        .reshape(shape);
    // Images live in [0, 1]; 2-D points are unbounded.
    return this.plan.data.kind === 'image' ? t.reshape(shape).clipByValue(0, 1) : t.reshape(shape);
  }

  private oneHotFor(n: number, label: number | undefined): Tensor | null {
    const classes = this.plan.data.numClasses;
    if (!classes) return null;
    const labels = Array.from({ length: n }, (_, i) => (label === undefined ? i % classes : label));
    return tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat();
  }

  /** n samples from the prior; for conditional models, of `label` (or cycling through classes). */
  generate(n: number, label?: number): Float32Array {
    if (this.plan.modes.generate?.autoregressive) return this.generateAutoregressive(n, label);
    return readSync(this.generateTensor(n, label));
  }

  /**
   * generate read with `await data()`. Not for autoregressive graphs. Every random
   * draw happens before the first await, so withFixedRandom around it still fixes them.
   */
  async generateAsync(n: number, label?: number): Promise<Float32Array> {
    if (this.plan.modes.generate?.autoregressive) throw new Error('autoregressive graphs sample pixel by pixel (probe each pixel)');
    const t = this.generateTensor(n, label);
    return (await readAll([t]))[0];
  }

  private generateTensor(n: number, label?: number): tf.Tensor {
    const g = this.plan.modes.generate;
    if (!g) throw new Error('this graph cannot generate: it has no Sampler or Noise node feeding a data-shaped output');
    return tf.tidy(() => {
      const x = tf.zeros([n, ...this.plan.data.shape]);
      const call = this.callContext('generate', false, { size: n, x, labels: this.oneHotFor(n, label) });
      const out = this.forward([g.output], call).get(refKey(g.output))!;
      return this.toDataSpace(out, g.transform, n);
    });
  }

  /**
   * Pixel by pixel: run the net on the canvas so far, draw the next value from its
   * predicted distribution, write it in. `onPixel` lets a view draw as it goes.
   */
  generateAutoregressive(n: number, label?: number, onPixel?: (index: number, canvas: Float32Array) => void): Float32Array {
    const g = this.plan.modes.generate!;
    const size = exampleSize(this.plan.data.shape);
    const canvas = new Float32Array(n * size);
    const oneHot = this.plan.data.numClasses > 0 ? readSync(tf.tidy(() => this.oneHotFor(n, label)!)) : undefined;
    const uniforms = () => tf.tidy(() => tf.randomUniform([n], 0, 1, 'float32', this.nextSeed()).dataSync());
    for (let i = 0; i < size; i++) {
      const values = drawPixels(this.pixelOutputs({ x: canvas, oneHot, size: n }, i), g.transform, uniforms());
      for (let b = 0; b < n; b++) canvas[b * size + i] = values[b];
      onPixel?.(i, canvas);
    }
    return canvas;
  }

  /**
   * The generate output at pixel `index` of every canvas in `batch`: n values,
   * or n×256 logits. Where the plan knows how many rows above a pixel the net
   * reads (rowsAbove: masked convolutions), only that band of rows is run,
   * which gives the same values for a fraction of the work.
   */
  pixelOutputs(batch: Batch, index: number): Float32Array {
    return readSync(this.pixelTensor(batch, index));
  }

  async pixelOutputsAsync(batch: Batch, index: number): Promise<Float32Array> {
    return (await readAll([this.pixelTensor(batch, index)]))[0];
  }

  private pixelTensor(batch: Batch, index: number): tf.Tensor {
    const g = this.plan.modes.generate;
    if (!g?.autoregressive) throw new Error('this graph is not autoregressive');
    const shape = this.plan.data.shape;
    const n = batch.size;
    const size = exampleSize(shape);
    let band = { x: batch.x, shape: [n, ...shape], cells: size, offset: index };
    if (g.rowsAbove !== null && shape.length === 3) {
      const rowSize = shape[1] * shape[2];
      const row = Math.floor(index / rowSize);
      const first = Math.max(0, row - g.rowsAbove);
      const rows = row - first + 1;
      const x = new Float32Array(n * rows * rowSize);
      for (let b = 0; b < n; b++) x.set(batch.x.subarray(b * size + first * rowSize, b * size + (row + 1) * rowSize), b * rows * rowSize);
      band = { x, shape: [n, rows, shape[1], shape[2]], cells: rows * rowSize, offset: index - first * rowSize };
    }
    const per = g.transform === 'categorical256' ? 256 : 1;
    return tf.tidy(() => {
      const x = tf.tensor(band.x, band.shape);
      const labels = batch.oneHot ? tf.tensor(batch.oneHot, [n, this.plan.data.numClasses]) : null;
      const out = this.forward([g.output], this.callContext('generate', false, { size: n, x, labels })).get(refKey(g.output))!;
      return out
        .reshape([n, band.cells, per])
        .gather([band.offset], 1)
        .reshape(per === 1 ? [n] : [n, per]);
    });
  }

  reconstruct(batch: Batch): Float32Array {
    return readSync(this.reconstructTensor(batch));
  }

  async reconstructAsync(batch: Batch): Promise<Float32Array> {
    const t = this.reconstructTensor(batch);
    return (await readAll([t]))[0];
  }

  private reconstructTensor(batch: Batch): tf.Tensor {
    const r = this.plan.modes.reconstruct;
    if (!r) throw new Error('this graph cannot reconstruct: no reconstruction loss compares its output with the data');
    return tf.tidy(() => {
      const out = this.forward([r.output], this.callContext('reconstruct', false, batch)).get(refKey(r.output))!;
      return this.toDataSpace(out, r.transform, batch.size);
    });
  }

  /** Latent means (B × latentSize). */
  encode(batch: Batch): Float32Array {
    return readSync(this.encodeTensor(batch));
  }

  async encodeAsync(batch: Batch): Promise<Float32Array> {
    const t = this.encodeTensor(batch);
    return (await readAll([t]))[0];
  }

  private encodeTensor(batch: Batch): tf.Tensor {
    const e = this.plan.modes.encode;
    if (!e) throw new Error('this graph has no latent code to encode to');
    return tf.tidy(() =>
      this.forward([e.latent], this.callContext('encode', false, batch))
        .get(refKey(e.latent))!
        .clone(),
    );
  }

  /** Decodes given latent vectors through the generate path (latent traversal, interpolation, map clicks). */
  decode(latents: Float32Array, n: number, label?: number): Float32Array {
    return readSync(this.decodeTensor(latents, n, label));
  }

  async decodeAsync(latents: Float32Array, n: number, label?: number): Promise<Float32Array> {
    const t = this.decodeTensor(latents, n, label);
    return (await readAll([t]))[0];
  }

  private decodeTensor(latents: Float32Array, n: number, label?: number): tf.Tensor {
    const g = this.plan.modes.generate;
    const e = this.plan.modes.encode;
    if (!g || !e || g.autoregressive) throw new Error('this graph cannot decode latent vectors');
    const sampler = this.plan.nodes.find((node) => node.def.role === 'sampler' || node.def.role === 'noise');
    if (!sampler) throw new Error('no sampler or noise node to feed the latent vectors into');
    return tf.tidy(() => {
      const z = tf.tensor(latents, [n, e.latentSize]);
      const call = this.callContext('generate', false, {
        size: n,
        x: tf.zeros([n, ...this.plan.data.shape]),
        labels: this.oneHotFor(n, label),
      });
      const draw = call.randomNormal;
      call.randomNormal = (shape) =>
        shape[0] === n && shape.slice(1).reduce((a, b) => a * b, 1) === e.latentSize ? z.reshape(shape) : draw(shape);
      const out = this.forward([g.output], call).get(refKey(g.output))!;
      return this.toDataSpace(out, g.transform, n);
    });
  }

  /**
   * Runs `fn` with the random stream at a fixed position, then puts the training
   * stream back: fixed-seed previews (sample grids) that never perturb training.
   */
  withFixedRandom<T>(counter: number, fn: () => T): T {
    const saved = this.randomCounter;
    this.randomCounter = counter;
    try {
      return fn();
    } finally {
      this.randomCounter = saved;
    }
  }

  /** Values of chosen ports for one batch (per-node preview, per-dimension KL). Nothing is updated. */
  probe(batch: Batch, refs: PortRef[], mode: Mode = 'train'): { shape: number[]; data: Float32Array }[] {
    return this.probeTensors(batch, refs, mode).map((t) => ({ shape: t.shape.slice(), data: readSync(t) }));
  }

  async probeAsync(batch: Batch, refs: PortRef[], mode: Mode = 'train'): Promise<{ shape: number[]; data: Float32Array }[]> {
    const tensors = this.probeTensors(batch, refs, mode);
    const shapes = tensors.map((t) => t.shape.slice());
    const read = await readAll(tensors);
    return read.map((data, i) => ({ shape: shapes[i], data }));
  }

  private probeTensors(batch: Batch, refs: PortRef[], mode: Mode): tf.Tensor[] {
    return tf.tidy(() => {
      const computed = this.forward(refs, this.callContext(mode, false, batch));
      return refs.map((r) => computed.get(refKey(r))!.clone());
    });
  }

  /** Snapshot for checkpoints: weights, state, optimizer slots, step and random counter. */
  async saveState(opts: { sync?: boolean } = {}): Promise<ModelState> {
    // `sync`: read with dataSync (never on WebGPU, where a synchronous read goes
    // through a canvas and returns zeros in a worker on SwiftShader).
    const read = async (t: tf.Tensor) => (opts.sync ? t.dataSync() : await t.data()) as Float32Array;
    const tensors: ModelState['tensors'] = {};
    for (const [name, v] of this.variables) tensors[`var:${name}`] = { shape: v.shape, data: await read(v) };
    for (const [name, v] of this.stateVariables) tensors[`state:${name}`] = { shape: v.shape, data: await read(v) };
    for (const [id, opt] of this.optimizers) {
      const slots = await opt.getWeights();
      for (const [i, slot] of slots.entries())
        tensors[`opt:${id}:${i}`] = { shape: slot.tensor.shape, data: await read(slot.tensor), name: slot.name };
      // getWeights makes a fresh scalar for the iteration count (the other slots are the optimizer's own variables).
      for (const slot of slots) if (slot.name === 'iter') slot.tensor.dispose();
    }
    return { step: this.step, randomCounter: this.randomCounter, tensors };
  }

  async loadState(state: ModelState): Promise<void> {
    for (const [key, t] of Object.entries(state.tensors)) {
      const [kind, ...rest] = key.split(':');
      if (kind === 'opt') continue;
      const name = rest.join(':');
      const v = (kind === 'var' ? this.variables : this.stateVariables).get(name);
      if (!v) throw new Error(`checkpoint has ${name}, which this graph does not`);
      if (v.shape.join() !== t.shape.join())
        throw new Error(`checkpoint ${name} is ${t.shape.join('×')} but the graph needs ${v.shape.join('×')}`);
      tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
    }
    // Optimizer slots (iteration count, moments) are positional, in the order getWeights gave them.
    for (const [id, opt] of this.optimizers) {
      const slots: { name: string; tensor: tf.Tensor }[] = [];
      for (let i = 0; state.tensors[`opt:${id}:${i}`]; i++) {
        const saved = state.tensors[`opt:${id}:${i}`];
        slots.push({ name: saved.name ?? `slot${i}`, tensor: tf.tensor(saved.data, saved.shape) });
      }
      if (slots.length) await opt.setWeights(slots);
      slots.forEach((s) => s.tensor.dispose());
    }
    this.step = state.step;
    this.randomCounter = state.randomCounter;
  }

  setLearningRate(optimizerId: string, lr: number) {
    const opt = this.optimizers.get(optimizerId) as unknown as { learningRate: number } | undefined;
    if (opt) opt.learningRate = lr;
  }

  dispose() {
    for (const v of this.variables.values()) v.dispose();
    for (const v of this.stateVariables.values()) v.dispose();
    for (const o of this.optimizers.values()) o.dispose();
    this.variables.clear();
    this.stateVariables.clear();
  }
}

export interface ModelState {
  step: number;
  randomCounter: number;
  tensors: Record<string, { shape: number[]; data: Float32Array; name?: string }>;
}

export type { CompiledNode };
