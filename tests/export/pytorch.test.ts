/** The generated project: refusals that name the node, names taken from the graph, and Python that parses whatever the labels say. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import { ExportError } from '../../src/export/errors';
import { exportPytorch } from '../../src/export/pytorch';
import type { GraphDocument } from '../../src/graph/document';
import { preset } from '../compiler/helpers';
import { python, requireTorch } from './python';

const work = mkdtempSync(join(tmpdir(), 'export-files-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function planOf(doc: GraphDocument) {
  const r = compile(doc, registry);
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

function refusal(doc: GraphDocument): ExportError {
  try {
    exportPytorch(planOf(doc), doc);
  } catch (e) {
    if (e instanceof ExportError) return e;
    throw e;
  }
  throw new Error('the export did not refuse');
}

describe('exportPytorch', () => {
  it('refuses a node with no PyTorch emitter with a typed error naming the node and its type', () => {
    const e = refusal(preset('wgan-gp.json'));
    expect(e.code).toBe('no-emitter');
    expect(e.nodeId).toBe('interp');
    expect(e.nodeType).toBe('interpolate');
    expect(e.message).toContain('node "interp" (type interpolate)');
  });

  it('refuses data train.py cannot load and optimizers whose update would differ, naming the node', () => {
    const points = preset('vae-2d-moons.json');
    const data = points.nodes.find((n) => n.type === 'dataset')!;
    expect(refusal(points)).toMatchObject({ code: 'unsupported-setting', nodeId: data.id });
    const rms = preset('vae.json');
    rms.nodes.find((n) => n.id === 'adam')!.params.algorithm = 'rmsprop';
    expect(refusal(rms)).toMatchObject({ code: 'unsupported-setting', nodeId: 'adam', nodeType: 'optimizer' });
  });

  it("names the modules after the graph's nodes and maps every checkpoint tensor", () => {
    const doc = preset('gan.json');
    const { files } = exportPytorch(planOf(doc), doc);
    const model = files['model.py'] as string;
    expect(model).toContain('class GenGenerator(nn.Module):');
    expect(model).toContain('self.up0 = nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1)');
    expect(model).toContain('self.dReal = DRealDiscriminator()');
    expect(model).toContain('("var:dReal/conv0/kernel", "dReal.conv0.weight", "conv")');
    expect(model).toContain('("state:gen/denseNorm/runningVar", "gen.denseNorm.running_var", "same")');
    // The fake branch shares the real one's weights: one module, called twice.
    expect(files['losses.py']).toContain('dFake_score_y = model.dReal(gen_up1_y)');
    expect(files['train.py']).toContain('"trains": ["gen.dense", "gen.denseNorm", "gen.up0", "gen.up0Norm", "gen.up1"]');
  });

  it('writes Python that parses whatever the titles and labels hold', () => {
    requireTorch();
    const doc = preset('cvae.json');
    doc.meta.title = 'A """quoted""" title \\ with a backslash\nand a new line';
    doc.nodes.find((n) => n.id === 'enc')!.label = 'hidden\n""" import os; os.remove("x") #';
    doc.nodes.find((n) => n.id === 'kl')!.label = 'KL "to" prior\\';
    const { files } = exportPytorch(planOf(doc), doc);
    const dir = join(work, 'labels');
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    const out = python([
      '-c',
      'import ast, sys\nfor f in sys.argv[1:]: ast.parse(open(f).read(), f)\nprint("ok")',
      ...['model.py', 'losses.py', 'train.py'].map((f) => join(dir, f)),
    ]);
    expect(out.trim()).toBe('ok');
    expect(files['losses.py']).toContain('"KL \\"to\\" prior\\\\": kl_loss');
  });
});
