/**
 * `latent-lab bundle` and `train --resume <bundle.zip>`: a run folder zipped,
 * continued from the zip with the losses of a run that never stopped, the
 * bundle's name, colour, batch size and live learning rates kept; and the
 * refusals, by name.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRun, readRunDir, writeRunDir } from '../../src/cli/runFiles';
import { EXIT } from '../../src/cli/setup';
import { unzipRun, zipRun } from '../../src/runs/bundle';
import { captureCliOutput, cli, io } from './harness';

const root = mkdtempSync(join(tmpdir(), 'latent-lab-bundle-'));
const at = (name: string) => join(root, name);
afterAll(() => rmSync(root, { recursive: true, force: true }));
captureCliOutput();

/** The 2-D GAN preset with small networks: two Adam optimizers, a few ms a round. */
function tinyGan(): string {
  const doc = JSON.parse(readFileSync(new URL('../../presets/gan-2d.json', import.meta.url), 'utf8'));
  for (const n of doc.nodes) {
    if (n.type === 'generator' || n.type === 'discriminator') n.params.hidden = [16, 16];
    if (n.type === 'dataset') n.params.batchSize = 32;
  }
  const path = at('tiny-gan.json');
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

const metrics = (runDir: string) =>
  readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);

/** Adam's slots load back with β^t recomputed by pow(): equal to float32 rounding, not bit for bit (see tests/cli/cli.test.ts). */
function expectSameLosses(got: Record<string, number>[], want: Record<string, number>[]) {
  expect(got.map((l) => l.step)).toEqual(want.map((l) => l.step));
  got.forEach((line, i) => {
    for (const [k, v] of Object.entries(want[i]))
      expect(Math.abs(line[k] - v), `step ${line.step} ${k}`).toBeLessThanOrEqual(1e-5 * Math.abs(v));
  });
}

