/** The production build the browser tests run against, into a fresh private folder. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export function buildInto(): string {
  const out = mkdtempSync(join(tmpdir(), 'latent-lab-e2e-dist-'));
  // Vitest sets NODE_ENV=test, which would give a development React build; test what users get.
  execFileSync('npx', ['vite', 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  return out;
}
