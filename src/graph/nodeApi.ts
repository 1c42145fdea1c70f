/**
 * The node contract. One file in nodes/ declares everything about a node type:
 * ports, parameters, documentation, pure shape inference and a build function
 * that runs in the worker. TF.js reaches nodes only through the build context,
 * so this module (and every node file) imports TF.js types, never values.
 */
import type * as tfc from '@tensorflow/tfjs-core';
// Brings the chained tensor methods (x.add(y)) into the types; TF.js registers them at runtime.
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import type { GraphDocument } from './document';
import type { ParamDecls, ParamValues } from './params';
import type { Shape } from './shape';

export type TF = typeof tfc;
export type Tensor = tfc.Tensor;
export type Variable = tfc.Variable;

export type Category = 'data' | 'layers' | 'blocks' | 'sampling' | 'flows' | 'losses' | 'training';
export const CATEGORIES: readonly Category[] = ['data', 'layers', 'blocks', 'sampling', 'flows', 'losses', 'training'];

/**
 * `tensor` ports carry activations; `loss` ports carry scalar loss values that
 * only losses, weighted sums and optimizers accept.
 */
export type PortType = 'tensor' | 'loss';
export interface PortDecl {
  type: PortType;
  doc: string;
  optional?: boolean;
  role?: 'latent';
}

export type Mode = 'train' | 'reconstruct' | 'generate' | 'encode' | 'evaluate';

export interface ShapeFailure {
  failure: { port?: string; message: string; hint?: string };
}
export type InferResult = Record<string, Shape> | ShapeFailure;

export function fail(port: string | undefined, message: string, hint?: string): ShapeFailure {
  return { failure: { port, message, hint } };
}
export function isFailure(r: InferResult): r is ShapeFailure {
  return 'failure' in r && typeof (r as ShapeFailure).failure === 'object';
}

/** What the graph's data source provides, as seen at compile time. */
export interface DataInfo {
  kind: 'image' | 'points';
  shape: Shape;
  numClasses: number;
  batchSize: number;
  /** Read from the data itself (files); absent when the source's fixed description is all that is known. */
  measured?: MeasuredData;
}

/** What a data set holds, read from its files (header and labels), not assumed from the source's name. */
export interface MeasuredData {
  kind: 'image' | 'points';
  /** per-example shape */
  shape: Shape;
  numClasses: number;
  count: number;
  /** the set's name (a folder, a file stem) */
  name: string;
  classNames?: string[];
}

/** Why the data a Dataset node names cannot be read here (e.g. a path in the browser), with the fix. */
export interface DataProblem {
  problem: string;
  hint: string;
  param?: string;
}

export interface InferContext {
  /** The graph's dataset, if it has one (Label nodes need its class count). */
  data: DataInfo | null;
}

export type Init = 'zeros' | 'ones' | 'glorotUniform' | 'heNormal' | { normal: number };

export interface BuildContext {
  tf: TF;
  nodeId: string;
  inputShapes: Record<string, Shape>;
  outputShapes: Record<string, Shape>;
  /**
   * A trainable variable of this node. A node that shares weights with another
   * gets the owner's variable of the same name, so both applications are one set.
   */
  variable(name: string, shape: number[], init: Init): Variable;
  /** Non-trainable state, e.g. batch-norm running statistics. */
  state(name: string, shape: number[], init: Init): Variable;
}

export interface CallContext {
  tf: TF;
  mode: Mode;
  /** true while an optimizer steps: dropout, noise and batch statistics are active. */
  training: boolean;
  /** Rows in this call (the batch size, or the number of samples requested). */
  batchSize: number;
  /** Seeded noise: a new draw every call, the same draws for the same seed. */
  randomNormal(shape: number[]): Tensor;
  randomUniform(shape: number[], low: number, high: number): Tensor;
  /** The current batch: data in [0,1] and one-hot labels (or the class asked for when generating). */
  batch: { x: Tensor; labels: Tensor | null };
}

export interface BuiltNode {
  forward(inputs: Record<string, Tensor>, call: CallContext): Record<string, Tensor>;
  /**
   * Flow layers: the exact inverse of forward, from the flow output back to its
   * input (generating runs the chain of flow layers backwards from the prior).
   */
  inverse?(output: Tensor, call: CallContext): Tensor;
  /** Optimizer nodes hand the runtime the TF.js optimizer they configured. */
  optimizer?: tfc.Optimizer;
}

