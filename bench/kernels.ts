/**
 * Kernel benchmark: training-step times of three reference models on the
 * `wasm` backend with our kernels, against the shipped wasm kernels, the
 * `cpu` backend and (when installed) PyTorch with 2 threads, all in one run.
 *
 *   npx tsx bench/kernels.ts
 *
 * Models (all trained with Adam — ours with our fused Adam, the baselines with
 * TF.js's — fwd + bwd + update, loss read back each step):
 * - vae:      784-512-20 MLP VAE (relu), Bernoulli likelihood, batch 128
 * - disc:     DCGAN discriminator: conv 1→64 4x4 s2 same, leakyRelu(0.2),
 *             conv 64→128 4x4 s2 same, leakyRelu, flatten, dense→1; batch 64
 * - pixelcnn: 7x7 masked conv (type A) 1→64, relu, 5 residual blocks
 *             x + relu(masked 3x3 conv 64→64 (type B)), 1x1 head → 1 logit;
 *             28x28x1 input, batch PIXELCNN_BATCH (16, not 64: at 64 a cpu
 *             step takes over a minute)
 * Times are medians after warm-up; ratios come from the same run.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg as osLoadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setupBackend } from '../src/runtime/backend';
import {
  fastWasmKernelsRegistered,
  registerFastWasmKernels,
  startFastWasmThreads,
  unregisterFastWasmKernels,
} from '../src/runtime/kernels/index';
import { AdamOptimizer } from '../src/runtime/adam';

export const PIXELCNN_BATCH = 16;
/** cpu conv models run at these batches and are scaled linearly (a full cpu disc step takes ~1 min). */
const CPU_DISC_BATCH = 4;
const CPU_PIXELCNN_BATCH = 1;

/** One training step of a model; returns the loss. Variables live outside. */
export interface BenchModel {
  step: () => number;
  dispose: () => void;
}

function glorot(shape: number[], seed: number): tf.Variable {
  const fanIn = shape.length === 4 ? shape[0] * shape[1] * shape[2] : shape[0];
  const fanOut = shape.length === 4 ? shape[0] * shape[1] * shape[3] : shape[1];
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  return tf.variable(tf.randomUniform(shape, -lim, lim, 'float32', seed));
}

function trainer(vars: tf.Variable[], lossFn: () => tf.Scalar): BenchModel {
  // Ours = our kernels + our fused Adam (what the runtime trains with); the
  // baselines run TF.js's own Adam.
  const ours = tf.getBackend() === 'wasm' && fastWasmKernelsRegistered();
  const opt = ours ? new AdamOptimizer(1e-3) : tf.train.adam(1e-3);
  return {
    step: () => {
      const loss = tf.tidy(() => opt.minimize(lossFn, true, vars)!);
      const v = loss.dataSync()[0];
      loss.dispose();
      return v;
    },
    dispose: () => {
      opt.dispose();
      tf.dispose(vars);
    },
  };
}

export function makeVae(batch = 128): BenchModel {
  const W1 = glorot([784, 512], 1),
    b1 = tf.variable(tf.zeros([512]));
  const Wm = glorot([512, 20], 2),
    bm = tf.variable(tf.zeros([20]));
  const Wv = glorot([512, 20], 3),
    bv = tf.variable(tf.zeros([20]));
  const W3 = glorot([20, 512], 4),
    b3 = tf.variable(tf.zeros([512]));
  const W4 = glorot([512, 784], 5),
    b4 = tf.variable(tf.zeros([784]));
  const x = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([batch, 784], 0, 1, 'float32', 6), 0.7), 'float32'));
  let s = 0;
  const m = trainer([W1, b1, Wm, bm, Wv, bv, W3, b3, W4, b4], () => {
    const h = tf.relu(tf.add(tf.matMul(x, W1), b1));
    const mu = tf.add(tf.matMul(h, Wm), bm);
    const logvar = tf.add(tf.matMul(h, Wv), bv);
    const eps = tf.randomNormal([batch, 20], 0, 1, 'float32', ++s);
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps));
    const h2 = tf.relu(tf.add(tf.matMul(z, W3), b3));
    const logits = tf.add(tf.matMul(h2, W4), b4);
    // Bernoulli NLL with logits: softplus(l) - x·l
    const rec = tf.sum(tf.sub(tf.softplus(logits), tf.mul(x, logits)));
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), tf.exp(logvar))));
    return tf.div(tf.add(rec, kl), batch) as tf.Scalar;
  });
  return {
    step: m.step,
    dispose: () => {
      m.dispose();
      x.dispose();
    },
  };
}

