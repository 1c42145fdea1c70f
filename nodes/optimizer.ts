import { defineNode } from '../src/graph/nodeApi';
import { choice, float, int, nodeRefs } from '../src/graph/params';

const adam = { param: 'algorithm', is: ['adam'] };

export default defineNode({
  kind: 'layer',
  type: 'optimizer',
  title: 'Optimizer',
  category: 'training',
  optimizer: {
    lossPort: 'loss',
    trains: 'trains',
    stepsPerRound: 'stepsPerRound',
    learningRate: 'learningRate',
    clipWeights: 'clipWeights',
  },
  doc: 'Minimises the loss connected to it by updating the networks it trains. Leave "trains" empty to train every network upstream of the loss; a GAN lists the generator in one optimizer and the discriminator in the other. "Steps per round" gives k discriminator steps per generator step. "Clip weights" c > 0 clamps every weight it trains to [−c, c] after each step, as the original WGAN keeps its critic smooth (Lipschitz); a gradient penalty (WGAN-GP) does that better.',
  inputs: { loss: { type: 'loss', doc: 'the scalar to minimise' } },
  outputs: {},
  params: {
    algorithm: choice(['adam', 'sgd', 'rmsprop'], 'adam'),
    learningRate: float({ default: 1e-3, min: 0, exclusiveMin: true, max: 10, logScale: true, doc: 'step size' }),
    beta1: float({ default: 0.9, min: 0, max: 0.9999, doc: 'Adam: decay of the gradient average', usedWhen: adam }),
    beta2: float({ default: 0.999, min: 0, max: 0.99999, doc: 'Adam: decay of the squared-gradient average', usedWhen: adam }),
    epsilon: float({
      default: 1e-7,
      min: 0,
      exclusiveMin: true,
      max: 1,
      logScale: true,
      doc: 'Adam / RMSprop: added to the denominator',
      usedWhen: { param: 'algorithm', is: ['adam', 'rmsprop'] },
    }),
    momentum: float({
      default: 0,
      min: 0,
      max: 0.9999,
      doc: 'SGD / RMSprop momentum',
      usedWhen: { param: 'algorithm', is: ['sgd', 'rmsprop'] },
    }),
    rho: float({
      default: 0.9,
      min: 0,
      max: 0.9999,
      doc: 'RMSprop: decay of the squared-gradient average',
      usedWhen: { param: 'algorithm', is: ['rmsprop'] },
    }),
    trains: nodeRefs('networks this optimizer updates; empty = everything upstream of its loss'),
    stepsPerRound: int({ default: 1, min: 1, max: 100, doc: 'steps of this optimizer in each training round' }),
    clipWeights: float({
      default: 0,
      min: 0,
      max: 10,
      doc: "weight clipping c (WGAN's critic, e.g. 0.01): after each step every weight it trains is clamped to [−c, c]; 0 = off",
    }),
  },
  keyParams: ['algorithm', 'learningRate'],
  trainable: false,
  examples: [{ loss: [] }],
  inferShapes: () => ({}),
  build: (ctx, p) => {
    const train = ctx.tf.train;
    const optimizer =
      p.algorithm === 'sgd'
        ? p.momentum > 0
          ? train.momentum(p.learningRate, p.momentum)
          : train.sgd(p.learningRate)
        : p.algorithm === 'rmsprop'
          ? train.rmsprop(p.learningRate, p.rho, p.momentum, p.epsilon)
          : train.adam(p.learningRate, p.beta1, p.beta2, p.epsilon);
    return { forward: () => ({}), optimizer };
  },
});
