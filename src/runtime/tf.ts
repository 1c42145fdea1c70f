/**
 * The runtime's one TF.js entry. The union package registers what bare
 * tfjs-core lacks — chained tensor methods (used by node build functions) and
 * every op's gradient — and shares the one tfjs-core engine with the backends.
 */
export * from '@tensorflow/tfjs';
