/**
 * The dependency rule from DESIGN.md, enforced by a test rather than good
 * intentions:
 *
 *   ui → store → compiler → graph;  runtime → compiler → graph;
 *   nodes → the node API in src/graph (and TF.js *types* only);
 *   data → graph (data is used by runtime and cli);
 *   eval → graph, and no package at all (pure metrics on plain arrays; runtime
 *     and cli call them, passing a TF.js distance kernel in as a function);
 *   cli → runtime, compiler, graph, data, eval, runs, nodes (never ui or store);
 *   runs → graph and the fflate package for values, and types of runtime and data
 *     (the run-as-files format, pure: the browser and the CLI read the same thing).
 *
 * Every source file is parsed with the TypeScript compiler (so comments and
 * strings never count) and its imports are classified as type-only or value
 * imports. Type-only imports (`import type`, `export type`, or every specifier
 * marked `type`) vanish at build time and are allowed where only bundling is at
 * stake (TF.js, src/runtime); the rules about which layer may know which
 * (store ↛ ui, data, cli) count type imports too. A
 * `new Worker(new URL('…', import.meta.url))` is not an import and is allowed.
 * Violations are reported as file:line.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Import {
  file: string; // repo-relative
  line: number;
  specifier: string;
  typeOnly: boolean;
  /** Repo-relative resolved file for relative specifiers; null for packages. */
  target: string | null;
}

function sourceFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  for (const name of readdirSync(abs)) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(relative(ROOT, p)));
    else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(relative(ROOT, p));
  }
  return out;
}

function resolveRelative(fromFile: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(ROOT, dirname(fromFile), spec);
  const stem = base.replace(/\.(js|mjs|cjs|jsx)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, join(base, 'index.ts'), join(base, 'index.tsx')];
  for (const c of candidates) if (existsSync(c) && statSync(c).isFile()) return relative(ROOT, c);
  return relative(ROOT, base); // non-code asset (e.g. ?url, .css, .bin): keep the path for prefix checks
}

const importCache = new Map<string, Import[]>();

/** Every import, re-export, dynamic import() and require() of one file. */
function importsOf(file: string): Import[] {
  const cached = importCache.get(file);
  if (cached) return cached;
  const out = parseImports(file, readFileSync(join(ROOT, file), 'utf8'));
  importCache.set(file, out);
  return out;
}

