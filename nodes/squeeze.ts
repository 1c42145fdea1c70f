import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH, formatShape } from '../src/graph/shape';
import { needImage } from './lib/conv';
import { FLOW_CAPABILITY, squeeze2x2, unsqueeze2x2 } from './lib/flow';

export default defineNode({
  kind: 'layer',
  type: 'squeeze',
  title: 'Squeeze (2×2 → channels)',
  category: 'flows',
  flow: FLOW_CAPABILITY,
  doc: 'Trades space for channels without losing anything (RealNVP): each 2×2 block of pixels becomes one pixel with 4 times the channels, B×H×W×C → B×H/2×W/2×4C. It only moves values, so it is invertible and log |det| = 0. After it, a coupling with the channel mask can mix values that were neighbours.',
  inputs: { x: { type: 'tensor', doc: 'B×H×W×C image, H and W even' } },
  outputs: {
    y: { type: 'tensor', doc: 'B×H/2×W/2×4C' },
    logDet: { type: 'tensor', doc: 'B zeros: moving values changes no volume' },
  },
  params: {},
  trainable: false,
  examples: [{ x: [BATCH, 8, 8, 2] }],
  inferShapes: ({ x }) => {
    const notImage = needImage(x);
    if (notImage) return notImage;
    const [batch, h, w, c] = x;
    if (h % 2 !== 0 || w % 2 !== 0)
      return fail(
        'x',
        `squeezing takes 2×2 blocks, but ${formatShape(x)} has an odd ${h % 2 !== 0 ? 'height' : 'width'}`,
        'squeeze only while height and width are even (28 → 14 → 7 allows two squeezes), or crop or pad the images to an even size',
      );
    return { y: [batch, h / 2, w / 2, 4 * c], logDet: [batch] };
  },
  build: () => ({
    forward: ({ x }, call) => ({ y: squeeze2x2(x), logDet: call.tf.zeros([x.shape[0]]) }),
    inverse: (y) => unsqueeze2x2(y),
  }),
});
