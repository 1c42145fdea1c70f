/** `latent-lab bundle`: one zip of a run folder, to upload into the browser's run history or move to another machine. */
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { zipRun } from '../runs/bundle';
import { RunFileError } from '../runs/format';
import { writeAtomic } from './runDir';
import { readRunDir } from './runFiles';
import { CliError, EXIT } from './setup';

/** `<run-dir>.zip` beside the folder, unless --out names the zip. */
export function defaultBundlePath(runDir: string): string {
  return `${runDir.replace(/[/\\]+$/, '')}.zip`;
}

/** Zips `runDir` into `out`; returns what it wrote, in a line. */
export async function bundle(runDir: string, out = defaultBundlePath(runDir)): Promise<string> {
  if (!/\.zip$/i.test(out)) throw new CliError(EXIT.badArguments, `--out ${out}: name a .zip file (e.g. --out run.zip)`);
  const isDir = await stat(out).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (isDir) throw new CliError(EXIT.badArguments, `--out ${out} is a folder; name a .zip file`);
  let run;
  try {
    run = await readRunDir(runDir);
  } catch (e) {
    if (e instanceof RunFileError) throw new CliError(EXIT.badArguments, `cannot bundle ${e.message}`);
    throw e;
  }
  const zip = zipRun(run);
  try {
    await mkdir(dirname(out), { recursive: true });
    await writeAtomic(out, zip);
  } catch (e) {
    throw new CliError(EXIT.badArguments, `--out ${out}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const at = run.checkpoint ? `checkpoint at step ${run.checkpoint.meta.step}` : 'no checkpoint (it cannot be continued)';
  return `wrote ${out}: ${run.manifest.name}, ${at}, ${run.losses.length} logged steps, ${(zip.byteLength / 1024 / 1024).toFixed(1)} MB`;
}
