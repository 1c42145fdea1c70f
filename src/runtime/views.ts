/**
 * The session's views of the model: samples, reconstructions, the latent map,
 * decoded latents, KL per dimension, PixelCNN sampling pixel by pixel, node
 * previews, the 2-D playground, a diffusion model's denoising trajectory and the export of the generator as a TF.js LayersModel. Each reads with the fixed
 * preview random stream, so a view never perturbs training.
 */
import { activationView, examplesFor, isLatent } from './activations';
import type { BackendManager } from './backends';
import { diffusionTrajectory } from './diffusion';
import { inputGradient } from './inputGradient';
import { exportLayersModel } from './layersExport';
import type { Batch } from './model';
import { latentPoints } from './pca';
import { frameFor, playground2d } from './playground';
import type { FromWorker } from './protocol';
import { PREVIEW_COUNTER, sampleAutoregressive } from './sampling';
import type { SessionModel, Workspace } from './workspace';
import { oneHotRows } from '../data/batcher';

export class Views {
  /** Bumped by every autoregressive request; an older drawing stops when it sees a newer number. */
  private samplingToken = 0;

  constructor(
    private readonly ws: Workspace,
    private readonly backends: BackendManager,
    private readonly o: { post(msg: FromWorker): void; yieldToQueue(): Promise<void> },
  ) {}

  /** The first n held-out examples from `offset`, with their labels. */
  private testBatch(n: number, offset = 0): Batch & { labels: Uint8Array | null } {
    const ds = this.ws.test ?? this.ws.train!;
    const size = ds.shape.reduce((a, b) => a * b, 1);
    n = Math.min(n, ds.count);
    const x = ds.x.slice(offset * size, (offset + n) * size);
    const labels = ds.labels ? ds.labels.slice(offset, offset + n) : null;
    const oneHot = labels && ds.numClasses > 0 ? oneHotRows(labels, ds.numClasses) : undefined;
    return { x, oneHot, size: n, labels };
  }

  /** A view's values, read through the backend's guard, with the random stream at `counter`. */
  private view<T>(read: (model: SessionModel) => T | Promise<T>, counter = PREVIEW_COUNTER): Promise<T> {
    const model = this.ws.model!;
    return this.backends.guard(() => model.withFixedRandom(counter, () => read(model)));
  }

  async samples(id: number, n: number, label: number | undefined, seed = 0) {
    const { plan } = this.ws.need();
    if (!plan.modes.generate) throw new Error('this graph cannot generate samples');
    if (plan.modes.generate.autoregressive) return this.autoregressive(id, n, label, seed);
    const images = await this.view((m) => m.generate(n, label), PREVIEW_COUNTER + seed * 1000);
    const step = this.ws.step;
    this.o.post({ type: 'samples', id, n, shape: plan.data.shape.slice(), images, step, ...(label !== undefined ? { label } : {}) });
  }

  /**
   * Pixel by pixel, yielding between pixels so the worker stays responsive
   * (pause, play and other views still get through) and the page can draw
   * each pixel as it arrives. A newer request, a reload or a reset cancels it.
   */
  autoregressive(id: number, n: number, label: number | undefined, seed = 0) {
    const { model, plan } = this.ws.need();
    if (!plan.modes.generate?.autoregressive) throw new Error('this graph is not autoregressive');
    const token = ++this.samplingToken;
    const shape = plan.data.shape.slice();
    const total = shape.reduce((a, b) => a * b, 1);
    const cancelled = () => token !== this.samplingToken || this.ws.model !== model;
    // The page waits for the last pixel; tell it none is coming.
    const stop = () => {
      this.o.post({ type: 'cancelled', id });
      return false;
    };
    let last = 0;
    const onPixel = async (index: number, canvas: Float32Array) => {
      if (cancelled()) return stop();
      const now = performance.now();
      const done = index === total - 1;
      if (done || now - last > 50) {
        last = now;
        this.o.post({ type: 'pixels', id, n, shape, index, total, canvas: canvas.slice(), done });
        if (!done) await this.o.yieldToQueue();
      }
      return cancelled() ? stop() : true;
    };
    const guard = <T>(read: () => T | Promise<T>) => this.backends.guard(read);
    // Not awaited: the message queue moves on while the picture fills in.
    void sampleAutoregressive(model, { n, label, seed, onPixel, guard }).catch((e) =>
      this.o.post({ type: 'error', message: e instanceof Error ? e.message : String(e), where: 'autoregressive sampling' }),
    );
  }

  async reconstructions(id: number, n: number) {
    const { plan } = this.ws.need();
    if (!plan.modes.reconstruct) throw new Error('this graph has no reconstruction to show');
    const batch = this.testBatch(n);
    const { outputs, seen } = await this.view((m) => m.reconstruct(batch));
    this.o.post({
      type: 'reconstructions',
      id,
      n: batch.size,
      shape: plan.data.shape.slice(),
      inputs: batch.x,
      outputs,
      seen,
      step: this.ws.step,
    });
  }

