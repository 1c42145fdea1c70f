/**
 * The graph document, version 2: plain JSON that files, autosave, presets,
 * share links and the CLI all use. The zod schema is the single definition.
 * Version 2 added the teaching layer (locks, sticky notes, group frames, an
 * exercise, a guided tour); the compiler, runtime and CLI ignore all of it.
 */
import { z } from 'zod';

export const CURRENT_SCHEMA_VERSION = 2;

const id = z.string().min(1).max(200);
const xy = z.object({ x: z.number().finite(), y: z.number().finite() });
const size = z.object({ width: z.number().finite().min(20).max(10_000), height: z.number().finite().min(20).max(10_000) });

export const nodeSchema = z.object({
  id,
  type: z.string().min(1).max(100),
  position: xy,
  params: z.record(z.string(), z.unknown()),
  label: z.string().max(200).optional(),
  notes: z.string().max(20_000).optional(),
  /** This node applies the variables of that node (e.g. one discriminator on real and fake). */
  sharesWeightsWith: id.optional(),
  /** The version of this node type's parameters it was saved with; absent means 1 (see NodeBase.version). */
  version: z.number().int().min(1).max(10_000).optional(),
  /** An exercise keeps this node: a learner cannot delete it, rewire its edges or edit any of its parameters. */
  locked: z.boolean().optional(),
  /** Only these parameters are fixed for a learner (the rest of the node stays editable). */
  lockedParams: z.array(z.string().min(1).max(100)).max(200).optional(),
  /** A block whose layers are the document's block definition of this id (in `blocks`), not the ones its parameters generate. */
  block: id.optional(),
});

export const edgeSchema = z.object({
  id,
  source: id,
  sourcePort: z.string().min(1).max(100),
  target: id,
  targetPort: z.string().min(1).max(100),
});

const port = z.string().min(1).max(100);
const portRef = z.object({ node: id, port });
/**
 * A block's layers, edited as layers: exactly the expansion the compiler
 * inlines (layers in data-flow order, the edges between them, and which
 * layer ports the block's own inputs feed and outputs come from). Block
 * nodes refer to one by id, so nodes that share weights share one definition.
 */
export const blockDefinitionSchema = z.object({
  id,
  title: z.string().max(200),
  nodes: z.array(z.object({ id, type: z.string().min(1).max(100), params: z.record(z.string(), z.unknown()) })).max(500),
  edges: z.array(z.object({ source: id, sourcePort: port, target: id, targetPort: port })).max(2_000),
  inputs: z.record(port, z.array(portRef).max(100)),
  outputs: z.record(port, portRef),
  /** What the learner called the block's ports (the port id where absent). */
  portNames: z.record(port, z.string().max(60)).optional(),
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

/** A sticky note on the canvas: plain text, shown as text only. */
export const stickyNoteSchema = z.object({ id, text: z.string().max(2_000), position: xy, size });
/** A titled frame drawn behind the nodes it surrounds. */
export const groupSchema = z.object({ id, title: z.string().max(200), position: xy, size });

/** One end of an edge a check looks for: a node by id or any node of a type, on a port or any port. */
const edgeEndSchema = z
  .object({ node: id.optional(), type: z.string().min(1).max(100).optional(), port: z.string().min(1).max(100).optional() })
  .refine((e) => e.node !== undefined || e.type !== undefined, { message: 'name a node or a node type' });

/** What the app checks for a task: typed data, never code. */
export const checkSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('compiles') }),
  z.object({ kind: z.literal('edge'), from: edgeEndSchema, to: edgeEndSchema }),
  z.object({ kind: z.literal('param'), node: id, param: z.string().min(1).max(100), equals: z.unknown() }),
  z.object({
    kind: z.literal('metricBelow'),
    term: z.string().min(1).max(200),
    value: z.number().finite(),
    afterSteps: z.number().int().min(0).max(10_000_000),
  }),
  z.object({
    kind: z.literal('question'),
    answer: z.string().min(1).max(500),
    alsoAccept: z.array(z.string().min(1).max(500)).max(20).optional(),
  }),
]);

export const taskSchema = z.object({
  id,
  text: z.string().max(2_000),
  check: checkSchema,
  hints: z.array(z.string().max(2_000)).max(20).default([]),
});

export const exerciseSchema = z.object({
  tasks: z.array(taskSchema).max(50),
  /** Nodes the learner gets unwired (edges taken away) and fills in. */
  blanks: z.array(id).max(200).default([]),
  /** What "Reveal solution" puts back: the blanked nodes as the author had them, and their edges. */
  solution: z.object({ nodes: z.array(nodeSchema).max(200), edges: z.array(edgeSchema).max(2_000) }).optional(),
});

/**
 * The places outside the canvas a tour step can open, by stable name: the
 * dock's Problems tab, the run panel's views, and the training views in it.
 */
export const TOUR_VIEWS = [
  'problems',
  'training',
  'history',
  'loss',
  'samples',
  'reconstructions',
  'latent',
  'metrics',
  'diffusion',
  'playground',
  'gradients',
] as const;
export type TourView = (typeof TOUR_VIEWS)[number];

/** What a step points at: a node on the canvas or a view; no target is a step of text alone. */
const tourTargetSchema = z
  .object({ node: id.optional(), view: z.enum(TOUR_VIEWS).optional() })
  .refine((t) => (t.node === undefined) !== (t.view === undefined), { message: 'name either a node or a view' });

/** One step of a guided tour: plain text, shown as text only. */
export const tourStepSchema = z.object({ id, text: z.string().min(1).max(2_000), target: tourTargetSchema.optional() });
/**
 * A step may point at a node the graph no longer has: deleting or unpacking a
 * node leaves the tour as it was, and a saved graph must open again. The card
 * says so at that step instead (and tests/graph/tour.test.ts checks the presets).
 */
export const tourSchema = z.object({
  steps: z
    .array(tourStepSchema)
    .min(1)
    .max(50)
    .superRefine((steps, ctx) => {
      const seen = new Set<string>();
      steps.forEach((step, i) => {
        if (seen.has(step.id))
          ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `tour step "${step.id}" appears twice; give each step its own id` });
        seen.add(step.id);
      });
    }),
});

export const documentSchema = z.object({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  meta: metaSchema,
  nodes: z.array(nodeSchema).max(5_000),
  edges: z.array(edgeSchema).max(20_000),
  notes: z.array(stickyNoteSchema).max(500).optional(),
  groups: z.array(groupSchema).max(500).optional(),
  exercise: exerciseSchema.optional(),
  /** A guided tour: steps that point at nodes and views in order. */
  tour: tourSchema.optional(),
  /** Block definitions that block nodes refer to (GraphNode.block). */
  blocks: z.array(blockDefinitionSchema).max(200).optional(),
});

export type GraphDocument = z.infer<typeof documentSchema>;
export type GraphNode = z.infer<typeof nodeSchema>;
export type GraphEdge = z.infer<typeof edgeSchema>;
export type StickyNote = z.infer<typeof stickyNoteSchema>;
export type GroupFrame = z.infer<typeof groupSchema>;
export type Exercise = z.infer<typeof exerciseSchema>;
export type ExerciseTask = z.infer<typeof taskSchema>;
export type ExerciseCheck = z.infer<typeof checkSchema>;
export type EdgeEnd = z.infer<typeof edgeEndSchema>;
export type TourStep = z.infer<typeof tourStepSchema>;
export type BlockDefinition = z.infer<typeof blockDefinitionSchema>;

export function emptyDocument(title = 'Untitled graph'): GraphDocument {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, meta: { title, description: '', goals: [], seed: 1 }, nodes: [], edges: [] };
}
