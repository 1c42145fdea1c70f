#!/usr/bin/env node
// `npm run check`: type check, lint and format check. All three run even when one
// fails, so a single run lists every problem; exits 1 if any step failed.
// They run side by side (tsc is single-threaded, so on 2 cores that halves the wall
// time) with each one's output held and printed under its own header. ESLint and
// Prettier keep caches in node_modules/.cache, keyed by file content: a clean clone
// (CI) checks everything; a rerun here checks only what changed. ESLint's cache
// cannot see a type change in another file, so CI's uncached run is the one that counts.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const cache = (tool) => join(root, 'node_modules', '.cache', tool);

const steps = [
  ['tsc --noEmit', bin('tsc'), ['--noEmit']],
  ['eslint .', bin('eslint'), ['.', '--cache', '--cache-strategy', 'content', '--cache-location', `${cache('eslint')}/`]],
  ['prettier --check .', bin('prettier'), ['--check', '.', '--cache', '--cache-strategy', 'content']],
];

/** Runs one step with stdout and stderr held together in arrival order. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const chunks = [];
    const t0 = performance.now();
    const done = (code) => resolve({ code, output: Buffer.concat(chunks).toString(), seconds: (performance.now() - t0) / 1000 });
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('error', (e) => {
      chunks.push(Buffer.from(`${e.message}\n`));
      done(1);
    });
    child.on('close', (code) => done(code ?? 1)); // null: killed by a signal
  });
}

const outcomes = await Promise.all(steps.map(([, cmd, args]) => run(cmd, args)));
const results = steps.map(([name], i) => {
  const { code, output, seconds } = outcomes[i];
  process.stdout.write(`\n▶ ${name}\n${output}`);
  return { name, ok: code === 0, seconds };
});

console.log('\ncheck summary:');
for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.name.padEnd(20)} ${r.seconds.toFixed(1)} s`);
const failed = results.filter((r) => !r.ok);
if (failed.length) console.log(`${failed.length} of ${results.length} checks failed`);
process.exit(failed.length ? 1 : 0);
