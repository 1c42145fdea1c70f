import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLoadError, loadDocumentValue } from '../../src/graph/load';
import {
  looksLikePack,
  loadPackText,
  loadPackValue,
  makePack,
  MAX_PACK_CHARS,
  MAX_PACK_PRESETS,
  packFileName,
  packText,
  type PackLoadResult,
} from '../../src/graph/presetPack';
import { registry } from '../../nodes/index';

const json = (path: string): unknown => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const loaded = (path: string) => {
  const r = loadDocumentValue(json(path), path, registry);
  if (!r.ok) throw new Error(formatLoadError(r.error));
  return r.doc;
};
const vae = loaded('../../presets/vae.json');
const gan = loaded('../../presets/gan.json');
const exercise = loaded('../../presets/exercise-reparameterization.json');

function failure(r: PackLoadResult): string {
  expect(r.ok).toBe(false);
  return r.ok ? '' : formatLoadError(r.error);
}

describe('preset packs', () => {
  it('round-trips a titled, ordered pack through its file text', () => {
    const pack = makePack('Week 3: latent variables', [
      { name: 'Start here', doc: vae },
      { name: 'The adversarial game', doc: gan },
      { name: 'Wire it yourself', doc: exercise },
    ]);
    const r = loadPackText(packText(pack), 'week3.pack.json', registry);
    expect(r).toEqual({ ok: true, pack, migrated: [], droppedKeys: [] });
    expect(packFileName(pack)).toBe('week-3-latent-variables.pack.json');
    expect(looksLikePack(JSON.parse(packText(pack)))).toBe(true);
    expect(looksLikePack(vae)).toBe(false);
    expect(looksLikePack({ format: 'latent-lab-pak', presets: [] })).toBe(true);
  });

  it('migrates a version-1 document inside a pack, as the load path does for a file', () => {
    const raw = {
      format: 'latent-lab-pack',
      version: 1,
      title: 'Old',
      presets: [{ name: 'Tiny', doc: json('./fixtures/v1-tiny-ae.json') }],
    };
    const r = loadPackValue(raw, 'old.pack.json', registry);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.migrated).toEqual([1]);
    expect(r.pack.presets[0].doc).toEqual(loaded('./fixtures/v2-tiny-ae.json'));
  });

  it('names the pack, the preset’s place and name, and the document’s own error', () => {
    const bad = structuredClone(gan) as unknown as { nodes: { position: { x: unknown } }[] };
    bad.nodes[3].position.x = 'left';
    const raw = JSON.parse(
      packText(
        makePack('Week 3', [
          { name: 'VAE', doc: vae },
          { name: 'Broken GAN', doc: gan },
        ]),
      ),
    );
    raw.presets[1].doc = bad;
    const message = failure(loadPackValue(raw, 'week3.pack.json', registry));
    expect(message).toMatch(/^week3\.pack\.json \(pack “Week 3”\), preset 2 “Broken GAN”: nodes\[3\]\.position\.x: /);
    expect(message).toMatch(/expected number/);
  });

  it('refuses a bad envelope with the place and a fix', () => {
    const entry = { name: 'VAE', doc: vae };
    expect(failure(loadPackValue(vae, 'vae.json'))).toBe(
      'vae.json: format: this is a single graph, not a preset pack (open it with Import in the toolbar)',
    );
    expect(failure(loadPackValue([], 'a.json'))).toMatch(/a preset pack must be a JSON object/);
    expect(failure(loadPackValue({ format: 'latent-lab-pack', version: 2, title: 'T', presets: [entry] }, 'a.json'))).toMatch(
      /version 2, newer than this Latent Lab reads.*update Latent Lab/,
    );
    expect(failure(loadPackValue({ format: 'latent-lab-pack', version: 1, title: ' ', presets: [entry] }, 'a.json'))).toMatch(
      /^a\.json: title: Too small/,
    );
    expect(failure(loadPackValue({ format: 'latent-lab-pack', version: 1, title: 'T', presets: [] }, 'a.json'))).toMatch(
      /^a\.json \(pack “T”\): presets: Too small.*1/,
    );
    expect(failure(loadPackValue({ format: 'latent-lab-pack', version: 1, title: 'T', presets: [entry, { doc: vae }] }, 'a.json'))).toMatch(
      /^a\.json \(pack “T”\), preset 2: presets\[1\]\.name: /,
    );
    const many = Array.from({ length: MAX_PACK_PRESETS + 1 }, () => entry);
    expect(failure(loadPackValue({ format: 'latent-lab-pack', version: 1, title: 'T', presets: many }, 'a.json'))).toMatch(/presets:.*100/);
    expect(failure(loadPackText('x'.repeat(MAX_PACK_CHARS + 1), 'big.json'))).toMatch(
      /^big\.json: the pack is 8\.0 MB, more than the 8 MB/,
    );
    expect(failure(loadPackText('{"format": "latent-lab-pack",', 'cut.json'))).toMatch(/^cut\.json: not valid JSON/);
    expect(failure(loadPackText('', 'empty.json'))).toBe('empty.json: the file is empty (export the pack from Latent Lab again)');
    expect(failure(loadPackText('['.repeat(100_000) + ']'.repeat(100_000), 'deep.json'))).toMatch(/nested more than 64 levels/);
  });

  it('reports keys it does not know, at the pack, entry and document level, instead of dropping them silently', () => {
    const raw = JSON.parse(packText(makePack('T', [{ name: 'VAE', doc: vae }])));
    raw.author = 'someone';
    raw.presets[0].thumbnail = 'x.png';
    raw.presets[0].doc.meta.difficulty = 'easy';
    raw.presets[0].doc.__proto__ = { polluted: true };
    const r = loadPackValue(raw, 'a.json', registry);
    expect(r.ok && r.droppedKeys).toEqual(['author', 'presets[0].thumbnail', 'presets[0].doc.meta.difficulty']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips any title, description, names and order (property)', () => {
    const docs = [vae, gan, exercise];
    const trimmed = fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim() === s && s.length > 0);
    fc.assert(
      fc.property(
        trimmed,
        fc.option(trimmed, { nil: undefined }),
        fc.array(fc.record({ name: trimmed, which: fc.nat({ max: docs.length - 1 }) }), { minLength: 1, maxLength: 6 }),
        (title, description, entries) => {
          const pack = makePack(
            title,
            entries.map((e) => ({ name: e.name, doc: docs[e.which] })),
            description,
          );
          const r = loadPackText(packText(pack), 'p.json', registry);
          expect(r).toEqual({ ok: true, pack, migrated: [], droppedKeys: [] });
        },
      ),
      { numRuns: 60 },
    );
  });
});
