import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH, exampleSize, formatShape } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'epsMse',
  title: 'ε-prediction MSE',
  category: 'losses',
  doc: "The diffusion loss of Ho et al. 2020 (their L_simple): ‖ε − ε̂(x_t, t)‖², the squared error between the noise Forward noising added and the denoiser's guess of it, averaged over values and examples. Averaged over uniformly drawn steps t it is a reweighted form of the ELBO; dropping the weights trains better samples but means the value is not a likelihood in nats. An untrained denoiser that outputs 0 scores 1 (ε has unit variance); a perfect one cannot reach 0, since at small t the faint noise cannot be told apart from the data's own detail. Unlike the Mean squared error it does not treat ε̂ as a reconstruction of the data.",
  inputs: {
    prediction: { type: 'tensor', doc: "ε̂, the denoiser's output, shaped like the data" },
    target: { type: 'tensor', doc: "ε, Forward noising's noise" },
  },
  outputs: { loss: { type: 'loss', doc: 'scalar' } },
  equation: {
    tex: () =>
      String.raw`\begin{aligned}\port{loss}{\mathcal L_{\mathrm{simple}}} &= \frac1B \sum_{b=1}^{B} \frac1D \big\lVert \port{target}{\varepsilon_b} - \port{prediction}{\hat\varepsilon_b} \big\rVert^2\\ \hat\varepsilon_b &= \hat\varepsilon_\theta(x_{t,b}, t_b)\end{aligned}`,
    compact: () =>
      String.raw`{\frac{1}{BD} \sum_b \big\lVert \port{target}{\varepsilon} - \port{prediction}{\hat\varepsilon_\theta(x_t, t)} \big\rVert^2}`,
    caption: () =>
      'The squared error between the noise ε that Forward noising added and the denoiser’s guess, averaged over the D values of each example and over the batch (a random t for each). A reweighted ELBO, not a likelihood in nats.',
  },
  loss: { output: 'loss', unit: () => 'squared error per value' },
  diffusionLoss: { prediction: 'prediction', target: 'target' },
  params: {},
  trainable: false,
  examples: [{ prediction: [BATCH, 2], target: [BATCH, 2] }],
  inferShapes: ({ prediction, target }) =>
    exampleSize(prediction) === exampleSize(target)
      ? { loss: [] }
      : fail(
          'prediction',
          `ε̂ ${formatShape(prediction)} and ε ${formatShape(target)} hold different numbers of values`,
          'end the denoiser with as many outputs as the data has values',
        ),
  build: () => ({
    forward: ({ prediction, target }) => ({ loss: prediction.reshape(target.shape).sub(target).square().mean() }),
  }),
});
