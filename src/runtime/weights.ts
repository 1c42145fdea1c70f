/**
 * A plan's built nodes and everything they own: trainable variables, layer
 * state, optimizers and which variables each optimizer updates. Also their
 * snapshot for checkpoints. CompiledModel runs the graph on top of it.
 */
import * as tf from './tf';
import type { BuiltNode, Init } from '../graph/nodeApi';
import type { Plan } from '../compiler/plan';

export interface ModelState {
  step: number;
  randomCounter: number;
  tensors: Record<string, { shape: number[]; data: Float32Array; name?: string }>;
}

/** TF.js variable names are global to the engine; this keeps two models' names apart. */
let modelInstances = 0;

export class ModelWeights {
  readonly built = new Map<string, BuiltNode>();
  /** Trainable variables by their stable name (owner/variable). */
  readonly variables = new Map<string, tf.Variable>();
  private readonly stateVariables = new Map<string, tf.Variable>();
  readonly optimizers = new Map<string, tf.Optimizer>();
  /** The variables each optimizer (by id) updates. */
  readonly trainVars = new Map<string, tf.Variable[]>();
  private readonly instance = ++modelInstances;

  /** `nextSeed` gives each random initialiser its seed, so the same plan and seed give the same weights. */
  constructor(
    plan: Plan,
    private readonly nextSeed: () => number,
  ) {
    for (const node of plan.nodes) {
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
        node.params,
      );
      this.built.set(node.id, built);
      if (built.optimizer) this.optimizers.set(node.id, built.optimizer);
    }
    for (const opt of plan.optimizers) {
      const vars = [...this.variables.entries()]
        .filter(([name]) => opt.trains.some((owner) => name.startsWith(`${owner}/`) && !name.slice(owner.length + 1).includes('/')))
        .map(([, v]) => v);
      this.trainVars.set(opt.id, vars);
    }
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

  /** Weights, state and optimizer slots, each read with `read` (which must not dispose what it reads). */
  async save(read: (t: tf.Tensor) => Promise<Float32Array>): Promise<ModelState['tensors']> {
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
    return tensors;
  }

  async load(tensors: ModelState['tensors']): Promise<void> {
    for (const [key, t] of Object.entries(tensors)) {
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
      for (let i = 0; tensors[`opt:${id}:${i}`]; i++) {
        const saved = tensors[`opt:${id}:${i}`];
        slots.push({ name: saved.name ?? `slot${i}`, tensor: tf.tensor(saved.data, saved.shape) });
      }
      if (slots.length) await opt.setWeights(slots);
      slots.forEach((s) => s.tensor.dispose());
    }
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
