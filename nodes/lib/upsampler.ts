/** The layers shared by the Decoder and Generator blocks: a latent code (and label) grown into an example. */
import type { Expansion } from '../../src/graph/nodeApi';
import type { Shape } from '../../src/graph/shape';
import { ExpansionBuilder, type Source } from './expansion';

export const OUTPUT_SHAPES: Record<string, number[]> = { image28: [28, 28, 1], flat784: [784], points2: [2] };

export interface UpsamplerParams {
  kind: string;
  hidden: number[];
  outputShape: string;
  outputActivation: string;
  batchNorm: boolean;
}

export function expandUpsampler(p: UpsamplerParams, inputs: Record<string, Shape>): Expansion {
  const b = new ExpansionBuilder();
  const out = OUTPUT_SHAPES[p.outputShape];
  let h: Source = inputs.condition ? b.layer('cond', 'concat', {}, { a: { input: 'z' }, b: { input: 'condition' } }) : { input: 'z' };
  // With batch norm the layer itself stays linear: normalize first, then apply the ReLU.
  const hiddenLayer = (id: string, type: string, params: Record<string, unknown>) => {
    h = b.layer(id, type, { ...params, activation: p.batchNorm ? 'linear' : 'relu' }, { x: h });
    if (p.batchNorm) {
      h = b.layer(`${id}Norm`, 'batchNorm', {}, { x: h });
      h = b.layer(`${id}Act`, 'activation', { fn: 'relu' }, { x: h });
    }
  };
  if (p.kind === 'conv') {
    if (p.outputShape === 'points2') throw new Error('a conv network makes images; use outputShape image28 or flat784, or kind mlp');
    if (p.hidden.length < 1 || p.hidden.length > 2)
      throw new Error(`a conv network takes one or two hidden sizes (channels at 7×7, then at 14×14), got ${p.hidden.length}; e.g. 64, 32`);
    const [c7, c14 = Math.max(1, Math.floor(c7 / 2))] = p.hidden;
    hiddenLayer('dense', 'dense', { units: 7 * 7 * c7 });
    h = b.layer('grid', 'reshape', { shape: [7, 7, c7] }, { x: h });
    hiddenLayer('up0', 'convTranspose2d', { filters: c14, kernelSize: 4, stride: 2, padding: 'same' });
    h = b.layer(
      'up1',
      'convTranspose2d',
      { filters: 1, kernelSize: 4, stride: 2, padding: 'same', activation: p.outputActivation },
      { x: h },
    );
    if (out.length === 1) h = b.layer('flat', 'flatten', {}, { x: h });
  } else {
    p.hidden.forEach((units, i) => hiddenLayer(`dense${i}`, 'dense', { units }));
    h = b.layer('out', 'dense', { units: out.reduce((a, d) => a * d, 1), activation: p.outputActivation }, { x: h });
    if (out.length > 1) h = b.layer('shape', 'reshape', { shape: out }, { x: h });
  }
  b.output('y', h);
  return b.done();
}
