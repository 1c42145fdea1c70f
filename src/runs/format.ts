/**
 * A run, as files: what a CLI run directory holds and what a run bundle (one
 * zip of the same layout) carries between the browser and the CLI.
 *
 *   run.json                   RunManifest: name, colour, seed, backend, data, step
 *   graph.json                 the graph document that was trained
 *   metrics.jsonl              one {step, <term>: value, …} line per logged step
 *   measurements.json          sample-quality measurements [{step, metrics}] (may be absent)
 *   checkpoint/checkpoint.json CheckpointMeta
 *   checkpoint/weights.bin     every tensor of CheckpointMeta.tensors, float32 little-endian, back to back
 *   samples.png, reconstructions.png   the latest pictures (either may be absent)
 *   thumbnails/samples-<step>.png      sample grids at checkpoints (may be absent)
 *
 * Pure data: no file system, no DOM, no TF.js, so the browser and the CLI read
 * and write the same thing.
 */
import type { BatcherState } from '../data/batcher';
import type { LossPoint, Measurement } from '../runtime/protocol';

export const RUN_FORMAT = 'latent-lab-run';
export const RUN_FORMAT_VERSION = 1;

export interface RunManifest {
  format: typeof RUN_FORMAT;
  version: number;
  /** What the learner calls the run (editable in the history). */
  name: string;
  /** A CSS colour, the run's colour in every comparison chart. */
  colour: string;
  seed: number;
  /** The backend it last trained on. */
  backend: string;
  /** The data it trained on: a built-in source's name or a file's. */
  data: string;
  /** The step its checkpoint is at. */
  step: number;
  createdAt: string;
  /** Where the run was last trained. */
  origin: 'browser' | 'cli';
}

export interface CheckpointTensor {
  key: string;
  shape: number[];
  name?: string;
  /** In float32 values, into weights.bin. */
  offset: number;
  length: number;
}

export interface CheckpointMeta {
  step: number;
  randomCounter: number;
  batcher: BatcherState;
  backend: string;
  savedAt: string;
  tensors: CheckpointTensor[];
  /** What the checkpoint was trained on, so a resume with another graph or data set is refused by name (absent in old checkpoints). */
  origin?: CheckpointOrigin;
  /** Learning rates changed during training, by optimizer id (the browser's live field); absent = the document's. */
  learningRates?: Record<string, number>;
}

export interface CheckpointOrigin {
  /** The model's structure key (plan.modelKey without data, optimizer and seed parameters). */
  modelKey: string;
  /** The graph file it came from, as the user named it. */
  graph: string;
  batchSize: number;
  /** The data set's name and size. */
  data: string;
  examples: number;
}

export interface RunPicture {
  /** Path inside the run: samples.png, reconstructions.png or thumbnails/samples-<step>.png. */
  path: string;
  png: Uint8Array;
}

/** A whole run in memory. */
export interface RunFiles {
  manifest: RunManifest;
  /** graph.json as parsed JSON; load it with the document loader, which names what is wrong. */
  graph: unknown;
  losses: LossPoint[];
  measurements: Measurement[];
  checkpoint: { meta: CheckpointMeta; weights: Float32Array } | null;
  pictures: RunPicture[];
}

/**
 * A run's files that cannot be read as a run. `where` is the file as the user knows it, with the
 * path inside it (`mine.zip/checkpoint/weights.bin`, `runs/mine/graph.json`); the message starts with it.
 */
export class RunFileError extends Error {
  constructor(
    readonly where: string,
    problem: string,
  ) {
    super(`${where}: ${problem}`);
    this.name = 'RunFileError';
  }
}
