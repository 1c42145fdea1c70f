/**
 * A node of a kind the registry does not ship: a sampler with another
 * parameterization, z = c + exp(s) · u with u ~ U(−1, 1) per dimension (a box
 * posterior of centre c and log half-width s). It lives only in this test's
 * fixture registry, to show a new kind is its file, one registry line and its test.
 */
import { defineNode, fail } from '../../src/graph/nodeApi';
import { BATCH, formatShape, sameShape } from '../../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'uniformSampler',
  title: 'Sampler (uniform box)',
  category: 'sampling',
  sampler: { output: 'z', mean: 'centre' },
  doc: 'Draws z = c + exp(s)·u with u ~ U(−1, 1): a box-shaped posterior around c whose half-width exp(s) is learned. Generating draws z from the prior U(−1, 1).',
  inputs: {
    centre: { type: 'tensor', doc: 'c, B×latent' },
    logHalfWidth: { type: 'tensor', doc: 's, B×latent' },
  },
  outputs: { z: { type: 'tensor', doc: 'B×latent sample' } },
  params: {},
  trainable: false,
  examples: [{ centre: [BATCH, 4], logHalfWidth: [BATCH, 4] }],
  inputsUsedIn: (mode) => (mode === 'generate' ? [] : 'all'),
  inferShapes: ({ centre, logHalfWidth }) =>
    sameShape(centre, logHalfWidth)
      ? { z: centre }
      : fail('logHalfWidth', `c is ${formatShape(centre)} but s is ${formatShape(logHalfWidth)}`, 'give both heads the same units'),
  build: (ctx) => {
    const latent = ctx.inputShapes.centre.slice(1);
    return {
      forward: ({ centre, logHalfWidth }, call) => {
        if (call.mode === 'generate') return { z: call.randomUniform([call.batchSize, ...latent], -1, 1) };
        if (call.mode !== 'train') return { z: centre };
        const u = call.randomUniform(centre.shape, -1, 1);
        return { z: centre.add(call.tf.exp(logHalfWidth).mul(u)) };
      },
    };
  },
});
