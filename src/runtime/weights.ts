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

  /**
   * Weights, state and optimizer slots, each read with `read` (which must not dispose what it reads).
   * Slots are keyed `opt:<optimizer>:<algorithm>:<slot>`, the algorithm being the optimizer's class and
   * the slot `iter` or `<variable>/<kind>` (e.g. `enc/kernel/m`), so they load back by name, never by position.
   */
  async save(read: (t: tf.Tensor) => Promise<Float32Array>): Promise<ModelState['tensors']> {
    const tensors: ModelState['tensors'] = {};
    for (const [name, v] of this.variables) tensors[`var:${name}`] = { shape: v.shape, data: await read(v) };
    for (const [name, v] of this.stateVariables) tensors[`state:${name}`] = { shape: v.shape, data: await read(v) };
    for (const [id, opt] of this.optimizers) {
      const stable = new Map([...this.variables].map(([name, v]) => [v.name, name]));
      const slots = await opt.getWeights();
      for (const slot of slots) {
        const cut = slot.name.lastIndexOf('/');
        const owner = cut > 0 ? stable.get(slot.name.slice(0, cut)) : undefined;
        const name = owner ? `${owner}/${slot.name.slice(cut + 1)}` : slot.name;
        tensors[`opt:${id}:${opt.getClassName()}:${name}`] = { shape: slot.tensor.shape, data: await read(slot.tensor), name };
      }
      // getWeights makes a fresh scalar for the iteration count (the other slots are the optimizer's own variables).
      for (const slot of slots) if (slot.name === 'iter') slot.tensor.dispose();
    }
    return tensors;
  }

  /**
   * Puts weights, state and optimizer slots back. An optimizer whose saved slots were written by another
   * algorithm, or name variables it does not train or with other shapes, starts with fresh slots.
   */
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
    for (const [id, opt] of this.optimizers) {
      const saved = this.savedSlots(id, opt.getClassName(), tensors);
      if (!saved) continue;
      const slots = saved.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape) }));
      await opt.setWeights(slots);
      slots.forEach((s) => s.tensor.dispose());
    }
  }

  /**
   * Optimizer `id`'s saved slots in the layout setWeights binds by position: the iteration count, then
   * each kind of slot for every variable in the order the optimizer first updates them (the order it
   * trains them in), named after this model's variables. Null when they do not fit this optimizer.
   */
  private savedSlots(id: string, algorithm: string, tensors: ModelState['tensors']) {
    const prefix = `opt:${id}:`;
    const trained = new Map((this.trainVars.get(id) ?? []).map((v, i) => [v, i]));
    const byName = new Map([...this.variables].filter(([, v]) => trained.has(v)).map(([name, v]) => [name, v]));
    let iter: ModelState['tensors'][string] | null = null;
    const kinds = new Map<string, { at: number; v: tf.Variable; t: ModelState['tensors'][string] }[]>();
    for (const [key, t] of Object.entries(tensors)) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const sep = rest.indexOf(':');
      // Another algorithm's slots, or the old positional layout (`opt:<id>:<i>`): start afresh.
      if (sep < 0 || rest.slice(0, sep) !== algorithm) return null;
      const slot = rest.slice(sep + 1);
      if (slot === 'iter') {
        iter = t;
        continue;
      }
      const cut = slot.lastIndexOf('/');
      const v = byName.get(slot.slice(0, cut));
      if (cut < 0 || !v || v.shape.join() !== t.shape.join()) return null;
      const kind = slot.slice(cut + 1);
      if (!kinds.has(kind)) kinds.set(kind, []);
      kinds.get(kind)!.push({ at: trained.get(v)!, v, t });
    }
    if (!iter) return null;
    const groups = [...kinds.entries()].map(([kind, list]) => ({ kind, list: list.sort((a, b) => a.at - b.at) }));
    const sameVariables = groups.every(
      (g) =>
        g.list.length === groups[0].list.length &&
        g.list.every((e, i) => e.v === groups[0].list[i].v && (i === 0 || e.at !== g.list[i - 1].at)),
    );
    if (!sameVariables) return null;
    return [
      { name: 'iter', ...iter },
      ...groups.flatMap((g) => g.list.map((e) => ({ name: `${e.v.name}/${g.kind}`, shape: e.t.shape, data: e.t.data }))),
    ];
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
