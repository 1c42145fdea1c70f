/**
 * The page ↔ training worker protocol. Every message is plain, structured-
 * cloneable data (typed arrays included; no tensors, no functions), so the same
 * session logic runs behind a real Worker in the browser and directly in Node tests.
 *
 * The UI may import this file with `import type` only.
 */
import type { GraphDocument } from '../graph/document';
import type { GraphError } from '../compiler/errors';
import type { ActivationView } from './activations';
import type { InputGradient } from './inputGradient';
import type { StoredCheckpoint } from './checkpoints';
import type { GradientLayer } from './gradientNorms';
import type { LikelihoodKind } from './likelihood';
import type { Playground2d } from './playground';
import type { SampleMetrics } from './sampleQuality';
export type { LikelihoodReport } from './likelihoodReport';
export type { StoredCheckpoint } from './checkpoints';

export type { Playground2d } from './playground';
export type { GradientLayer } from './gradientNorms';
export type { ActivationView, Histogram } from './activations';
export type { InputGradient } from './inputGradient';
export type { SampleMetrics } from './sampleQuality';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;
/** The automatic order: the first that initialises wins; a failure moves to the next. */
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** What to do when a new document arrives while a model is loaded and its variables differ. */
export type OnDocChange = 'ask' | 'restart' | 'keep';

/** The longest pause slow motion may put between two training rounds. */
export const MAX_ROUND_DELAY_MS = 2000;

/** Simulated failures, so the fallback path can be tested on any machine. */
export type FailureKind = 'kernel' | 'oom' | 'contextLost' | 'deviceLost' | 'nan';

// ───────────────────────────── page → worker ─────────────────────────────

export type ToWorker =
  /**
   * Compile and build `doc`. `resume` restores this document's stored checkpoint if there is one;
   * `checkpoint` (a run from the history or an uploaded bundle) is applied instead and training continues from it.
   */
  | { type: 'load'; doc: GraphDocument; onChange?: OnDocChange; resume?: boolean; checkpoint?: StoredCheckpoint }
  | { type: 'setBackend'; backend: BackendChoice }
  | { type: 'play' }
  | { type: 'pause' }
  /** One training round (or `count` rounds); `optimizer` steps only that optimizer (e.g. the discriminator). */
  | { type: 'step'; optimizer?: string; count?: number }
  /** Re-initialise weights and optimizer state; forget the stored checkpoint. */
  | { type: 'reset' }
  | { type: 'setLearningRate'; optimizer: string; lr: number }
  | { type: 'setBatchSize'; batchSize: number }
  | { type: 'setCheckpointEvery'; steps: number }
  /** Prior samples with a fixed noise seed so progress is visible; `label` for conditional models. */
  | { type: 'samples'; id: number; n: number; label?: number; seed?: number }
  | { type: 'reconstructions'; id: number; n: number }
  /** Encode up to `count` held-out examples: 2-D directly, PCA beyond. */
  | { type: 'latentMap'; id: number; count?: number }
  /** Decode latent vectors (n × latentSize): map clicks, interpolation, traversal. */
  | { type: 'decode'; id: number; latents: Float32Array; n: number; label?: number }
  | { type: 'klPerDim'; id: number }
  /** Pixel-by-pixel sampling of an autoregressive model, with progress events. */
  | { type: 'autoregressive'; id: number; n: number; label?: number; seed?: number }
  /** The current output of one document node on a few held-out examples. */
  | { type: 'preview'; id: number; nodeId: string }
  /** 2-D data: the playground's layers (real and generated points, critic heatmap, manifold, generator gradients, posterior, grid KL/JS). */
  | { type: 'points2d'; id: number; n: number }
  /** A diffusion model's way from noise to data: x_t at `frames` evenly spaced points of a DDIM chain of `steps` steps (1…T), for n samples. */
  | { type: 'trajectory'; id: number; n: number; frames: number; steps: number }
  /** Slow motion: the run loop waits this long after every round (0–MAX_ROUND_DELAY_MS). */
  | { type: 'setRoundDelay'; ms: number }
  /** Judge n prior samples against real data (the Metrics view); training pauses while it runs. */
  /** `importanceSamples`: K for a VAE's importance-sampled NLL, beside its ELBO (0 = the ELBO only). */
  | { type: 'measureSamples'; id: number; n: number; importanceSamples?: number }
  /** Log p(x) of n 28×28 images (n × 784 values in [0, 1]) beside the test set's (the OOD view); training pauses while it runs. */
  | { type: 'scoreImages'; id: number; images: Float32Array; n: number }
  /** The same for one image of each built-in strange set (blank, noise, shapes, …). */
  | { type: 'scoreStrange'; id: number }
  | { type: 'saveCheckpoint' }
  /** The model as it is now (weights, optimizer state, batch order, curve, measurements), for the run history or a bundle. */
  | { type: 'exportCheckpoint'; id: number }
  | { type: 'restoreCheckpoint' }
  | { type: 'export'; id: number }
  | { type: 'debugFail'; kind: FailureKind };

