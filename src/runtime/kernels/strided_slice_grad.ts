/**
 * Gradient for StridedSlice (tf.stridedSlice), on every backend.
 *
 * Why it exists: TF.js 4.22 registers no gradient for StridedSlice, so a
 * model that uses tf.stridedSlice cannot train on any backend. The slice
 * picks each input element at most once, so its gradient scatters dy back to
 * the picked positions: we slice a tensor of flat indices [0, size) with the
 * same attributes to learn which positions were picked, then ScatterNd
 * (which the wasm backend ships) writes dy there, zeros elsewhere. The index
 * tensor is float32 (exact below 2^24 elements) and cast to int32 afterwards,
 * because wasm's StridedSlice mangles int32 input (it returns the int bits
 * reinterpreted as float32).
 */
import * as tf from '@tensorflow/tfjs-core';

interface StridedSliceAttrs {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
}

export const stridedSliceGradConfig: tf.GradConfig = {
  kernelName: tf.StridedSlice,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const a = attrs as unknown as StridedSliceAttrs;
    return {
      x: () => {
        const size = x.size;
        const idx = tf.reshape(tf.range(0, size, 1, 'float32'), x.shape);
        const picked = tf.stridedSlice(
          idx,
          a.begin,
          a.end,
          a.strides,
          a.beginMask,
          a.endMask,
          a.ellipsisMask,
          a.newAxisMask,
          a.shrinkAxisMask,
        );
        const flat = tf.scatterND(tf.cast(tf.reshape(picked, [-1, 1]), 'int32'), tf.reshape(dy as tf.Tensor, [-1]), [size]);
        return tf.reshape(flat, x.shape);
      },
    };
  },
};

/** Register the gradient unless TF.js (a later version) already has one. */
export function registerStridedSliceGrad(): void {
  if (!tf.getGradient(tf.StridedSlice)) tf.registerGradient(stridedSliceGradConfig);
}
