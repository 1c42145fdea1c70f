/**
 * A compiled plan built on a TF.js backend: variables, optimizers and the
 * forward pass in every mode. Every step runs inside tf.tidy so the number of
 * live tensors stays flat; randomness comes from a seeded counter so the same
 * document, seed, data and backend give the same run.
 *
 * Results come back through the model's Reader (./reads.ts), chosen per
 * backend: a model made with no reader reads at once and its methods return
 * plain values; one made with an async reader returns promises. Each method
 * makes all its random draws before it starts reading, so withFixedRandom
 * around it fixes them in either mode.
 */
import * as tf from './tf';
import type { CallContext, Mode, Tensor } from '../graph/nodeApi';
import { exampleSize } from '../graph/shape';
import type { CompiledNode, OptimizerPlan, Plan, PortRef } from '../compiler/plan';
import { inputsRead, upstreamOf } from '../compiler/upstream';
import { runChain, type DiffusionOptions } from './diffusion';
import { flowCodeShape, invertChain, type FlowInverse } from './flowRuntime';
import type { GradientNorms } from './gradientNorms';
import { syncReader, type Read, type Reader, type ReadMode } from './reads';
import { ModelWeights, type ModelState } from './weights';

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

const refKey = (r: PortRef) => `${r.node}\u0000${r.port}`;

/** A value standing in for a node's output in a forward pass (a latent code; a diffusion chain's x_t and t). */
export type Given = { ref: PortRef; value: Tensor };

/** One forward pass for CompiledModel.compute: the value of any port it computed. */
export type GraphRun = (targets: PortRef[], mode: Mode, batch: Batch, given?: Given | Given[]) => (ref: PortRef) => Tensor;

export class CompiledModel<M extends ReadMode = 'sync'> {
  readonly plan: Plan;
  private readonly reader: Reader<M>;
  private readonly weights: ModelWeights;
  /** Seeded draws: every random tensor gets seed = base + counter++, so runs repeat exactly. */
  private randomCounter = 0;
  private readonly baseSeed: number;
  step = 0;

  /** `reader`: how results come back (default: at once, which every backend but WebGPU allows). */
  constructor(plan: Plan, opts: { seed?: number; reader?: Reader<M> } = {}) {
    this.plan = plan;
    // Without a reader M is its default, 'sync', which TypeScript cannot see from here.
    this.reader = opts.reader ?? (syncReader as Reader<ReadMode> as Reader<M>);
    this.baseSeed = (opts.seed ?? plan.seed) >>> 0;
    this.weights = new ModelWeights(plan, () => this.nextSeed());
  }

  private nextSeed(): number {
    return (this.baseSeed * 7919 + this.randomCounter++) % 2147483647;
  }