/** A block expands to a small graph of layer nodes; the compiler inlines it. */
export interface Expansion {
  nodes: { id: string; type: string; params: Record<string, unknown> }[];
  edges: { source: string; sourcePort: string; target: string; targetPort: string }[];
  /** block input port → inner (node, port) pairs that receive it */
  inputs: Record<string, { node: string; port: string }[]>;
  /** block output port → the inner (node, port) that produces it */
  outputs: Record<string, { node: string; port: string }>;
}

interface NodeBase<P extends ParamDecls> {
  type: string;
  title: string;
  category: Category;
  doc: string;
  inputs: Record<string, PortDecl>;
  outputs: Record<string, PortDecl>;
  params: P;
  /** Parameters shown on the node itself (the rest live in the inspector). */
  keyParams?: (keyof P & string)[];
  /**
   * The declared ports these parameter values give the node (a side left out
   * keeps all its ports), for nodes whose ports depend on a choice: a
   * deterministic Encoder has z but no mean or logVar. The editor draws and
   * lists only these, and the compiler reports an edge on any other port as an
   * error on that edge (it is kept, not silently deleted, when a parameter
   * change turns its port off). Use it instead of a port that exists but never
   * carries a shape, which a learner can wire only to get a confusing error.
   */
  activePorts?(params: ParamValues<P>): { inputs?: string[]; outputs?: string[] };
  /** Inputs actually read in a mode (default: all); a sampler ignores its inputs when generating. */
  inputsUsedIn?(mode: Mode): string[] | 'all';
  /**
   * Capabilities: what the node *is* to the compiler beyond shapes. The
   * compiler turns them into facts in the plan (which ports hold the
   * posterior, the loss terms, the data spec, …), so the runtime and the CLI
   * never read a node's port or parameter by name. A node may have several.
   */
  dataset?: DatasetCapability<P>;
  /** The class of each example (one-hot); a graph with one is conditional. */
  label?: { output: string };
  /** Draws from the prior in every mode (a GAN's noise): decoding feeds latent vectors in here. */
  noise?: { output: string };
  sampler?: SamplerCapability;
  optimizer?: OptimizerCapability;
  /**
   * An invertible layer of a normalizing flow: `output` = f(`input`), with
   * log |det ∂f/∂x| for each example (shape B) on the output port `logDet`;
   * its built node has `inverse`. The compiler follows the chain of flow layers
   * from the data to the flow prior and hands the sum of their log-determinants
   * to the flow loss, so a learner wires the data path only.
   */
  flow?: FlowCapability;
  /**
   * A flow's base distribution: it scores the chain's output (log p(z) per
   * example, shape B×1, on `logProb`); generating starts here with a draw z
   * from it, of the shape of `input`.
   */
  flowPrior?: { input: string; logProb: string };
  /**
   * The flow's negative log-likelihood: it reads log p(z) on `logProb`, and the
   * compiler adds one input per flow layer in the chain, named
   * `${FLOW_LOG_DET_INPUT}<i>`, each that layer's log-determinant (shape B).
   */
  flowLoss?: { logProb: string };
  /**
   * A diffusion noise schedule: β_t for t = 1…T as plain numbers (the plan
   * carries them to the sampler), and ᾱ_t = ∏(1 − β_s) as a length-T tensor on
   * `output`, which forward noising reads, so both use the same schedule.
   */
  diffusionSchedule?: { output: string; betas(params: ParamValues<P>): number[] };
  /**
   * Forward noising q(x_t | x₀) of a diffusion model: reads the data on
   * `input` and ᾱ on `schedule`, draws t and ε every call, outputs x_t on
   * `noisy`, t (an index 0…T−1, shape B) on `timestep` and ε on `noise`.
   * Generating runs the denoiser with the sampler's x_t and t standing in for
   * `noisy` and `timestep` at every step.
   */
  diffusionNoising?: { input: string; schedule: string; noisy: string; timestep: string; noise: string };
  /** How a diffusion model generates: `prediction` reads the denoiser's ε̂, and the settings say how the chain walks back from x_T. */
  diffusionSampler?: { prediction: string; settings(params: ParamValues<P>): DiffusionSettings };
  /** The ε-prediction loss: the compiler checks that `target` is forward noising's ε. */
  diffusionLoss?: { prediction: string; target: string };
  /**
   * Replaces the condition (a one-hot label) of some training examples by
   * zeros, so one denoiser is conditional and unconditional: guided sampling
   * gives zeros on `output` for its unconditional prediction.
   */
  conditionDropout?: { output: string };
  /** Corrupts the data on its way in (a denoising autoencoder): views show the network's input as it saw it. */
  corruption?: { output: string };
  /**
   * A loss term: reported on its own, and it must reach an optimizer.
   * `measures` says what its value is in nats per example, whatever weight
   * training gives it: the data's negative log-likelihood, a KL divergence
   * to the prior, or (null, the default) neither — evaluation builds the ELBO
   * from these, never from the weighted objective. `unit` names what the
   * value is counted in, for the loss chart's axis ('nats per example',
   * 'squared error per value', …); without one, a term that measures an NLL
   * or KL is in nats per example, and a node whose inputs are all loss terms
   * (a weighted sum) is in their shared unit.
   */
  loss?: { output: string; measures?(params: ParamValues<P>): LossMeasure; unit?(params: ParamValues<P>): string };
  /** For reconstruction losses: which inputs are the model's output and the data, and how to show the output. */
  reconstruction?: { prediction: string; target: string; transform(params: ParamValues<P>): DisplayTransform };
  /** True when the node makes the graph autoregressive (a type-A masked convolution). */
  autoregressive?(params: ParamValues<P>): boolean;
  /**
   * For pixel-by-pixel sampling: how many image rows above an output row the
   * node reads, if it never reads rows below (masked convolutions, pointwise
   * layers). Undefined or null: it may read anywhere, so sampling evaluates
   * whole images instead of the band of rows a pixel depends on.
   */
  rowsAbove?(params: ParamValues<P>): number | null;
  /** The mathematics it computes, rendered in explain mode (see NodeEquation). */
  equation?: NodeEquation<P>;
  /**
   * What the node is in an exported TF.js LayersModel (Keras layers), for the
   * generate / decode path: see KerasMapping. A node without one, or whose
   * mapping refuses these parameters, stops the export with its name.
   */
  keras?(params: ParamValues<P>, inputs: Record<string, Shape>): KerasMapping;
  /**
   * Plausible input shapes (at least one example for a node with inputs), so
   * generic tests can build and run every node without knowing its type.
   */
  examples?: NodeExample[];
  /**
   * The version of this node's parameters (default 1). When it grows, `migrate`
   * turns a node saved at version v into v + 1; the load path applies it.
   */
  version?: number;
  migrate?(params: Record<string, unknown>, fromVersion: number): Record<string, unknown>;
}

