/**
 * train.py's data sources read or make the examples Latent Lab does: the 2-D sets from the same
 * seeded generator (the same points, to float32 rounding), an image folder into the same grey
 * pixels and classes, and an exported project trains on either with no IDX file in sight.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { exportProject } from '../../src/cli/export';
import { compile } from '../../src/compiler/compile';
import { makeMixture2D, MIXTURE_KINDS } from '../../src/data/mixtures';
import { loadPngDir } from '../../src/data/node-files';
import { DEFAULT_COUNT } from '../../src/data/registry';
import { exportPytorch } from '../../src/export/pytorch';
import { DATASETS_PY, MIXTURE_COUNT } from '../../src/export/pythonData';
import { LATENT_LAB_PY } from '../../src/export/pythonTrain';
import { preset } from '../compiler/helpers';
import { metricsOf, python, readNpy, requireTorch } from './python';

const work = mkdtempSync(join(tmpdir(), 'export-data-'));
const lib = join(work, 'lib');

beforeAll(() => {
  requireTorch();
  mkdirSync(lib);
  writeFileSync(join(lib, 'datasets.py'), DATASETS_PY);
  writeFileSync(join(lib, 'latent_lab.py'), LATENT_LAB_PY);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs Python with datasets.py importable; `code` saves arrays with np.save. */
const withDatasets = (code: string) => python(['-c', `import sys\nsys.path.insert(0, ${JSON.stringify(lib)})\n${code}`]);

/** A w×h RGBA PNG whose pixel (x, y) is `pixel(x, y)`. */
function png(path: string, w: number, h: number, pixel: (x: number, y: number) => [number, number, number, number]) {
  const image = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) image.data.set(pixel(x, y), 4 * (y * w + x));
  writeFileSync(path, PNG.sync.write(image));
}

describe("train.py's data sources", () => {
  it('makes the 2-D sets point for point as Latent Lab does (same seed, same generator)', () => {
    expect(MIXTURE_COUNT).toBe(DEFAULT_COUNT.mixture);
    const seed = 1234567;
    withDatasets(
      [
        'import numpy as np',
        'from datasets import make_mixture',
        ...MIXTURE_KINDS.map(
          (kind) =>
            `x, labels = make_mixture("${kind}", ${MIXTURE_COUNT}, ${seed}); np.save(${JSON.stringify(join(work, `${kind}.npy`))}, x); np.save(${JSON.stringify(join(work, `${kind}-labels.npy`))}, labels.astype(np.float32))`,
        ),
      ].join('\n'),
    );
    for (const kind of MIXTURE_KINDS) {
      const ours = makeMixture2D(kind, MIXTURE_COUNT, seed);
      const theirs = readNpy(join(work, `${kind}.npy`));
      let exact = 0;
      let worst = 0;
      ours.x.forEach((v, i) => {
        if (v === theirs[i]) exact++;
        worst = Math.max(worst, Math.abs(v - theirs[i]));
      });
      console.log(`${kind}: ${exact} of ${ours.x.length} values bit-equal, largest difference ${worst}`);
      expect(worst, kind).toBeLessThan(1e-6);
      expect(Array.from(readNpy(join(work, `${kind}-labels.npy`)))).toEqual(Array.from(ours.labels!));
    }
  });

  it('reads an image folder into the grey pixels and classes Latent Lab reads', async () => {
    const root = join(work, 'digits');
    for (const cls of ['10', '3']) mkdirSync(join(root, cls), { recursive: true });
    // Larger than 28, not square, half transparent, coloured: every step of the conversion matters.
    png(join(root, '3', 'a.png'), 40, 30, (x, y) => [(x * 7) % 256, (y * 11) % 256, (x * y) % 256, x < 20 ? 255 : 128]);
    png(join(root, '3', 'b.png'), 28, 28, (x) => [x * 9, x * 9, x * 9, 255]);
    png(join(root, '10', 'c.png'), 14, 17, (x, y) => [255, y * 15, 0, (x * 18) % 256]);
    // A loose image beside the class folders has no class: both leave it out.
    png(join(root, 'loose.png'), 28, 28, () => [255, 255, 255, 255]);
    writeFileSync(join(root, '3', '.hidden.png'), 'not an image');
    const ours = await loadPngDir(root, 28);
    withDatasets(
      [
        'import numpy as np',
        'from datasets import read_image_folder',
        `x, labels = read_image_folder(${JSON.stringify(root)}, 28)`,
        `np.save(${JSON.stringify(join(work, 'images.npy'))}, x)`,
        `np.save(${JSON.stringify(join(work, 'image-labels.npy'))}, labels.astype(np.float32))`,
      ].join('\n'),
    );
    const theirs = readNpy(join(work, 'images.npy'));
    expect(ours.count).toBe(3);
    expect(theirs.length).toBe(ours.x.length);
    expect(Array.from(theirs)).toEqual(Array.from(ours.x));
    expect(ours.classNames).toEqual(['3', '10']);
    expect(Array.from(readNpy(join(work, 'image-labels.npy')))).toEqual(Array.from(ours.labels!));
  });

  it('trains an exported 2-D VAE on its own moons and an image VAE on an image folder, with no --data for the moons', async () => {
    const points = preset('vae-2d-moons.json');
    const compiled = compile(points, registry);
    expect(exportPytorch(compiled.plan!, points).files['requirements.txt']).not.toContain('pillow');
    const graph = join(work, 'moons.json');
    writeFileSync(graph, JSON.stringify(points));
    await exportProject(graph, { to: 'pytorch', out: join(work, 'moons') });
    python([join(work, 'moons', 'train.py'), '--steps', '2', '--out', join(work, 'moons-run')]);
    expect(metricsOf(readFileSync(join(work, 'moons-run', 'metrics.jsonl'), 'utf8')).map((l) => l.step)).toEqual([1, 2]);

    const images = join(work, 'folder');
    for (let i = 0; i < 4; i++) {
      mkdirSync(join(images, String(i % 2)), { recursive: true });
      png(join(images, String(i % 2), `${i}.png`), 28, 28, (x, y) => [(x + y + i) % 2 ? 255 : 0, 0, 0, 255]);
    }
    const vae = preset('vae.json');
    vae.nodes.find((n) => n.type === 'dataset')!.params.batchSize = 4;
    writeFileSync(join(work, 'vae.json'), JSON.stringify(vae));
    await exportProject(join(work, 'vae.json'), { to: 'pytorch', out: join(work, 'vae') });
    python([join(work, 'vae', 'train.py'), '--data', images, '--steps', '2', '--out', join(work, 'vae-run')]);
    expect(metricsOf(readFileSync(join(work, 'vae-run', 'metrics.jsonl'), 'utf8'))).toHaveLength(2);
  });
});
