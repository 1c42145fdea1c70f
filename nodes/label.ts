import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'label',
  title: 'Label',
  category: 'data',
  label: { output: 'y' },
  doc: "The class of each example as a one-hot vector. While training it is the dataset's label; while generating it is the class you pick, which is how a conditional model is told what to draw.",
  inputs: {},
  outputs: { y: { type: 'tensor', kind: 'label', doc: 'one-hot class, B×classes' } },
  params: {},
  trainable: false,
  inferShapes: (_inputs, _p, ctx) => {
    if (!ctx.data) return fail(undefined, 'needs a Dataset in the graph to know the classes', 'add a Dataset node');
    if (ctx.data.numClasses === 0)
      return fail(
        undefined,
        'the dataset has no labels',
        'use labelled data (mnist, an IDX labels file beside the images, or one image sub-folder per class), or remove the Label for an unconditional model',
      );
    return { y: [BATCH, ctx.data.numClasses] };
  },
  build: () => ({
    forward: (_inputs, call) => {
      if (!call.batch.labels) throw new Error('this batch has no labels');
      return { y: call.batch.labels };
    },
  }),
});
