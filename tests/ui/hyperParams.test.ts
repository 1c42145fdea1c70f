import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { loadDocumentText } from '../../src/graph/load';
import { batchSizeField, learningRateField } from '../../src/ui/run/hyperParams';

const gan = () => {
  const r = loadDocumentText(readFileSync(new URL('../../presets/gan.json', import.meta.url), 'utf8'), 'gan', registry);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
};

describe('run panel fields are document parameters', () => {
  it("finds each optimizer's learning rate and the dataset's batch size through their capabilities", () => {
    const doc = gan();
    expect(learningRateField(doc, registry, 'optD')).toMatchObject({ nodeId: 'optD', param: 'learningRate', value: 2e-4, integer: false });
    expect(learningRateField(doc, registry, 'optD')!.min).toBeGreaterThan(0);
    expect(batchSizeField(doc, registry)).toMatchObject({ nodeId: 'data', param: 'batchSize', min: 1, max: 4096, integer: true });
    expect(learningRateField(doc, registry, 'gen')).toBeNull();
  });
});
