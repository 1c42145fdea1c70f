import { defineNode } from '../src/graph/nodeApi';
import { int } from '../src/graph/params';
import { BATCH, formatShape } from '../src/graph/shape';
import { ExpansionBuilder, type Source } from './lib/expansion';

export default defineNode({
  kind: 'block',
  type: 'unet',
  title: 'U-Net',
  category: 'blocks',
  doc: 'The denoiser of image diffusion models (Ronneberger et al. 2015, as DDPM uses it), small. The way down has one level per depth step: two 3×3 convolutions, then 2×2 average pooling, halving the size (28 → 14 → 7) while the channels double from the base filters. The way up mirrors it: upsampling ×2, then a skip connection concatenates the map of the same size from the way down, so fine detail need not squeeze through the bottom. A last 3×3 convolution gives one value per input value (ε̂). The time input (a Timestep embedding), joined with the optional condition (a one-hot label, for a conditional model), goes through a Dense layer of 4×filters; at every level a Dense layer turns that into one offset per channel (reshaped to 1×1×channels) added at every pixel, so each level knows how noisy its input is. All of these are ordinary layers: expand the block to edit them.',
  inputs: {
    x: { type: 'tensor', kind: 'image', doc: 'B×H×W×C image (x_t); H and W divisible by 2^depth' },
    time: { type: 'tensor', doc: 'B×d, the timestep embedding', optional: true },
    condition: { type: 'tensor', kind: 'label', doc: 'B×classes, e.g. a one-hot label', optional: true },
  },
  outputs: { y: { type: 'tensor', kind: 'image', doc: 'B×H×W×C, e.g. the predicted noise ε̂' } },
  params: {
    filters: int({ default: 32, min: 1, max: 512, doc: 'channels at the top level; each level down doubles them' }),
    depth: int({ default: 2, min: 1, max: 4, doc: 'levels down (each halves the size) and back up' }),
  },
  keyParams: ['filters', 'depth'],
  examples: [{ x: [BATCH, 28, 28, 1], time: [BATCH, 32] }],
  expand: (p, { x, time, condition }) => {
    const scale = 2 ** p.depth;
    if (x.length !== 4 || x[1] % scale !== 0 || x[2] % scale !== 0)
      throw new Error(
        `a U-Net of depth ${p.depth} needs images B×H×W×C with H and W divisible by ${scale}, got ${formatShape(x)}; ` +
          (x.length !== 4 ? 'add a Reshape to 28×28×1' : 'lower its depth'),
      );
    const b = new ExpansionBuilder();
    const conv = (id: string, filters: number, from: Source) =>
      b.layer(id, 'conv2d', { filters, kernelSize: 3, stride: 1, padding: 'same', activation: 'relu' }, { x: from });
    let emb: Source | null = null;
    if (time || condition) {
      const joined: Source =
        time && condition
          ? b.layer('embJoin', 'concat', {}, { a: { input: 'time' }, b: { input: 'condition' } })
          : { input: time ? 'time' : 'condition' };
      emb = b.layer('emb', 'dense', { units: 4 * p.filters, activation: 'relu' }, { x: joined });
    }
    // Two convolutions, with the embedding's per-channel offset added between them.
    const level = (id: string, filters: number, from: Source): Source => {
      let h = conv(`${id}a`, filters, from);
      if (emb) {
        const offset = b.layer(`${id}Time`, 'dense', { units: filters, activation: 'linear' }, { x: emb });
        const plane = b.layer(`${id}TimeMap`, 'reshape', { shape: [1, 1, filters] }, { x: offset });
        h = b.layer(`${id}AddTime`, 'add', {}, { a: h, b: plane });
      }
      return conv(`${id}b`, filters, h);
    };
    const channels = (l: number) => p.filters * 2 ** l;
    const skips: Source[] = [];
    let h: Source = { input: 'x' };
    for (let l = 0; l < p.depth; l++) {
      h = level(`down${l}`, channels(l), h);
      skips.push(h);
      h = b.layer(`pool${l}`, 'avgPool2d', { poolSize: 2, padding: 'valid' }, { x: h });
    }
    h = level('mid', channels(p.depth), h);
    for (let l = p.depth - 1; l >= 0; l--) {
      h = b.layer(`up${l}Scale`, 'upSample2d', { scale: 2, method: 'nearest' }, { x: h });
      h = b.layer(`up${l}Skip`, 'concat', {}, { a: h, b: skips[l] });
      h = level(`up${l}`, channels(l), h);
    }
    const out = b.layer(
      'out',
      'conv2d',
      { filters: x[3], kernelSize: 3, stride: 1, padding: 'same', activation: 'linear', init: 'glorotUniform' },
      { x: h },
    );
    b.output('y', out);
    return b.done();
  },
});
