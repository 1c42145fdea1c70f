/** The node registry: one line per node type. Nothing else switches on a node's type. */
import type { AnyNodeDef } from '../src/graph/nodeApi';
import activation from './activation';
import actNorm from './actNorm';
import add from './add';
import addNoise from './addNoise';
import affineCoupling from './affineCoupling';
import avgPool2d from './avgPool2d';
import batchNorm from './batchNorm';
import bce from './bce';
import block from './block';
import categorical256 from './categorical256';
import concat from './concat';
import conv2d from './conv2d';
import convTranspose2d from './convTranspose2d';
import dataset from './dataset';
import decoder from './decoder';
import dense from './dense';
import dequantize from './dequantize';
import diffusionSampler from './diffusionSampler';
import discriminator from './discriminator';
import dropout from './dropout';
import encoder from './encoder';
import epsMse from './epsMse';
import flatten from './flatten';
import flowNll from './flowNll';
import flowPrior from './flowPrior';
import forwardNoising from './forwardNoising';
import ganLoss from './ganLoss';
import gaussianKl from './gaussianKl';
import generator from './generator';
import gradientPenalty from './gradientPenalty';
import interpolate from './interpolate';
import invConv1x1 from './invConv1x1';
import l1Activity from './l1Activity';
import label from './label';
import labelDropout from './labelDropout';
import layerNorm from './layerNorm';
import logitTransform from './logitTransform';
import maskedConv2d from './maskedConv2d';
import maxPool2d from './maxPool2d';
import mse from './mse';
import noise from './noise';
import noiseSchedule from './noiseSchedule';
import optimizer from './optimizer';
import reshape from './reshape';
import sampler from './sampler';
import squeeze from './squeeze';
import timeEmbedding from './timeEmbedding';
import unet from './unet';
import unsqueeze from './unsqueeze';
import upSample2d from './upSample2d';
import weightedSum from './weightedSum';

const all: AnyNodeDef[] = [
  dataset,
  label,
  noise,
  dense,
  conv2d,
  convTranspose2d,
  maskedConv2d,
  maxPool2d,
  avgPool2d,
  upSample2d,
  activation,
  batchNorm,
  layerNorm,
  dropout,
  flatten,
  reshape,
  concat,
  add,
  timeEmbedding,
  encoder,
  decoder,
  generator,
  discriminator,
  unet,
  block,
  sampler,
  addNoise,
  interpolate,
  noiseSchedule,
  forwardNoising,
  labelDropout,
  diffusionSampler,
  dequantize,
  logitTransform,
  actNorm,
  invConv1x1,
  affineCoupling,
  squeeze,
  unsqueeze,
  flowPrior,
  flowNll,
  bce,
  mse,
  epsMse,
  categorical256,
  gaussianKl,
  ganLoss,
  gradientPenalty,
  l1Activity,
  weightedSum,
  optimizer,
];

export const registry: Record<string, AnyNodeDef> = Object.fromEntries(all.map((d) => [d.type, d]));
