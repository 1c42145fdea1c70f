/**
 * `eval` reports what each figure is: the negative ELBO is the reconstruction
 * NLL plus the KL whatever the training weights, a graph without a likelihood
 * gets its objective and a reason (no bits/dim), and examples that are the
 * training examples are called so.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { evaluate, formatEval } from '../../src/cli/evaluate';
import { main } from '../../src/cli/main';
import { EXIT } from '../../src/cli/setup';

const root = mkdtempSync(join(tmpdir(), 'latent-lab-eval-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

type Doc = { nodes: { id: string; type: string; params: Record<string, unknown> }[] };
const vaePreset = () => JSON.parse(readFileSync(new URL('../../presets/vae.json', import.meta.url), 'utf8')) as Doc;

/** Writes a variant of the VAE preset, trains it a few steps and returns its run directory. */
async function trainVariant(name: string, change: (doc: Doc) => void, extra: string[] = []): Promise<string> {
  const doc = vaePreset();
  change(doc);
  const graph = join(root, `${name}.json`);
  writeFileSync(graph, JSON.stringify(doc));
  const out = join(root, name);
  expect(await main(['train', graph, '--steps', '3', '--batch', '16', '--out', out, ...extra])).toBe(EXIT.ok);
  return out;
}

const evalOpts = { backend: 'wasm', maxExamples: 200, importanceSamples: 4 };

describe('eval names its figures honestly', () => {
  it('a β = 4 VAE: the negative ELBO is NLL + KL, not the weighted objective, and the objective is shown apart', async () => {
    const run = await trainVariant('beta4', (d) => (d.nodes.find((n) => n.id === 'elbo')!.params.wb = 4));
    const r = await evaluate(run, evalOpts);
    expect(r.kind).toBe('elbo');
    const nll = r.terms['Reconstruction (Bernoulli NLL)'];
    const kl = r.terms['KL to prior'];
    expect(r.nats).toBeCloseTo(nll + kl, 3);
    expect(r.objective).toBeCloseTo(nll + 4 * kl, 3);
    expect(r.bitsPerDim).toBeCloseTo(r.nats / (784 * Math.LN2), 5);
    expect(r.heldOut).toBe(true);
    expect(r.importanceSampled?.samples).toBe(4);
    const text = formatEval(r).join('\n');
    expect(text).toContain(`negative ELBO (reconstruction NLL + KL; an upper bound on the NLL): ${r.nats.toFixed(2)} nats`);
    expect(text).toContain(`training objective (with its loss weights): ${r.objective.toFixed(2)}`);
  });

  it('a VAE with an MSE decoder exits 0: its objective, why there is no likelihood, and no importance-sampled NLL', async () => {
    const run = await trainVariant('mse', (d) => {
      const recon = d.nodes.find((n) => n.id === 'recon')!;
      recon.type = 'mse';
      recon.params = { reduction: 'sum' };
    });
    const lines: string[] = [];
    (console.log as unknown as { mockImplementation(f: (s: string) => void): void }).mockImplementation((s: string) => void lines.push(s));
    expect(await main(['eval', run, '--max', '100', '--iw', '4'])).toBe(EXIT.ok);
    const text = lines.join('\n');
    expect(text).toMatch(/^training objective: [\d.]+ per example over 100 held-out examples/m);
    expect(text).toMatch(/no likelihood or bits\/dim: its reconstruction loss is not a likelihood/);
    expect(text).toMatch(/importance-sampled NLL: not available/);
    expect(text).not.toMatch(/bits\/dim over/);
  });

  it('examples from the one training file are called training examples', async () => {
    // 120 random 28×28 images in IDX format (magic 0x803, count, rows, cols, bytes).
    const count = 120;
    const bytes = Buffer.alloc(16 + count * 784);
    bytes.writeUInt32BE(0x803, 0);
    bytes.writeUInt32BE(count, 4);
    bytes.writeUInt32BE(28, 8);
    bytes.writeUInt32BE(28, 12);
    for (let i = 16; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const idx = join(root, 'images-idx3-ubyte');
    writeFileSync(idx, bytes);
    const run = await trainVariant('onefile', () => undefined, ['--data', idx]);
    const r = await evaluate(run, { ...evalOpts, importanceSamples: 0 });
    expect(r.heldOut).toBe(false);
    expect(formatEval(r)[0]).toContain('TRAINING examples');
  });
});
