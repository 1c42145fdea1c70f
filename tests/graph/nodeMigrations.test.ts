/**
 * Per-node parameter migrations through the one load path: a fixture node
 * type whose parameters are at version 3 (v1 → v2 renamed `size` to `units`,
 * v2 → v3 added `activation`), and the rule that every real node type with a
 * version above 1 ships a fixture pair for each step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { loadDocumentText } from '../../src/graph/load';
import type { NodeTypeVersions } from '../../src/graph/nodeMigrations';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/node-params/${name}`, import.meta.url), 'utf8');

function gaugeTypes(calls: number[]): NodeTypeVersions {
  return {
    plain: {},
    gauge: {
      version: 3,
      migrate(params, from) {
        calls.push(from);
        if (from === 1) {
          const { size, ...rest } = params;
          return { ...rest, units: size };
        }
        if (from === 2) return { ...params, activation: 'relu' };
        throw new Error(`no step from ${from}`);
      },
    },
  };
}

describe('node parameter migrations', () => {
  it('upgrades a v1 node step by step to the fixture, leaves current and versionless nodes alone', () => {
    const calls: number[] = [];
    const loaded = loadDocumentText(fixture('v1-gauge.json'), 'v1-gauge.json', gaugeTypes(calls));
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(calls).toEqual([1, 2]);
    expect(loaded.doc).toEqual(JSON.parse(fixture('v3-gauge.json')));
  });

  it('runs only the missing steps for a node saved at v2', () => {
    const calls: number[] = [];
    const text = fixture('v1-gauge.json').replace('"params": { "size": 32 }', '"params": { "units": 4 }, "version": 2');
    const loaded = loadDocumentText(text, 'v2', gaugeTypes(calls));
    expect(calls).toEqual([2]);
    expect(loaded.ok && loaded.doc.nodes[0]).toMatchObject({ params: { units: 4, activation: 'relu' }, version: 3 });
  });

  it('refuses a node saved by a newer Latent Lab, naming it', () => {
    const text = fixture('v1-gauge.json').replace('"params": { "size": 32 }', '"params": {}, "version": 7');
    const loaded = loadDocumentText(text, 'future.json', gaugeTypes([]));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error).toMatchObject({ code: 'too-new', source: 'future.json', path: 'nodes[0].version' });
    expect(loaded.error.message).toContain('"g1"');
  });

  it('reports a failing step as a migration error at the node, never a throw', () => {
    const types = gaugeTypes([]);
    types.gauge.version = 4;
    const loaded = loadDocumentText(fixture('v1-gauge.json'), 'v1-gauge.json', types);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error.code).toBe('migration');
    expect(loaded.error.message).toMatch(/node "g1".*version 3/);
  });

  it('every node type above version 1 has a fixture pair per step, and its migration turns one into the next', () => {
    for (const def of Object.values(registry)) {
      const current = def.version ?? 1;
      for (let v = 1; v < current; v++) {
        const from = new URL(`./fixtures/node-params/${def.type}-v${v}.json`, import.meta.url);
        const to = new URL(`./fixtures/node-params/${def.type}-v${current}.json`, import.meta.url);
        expect(existsSync(from) && existsSync(to), `${def.type}: add fixtures ${def.type}-v${v}.json and -v${current}.json`).toBe(true);
        const loaded = loadDocumentText(readFileSync(from, 'utf8'), from.pathname, registry);
        expect(loaded.ok && loaded.doc).toEqual(JSON.parse(readFileSync(to, 'utf8')));
      }
    }
  });
});
