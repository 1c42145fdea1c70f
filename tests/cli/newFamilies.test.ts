/**
 * The CLI on the two families of issue 13: a flow's `eval --json` gives its
 * exact NLL and bits/dim, `sample` writes a PNG for a flow and for a diffusion
 * model, `ood` scores digits on a flow, and a diffusion model's sampler
 * settings (DDIM steps, η, guidance) are chosen at sampling time, refused by
 * name where they do not apply.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/setup';
import { captureCliOutput, cli, io } from './harness';

const preset = (name: string) => fileURLToPath(new URL(`../../presets/${name}`, import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'latent-lab-families-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
captureCliOutput();

const isPng = (path: string) => readFileSync(path).subarray(1, 4).toString('latin1') === 'PNG';

describe('flows on the command line', () => {
  const run = join(root, 'flow-mnist');

  it('a flow trains; eval --json gives its NLL and bits/dim (a dequantized upper bound); sample writes a PNG', async () => {
    expect(await cli('train', preset('flow-mnist.json'), '--steps', '3', '--batch', '8', '--out', run)).toBe(EXIT.ok);
    expect(await cli('eval', run, '--metrics', 'likelihood', '--max', '64', '--json')).toBe(EXIT.ok);
    const r = JSON.parse(io.stdout.join('\n')) as Record<string, number>;
    expect(r.nll).toBeGreaterThan(0);
    // 784 dims: bits/dim is nats / (784 ln 2).
    expect(r.bits_per_dim).toBeCloseTo(r.nll / (784 * Math.LN2), 4);
    expect(await cli('sample', run, '--n', '4', '--out', join(root, 'flow.png'))).toBe(EXIT.ok);
    expect(isPng(join(root, 'flow.png'))).toBe(true);
  });

  it('ood scores images by the flow’s log-likelihood', async () => {
    expect(await cli('ood', run, '--auroc', '--n', '16', '--json')).toBe(EXIT.ok);
    const r = JSON.parse(io.stdout.join('\n')) as {
      kind: string;
      sets: Record<string, { n: number; auroc: number; mean_log_likelihood: number }>;
    };
    // A flow's log p(x) is exact up to the dequantization bound: the report says which kind it is.
    expect(r.kind).toBe('dequantized');
    const sets = Object.values(r.sets);
    expect(sets.length).toBeGreaterThan(2);
    for (const s of sets) {
      expect(s.auroc).toBeGreaterThanOrEqual(0);
      expect(s.auroc).toBeLessThanOrEqual(1);
      expect(Number.isFinite(s.mean_log_likelihood)).toBe(true);
    }
  });

  it('diffusion sampler flags on a flow are refused by name', async () => {
    expect(await cli('sample', run, '--steps', '5')).toBe(EXIT.badArguments);
    expect(io.stderr).toMatch(/--steps only apply to diffusion models/);
  });
});

describe('diffusion sampling settings on the command line', () => {
  const run = join(root, 'ddpm-2d');

  it('sample takes DDIM steps and η at sampling time; a step count past T is refused by name', async () => {
    expect(await cli('train', preset('ddpm-2d.json'), '--steps', '20', '--out', run)).toBe(EXIT.ok);
    const out = (name: string) => join(root, name);
    expect(await cli('sample', run, '--n', '64', '--out', out('default.png'))).toBe(EXIT.ok);
    expect(await cli('sample', run, '--n', '64', '--steps', '2', '--out', out('k2.png'))).toBe(EXIT.ok);
    expect(await cli('sample', run, '--n', '64', '--steps', '2', '--eta', '1', '--out', out('k2-eta1.png'))).toBe(EXIT.ok);
    for (const name of ['default.png', 'k2.png', 'k2-eta1.png']) expect(isPng(out(name))).toBe(true);
    // Another chain draws other points: the settings reach the sampler.
    expect(readFileSync(out('k2.png')).equals(readFileSync(out('default.png')))).toBe(false);
    expect(readFileSync(out('k2-eta1.png')).equals(readFileSync(out('k2.png')))).toBe(false);

    expect(await cli('sample', run, '--steps', '100000')).toBe(EXIT.badArguments);
    expect(io.stderr).toMatch(/step count must be a whole number from 1 to T = \d+/);
    expect(await cli('sample', run, '--eta', '2')).toBe(EXIT.badArguments);
    expect(io.stderr).toMatch(/η must be from 0 to 1/);
    expect(await cli('sample', run, '--method', 'euler')).toBe(EXIT.badArguments);
    expect(io.stderr).toMatch(/choose ddpm or ddim/);
  });
});
