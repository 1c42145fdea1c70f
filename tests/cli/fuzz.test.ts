/**
 * Issue 10 §4: the CLI never shows a stack trace for a user mistake. A corpus
 * of broken graph files, arguments, data files and run folders goes through
 * train / sample / eval in-process (`main(argv)`); each must end with its
 * documented exit code (2 bad arguments, 3 invalid document, 5 bad data) and a
 * message that names the problem, and io.stderr must hold no JS stack frames.
 * Below the corpus, one regression test per bug the issue lists.
 */
import { gzipSync } from 'node:zlib';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeAtomic } from '../../src/cli/runDir';
import { EXIT } from '../../src/cli/setup';
import { captureCliOutput, cli, io } from './harness';

const preset = (name: string) => fileURLToPath(new URL(`../../presets/${name}.json`, import.meta.url));
const VAE = preset('vae');
const CVAE = preset('cvae');
const GAN = preset('gan');
const vaeText = readFileSync(VAE, 'utf8');
const root = mkdtempSync(join(tmpdir(), 'latent-lab-fuzz-'));
const at = (...parts: string[]) => join(root, ...parts);
afterAll(() => rmSync(root, { recursive: true, force: true }));

captureCliOutput();

/** No JS stack frames, no "TypeError: …"-style traces, no "unexpected error". */
function expectNoTrace(text: string) {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toMatch(/(^|\s)[A-Z]\w*Error: /m);
  expect(text).not.toMatch(/^Error: /m);
  expect(text).not.toMatch(/unexpected error/);
}

// ---- fixtures --------------------------------------------------------------

function idxImages(count: number, rows: number, cols: number, seed = 1): Uint8Array {
  const b = new Uint8Array(16 + count * rows * cols);
  const v = new DataView(b.buffer);
  v.setUint32(0, 2051);
  v.setUint32(4, count);
  v.setUint32(8, rows);
  v.setUint32(12, cols);
  let s = seed;
  for (let i = 16; i < b.length; i++) b[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}
function idxLabels(count: number): Uint8Array {
  const b = new Uint8Array(8 + count);
  const v = new DataView(b.buffer);
  v.setUint32(0, 2049);
  v.setUint32(4, count);
  for (let i = 0; i < count; i++) b[8 + i] = i % 10;
  return b;
}
function png(size: number): Uint8Array {
  const p = new PNG({ width: size, height: size });
  p.data.fill(200);
  return new Uint8Array(PNG.sync.write(p));
}
function file(name: string, data: string | Uint8Array): string {
  const path = at(name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
  return path;
}
function folder(name: string, files: Record<string, string | Uint8Array> = {}): string {
  const path = at(name);
  mkdirSync(path, { recursive: true });
  for (const [f, data] of Object.entries(files)) file(join(name, f), data);
  return path;
}
const vae = () => JSON.parse(vaeText) as { schemaVersion: number; nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] };
const graph = (name: string, edit: (d: ReturnType<typeof vae>) => unknown) => {
  const d = vae();
  const out = edit(d);
  return file(`${name}.json`, JSON.stringify(out === undefined ? d : out));
};
let n = 0;
const fresh = () => at(`out-${n++}`);
const tiny = () => ['--steps', '1', '--batch', '8', '--out', fresh()];

const base = at('base'); // a 1-step VAE run on the embedded digits, batch 8
const gan = at('gan');

beforeAll(async () => {
  const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await cli('train', VAE, '--steps', '1', '--batch', '8', '--out', base)).toBe(EXIT.ok);
    expect(await cli('train', GAN, '--steps', '1', '--batch', '8', '--out', gan)).toBe(EXIT.ok);
  } finally {
    quiet.mockRestore();
  }
}, 60_000);

// ---- the corpus ------------------------------------------------------------

interface Case {
  name: string;
  argv: () => string[];
  code: number;
  says: RegExp;
}

