import { defineNode } from '../src/graph/nodeApi';
import { float } from '../src/graph/params';
import { BATCH } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'l1Activity',
  title: 'L1 activity (sparsity)',
  category: 'losses',
  doc: 'weight · mean |x|: penalizes large activations, so a sparse autoencoder learns codes in which most units are (near) zero for any one input. Connect the hidden layer or code you want sparse and add this to the reconstruction loss.',
  inputs: { x: { type: 'tensor', doc: 'activations to keep sparse' } },
  outputs: { loss: { type: 'loss', doc: 'scalar' } },
  loss: { output: 'loss', unit: () => 'weighted mean |activation|' },
  params: { weight: float({ default: 1, min: 0, max: 1e6, doc: 'strength of the sparsity penalty' }) },
  keyParams: ['weight'],
  trainable: false,
  examples: [{ x: [BATCH, 64] }],
  inferShapes: () => ({ loss: [] }),
  build: (_ctx, p) => ({ forward: ({ x }) => ({ loss: x.abs().mean().mul(p.weight) }) }),
});
