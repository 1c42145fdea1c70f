/**
 * Emitters of the normalizing-flow nodes (flows.py holds their Python). Each flow
 * layer's call gives its y and log-determinant together; `inverse` is what
 * sample.py runs backwards from a prior draw to the data.
 */
import { FLOW_LOG_DET_INPUT } from '../graph/nodeApi';
import { Tuple, flag, num, str, type Emitter, type Layout } from './emitterKit';
import { pyNumber, pyString } from './names';

const together = (expr: string) => new Tuple(expr, ['y', 'logDet']);

export const FLOW_EMITTERS: Record<string, Emitter> = {
  actNorm: {
    module: (n) => `ActNorm(${n.inputShapes.x[n.inputShapes.x.length - 1]})`,
    tensors: () => [
      { ours: 'bias', kind: 'var', torch: 'bias', layout: 'same' },
      { ours: 'logScale', kind: 'var', torch: 'log_scale', layout: 'same' },
      { ours: 'initialized', kind: 'state', torch: 'initialized', layout: 'same' },
    ],
    forward: (_n, { x }, m) => together(`${m}(${x})`),
    inverse: (_n, y, m) => `${m}.inverse(${y})`,
  },
  invConv1x1: {
    module: (n) => `InvConv1x1(${n.inputShapes.x[n.inputShapes.x.length - 1]})`,
    // Our W is used as y = x·Wᵀ, PyTorch's the same way round: the matrices carry over as they are.
    tensors: () => [
      { ours: 'lower', kind: 'var', torch: 'lower', layout: 'same' },
      { ours: 'upper', kind: 'var', torch: 'upper', layout: 'same' },
      { ours: 'logS', kind: 'var', torch: 'log_s', layout: 'same' },
    ],
    forward: (_n, { x }, m) => together(`${m}(${x})`),
    inverse: (_n, y, m) => `${m}.inverse(${y})`,
  },
  affineCoupling: {
    module: (n) => {
      const hidden = (n.params as Record<string, unknown>).hidden as number[];
      const example = n.inputShapes.x.slice(1);
      return `AffineCoupling([${example.join(', ')}], ${pyString(str(n, 'mask'))}, ${flag(n, 'flip') ? 'True' : 'False'}, [${hidden.join(', ')}], ${pyString(str(n, 'activation'))})`;
    },
    tensors: (n) => {
      const layout: Layout = n.inputShapes.x.length === 4 ? 'conv' : 'dense';
      const hidden = (n.params as Record<string, unknown>).hidden as number[];
      return [
        ...hidden.flatMap((_, i) => [
          { ours: `hidden${i}Kernel`, kind: 'var' as const, torch: `hidden.${i}.weight`, layout },
          { ours: `hidden${i}Bias`, kind: 'var' as const, torch: `hidden.${i}.bias`, layout: 'same' as const },
        ]),
        { ours: 'outKernel', kind: 'var', torch: 'out.weight', layout },
        { ours: 'outBias', kind: 'var', torch: 'out.bias', layout: 'same' },
        { ours: 'scale', kind: 'var', torch: 'scale', layout: 'same' },
      ];
    },
    forward: (_n, { x }, m) => together(`${m}(${x})`),
    inverse: (_n, y, m) => `${m}.inverse(${y})`,
  },
  squeeze: { forward: (_n, { x }) => together(`squeeze2x2(${x})`), inverse: (_n, y) => `unsqueeze2x2(${y})[0]` },
  unsqueeze: { forward: (_n, { x }) => together(`unsqueeze2x2(${x})`), inverse: (_n, y) => `squeeze2x2(${y})[0]` },
  dequantize: {
    forward: (n, { x }) => together(`dequantize(${x}, ${num(n, 'levels')}, draw)`),
    inverse: (n, y) => `dequantize_inverse(${y}, ${num(n, 'levels')})`,
  },
  logitTransform: {
    forward: (n, { x }) => together(`logit_transform(${x}, ${pyNumber(num(n, 'alpha'))})`),
    inverse: (n, y) => `logit_transform_inverse(${y}, ${pyNumber(num(n, 'alpha'))})`,
  },
  flowPrior: { forward: (_n, { z }) => ({ logProb: `flow_prior_log_prob(${z})` }) },
  flowNll: {
    forward: (_n, x) => {
      // The compiler gave the loss one input per layer of the chain, logDet0 … logDetK−1, in chain order.
      const logDets = Object.keys(x)
        .filter((port) => port.startsWith(FLOW_LOG_DET_INPUT))
        .sort((a, b) => Number(a.slice(FLOW_LOG_DET_INPUT.length)) - Number(b.slice(FLOW_LOG_DET_INPUT.length)))
        .map((port) => x[port]);
      return { loss: `flow_nll(${[x.logProb, ...logDets].join(', ')})` };
    },
  },
};