// ───────────────────────────── worker → page ─────────────────────────────

export interface BackendEvent {
  type: 'backend';
  backend: BackendName;
  requested: BackendChoice;
  threads: number;
  simd: boolean;
  /** wasm only: our GEMM runs fused multiply-adds (relaxed SIMD). */
  fma?: boolean;
  /** wasm only: the heap is a SharedArrayBuffer (TF.js's threaded-simd build). */
  sharedMemory?: boolean;
  /** Why it is single-threaded, or why it is not what was asked for. */
  note?: string;
  /** Backends that failed on the way to this one, with the reason. */
  skipped: { backend: BackendName; reason: string; /** passed over on purpose (a software renderer), not broken */ deliberate?: boolean }[];
}

export interface ModelInfo {
  title: string;
  optimizers: {
    id: string;
    label: string;
    learningRate: number;
    stepsPerRound: number;
    terms: string[];
    /** The term its total is the value of: the loss node wired to it (a weighted sum of the others, or the only term). */
    total: string;
  }[];
  /** Loss term display names (one curve each) and optimizer totals (by optimizer id). */
  lossTerms: string[];
  /** What each of those is counted in, by the same names ('nats per example', …); absent where no node says. */
  units: Record<string, string>;
  /**
   * The terms whose sum is the negative ELBO (the reconstruction NLL plus the KL to the prior, whatever
   * weights training gives them), when the graph has one; the optimizer's total is that only when every weight is 1.
   */
  elbo: null | { nll: string; kl: string };
  modes: {
    generate: boolean;
    autoregressive: boolean;
    conditional: boolean;
    reconstruct: boolean;
    encode: boolean;
    /** whether the graph defines log p(x) (exact, or bounded by the ELBO): what the OOD check scores */
    likelihood: boolean;
    /** a normalizing flow: samples are prior draws run backwards through its layers, and its code z is exact */
    flow: boolean;
    /** a diffusion model: samples come from a chain of denoising steps, x_T ~ N(0, I) to x_0 */
    diffusion: boolean;
  };
  latentSize: number;
  /** T, the length of a diffusion model's noise schedule (0 for other models) */
  diffusionSteps: number;
  /** classNames: the data's own names for its classes (image folders, a CSV's class column), when it has them */
  data: { kind: 'image' | 'points'; shape: number[]; numClasses: number; source: string; classNames?: string[] };
  batchSize: number;
  paramCount: number;
  /** Document nodes that have a previewable output. */
  previewable: string[];
  hasKl: boolean;
}

/** The test set's log-likelihoods, so the page ranks any image among them. */
export interface OodTest {
  n: number;
  /** log p(x) per test example, ascending. */
  sorted: number[];
}

/** An OOD answer: the images' log p(x) in nats (higher = more likely), or why there are none. */
export interface OodScores {
  id: number;
  step: number;
  modelKey: string;
  /** One per image; empty when `unavailable`. */
  logLikelihoods: number[];
  test: OodTest | null;
  kind?: LikelihoodKind;
  /** What the numbers are (bound or exact, K, binarization). */
  note?: string;
  unavailable?: string;
}

export interface CheckpointInfo {
  step: number;
  savedAt: number;
  backend: string;
}

/** One sample-quality measurement, at the training step its samples were drawn at. */
export interface Measurement {
  step: number;
  metrics: SampleMetrics;
}

export interface LossPoint {
  step: number;
  losses: Record<string, number>;
}

