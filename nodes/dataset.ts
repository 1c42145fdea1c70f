import { BINARIZATIONS, DATA_SOURCES, defineNode, type DataSourceName } from '../src/graph/nodeApi';
import { choice, int, text } from '../src/graph/params';
import { BATCH } from '../src/graph/shape';

/**
 * Per-example shape and class count of each source before any data is read.
 * For files (idx, pngdir, upload) this is only a default: the compiler is given
 * what the files hold once they are read, and that wins.
 */
const SOURCE_INFO: Record<DataSourceName, { kind: 'image' | 'points'; shape: number[]; numClasses: number }> = {
  mnist: { kind: 'image', shape: [28, 28, 1], numClasses: 10 },
  idx: { kind: 'image', shape: [28, 28, 1], numClasses: 10 },
  pngdir: { kind: 'image', shape: [28, 28, 1], numClasses: 0 },
  upload: { kind: 'image', shape: [28, 28, 1], numClasses: 0 },
  shapes: { kind: 'image', shape: [28, 28, 1], numClasses: 3 },
  ring: { kind: 'points', shape: [2], numClasses: 8 },
  grid: { kind: 'points', shape: [2], numClasses: 25 },
  spiral: { kind: 'points', shape: [2], numClasses: 2 },
  moons: { kind: 'points', shape: [2], numClasses: 2 },
  drawn: { kind: 'points', shape: [2], numClasses: 0 },
};

export default defineNode({
  kind: 'layer',
  type: 'dataset',
  title: 'Dataset',
  category: 'data',
  doc: 'The training data, one batch per step. Images are grey values in [0, 1] (28×28 unless your files say otherwise); 2-D sets give points. "mnist" is the 10,000 embedded digits; "upload" is your own files, picked or dropped in the browser (IDX, a folder or zip of PNG/JPEG images with one sub-folder per class, or a CSV of points); "drawn" is points you click or drag onto the 2-D playground in the run panel (kept in the graph, so a shared link carries them); "idx" and "pngdir" read files from a path on the CLI. Shapes and classes are read from the files.',
  inputs: {},
  outputs: { x: { type: 'tensor', doc: 'a batch of examples' } },
  params: {
    source: choice(DATA_SOURCES, 'mnist', 'where the examples come from'),
    batchSize: int({ default: 128, min: 1, max: 4096, doc: 'examples per training step' }),
    binarize: choice(BINARIZATIONS, 'none', 'turn grey values into 0/1 (Bernoulli models such as PixelCNN)'),
    path: text('', 1000, 'IDX file or image folder, for the idx and pngdir sources (CLI)'),
    upload: text('', 200, 'the stored id of the files picked for the upload source (set by the file picker)'),
    // src/data/drawn.ts's DRAWN_MAX_CHARS: 500 points at their widest.
    drawnPoints: text('', 7000, 'the drawn source\'s points as "x,y" pairs separated by spaces (set by drawing on the 2-D playground)'),
  },
  keyParams: ['source', 'batchSize'],
  trainable: false,
  dataset: {
    info: (p) => ({ ...SOURCE_INFO[p.source], batchSize: p.batchSize }),
    spec: (p) =>
      p.source === 'drawn'
        ? { source: p.source, points: p.drawnPoints, binarize: p.binarize }
        : { source: p.source, path: (p.source === 'upload' ? p.upload : p.path) || undefined, binarize: p.binarize },
    batchSize: 'batchSize',
    source: 'source',
    withFiles: (p, files) => ({ ...p, ...files }),
  },
  inferShapes: (_inputs, p, ctx) => ({ x: [BATCH, ...(ctx.data?.shape ?? SOURCE_INFO[p.source].shape)] }),
  build: () => ({ forward: (_inputs, call) => ({ x: call.batch.x }) }),
});
