/**
 * The command line, run in-process through `main(argv)`: the files a training
 * run writes, resume, sample, eval, and one distinct exit code per class of
 * failure (src/cli/setup.ts EXIT).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/setup';
import { loadDocumentText } from '../../src/graph/load';
import { captureCliOutput, cli, io } from './harness';

const VAE = fileURLToPath(new URL('../../presets/vae.json', import.meta.url));
const CVAE = fileURLToPath(new URL('../../presets/cvae.json', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'latent-lab-cli-'));
const dir = (name: string) => join(root, name);
afterAll(() => rmSync(root, { recursive: true, force: true }));

captureCliOutput();

const metrics = (runDir: string) =>
  readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  expect([...b.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(b.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('latent-lab train / sample / eval', () => {
  const run = dir('vae');

  it('train presets/vae.json --steps 20 --batch 16 writes metrics, pictures, a checkpoint and the graph', async () => {
    expect(await cli('train', VAE, '--steps', '20', '--batch', '16', '--out', run)).toBe(EXIT.ok);

    const lines = metrics(run);
    expect(lines.map((l) => l.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const l of lines) {
      for (const term of ['adam', 'KL to prior', 'Reconstruction (Bernoulli NLL)', 'Training objective'])
        expect(Object.keys(l)).toContain(term);
      for (const [k, v] of Object.entries(l)) expect(Number.isFinite(v), `${k} = ${v}`).toBe(true);
    }

    const samples = pngSize(join(run, 'samples.png'));
    expect(samples.width).toBeGreaterThanOrEqual(28);
    expect(samples.height).toBeGreaterThanOrEqual(28);
    pngSize(join(run, 'reconstructions.png'));

    const cp = JSON.parse(readFileSync(join(run, 'checkpoint', 'checkpoint.json'), 'utf8'));
    expect(cp.step).toBe(20);
    const floats = (cp.tensors as { length: number }[]).reduce((n, t) => n + t.length, 0);
    expect(floats).toBeGreaterThan(800_000); // the VAE has ~835k parameters, plus Adam's moments
    expect(statSync(join(run, 'checkpoint', 'weights.bin')).size).toBe(4 * floats);

    const graph = loadDocumentText(readFileSync(join(run, 'graph.json'), 'utf8'), 'graph.json');
    expect(graph.ok).toBe(true);
    if (graph.ok) expect(graph.doc.nodes.find((n) => n.type === 'dataset')!.params.batchSize).toBe(16);
    expect(io.stderr).toMatch(/backend: wasm/);
  });

  /**
   * Not bit-exact: TF.js's Adam.setWeights recomputes β^t with pow() where a
   * running product was used before, so after a resume the losses agree with
   * an uninterrupted run to float32 rounding (~1e-7 relative), not bit for bit.
   */
  it('train … --resume continues to step 30 with the losses of an uninterrupted run (to 1e-5 relative)', async () => {
    expect(await cli('train', VAE, '--resume', run, '--out', run, '--steps', '30', '--batch', '16')).toBe(EXIT.ok);
    expect(io.stderr).toMatch(/resumed from .* at step 20/);
    const lines = metrics(run);
    expect(lines.map((l) => l.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(JSON.parse(readFileSync(join(run, 'checkpoint', 'checkpoint.json'), 'utf8')).step).toBe(30);

    const straight = dir('vae-straight');
    expect(await cli('train', VAE, '--steps', '30', '--batch', '16', '--out', straight)).toBe(EXIT.ok);
    const reference = metrics(straight);
    expect(lines.slice(0, 20)).toEqual(reference.slice(0, 20));
    for (let i = 20; i < 30; i++)
      for (const [k, v] of Object.entries(reference[i]))
        expect(Math.abs(lines[i][k] - v), `step ${i + 1} ${k}`).toBeLessThanOrEqual(1e-5 * Math.abs(v));
  });

  it('sample <run> --n 4 exits 0 and writes a 4-sample picture', async () => {
    const before = pngSize(join(run, 'samples.png'));
    expect(await cli('sample', run, '--n', '4')).toBe(EXIT.ok);
    const after = pngSize(join(run, 'samples.png'));
    expect(after.width * after.height).toBeLessThan(before.width * before.height);
    expect(after.width * after.height).toBeGreaterThanOrEqual(4 * 28 * 28);
  });

  it('eval <run> exits 0 and prints the negative ELBO in nats and bits/dim', async () => {
    expect(await cli('eval', run)).toBe(EXIT.ok);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/nats/);
    expect(text).toMatch(/bits\/dim/);
    const nats = Number(/([\d.]+) nats/.exec(text)?.[1]);
    const bpd = Number(/([\d.]+) bits\/dim/.exec(text)?.[1]);
    // After 30 steps the bound is well below the untrained ~550 nats and above 0.
    expect(nats).toBeGreaterThan(50);
    expect(nats).toBeLessThan(400);
    expect(bpd).toBeCloseTo(nats / (784 * Math.LN2), 3);
  });

  it('a conditional graph trains and samples a chosen class; --label on an unconditional graph is a bad argument', async () => {
    const cvae = dir('cvae');
    expect(await cli('train', CVAE, '--steps', '3', '--batch', '16', '--out', cvae), io.stderr).toBe(EXIT.ok);
    expect(await cli('sample', cvae, '--n', '4', '--label', '3', '--out', join(cvae, 'threes.png'))).toBe(EXIT.ok);
    pngSize(join(cvae, 'threes.png'));
    expect(await cli('sample', run, '--n', '4', '--label', '3')).toBe(EXIT.badArguments);
  });
});

