import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import { FAMILY_INFO, FAMILY_ORDER, modelFamily, type ModelFamily } from '../../src/compiler/family';
import type { ModePlan } from '../../src/compiler/plan';
import { revealBlanks } from '../../src/store/exercise';
import { preset } from './helpers';

/** A preset's modes; an exercise is judged by its solution (its blanks filled in), which is the model it teaches. */
const modesOf = (file: string): ModePlan => {
  const plan = compile(revealBlanks(preset(file)), registry).plan;
  if (!plan) throw new Error(`${file} does not compile`);
  return plan.modes;
};

const ref = { node: 'n', port: 'y' };
const none: ModePlan = { train: true, generate: null, reconstruct: null, encode: null, decode: null, evaluate: null };
const generate = { output: ref, transform: 'sigmoid' as const, autoregressive: false, conditional: false, rowsAbove: null, inverse: false };
const evaluate = (kind: 'elbo' | 'nll' | 'objective') => ({
  kind,
  optimizer: 'opt',
  nllTerm: null,
  klTerm: null,
  why: null,
  bernoulli: null,
});

describe('modelFamily', () => {
  it('reads the family from the modes alone', () => {
    expect(modelFamily(none)).toBe('other');
    expect(modelFamily({ ...none, generate })).toBe('implicit');
    expect(modelFamily({ ...none, encode: { latent: ref, latentSize: 2 } })).toBe('representation');
    expect(modelFamily({ ...none, reconstruct: { output: ref, transform: 'sigmoid', seenInput: null } })).toBe('representation');
    expect(modelFamily({ ...none, generate, encode: { latent: ref, latentSize: 2 } })).toBe('explicit-approximate');
    expect(modelFamily({ ...none, generate, evaluate: evaluate('elbo') })).toBe('explicit-approximate');
    // An exact likelihood wins over an encoder (a flow has both).
    expect(modelFamily({ ...none, generate, encode: { latent: ref, latentSize: 2 }, evaluate: evaluate('nll') })).toBe(
      'explicit-tractable',
    );
    expect(modelFamily({ ...none, generate: { ...generate, autoregressive: true } })).toBe('explicit-tractable');
    // A diffusion model has no encoder and reports no likelihood here, but it is a latent-variable model with an ELBO.
    expect(modelFamily({ ...none, generate: { ...generate, diffusion: true } })).toBe('explicit-approximate');
    // A decoder that is not a likelihood (MSE) still makes an encoder + prior an approximate-density model.
    expect(modelFamily({ ...none, generate, encode: { latent: ref, latentSize: 2 }, evaluate: evaluate('objective') })).toBe(
      'explicit-approximate',
    );
  });

  it.each<[string, ModelFamily]>([
    ['pixelcnn.json', 'explicit-tractable'],
    ['vae.json', 'explicit-approximate'],
    ['cvae.json', 'explicit-approximate'],
    ['vae-2d-moons.json', 'explicit-approximate'],
    ['gan.json', 'implicit'],
    ['gan-minimax.json', 'implicit'],
    ['wgan.json', 'implicit'],
    ['wgan-gp.json', 'implicit'],
    ['lsgan.json', 'implicit'],
    ['hinge-gan.json', 'implicit'],
    ['cgan.json', 'implicit'],
    ['gan-2d.json', 'implicit'],
    ['ae.json', 'representation'],
  ])('%s is %s', (file, family) => {
    expect(modelFamily(modesOf(file))).toBe(family);
  });

  it('puts every preset in a named family, and the line of every family says whether it can sample, give a likelihood and infer z', () => {
    const files = readdirSync(new URL('../../presets/', import.meta.url)).filter((f) => f.endsWith('.json'));
    for (const f of files) expect(modelFamily(modesOf(f)), f).not.toBe('other');
    for (const f of FAMILY_ORDER) expect(FAMILY_INFO[f].can, f).toMatch(/^Sample: .+ Likelihood: .+ Infer z: .+/);
  });
});
