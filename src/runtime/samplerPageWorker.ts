/**
 * The editor's "Export sampler page": a short-lived Web Worker of its own that
 * turns a graph and its weights into the one-file HTML `latent-lab export --to
 * sampler-page` writes. It holds TF.js's minified bundle as text (inlined into
 * the page), so that 1.5 MB is fetched only when a page is asked for, never with
 * the editor. The page starts it with
 *   new Worker(new URL('../../runtime/samplerPageWorker.ts', import.meta.url), { type: 'module' })
 * posts one SamplerPageRequest and gets one SamplerPageReply.
 */
import tfjsBundle from '@tensorflow/tfjs/dist/tf.min.js?raw';
import { registry } from '../../nodes/index';
import type { GraphDocument } from '../graph/document';
import { samplerPageHtml } from '../export/samplerPage';
import { setupBackend } from './backend';
import { exportLayersModel, LayersExportError } from './layersExport';
import { CompiledModel } from './model';
import { compileWithData } from './planData';
import type { ModelState } from './weights';

export interface SamplerPageRequest {
  doc: GraphDocument;
  /** The trained weights; null: the graph's initial ones. */
  state: ModelState | null;
}

export type SamplerPageReply =
  | { ok: true; html: string; step: number }
  /** nodeId: the node that stops the export (null: the graph as a whole). */
  | { ok: false; message: string; nodeId: string | null };

declare const self: DedicatedWorkerGlobalScope;

async function page({ doc, state }: SamplerPageRequest): Promise<SamplerPageReply> {
  // With its data read, as the CLI compiles it: the page names the classes as the data set does.
  const { result } = await compileWithData(doc, registry);
  const plan = result.plan;
  if (!plan) {
    const first = result.errors.find((e) => e.severity === 'error');
    return {
      ok: false,
      message: `the graph does not compile (${first?.message ?? 'see the Problems tab'})`,
      nodeId: first?.nodeId ?? null,
    };
  }
  // Nothing here computes but an untrained model's initial weights: the plain cpu backend needs no assets.
  await setupBackend('cpu');
  let weights = state;
  if (!weights) {
    const model = new CompiledModel(plan);
    weights = await model.saveState();
    model.dispose();
  }
  try {
    const exported = await exportLayersModel(plan, weights, { generatedFrom: doc.meta.title });
    const bytes = new Uint8Array(exported.weights);
    let binary = '';
    // In slices: String.fromCharCode takes its bytes as arguments, and a model's weights outnumber the argument limit.
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const html = samplerPageHtml({
      title: doc.meta.title || 'Latent Lab model',
      modelJson: exported.modelJson,
      weightsBase64: btoa(binary),
      tfjs: tfjsBundle,
    });
    return { ok: true, html, step: exported.info.step };
  } catch (e) {
    if (e instanceof LayersExportError) return { ok: false, message: e.message, nodeId: e.nodeId };
    throw e;
  }
}

self.onmessage = (e: MessageEvent<SamplerPageRequest>) => {
  page(e.data).then(
    (reply) => self.postMessage(reply),
    (e: unknown) =>
      self.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e), nodeId: null } satisfies SamplerPageReply),
  );
};
