/** `latent-lab sample`, and opening a run directory with its trained model (sample and eval). */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DiffusionOptions } from '../runtime/diffusion';
import { checkSampleCount, SampleLimit, samplesPng } from './pictures';
import { writeAtomic } from './runDir';
import { applyOverrides, backendOrExit, CliError, compileWithDataOrExit, EXIT, readGraph } from './setup';
import { cliModel, readCheckpoint } from './train';

const log = (s: string) => process.stderr.write(s + '\n');

export async function openRun(runDir: string, backend: string, dataPath?: string) {
  const isDir = await stat(runDir).then(
    (st) => st.isDirectory(),
    () => {
      throw new CliError(EXIT.badArguments, `${runDir}: no such run folder; pass a folder written by train (its --out)`);
    },
  );
  if (!isDir) throw new CliError(EXIT.badArguments, `${runDir} is a file; pass the run folder train wrote (its --out)`);
  const doc = await applyOverrides(await readGraph(join(runDir, 'graph.json')), { data: dataPath });
  const { plan, data } = await compileWithDataOrExit(doc, log);
  const checkpoint = await readCheckpoint(runDir, 'run folder');
  await backendOrExit(backend);
  const model = cliModel(plan, backend);
  try {
    await model.loadState(checkpoint.state);
  } catch (e) {
    model.dispose();
    throw new CliError(
      EXIT.invalidDocument,
      `${join(runDir, 'checkpoint')} does not fit ${join(runDir, 'graph.json')}: ${(e as Error).message} (was graph.json edited? train again)`,
    );
  }
  return { model, data };
}

export interface SampleOptions extends DiffusionOptions {
  n: number;
  label?: number;
  out?: string;
  backend: string;
}

export async function sample(runDir: string, o: SampleOptions): Promise<number> {
  const out = o.out ?? join(runDir, 'samples.png');
  if (o.out !== undefined) await checkPngOut(o.out);
  const { model, data } = await openRun(runDir, o.backend);
  const g = model.plan.modes.generate;
  if (!g)
    throw new CliError(EXIT.invalidDocument, 'this graph cannot generate: it has no Sampler or Noise node feeding a data-shaped output');
  if (o.label !== undefined && (!g.conditional || o.label < 0 || o.label >= model.plan.data.numClasses))
    throw new CliError(
      EXIT.badArguments,
      g.conditional ? `--label must be 0–${model.plan.data.numClasses - 1}` : '--label needs a conditional graph (one with a Label node)',
    );
  const diffusion = diffusionOptions(o, !!model.plan.diffusion);
  try {
    checkSampleCount(model, o.n, o.label);
  } catch (e) {
    if (e instanceof SampleLimit) throw new CliError(EXIT.badArguments, e.message);
    throw e;
  }
  let png: Uint8Array;
  try {
    png = await samplesPng(model, data.test, o.n, o.label, diffusion);
  } catch (e) {
    // The sampler refuses a step count past T, or guidance on a model that cannot take it, by name.
    if (diffusion && e instanceof Error) throw new CliError(EXIT.badArguments, e.message);
    throw e;
  }
  try {
    await writeAtomic(out, png);
  } catch (e) {
    throw new CliError(EXIT.badArguments, `--out ${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  log(`wrote ${o.n} samples to ${out}`);
  return EXIT.ok;
}

/** The diffusion sampler settings given on the command line; refused on a model that is not a diffusion model. */
function diffusionOptions(o: SampleOptions, isDiffusion: boolean): DiffusionOptions | undefined {
  const chosen: DiffusionOptions = { method: o.method, steps: o.steps, eta: o.eta, guidance: o.guidance };
  const given = Object.entries(chosen).flatMap(([k, v]) => (v === undefined ? [] : [k]));
  if (!given.length) return undefined;
  if (!isDiffusion)
    throw new CliError(
      EXIT.badArguments,
      `${given.map((k) => `--${k}`).join(', ')} only apply to diffusion models; this graph has no diffusion sampler`,
    );
  // --steps alone means a DDIM chain of that length: that is what a user asking for k steps wants.
  return { ...chosen, method: o.method ?? (o.steps !== undefined ? 'ddim' : undefined) };
}

/** `sample --out FILE`: not a folder; its folder is created when missing. */
async function checkPngOut(out: string): Promise<void> {
  const existing = await stat(out).catch(() => null);
  if (existing?.isDirectory())
    throw new CliError(EXIT.badArguments, `--out ${out} is a folder; name a .png file (e.g. --out ${join(out, 'samples.png')})`);
  try {
    await mkdir(dirname(out), { recursive: true });
  } catch (e) {
    throw new CliError(
      EXIT.badArguments,
      `--out ${out}: cannot create its folder ${dirname(out)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}
