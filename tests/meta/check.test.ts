/**
 * `npm run check` catches what it claims to: a type error, a lint error and a
 * misformatted file, each planted in a copy of the repo's configuration (its
 * root files and scripts/, never the working tree, which other people edit) —
 * the same tsconfig, ESLint and Prettier settings over the planted files alone,
 * so the test takes seconds instead of re-checking the whole tree, which CI's
 * own `npm run check` does. Each planted file must be named in the output
 * of the step meant to catch it, so the test cannot pass on some unrelated
 * failure. One run only: a second run on the unplanted copy would double the
 * time and would fail whenever the tree itself has a problem, which is the
 * check's job to report, not this test's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const PLANTED = {
  type: { path: 'src/check-probe-type.ts', text: "export const n: number = 'x';\n" },
  lint: { path: 'src/check-probe-lint.ts', text: 'export function probe(): void {\n  debugger;\n}\n' },
  format: { path: 'src/check-probe-format.ts', text: 'export const  probe = {a:1}\n' },
};

/** The merged output of one step, from its `▶ name` header to the next header or the summary. */
function section(output: string, step: string): string {
  const start = output.indexOf(`▶ ${step}`);
  if (start < 0) return '';
  const rest = output.slice(start + 1);
  const end = rest.search(/\n(▶ |check summary:)/);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('npm run check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latent-lab-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is scripts/check.mjs', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.check).toBe('node scripts/check.mjs');
  });

  it('fails on a planted type error, lint error and misformatted file, and names each in its step', { timeout: 240_000 }, () => {
    // The configuration as it is on disk now (tracked and new files at the root, and the check script itself).
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f && (!f.includes('/') || f.startsWith('scripts/')) && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
    for (const f of files) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      copyFileSync(join(ROOT, f), join(dir, f));
    }
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    mkdirSync(join(dir, 'src'), { recursive: true });
    for (const p of Object.values(PLANTED)) writeFileSync(join(dir, p.path), p.text);

    // One stream for stdout and stderr keeps each step's lines under its header (prettier warns on stderr).
    const r = spawnSync('/bin/sh', ['-c', 'exec node scripts/check.mjs 2>&1'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
    const out = r.stdout;
    expect(r.status, out).not.toBe(0);
    expect(section(out, 'tsc --noEmit'), out).toContain(PLANTED.type.path);
    expect(section(out, 'eslint .'), out).toContain(PLANTED.lint.path);
    expect(section(out, 'eslint .'), out).toContain('no-debugger');
    expect(section(out, 'prettier --check .'), out).toContain(PLANTED.format.path);
    expect(out).toMatch(/FAIL\s+tsc --noEmit/);
    expect(out).toMatch(/FAIL\s+eslint \./);
    expect(out).toMatch(/FAIL\s+prettier --check \./);
  });
});
