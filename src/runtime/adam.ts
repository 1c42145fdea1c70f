/**
 * Adam, numerically TF.js's AdamOptimizer, with two differences that matter
 * to us:
 * - on the wasm backend each variable's update is one fused native kernel
 *   (kernels/adam.ts) instead of ten elementwise kernels;
 * - the bias corrections 1-β^t are computed from the step count in double
 *   precision every step, instead of a float32 running product of β. TF.js
 *   rebuilds that product with pow() when weights are restored, so a resumed
 *   run drifted from an uninterrupted one; here a restore is exact.
 * Slots (getWeights/setWeights) keep TF.js's layout, names and positional
 * binding — iteration count, then every `<variable>/m`, then every
 * `<variable>/v`; restored moments go to variables in the order they are
 * first updated, since a rebuilt model's variables have new names — so
 * checkpoints written with TF.js's Adam still load.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensorMap } from '@tensorflow/tfjs-core';
import { ADAM_UPDATE } from './kernels/adam';

interface Moments {
  name: string;
  m: tf.Variable;
  v: tf.Variable;
}
type NamedTensor = { name: string; tensor: tf.Tensor };

/**
 * Extends TF.js's class so it is one wherever an AdamOptimizer is expected;
 * the base class's own β-product variables and moment lists stay unused.
 */
export class AdamOptimizer extends tf.AdamOptimizer {
  static override get className(): string {
    return 'LatentLabAdam';
  }

  /** Moments in the order their variables were first updated (restored ones first). */
  private moments: Moments[] = [];
  /** Variable name → index in `moments`, bound at its first update. */
  private bound = new Map<string, number>();

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const grads: NamedTensor[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const t = this.iterations + 1;
    const step = {
      lr: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      bc1: 1 - Math.pow(this.beta1, t),
      bc2: 1 - Math.pow(this.beta2, t),
    };
    const fused = tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
    tf.tidy(() => {
      for (const { name, tensor: grad } of grads) {
        const value = tf.engine().registeredVariables[name];
        const { m, v } = this.momentsOf(name, value);
        if (grad == null) continue;
        if (fused) {
          const [w2, m2, v2] = tf.engine().runKernel(ADAM_UPDATE, { w: value, m, v, g: grad }, { ...step }) as tf.Tensor[];
          value.assign(w2);
          m.assign(m2);
          v.assign(v2);
        } else {
          const m2 = tf.add(tf.mul(m, this.beta1), tf.mul(grad, 1 - this.beta1));
          const v2 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
          const mHat = tf.div(m2, step.bc1),
            vHat = tf.div(v2, step.bc2);
          m.assign(m2);
          v.assign(v2);
          value.assign(tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate), value));
        }
      }
    });
    this.incrementIterations();
  }

  private momentsOf(name: string, value: tf.Variable): Moments {
    let i = this.bound.get(name);
    if (i === undefined) {
      i = this.bound.size;
      this.bound.set(name, i);
      if (i === this.moments.length) {
        this.moments.push(tf.tidy(() => ({ name, m: tf.zerosLike(value).variable(false), v: tf.zerosLike(value).variable(false) })));
      } else {
        this.moments[i].name = name;
      }
    }
    return this.moments[i];
  }

  override dispose(): void {
    this.disposeMoments();
    super.dispose();
  }

  private disposeMoments(): void {
    for (const { m, v } of this.moments) tf.dispose([m, v]);
    this.moments = [];
    this.bound.clear();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [
      await this.saveIterations(),
      ...this.moments.map(({ name, m }) => ({ name: `${name}/m`, tensor: m })),
      ...this.moments.map(({ name, v }) => ({ name: `${name}/v`, tensor: v })),
    ];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const slots = await this.extractIterations(weightValues);
    const half = slots.length / 2;
    this.disposeMoments();
    for (let i = 0; i < half; i++) {
      const name = slots[i].name.replace(/\/m$/, '');
      this.moments.push({ name, m: slots[i].tensor.variable(false), v: slots[half + i].tensor.variable(false) });
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
