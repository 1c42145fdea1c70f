/** Running exported projects with Debian's PyTorch (/usr/bin/python3; the python on PATH may lack torch). */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';

/** Fails, with the fix, where /usr/bin/python3 cannot import torch: these tests must not pass without it. */
export function requireTorch(): void {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(
      `${PYTHON} cannot import torch and numpy (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); install them with: apt-get install python3-torch`,
    );
}

/** Runs a Python script to the end; throws with its stderr when it fails. */
export function python(args: string[], opts: { cwd?: string; env?: Record<string, string>; command?: string } = {}): string {
  const r = spawnSync(opts.command ?? PYTHON, args, {
    cwd: opts.cwd,
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', ...opts.env },
    timeout: 170_000,
  });
  if (r.status !== 0) throw new Error(`${opts.command ?? PYTHON} ${args.join(' ')} failed (${r.status}):\n${r.stderr}${r.error ?? ''}`);
  return r.stdout;
}

/** metrics.jsonl as one record per line. */
export function metricsOf(text: string): Record<string, number>[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, number>);
}

/** The float32 values of a .npy file numpy wrote (format 1.0, little-endian '<f4', C order). */
export function readNpy(path: string): Float32Array {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  if (!header.includes("'descr': '<f4'") || header.includes("'fortran_order': True"))
    throw new Error(`${path}: not a C-ordered float32 array (${header.trim()})`);
  const data = bytes.subarray(10 + headerLength);
  return new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}