export function makeDisc(batch = 64): BenchModel {
  const W1 = glorot([4, 4, 1, 64], 11),
    b1 = tf.variable(tf.zeros([64]));
  const W2 = glorot([4, 4, 64, 128], 12),
    b2 = tf.variable(tf.zeros([128]));
  const W3 = glorot([7 * 7 * 128, 1], 13),
    b3 = tf.variable(tf.zeros([1]));
  const x = tf.randomUniform([batch, 28, 28, 1], -1, 1, 'float32', 14);
  const y = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([batch, 1], 0, 1, 'float32', 15), 0.5), 'float32'));
  const m = trainer([W1, b1, W2, b2, W3, b3], () => {
    const h1 = tf.leakyRelu(tf.add(tf.conv2d(x as tf.Tensor4D, W1 as tf.Tensor4D, 2, 'same'), b1), 0.2);
    const h2 = tf.leakyRelu(tf.add(tf.conv2d(h1 as tf.Tensor4D, W2 as tf.Tensor4D, 2, 'same'), b2), 0.2);
    const logits = tf.add(tf.matMul(tf.reshape(h2, [batch, 7 * 7 * 128]), W3), b3);
    return tf.losses.sigmoidCrossEntropy(y, logits) as tf.Scalar;
  });
  return {
    step: m.step,
    dispose: () => {
      m.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** PixelCNN mask for a [k, k, cin, cout] filter; type 'A' also hides the centre. */
export function pixelMask(k: number, cin: number, cout: number, type: 'A' | 'B'): tf.Tensor4D {
  const m = new Float32Array(k * k * cin * cout);
  const c = k >> 1;
  for (let ky = 0; ky < k; ky++)
    for (let kx = 0; kx < k; kx++) {
      const on = ky < c || (ky === c && (kx < c || (kx === c && type === 'B')));
      if (on) m.fill(1, (ky * k + kx) * cin * cout, (ky * k + kx + 1) * cin * cout);
    }
  return tf.tensor4d(m, [k, k, cin, cout]);
}

export function makePixelCnn(batch = PIXELCNN_BATCH, ch = 64, blocks = 5): BenchModel {
  const W0 = glorot([7, 7, 1, ch], 21),
    b0 = tf.variable(tf.zeros([ch]));
  const mA = pixelMask(7, 1, ch, 'A');
  const mB = pixelMask(3, ch, ch, 'B');
  const Ws = Array.from({ length: blocks }, (_, i) => glorot([3, 3, ch, ch], 22 + i));
  const bs = Array.from({ length: blocks }, () => tf.variable(tf.zeros([ch])));
  const Wh = glorot([1, 1, ch, 1], 40),
    bh = tf.variable(tf.zeros([1]));
  const x = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 41), 0.7), 'float32'));
  const m = trainer([W0, b0, ...Ws, ...bs, Wh, bh], () => {
    let h = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, tf.mul(W0, mA) as tf.Tensor4D, 1, 'same'), b0));
    for (let i = 0; i < blocks; i++) {
      h = tf.add(h, tf.relu(tf.add(tf.conv2d(h as tf.Tensor4D, tf.mul(Ws[i], mB) as tf.Tensor4D, 1, 'same'), bs[i])));
    }
    const logits = tf.add(tf.conv2d(h as tf.Tensor4D, Wh as tf.Tensor4D, 1, 'same'), bh);
    return tf.losses.sigmoidCrossEntropy(x, logits) as tf.Scalar;
  });
  return {
    step: m.step,
    dispose: () => {
      m.dispose();
      tf.dispose([x, mA, mB]);
    },
  };
}

/** Median process CPU time (ms) of the last medianMs call: robust to other load on the machine for single-threaded work. */
export let lastCpuMedianMs = NaN;

/** Median wall-clock ms of `reps` calls after `warm` warm-up calls. */
export function medianMs(f: () => unknown, warm: number, reps: number): number {
  for (let i = 0; i < warm; i++) f();
  const ts: number[] = [];
  const cs: number[] = [];
  const hasCpu = typeof process !== 'undefined' && typeof process.cpuUsage === 'function';
  for (let i = 0; i < reps; i++) {
    const c0 = hasCpu ? process.cpuUsage() : null;
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
    if (c0) {
      const c = process.cpuUsage(c0);
      cs.push((c.user + c.system) / 1000);
    }
  }
  ts.sort((a, b) => a - b);
  cs.sort((a, b) => a - b);
  lastCpuMedianMs = cs.length ? cs[cs.length >> 1] : NaN;
  return ts[ts.length >> 1];
}

