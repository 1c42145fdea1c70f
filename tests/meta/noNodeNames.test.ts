/**
 * The runtime and the CLI know nodes only through the plan the compiler
 * derives from their capabilities: no literal port or parameter name of any
 * node, no node type or role string, no `.role` test, no `inputs.<port>` /
 * `params.<param>` read. A second sampler or optimizer type then needs its
 * file, one registry line and its test, and nothing here.
 *
 * src/runtime/kernels is TF.js kernel code (it sees tensors, never nodes), so
 * its attribute names are not node names.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (rel === join('src', 'runtime', 'kernels')) continue;
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...files(rel));
    else if (/\.tsx?$/.test(name)) out.push(rel);
  }
  return out;
}

const defs = Object.values(registry);
/** Every name a node declares, with what it is, so a violation says which node it belongs to. */
const nodeNames = new Map<string, string>();
for (const def of defs) {
  nodeNames.set(def.type, `node type ${def.type}`);
  for (const port of [...Object.keys(def.inputs), ...Object.keys(def.outputs)]) nodeNames.set(port, `a port of ${def.type}`);
  for (const param of Object.keys(def.params)) nodeNames.set(param, `a parameter of ${def.type}`);
}
const ROLE_WORDS = ['dataset', 'label', 'noise', 'sampler', 'optimizer', 'loss', 'losses'];
for (const w of ROLE_WORDS) nodeNames.set(w, nodeNames.get(w) ?? 'a node role');

function violations(file: string, text = readFileSync(join(ROOT, file), 'utf8')): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) => found.push(`${file}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1} ${what}`);
  const visit = (node: ts.Node) => {
    // Import paths are module names, not node names.
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if (ts.isStringLiteralLike(node) && nodeNames.has(node.text)) at(node, `'${node.text}' is ${nodeNames.get(node.text)}`);
    if (ts.isPropertyAccessExpression(node)) {
      const name = node.name.text;
      const owner = ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : '';
      if (name === 'role' || name === 'category') at(node, `reads a node's .${name}`);
      if ((owner === 'inputs' || owner === 'params' || owner === 'outputs') && nodeNames.has(name)) at(node, `reads ${owner}.${name}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('runtime and CLI read nodes only through the plan', () => {
  it('the check sees what it is meant to see', () => {
    expect(nodeNames.get('logVar')).toBe('a port of gaussianKl');
    const probe = [
      'export function readsNames(plan: Plan) {',
      "  const sampler = plan.nodes.find((n) => n.inputs.mean && n.def.role === 'sampler');",
      '  return sampler?.params.learningRate;',
      '}',
    ].join('\n');
    expect(violations('probe.ts', probe).map((v) => v.replace(/^\S+ /, ''))).toEqual([
      'reads inputs.mean',
      "reads a node's .role",
      "'sampler' is node type sampler",
      'reads params.learningRate',
    ]);
  });

  it('src/runtime (outside kernels) and src/cli name no node port, parameter, type or role', () => {
    const all = [...files(join('src', 'runtime')), ...files(join('src', 'cli'))].flatMap((f) => violations(f));
    expect(all).toEqual([]);
  });
});