  /** Trainable variables by their stable name (owner/variable). */
  get namedVariables(): ReadonlyMap<string, tf.Variable> {
    return this.weights.variables;
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

  /**
   * Runs the nodes needed for `targets` in `mode`; returns every computed port.
   * `givens` stand in for nodes' outputs (decoding feeds latent vectors in
   * where the sampler would draw; a diffusion chain gives x_t and t): those
   * nodes and what only they need do not run. Call inside tidy.
   */
  private forward(targets: PortRef[], call: CallContext, givens: Given[] = []): Map<string, Tensor> {
    const values = new Map<string, Tensor>();
    for (const given of givens) values.set(refKey(given.ref), given.value);
    const skip = givens.map((given) => given.ref.node);
    const needed = upstreamOf(
      this.plan.byId,
      targets.map((t) => t.node).filter((id) => !skip.includes(id)),
      call.mode,
      skip,
    );
    for (const node of this.plan.nodes) {
      if (!needed.has(node.id)) continue;
      const inputs: Record<string, Tensor> = {};
      for (const port of inputsRead(node, call.mode)) inputs[port] = values.get(refKey(node.inputs[port]))!;
      const out = this.weights.built.get(node.id)!.forward(inputs, call);
      for (const [port, t] of Object.entries(out)) values.set(refKey({ node: node.id, port }), t);
    }
    return values;
  }

  /**
   * One training round: every optimizer takes its stepsPerRound steps, each on
   * a fresh batch. Every step of the round is queued before the first read, so
   * a GPU runs the round in one go. Throws TrainingDiverged at a non-finite loss.
   * `gradients`: each step's gradient norms are read with its losses and handed to it.
   */
  trainRound(nextBatch: () => Batch, only?: string, gradients?: GradientNorms): Read<M, StepResult> {
    const opts: OptimizerPlan[] = [];
    const values: tf.Tensor[] = [];
    try {
      for (const opt of this.plan.optimizers) {
        if (only && opt.id !== only) continue;
        for (let k = 0; k < opt.stepsPerRound; k++) {
          values.push(this.optimizerStep(opt, nextBatch(), gradients));
          opts.push(opt);
        }
      }
    } catch (e) {
      values.forEach((t) => t.dispose());
      throw e;
    }
    return this.reader.read(values, (read) => {
      const losses: Record<string, number> = {};
      opts.forEach((opt, i) => Object.assign(losses, this.lossesOf(opt, read[i])));
      opts.forEach((opt, i) => gradients?.take(opt.id, read[i].subarray(opt.terms.length + 1)));
      this.step++;
      for (const [name, value] of Object.entries(losses)) if (!Number.isFinite(value)) throw new TrainingDiverged(this.step, name, value);
      return { step: this.step, losses };
    });
  }

  private lossesOf(opt: OptimizerPlan, numbers: ArrayLike<number>): Record<string, number> {
    const out: Record<string, number> = { [opt.id]: numbers[0] };
    opt.terms.forEach((id, i) => (out[this.plan.lossNames[id]] = numbers[i + 1]));
    return out;
  }

  /** One optimizer update; returns [total, ...terms, ...squared gradient norms if `gradients`] as one tensor for the caller to read and dispose. */
  private optimizerStep(opt: OptimizerPlan, batch: Batch, gradients?: GradientNorms): tf.Tensor {
    const optimizer = this.weights.optimizers.get(opt.id)!;
    const vars = this.weights.trainVars.get(opt.id)!;
    return tf.tidy(() => {
      const call = this.callContext('train', true, batch);
      let kept: Tensor[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const computed = this.forward([opt.loss], call);
        // Keep each term alive past the gradient tape's own tidy so it can be reported.
        kept = opt.terms.map((id) => tf.keep(computed.get(refKey(this.plan.lossOutputs[id]))!));
        return computed.get(refKey(opt.loss)) as tf.Scalar;
      }, vars);
      optimizer.applyGradients(grads);
      // Weight clipping (WGAN) is part of the step: the next forward pass must see the clamped weights.
      if (opt.weightClip > 0) for (const v of vars) v.assign(tf.clipByValue(v, -opt.weightClip, opt.weightClip));
      const losses = tf.stack([value, ...kept]);
      const all = gradients ? tf.concat([losses, gradients.squares(opt.id, grads)]) : losses;
      kept.forEach((t) => t.dispose());
      return all;
    });
  }

  /** Loss terms without updating anything (held-out data), in evaluate mode. */
  evaluateLosses(batch: Batch): Read<M, Record<string, number>> {
    const tensors = this.plan.optimizers.map((opt) =>
      tf.tidy(() => {
        const computed = this.forward([opt.loss], this.callContext('evaluate', false, batch));
        return tf.stack([computed.get(refKey(opt.loss))!, ...opt.terms.map((id) => computed.get(refKey(this.plan.lossOutputs[id]))!)]);
      }),
    );
    return this.reader.read(tensors, (read) => {
      const out: Record<string, number> = {};
      this.plan.optimizers.forEach((opt, i) => Object.assign(out, this.lossesOf(opt, read[i])));
      return out;
    });
  }

  /**
   * Loss terms (flat ids) per example, in evaluate mode: one forward pass, then
   * each loss node — whose output is a batch mean — runs again on every
   * example's slice of its inputs. With the same random draws the values
   * average to what evaluateLosses reports.
   */
  lossesPerExample(batch: Batch, terms: string[]): Read<M, Float32Array[]> {
    const tensors = tf.tidy(() => {
      const call = this.callContext('evaluate', false, batch);
      const values = this.forward(
        terms.map((id) => this.plan.lossOutputs[id]),
        call,
      );
      return terms.map((id) => {
        const node = this.plan.byId[id];
        const ports = inputsRead(node, 'evaluate');
        const rows = ports.map((p) => tf.split(values.get(refKey(node.inputs[p]))!, batch.size));
        const built = this.weights.built.get(id)!;
        const port = this.plan.lossOutputs[id].port;
        const one = { ...call, batchSize: 1 };
        return tf.stack(
          Array.from({ length: batch.size }, (_, i) => built.forward(Object.fromEntries(ports.map((p, k) => [p, rows[k][i]])), one)[port]),
        );
      });
    });
    return this.reader.read(tensors, (read) => read);
  }