function timeModel(make: () => BenchModel, warm: number, reps: number): number {
  const m = make();
  try {
    return medianMs(m.step, warm, reps);
  } finally {
    m.dispose();
  }
}

/**
 * Where one training step's time goes, kernel by kernel, most first: wasm runs
 * each kernel synchronously, so the wall time TF.js's profiler takes around
 * it is the kernel's own. What the kernels do not add up to is JS overhead.
 */
export async function kernelBreakdown(make: () => BenchModel, warm: number): Promise<{ total: number; kernels: [string, number][] }> {
  const m = make();
  try {
    for (let i = 0; i < warm; i++) m.step();
    const start = performance.now();
    const profile = await tf.profile(() => void m.step());
    const total = performance.now() - start;
    const by = new Map<string, number>();
    for (const k of profile.kernels) by.set(k.name, (by.get(k.name) ?? 0) + Number(k.kernelTimeMs));
    return { total, kernels: [...by].sort((a, b) => b[1] - a[1]) };
  } finally {
    m.dispose();
  }
}

function matmulGflops(n = 1024): number {
  const a = tf.randomNormal([n, n]),
    b = tf.randomNormal([n, n]);
  // (not inside tf.tidy: tidy walks a returned typed array element by element)
  const ms = medianMs(
    () => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    },
    3,
    9,
  );
  tf.dispose([a, b]);
  return (2 * n ** 3) / ms / 1e6;
}

/** FLOPs (multiply-add = 2) of one VAE step, forward + backward (no dx for the input layer). */
export const VAE_FLOPS = (() => {
  const B = 128,
    mm = (k: number, n: number) => 2 * B * k * n;
  const fwd = mm(784, 512) + 2 * mm(512, 20) + mm(20, 512) + mm(512, 784);
  return 3 * fwd - mm(784, 512);
})();

/** Below this a PyTorch 1024² matmul on 2 threads is not running on an optimised BLAS. */
const TORCH_FAIR_MATMUL_GFLOPS = 50;

interface TorchResult {
  vae_ms: number;
  disc_ms: number;
  pixelcnn_ms: number;
  matmul_gflops: number;
  threads: number;
}

function runTorch(): TorchResult | string {
  const py = '/usr/bin/python3';
  const script = fileURLToPath(new URL('./torch_ref.py', import.meta.url));
  try {
    execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    return 'skipped PyTorch: `/usr/bin/python3 -c "import torch"` failed';
  }
  if (!existsSync(script)) return 'skipped PyTorch: bench/torch_ref.py missing';
  try {
    // PyTorch's times swing by 2x between runs on this VM: keep its best of three, per model.
    const runs = Array.from(
      { length: 3 },
      () =>
        JSON.parse(
          execFileSync(py, [script, String(PIXELCNN_BATCH)], { encoding: 'utf8', timeout: 600_000 })
            .trim()
            .split('\n')
            .pop()!,
        ) as TorchResult,
    );
    return {
      vae_ms: Math.min(...runs.map((r) => r.vae_ms)),
      disc_ms: Math.min(...runs.map((r) => r.disc_ms)),
      pixelcnn_ms: Math.min(...runs.map((r) => r.pixelcnn_ms)),
      matmul_gflops: Math.max(...runs.map((r) => r.matmul_gflops)),
      threads: runs[0].threads,
    };
  } catch (e) {
    return `skipped PyTorch: torch_ref.py failed (${(e as Error).message.split('\n')[0]})`;
  }
}

function loadavg(): string {
  return osLoadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
}

