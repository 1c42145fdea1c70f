import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import type { LayerNodeDef, Tensor } from '../../src/graph/nodeApi';
import { BATCH } from '../../src/graph/shape';
import { buildLayer, callContext, paramsFor, tf } from './harness';

const H = 6;
const W = 6;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A stack of masked convolutions as one function of the image. */
function stack(types: string[]): (x: Tensor) => Tensor {
  const def = registry.maskedConv2d as LayerNodeDef;
  let channels = 1;
  const layers = types.map((maskType) => {
    const { built } = buildLayer(def, paramsFor(def, { maskType, filters: 4, kernelSize: 3, activation: 'tanh' }), {
      x: [BATCH, H, W, channels],
    });
    channels = 4;
    return built;
  });
  return (x) => layers.reduce((h, layer) => layer.forward({ x: h }, callContext()).y, x);
}

/** Which input pixels (raster index) influence output pixel `at`, by the gradient of that output. */
function dependsOn(f: (x: Tensor) => Tensor, at: number): boolean[] {
  const [r, c] = [Math.floor(at / W), at % W];
  const g = tf.grad((x: Tensor) => f(x).slice([0, r, c, 0], [1, 1, 1, -1]).sum())(tf.randomNormal([1, H, W, 1], 0, 1, 'float32', 5));
  return Array.from(g.dataSync()).map((v) => v !== 0);
}

describe('masked convolution', () => {
  const centre = 2 * W + 3;
  it.each([
    ['A', ['A']],
    ['B', ['B']],
    ['A then B', ['A', 'B']],
    ['A then B then B', ['A', 'B', 'B']],
  ])('%s: an output never depends on later pixels', (_name, types) => {
    const f = stack(types);
    const firstIsA = types[0] === 'A';
    for (const at of [0, centre, H * W - 1]) {
      const deps = dependsOn(f, at);
      for (let i = at + 1; i < H * W; i++) expect(deps[i], `output ${at} sees later pixel ${i}`).toBe(false);
      // Type A hides the pixel itself, however many B layers follow; type B alone sees it.
      expect(deps[at], `output ${at} and its own pixel`).toBe(!firstIsA);
    }
    // It does see earlier pixels: the one to the left and the one above.
    const deps = dependsOn(f, centre);
    expect(deps[centre - 1] && deps[centre - W]).toBe(true);
  });

  it('an A-masked layer makes the graph autoregressive; B does not', () => {
    const def = registry.maskedConv2d;
    expect(def.autoregressive?.(paramsFor(def, { maskType: 'A' }))).toBe(true);
    expect(def.autoregressive?.(paramsFor(def, { maskType: 'B' }))).toBe(false);
  });

  it('refuses even kernels, which have no centre', () => {
    const def = registry.maskedConv2d as LayerNodeDef;
    expect(def.inferShapes({ x: [BATCH, 28, 28, 1] }, paramsFor(def, { kernelSize: 4 }), { data: null })).toMatchObject({
      failure: { hint: expect.stringContaining('5') },
    });
  });
});