/**
 * Input shapes for one example. `{ from, shape }` marks an input computed from
 * another input (a critic's output on its interpolates), so a gradient between
 * them exists.
 */
export type NodeExample = Record<string, Shape | { from: string; shape: Shape }>;
export type ExampleInput = NodeExample[string];
export function isComputedInput(e: ExampleInput): e is { from: string; shape: Shape } {
  return !Array.isArray(e);
}

/**
 * Names a parameter of P whose value has type V (e.g. the learning rate), so
 * the compiler can read it, errors can point at it and overrides can set it;
 * any name when P is not known.
 */
export type ParamKeyOf<P extends ParamDecls, V> = string extends keyof P
  ? string
  : { [K in keyof P & string]: ParamValues<P>[K] extends V ? K : never }[keyof P & string];

export interface DatasetCapability<P extends ParamDecls> {
  /** Shape, classes and batch size, known before any data is loaded. */
  info(params: ParamValues<P>): DataInfo;
  /** Where the runtime loads the examples from. */
  spec(params: ParamValues<P>): DataSourceSpec;
  /** The parameter holding the batch size. */
  batchSize: string;
  /** The parameter naming the source (mnist, ring, …), so a tool can swap the data a graph trains on. */
  source: string;
  /** The document parameters that make this node read external files instead (the CLI's --data). */
  withFiles(params: Record<string, unknown>, files: { source: 'idx' | 'pngdir'; path: string }): Record<string, unknown>;
}

/**
 * A reparameterized draw z from a posterior q(z|x) with mean `mean` (the code
 * that encode mode maps); it draws from the prior N(0, I) when generating.
 * `logVar` names the log-variance input when the posterior is a diagonal
 * Gaussian parameterized that way: per-dimension KL and importance sampling need it.
 */
