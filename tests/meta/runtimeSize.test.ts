/**
 * The runtime stays in small cohesive modules: no file in src/runtime over 450
 * lines, no class anywhere in src/ with more than 30 members (fields, methods,
 * accessors and constructor parameter properties). The session that once held
 * seven concerns in one 87-member class must not grow back.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_RUNTIME_LINES = 450;
const MAX_CLASS_MEMBERS = 30;

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return files(rel);
    // The shipped wasm binary is base64 text, not code.
    return /\.tsx?$/.test(name) && !name.endsWith('native_wasm.ts') ? [rel] : [];
  });
}

function classSizes(file: string, text: string): { name: string; members: number }[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: { name: string; members: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isClassLike(node)) {
      let members = 0;
      for (const m of node.members) {
        if (ts.isConstructorDeclaration(m)) members += m.parameters.filter((p) => ts.getModifiers(p)?.length).length;
        else if (!ts.isSemicolonClassElement(m)) members++;
      }
      out.push({ name: `${file}:${node.name?.text ?? '(anonymous)'}`, members });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('module and class size', () => {
  it('counts members the way the rule means', () => {
    const text = 'class A { constructor(private a: number, b: number) {} x = 1; get y() { return 1; } m() {} static s = 2; }';
    expect(classSizes('a.ts', text)).toEqual([{ name: 'a.ts:A', members: 5 }]);
  });

  it(`no file in src/runtime has more than ${MAX_RUNTIME_LINES} lines`, () => {
    const long = files('src/runtime')
      .map((f) => ({ f, lines: readFileSync(join(ROOT, f), 'utf8').split('\n').length }))
      .filter((x) => x.lines > MAX_RUNTIME_LINES)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(long).toEqual([]);
  });

  it(`no class in src/ has more than ${MAX_CLASS_MEMBERS} members`, () => {
    const big = files('src')
      .flatMap((f) => classSizes(f, readFileSync(join(ROOT, f), 'utf8')))
      .filter((c) => c.members > MAX_CLASS_MEMBERS)
      .map((c) => `${c.name}: ${c.members} members`);
    expect(big).toEqual([]);
  });
});