  async latentMap(id: number, count: number) {
    const { plan } = this.ws.need();
    const enc = plan.modes.encode;
    if (!enc) throw new Error('this graph has no latent code to map');
    const ds = this.ws.test ?? this.ws.train!;
    const n = Math.min(count, ds.count);
    const dim = enc.latentSize;
    const latents = new Float32Array(n * dim);
    for (let off = 0; off < n; off += 250) {
      const batch = this.testBatch(Math.min(250, n - off), off);
      latents.set(await this.view((m) => m.encode(batch)), off * dim);
    }
    const all = this.testBatch(n);
    const { points, mean, basis, explained } = latentPoints(latents, n, dim);
    this.o.post({
      type: 'latentMap',
      id,
      n,
      dim,
      points,
      labels: all.labels,
      latents,
      mean,
      basis,
      inputs: all.x,
      shape: plan.data.shape.slice(),
      explained,
    });
  }

  async decode(id: number, latents: Float32Array, n: number, label: number | undefined) {
    const { plan } = this.ws.need();
    const images = await this.view((m) => m.decode(latents, n, label));
    this.o.post({ type: 'decoded', id, n, shape: plan.data.shape.slice(), images });
  }

  async klPerDim(id: number) {
    const { plan } = this.ws.need();
    const q = plan.posterior;
    if (!q?.logVar) throw new Error('this graph has no Gaussian sampler, so no per-dimension KL');
    const batch = this.testBatch(256);
    const [mu, lv] = await this.view((m) => m.probe(batch, [q.mean, q.logVar!], 'encode'));
    const dim = mu.data.length / batch.size;
    const perDim = new Float32Array(dim);
    for (let i = 0; i < batch.size; i++)
      for (let d = 0; d < dim; d++) {
        const m = mu.data[i * dim + d];
        const l = lv.data[i * dim + d];
        perDim[d] += 0.5 * (m * m + Math.exp(l) - l - 1);
      }
    for (let d = 0; d < dim; d++) perDim[d] /= batch.size;
    this.o.post({ type: 'kl', id, perDim });
  }

  async preview(id: number, nodeId: string) {
    const { plan } = this.ws.need();
    const flat = plan.byId[nodeId] ?? [...plan.nodes].reverse().find((n) => n.docId === nodeId);
    if (!flat) throw new Error(`node "${nodeId}" has no output to preview`);
    const port = Object.keys(flat.outputShapes)[0];
    if (!port) throw new Error(`node "${nodeId}" has no output to preview`);
    const ref = { node: flat.id, port };
    const batch = this.testBatch(examplesFor(plan, ref));
    const [out] = await this.view((m) => m.probe(batch, [ref], 'train'));
    const view = activationView(out.shape, out.data, isLatent(plan, ref));
    const gradient = await this.view((m) => inputGradient(m, plan, nodeId, batch));
    this.o.post({ type: 'preview', id, nodeId, shape: out.shape, view, n: batch.size, inputGradient: gradient });
  }

  /** The 2-D playground's layers, for graphs whose data are 2-D points (./playground.ts). */
  async points2d(id: number, n: number) {
    const { plan } = this.ws.need();
    const layers = await playground2d(
      (read, counter) => this.view(read, counter),
      plan,
      { train: this.ws.train!, test: this.ws.test ?? this.ws.train! },
      n,
    );
    this.o.post({ type: 'points2d', id, ...layers });
  }

  /**
   * x_t along a DDIM chain of `steps` steps from pure noise to n samples, `frames` of them evenly spaced
   * (fewer when the chain is shorter), from a fixed seed so each refresh follows the same noise.
   */
  async trajectory(id: number, n: number, frames: number, steps: number) {
    const { plan } = this.ws.need();
    if (!plan.diffusion) throw new Error('this graph is not a diffusion model, so it has no denoising trajectory');
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`a trajectory has 1 to 1000 samples, got ${n}`);
    if (!Number.isInteger(frames) || frames < 2 || frames > 200) throw new Error(`a trajectory has 2 to 200 frames, got ${frames}`);
    const started = performance.now();
    const r = await this.view(async (m) => {
      const { t, x } = diffusionTrajectory(m, n, { frames, method: 'ddim', steps });
      return { t, x: await x };
    });
    const ms = performance.now() - started;
    const points = plan.data.kind === 'points';
    const real = points ? this.testBatch(n).x : null;
    this.o.post({
      type: 'trajectory',
      id,
      n,
      shape: plan.data.shape.slice(),
      t: r.t,
      frames: r.x,
      steps,
      T: plan.diffusion.betas.length,
      ms,
      real,
      // Framed on the data and x_T, which every step count shares, so the slider redraws on the same axes.
      bounds: real ? frameFor(real, r.x[0]) : null,
      step: this.ws.step,
    });
  }

  /**
   * The generator as a TF.js LayersModel (./layersExport.ts) with the weights trained so far:
   * model.json and weights.bin, which tf.loadLayersModel opens. A graph with no Keras counterpart throws, naming the node.
   */
  async exportWeights(id: number) {
    const { model, plan } = this.ws.need();
    const { modelJson, weights } = await this.backends.guard(async () =>
      exportLayersModel(plan, await model.saveState(), { backend: this.backends.name, graph: this.ws.doc }),
    );
    this.o.post({ type: 'exported', id, modelJson, weights });
  }
}
