/**
 * Seed 002's lesson on one 2-D data set: a VAE, a normalizing flow, a
 * diffusion model and a GAN — the 2-D presets, their data swapped for the
 * learner's — train on the same points and are judged by the same figures.
 * Likelihood models pay for every data point they miss, so they cover every
 * mode and spread some mass between modes; a GAN pays only for samples the
 * discriminator can tell apart, so it may sharpen onto fewer modes. The CLI
 * (`families`) and the run panel's lesson build their graphs here.
 */
import type { GraphDocument } from '../graph/document';
import type { AnyNodeDef } from '../graph/nodeApi';

export interface LessonFamily {
  family: 'VAE' | 'flow' | 'diffusion' | 'GAN';
  /** The preset it starts from (presets/<preset>.json). */
  preset: string;
  /** Its README step count. */
  steps: number;
  /** What kind of likelihood the family gives. */
  likelihood: string;
}

export const FAMILIES_LESSON: readonly LessonFamily[] = [
  { family: 'VAE', preset: 'vae-2d-moons', steps: 10_000, likelihood: 'a lower bound (ELBO)' },
  { family: 'flow', preset: 'flow-2d', steps: 2_000, likelihood: 'exact' },
  { family: 'diffusion', preset: 'ddpm-2d', steps: 30_000, likelihood: 'a lower bound (not computed here)' },
  { family: 'GAN', preset: 'gan-2d', steps: 5_000, likelihood: 'none' },
];

/** What the lesson's data is: a built-in source by name, or the Dataset node of a graph (drawn points, an uploaded CSV, …). */
export type LessonData = { source: string } | { from: GraphDocument };

export type LessonDocResult = { ok: true; doc: GraphDocument } | { ok: false; why: string };

type Registry = Readonly<Record<string, AnyNodeDef | undefined>>;

function datasetNode(doc: GraphDocument, registry: Registry) {
  for (const node of doc.nodes) {
    const capability = registry[node.type]?.dataset;
    if (capability) return { node, capability };
  }
  return null;
}

/**
 * `preset` with its Dataset node switched to `data`: a source name sets the source only; a graph lends every
 * data parameter of its Dataset node (source, drawn points, upload id, …) except the batch size, which stays the
 * preset's (each family's own), and its seed, so every family draws the same reference points.
 */
export function lessonDocument(preset: GraphDocument, registry: Registry, data: LessonData, title?: string): LessonDocResult {
  const target = datasetNode(preset, registry);
  if (!target) return { ok: false, why: `the preset “${preset.meta.title}” has no Dataset node` };
  const doc = structuredClone(preset);
  const node = doc.nodes.find((n) => n.id === target.node.id)!;
  if ('source' in data) {
    node.params[target.capability.source] = data.source;
  } else {
    const from = datasetNode(data.from, registry);
    if (!from) return { ok: false, why: 'the open graph has no Dataset node to take the data from' };
    if (from.node.type !== node.type) return { ok: false, why: `the open graph's data comes from a ${from.node.type} node, not a ${node.type} node` };
    const dataParams = structuredClone(from.node.params);
    delete dataParams[from.capability.batchSize];
    Object.assign(node.params, dataParams);
    doc.meta.seed = data.from.meta.seed;
  }
  if (title) doc.meta.title = title;
  return { ok: true, doc };
}

/** The rounds each family trains for: its README count times `scale`, at least one. */
export function lessonRounds(f: LessonFamily, scale: number): number {
  return Math.max(1, Math.round(f.steps * scale));
}
