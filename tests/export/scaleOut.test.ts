/**
 * The exported VAE trains on two CPU processes under torchrun (DDP over gloo), its
 * loss falls, and the run folder it writes is one `latent-lab train --resume` continues.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportProject } from '../../src/cli/export';
import { train } from '../../src/cli/train';
import { loadEmbeddedMnist } from '../../src/data/mnist';
import { metricsOf, python, requireTorch } from './python';

const work = mkdtempSync(join(tmpdir(), 'export-scale-'));
const EXAMPLES = 2048;

beforeAll(() => requireTorch());
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The first `count` embedded digits as MNIST IDX files (images, and labels beside them). */
async function writeIdx(dir: string, count: number) {
  const ds = await loadEmbeddedMnist();
  const [h, w] = ds.shape;
  const header = (magic: number, dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
    return b;
  };
  const pixels = Buffer.from(Uint8Array.from(ds.x.subarray(0, count * h * w), (v) => Math.round(v * 255)));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), Buffer.concat([header(0x803, [count, h, w]), pixels]));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), Buffer.concat([header(0x801, [count]), Buffer.from(ds.labels!.subarray(0, count))]));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('an exported VAE outgrows one process', () => {
  it('trains 50 steps under torchrun --nproc_per_node 2 with a falling loss, and latent-lab resumes the run it writes', async () => {
    const data = join(work, 'mnist');
    await writeIdx(data, EXAMPLES);
    const project = join(work, 'project');
    await exportProject('presets/vae.json', { to: 'pytorch', out: project });
    const out = join(work, 'torch-run');
    // --redirects 1 --tee 1: Debian's torch 1.13 torchrun under Python 3.11 cannot parse its default "0" (Std.from_str gives None).
    python(
      ['--redirects', '1', '--tee', '1', '--nproc_per_node', '2', join(project, 'train.py'), '--data', data, '--steps', '50', '--out', out],
      {
        command: '/usr/bin/torchrun',
      },
    );
    const lines = metricsOf(readFileSync(join(out, 'metrics.jsonl'), 'utf8'));
    expect(lines.map((l) => l.step)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const loss = lines.map((l) => l.adam);
    const [early, late] = [mean(loss.slice(0, 5)), mean(loss.slice(-5))];
    console.log(`torchrun VAE: mean loss of steps 1-5 ${early.toFixed(1)}, of steps 46-50 ${late.toFixed(1)}`);
    expect(late).toBeLessThan(0.8 * early);

    const resumed = join(work, 'resumed');
    const code = await train(out, { steps: 52, backend: 'cpu', out: resumed, resume: out, data, checkpointEvery: 500, quiet: true });
    expect(code).toBe(0);
    const more = metricsOf(readFileSync(join(resumed, 'metrics.jsonl'), 'utf8'));
    expect(more.map((l) => l.step).slice(-2)).toEqual([51, 52]);
    // Continuing from the PyTorch weights, not from fresh ones: the loss goes on near where torch left it.
    expect(more[more.length - 1].adam).toBeLessThan(1.1 * late);
  });
});