export type FromWorker =
  | BackendEvent
  | {
      type: 'loaded';
      info: ModelInfo;
      step: number;
      storedCheckpoint: CheckpointInfo | null;
      resumed: boolean;
      warnings: GraphError[];
      /** Which model this is (the plan's modelKey), so the page keeps measurements only across loads of the same one. */
      modelKey?: string;
      /** The model's measurements up to its step (kept in its checkpoint, so a reload brings them back). */
      measurements?: Measurement[];
    }
  | { type: 'compileErrors'; errors: GraphError[] }
  /** The new document's variables differ from the running model's; answer with load + onChange. */
  | { type: 'docChanged'; matching: number; total: number; changed: string[] }
  | { type: 'state'; running: boolean; step: number; busy?: string }
  /** Each trainable layer's gradient norm at its optimizer's last step (in graph order), sent at most every GRADIENT_SAMPLE_MS. */
  | { type: 'gradients'; step: number; layers: GradientLayer[]; norms: number[] }
  | { type: 'metrics'; points: LossPoint[]; step: number; stepsPerSec: number; numTensors: number; numBytes: number; msPerStep: number }
  | { type: 'diverged'; step: number; term: string; value: number; checkpoint: CheckpointInfo | null }
  | { type: 'fallback'; from: BackendName; to: BackendName; reason: string; resumedFromStep: number }
  | { type: 'checkpoint'; info: CheckpointInfo; stored: boolean }
  | {
      type: 'restored';
      step: number;
      /** The learning rate each optimizer now trains at (by optimizer id). */
      learningRates?: Record<string, number>;
      /** What the restore changed besides the weights (after a divergence: the learning rates went back to the document's). */
      note?: string;
      /** The measurements up to the restored step. */
      measurements?: Measurement[];
    }
  | { type: 'error'; message: string; where: string }
  /** View request `id` will get no (further) reply: the model it was drawing from was replaced (reset, reload, fallback). */
  | { type: 'cancelled'; id: number }
  | { type: 'samples'; id: number; n: number; shape: number[]; images: Float32Array; step: number; label?: number }
  | {
      type: 'reconstructions';
      id: number;
      n: number;
      shape: number[];
      inputs: Float32Array;
      outputs: Float32Array;
      /** The corrupted inputs the network saw (a denoising AE), or null when it sees the data itself. */
      seen: Float32Array | null;
      step: number;
    }
  | {
      type: 'latentMap';
      id: number;
      n: number;
      dim: number;
      /** n × 2 map coordinates (the latent itself for 2-D, else its first two principal components). */
      points: Float32Array;
      labels: Uint8Array | null;
      /** n × dim latent means. */
      latents: Float32Array;
      /** PCA: dim-vector mean and 2 × dim basis, so a map point decodes as mean + x·b0 + y·b1. */
      mean: Float32Array | null;
      basis: Float32Array | null;
      /** n × prod(shape) inputs, so views can show the chosen examples. */
      inputs: Float32Array;
      shape: number[];
      explained: number | null;
    }
  | { type: 'decoded'; id: number; n: number; shape: number[]; images: Float32Array }
  | { type: 'kl'; id: number; perDim: Float32Array }
  | { type: 'pixels'; id: number; n: number; shape: number[]; index: number; total: number; canvas: Float32Array; done: boolean }
  /** One node's output on n held-out examples, in the form that fits it (./activations.ts). */
  | {
      type: 'preview';
      id: number;
      nodeId: string;
      shape: number[];
      view: ActivationView;
      n: number;
      /** ∂loss/∂input at the node's image-shaped input; null when it has none or no loss depends on it. */
      inputGradient: InputGradient | null;
    }
  /** The 2-D playground's layers (see Playground2d in ./playground.ts). */
  | ({ type: 'points2d'; id: number } & Playground2d)
  | {
      type: 'trajectory';
      id: number;
      n: number;
      /** one example's shape: an image's [h, w, c], or [2] for points */
      shape: number[];
      /** the step index of each frame, T (pure noise) first and 0 (the samples) last */
      t: number[];
      /** x_t for each frame, n × prod(shape) values */
      frames: Float32Array[];
      /** the DDIM steps the chain took (network calls), and T */
      steps: number;
      T: number;
      /** how long the chain took in the worker */
      ms: number;
      /** 2-D data: up to n held-out points to draw the paths over, and a frame that holds them and the samples */
      real: Float32Array | null;
      bounds: [number, number, number, number] | null;
      step: number;
    }
  /** The generator as a TF.js LayersModel: model.json (its topology, and a manifest naming weights.bin) and weights.bin. */
  | { type: 'exported'; id: number; modelJson: string; weights: ArrayBuffer }
  /** The answer to exportCheckpoint: null (with why) when no model is loaded or it has diverged. */
  | { type: 'checkpointData'; id: number; checkpoint: StoredCheckpoint | null; unavailable?: string }
  /** A measurement's stage (`done` of `of`), as it starts each. */
  | { type: 'measureProgress'; id: number; done: number; of: number; what: string }
  | {
      type: 'measured';
      id: number;
      /** The training step the samples were drawn at. */
      step: number;
      modelKey: string;
      /** null when nothing could be measured; `unavailable` says why. */
      metrics: SampleMetrics | null;
      unavailable?: string;
      ms: number;
      backend: BackendName | null;
    }
  | ({ type: 'scored' } & OodScores)
  | ({ type: 'strangeScored'; strange: { name: string; description: string; image: Float32Array }[] } & OodScores);

export type FromWorkerOf<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;