export interface SamplerCapability {
  output: string;
  mean: string;
  logVar?: string;
}

export interface FlowCapability {
  input: string;
  output: string;
  logDet: string;
  /**
   * Spreads each discrete value over its bin with uniform noise (dequantization): the flow then models a
   * density, and its NLL is an upper bound on the discrete data's, not their exact NLL.
   */
  dequantizes?: boolean;
}

/**
 * A diffusion sampler's settings: 'ddpm' is ancestral sampling over all T
 * steps; 'ddim' takes `steps` (k) evenly spaced steps with noise η; a
 * guidance weight w > 0 mixes conditional and unconditional predictions.
 */
export type DiffusionMethod = 'ddpm' | 'ddim';
export interface DiffusionSettings {
  method: DiffusionMethod;
  steps: number;
  eta: number;
  guidance: number;
}

/** Prefix of the inputs the compiler gives a flow loss, one per flow layer: `logDet0`, `logDet1`, … */
export const FLOW_LOG_DET_INPUT = 'logDet';

export interface OptimizerCapability {
  /** The input that receives the scalar to minimise. */
  lossPort: string;
  /** Document ids of the networks it updates; empty means everything upstream of its loss. */
  trains: string;
  /** Steps of this optimizer in each training round (k discriminator steps per generator step). */
  stepsPerRound: string;
  learningRate: string;
  /**
   * The parameter holding c for weight clipping (a WGAN critic): after each of
   * this optimizer's steps every variable it trains is clamped to [−c, c]; 0 is off.
   */
  clipWeights?: string;
}

/** Where a graph's examples come from; src/data loads them. */
export const DATA_SOURCES = ['mnist', 'shapes', 'idx', 'pngdir', 'upload', 'ring', 'grid', 'spiral', 'moons', 'drawn'] as const;
export type DataSourceName = (typeof DATA_SOURCES)[number];
export const BINARIZATIONS = ['none', 'threshold', 'stochastic'] as const;
export interface DataSourceSpec {
  source: DataSourceName;
  /** file or folder, for 'idx' and 'pngdir'; the stored set's id for 'upload' */
  path?: string;
  /** 'drawn': the points themselves, as "x,y" pairs (src/data/drawn.ts), so the document carries them */
  points?: string;
  binarize: (typeof BINARIZATIONS)[number];
}

export type LossMeasure = 'nll' | 'kl' | null;

/**
 * What an equation may know about the node's surroundings: for each wired
 * input, what the loss term feeding it measures (null: neither an NLL nor a
 * KL, or not a loss term). A weighted sum of an NLL and a KL, both at weight
 * 1, is the negative ELBO; with other weights it is not.
 */
export interface EquationContext {
  /** input port → the measure of what is wired into it; a port left out has nothing wired */
  wired: Record<string, LossMeasure>;
}

/** Which positions of a k×k window an output may read, e.g. a masked convolution's kernel. */
export interface EquationGrid {
  size: number;
  /** row-major, size × size: true where the output may read */
  reads: boolean[];
  /** the row-major index of the output's own position */
  at: number;
}

/**
 * The mathematics a node computes, for explain mode, which renders it with
 * KaTeX. The TeX is written in the node's own file, never taken from a
 * document, and says exactly what the node computes (sums or means, per
 * example or per batch). `\port{name}{…}` marks a symbol carried by the
 * node's port `name`: hovering it highlights that port and its edges.
 */
export interface NodeEquation<P extends ParamDecls> {
  /** The full statement, shown large in the inspector (display mode; may use `aligned` lines). */
  tex(params: ParamValues<P>, ctx: EquationContext): string;
  /** A short form for the node on the canvas (default: `tex`). */
  compact?(params: ParamValues<P>, ctx: EquationContext): string;
  /** What the equation says, in words, under the full statement. */
  caption?(params: ParamValues<P>, ctx: EquationContext): string;
  /** A picture drawn beside the equation. */
  grid?(params: ParamValues<P>): EquationGrid;
}

