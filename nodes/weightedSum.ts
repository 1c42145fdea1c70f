import { defineNode } from '../src/graph/nodeApi';
import { float } from '../src/graph/params';

const TERMS = ['a', 'b', 'c', 'd'] as const;

export default defineNode({
  kind: 'layer',
  type: 'weightedSum',
  title: 'Weighted sum',
  category: 'losses',
  doc: 'Combines loss terms: wa·a + wb·b + wc·c + wd·d. Each term is still reported on its own, so you can see which one moves. Try a weight of 0 on the KL term of a VAE.',
  inputs: {
    a: { type: 'loss', doc: 'first term' },
    b: { type: 'loss', doc: 'second term', optional: true },
    c: { type: 'loss', doc: 'third term', optional: true },
    d: { type: 'loss', doc: 'fourth term', optional: true },
  },
  outputs: { loss: { type: 'loss', doc: 'the weighted total' } },
  loss: { output: 'loss' },
  params: {
    wa: float({ default: 1, min: -1e6, max: 1e6 }),
    wb: float({ default: 1, min: -1e6, max: 1e6 }),
    wc: float({ default: 1, min: -1e6, max: 1e6 }),
    wd: float({ default: 1, min: -1e6, max: 1e6 }),
  },
  keyParams: ['wa', 'wb'],
  trainable: false,
  examples: [{ a: [], b: [] }],
  inferShapes: () => ({ loss: [] }),
  build: (_ctx, p) => {
    const weights: Record<string, number> = { a: p.wa, b: p.wb, c: p.wc, d: p.wd };
    return {
      forward: (inputs, call) => {
        // A weight of 1 needs no multiply; it keeps the common case as cheap as a plain sum.
        const parts = TERMS.filter((t) => inputs[t]).map((t) => (weights[t] === 1 ? inputs[t] : inputs[t].mul(weights[t])));
        return { loss: parts.length === 1 ? parts[0] : call.tf.addN(parts) };
      },
    };
  },
});
