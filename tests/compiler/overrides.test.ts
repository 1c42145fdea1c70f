import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import { applyDocOverrides } from '../../src/compiler/overrides';
import { preset } from './helpers';

describe('document overrides through capabilities', () => {
  it('sets batch size, learning rate, files and seed in the document, leaving the original alone', () => {
    const gan = preset('gan.json');
    const before = structuredClone(gan);
    const out = applyDocOverrides(gan, registry, {
      batchSize: 16,
      learningRate: 0.01,
      seed: 5,
      files: { source: 'idx', path: '/tmp/mnist' },
    });
    expect(gan).toEqual(before);
    const plan = compile(out, registry).plan!;
    expect(plan.data.batchSize).toBe(16);
    expect(plan.optimizers.map((o) => o.learningRate)).toEqual([0.01, 0.01]);
    expect(plan.dataSpec).toEqual({ source: 'idx', path: '/tmp/mnist', binarize: 'none' });
    expect(plan.seed).toBe(5);
  });

  it('changes nothing it was not asked to', () => {
    const vae = preset('vae.json');
    expect(applyDocOverrides(vae, registry, {})).toEqual(vae);
  });
});
