/**
 * The graph document, version 1: plain JSON that files, autosave, presets,
 * share links and the CLI all use. The zod schema is the single definition.
 */
import { z } from 'zod';

export const CURRENT_SCHEMA_VERSION = 1;

const id = z.string().min(1).max(200);

export const nodeSchema = z.object({
  id,
  type: z.string().min(1).max(100),
  position: z.object({ x: z.number().finite(), y: z.number().finite() }),
  params: z.record(z.string(), z.unknown()),
  label: z.string().max(200).optional(),
  notes: z.string().max(20_000).optional(),
  /** This node applies the variables of that node (e.g. one discriminator on real and fake). */
  sharesWeightsWith: id.optional(),
  /** The version of this node type's parameters it was saved with; absent means 1 (see NodeBase.version). */
  version: z.number().int().min(1).max(10_000).optional(),
});

export const edgeSchema = z.object({
  id,
  source: id,
  sourcePort: z.string().min(1).max(100),
  target: id,
  targetPort: z.string().min(1).max(100),
});

export const metaSchema = z.object({
  title: z.string().max(200),
  description: z.string().max(20_000).default(''),
  goals: z.array(z.string().max(2_000)).max(50).default([]),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1),
});

export const documentSchema = z.object({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  meta: metaSchema,
  nodes: z.array(nodeSchema).max(5_000),
  edges: z.array(edgeSchema).max(20_000),
});

export type GraphDocument = z.infer<typeof documentSchema>;
export type GraphNode = z.infer<typeof nodeSchema>;
export type GraphEdge = z.infer<typeof edgeSchema>;

export function emptyDocument(title = 'Untitled graph'): GraphDocument {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, meta: { title, description: '', goals: [], seed: 1 }, nodes: [], edges: [] };
}
