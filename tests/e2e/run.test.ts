/**
 * Training in the browser, end to end: the built app in Debian's Chromium
 * (playwright-core), the worker runtime, the run panel. Uses the editor's
 * harness (build, serve with COOP/COEP, launch, screenshots), adding flags
 * for the WebGL / WebGPU runs.
 *
 * Timings on a 2-core machine without a GPU: wasm trains the VAE at roughly
 * 5–25 steps/s, software WebGL and WebGPU at seconds per step, so the GPU
 * tests take only a few steps. WebGPU results are read with `await data()`:
 * a synchronous read in the worker returns zeros on SwiftShader.
 */
import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/graph/document';
import { buildApp, launch as launchChromium, openRunPanel, serve, shot, waitForStep, watchErrors } from './harness';

const WEBGL_ARGS = ['--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];
const WEBGPU_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-vulkan-surface',
];

let dist = '';
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  dist = buildApp();
  server = await serve(dist);
}, 300_000);

afterAll(async () => {
  await server?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

const launch = (extra: string[] = []) => launchChromium({ args: extra, viewport: { width: 1400, height: 1000 } });

/** Opens a preset with the run panel showing; `backend` pre-selects the override before the worker starts. */
async function openPreset(page: Page, preset: string, backend?: string, url = server.url) {
  if (backend) await page.addInitScript((b) => localStorage.setItem('latent-lab:backend', b), backend);
  await openRunPanel(page, `${url}#preset=${preset}`);
}

const runState = (page: Page) =>
  page.evaluate(() => {
    const s = window.latentLabRun!.runStore.getState();
    return {
      step: s.step,
      running: s.running,
      backend: s.backend?.backend ?? null,
      points: s.curves.steps.length,
      terms: Object.keys(s.curves.series),
      notices: s.notices.map((n) => `${n.kind}: ${n.text}`),
      numTensors: s.numTensors,
      stepsPerSec: s.stepsPerSec,
    };
  });

const series = (page: Page, term: string) => page.evaluate((t) => window.latentLabRun!.runStore.getState().curves.series[t] ?? [], term);

function mean(a: number[]) {
  return a.reduce((x, y) => x + y, 0) / a.length;
}

/** Records requestAnimationFrame intervals on the page until read. */
async function startFrameClock(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[] };
    w.__frames = [];
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function frameP95(page: Page): Promise<{ p95: number; frames: number; max: number }> {
  const frames = await page.evaluate(() => (window as unknown as { __frames: number[] }).__frames.slice(1));
  const sorted = frames.slice().sort((a, b) => a - b);
  return { p95: sorted[Math.floor(sorted.length * 0.95)] ?? NaN, frames: frames.length, max: sorted.at(-1) ?? NaN };
}

describe('training in the browser', () => {
  it('VAE: play → curve falls, samples change, badge names the backend; pause, step, reload and resume', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openPreset(page, 'vae');
      const badge = page.getByTestId('backend-badge');
      const backend = await badge.getAttribute('data-backend');
      // No GPU here: WebGPU has no adapter and WebGL is SwiftShader, which auto skips for wasm.
      expect(backend).toBe('wasm');
      expect(await badge.textContent()).toContain('wasm');
      // The page is cross-origin isolated, so the worker runs TF.js's threaded-simd build on a shared heap.
      const wasmInfo = await page.evaluate(() => ({ isolated: crossOriginIsolated, ...window.latentLabRun!.runStore.getState().backend! }));
      console.log(
        `[e2e] wasm backend: ${wasmInfo.threads} thread(s), sharedMemory ${wasmInfo.sharedMemory}, fma ${wasmInfo.fma}, note: ${wasmInfo.note ?? '-'}`,
      );
      expect(wasmInfo.isolated).toBe(true);
      expect(wasmInfo.sharedMemory).toBe(true);
      // Chromium runs relaxed SIMD: our GEMM uses its fused multiply-add build.
      expect(wasmInfo.fma).toBe(true);
      expect(await badge.getAttribute('title')).toContain('threaded build (shared memory)');

      await startFrameClock(page);
      const t0 = Date.now();
      await page.getByTestId('run-play').click();
      // Stated time: within 60 s the curve has 30 points and samples have been drawn.
      await page.waitForFunction(() => window.latentLabRun!.runStore.getState().curves.steps.length >= 30, null, { timeout: 60_000 });
      await page.getByTestId('sample-grid').waitFor({ timeout: 60_000 });
      const firstGrid = await page.getByTestId('sample-grid').getAttribute('data-checksum');
      await page.waitForFunction(
        (c) => document.querySelector('[data-testid=sample-grid]')?.getAttribute('data-checksum') !== c,
        firstGrid,
        { timeout: 60_000 },
      );
      await page.waitForTimeout(3000);
      const frames = await frameP95(page);
      const trained = await runState(page);
      const seconds = (Date.now() - t0) / 1000;
      console.log(
        `[e2e] VAE on ${backend}: ${trained.step} steps in ${seconds.toFixed(1)} s (${trained.stepsPerSec.toFixed(1)} steps/s now), rAF p95 ${frames.p95.toFixed(1)} ms over ${frames.frames} frames (max ${frames.max.toFixed(0)} ms), ${trained.numTensors} tensors`,
      );
      // The readout names each term with its latest value; memory is shown beside the tensor count.
      const readout = (await page.getByTestId('loss-readout').textContent()) ?? '';
      expect(readout).toMatch(/negative ELBO \(reconstruction NLL \+ KL\)\s*[\d.]+/);
      expect(await page.getByTestId('memory').textContent()).toMatch(/\d+ tensors · [\d.]+ (KB|MB|GB)/);
      const elbo = trained.terms.find((t) => /ELBO/i.test(t))!;
      const curve = (await series(page, elbo)).filter(Number.isFinite);
      expect(mean(curve.slice(-5))).toBeLessThan(mean(curve.slice(0, 5)) * 0.8);
      expect(await page.locator('.loss-chart canvas').count()).toBeGreaterThan(0);
      expect(frames.p95).toBeLessThanOrEqual(20);
      await shot(page, 'run-vae-training');

      await page.getByTestId('run-pause').click();
      await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running);
      await page.getByTestId('run-step').waitFor();
      const paused = Number(await page.getByTestId('step-counter').textContent());
      await page.waitForTimeout(500);
      expect(Number(await page.getByTestId('step-counter').textContent())).toBe(paused);
      await page.getByTestId('run-step').click();
      await page.waitForFunction((n) => document.querySelector('[data-testid=step-counter]')?.textContent === String(n + 1), paused, {
        timeout: 30_000,
      });
      await page.waitForFunction((n) => window.latentLabRun!.runStore.getState().storedCheckpoint?.step === n + 1, paused, {
        timeout: 30_000,
      });
      // Let the latent map and other views settle for the screenshot.
      await page.getByTestId('latent-map').waitFor();
      await page.waitForTimeout(1500);
      await shot(page, 'run-vae-paused');
      const box = await page.getByTestId('latent-map').boundingBox();
      await page.getByTestId('latent-map').click({ position: { x: box!.width * 0.4, y: box!.height * 0.5 } });
      await page.getByTestId('latent-map').click({ position: { x: box!.width * 0.7, y: box!.height * 0.3 }, modifiers: ['Shift'] });
      await page.getByTestId('decoded-interpStrip').waitFor({ timeout: 30_000 });
      await page.getByTestId('decoded-traverse').waitFor({ timeout: 30_000 });
      await page.getByTestId('decoded-interpStrip').scrollIntoViewIfNeeded();
      await shot(page, 'run-vae-latent-tools');

      // Reload: the stored checkpoint is offered and resumes where we left off.
      await page.reload();
      await page.getByTestId('tab-run').click();
      await page.getByTestId('resume-checkpoint').click({ timeout: 60_000 });
      await page.waitForFunction((n) => window.latentLabRun!.runStore.getState().step === n + 1, paused, { timeout: 60_000 });
      await page.getByTestId('run-play').click();
      await waitForStep(page, paused + 4, 60_000);
      await page.getByTestId('run-pause').click();
      const after = (await series(page, elbo)).filter(Number.isFinite);
      expect(after.length).toBeGreaterThan(0);
      expect(after.at(-1)!).toBeLessThan(curve[0]);
      await shot(page, 'run-vae-resumed');
      expect(errors.filter((e) => !/Initialization of backend|webgpu|adapter/i.test(e))).toEqual([]);
    } finally {
      await close();
    }
  }, 300_000);

  it('wasm without cross-origin isolation: one thread, and the badge says why', async () => {
    const { context, close } = await launch();
    // Served without COOP/COEP: no SharedArrayBuffer, so neither TF.js's threaded build nor our GEMM pool.
    const plain = await serve(dist, { isolate: false });
    try {
      const page = await context.newPage();
      await openPreset(page, 'vae', undefined, plain.url);
      const info = await page.evaluate(() => ({ isolated: crossOriginIsolated, ...window.latentLabRun!.runStore.getState().backend! }));
      console.log(`[e2e] not isolated: ${info.backend}, ${info.threads} thread(s), note: ${info.note}`);
      expect(info.isolated).toBe(false);
      expect(info).toMatchObject({ backend: 'wasm', threads: 1, sharedMemory: false });
      expect(info.note).toMatch(/^single-threaded: .*not cross-origin isolated/);
      expect(await page.getByTestId('backend-badge').getAttribute('title')).toContain('not cross-origin isolated');
    } finally {
      await plain.close();
      await close();
    }
  }, 300_000);

  it("wasm: if TF.js's threaded build cannot load, it falls back to the single-threaded one and says why", async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      await page.route(/tfjs-backend-wasm-threaded-simd[^/]*\.wasm$/, (route) => route.fulfill({ status: 404, body: '' }));
      const errors = watchErrors(page);
      await openPreset(page, 'vae');
      const info = await page.evaluate(() => window.latentLabRun!.runStore.getState().backend!);
      console.log(`[e2e] threaded build blocked: ${info.backend}, ${info.threads} thread(s), note: ${info.note}`);
      expect(info).toMatchObject({ backend: 'wasm', sharedMemory: false });
      expect(info.note).toMatch(
        /TF\.js's threaded wasm build did not start \(.+\), so TF\.js's own kernels run on its single-threaded build/,
      );
      expect(await page.getByTestId('backend-badge').getAttribute('title')).toContain('threaded wasm build did not start');
      await page.getByTestId('run-step').click();
      await waitForStep(page, 1, 60_000);
      expect(errors.filter((e) => !/Initialization of backend|webgpu|adapter|Failed to load resource/i.test(e))).toEqual([]);
    } finally {
      await close();
    }
  }, 300_000);

  it('WebGL (SwiftShader): trains, then a lost context falls back to wasm and resumes from the checkpoint', async () => {
    const { context, close } = await launch(WEBGL_ARGS);
    try {
      const page = await context.newPage();
      await openPreset(page, 'vae', 'webgl');
      expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe('webgl');
      await page.getByTestId('batch-size').fill('32');
      await page.getByTestId('batch-size').press('Enter');
      const t0 = Date.now();
      await page.getByTestId('run-step').click();
      await waitForStep(page, 1, 120_000);
      await page.getByTestId('run-play').click();
      await waitForStep(page, 4, 120_000);
      const s = await runState(page);
      console.log(
        `[e2e] VAE on webgl (SwiftShader), batch 32: ${s.step} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s (first step compiles shaders)`,
      );
      const ckpt = await page.evaluate(() => window.latentLabRun!.runStore.getState().checkpoint?.step ?? 0);
      await page.evaluate(() => window.latentLabRun!.run.debugFail('contextLost'));
      // The badge changes first; the notice comes once the checkpoint is restored.
      await page.waitForFunction(() => window.latentLabRun!.runStore.getState().notices.some((n) => /webgl failed/.test(n.text)), null, {
        timeout: 60_000,
      });
      expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe('wasm');
      const notices = (await runState(page)).notices.join('\n');
      expect(notices).toMatch(/webgl failed \(WebGL context lost\)\. Switched to wasm and resumed from step \d+/);
      const resumedFrom = Number(/resumed from step (\d+)/.exec(notices)![1]);
      expect(resumedFrom).toBeGreaterThanOrEqual(ckpt);
      await waitForStep(page, resumedFrom + 5, 60_000);
      await page.getByTestId('run-pause').click();
      const tail = (
        await series(
          page,
          (await runState(page)).terms.find((t) => /ELBO/i.test(t))!,
        )
      ).slice(-5);
      expect(tail.every(Number.isFinite)).toBe(true);
      expect(await page.getByTestId('backend-badge').textContent()).toContain('wasm');
      await shot(page, 'run-webgl-fallback');
    } finally {
      await close();
    }
  }, 300_000);

  it('WebGPU (SwiftShader adapter): trains on webgpu with finite losses, and a GPU failure ends on wasm from the checkpoint', async () => {
    const { context, close } = await launch(WEBGPU_ARGS);
    try {
      const page = await context.newPage();
      await openPreset(page, 'vae', 'webgpu');
      expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe('webgpu');
      const t0 = Date.now();
      // The first step compiles the shaders (several seconds on SwiftShader).
      await page.getByTestId('run-step').click();
      await waitForStep(page, 1, 180_000);
      const firstMs = Date.now() - t0;
      // Then play: at least 3 more rounds, all on webgpu, every loss finite.
      const STEPS = 3;
      const t1 = Date.now();
      await page.getByTestId('run-play').click();
      await waitForStep(page, 1 + STEPS, 240_000);
      const playedMs = Date.now() - t1;
      const played = await runState(page);
      await page.getByTestId('run-pause').click();
      await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running, null, { timeout: 120_000 });
      const trained = await page.evaluate(() => {
        const s = window.latentLabRun!.runStore.getState();
        return {
          backend: s.backend?.backend,
          step: s.step,
          steps: s.curves.steps.slice(),
          series: s.curves.series,
          notices: s.notices.map((n) => n.text),
        };
      });
      const rate = ((played.step - 1) * 1000) / playedMs;
      console.log(
        `[e2e] VAE on webgpu (SwiftShader), batch 128: first step ${(firstMs / 1000).toFixed(1)} s (shader compilation), then ${played.step - 1} steps in ${(playedMs / 1000).toFixed(1)} s = ${rate.toFixed(2)} steps/s (${played.stepsPerSec.toFixed(2)} steps/s reported); ${trained.step} steps on ${trained.backend}`,
      );
      expect(trained.backend).toBe('webgpu');
      expect(trained.notices.filter((n) => /webgpu (failed|stopped responding)/.test(n))).toEqual([]);
      expect(trained.step).toBeGreaterThanOrEqual(1 + STEPS);
      expect(trained.steps.length).toBeGreaterThanOrEqual(1 + STEPS);
      for (const [term, values] of Object.entries(trained.series)) {
        expect(values.length, term).toBe(trained.steps.length);
        expect(
          values.every((v) => Number.isFinite(v) && v !== 0),
          term,
        ).toBe(true);
      }
      const elbo = Object.keys(trained.series).find((t) => /ELBO/i.test(t))!;
      // Real losses read back from the GPU (a broken synchronous read gives zeros): a VAE on MNIST starts near 540 nats.
      expect(trained.series[elbo][0]).toBeGreaterThan(100);
      expect(trained.series[elbo].at(-1)!).toBeLessThan(trained.series[elbo][0]);
      // Destroy the device, then step on.
      await page.evaluate(() => window.latentLabRun!.run.debugFail('deviceLost'));
      await page.getByTestId('run-step').click({ timeout: 120_000 });
      await page.waitForFunction(
        () => window.latentLabRun!.runStore.getState().notices.some((n) => /webgpu (failed|stopped responding)/.test(n.text)),
        null,
        { timeout: 150_000 },
      );
      await page.waitForFunction(() => window.latentLabRun!.runStore.getState().backend?.backend === 'wasm', null, { timeout: 60_000 });
      const notice = (await runState(page)).notices.find((n) => /webgpu (failed|stopped responding)/.test(n))!;
      console.log(`[e2e] webgpu fallback: ${notice}`);
      // Paused on webgpu, so the checkpoint it resumes from holds the webgpu-trained weights.
      expect(notice).toMatch(/webgpu failed \(WebGPU device lost.*\)\. Switched to wasm and resumed from step \d+/);
      expect(Number(/resumed from step (\d+)/.exec(notice)![1])).toBe(trained.step);
      const at = (await runState(page)).step;
      await page.getByTestId('run-step').click();
      await waitForStep(page, at + 1, 60_000);
      const last = await page.evaluate(() => Object.values(window.latentLabRun!.runStore.getState().curves.series).map((v) => v.at(-1)));
      expect(last.every((v) => Number.isFinite(v))).toBe(true);
      await page.waitForTimeout(1000);
      await shot(page, 'run-webgpu-fallback');
    } finally {
      await close();
    }
  }, 500_000);

  it('GAN: both losses plotted; a discriminator-only step moves the counter by one', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      await openPreset(page, 'gan');
      await page.getByTestId('run-play').click();
      await page.waitForFunction(() => window.latentLabRun!.runStore.getState().curves.steps.length >= 3, null, { timeout: 120_000 });
      await page.getByTestId('run-pause').click();
      await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running);
      const s = await runState(page);
      expect(s.terms).toEqual(expect.arrayContaining(['optD', 'optG']));
      const before = Number(await page.getByTestId('step-counter').textContent());
      await page.getByTestId('run-step-optD').click();
      await page.waitForFunction((n) => document.querySelector('[data-testid=step-counter]')?.textContent === String(n + 1), before, {
        timeout: 60_000,
      });
      await page.waitForTimeout(1500);
      await shot(page, 'run-gan');
    } finally {
      await close();
    }
  }, 300_000);

  it("CVAE: a click on a dot takes that example's code and class; the latent tools decode for the chosen class", async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      await openPreset(page, 'cvae');
      await page.getByTestId('run-play').click();
      await waitForStep(page, 40, 120_000);
      await page.getByTestId('run-pause').click();
      await page.waitForFunction(() => !!window.latentLabRun!.runStore.getState().latent, null, { timeout: 60_000 });
      const mapEl = page.getByTestId('latent-map');
      await mapEl.scrollIntoViewIfNeeded();
      const box = (await mapEl.boundingBox())!;
      // Where example 0 is drawn: the view pads the points' range by 5% on each side.
      const dot = await page.evaluate(() => {
        const m = window.latentLabRun!.runStore.getState().latent!;
        const xs = Array.from({ length: m.n }, (_, i) => m.points[2 * i]);
        const ys = Array.from({ length: m.n }, (_, i) => m.points[2 * i + 1]);
        const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
        const px = (x1 - x0) * 0.05 + 1e-6;
        const py = (y1 - y0) * 0.05 + 1e-6;
        return { u: (xs[0] - x0 + px) / (x1 - x0 + 2 * px), v: 1 - (ys[0] - y0 + py) / (y1 - y0 + 2 * py), label: m.labels![0] };
      });
      await mapEl.click({ position: { x: dot.u * box.width, y: dot.v * box.height } });
      await expect.poll(() => page.getByTestId('latent-picked').textContent()).toMatch(/^example #\d+: its own code$/);
      const classSelect = page.getByTestId('latent-class');
      const picked = Number(await classSelect.inputValue());
      // A dot within reach of the click: example 0 or a neighbour with its own class, never a forced class 0.
      const labels = await page.evaluate(() => Array.from(window.latentLabRun!.runStore.getState().latent!.labels!));
      const example = Number(/#(\d+)/.exec((await page.getByTestId('latent-picked').textContent())!)![1]);
      expect(picked).toBe(labels[example]);
      await page.getByTestId('decoded-traverse').waitFor({ timeout: 30_000 });
      const before = await page.getByTestId('decoded-traverse').getAttribute('data-checksum');
      await classSelect.selectOption(String((picked + 5) % 10));
      await page.waitForFunction(
        (c) => document.querySelector('[data-testid=decoded-traverse]')?.getAttribute('data-checksum') !== c,
        before,
        { timeout: 30_000 },
      );
      await shot(page, 'run-cvae-latent-class');
    } finally {
      await close();
    }
  }, 300_000);

  it('Train in the toolbar on first load opens the Run tab and trains; Train and Play refuse a graph with errors', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}#preset=ae`);
      const train = page.getByTestId('btn-train');
      await train.waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('tab-run').getAttribute('aria-selected')).toBe('false');
      await train.click();
      expect(await page.getByTestId('tab-run').getAttribute('aria-selected')).toBe('true');
      await waitForStep(page, 3, 120_000);
      await page.getByTestId('btn-pause').click();
      await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running, null, { timeout: 30_000 });
      expect(await page.getByTestId('toolbar-step').textContent()).toMatch(/^step \d+$/);
      // Deleting the Flatten leaves the loss's target unconnected, a compile error: neither button may train the previous model.
      await page.getByTestId('btn-fit').click();
      await page.click('[data-testid="node-flat"] .graph-node-head');
      await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(1);
      await page.keyboard.press('Delete');
      await expect.poll(() => train.isDisabled()).toBe(true);
      expect(await train.getAttribute('title')).toMatch(/^Fix \d+ problems? first/);
      expect(await page.getByTestId('run-play').isDisabled()).toBe(true);
      await shot(page, 'run-toolbar-train');
    } finally {
      await close();
    }
  }, 300_000);

  it('lr and batch set in the run panel are document edits: the inspector and the document carry them, and training follows', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      await openPreset(page, 'vae');
      await page.getByTestId('run-play').click();
      await waitForStep(page, 5, 120_000);
      const lr = page.getByTestId('lr-adam');
      await lr.fill('0.0005');
      await lr.press('Enter');
      const batch = page.getByTestId('batch-size');
      await batch.fill('64');
      await batch.press('Enter');
      const docParams = () =>
        page.evaluate(() => {
          const doc = window.latentLab!.getDocument() as GraphDocument;
          return {
            lr: doc.nodes.find((n) => n.id === 'adam')!.params.learningRate,
            batch: doc.nodes.find((n) => n.id === 'data')!.params.batchSize,
          };
        });
      expect(await docParams()).toEqual({ lr: 0.0005, batch: 64 });
      // The worker follows the document: same weights, new settings, still training, no keep-or-restart question.
      await page.waitForFunction(() => window.latentLabRun!.runStore.getState().info?.batchSize === 64, null, { timeout: 60_000 });
      const info = await page.evaluate(() => window.latentLabRun!.runStore.getState().info!.optimizers[0].learningRate);
      expect(info).toBe(0.0005);
      const at = (await runState(page)).step;
      await waitForStep(page, at + 3, 60_000);
      expect(await page.getByTestId('keep-weights').count()).toBe(0);
      await page.getByTestId('run-pause').click();
      // The inspector shows the same value.
      await page.getByTestId('btn-fit').click();
      await page.click('[data-testid="node-adam"] .graph-node-head');
      expect(await page.locator('#param-input-learningRate').inputValue()).toBe('0.0005');
      // Undo puts the document's value back, and the field follows.
      await page.click('[data-testid="btn-undo"]');
      await page.click('[data-testid="btn-undo"]');
      await expect.poll(() => lr.inputValue()).toBe('0.001');
      await shot(page, 'run-lr-is-document');
    } finally {
      await close();
    }
  }, 300_000);

  it('PixelCNN: the sample view fills in pixel by pixel', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      await openPreset(page, 'pixelcnn');
      await page.getByTestId('run-step').click();
      await waitForStep(page, 1, 120_000);
      await page.getByTestId('samples-refresh').click();
      const progress = page.getByTestId('pixel-progress');
      await progress.waitFor({ timeout: 60_000 });
      const first = Number((await progress.textContent())!.split('/')[0]);
      await page.waitForTimeout(3000);
      const later = Number((await progress.textContent())!.split('/')[0]);
      console.log(`[e2e] PixelCNN sampling: pixel ${first} → ${later} of 784 in 3 s`);
      expect(later).toBeGreaterThan(first);
      await shot(page, 'run-pixelcnn');
    } finally {
      await close();
    }
  }, 300_000);
});
