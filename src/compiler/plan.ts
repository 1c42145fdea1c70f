/** What the compiler hands to the runtime and the editor. Plain data only. */
import type { DataInfo, DataSourceSpec, DiffusionSettings, DisplayTransform, LayerNodeDef, Mode } from '../graph/nodeApi';
import type { AnyParamValues } from '../graph/params';
import type { Shape } from '../graph/shape';

export interface PortRef {
  node: string;
  port: string;
}

/** A layer after blocks are inlined. Inner nodes of a block have ids `blockId/innerId`. */
export interface CompiledNode {
  id: string;
  /** The document node it came from (the block, for inner nodes): errors and highlights go there. */
  docId: string;
  type: string;
  def: LayerNodeDef;
  params: AnyParamValues;
  inputs: Record<string, PortRef>;
  inputShapes: Record<string, Shape>;
  outputShapes: Record<string, Shape>;
  /** Whose variables this node uses: itself, or the node it shares weights with. */
  weightOwner: string;
  paramCount: number;
}

export interface OptimizerPlan {
  id: string;
  loss: PortRef;
  /** Flat ids of the variable owners this optimizer updates. */
  trains: string[];
  /** The same, as document node ids, for the editor's highlight. */
  trainsDocIds: string[];
  stepsPerRound: number;
  /** The learning rate the document sets. */
  learningRate: number;
  /** c > 0: after each step every variable in `trains` is clamped to [−c, c] (WGAN); 0: no clipping. */
  weightClip: number;
  /** Loss nodes upstream of this optimizer, reported separately. */
  terms: string[];
}

export interface ModePlan {
  train: boolean;
  generate: null | {
    output: PortRef;
    transform: DisplayTransform;
    autoregressive: boolean;
    conditional: boolean;
    /** Autoregressive graphs: rows above a pixel its output depends on (null: the whole image). */
    rowsAbove: number | null;
    /** Autoregressive graphs whose layers each read a window of rows above: how pixel-by-pixel sampling reuses its work. */
    pixelCache?: PixelCachePlan;
    /** A flow: samples are prior draws run backwards through the flow's chain (plan.flow), ending at `output`, the data. */
    inverse: boolean;
    /** A diffusion model: samples come from the chain of plan.diffusion, which runs the graph to `output` (ε̂) at every step. */
    diffusion?: boolean;
  };
  reconstruct: null | {
    output: PortRef;
    transform: DisplayTransform;
    /** The data as the network saw it when it is corrupted first (a denoising AE); null when it sees the data itself. */
    seenInput: PortRef | null;
  };
  encode: null | { latent: PortRef; latentSize: number };
  /**
   * Latent vectors decode by standing in for `latent` and running forward in `mode` to `output`: a sampler's
   * or noise node's output on the generate path (a VAE, a GAN), or an autoencoder's code on the reconstruct path.
   */
  decode: null | {
    latent: PortRef;
    latentSize: number;
    output: PortRef;
    transform: DisplayTransform;
    /** 'inverse': a flow's codes run backwards through its chain instead. */
    mode: 'generate' | 'reconstruct' | 'inverse';
  };
  evaluate: null | {
    /**
     * What evaluation can honestly report: a negative ELBO (the NLL term plus the KL term, whatever
     * their training weights), an exact NLL (autoregressive), or only the objective the optimizer minimises.
     */
    kind: 'elbo' | 'nll' | 'objective';
    optimizer: string;
    /** The loss terms (flat ids) that measure the data's NLL and the KL to the prior, in nats per example. */
    nllTerm: string | null;
    klTerm: string | null;
    /** For 'objective': why no likelihood is available. */
    why: string | null;
    /** A Bernoulli likelihood p(x|z) given as logits and the data it scores: with a Gaussian posterior, importance sampling applies. */
    bernoulli: null | { logits: PortRef; target: PortRef };
  };
}

/**
 * Pixel-by-pixel sampling that computes each layer at one position per pixel
 * (src/runtime/cachedSampling.ts): the layer at a pixel reads only its
 * inputs' window there, rows above up to `reach` and `reach` columns either side.
 */
export interface PixelCachePlan {
  /** The nodes between the data and the sampled output whose values change with the canvas, in run order. */
  layers: { id: string; reach: number }[];
  /** Outputs those layers read that never change with the canvas (a class bias): computed once per sampling. */
  constants: PortRef[];
}

/** A normalizing flow: the invertible layers from the data to the prior, in data-flow order. */
export interface FlowPlan {
  /** Flat ids of the flow layers, first (reads the data) to last (feeds the prior). */
  chain: string[];
  /** The flow prior's flat id. */
  prior: string;
  /** What the first layer reads: the data. */
  input: PortRef;
  /** The chain's output, which the prior scores: the flow's code for an example. */
  z: PortRef;
  /** Flow losses, each given the chain's log-determinants as inputs. */
  losses: string[];
  /** A layer dequantizes discrete data: the NLL is then an upper bound on the data's, not exact. */
  dequantized: boolean;
}

/** A diffusion model, as its sampling chain needs it. */
export interface DiffusionPlan {
  /** Forward noising's x_t and t: the chain gives its own x_t and t here at every step. */
  noisy: PortRef;
  timestep: PortRef;
  /** The denoiser's ε̂, which the Diffusion sampler reads. */
  prediction: PortRef;
  /** A Label dropout's output on the way to the denoiser: guidance gives zeros here for the unconditional ε̂. */
  condition: PortRef | null;
  /** β_t for t = 1…T, from the Noise schedule that forward noising reads. */
  betas: number[];
  /** The Diffusion sampler's settings (the chain may override them). */
  settings: DiffusionSettings;
}

/** A sampler's posterior q(z|x): its draw, its mean and (for a diagonal Gaussian) its log-variance. */
export interface PosteriorRefs {
  z: PortRef;
  mean: PortRef;
  logVar: PortRef | null;
}

export interface Plan {
  /** Flat nodes in a topological order. */
  nodes: CompiledNode[];
  byId: Record<string, CompiledNode>;
  data: DataInfo;
  datasetNode: string;
  /** Where the runtime loads the examples from. */
  dataSpec: DataSourceSpec;
  /** Changes exactly when the model does (not positions, labels, notes or the title): checkpoints are stored under it. */
  modelKey: string;
  optimizers: OptimizerPlan[];
  /** Every loss node feeding an optimizer: flat id → display name. */
  lossNames: Record<string, string>;
  /** Every loss node feeding an optimizer: flat id → its scalar output. */
  lossOutputs: Record<string, PortRef>;
  /** Loss nodes feeding an optimizer: flat id → what the value is counted in ('nats per example', …); absent where no node says. */
  lossUnits: Record<string, string>;
  /** The first sampler's posterior (per-dimension KL, importance sampling), if the graph has one. */
  posterior: PosteriorRefs | null;
  /** The graph's normalizing flow, if it has a flow prior. */
  flow: FlowPlan | null;
  /** The graph's diffusion model, if it has a Diffusion sampler. */
  diffusion: DiffusionPlan | null;
  /** A one-number-per-example output that reads the real data and no noise (the critic on real data, for 2-D heatmaps). */
  critic: PortRef | null;
  /** Document nodes with an output a preview can show. */
  previewable: string[];
  modes: ModePlan;
  paramCount: number;
  memoryBytes: number;
  seed: number;
}

export type { DisplayTransform, Mode };
