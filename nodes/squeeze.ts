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
  equation: {
    tex: () =>
      String.raw`\begin{aligned}\port{y}{y_{i,\,j,\,(2a + b)C + c}} &= \port{x}{x_{2i + a,\,2j + b,\,c}}\\ a, b &\in \{0, 1\},\ c < C\\ \port{logDet}{\log \lvert \det \tfrac{\partial y}{\partial x} \rvert} &= 0\end{aligned}`,
    compact: () =>
      String.raw`\port{y}{y_{i,j}} = \big(\port{x}{x_{2i,2j}}, x_{2i,2j+1}, x_{2i+1,2j}, x_{2i+1,2j+1}\big) \newline \port{logDet}{\log\lvert\det J\rvert} = 0`,
    caption: () =>
      'Each 2×2 block of pixels becomes one pixel: its four C-channel vectors, top-left, top-right, bottom-left, bottom-right, side by side as 4C channels. Values only move, so the volume does not change and the log-determinant is 0.',
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
