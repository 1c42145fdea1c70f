/**
 * Browser-safe public API of the data layer (page, worker and Node). The
 * Node-only file loaders live in ./node-files.ts and are reached through
 * loadDataSet, or imported directly by the CLI; the page's worker decodes
 * user files with decodeFiles.
 */
export type { DataSet, Split } from './types.js';
export { exampleSize } from './types.js';
export { DataError } from './errors.js';
export { loadDataSet, type DataSpec, type DataSource } from './registry.js';
export { loadEmbeddedMnist, TEST_COUNT } from './mnist.js';
export { makeMixture2D, pointsDataSet, MIXTURE_KINDS, type MixtureKind } from './mixtures.js';
export { makeShapes, SHAPE_NAMES, SHAPE_FACTORS } from './shapes.js';
export { parseIdx, idxToDataSet, type IdxFile } from './idx.js';
export { decodeFiles, sniff, type DecodeResult, type DecodedImage, type ImageDecoder, type InputFile, type SkippedFile } from './decode.js';
export { binarize, slice, type BinarizeMode } from './transforms.js';
export { createBatcher, type Batch, type Batcher, type BatcherState } from './batcher.js';