describe('small batches', () => {
  it('train presets/vae.json --batch 8 exits 0 and still writes reconstructions.png', async () => {
    const out = dir('batch8');
    expect(await cli('train', VAE, '--steps', '2', '--batch', '8', '--out', out), io.stderr).toBe(EXIT.ok);
    pngSize(join(out, 'reconstructions.png'));
  });
});

describe('exit codes', () => {
  it('bad arguments → 2: unknown option, --steps abc, a missing graph file, an unknown command', async () => {
    expect(await cli('train', VAE, '--bogus', '--out', dir('x1'))).toBe(EXIT.badArguments);
    expect(await cli('train', VAE, '--steps', 'abc', '--out', dir('x2'))).toBe(EXIT.badArguments);
    expect(await cli('train', join(root, 'no-such-graph.json'), '--steps', '2', '--out', dir('x3'))).toBe(EXIT.badArguments);
    expect(io.stderr).toMatch(/no such file/);
    expect(await cli('frobnicate')).toBe(EXIT.badArguments);
    for (const d of ['x1', 'x2', 'x3']) expect(existsSync(dir(d))).toBe(false);
  });

  it('invalid document → 3: a graph with a cycle, and a truncated preset', async () => {
    const vae = JSON.parse(readFileSync(VAE, 'utf8'));
    // Feed the decoder's output back into the encoder: enc → mu → z → dec → enc.
    vae.edges = vae.edges.map((e: { source: string; target: string; sourcePort: string }) =>
      e.target === 'enc' ? { ...e, id: 'loop', source: 'dec', sourcePort: 'y' } : e,
    );
    const cyclic = join(root, 'cycle.json');
    writeFileSync(cyclic, JSON.stringify(vae));
    expect(await cli('train', cyclic, '--steps', '2', '--out', dir('cyc'))).toBe(EXIT.invalidDocument);
    expect(io.stderr).toMatch(/cycle|loop/i);

    const text = readFileSync(VAE, 'utf8');
    const truncated = join(root, 'truncated.json');
    writeFileSync(truncated, text.slice(0, Math.floor(text.length / 2)));
    io.stderr = '';
    expect(await cli('train', truncated, '--steps', '2', '--out', dir('trunc'))).toBe(EXIT.invalidDocument);
    expect(io.stderr).toMatch(/line \d+/i);
  });

  it('training diverged → 4: the VAE preset with --lr 10 hits a non-finite loss within 20 steps', async () => {
    const out = dir('diverged');
    expect(await cli('train', VAE, '--lr', '10', '--steps', '20', '--batch', '16', '--out', out)).toBe(EXIT.diverged);
    expect(io.stderr).toMatch(/diverged at step \d+/);
    // The good steps before the bad one are on disk, and all finite.
    const lines = metrics(out);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThan(20);
    for (const l of lines) for (const v of Object.values(l)) expect(Number.isFinite(v)).toBe(true);
  });

  it('--data: a path that does not exist → 2; a file of garbage bytes → 5', async () => {
    expect(await cli('train', VAE, '--data', '/nonexistent/latent-lab-data', '--steps', '2', '--out', dir('d1'))).toBe(EXIT.badArguments);
    const garbage = join(root, 'garbage.bin');
    let s = 12345;
    writeFileSync(
      garbage,
      Uint8Array.from({ length: 4096 }, () => (s = (s * 1103515245 + 12345) >>> 0) >>> 24),
    );
    io.stderr = '';
    expect(await cli('train', VAE, '--data', garbage, '--steps', '2', '--out', dir('d2'))).toBe(EXIT.data);
    expect(io.stderr).toMatch(/garbage\.bin/);
  });
});
