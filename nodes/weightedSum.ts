import { defineNode, type EquationContext, type LossMeasure } from '../src/graph/nodeApi';
import { float } from '../src/graph/params';
import { texNumber } from './lib/tex';

const TERMS = ['a', 'b', 'c', 'd'] as const;
type Term = (typeof TERMS)[number];
type Weights = Record<Term, number>;

const WEIGHT_PARAM: Record<Term, string> = { a: 'wa', b: 'wb', c: 'wc', d: 'wd' };
const weightsOf = (p: { wa: number; wb: number; wc: number; wd: number }): Weights => ({ a: p.wa, b: p.wb, c: p.wc, d: p.wd });

/** The terms the equation shows: the wired ones, or all four when nothing is wired yet. */
function shownTerms(ctx: EquationContext): { term: Term; measure: LossMeasure }[] {
  const wired = TERMS.filter((t) => Object.hasOwn(ctx.wired, t));
  return (wired.length ? wired : TERMS).map((term) => ({ term, measure: ctx.wired[term] ?? null }));
}

/** −ELBO = NLL + KL needs exactly one term of each, both at weight 1, and nothing else. */
function isNegativeElbo(ctx: EquationContext, w: Weights): boolean {
  const terms = shownTerms(ctx);
  const nll = terms.filter((t) => t.measure === 'nll');
  const kl = terms.filter((t) => t.measure === 'kl');
  return terms.length === 2 && nll.length === 1 && kl.length === 1 && terms.every((t) => w[t.term] === 1);
}

const SYMBOL: Record<'nll' | 'kl', string> = { nll: String.raw`\mathrm{NLL}`, kl: String.raw`\mathrm{KL}` };

/** w_a·a + w_b·b + …, each symbol tagged with its port, weights of 1 left out and signs folded in. */
function weightedTerms(ctx: EquationContext, w: Weights): string {
  return shownTerms(ctx)
    .map(({ term, measure }, i) => {
      const symbol = String.raw`\port{${term}}{${measure ? SYMBOL[measure] : String.raw`\mathcal L_${term}`}}`;
      const weight = w[term];
      const sign = weight < 0 ? '-' : i === 0 ? '' : '+';
      const size = Math.abs(weight);
      return `${sign} ${size === 1 ? '' : `${texNumber(size)}\\,`}${symbol}`;
    })
    .join(' ');
}

function weightedSumCaption(ctx: EquationContext, w: Weights): string {
  const terms = shownTerms(ctx);
  const nll = terms.find((t) => t.measure === 'nll');
  const kl = terms.find((t) => t.measure === 'kl');
  if (!nll || !kl) return 'A weighted sum of loss terms, which the optimizer minimises; each term is still reported on its own.';
  if (isNegativeElbo(ctx, w))
    return 'With both weights 1 this is the negative ELBO: the reconstruction NLL −log p(x | z) (one draw of z per example) plus the KL from q(z | x) to the prior, in nats per example. Minimising it raises a lower bound on log p(x).';
  const offWeights = [nll, kl].filter((t) => w[t.term] !== 1).map((t) => `${WEIGHT_PARAM[t.term]} = ${w[t.term]}`);
  const why = [
    ...(offWeights.length ? [`${offWeights.join(' and ')}, not 1`] : []),
    ...(terms.length > 2 ? ['it adds other terms'] : []),
  ].join(', and ');
  const beta = w[kl.term] > 1 && w[nll.term] === 1 ? ' (a KL weight above 1 makes it a β-VAE)' : '';
  return `Not the ELBO: ${why}, so the optimizer minimises a weighted objective${beta}. Evaluation still reports −ELBO = NLL + KL from the two terms themselves.`;
}

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
  equation: {
    tex: (p, ctx) => {
      const w = weightsOf(p);
      const terms = shownTerms(ctx);
      const total = String.raw`\port{loss}{\mathcal L} &= ${weightedTerms(ctx, w)}${isNegativeElbo(ctx, w) ? String.raw` = -\mathrm{ELBO}` : ''}`;
      // Short lines, so the inspector can show them at a readable size.
      const elbo = [
        String.raw`-\mathrm{ELBO} &= \mathrm{NLL} + \mathrm{KL} \ \ge\ -\log p(x)`,
        String.raw`\mathrm{NLL} &= \mathbb E_{q(z \mid x)}\big[-\log p(x \mid z)\big]`,
        String.raw`\mathrm{KL} &= \mathrm{KL}\big(q(z \mid x)\,\|\,p(z)\big)`,
      ].join(String.raw`\\`);
      const explainsElbo = terms.some((t) => t.measure === 'nll') && terms.some((t) => t.measure === 'kl');
      return String.raw`\begin{aligned}${total}${explainsElbo ? String.raw`\\ ${elbo}` : ''}\end{aligned}`;
    },
    compact: (p, ctx) => {
      const w = weightsOf(p);
      return String.raw`\port{loss}{\mathcal L} = ${weightedTerms(ctx, w)}${isNegativeElbo(ctx, w) ? String.raw` = -\mathrm{ELBO}` : ''}`;
    },
    caption: (p, ctx) => weightedSumCaption(ctx, weightsOf(p)),
  },
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
