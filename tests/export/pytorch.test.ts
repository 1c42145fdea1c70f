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

  it('still refuses the gradient penalty by name: its interpolation has no emitter', () => {
    expect(refusal(preset('wgan-gp.json'))).toMatchObject({ code: 'no-emitter', nodeId: 'interp', nodeType: 'interpolate' });
  });

  it('refuses data train.py cannot load and optimizers whose update would differ, naming the node', () => {
    const shapes = preset('vae.json');
    const data = shapes.nodes.find((n) => n.type === 'dataset')!;
    data.params.source = 'shapes';
    expect(refusal(shapes)).toMatchObject({ code: 'unsupported-setting', nodeId: data.id, nodeType: 'dataset' });
    expect(refusal(shapes).message).toContain('reads the shapes source');
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

  it('exports the flows, the diffusion models and the 256-way PixelCNN, with sample.py where Latent Lab samples by a chain', () => {
    for (const [name, sampled] of [
      ['flow-2d', true],
      ['flow-mnist', true],
      ['ddpm-2d', true],
      ['ddpm-mnist', true],
      ['pixelcnn-256', false],
      ['vae-2d-moons', false],
    ] as const) {
      const doc = preset(`${name}.json`);
      const { files } = exportPytorch(planOf(doc), doc);
      expect('sample.py' in files, name).toBe(sampled);
      expect('flows.py' in files, name).toBe(name.startsWith('flow'));
      expect('diffusion.py' in files, name).toBe(name.startsWith('ddpm'));
    }
    const flow = preset('flow-mnist.json');
    const { files } = exportPytorch(planOf(flow), flow);
    expect(files['model.py']).toContain('self.s1af0 = AffineCoupling([14, 14, 4], "channel", False, [64, 64], "relu")');
    expect(files['model.py']).toContain('("state:s1ac0/initialized", "s1ac0.initialized", "same")');
    expect(files['losses.py']).toContain('deq_y, deq_logDet = dequantize(data_x, 256, draw)');
    expect(files['sample.py']).toContain('h = dequantize_inverse(h, 256)  # deq');
    const ddpm = preset('ddpm-mnist.json');
    const sample = exportPytorch(planOf(ddpm), ddpm).files['sample.py'] as string;
    expect(sample).toContain('SETTINGS = {"method": "ddim", "steps": 50, "eta": 0.0, "guidance": 1.0}');
    // Guidance's unconditional pass blanks the Label dropout's output, as our sampler does.
    expect(sample).toContain('    if unconditional:\n        drop_y = torch.zeros_like(drop_y)');
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
      ...['model.py', 'losses.py', 'train.py', 'datasets.py'].map((f) => join(dir, f)),
    ]);
    expect(out.trim()).toBe('ok');
    expect(files['losses.py']).toContain('"KL \\"to\\" prior\\\\": kl_loss');
  });
});