function parseImports(file: string, text: string): Import[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: Import[] = [];
  const add = (node: ts.Node, specNode: ts.Expression, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(specNode)) return;
    const specifier = specNode.text.replace(/\?.*$/, '');
    out.push({
      file,
      line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1,
      specifier,
      typeOnly,
      target: resolveRelative(file, specifier),
    });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      let typeOnly = false;
      if (clause) {
        if (clause.isTypeOnly) typeOnly = true;
        else if (!clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings))
          // `import { type A, type B } from 'x'` is erased; `import {} from 'x'` and `import 'x'` are not.
          typeOnly = clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly);
      }
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const typeOnly =
        node.isTypeOnly ||
        (!!node.exportClause &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((e) => e.isTypeOnly));
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0], false);
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require') add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node)) {
      // `typeof import('x')` in a type position: erased.
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(node, arg.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const where = (i: Import) => `${i.file}:${i.line} imports '${i.specifier}'`;
const under = (file: string | null, ...dirs: string[]) => !!file && dirs.some((d) => file === d || file.startsWith(`${d}/`));
const isTf = (spec: string) => spec.startsWith('@tensorflow/');
const pkgName = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** Packages that need a DOM, a browser store or React: never in src/graph or src/compiler. */
const UI_PACKAGES = [
  'react',
  'react-dom',
  '@xyflow/react',
  '@xyflow/system',
  'zustand',
  'zundo',
  'idb-keyval',
  'uplot',
  'elkjs',
  'lz-string',
];

const LAYERS = {
  graph: sourceFiles('src/graph'),
  compiler: sourceFiles('src/compiler'),
  store: sourceFiles('src/store'),
  ui: sourceFiles('src/ui'),
  nodes: sourceFiles('nodes'),
  data: sourceFiles('src/data'),
  cli: sourceFiles('src/cli'),
  eval: sourceFiles('src/eval'),
  runs: sourceFiles('src/runs'),
  export: sourceFiles('src/export'),
};

/** What each layer may import from the repo (type or value); packages are not restricted here. */
const MAY_IMPORT = {
  data: ['src/data', 'src/graph'],
  eval: ['src/eval', 'src/graph'],
  cli: ['src/cli', 'src/runtime', 'src/compiler', 'src/graph', 'src/data', 'src/eval', 'src/runs', 'src/export', 'nodes'],
  /** src/export: plan → project files, pure (no package at all: no TF.js, no Node built-ins), so the editor can zip one too. */
  export: ['src/export', 'src/compiler', 'src/graph'],
  /** src/runs: values from these only; types also from RUNS_TYPES_FROM. */
  runs: ['src/runs', 'src/graph'],
};

const RUNS_TYPES_FROM = ['src/runtime', 'src/data'];
const RUNS_PACKAGES = ['fflate'];

const intoUi = (imports: Import[]) => imports.filter((i) => under(i.target, 'src/ui')).map(where);

/** src/eval's rule: repo imports only inside MAY_IMPORT.eval, and no package (TF.js types, React, Node built-ins) at all. */
const evalViolations = (imports: Import[]) =>
  imports
    .filter((i) => !i.target || !under(i.target, ...MAY_IMPORT.eval))
    .map((i) => `${where(i)} (${i.target ? 'outside src/eval, src/graph' : 'a package'})`);

/** src/runs's rule: values from src/runs, src/graph and fflate; types also from src/runtime and src/data; no other package. */
const runsViolations = (imports: Import[]) =>
  imports.flatMap((i) => {
    if (!i.target)
      return RUNS_PACKAGES.includes(pkgName(i.specifier)) ? [] : [`${where(i)} (a package other than ${RUNS_PACKAGES.join(', ')})`];
    if (under(i.target, ...MAY_IMPORT.runs)) return [];
    if (i.typeOnly && under(i.target, ...RUNS_TYPES_FROM)) return [];
    return [
      `${where(i)} (${i.typeOnly ? `outside ${[...MAY_IMPORT.runs, ...RUNS_TYPES_FROM].join(', ')}` : `a value from outside ${MAY_IMPORT.runs.join(', ')}`})`,
    ];
  });

/** Repo imports (type or value) of `imports` that land outside `allowed`, as file:line. */
function outside(imports: Import[], allowed: string[]): string[] {
  return imports.filter((i) => i.target && !under(i.target, ...allowed)).map((i) => `${where(i)} (outside ${allowed.join(', ')})`);
}

/** Value-import closure: which files a file pulls into a bundle at run time. */
function valueClosure(file: string): Map<string, string[]> {
  const chain = new Map<string, string[]>([[file, [file]]]);
  const queue = [file];
  while (queue.length) {
    const f = queue.shift()!;
    for (const i of importsOf(f)) {
      if (i.typeOnly || !i.target || chain.has(i.target) || !/\.(ts|tsx|mts)$/.test(i.target)) continue;
      chain.set(i.target, [...chain.get(f)!, `${i.target} (${i.file}:${i.line})`]);
      queue.push(i.target);
    }
  }
  return chain;
}

function report(violations: string[]): string {
  return violations.length ? `${violations.length} layering violation(s):\n  ${violations.join('\n  ')}` : '';
}

describe('layering (DESIGN.md: dependencies point one way)', () => {
  it('finds the source files it is meant to police', () => {
    for (const [layer, files] of Object.entries(LAYERS)) expect(files.length, `no files found for ${layer}`).toBeGreaterThan(0);
    // The parser sees the kinds of imports the rules are about.
    expect(importsOf('src/graph/nodeApi.ts').some((i) => isTf(i.specifier) && i.typeOnly)).toBe(true);
  });

  it('src/graph, src/compiler, src/store, src/ui, src/data, src/cli and nodes/ import TF.js as types only (src/runtime owns TF.js)', () => {
    const files = [...LAYERS.graph, ...LAYERS.compiler, ...LAYERS.store, ...LAYERS.ui, ...LAYERS.data, ...LAYERS.cli, ...LAYERS.nodes];
    const violations = files
      .flatMap(importsOf)
      .filter((i) => isTf(i.specifier) && !i.typeOnly)
      .map(where);
    expect(violations, report(violations)).toEqual([]);
  });

  it('src/graph and src/compiler import nothing from runtime, ui, store, data, nodes, React, DOM-only packages or Node built-ins', () => {
    const violations: string[] = [];
    for (const i of [...LAYERS.graph, ...LAYERS.compiler].flatMap(importsOf)) {
      if (i.typeOnly && !UI_PACKAGES.includes(pkgName(i.specifier))) continue;
      if (i.target) {
        const allowed = under(i.file, 'src/graph') ? ['src/graph'] : ['src/graph', 'src/compiler'];
        if (!under(i.target, ...allowed)) violations.push(`${where(i)} (outside ${allowed.join(', ')})`);
      } else if (UI_PACKAGES.includes(pkgName(i.specifier))) violations.push(`${where(i)} (React/DOM package)`);
      else if (i.specifier.startsWith('node:') || ['fs', 'path', 'os', 'url', 'zlib', 'crypto', 'child_process'].includes(i.specifier))
        violations.push(`${where(i)} (Node built-in: graph and compiler must also run in the browser)`);
    }
    expect(violations, report(violations)).toEqual([]);
  });

  it(`src/eval imports only ${MAY_IMPORT.eval.join(', ')} and no package: no TF.js (not even types), React, DOM packages or Node built-ins`, () => {
    const violations = evalViolations(LAYERS.eval.flatMap(importsOf));
    expect(violations, report(violations)).toEqual([]);
  });

  it(`src/runs imports values only from ${MAY_IMPORT.runs.join(', ')} and ${RUNS_PACKAGES.join(', ')}, types also from ${RUNS_TYPES_FROM.join(', ')}`, () => {
    const violations = runsViolations(LAYERS.runs.flatMap(importsOf));
    expect(violations, report(violations)).toEqual([]);
  });

  it('src/graph, src/compiler, src/eval and src/runs do not touch DOM globals', () => {
    const DOM_GLOBALS = new Set([
      'window',
      'document',
      'localStorage',
      'sessionStorage',
      'indexedDB',
      'navigator',
      'HTMLElement',
      'HTMLCanvasElement',
      'requestAnimationFrame',
      'Worker',
      'postMessage',
    ]);
    const violations: string[] = [];
    for (const file of [...LAYERS.graph, ...LAYERS.compiler, ...LAYERS.eval, ...LAYERS.runs]) {
      const sf = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (ts.isIdentifier(node) && DOM_GLOBALS.has(node.text)) {
          const p = node.parent;
          const isName =
            (ts.isPropertyAccessExpression(p) && p.name === node) ||
            (ts.isPropertyAssignment(p) && p.name === node) ||
            (ts.isPropertySignature(p) && p.name === node) ||
            (ts.isPropertyDeclaration(p) && p.name === node) ||
            (ts.isMethodDeclaration(p) && p.name === node) ||
            (ts.isParameter(p) && p.name === node) ||
            (ts.isVariableDeclaration(p) && p.name === node) ||
            ts.isBindingElement(p) ||
            ts.isTypeReferenceNode(p) ||
            ts.isShorthandPropertyAssignment(p);
          if (!isName)
            violations.push(`${file}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1} uses the DOM global '${node.text}'`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(violations, report(violations)).toEqual([]);
  });

  it('src/ui and src/store import src/runtime as types only (the worker is started by URL, not imported)', () => {
    const violations = [...LAYERS.ui, ...LAYERS.store]
      .flatMap(importsOf)
      .filter((i) => !i.typeOnly && under(i.target, 'src/runtime'))
      .map(where);
    expect(violations, report(violations)).toEqual([]);
  });

  it('src/store imports nothing from src/ui, not even types (ui → store, never back)', () => {
    const violations = intoUi(LAYERS.store.flatMap(importsOf));
    expect(violations, report(violations)).toEqual([]);
  });

  it(`src/data imports only ${MAY_IMPORT.data.join(', ')} and packages (runtime and cli use data, not the reverse)`, () => {
    const violations = outside(LAYERS.data.flatMap(importsOf), MAY_IMPORT.data);
    expect(violations, report(violations)).toEqual([]);
  });

  it(`src/export imports only ${MAY_IMPORT.export.join(', ')} and no package`, () => {
    const violations = LAYERS.export
      .flatMap(importsOf)
      .filter((i) => !i.target || !under(i.target, ...MAY_IMPORT.export))
      .map((i) => `${where(i)} (${i.target ? `outside ${MAY_IMPORT.export.join(', ')}` : 'a package'})`);
    expect(violations, report(violations)).toEqual([]);
  });

  it(`src/cli imports only ${MAY_IMPORT.cli.join(', ')} and packages: never ui or store`, () => {
    const violations = outside(LAYERS.cli.flatMap(importsOf), MAY_IMPORT.cli);
    expect(violations, report(violations)).toEqual([]);
  });

  it('nodes/ import only the node API in src/graph, other node files, and TF.js types', () => {
    const violations = LAYERS.nodes
      .flatMap(importsOf)
      .filter((i) => !i.typeOnly)
      .filter((i) => (i.target ? !under(i.target, 'src/graph', 'nodes') : true))
      .map(where);
    expect(violations, report(violations)).toEqual([]);
  });

  it('no file in graph, compiler, eval, runs, store, ui or nodes reaches a TF.js value or src/runtime through a chain of value imports', () => {
    const violations: string[] = [];
    const files = [...LAYERS.graph, ...LAYERS.compiler, ...LAYERS.eval, ...LAYERS.runs, ...LAYERS.store, ...LAYERS.ui, ...LAYERS.nodes];
    for (const file of files) {
      const chain = valueClosure(file);
      for (const [f, path] of chain) {
        if (under(f, 'src/runtime')) {
          violations.push(`${file} → … → ${path.slice(1).join(' → ')}`);
          continue;
        }
        for (const i of importsOf(f))
          if (!i.typeOnly && isTf(i.specifier)) violations.push(`${file} → ${[...path.slice(1), where(i)].join(' → ')}`);
      }
    }
    expect([...new Set(violations)], report([...new Set(violations)])).toEqual([]);
  });

  it('classifies imports correctly on synthetic sources', () => {
    const src = [
      "import type { Tensor } from '@tensorflow/tfjs-core';", // 1 type
      "import { type Scalar, type Rank } from '@tensorflow/tfjs-core';", // 2 type
      "import * as tf from '@tensorflow/tfjs-core';", // 3 value
      "import '@tensorflow/tfjs-backend-wasm';", // 4 value (side effect)
      "import {} from '@tensorflow/tfjs-core';", // 5 value (kept by TS)
      "import { type A, b } from '../../runtime/model';", // 6 value (b)
      "export type { Plan } from '../../compiler/plan';", // 7 type
      "export { x } from './y';", // 8 value
      "const m = await import('@tensorflow/tfjs');", // 9 value
      "// import { nope } from '@tensorflow/tfjs';", // comment: ignored
      'const s = "import x from \'@tensorflow/tfjs\'";', // string: ignored
      "const w = new Worker(new URL('../../runtime/worker.ts', import.meta.url));", // not an import
      "type T = typeof import('@tensorflow/tfjs');", // 13 type
    ].join('\n');
    const got = parseImports('src/ui/run/probe.ts', src).map((i) => [i.line, i.specifier, i.typeOnly]);
    expect(got).toEqual([
      [1, '@tensorflow/tfjs-core', true],
      [2, '@tensorflow/tfjs-core', true],
      [3, '@tensorflow/tfjs-core', false],
      [4, '@tensorflow/tfjs-backend-wasm', false],
      [5, '@tensorflow/tfjs-core', false],
      [6, '../../runtime/model', false],
      [7, '../../compiler/plan', true],
      [8, './y', false],
      [9, '@tensorflow/tfjs', false],
      [13, '@tensorflow/tfjs', true],
    ]);
    expect(parseImports('src/ui/run/probe.ts', src)[5].target).toBe('src/runtime/model.ts');
  });

  it('recognises a violation when it sees one (the checker is not vacuous)', () => {
    // src/runtime does import TF.js values: the same classifier must see them.
    const runtime = sourceFiles('src/runtime').flatMap(importsOf);
    expect(runtime.some((i) => isTf(i.specifier) && !i.typeOnly)).toBe(true);
    // And a type-only import of the runtime protocol from the UI is classified as such.
    const ui = LAYERS.ui.flatMap(importsOf).filter((i) => under(i.target, 'src/runtime'));
    expect(ui.length).toBeGreaterThan(0);
    expect(ui.every((i) => i.typeOnly)).toBe(true);
  });

  it('the store, data, eval, cli and runs rules report a stray import, type-only included, as file:line', () => {
    const store = parseImports(
      'src/store/probe.ts',
      "import { docOps } from './docOps';\nimport type { RunState } from '../ui/run/runStore';",
    );
    expect(intoUi(store)).toEqual(["src/store/probe.ts:2 imports '../ui/run/runStore'"]);
    const data = parseImports('src/data/probe.ts', "import { x } from '../graph/random';\nimport type { S } from '../store/editorStore';");
    expect(outside(data, MAY_IMPORT.data)).toEqual([
      `src/data/probe.ts:2 imports '../store/editorStore' (outside ${MAY_IMPORT.data.join(', ')})`,
    ]);
    const cli = parseImports(
      'src/cli/probe.ts',
      "import { registry } from '../../nodes/index';\n\nimport type { View } from '../ui/run/views';",
    );
    expect(outside(cli, MAY_IMPORT.cli)).toEqual([`src/cli/probe.ts:3 imports '../ui/run/views' (outside ${MAY_IMPORT.cli.join(', ')})`]);
    const metrics = parseImports(
      'src/eval/probe.ts',
      [
        "import { createRng } from '../graph/random';",
        "import type { Tensor } from '@tensorflow/tfjs-core';",
        "import { readFileSync } from 'node:fs';",
        "import { plan } from '../compiler/plan';",
      ].join('\n'),
    );
    const runs = parseImports(
      'src/runs/probe.ts',
      [
        "import { zipSync } from 'fflate';",
        "import type { StoredCheckpoint } from '../runtime/checkpoints';",
        "import { Checkpoints } from '../runtime/checkpoints';",
        "import { readFile } from 'node:fs/promises';",
        "import type { Plan } from '../compiler/plan';",
      ].join('\n'),
    );
    expect(runsViolations(runs)).toEqual([
      "src/runs/probe.ts:3 imports '../runtime/checkpoints' (a value from outside src/runs, src/graph)",
      "src/runs/probe.ts:4 imports 'node:fs/promises' (a package other than fflate)",
      "src/runs/probe.ts:5 imports '../compiler/plan' (outside src/runs, src/graph, src/runtime, src/data)",
    ]);
    expect(evalViolations(metrics)).toEqual([
      "src/eval/probe.ts:2 imports '@tensorflow/tfjs-core' (a package)",
      "src/eval/probe.ts:3 imports 'node:fs' (a package)",
      "src/eval/probe.ts:4 imports '../compiler/plan' (outside src/eval, src/graph)",
    ]);
  });
});
