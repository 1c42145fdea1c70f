/** The Latent Lab command line: train, sample and eval graph files headless. */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { compare } from './compare';
import { evalReport, formatReport, reportJson, type MetricSet } from './evaluate';
import { familiesLesson, formatLesson, LESSON_SOURCES } from './families';
import { sample } from './inspect';
import { aurocJson, formatAuroc, formatImages, oodAuroc, oodImages } from './ood';
import { bundle } from './bundle';
import { EXPORT_TARGETS, exportProject } from './export';
import { CliError, EXIT } from './setup';
import { defaultOut, train } from './train';

const int =
  (name: string, min = 0) =>
  (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
    return n;
  };
const nonNegative = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0`);
  return n;
};
const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0`);
  return n;
};

export function buildProgram(): Command {
  const program = new Command('latent-lab')
    .description('Train and sample Latent Lab graphs from the command line')
    .exitOverride()
    .showHelpAfterError();
  program
    .command('train')
    .argument('<graph>', 'graph document (e.g. presets/vae.json), or a run folder or bundle (.zip) whose graph.json to train')
    .option('--steps <n>', 'training rounds to run', int('--steps', 1), 1000)
    .option('--batch <n>', 'batch size (overrides the Dataset node)', int('--batch', 1))
    .option('--lr <x>', 'learning rate for every optimizer', positive('--lr'))
    .option('--seed <n>', 'random seed', int('--seed'))
    .option('--backend <name>', 'wasm or cpu', 'wasm')
    .option(
      '--data <path>',
      'IDX file/folder, an image folder (one sub-folder per class), a zip of images or a CSV of 2-D points, instead of the embedded digits',
    )
    .option('--out <dir>', 'run directory (default: the --resume folder, runs/<name> for a bundle, else runs/latest)')
    .option(
      '--resume [run]',
      'continue from the checkpoint of this run folder or bundle (.zip), at its batch size and learning rates; with no value, the graph argument is the run (train run.zip --resume)',
    )
    .option('--checkpoint-every <n>', 'steps between checkpoints', int('--checkpoint-every', 1), 500)
    .action(async (graph, o) => {
      const resume: string | undefined = o.resume === true ? graph : o.resume;
      // Resuming continues in the resumed folder unless --out says otherwise.
      const out = o.out ?? defaultOut(resume);
      process.exitCode = await train(graph, { ...o, resume, out, checkpointEvery: o.checkpointEvery });
    });
  program
    .command('sample')
    .argument('<run-dir>', 'a directory written by train')
    .option('--n <n>', 'number of samples', int('--n', 1), 64)
    .option('--label <class>', 'class to generate (conditional graphs)', int('--label'))
    .option('--out <file>', 'PNG to write (default <run-dir>/samples.png)')
    .option('--method <name>', 'diffusion models: ddpm (all T steps) or ddim (--steps of them)')
    .option('--steps <k>', 'diffusion models: DDIM steps, 1 to T (fewer is faster, coarser)', int('--steps', 1))
    .option('--eta <η>', 'diffusion models: DDIM noise, 0 (deterministic) to 1', nonNegative('--eta'))
    .option(
      '--guidance <w>',
      'diffusion models with a Label dropout: classifier-free guidance weight (0 = none)',
      nonNegative('--guidance'),
    )
    .option('--backend <name>', 'wasm or cpu', 'wasm')
    .action(async (runDir, o) => {
      if (o.method !== undefined && o.method !== 'ddpm' && o.method !== 'ddim')
        throw new CliError(EXIT.badArguments, `--method ${o.method}: choose ddpm or ddim`);
      process.exitCode = await sample(runDir, o);
    });
  program
    .command('eval')
    .argument('<run-dir>', 'a directory written by train')
    .option('--data <path>', 'test data as for train --data (default: the graph’s own test split)')
    .option('--metrics <set>', 'all, likelihood or samples', 'all')
    .option('--n <n>', 'samples to judge, and real examples per compared set', int('--n', 2), 2000)
    .option('--max <n>', 'examples for the likelihood', int('--max', 1), 10000)
    .option('--iw <k>', 'importance samples for the NLL estimate of a VAE (0 = off)', int('--iw'), 50)
    .option('--json', 'print one JSON object on stdout instead of text')
    .option('--backend <name>', 'wasm or cpu', 'wasm')
    .action(async (runDir, o) => {
      if (!['all', 'likelihood', 'samples'].includes(o.metrics))
        throw new CliError(EXIT.badArguments, `--metrics ${o.metrics}: choose all, likelihood or samples`);
      const r = await evalReport(runDir, {
        data: o.data,
        backend: o.backend,
        maxExamples: o.max,
        importanceSamples: o.iw,
        metrics: o.metrics as MetricSet,
        n: o.n,
        log: (line) => process.stderr.write(line + '\n'),
      });
      if (o.json) console.log(JSON.stringify(reportJson(r)));
      else for (const line of formatReport(r)) console.log(line);
    });
  program
    .command('ood')
    .argument('<run-dir>', 'a directory written by train (a VAE or PixelCNN)')
    .argument('[images...]', '28×28 grey PNG files (others are resized like image data)')
    .option('--auroc', 'instead of images: AUROC of test digits against each built-in strange-input set')
    .option('--n <n>', 'test examples to compare with (and images per strange set)', int('--n', 1), 1000)
    .option('--iw <k>', 'importance samples for a VAE (0 = the ELBO)', int('--iw'), 50)
    .option('--json', 'print JSON on stdout instead of text')
    .option('--backend <name>', 'wasm or cpu', 'wasm')
    .action(async (runDir: string, images: string[], o) => {
      if (!!o.auroc === images.length > 0)
        throw new CliError(EXIT.badArguments, o.auroc ? '--auroc takes no images' : 'name PNG images to score, or pass --auroc');
      const opts = { backend: o.backend, n: o.n, importanceSamples: o.iw, log: (line: string) => process.stderr.write(line + '\n') };
      if (o.auroc) {
        const r = await oodAuroc(runDir, opts);
        if (o.json) console.log(JSON.stringify(aurocJson(r)));
        else for (const line of formatAuroc(r)) console.log(line);
      } else {
        const r = await oodImages(runDir, images, opts);
        if (o.json) console.log(JSON.stringify(r.images));
        else for (const line of formatImages(r)) console.log(line);
      }
    });
  program
    .command('compare')
    .description('overlaid loss curves, samples side by side, final values and the graph diff of two or more runs, in one HTML file')
    .argument('<runs...>', 'run folders written by train, or run bundles (.zip)')
    .option('--out <file>', 'the HTML report to write (default report.html; with --json, only when given)')
    .option('--json', 'print the table (final losses, measurements, graph diff per run) as JSON on stdout')
    .action(async (runs: string[], o) => {
      const out: string | undefined = o.out ?? (o.json ? undefined : 'report.html');
      const table = await compare(runs, { out });
      if (o.json) console.log(JSON.stringify(table));
      if (out) process.stderr.write(`wrote ${out}\n`);
    });
  program
    .command('bundle')
    .description("one zip of a run folder: upload it into the browser's run history, or train --resume it elsewhere")
    .argument('<run-dir>', 'a directory written by train')
    .option('--out <file>', 'the zip to write (default <run-dir>.zip)')
    .action(async (runDir: string, o) => {
      process.stderr.write((await bundle(runDir, o.out)) + '\n');
    });
  program
    .command('export')
    .description(
      'a graph, or a run with its checkpoint, as a standalone PyTorch project (model.py, losses.py, train.py for torchrun), its generator as a TF.js LayersModel (tfjs: model.json + weights.bin), or a sampler page (sampler-page: one HTML file)',
    )
    .argument('<source>', 'graph document, or a run folder or bundle (.zip)')
    .option('--to <target>', `what to export to: ${EXPORT_TARGETS.join(', ')}`, 'pytorch')
    .requiredOption('--out <path>', 'the folder to write (pytorch, tfjs), or the page file (sampler-page)')
    .option('--weights', "carry the run's checkpoint into the project, so training continues from it")
    .action(async (source: string, o) => {
      process.stderr.write((await exportProject(source, o)) + '\n');
    });
  program
    .command('families')
    .description("seed 002's lesson: a VAE, a flow, a diffusion model and a GAN on one 2-D data set, judged by precision and recall")
    .option('--source <name>', `built-in 2-D data: ${LESSON_SOURCES.join(', ')}`, 'ring')
    .option('--data <csv>', 'a CSV of 2-D points instead (x,y per line)')
    .option('--steps <n>', "training rounds per model (default: each preset's README count)", int('--steps', 1))
    .option('--n <n>', 'samples per model (and held-out points they are compared with)', int('--n', 10), 2000)
    .option('--out <dir>', 'where the scatter plots go', 'runs/families')
    .option('--json', 'print JSON on stdout instead of text')
    .option('--backend <name>', 'wasm or cpu', 'wasm')
    .action(async (o) => {
      if (!(LESSON_SOURCES as readonly string[]).includes(o.source))
        throw new CliError(EXIT.badArguments, `--source ${o.source}: choose one of ${LESSON_SOURCES.join(', ')}`);
      const r = await familiesLesson({ ...o, log: (line: string) => process.stderr.write(line + '\n') });
      if (o.json) console.log(JSON.stringify(r));
      else for (const line of formatLesson(r)) console.log(line);
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.badArguments;
    if (e instanceof CliError) {
      process.stderr.write(`error: ${e.message}\n`);
      return e.exitCode;
    }
    // A bug, not a user mistake: the stack helps whoever reports it.
    process.stderr.write(`unexpected error (please report it): ${(e as Error).stack ?? e}\n`);
    return EXIT.unexpected;
  }
}
