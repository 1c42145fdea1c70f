/**
 * Greater, GreaterEqual, Less and LessEqual for the wasm backend, when both
 * operands are float32 and one is a scalar or both have the same shape (the
 * masks of every ReLU-family gradient: tf.leakyRelu's gradient is
 * where(x > 0, dy, α·dy)).
 *
 * Why it exists: the shipped kernels take a per-element broadcasting path
 * even for a scalar operand (7.3 ns per element, 40× an Add). Ours is one
 * SIMD pass (native compare_f32) writing TF.js's bool layout, a byte per
 * element. Other cases go to the shipped kernels.
 */
import { Greater, GreaterEqual, Less, LessEqual, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { byteOffsetOf, original, run, size } from './wasm_util';
import { nativeKernels, type CompareOp } from './native';

/** The comparison with its operands swapped: a > b ⇔ b < a. */
const MIRRORED: Record<CompareOp, CompareOp> = { greater: 'less', less: 'greater', greaterEqual: 'lessEqual', lessEqual: 'greaterEqual' };

function compareConfig(kernelName: string, op: CompareOp): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend }) => {
    const be = backend as BackendWasm;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const sameShape = util.arraysEqual(a.shape, b.shape);
    const aScalar = size(a) === 1 && !sameShape,
      bScalar = size(b) === 1 && !sameShape;
    if (
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      !(sameShape || aScalar || bScalar) ||
      (aScalar && b.shape.length < a.shape.length) ||
      (bScalar && a.shape.length < b.shape.length)
    ) {
      return run(be, kernelName, { a, b });
    }
    const [x, other, cmp] = aScalar ? [b, a, MIRRORED[op]] : [a, b, op];
    const y = be.makeOutput(x.shape, 'bool');
    nativeKernels(be).compare(cmp, byteOffsetOf(be, x), byteOffsetOf(be, other), !sameShape, byteOffsetOf(be, y), size(x));
    return y;
  };
  return { kernelName, backendName: 'wasm', kernelFunc, setupFunc: original(kernelName).setupFunc };
}

export const greaterConfig = () => compareConfig(Greater, 'greater');
export const greaterEqualConfig = () => compareConfig(GreaterEqual, 'greaterEqual');
export const lessConfig = () => compareConfig(Less, 'less');
export const lessEqualConfig = () => compareConfig(LessEqual, 'lessEqual');