  /** Data-space values (B × prod(data shape)) for a model output, e.g. sigmoid of logits. */
  private toDataSpace(t: Tensor, transform: string, n: number): Tensor {
    const shape = [n, ...this.plan.data.shape];
    if (transform === 'sigmoid') return tf.sigmoid(t).reshape(shape);
    if (transform === 'softmax256')
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

  /**
   * n samples from the prior; for conditional models, of `label` (or cycling
   * through classes). Autoregressive graphs sample pixel by pixel instead
   * (sampleAutoregressive in ./sampling.ts). A diffusion graph runs its
   * sampling chain (./diffusion.ts), with `diffusion` changing its settings.
   */
  generate(n: number, label?: number, diffusion: DiffusionOptions = {}): Read<M, Float32Array> {
    const g = this.plan.modes.generate;
    if (!g) throw new Error('this graph cannot generate: it has no Sampler or Noise node feeding a data-shaped output');
    if (g.autoregressive) throw new Error('autoregressive graphs sample pixel by pixel (sampleAutoregressive)');
    const t = tf.tidy(() => {
      const x = tf.zeros([n, ...this.plan.data.shape]);
      const call = this.callContext('generate', false, { size: n, x, labels: this.oneHotFor(n, label) });
      if (g.inverse) return this.toDataSpace(this.invertFlow(call.randomNormal([n, ...flowCodeShape(this.plan)]), call), g.transform, n);
      if (g.diffusion) {
        const denoise = (givens: Given[]) => this.forward([g.output], call, givens).get(refKey(g.output))!;
        const chain = runChain(this.plan, { n, labels: call.batch.labels, randomNormal: call.randomNormal }, denoise, diffusion);
        return this.toDataSpace(chain.x, g.transform, n);
      }
      const out = this.forward([g.output], call).get(refKey(g.output))!;
      return this.toDataSpace(out, g.transform, n);
    });
    return this.reader.read([t], ([values]) => values);
  }

  /**
   * The generate output at pixel `index` of every canvas in `batch`: n values,
   * or n×256 logits. Where the plan knows how many rows above a pixel the net
   * reads (rowsAbove: masked convolutions), only that band of rows is run,
   * which gives the same values for a fraction of the work.
   */
  pixelOutputs(batch: Batch, index: number): Read<M, Float32Array> {
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
    const per = g.transform === 'softmax256' ? 256 : 1;
    const t = tf.tidy(() => {
      const x = tf.tensor(band.x, band.shape);
      const labels = batch.oneHot ? tf.tensor(batch.oneHot, [n, this.plan.data.numClasses]) : null;
      const out = this.forward([g.output], this.callContext('generate', false, { size: n, x, labels })).get(refKey(g.output))!;
      return out
        .reshape([n, band.cells, per])
        .gather([band.offset], 1)
        .reshape(per === 1 ? [n] : [n, per]);
    });
    return this.reader.read([t], ([values]) => values);
  }

  /**
   * Reconstructions in data space, and — for a graph that corrupts its input
   * (a denoising AE) — that input as the network saw it, from the same forward
   * pass, so the picture shows the very noise the output was made from.
   */
  reconstruct(batch: Batch): Read<M, { outputs: Float32Array; seen: Float32Array | null }> {
    const r = this.plan.modes.reconstruct;
    if (!r) throw new Error('this graph cannot reconstruct: no reconstruction loss compares its output with the data');
    const seen = r.seenInput;
    const tensors = tf.tidy(() => {
      const values = this.forward(seen ? [r.output, seen] : [r.output], this.callContext('reconstruct', false, batch));
      const out = this.toDataSpace(values.get(refKey(r.output))!, r.transform, batch.size);
      return seen ? [out, values.get(refKey(seen))!.reshape([batch.size, -1]).clipByValue(0, 1)] : [out];
    });
    return this.reader.read(tensors, ([outputs, seenValues]) => ({ outputs, seen: seenValues ?? null }));
  }

  /** Latent means (B × latentSize). */
  encode(batch: Batch): Read<M, Float32Array> {
    const e = this.plan.modes.encode;
    if (!e) throw new Error('this graph has no latent code to encode to');
    const t = tf.tidy(() =>
      this.forward([e.latent], this.callContext('encode', false, batch))
        .get(refKey(e.latent))!
        .clone(),
    );
    return this.reader.read([t], ([values]) => values);
  }

  /** Decodes given latent vectors (latent traversal, interpolation, map clicks, the code-space views). */
  decode(latents: Float32Array, n: number, label?: number): Read<M, Float32Array> {
    const d = this.plan.modes.decode;
    if (!d)
      throw new Error(
        'this graph cannot decode latent vectors: neither a sampler or noise output feeds its samples nor a code feeds its reconstruction',
      );
    const t = tf.tidy(() => {
      const shape = this.plan.byId[d.latent.node].outputShapes[d.latent.port];
      const z = tf.tensor(latents, [n, ...shape.slice(1)]);
      const call = this.callContext(d.mode === 'inverse' ? 'generate' : d.mode, false, {
        size: n,
        x: tf.zeros([n, ...this.plan.data.shape]),
        labels: this.oneHotFor(n, label),
      });
      const out =
        d.mode === 'inverse'
          ? this.invertFlow(z, call)
          : this.forward([d.output], call, [{ ref: d.latent, value: z }]).get(refKey(d.output))!;
      return this.toDataSpace(out, d.transform, n);
    });
    return this.reader.read([t], ([values]) => values);
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
  probe(batch: Batch, refs: PortRef[], mode: Mode = 'train'): Read<M, { shape: number[]; data: Float32Array }[]> {
    const tensors = tf.tidy(() => {
      const computed = this.forward(refs, this.callContext(mode, false, batch));
      return refs.map((r) => computed.get(refKey(r))!.clone());
    });
    const shapes = tensors.map((t) => t.shape.slice());
    return this.reader.read(tensors, (read) => read.map((data, i) => ({ shape: shapes[i], data })));
  }

  /**
   * Tensors `fn` builds from the graph in one tidy, read back (through `then`, if given); nothing is updated.
   * `run` may run under fn's gradient tape (./playground.ts); `invert` runs a flow backwards (./flowRuntime.ts).
   */
  compute<T = Float32Array[]>(fn: (run: GraphRun, invert: FlowInverse) => tf.Tensor[], then?: (values: Float32Array[]) => T): Read<M, T> {
    const run: GraphRun = (targets, mode, batch, given) => {
      const values = this.forward(targets, this.callContext(mode, false, batch), [given ?? []].flat());
      return (ref) => values.get(refKey(ref))!;
    };
    const invert: FlowInverse = (z, layers) => {
      const n = z.shape[0];
      const call = this.callContext('generate', false, {
        size: n,
        x: tf.zeros([n, ...this.plan.data.shape]),
        labels: this.oneHotFor(n, undefined),
      });
      return this.invertFlow(z, call, layers);
    };
    return this.reader.read(
      tf.tidy(() => fn(run, invert)),
      then ?? ((read) => read as T),
    );
  }

  /** A flow's codes through its layers' inverses, to the data (./flowRuntime.ts). Call inside tidy. */
  private invertFlow(z: Tensor, call: CallContext, layers?: Tensor[]): Tensor {
    return invertChain(this.plan, (id) => this.weights.built.get(id)!, z, call, layers);
  }

  /** Snapshot for checkpoints: weights, state, optimizer slots, step and random counter. */
  async saveState(): Promise<ModelState> {
    const read = (t: tf.Tensor) => this.reader.read([t], ([values]) => values, { keep: true }) as Float32Array | Promise<Float32Array>;
    const tensors = await this.weights.save(async (t) => read(t));
    return { step: this.step, randomCounter: this.randomCounter, tensors };
  }

  async loadState(state: ModelState): Promise<void> {
    await this.weights.load(state.tensors);
    this.step = state.step;
    this.randomCounter = state.randomCounter;
  }

  setLearningRate(optimizerId: string, lr: number) {
    this.weights.setLearningRate(optimizerId, lr);
  }

  dispose() {
    this.weights.dispose();
  }
}

export type { ModelState } from './weights';
export type { CompiledNode };
