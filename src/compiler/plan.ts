/** What the compiler hands to the runtime and the editor. Plain data only. */
import type { DataInfo, DisplayTransform, LayerNodeDef, Mode } from '../graph/nodeApi';
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
  params: Record<string, unknown>;
  inputs: Record<string, PortRef>;
  inputShapes: Record<string, Shape>;
  outputShapes: Record<string, Shape>;
  /** Whose variables this node uses: itself, or the node it shares weights with. */
  weightOwner: string;
  paramCount: number;
}

export interface OptimizerPlan {
  id: string;
  params: Record<string, unknown>;
  loss: PortRef;
  /** Flat ids of the variable owners this optimizer updates. */
  trains: string[];
  /** The same, as document node ids, for the editor's highlight. */
  trainsDocIds: string[];
  stepsPerRound: number;
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
  };
  reconstruct: null | { output: PortRef; transform: DisplayTransform };
  encode: null | { latent: PortRef; latentSize: number };
  evaluate: null | { kind: 'elbo' | 'nll' | 'loss'; optimizer: string };
}

export interface Plan {
  /** Flat nodes in a topological order. */
  nodes: CompiledNode[];
  byId: Record<string, CompiledNode>;
  data: DataInfo;
  datasetNode: string;
  optimizers: OptimizerPlan[];
  /** Every loss node feeding an optimizer: flat id → display name. */
  lossNames: Record<string, string>;
  modes: ModePlan;
  paramCount: number;
  memoryBytes: number;
  seed: number;
}

export type { DisplayTransform, Mode };
