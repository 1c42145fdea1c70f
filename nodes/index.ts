/** The node registry: one line per node type. Nothing else switches on a node's type. */
import type { AnyNodeDef } from '../src/graph/nodeApi';
import activation from './activation';
import bce from './bce';
import dataset from './dataset';
import dense from './dense';
import flatten from './flatten';
import gaussianKl from './gaussianKl';
import label from './label';
import noise from './noise';
import optimizer from './optimizer';
import reshape from './reshape';
import sampler from './sampler';
import weightedSum from './weightedSum';

const all: AnyNodeDef[] = [
  dataset, label, noise,
  dense, activation, flatten, reshape,
  sampler,
  bce, gaussianKl, weightedSum,
  optimizer,
];

export const registry: Record<string, AnyNodeDef> = Object.fromEntries(all.map((d) => [d.type, d]));