describe('latent-lab bundle and train --resume <bundle.zip>', () => {
  const graph = tinyGan();
  const first = at('first');
  const zip = at('first.zip');

  it('bundle zips a run folder: graph, checkpoint, every logged step and run.json', async () => {
    expect(await cli('train', graph, '--steps', '4', '--out', first), io.stderr).toBe(EXIT.ok);
    expect(JSON.parse(readFileSync(join(first, 'run.json'), 'utf8'))).toMatchObject({ name: 'first', origin: 'cli', step: 4 });
    expect(await cli('bundle', first), io.stderr).toBe(EXIT.ok);
    expect(io.stderr).toMatch(/wrote .*first\.zip: first, checkpoint at step 4, 4 logged steps/);
    const run = unzipRun(readFileSync(zip), 'first.zip');
    expect(run.checkpoint?.meta.step).toBe(4);
    expect(run.losses.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(run.pictures.map((p) => p.path)).toContain('samples.png');
  });

  it('train run.zip --resume continues from the zip with the losses of an uninterrupted run, keeping its name and colour', async () => {
    const renamed = unzipRun(readFileSync(zip), 'first.zip');
    renamed.manifest = { ...renamed.manifest, name: 'my GAN', colour: '#123456' };
    writeFileSync(zip, zipRun(renamed));
    const more = at('more');
    expect(await cli('train', zip, '--resume', '--steps', '8', '--out', more), io.stderr).toBe(EXIT.ok);
    expect(io.stderr).toMatch(/resumed from .*first\.zip at step 4/);
    const straight = at('straight');
    expect(await cli('train', graph, '--steps', '8', '--out', straight), io.stderr).toBe(EXIT.ok);
    expectSameLosses(metrics(more), metrics(straight));
    expect(JSON.parse(readFileSync(join(more, 'run.json'), 'utf8'))).toMatchObject({
      name: 'my GAN',
      colour: '#123456',
      origin: 'cli',
      step: 8,
    });
    // The graph argument may also be the graph file, with the zip to resume.
    expect(await cli('train', graph, '--resume', zip, '--steps', '6', '--out', at('more2')), io.stderr).toBe(EXIT.ok);
    expectSameLosses(metrics(at('more2')), metrics(straight).slice(0, 6));
  });

  it('continues at the learning rates and batch size a run was changed to while it trained', async () => {
    const live = unzipRun(readFileSync(zip), 'first.zip');
    live.checkpoint!.meta.learningRates = { optD: 0.0003, optG: 0.0003 };
    const liveZip = at('live.zip');
    writeFileSync(liveZip, zipRun(live));
    expect(await cli('train', liveZip, '--resume', '--steps', '6', '--out', at('live')), io.stderr).toBe(EXIT.ok);
    expect(io.stderr).toMatch(/learning rates from the run: optD 0.0003, optG 0.0003/);
    expect(JSON.parse(readFileSync(join(at('live'), 'checkpoint', 'checkpoint.json'), 'utf8')).learningRates).toEqual({
      optD: 0.0003,
      optG: 0.0003,
    });
    // The same as continuing the folder with --lr 0.0003 for every optimizer.
    expect(await cli('train', graph, '--resume', first, '--lr', '0.0003', '--steps', '6', '--out', at('lr')), io.stderr).toBe(EXIT.ok);
    expectSameLosses(metrics(at('live')), metrics(at('lr')));

    const half = at('half');
    expect(await cli('train', graph, '--steps', '2', '--batch', '16', '--out', half), io.stderr).toBe(EXIT.ok);
    expect(await cli('train', graph, '--resume', half, '--steps', '3', '--out', at('half2')), io.stderr).toBe(EXIT.ok);
    expect(JSON.parse(readFileSync(join(at('half2'), 'checkpoint', 'checkpoint.json'), 'utf8')).batcher.batchSize).toBe(16);
  });

  it('writeRunDir → readRunDir and readRun of a folder or its zip give the same run', async () => {
    const run = await readRun(zip);
    const copy = at('copy');
    await writeRunDir(copy, run);
    expect(await readRunDir(copy)).toEqual(run);
    expect(await readRun(copy)).toEqual(run);
    await expect(readRun(at('nowhere'))).rejects.toThrow(/nowhere: no such run folder or bundle/);
  });

  it('refuses what cannot be bundled or resumed, by name', async () => {
    expect(await cli('bundle', at('gone'))).toBe(EXIT.badArguments);
    expect(io.stderr).toMatch(/cannot bundle .*gone: no such run folder/);
    expect(await cli('bundle', first, '--out', at('x.tar'))).toBe(EXIT.badArguments);
    expect(io.stderr).toMatch(/--out .*x\.tar: name a \.zip file/);
    writeFileSync(at('notzip.zip'), 'hello');
    expect(await cli('train', graph, '--resume', at('notzip.zip'), '--steps', '2', '--out', at('n1'))).toBe(EXIT.badArguments);
    expect(io.stderr).toMatch(/--resume .*notzip\.zip: no readable checkpoint \(.*notzip\.zip: is not a zip file/);
    expect(await cli('train', graph, '--resume', '--steps', '2', '--out', at('n2'))).toBe(EXIT.badArguments);
    expect(io.stderr).toMatch(
      /--resume .*tiny-gan\.json: no readable checkpoint \(it is a graph file; --resume takes a run folder or a run bundle\)/,
    );
    const noCheckpoint = unzipRun(readFileSync(zip), 'first.zip');
    noCheckpoint.checkpoint = null;
    writeFileSync(at('nocp.zip'), zipRun(noCheckpoint));
    expect(await cli('train', at('nocp.zip'), '--resume', '--steps', '2', '--out', at('n3'))).toBe(EXIT.badArguments);
    expect(io.stderr).toMatch(/nocp\.zip: no readable checkpoint \(there is no checkpoint\/checkpoint\.json in it\)/);
  });
});
