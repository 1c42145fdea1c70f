/** What every emitter file shares: the emitter contract, parameter readers and the typed refusal of a setting. */
import type { CompiledNode } from '../compiler/plan';
import { ExportError } from './errors';
import { pyNumber } from './names';

/** How one of our tensors becomes a PyTorch one (latent_lab.py's LAYOUTS does the conversion, both ways). */
export type Layout = 'same' | 'dense' | 'conv' | 'conv_transpose';

export interface TensorMapping {
  /** Our variable's name after `<owner>/` (kernel, bias, gamma, runningMean, …). */
  ours: string;
  /** `var` (trained) or `state` (a running statistic). */
  kind: 'var' | 'state';
  /** The attribute of the node's module that holds it. */
  torch: string;
  layout: Layout;
}

/** Which pass an expression is for: training (the objectives) or sampling (a diffusion denoiser, run without noise of its own). */
export type Pass = 'train' | 'generate';

/** Outputs that one call computes together (a flow layer's y and log-determinant): `a, b = expr`, in `ports` order. */
export class Tuple {
  constructor(
    readonly expr: string,
    readonly ports: string[],
  ) {}
}

export type Outputs = Record<string, string> | Tuple;

export interface Emitter {
  /** Python constructing the node's nn.Module, for a layer with weights. */
  module?(n: CompiledNode): string;
  /** Its checkpoint tensors and where they go in the module. */
  tensors?(n: CompiledNode): TensorMapping[];
  /**
   * Its outputs in `pass` (training unless said), as Python expressions of its inputs (variables
   * named in `x`), its module (`module`, an attribute path), the batch and `draw`.
   */
  forward(n: CompiledNode, x: Record<string, string>, module: string, pass: Pass): Outputs;
  /** A flow layer's inverse: its input x as a Python expression of its output `y`. */
  inverse?(n: CompiledNode, y: string, module: string): string;
}

export type Values = Record<string, unknown>;
export const num = (n: CompiledNode, key: string) => (n.params as Values)[key] as number;
export const str = (n: CompiledNode, key: string) => (n.params as Values)[key] as string;
export const flag = (n: CompiledNode, key: string) => (n.params as Values)[key] as boolean;
export const rank = (n: CompiledNode, port: string) => n.inputShapes[port].length;

export function unsupported(n: CompiledNode, problem: string, hint: string): ExportError {
  return new ExportError('unsupported-setting', n.docId, n.type, `node "${n.docId}" (${n.id}): ${problem}`, hint);
}

/** An activation applied to a Python expression; the leak only matters to leaky ReLU. */
export function activate(expr: string, name: string, leak = 0.2): string {
  switch (name) {
    case 'linear':
      return expr;
    case 'relu':
      return `F.relu(${expr})`;
    // Ours is (1 − leak)·relu(x) + leak·x, which is leaky ReLU.
    case 'leakyRelu':
      return `F.leaky_relu(${expr}, ${pyNumber(leak)})`;
    case 'elu':
      return `F.elu(${expr})`;
    case 'sigmoid':
      return `torch.sigmoid(${expr})`;
    case 'tanh':
      return `torch.tanh(${expr})`;
    default:
      throw new Error(`no PyTorch activation for ${name}`);
  }
}
