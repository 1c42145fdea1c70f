/**
 * PixelCNN sampling on the preset's architecture, 16 samples at once: time
 * per pixel of the naive sampler (one whole-image forward pass per pixel)
 * against the cached sampler (each layer at one position per pixel, then one
 * whole-image check), and how many whole-image passes exact fixed-point
 * (Jacobi) sampling needs after a few training steps, all in one run.
 *
 *   npx tsx bench/pixelcnnSampling.ts
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { registry } from '../nodes/index';
import { compile } from '../src/compiler/compile';
import { createBatcher } from '../src/data/batcher';
import { setupBackend } from '../src/runtime/backend';
import { CompiledModel } from '../src/runtime/model';
import { loadPlanData } from '../src/runtime/planData';
import { sampleAutoregressive, type SamplingMethod } from '../src/runtime/sampling';
import { loadPreset } from './compiled';

const SAMPLES = 16;
/** Training steps before fixed-point sampling is timed: its pass count depends on the weights (it needs a model that is sure of its background). */
const TRAIN_STEPS = 30;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runPixelCnnSamplingBench(log: (s: string) => void): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const plan = compile(loadPreset('pixelcnn.json'), registry).plan!;
  const g = plan.modes.generate!;
  const model = new CompiledModel(plan);
  const whole = new CompiledModel({ ...plan, modes: { ...plan.modes, generate: { ...g, rowsAbove: null } } });
  const load = loadavg()[0];

  const sampleMs = async (method: SamplingMethod, m: CompiledModel) => {
    let passes = 0;
    const t = performance.now();
    await sampleAutoregressive(m, { n: SAMPLES, method, onPasses: (p) => (passes = p) });
    return { ms: performance.now() - t, passes };
  };
  // Naive: one whole-image forward per pixel (pixels spread over every row). Rounds alternate
  // with the cached sampler so load from other processes hits both alike.
  const batch = { x: new Float32Array(SAMPLES * 784), size: SAMPLES };
  const naiveTimes: number[] = [];
  const cached: number[] = [];
  whole.pixelOutputs(batch, 0);
  await sampleMs('cached', model);
  for (let round = 0, pixel = 0; round < 3; round++) {
    for (let k = 0; k < 6; k++, pixel = (pixel + 97) % 784) {
      const t = performance.now();
      whole.pixelOutputs(batch, pixel);
      naiveTimes.push(performance.now() - t);
    }
    cached.push((await sampleMs('cached', model)).ms / 784);
  }
  out['pixelcnn.sample_pixel_naive_ms'] = median(naiveTimes);
  out['pixelcnn.sample_pixel_cached_ms'] = median(cached);
  out['pixelcnn.sample_cached_speedup'] = out['pixelcnn.sample_pixel_naive_ms'] / out['pixelcnn.sample_pixel_cached_ms'];
  log(
    `PixelCNN sampling, per pixel of ${SAMPLES} samples: naive whole image ${out['pixelcnn.sample_pixel_naive_ms'].toFixed(1)} ms, ` +
      `cached ${out['pixelcnn.sample_pixel_cached_ms'].toFixed(2)} ms (${out['pixelcnn.sample_cached_speedup'].toFixed(1)}x, goal ≥ 20); ` +
      `a ${SAMPLES}-sample grid takes ${((out['pixelcnn.sample_pixel_cached_ms'] * 784) / 1000).toFixed(1)} s`,
  );

  const data = await loadPlanData(plan);
  const batcher = createBatcher(data, SAMPLES, 1);
  for (let s = 0; s < TRAIN_STEPS; s++) model.trainRound(() => ({ ...batcher.next(), size: SAMPLES }));
  const fixed = await sampleMs('fixedPoint', model);
  const cachedTrained = await sampleMs('cached', model);
  out['pixelcnn.sample_fixed_point_passes'] = fixed.passes;
  out['pixelcnn.sample_pixel_fixed_point_ms'] = fixed.ms / 784;
  out['pixelcnn.sample_fixed_point_speedup'] = out['pixelcnn.sample_pixel_naive_ms'] / out['pixelcnn.sample_pixel_fixed_point_ms'];
  out['pixelcnn.sample_pixel_cached_trained_ms'] = cachedTrained.ms / 784;
  log(
    `after ${TRAIN_STEPS} training steps: fixed-point sampling ${fixed.passes} whole-image passes, ` +
      `${out['pixelcnn.sample_pixel_fixed_point_ms'].toFixed(2)} ms per pixel (${out['pixelcnn.sample_fixed_point_speedup'].toFixed(1)}x naive); ` +
      `cached ${out['pixelcnn.sample_pixel_cached_trained_ms'].toFixed(2)} ms (its check took ${cachedTrained.passes} pass)`,
  );
  out['pixelcnn.sample_load_avg'] = load;
  log(`machine load average at the start: ${load.toFixed(1)}`);
  model.dispose();
  whole.dispose();
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const info = await setupBackend('wasm');
  console.log(`backend: ${info.backend}${info.simd ? '-simd' : ''}x${info.threads}`);
  await runPixelCnnSamplingBench(console.log);
}
