/**
 * Sample-quality metrics (issue 11 §2): pure functions of feature matrices and
 * class probabilities. Every metric means something only beside its floor, the
 * same call on two sets of real data (train vs test, or test half vs half).
 */
export { matrix, rowBlock, pairwiseSqDistJs, forEachDistanceBlock, forEachTriangleBlock, type Matrix, type PairwiseSqDist } from './matrix';
export { symmetricEigen, sqrtPsd, traceSqrtPsd, matMul, type SymmetricEigen } from './linalg';
export { fld, gaussianFit, frechetDistance, type GaussianFit } from './frechet';
export { prdc, kthNeighbourSqDist, type Prdc, type PrdcOptions } from './precisionRecall';
export {
  ndb,
  fitNdbBins,
  ndbCompare,
  kmeans,
  nearestCentre,
  type NdbBins,
  type NdbOptions,
  type NdbResult,
  type KMeans,
  type KMeansOptions,
} from './ndb';
export {
  mnistScore,
  meanMaxProbability,
  argmaxRows,
  classHistogram,
  conditioningAccuracy,
  MISSING_CLASS_FRACTION,
  type ClassHistogram,
} from './classScores';
export { birthdayCandidates, type BirthdayCandidates, type CandidatePair } from './birthday';
export { gridDivergence, mmd2, medianBandwidth, GRID_EPSILON, type GridDivergence, type Mmd } from './points2d';
export { auroc } from './auroc';
