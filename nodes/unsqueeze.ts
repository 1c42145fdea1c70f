import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH, formatShape } from '../src/graph/shape';
import { needImage } from './lib/conv';
import { FLOW_CAPABILITY, squeeze2x2, unsqueeze2x2 } from './lib/flow';

export default defineNode({
  kind: 'layer',
  type: 'unsqueeze',
  title: 'Unsqueeze (channels → 2×2)',
  category: 'flows',
  flow: FLOW_CAPABILITY,
  doc: 'The inverse of Squeeze: each pixel with 4C channels becomes a 2×2 block of pixels with C channels, B×H×W×4C → B×2H×2W×C. It only moves values, so it is invertible and log |det| = 0.',
  inputs: { x: { type: 'tensor', doc: 'B×H×W×C image, C a multiple of 4' } },
  outputs: {
    y: { type: 'tensor', doc: 'B×2H×2W×C/4' },
    logDet: { type: 'tensor', doc: 'B zeros: moving values changes no volume' },
  },
  params: {},
  trainable: false,
  examples: [{ x: [BATCH, 4, 4, 8] }],
  inferShapes: ({ x }) => {
    const notImage = needImage(x);
    if (notImage) return notImage;
    const [batch, h, w, c] = x;
    if (c % 4 !== 0)
      return fail(
        'x',
        `unsqueezing spreads 4 channels over a 2×2 block, but ${formatShape(x)} has ${c} channels, not a multiple of 4`,
        'unsqueeze what a Squeeze made (its channels are 4C)',
      );
    return { y: [batch, 2 * h, 2 * w, c / 4], logDet: [batch] };
  },
  build: () => ({
    forward: ({ x }, call) => ({ y: unsqueeze2x2(x), logDet: call.tf.zeros([x.shape[0]]) }),
    inverse: (y) => squeeze2x2(y),
  }),
});
