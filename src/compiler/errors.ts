/** Validation problems are data, never exceptions: each names the node and port it is about. */
import type { Shape } from '../graph/shape';

export type ErrorCode =
  | 'unknown-type'
  | 'bad-param'
  | 'bad-edge'
  | 'port-type'
  | 'duplicate-input'
  | 'missing-input'
  | 'cycle'
  | 'shape'
  | 'no-dataset'
  | 'two-datasets'
  | 'loss-unused'
  | 'two-optimizers'
  | 'nothing-to-train'
  | 'too-large'
  | 'bad-share'
  | 'bad-ref'
  | 'frozen'
  | 'duplicate-id'
  | 'data-unavailable'
  /** an edge on a port the node's parameters turn off */
  | 'inactive-port'
  /** a flow's chain of invertible layers is broken */
  | 'flow'
  /** a diffusion model's denoiser, loss or sampler is wired so that sampling cannot work */
  | 'diffusion';

export interface GraphError {
  code: ErrorCode;
  /** Document node the problem is on (absent for whole-graph problems). */
  nodeId?: string;
  port?: string;
  param?: string;
  edgeId?: string;
  message: string;
  hint?: string;
  /** Warnings (a frozen network) do not stop a run. */
  severity: 'error' | 'warning';
  /** For a shape error on an edge: the shape the input would accept, or (none found) its documented shape in words. */
  expected?: Shape | string;
  /** A repair known to clear this error, checked by shape inference; the editor applies it as one undo step. */
  fix?: GraphFix;
}

/**
 * A one-click repair, as data: the compiler proposes it, the editor store
 * applies it to the document. `label` is what the button says.
 */
export type GraphFix =
  /** Put a node of `type` (one input, one output) on the edge, between its two ends. */
  | { kind: 'insertNode'; type: string; edgeId: string; label: string }
  | { kind: 'setParam'; nodeId: string; param: string; value: number; label: string };

export function formatGraphError(e: GraphError, labelOf: (id: string) => string = (id) => id): string {
  const where = e.nodeId ? `${labelOf(e.nodeId)}${e.port ? `.${e.port}` : e.param ? ` (${e.param})` : ''}: ` : '';
  return `${e.severity === 'warning' ? 'warning: ' : ''}${where}${e.message}${e.hint ? ` — ${e.hint}` : ''}`;
}
