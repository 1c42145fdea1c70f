/**
 * Gradient norms per trainable layer, taken from the gradients each optimizer
 * step already computes: no extra backward pass and no tensor kept between
 * steps. When a sample is due (at most every GRADIENT_SAMPLE_MS, or when a
 * single step asks) the step appends each layer's squared L2 norm to the
 * small vector of losses it returns anyway, so the norms come back in the same
 * read as the losses; other steps compute nothing extra.
 */
import * as tf from './tf';
import type { Plan } from '../compiler/plan';

/** At most one sample of the norms per this many ms while training runs (the metrics pace). */
export const GRADIENT_SAMPLE_MS = 250;

/** A layer that owns trainable variables: its flat id, its document node and the optimizer that updates it. */
export interface GradientLayer {
  id: string;
  docId: string;
  optimizer: string;
}

/** The norms of every layer's gradient at the last sampled step of its optimizer, at training step `step`. */
export interface GradientSample {
  step: number;
  /** L2 norm over all of a layer's variables, in `layers` order; NaN until its optimizer has been sampled. */
  norms: number[];
}

export class GradientNorms {
  /** In graph order. */
  readonly layers: GradientLayer[] = [];
  /** Per optimizer: TF.js variable name → its layer's index in `layers`, and those layers in the order `squares` stacks them. */
  private readonly perOptimizer = new Map<string, { layerOf: Map<string, number>; layers: number[] }>();
  private readonly latest: number[];
  private sampledAt = -Infinity;

  /** `variables`: a model's trainable variables by stable name (owner/variable). */
  constructor(plan: Plan, variables: ReadonlyMap<string, tf.Variable>) {
    const order = new Map(plan.nodes.map((n, i) => [n.id, i]));
    const found: (GradientLayer & { names: string[] })[] = [];
    for (const opt of plan.optimizers)
      for (const [stable, v] of variables) {
        const id = stable.slice(0, stable.lastIndexOf('/'));
        if (!opt.trains.includes(id)) continue;
        const layer = found.find((l) => l.id === id && l.optimizer === opt.id);
        if (layer) layer.names.push(v.name);
        else found.push({ id, docId: plan.byId[id]?.docId ?? id, optimizer: opt.id, names: [v.name] });
      }
    found.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    found.forEach(({ names: _names, ...layer }) => this.layers.push(layer));
    for (const opt of plan.optimizers) {
      const mine = found.flatMap((l, i) => (l.optimizer === opt.id ? [i] : []));
      if (mine.length)
        this.perOptimizer.set(opt.id, { layerOf: new Map(mine.flatMap((i) => found[i].names.map((n) => [n, i]))), layers: mine });
    }
    this.latest = this.layers.map(() => Number.NaN);
  }

  /** Whether the next round should report its norms: GRADIENT_SAMPLE_MS have passed since the last sample, or `force`. */
  due(force = false): boolean {
    const now = performance.now();
    if (this.layers.length === 0 || (!force && now - this.sampledAt < GRADIENT_SAMPLE_MS)) return false;
    this.sampledAt = now;
    return true;
  }

  /** Squared norms of one step's gradients (keyed by TF.js variable name), one per layer `optimizer` trains. Call inside the step's tidy. */
  squares(optimizer: string, grads: tf.NamedTensorMap): tf.Tensor1D {
    const o = this.perOptimizer.get(optimizer);
    if (!o) return tf.tensor1d([]);
    const sums = new Map<number, tf.Tensor[]>(o.layers.map((i) => [i, []]));
    for (const [name, g] of Object.entries(grads)) {
      const layer = o.layerOf.get(name);
      if (layer !== undefined && g) sums.get(layer)!.push(tf.sum(tf.square(g)));
    }
    // A variable the loss does not reach has no gradient: a norm of 0.
    return tf.stack(o.layers.map((i) => (sums.get(i)!.length ? tf.addN(sums.get(i)!) : tf.scalar(0)))) as tf.Tensor1D;
  }

  /** Takes the values `squares` gave for `optimizer`, once read. */
  take(optimizer: string, squared: ArrayLike<number>) {
    this.perOptimizer.get(optimizer)?.layers.forEach((layer, k) => (this.latest[layer] = Math.sqrt(squared[k])));
  }

  /** Every layer's latest norm, at training step `step`. */
  sample(step: number): GradientSample {
    return { step, norms: this.latest.slice() };
  }
}
