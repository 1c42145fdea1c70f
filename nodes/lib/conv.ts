/** Spatial arithmetic shared by the convolution layers (NHWC images). */
import { fail, type ShapeFailure } from '../../src/graph/nodeApi';
import { formatShape, type Shape } from '../../src/graph/shape';

export const PADDINGS = ['same', 'valid'] as const;

/** Output height or width of a convolution: 'same' keeps ⌈n/stride⌉, 'valid' only counts full windows. */
export function convOutSize(n: number, kernel: number, stride: number, padding: string): number {
  return padding === 'same' ? Math.ceil(n / stride) : Math.ceil((n - kernel + 1) / stride);
}

/** Output height or width of a transposed convolution, the inverse of convOutSize. */
export function convTransposeOutSize(n: number, kernel: number, stride: number, padding: string): number {
  return padding === 'same' ? n * stride : (n - 1) * stride + kernel;
}

/** Convolutions need B×H×W×C; anything else gets a failure that says how to get there. */
export function needImage(x: Shape): ShapeFailure | null {
  if (x.length === 4) return null;
  return fail(
    'x',
    `needs an image batch B×height×width×channels, got ${formatShape(x)}`,
    x.length === 2 ? 'add a Reshape (e.g. to 28×28×1) before it' : 'reshape the input to height×width×channels',
  );
}
