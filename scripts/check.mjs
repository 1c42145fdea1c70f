#!/usr/bin/env node
// `npm run check`: type check, lint and format check. All three run even when one
// fails, so a single run lists every problem; exits 1 if any step failed.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const steps = [
  ['tsc --noEmit', bin('tsc'), ['--noEmit']],
  ['eslint .', bin('eslint'), ['.']],
  ['prettier --check .', bin('prettier'), ['--check', '.']],
];

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.on('error', (e) => {
      console.error(e.message);
      resolve(1);
    });
    child.on('close', (code) => resolve(code ?? 1)); // null: killed by a signal
  });
}

const results = [];
for (const [name, cmd, args] of steps) {
  console.log(`\n▶ ${name}`);
  const t0 = performance.now();
  const code = await run(cmd, args);
  results.push({ name, ok: code === 0, seconds: (performance.now() - t0) / 1000 });
}

console.log('\ncheck summary:');
for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.name.padEnd(20)} ${r.seconds.toFixed(1)} s`);
const failed = results.filter((r) => !r.ok);
if (failed.length) console.log(`${failed.length} of ${results.length} checks failed`);
process.exit(failed.length ? 1 : 0);