const deepArrays = '['.repeat(200_000) + ']'.repeat(200_000);
const random = (len: number, seed: number) => Uint8Array.from({ length: len }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
const idxDir = (name: string, count = 16, rows = 28, cols = 28) =>
  folder(name, { 'train-images-idx3-ubyte': idxImages(count, rows, cols), 'train-labels-idx1-ubyte': idxLabels(count) });

/** A copy of the base run with one file replaced or removed. */
function runCopy(name: string, change: (dir: string) => void): string {
  const dir = at(name);
  mkdirSync(join(dir, 'checkpoint'), { recursive: true });
  for (const f of ['graph.json', 'checkpoint/checkpoint.json', 'checkpoint/weights.bin'])
    writeFileSync(join(dir, f), readFileSync(join(base, f)));
  change(dir);
  return dir;
}

const corpus: Case[] = [
  // Graph files.
  {
    name: 'missing graph file',
    argv: () => ['train', at('nope.json'), ...tiny()],
    code: EXIT.badArguments,
    says: /nope\.json: no such file/,
  },
  {
    name: 'a folder as the graph',
    argv: () => ['train', folder('adir'), ...tiny()],
    code: EXIT.badArguments,
    says: /adir: it is a folder without a graph\.json; pass a graph \.json file, or a run folder/,
  },
  {
    name: 'empty graph file',
    argv: () => ['train', file('empty.json', ''), ...tiny()],
    code: EXIT.invalidDocument,
    says: /empty\.json.*empty/,
  },
  {
    name: 'whitespace-only graph',
    argv: () => ['train', file('ws.json', '  \n\t'), ...tiny()],
    code: EXIT.invalidDocument,
    says: /ws\.json.*empty/,
  },
  {
    name: 'bad JSON',
    argv: () => ['train', file('bad.json', '{"schemaVersion": 1,,}'), ...tiny()],
    code: EXIT.invalidDocument,
    says: /bad\.json: line 1, column \d+: not valid JSON/,
  },
  {
    name: 'truncated JSON',
    argv: () => ['train', file('cut.json', vaeText.slice(0, 300)), ...tiny()],
    code: EXIT.invalidDocument,
    says: /cut\.json.*cut off/,
  },
  {
    name: 'BOM before broken JSON: right line, no "cut off"',
    argv: () => ['train', file('bom-bad.json', '\uFEFF{\n "schemaVersion": 1,\n "meta": {,\n}'), ...tiny()],
    code: EXIT.invalidDocument,
    says: /bom-bad\.json: line 3, column \d+: not valid JSON(?!.*cut off)/,
  },
  {
    name: 'arrays nested 200,000 deep',
    argv: () => ['train', file('deep1.json', deepArrays), ...tiny()],
    code: EXIT.invalidDocument,
    says: /deep1\.json.*nested more than 64 levels/,
  },
  {
    name: 'objects nested 200,000 deep',
    argv: () => ['train', file('deep2.json', '{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000)), ...tiny()],
    code: EXIT.invalidDocument,
    says: /deep2\.json.*nested more than 64 levels/,
  },
  {
    name: 'top-level array',
    argv: () => ['train', file('arr.json', '[]'), ...tiny()],
    code: EXIT.invalidDocument,
    says: /must be a JSON object/,
  },
  {
    name: 'top-level null',
    argv: () => ['train', file('null.json', 'null'), ...tiny()],
    code: EXIT.invalidDocument,
    says: /must be a JSON object/,
  },
  {
    name: 'top-level number',
    argv: () => ['train', file('num.json', '42'), ...tiny()],
    code: EXIT.invalidDocument,
    says: /must be a JSON object/,
  },
  {
    name: 'no schemaVersion',
    argv: () => ['train', file('nov.json', '{}'), ...tiny()],
    code: EXIT.invalidDocument,
    says: /no schemaVersion/,
  },
  {
    name: 'schemaVersion from the future',
    argv: () => ['train', graph('future', (d) => ({ ...d, schemaVersion: 999 })), ...tiny()],
    code: EXIT.invalidDocument,
    says: /version 999, newer/,
  },
  {
    name: 'schemaVersion of the wrong type',
    argv: () => ['train', graph('vtype', (d) => ({ ...d, schemaVersion: 'one' })), ...tiny()],
    code: EXIT.invalidDocument,
    says: /schemaVersion/,
  },
  {
    name: 'nodes is an object',
    argv: () => ['train', graph('nodesobj', (d) => ({ ...d, nodes: {} })), ...tiny()],
    code: EXIT.invalidDocument,
    says: /nodes: .*expected array/,
  },
  {
    name: 'a node position of the wrong type',
    argv: () => ['train', graph('pos', (d) => void (d.nodes[0].position = 'left')), ...tiny()],
    code: EXIT.invalidDocument,
    says: /nodes\[0\]\.position/,
  },
  {
    name: 'unknown node type',
    argv: () => ['train', graph('unknown', (d) => void (d.nodes[1].type = 'frobnicator')), ...tiny()],
    code: EXIT.invalidDocument,
    says: /flat: unknown node type "frobnicator"/,
  },
  {
    name: 'a parameter of the wrong type',
    argv: () => ['train', graph('units', (d) => void ((d.nodes[2].params as Record<string, unknown>).units = 'many')), ...tiny()],
    code: EXIT.invalidDocument,
    says: /Encoder hidden \(units\): units must be a whole number/,
  },
  {
    name: 'an edge from a missing node',
    argv: () => ['train', graph('ghost', (d) => void (d.edges[0].source = 'ghost')), ...tiny()],
    code: EXIT.invalidDocument,
    says: /missing node "ghost"/,
  },
  {
    name: 'binary garbage as the graph',
    argv: () => ['train', file('garbage.json', random(2000, 7)), ...tiny()],
    code: EXIT.invalidDocument,
    says: /garbage\.json.*not valid JSON/,
  },
  {
    name: 'a gzipped graph',
    argv: () => ['train', file('graph.json.gz', gzipSync(vaeText)), ...tiny()],
    code: EXIT.invalidDocument,
    says: /graph\.json\.gz.*not valid JSON/,
  },
  // Arguments.
  {
    name: '--steps abc',
    argv: () => ['train', VAE, '--steps', 'abc', '--out', fresh()],
    code: EXIT.badArguments,
    says: /--steps must be a whole number/,
  },
  {
    name: '--steps 0',
    argv: () => ['train', VAE, '--steps', '0', '--out', fresh()],
    code: EXIT.badArguments,
    says: /--steps must be a whole number ≥ 1/,
  },
  { name: '--steps -5', argv: () => ['train', VAE, '--steps', '-5', '--out', fresh()], code: EXIT.badArguments, says: /--steps/ },
  {
    name: '--steps 1.5',
    argv: () => ['train', VAE, '--steps', '1.5', '--out', fresh()],
    code: EXIT.badArguments,
    says: /--steps must be a whole number/,
  },
  {
    name: '--batch 0',
    argv: () => ['train', VAE, '--batch', '0', '--out', fresh()],
    code: EXIT.badArguments,
    says: /--batch must be a whole number ≥ 1/,
  },
  { name: '--batch x', argv: () => ['train', VAE, '--batch', 'x', '--out', fresh()], code: EXIT.badArguments, says: /--batch/ },
  {
    name: "--batch beyond the Dataset node's range",
    argv: () => ['train', VAE, '--batch', '20000', '--steps', '1', '--out', fresh()],
    code: EXIT.badArguments,
    says: /--batch 20000: MNIST digits \(batchSize\): .*out of range/,
  },
  {
    name: "--lr beyond the optimizer's range",
    argv: () => ['train', VAE, '--lr', '1e9', '--steps', '1', '--out', fresh()],
    code: EXIT.badArguments,
    says: /--lr 1000000000: Adam \(\w+\)/,
  },
  { name: '--lr 0', argv: () => ['train', VAE, '--lr', '0', '--out', fresh()], code: EXIT.badArguments, says: /--lr must be a number > 0/ },
  { name: '--lr -1', argv: () => ['train', VAE, '--lr', '-1', '--out', fresh()], code: EXIT.badArguments, says: /--lr/ },
  {
    name: '--lr NaN',
    argv: () => ['train', VAE, '--lr', 'NaN', '--out', fresh()],
    code: EXIT.badArguments,
    says: /--lr must be a number > 0/,
  },
  {
    name: '--lr Infinity',
    argv: () => ['train', VAE, '--lr', 'Infinity', '--out', fresh()],
    code: EXIT.badArguments,
    says: /--lr must be a number > 0/,
  },
  {
    name: '--seed -1',
    argv: () => ['train', VAE, '--seed', '-1', '--out', fresh()],
    code: EXIT.badArguments,
    says: /--seed must be a whole number/,
  },
  {
    name: '--backend gpu',
    argv: () => ['train', VAE, '--backend', 'gpu', ...tiny()],
    code: EXIT.badArguments,
    says: /--backend gpu: the CLI runs on wasm or cpu/,
  },
  {
    name: '--checkpoint-every 0',
    argv: () => ['train', VAE, '--checkpoint-every', '0', '--out', fresh()],
    code: EXIT.badArguments,
    says: /--checkpoint-every must be a whole number/,
  },
  { name: 'an unknown option', argv: () => ['train', VAE, '--stpes', '3'], code: EXIT.badArguments, says: /unknown option '--stpes'/ },
  { name: 'an unknown command', argv: () => ['trian', VAE], code: EXIT.badArguments, says: /unknown command 'trian'/ },
  { name: 'train without a graph', argv: () => ['train'], code: EXIT.badArguments, says: /missing required argument/ },
  {
    name: '--out is an existing file',
    argv: () => ['train', VAE, '--steps', '1', '--batch', '8', '--out', file('taken.txt', 'x')],
    code: EXIT.badArguments,
    says: /--out .*taken\.txt is a file, not a folder/,
  },
  {
    name: '--out inside a file',
    argv: () => ['train', VAE, '--steps', '1', '--batch', '8', '--out', join(file('taken2.txt', 'x'), 'run')],
    code: EXIT.badArguments,
    says: /--out .*taken2\.txt.*cannot create the run folder/,
  },
  {
    name: '--data that does not exist',
    argv: () => ['train', VAE, '--data', at('no-data'), ...tiny()],
    code: EXIT.badArguments,
    says: /no-data: no such file/,
  },
  // Data files.
  {
    name: 'IDX with bad magic',
    argv: () => ['train', VAE, '--data', file('magic/x-images-idx3-ubyte', random(4096, 3)), ...tiny()],
    code: EXIT.data,
    says: /x-images-idx3-ubyte: not an IDX/,
  },
  {
    name: 'IDX of 32×32 images (the graph wants 28×28)',
    argv: () => ['train', VAE, '--data', idxDir('idx32', 16, 32, 32), ...tiny()],
    code: EXIT.data,
    says: /does not fit its data \(idx32\/train: 16 examples of 32×32×1, 10 classes; the graph was built for 28×28×1\): .*prediction B×784 and target B×1024/,
  },
  {
    name: 'IDX with 0 images',
    argv: () => ['train', VAE, '--data', file('zero/train-images-idx3-ubyte', idxImages(0, 28, 28)), ...tiny()],
    code: EXIT.data,
    says: /train-images-idx3-ubyte: header says 0 images/,
  },
  {
    name: 'IDX with a truncated body',
    argv: () => ['train', VAE, '--data', file('short/train-images-idx3-ubyte', idxImages(16, 28, 28).subarray(0, 5000)), ...tiny()],
    code: EXIT.data,
    says: /header says 16 images of 28×28 but the file holds \d+ bytes.*truncated/,
  },
  {
    name: 'IDX with a corrupt size (0×28)',
    argv: () => ['train', VAE, '--data', file('rows0/train-images-idx3-ubyte', idxImages(1, 0, 28)), ...tiny()],
    code: EXIT.data,
    says: /images are 0×28, which is not a usable size/,
  },
  {
    name: 'IDX labels that do not match the images',
    argv: () => [
      'train',
      VAE,
      '--data',
      folder('labels', { 'train-images-idx3-ubyte': idxImages(16, 28, 28), 'train-labels-idx1-ubyte': idxLabels(15) }),
      ...tiny(),
    ],
    code: EXIT.data,
    says: /train-labels-idx1-ubyte: holds 15 labels but train-images-idx3-ubyte holds 16 images/,
  },
  {
    name: 'gzip garbage',
    argv: () => [
      'train',
      VAE,
      '--data',
      file('gz/train-images-idx3-ubyte.gz', Uint8Array.from([0x1f, 0x8b, ...random(500, 9)])),
      ...tiny(),
    ],
    code: EXIT.data,
    says: /train-images-idx3-ubyte\.gz: gzip/,
  },
  {
    name: 'a truncated gzip',
    argv: () => [
      'train',
      VAE,
      '--data',
      file('gz2/train-images-idx3-ubyte.gz', gzipSync(idxImages(16, 28, 28)).subarray(0, 300)),
      ...tiny(),
    ],
    code: EXIT.data,
    says: /train-images-idx3-ubyte\.gz: gzip/,
  },
  {
    name: 'a folder without image files',
    argv: () => ['train', VAE, '--data', folder('noimages', { 'readme.txt': 'hi', 'train-labels-idx1-ubyte': idxLabels(3) }), ...tiny()],
    code: EXIT.data,
    says: /noimages: no \*-images-idx3-ubyte\(\.gz\) file in this folder \(only label files/,
  },
  {
    name: 'an empty folder',
    argv: () => ['train', VAE, '--data', folder('emptydir'), ...tiny()],
    code: EXIT.data,
    says: /emptydir: holds no PNG or JPEG images/,
  },
  {
    name: 'image folder whose only image is not a PNG',
    argv: () => ['train', VAE, '--data', folder('png1', { 'b.png': 'not a png at all' }), ...tiny()],
    code: EXIT.data,
    says: /b\.png: is named as a PNG image but holds text/,
  },
  {
    name: 'image folder whose only image is a truncated PNG',
    argv: () => ['train', VAE, '--data', folder('png2', { 'b.png': png(28).subarray(0, 40) }), ...tiny()],
    code: EXIT.data,
    says: /b\.png: PNG is corrupt/,
  },
  {
    name: 'image folder whose only image is a corrupt JPEG',
    argv: () => ['train', VAE, '--data', folder('png3', { 'b.jpg': Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]) }), ...tiny()],
    code: EXIT.data,
    says: /b\.jpg: JPEG is corrupt/,
  },
  {
    name: 'a zip holding no images or points',
    argv: () => [
      'train',
      VAE,
      '--data',
      file('junk.zip', zipSync({ 'readme.txt': new TextEncoder().encode('hello'), 'x.png': new TextEncoder().encode('<html>') })),
      ...tiny(),
    ],
    code: EXIT.data,
    says: /junk\.zip/,
  },
  {
    name: 'a conditional graph on IDX images without labels',
    argv: () => ['train', CVAE, '--data', file('nolabels/train-images-idx3-ubyte', idxImages(16, 28, 28)), ...tiny()],
    code: EXIT.data,
    says: /does not fit its data \(nolabels\/train: 16 examples of 28×28×1, no labels\): .*label: the dataset has no labels/,
  },
  // Resume.
  {
    name: '--resume from a missing folder',
    argv: () => ['train', VAE, '--resume', at('gone'), ...tiny()],
    code: EXIT.badArguments,
    says: /--resume .*gone: no readable checkpoint/,
  },
  {
    name: '--resume from a folder without a checkpoint',
    argv: () => ['train', VAE, '--resume', folder('nocp'), ...tiny()],
    code: EXIT.badArguments,
    says: /--resume .*nocp: no readable checkpoint \(there is no .*checkpoint\.json\)/,
  },
  {
    name: '--resume with another graph',
    argv: () => ['train', CVAE, '--resume', base, ...tiny()],
    code: EXIT.badArguments,
    says: /--resume .*base: its checkpoint was trained on another graph: .*vae\.json, this run has .*cvae\.json/,
  },
  {
    name: '--resume with another batch size',
    argv: () => ['train', VAE, '--resume', base, '--steps', '2', '--batch', '16', '--out', fresh()],
    code: EXIT.badArguments,
    says: /its checkpoint was trained with batch size 8, this run has 16/,
  },
  {
    name: '--resume with another data folder',
    argv: () => ['train', VAE, '--resume', base, '--data', idxDir('idx28'), ...tiny()],
    code: EXIT.badArguments,
    says: /its checkpoint was trained on data mnist \(\d+ examples\), this run has .*idx28 \(16 examples\)/,
  },
  {
    name: '--resume with a damaged weights.bin',
    argv: () => ['train', VAE, '--resume', runCopy('damaged', (d) => truncateSync(join(d, 'checkpoint', 'weights.bin'), 1000)), ...tiny()],
    code: EXIT.badArguments,
    says: /weights\.bin is shorter than checkpoint\.json says/,
  },
  {
    name: '--resume with a garbage checkpoint.json',
    argv: () => [
      'train',
      VAE,
      '--resume',
      runCopy('badcp', (d) => writeFileSync(join(d, 'checkpoint', 'checkpoint.json'), '{"st')),
      ...tiny(),
    ],
    code: EXIT.badArguments,
    says: /badcp: no readable checkpoint/,
  },
  // Sample.
  { name: 'sample a missing folder', argv: () => ['sample', at('gone')], code: EXIT.badArguments, says: /gone: no such run folder/ },
  {
    name: 'sample a file',
    argv: () => ['sample', file('f.txt', 'x')],
    code: EXIT.badArguments,
    says: /f\.txt is a file; pass the run folder/,
  },
  {
    name: 'sample a folder that is no run',
    argv: () => ['sample', folder('notrun')],
    code: EXIT.badArguments,
    says: /notrun\/graph\.json: no such file/,
  },
  { name: 'sample --n 0', argv: () => ['sample', base, '--n', '0'], code: EXIT.badArguments, says: /--n must be a whole number ≥ 1/ },
  { name: 'sample --n abc', argv: () => ['sample', base, '--n', 'abc'], code: EXIT.badArguments, says: /--n must be a whole number/ },
  {
    name: 'sample --n too large for one PNG',
    argv: () => ['sample', base, '--n', '1000000', '--out', at('huge.png')],
    code: EXIT.badArguments,
    says: /--n 1000000: .*megapixels.*ask for at most --n \d+/,
  },
  {
    name: 'sample --out an existing folder',
    argv: () => ['sample', base, '--n', '4', '--out', folder('pngdir')],
    code: EXIT.badArguments,
    says: /--out .*pngdir is a folder; name a \.png file/,
  },
  {
    name: 'sample --out inside a file',
    argv: () => ['sample', base, '--n', '4', '--out', join(file('blocker', 'x'), 's.png')],
    code: EXIT.badArguments,
    says: /cannot create its folder/,
  },
  {
    name: 'sample --label on an unconditional graph',
    argv: () => ['sample', base, '--n', '4', '--label', '3'],
    code: EXIT.badArguments,
    says: /--label needs a conditional graph/,
  },
  {
    name: 'sample a run whose graph.json is broken',
    argv: () => ['sample', runCopy('brokengraph', (d) => writeFileSync(join(d, 'graph.json'), vaeText.slice(0, 100)))],
    code: EXIT.invalidDocument,
    says: /brokengraph\/graph\.json.*cut off/,
  },
  {
    name: 'sample a run without a checkpoint',
    argv: () => ['sample', runCopy('nocheckpoint', (d) => rmSync(join(d, 'checkpoint'), { recursive: true }))],
    code: EXIT.badArguments,
    says: /nocheckpoint: no readable checkpoint/,
  },
  {
    name: 'sample a run whose graph.json no longer fits its checkpoint',
    argv: () => [
      'sample',
      runCopy('edited', (d) => {
        const g = JSON.parse(readFileSync(join(d, 'graph.json'), 'utf8'));
        g.nodes.find((x: { id: string }) => x.id === 'enc').params.units = 17;
        writeFileSync(join(d, 'graph.json'), JSON.stringify(g));
      }),
    ],
    code: EXIT.invalidDocument,
    says: /checkpoint does not fit .*graph\.json.*edited/,
  },
  // Eval.
  { name: 'eval a missing folder', argv: () => ['eval', at('gone')], code: EXIT.badArguments, says: /gone: no such run folder/ },
  { name: 'eval --max 0', argv: () => ['eval', base, '--max', '0'], code: EXIT.badArguments, says: /--max must be a whole number ≥ 1/ },
  { name: 'eval --iw -1', argv: () => ['eval', base, '--iw', '-1'], code: EXIT.badArguments, says: /--iw must be a whole number/ },
  {
    name: 'eval --data missing',
    argv: () => ['eval', base, '--data', at('no-test')],
    code: EXIT.badArguments,
    says: /no-test: no such file/,
  },
  {
    name: 'eval --data with 32×32 images',
    argv: () => ['eval', base, '--data', idxDir('eval32', 8, 32, 32)],
    code: EXIT.data,
    says: /does not fit its data \(eval32\/train: 8 examples of 32×32×1, 8 classes; the graph was built for 28×28×1\)/,
  },
  {
    name: 'eval --data with a bad IDX file',
    argv: () => ['eval', base, '--data', file('evalbad/t10k-images-idx3-ubyte', random(3000, 5))],
    code: EXIT.data,
    says: /t10k-images-idx3-ubyte: not an IDX/,
  },
  {
    name: 'eval a run whose graph.json is nested 200,000 deep',
    argv: () => ['eval', runCopy('deeprun', (d) => writeFileSync(join(d, 'graph.json'), deepArrays))],
    code: EXIT.invalidDocument,
    says: /deeprun\/graph\.json.*nested more than 64 levels/,
  },
];

describe('fuzz: broken inputs and arguments get a typed message and a documented exit code, never a stack trace', () => {
  it('has at least 40 cases', () => expect(corpus.length).toBeGreaterThanOrEqual(40));

  it.each(corpus)('$name', async ({ argv, code, says }) => {
    const args = argv();
    const got = await cli(...args);
    expectNoTrace(io.stderr);
    expect(got, `${args.join(' ')}\n${io.stderr}`).toBe(code);
    expect(io.stderr.replace(/\s+/g, ' ')).toMatch(says);
  });
});

// ---- one regression test per bug in issue 10 §4 ------------------------------

describe('issue 10 §4 regressions', () => {
  it('a BOM-prefixed preset trains', async () => {
    const bom = file('bom.json', '\uFEFF' + vaeText);
    expect(await cli('train', bom, ...tiny()), io.stderr).toBe(EXIT.ok);
    expectNoTrace(io.stderr);
  });

  it('sample --out into a folder that does not exist creates it', async () => {
    const out = at('new', 'sub', 'samples.png');
    expect(await cli('sample', base, '--n', '4', '--out', out), io.stderr).toBe(EXIT.ok);
    expect(statSync(out).size).toBeGreaterThan(100);
  });

  it('sample --n 10000 on presets/gan.json generates in passes and writes a 100×100 grid', async () => {
    const out = at('gan10k.png');
    expect(await cli('sample', gan, '--n', '10000', '--out', out), io.stderr).toBe(EXIT.ok);
    expectNoTrace(io.stderr);
    const b = readFileSync(out);
    // 100 columns and rows of 28 px with 1-px gaps.
    expect([b.readUInt32BE(16), b.readUInt32BE(20)]).toEqual([2899, 2899]);
  }, 60_000);

  it('--resume DIR without --out continues in DIR', async () => {
    const dir = at('resume-in-place');
    expect(await cli('train', VAE, '--steps', '2', '--batch', '8', '--out', dir)).toBe(EXIT.ok);
    expect(await cli('train', VAE, '--steps', '4', '--batch', '8', '--resume', dir), io.stderr).toBe(EXIT.ok);
    expect(JSON.parse(readFileSync(join(dir, 'checkpoint', 'checkpoint.json'), 'utf8')).step).toBe(4);
    expect(io.stderr).toMatch(/resumed from .* at step 2/);
  });

  it('metrics.jsonl: a resume after kill -9 keeps each step once; a fresh run into an old folder starts it over', async () => {
    const dir = at('killed');
    expect(await cli('train', VAE, '--steps', '2', '--batch', '8', '--out', dir)).toBe(EXIT.ok);
    // The killed run had logged steps 3 and 4 (and half a line) after its last checkpoint at step 2.
    appendFileSync(join(dir, 'metrics.jsonl'), '{"step":3,"adam":1}\n{"step":4,"adam":1}\n{"step":5,"ad');
    expect(await cli('train', VAE, '--steps', '4', '--batch', '8', '--resume', dir, '--out', dir), io.stderr).toBe(EXIT.ok);
    const steps = () =>
      readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps()).toEqual([1, 2, 3, 4]);
    expect(await cli('train', VAE, '--steps', '2', '--batch', '8', '--out', dir)).toBe(EXIT.ok);
    expect(steps()).toEqual([1, 2]);
  });

  it('two losses with one label get one column each (suffixed with their node id)', async () => {
    const same = graph('same-label', (d) => {
      for (const node of d.nodes) if (node.id === 'recon' || node.id === 'kl') node.label = 'loss';
    });
    const dir = fresh();
    expect(await cli('train', same, '--steps', '1', '--batch', '8', '--out', dir), io.stderr).toBe(EXIT.ok);
    const line = JSON.parse(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim()) as Record<string, number>;
    expect(Object.keys(line)).toEqual(expect.arrayContaining(['loss (recon)', 'loss (kl)']));
    expect(line['loss (recon)']).not.toBe(line['loss (kl)']);
    expect(Object.keys(line)).not.toContain('loss');
  });

  it('stale .tmp files from a killed run are removed on the next write; a failed write leaves none', async () => {
    const dir = at('stale');
    expect(await cli('train', VAE, '--steps', '1', '--batch', '8', '--out', dir)).toBe(EXIT.ok);
    // 2^22 + 1 is above Linux's largest pid, so no live process has it.
    const dead = 4194305;
    writeFileSync(join(dir, `graph.json.tmp-${dead}`), 'half');
    writeFileSync(join(dir, 'checkpoint', `weights.bin.tmp-${dead}`), 'half');
    expect(await cli('train', VAE, '--steps', '1', '--batch', '8', '--out', dir)).toBe(EXIT.ok);
    const temps = (d: string) => readdirSync(d).filter((f) => f.includes('.tmp-'));
    expect(temps(dir)).toEqual([]);
    expect(temps(join(dir, 'checkpoint'))).toEqual([]);

    // Renaming onto a non-empty folder fails: the temp file goes with the error.
    const target = folder('occupied', { 'inside.txt': 'x' });
    await expect(writeAtomic(target, 'data')).rejects.toThrow();
    expect(temps(root)).toEqual([]);
    expect(existsSync(join(target, 'inside.txt'))).toBe(true);
  });
});