export async function runKernelBench(): Promise<Record<string, number>> {
  const r: Record<string, number> = {};
  const info = await setupBackend('wasm');
  console.log(`wasm backend: threads=${info.threads} simd=${info.simd} fma=${info.fma}${info.note ? ` (${info.note})` : ''}`);

  // Shipped wasm kernels vs ours, VAE, interleaved so machine load hits both.
  const shipped: number[] = [],
    ours: number[] = [],
    oursCpu: number[] = [];
  for (let round = 0; round < 2; round++) {
    unregisterFastWasmKernels();
    shipped.push(timeModel(() => makeVae(), 2, 5));
    registerFastWasmKernels();
    ours.push(timeModel(() => makeVae(), 3, 11));
    oursCpu.push(lastCpuMedianMs);
  }
  r['kernels.vae_shipped_ms'] = Math.min(...shipped);
  r['kernels.vae_ms'] = Math.min(...ours);
  r['kernels.vae_cputime_ms'] = Math.min(...oursCpu);
  r['kernels.vae_speedup_vs_shipped'] = r['kernels.vae_shipped_ms'] / r['kernels.vae_ms'];
  r['kernels.vae_gflops'] = VAE_FLOPS / r['kernels.vae_ms'] / 1e6;
  r['kernels.matmul1024_gflops'] = matmulGflops();
  r['kernels.vae_gflops_fraction_of_matmul'] = r['kernels.vae_gflops'] / r['kernels.matmul1024_gflops'];

  // Shipped wasm cannot train the disc (no Conv2DBackpropFilter): record that.
  unregisterFastWasmKernels();
  try {
    timeModel(() => makeDisc(), 0, 1);
    r['kernels.disc_shipped_fails'] = 0;
  } catch {
    r['kernels.disc_shipped_fails'] = 1;
  }
  registerFastWasmKernels();

  r['kernels.disc_ms'] = timeModel(() => makeDisc(), 3, 11);
  r['kernels.disc_cputime_ms'] = lastCpuMedianMs;
  r['kernels.pixelcnn_ms'] = timeModel(() => makePixelCnn(), 2, 7);
  r['kernels.pixelcnn_cputime_ms'] = lastCpuMedianMs;
  r['kernels.pixelcnn_batch'] = PIXELCNN_BATCH;
  r['kernels.threads'] = info.threads;

  for (const [name, make] of [
    ['disc', () => makeDisc()],
    ['pixelcnn', () => makePixelCnn()],
  ] as const) {
    const { total, kernels } = await kernelBreakdown(make, 2);
    const inKernels = kernels.reduce((a, [, ms]) => a + ms, 0);
    console.log(
      `\n${name} step, kernel by kernel (one profiled step, ${total.toFixed(0)} ms; ${(total - inKernels).toFixed(0)} ms outside kernels):`,
    );
    for (const [kernel, ms] of kernels.slice(0, 10)) {
      r[`kernels.${name}_kernel_${kernel}_ms`] = ms;
      console.log(`  ${kernel.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms  ${((100 * ms) / total).toFixed(0).padStart(3)} %`);
    }
    r[`kernels.${name}_outside_kernels_ms`] = total - inKernels;
  }

  // The same three on one thread: what the thread pool adds.
  if (info.threads > 1) {
    await startFastWasmThreads(1);
    r['kernels.vae_1thread_ms'] = timeModel(() => makeVae(), 3, 11);
    r['kernels.disc_1thread_ms'] = timeModel(() => makeDisc(), 3, 11);
    r['kernels.pixelcnn_1thread_ms'] = timeModel(() => makePixelCnn(), 2, 7);
    await startFastWasmThreads(info.threads);
  }

  // The cpu backend is 100-1000x slower; conv models are timed at a reduced
  // batch and scaled linearly to the full batch (conv/matmul cost is linear in it).
  await setupBackend('cpu');
  r['kernels.cpu_vae_ms'] = timeModel(() => makeVae(), 1, 3);
  r['kernels.cpu_disc_ms'] = timeModel(() => makeDisc(CPU_DISC_BATCH), 1, 1) * (64 / CPU_DISC_BATCH);
  r['kernels.cpu_pixelcnn_ms'] = timeModel(() => makePixelCnn(CPU_PIXELCNN_BATCH), 0, 1) * (PIXELCNN_BATCH / CPU_PIXELCNN_BATCH);
  r['kernels.vae_speedup_vs_cpu'] = r['kernels.cpu_vae_ms'] / r['kernels.vae_ms'];
  r['kernels.disc_speedup_vs_cpu'] = r['kernels.cpu_disc_ms'] / r['kernels.disc_ms'];
  r['kernels.pixelcnn_speedup_vs_cpu'] = r['kernels.cpu_pixelcnn_ms'] / r['kernels.pixelcnn_ms'];
  await setupBackend('wasm');

  const torch = runTorch();
  const f = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  const one = (key: string) => (r[key] === undefined ? '-' : f(r[key]));
  console.log(`\nstep times (ms, median)        shipped wasm   ours ×${info.threads}`.padEnd(61) + 'ours ×1    cpu        PyTorch 2 thr');
  const row = (name: string, sh: string, o: number, o1: string, c: number, t: number | undefined) =>
    console.log(`${name.padEnd(31)}${sh.padEnd(15)}${f(o).padEnd(15)}${o1.padEnd(11)}${f(c).padEnd(11)}${t === undefined ? '-' : f(t)}`);
  const tr = typeof torch === 'string' ? undefined : torch;
  row(
    'VAE (batch 128)',
    f(r['kernels.vae_shipped_ms']),
    r['kernels.vae_ms'],
    one('kernels.vae_1thread_ms'),
    r['kernels.cpu_vae_ms'],
    tr?.vae_ms,
  );
  row(
    'DCGAN disc (batch 64)',
    r['kernels.disc_shipped_fails'] ? 'fails' : '?',
    r['kernels.disc_ms'],
    one('kernels.disc_1thread_ms'),
    r['kernels.cpu_disc_ms'],
    tr?.disc_ms,
  );
  row(
    `PixelCNN-ish (batch ${PIXELCNN_BATCH})`,
    '-',
    r['kernels.pixelcnn_ms'],
    one('kernels.pixelcnn_1thread_ms'),
    r['kernels.cpu_pixelcnn_ms'],
    tr?.pixelcnn_ms,
  );
  console.log(
    `ours, process CPU time (ms; unaffected by other load): VAE ${f(r['kernels.vae_cputime_ms'])}, ` +
      `disc ${f(r['kernels.disc_cputime_ms'])}, PixelCNN ${f(r['kernels.pixelcnn_cputime_ms'])}; machine load ${loadavg()}`,
  );
  console.log(`\nVAE speed-up vs shipped wasm: ${r['kernels.vae_speedup_vs_shipped'].toFixed(1)}x (goal ≥ 6x)`);
  console.log(
    `VAE step: ${r['kernels.vae_gflops'].toFixed(1)} GFLOP/s vs 1024² matmul ${r['kernels.matmul1024_gflops'].toFixed(1)} GFLOP/s ` +
      `(${(100 * r['kernels.vae_gflops_fraction_of_matmul']).toFixed(0)}%)`,
  );
  console.log(`(cpu disc / PixelCNN timed at batch ${CPU_DISC_BATCH} / ${CPU_PIXELCNN_BATCH} and scaled linearly)`);
  console.log(
    `speed-up vs cpu backend: VAE ${r['kernels.vae_speedup_vs_cpu'].toFixed(0)}x, disc ${r['kernels.disc_speedup_vs_cpu'].toFixed(0)}x, ` +
      `PixelCNN ${r['kernels.pixelcnn_speedup_vs_cpu'].toFixed(0)}x`,
  );
  if (tr) {
    r['kernels.torch_vae_ms'] = tr.vae_ms;
    r['kernels.torch_disc_ms'] = tr.disc_ms;
    r['kernels.torch_pixelcnn_ms'] = tr.pixelcnn_ms;
    r['kernels.torch_matmul1024_gflops'] = tr.matmul_gflops;
    r['kernels.vae_ratio_vs_torch'] = r['kernels.vae_ms'] / tr.vae_ms;
    r['kernels.disc_ratio_vs_torch'] = r['kernels.disc_ms'] / tr.disc_ms;
    r['kernels.pixelcnn_ratio_vs_torch'] = r['kernels.pixelcnn_ms'] / tr.pixelcnn_ms;
    console.log(
      `vs PyTorch (${tr.threads} threads, best of 3 runs; matmul ${tr.matmul_gflops.toFixed(0)} GFLOP/s): ` +
        `VAE ${r['kernels.vae_ratio_vs_torch'].toFixed(1)}x slower (goal ≤ 3x), ` +
        `disc ${r['kernels.disc_ratio_vs_torch'].toFixed(1)}x (goal ≤ 2.6x), PixelCNN ${r['kernels.pixelcnn_ratio_vs_torch'].toFixed(1)}x (goal ≤ 3x)`,
    );
    // Debian's torch takes its matrix products from whichever libblas.so.3 is installed; the reference
    // one (libblas3) runs a 1024² matmul at ≈ 6 GFLOP/s against ≈ 200 with OpenBLAS, which makes every
    // dense layer 10x slower and the comparison meaningless. Its convolutions use oneDNN either way.
    if (tr.matmul_gflops < TORCH_FAIR_MATMUL_GFLOPS)
      console.log(
        `warning: PyTorch's matmul runs at ${tr.matmul_gflops.toFixed(0)} GFLOP/s, the reference BLAS; ` +
          'apt-get install -y libopenblas0-pthread for a fair baseline (the VAE ratio above is not one)',
      );
  } else {
    console.log(torch);
  }
  return r;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runKernelBench().then(
    (r) => console.log(JSON.stringify(r)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