/** One layer of TF.js's layers API: tf.layers[factory](config), e.g. { factory: 'dense', config: { units: 64 } }. */
export interface KerasLayer {
  factory:
    | 'dense'
    | 'conv2d'
    | 'conv2dTranspose'
    | 'batchNormalization'
    | 'activation'
    | 'leakyReLU'
    | 'reshape'
    | 'flatten'
    | 'upSampling2d'
    | 'layerNormalization'
    | 'maxPooling2d'
    | 'averagePooling2d'
    | 'concatenate'
    | 'add';
  config: Record<string, unknown>;
  /** The node's variables (names as given to ctx.variable / ctx.state) in the order the Keras layer lists its weights. */
  weights?: string[];
}

/**
 * A node in an exported LayersModel: `layers` applied in turn to its inputs
 * (`inputs`: the ports, in the order the first layer takes them; default: the
 * ones it reads), giving its one output; or `prior`: a latent the model takes
 * as an input, and how the prior draws it (a sampler page draws it itself); or
 * `refused`: no Keras counterpart with these parameters, and the fix.
 */
export type KerasMapping =
  | { layers: KerasLayer[]; inputs?: string[] }
  | { prior: { distribution: 'normal' } | { distribution: 'uniform'; low: number; high: number } }
  | { refused: string; hint: string };

/** How a model's output maps back to data space for display. */
export type DisplayTransform = 'sigmoid' | 'identity' | 'softmax256';

export interface LayerNodeDef<P extends ParamDecls = ParamDecls> extends NodeBase<P> {
  kind: 'layer';
  inferShapes(inputs: Record<string, Shape>, params: ParamValues<P>, ctx: InferContext): InferResult;
  /** Trainable values for these input shapes (for counts and the memory estimate). */
  countParams?(inputs: Record<string, Shape>, params: ParamValues<P>): number;
  /** Whether the node holds trainable variables (an optimizer can train it). */
  trainable: boolean;
  build(ctx: BuildContext, params: ParamValues<P>): BuiltNode;
  /**
   * The network the layer holds inside (an affine coupling's scale-and-shift net), in order, with the
   * shape after each step, for the "layers inside" view. It is edited through the layer's parameters and
   * cannot be unpacked into nodes: the layer runs it in both directions.
   */
  innerNetwork?(inputs: Record<string, Shape>, params: ParamValues<P>): InnerLayer[];
}

/** One step of a layer's inner network. */
export interface InnerLayer {
  id: string;
  title: string;
  params: Record<string, unknown>;
  /** The steps it reads, by id; the layer's own input port by its name. */
  reads: string[];
  output: Shape;
}

export interface BlockNodeDef<P extends ParamDecls = ParamDecls> extends NodeBase<P> {
  kind: 'block';
  /** The layers this block stands for; input shapes let it pick e.g. a Flatten for images. */
  expand(params: ParamValues<P>, inputs: Record<string, Shape>): Expansion;
}

export type NodeDef<P extends ParamDecls = ParamDecls> = LayerNodeDef<P> | BlockNodeDef<P>;
export type AnyNodeDef = NodeDef<ParamDecls>;

/**
 * Capabilities name parameters by key; at definition the key must name a
 * parameter of the right value type (the stored definition keeps plain strings,
 * so every node fits the registry's type).
 */
interface ParamKeyChecks<P extends ParamDecls> {
  dataset?: { batchSize: ParamKeyOf<P, number>; source: ParamKeyOf<P, string> };
  optimizer?: {
    trains: ParamKeyOf<P, string[]>;
    stepsPerRound: ParamKeyOf<P, number>;
    learningRate: ParamKeyOf<P, number>;
    clipWeights?: ParamKeyOf<P, number>;
  };
}

export function defineNode<P extends ParamDecls>(def: LayerNodeDef<P> & ParamKeyChecks<P>): LayerNodeDef<P>;
export function defineNode<P extends ParamDecls>(def: BlockNodeDef<P> & ParamKeyChecks<P>): BlockNodeDef<P>;
export function defineNode<P extends ParamDecls>(def: NodeDef<P>): NodeDef<P> {
  return def;
}

/** Glorot-uniform style initial weights need fan in/out; shared by dense and conv layers. */
export function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * Two or more optimizers in one graph play a game (a GAN's generator and
 * discriminator): one player's loss falls when the other plays worse, so a
 * lower loss does not mark the better model there.
 */
export function playsAGame(doc: GraphDocument, registry: Record<string, AnyNodeDef>): boolean {
  return doc.nodes.filter((n) => registry[n.type]?.optimizer).length > 1;
}
