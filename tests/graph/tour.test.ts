/**
 * A guided tour in the document: steps of plain text that point at a node or
 * a view by a stable name. Loading keeps a good tour and round-trips it,
 * refuses a malformed one by path, and still opens a graph whose tour points
 * at a node deleted since (an autosave must restore); the presets may not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDocumentText, loadDocumentValue } from '../../src/graph/load';

const tinyAe = () => JSON.parse(readFileSync(new URL('./fixtures/v2-tiny-ae.json', import.meta.url), 'utf8'));
const withTour = (steps: unknown[]) => ({ ...tinyAe(), tour: { steps } });
const presetFiles = readdirSync(new URL('../../presets/', import.meta.url)).filter((f) => f.endsWith('.json'));
const errorOf = (doc: unknown) => {
  const r = loadDocumentValue(doc, 'tour.json');
  return r.ok ? null : r.error;
};

describe('a tour in the document', () => {
  it('keeps steps with a node, a view or no target, and round-trips them', () => {
    const steps = [
      { id: 'intro', text: 'This graph squeezes each digit through 8 numbers.' },
      { id: 'enc', text: 'The encoder.', target: { node: 'enc' } },
      { id: 'loss', text: 'Watch the loss fall.', target: { view: 'loss' } },
    ];
    const r = loadDocumentValue(withTour(steps), 'tour.json');
    expect(r.ok && r.droppedKeys).toBeUndefined();
    expect(r.ok && r.doc.tour?.steps).toEqual(steps);
    const again = r.ok ? loadDocumentText(JSON.stringify(r.doc), 'saved') : null;
    expect(again?.ok && again.doc).toEqual(r.ok && r.doc);
  });

  it('a version-1 document may carry a tour: the migration keeps it', () => {
    const v1 = { ...withTour([{ id: 'a', text: 'Hello', target: { node: 'dec' } }]), schemaVersion: 1 };
    const r = loadDocumentValue(v1, 'v1.json');
    expect(r.ok && r.migratedFrom).toBe(1);
    expect(r.ok && r.doc.tour?.steps[0].target).toEqual({ node: 'dec' });
  });

  it('opens a graph whose tour points at a node it no longer has (deleted or unpacked since), keeping the step as it was', () => {
    const steps = [{ id: 'kl-term', text: 'The KL term.', target: { node: 'kl' } }];
    const r = loadDocumentValue(withTour(steps), 'autosave');
    expect(r.ok && r.droppedKeys).toBeUndefined();
    expect(r.ok && r.doc.tour?.steps).toEqual(steps);
  });

  it('refuses a step id used twice, an unknown view, a target with both or neither, empty text and an empty tour', () => {
    const cases: [unknown[], string, RegExp][] = [
      [
        [
          { id: 'a', text: 'x' },
          { id: 'a', text: 'y' },
        ],
        'tour.steps[1].id',
        /tour step "a" appears twice/,
      ],
      [[{ id: 'a', text: 'x', target: { view: 'weights' } }], 'tour.steps[0].target.view', /problems/],
      [[{ id: 'a', text: 'x', target: { node: 'enc', view: 'loss' } }], 'tour.steps[0].target', /either a node or a view/],
      [[{ id: 'a', text: 'x', target: {} }], 'tour.steps[0].target', /either a node or a view/],
      [[{ id: 'a', text: '' }], 'tour.steps[0].text', /./],
      [[{ id: 'a', text: 'x'.repeat(2_001) }], 'tour.steps[0].text', /./],
      [[], 'tour.steps', /./],
    ];
    for (const [steps, path, message] of cases) {
      const e = errorOf(withTour(steps));
      expect(e?.path, JSON.stringify(steps).slice(0, 80)).toBe(path);
      expect(e?.message).toMatch(message);
    }
  });

  it('reports unknown keys of a step instead of dropping them silently', () => {
    const r = loadDocumentValue(withTour([{ id: 'a', text: 'x', target: { node: 'enc', zoom: 2 }, html: '<b>x</b>' }]), 'tour.json');
    expect(r.ok && r.droppedKeys).toEqual(['tour.steps[0].target.zoom', 'tour.steps[0].html']);
  });

  it('every preset tour points only at nodes its graph has', () => {
    const missing = presetFiles.flatMap((f) => {
      const r = loadDocumentText(readFileSync(new URL(`../../presets/${f}`, import.meta.url), 'utf8'), f);
      if (!r.ok) return [`${f}: ${r.error.message}`];
      const ids = new Set(r.doc.nodes.map((n) => n.id));
      return (r.doc.tour?.steps ?? [])
        .filter((s) => s.target?.node !== undefined && !ids.has(s.target.node))
        .map((s) => `${f}: tour step "${s.id}" points at node "${s.target!.node}", which the graph does not have`);
    });
    expect(missing).toEqual([]);
  });

  it('each preset with a tour has 5 to 8 steps, pointing at its nodes and at one view or more', () => {
    for (const f of ['vae', 'gan', 'pixelcnn', 'flow-2d', 'ddpm-2d']) {
      const r = loadDocumentText(readFileSync(new URL(`../../presets/${f}.json`, import.meta.url), 'utf8'), f);
      expect(r.ok, f).toBe(true);
      const steps = r.ok ? (r.doc.tour?.steps ?? []) : [];
      expect(steps.length, f).toBeGreaterThanOrEqual(5);
      expect(steps.length, f).toBeLessThanOrEqual(8);
      expect(steps.filter((s) => s.target?.node).length, f).toBeGreaterThanOrEqual(3);
      expect(steps.filter((s) => s.target?.view).length, f).toBeGreaterThanOrEqual(1);
    }
  });
});
