import { defineNode, fail, FLOW_LOG_DET_INPUT } from '../src/graph/nodeApi';
import { BATCH, formatShape } from '../src/graph/shape';

const isLogDet = (port: string) => port.startsWith(FLOW_LOG_DET_INPUT);

export default defineNode({
  kind: 'layer',
  type: 'flowNll',
  title: 'Flow NLL',
  category: 'flows',
  flowLoss: { logProb: 'logProb' },
  loss: { output: 'loss', measures: () => 'nll' },
  doc: "The loss of a normalizing flow: the exact negative log-likelihood of the data, by the change of variables. If the flow layers h_1 … h_K take x = h_0 to z = h_K, then log p(x) = log p(z) + Σ_k log |det ∂h_k/∂h_(k−1)|. Connect the Flow prior's log p(z); the compiler adds every flow layer's log-det itself, so only the data path needs wiring. Reported in nats per example, averaged over the batch (bits/dim = nats/(D·ln 2) for D values per example).",
  inputs: { logProb: { type: 'tensor', doc: "B×1: the Flow prior's log p(z)" } },
  outputs: { loss: { type: 'loss', doc: 'scalar: −log p(x), nats per example' } },
  equation: {
    tex: () =>
      String.raw`\begin{aligned}\port{loss}{\mathcal L} &= \frac1B \sum_{b=1}^{B} -\log p(x_b)\\ -\log p(x) &= -\port{logProb}{\log p(z)}\\ &\quad - \sum_{k=1}^{K} \log \Big\lvert \det \frac{\partial h_k}{\partial h_{k-1}} \Big\rvert\\ \text{bits/dim} &= \frac{-\log p(x)}{D \ln 2}\end{aligned}`,
    compact: () => String.raw`-\log p(x) = -\port{logProb}{\log p(z)} - \textstyle\sum_k \log\lvert\det J_k\rvert`,
    caption: () =>
      'The change of variables: the flow layers h₁ … h_K take x = h₀ to z = h_K, and each layer’s log-determinant says how much it stretches space there. The loss is −log p(x) in nats per example, averaged over the batch; divided by D ln 2 (D values per example) it is bits per dimension.',
  },
  params: {},
  trainable: false,
  examples: [{ logProb: [BATCH, 1] }],
  inferShapes: (inputs) => {
    const { logProb } = inputs;
    if (logProb.length !== 2 || logProb[1] !== 1)
      return fail('logProb', `needs log p(z) of each example, B×1, got ${formatShape(logProb)}`, "connect the Flow prior's logProb");
    for (const [port, shape] of Object.entries(inputs))
      if (isLogDet(port) && shape.length !== 1)
        return fail(port, `a flow layer's log-det has one value per example (B), got ${formatShape(shape)}`, 'sum it over each example');
    return { loss: [] };
  },
  build: () => ({
    // Works on any number of rows (the evaluator scores examples one at a time).
    forward: (inputs, call) => {
      let logLikelihood = inputs.logProb.reshape([-1]);
      for (const [port, logDet] of Object.entries(inputs)) if (isLogDet(port)) logLikelihood = logLikelihood.add(logDet);
      return { loss: call.tf.neg(logLikelihood).mean() };
    },
  }),
});
