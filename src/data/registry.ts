import { isNode } from './env.js';
import { drawnDataSet } from './drawn.js';
import { DataError } from './errors.js';
import { loadEmbeddedMnist } from './mnist.js';
import { makeMixture2D } from './mixtures.js';
import { makeShapes } from './shapes.js';
import { binarize, slice } from './transforms.js';
import { loadUpload } from './uploads.js';
import type { DataSet, Split } from './types.js';
import type { DataSourceName } from '../graph/nodeApi.js';

/** The sources are declared with the Dataset node's capability; this module loads each. */
export type DataSource = DataSourceName;

export interface DataSpec {
  source: DataSource;
  /** file or folder, for 'idx' and 'pngdir' (Node only); the stored set's id for 'upload' */
  path?: string;
  /** keep only the first `count` examples; for procedural sets, how many to generate */
  count?: number;
  split?: Split;
  seed: number;
  binarize?: 'none' | 'threshold' | 'stochastic';
  /** side length images from 'pngdir' are resized to (default 28) */
  size?: number;
  /** 'drawn': the hand-drawn points as the document stores them */
  points?: string;
}

export const DEFAULT_COUNT = { mixture: 2000, shapes: 6000 } as const;

// A test split of a procedural set is a fresh draw, independent of the train draw.
const TEST_SEED_SALT = 0x7e57;
// Stochastic binarization must not reuse the generator's stream.
const BINARIZE_SEED_SALT = 0xb1;

async function loadSource(spec: DataSpec): Promise<DataSet> {
  const seed = spec.split === 'test' ? (spec.seed ^ TEST_SEED_SALT) >>> 0 : spec.seed;
  switch (spec.source) {
    case 'mnist':
      return loadEmbeddedMnist({ split: spec.split });
    case 'ring':
    case 'grid':
    case 'spiral':
    case 'moons':
      return makeMixture2D(spec.source, spec.count ?? DEFAULT_COUNT.mixture, seed);
    case 'drawn':
      // Drawn points are few: both splits are the same points, as with an upload.
      return drawnDataSet(spec.points ?? '');
    case 'shapes':
      return makeShapes(spec.count ?? DEFAULT_COUNT.shapes, seed);
    case 'upload':
      if (!spec.path) throw new DataError('upload', 'no files picked yet', 'pick or drop files in the Dataset node');
      // One picked set serves both splits, as one IDX file does on the CLI; evaluation says so.
      return loadUpload(spec.path);
    case 'idx':
    case 'pngdir': {
      if (!spec.path) throw new DataError(spec.source, 'needs a path to a file or folder');
      if (!isNode()) {
        throw new DataError(
          spec.path,
          'reading files by path needs the Node CLI',
          'in the browser, open the files and pass their bytes to parseIdx',
        );
      }
      // A non-literal specifier keeps Vite from bundling fs and pngjs for the browser.
      const nodeFiles = './node-files.js';
      const files = (await import(/* @vite-ignore */ nodeFiles)) as typeof import('./node-files.js');
      return spec.source === 'idx' ? files.loadIdxPath(spec.path, spec.split) : files.loadImagesOrPoints(spec.path, spec.size);
    }
    default:
      throw new DataError(String((spec as { source: unknown }).source), 'unknown data source');
  }
}

/** The single entry point: a data spec (from a graph document or the CLI) → a DataSet. */
export async function loadDataSet(spec: DataSpec): Promise<DataSet> {
  if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0)) {
    throw new DataError(spec.path ?? spec.source, `count must be a positive whole number, got ${spec.count}`);
  }
  let ds = await loadSource(spec);
  if (spec.count !== undefined && spec.count < ds.count) ds = slice(ds, 0, spec.count);
  if (spec.binarize && spec.binarize !== 'none') ds = binarize(ds, spec.binarize, (spec.seed ^ BINARIZE_SEED_SALT) >>> 0);
  return ds;
}
