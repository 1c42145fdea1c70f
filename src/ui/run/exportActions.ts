/**
 * The run panel's exports, the same files `latent-lab export` writes: the
 * generator as a TF.js LayersModel (the training worker builds it), a PyTorch
 * project zipped (src/export, pure, run here), a sampler page (a worker of its
 * own, which holds TF.js's bundle), and the current run's bundle. Each carries
 * the model's weights when the worker holds a model of this very graph. What
 * happened, or which node stopped the export, is one notice (exportStore).
 */
import { strToU8, zipSync } from 'fflate';
import { createStore, useStore } from 'zustand';
import type { Plan } from '../../compiler/plan';
import type { GraphDocument } from '../../graph/document';
import type { StoredCheckpoint } from '../../runtime/protocol';
import type { SamplerPageReply, SamplerPageRequest } from '../../runtime/samplerPageWorker';
import { fromStoredCheckpoint } from '../../runs/checkpoint';
import { editorStore } from '../../store';
import { compileDocument } from '../../store/compiled';
import { historyStore } from './historyStore';
import { downloadBundle } from './runBundles';
import { download, run, runStore } from './runStore';

export type ExportKind = 'tfjs' | 'pytorch' | 'samplerPage' | 'bundle';

export interface ExportNotice {
  kind: 'info' | 'error';
  text: string;
  /** The node that stopped the export, for "Show node". */
  nodeId: string | null;
}

export interface ExportState {
  /** The export under way; the menu waits for it. */
  busy: ExportKind | null;
  notice: ExportNotice | null;
}

export const exportStore = createStore<ExportState>(() => ({ busy: null, notice: null }));

export function useExport<T>(selector: (s: ExportState) => T): T {
  return useStore(exportStore, selector);
}

export function dismissExportNotice() {
  exportStore.setState({ notice: null });
}

const notify = (kind: ExportNotice['kind'], text: string, nodeId: string | null = null) =>
  exportStore.setState({ notice: { kind, text, nodeId } });

export const fileSlug = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'model';

/** The editor's graph compiled as the page sees its data, or a notice saying what to fix. */
function compiledGraph(what: string): { doc: GraphDocument; plan: Plan } | null {
  const doc = editorStore.getState().doc;
  const result = compileDocument(doc);
  if (result.plan) return { doc, plan: result.plan };
  const errors = result.errors.filter((e) => e.severity === 'error');
  notify(
    'error',
    `Cannot export ${what}: the graph has ${errors.length === 1 ? 'a problem' : `${errors.length} problems`} (see the Problems tab). Fix ${errors.length === 1 ? 'it' : 'them'} first.`,
    errors[0]?.nodeId ?? null,
  );
  return null;
}

/**
 * The worker's model when it is this graph's (the same model key), or null with why not: no model
 * yet, a model of an earlier version of the graph, or one that diverged.
 */
async function weightsOf(plan: Plan): Promise<{ checkpoint: StoredCheckpoint | null; why: string }> {
  if (!runStore.getState().info) return { checkpoint: null, why: 'no model is loaded' };
  const reply = await run.exportCheckpoint();
  if (!reply.checkpoint) return { checkpoint: null, why: reply.unavailable ?? 'the worker has no model' };
  if (reply.checkpoint.docKey !== plan.modelKey)
    return { checkpoint: null, why: 'the model in training is of an earlier version of this graph' };
  return { checkpoint: reply.checkpoint, why: '' };
}

async function busyWith(kind: ExportKind, work: () => Promise<void>) {
  if (exportStore.getState().busy) return;
  exportStore.setState({ busy: kind, notice: null });
  try {
    await work();
  } catch (e) {
    // A bug, not a refusal (those are notices already): say it in a sentence, never as a stack.
    notify('error', `The export failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    exportStore.setState({ busy: null });
  }
}

/** model.py, losses.py, train.py, … (and weights/ with the model's checkpoint) in one .zip, as `export --to pytorch [--weights]` writes them. */
export function exportPytorchZip(): Promise<void> {
  return busyWith('pytorch', async () => {
    const graph = compiledGraph('a PyTorch project');
    if (!graph) return;
    const [{ exportPytorch }, { ExportError }] = await Promise.all([import('../../export/pytorch'), import('../../export/errors')]);
    const { checkpoint, why } = await weightsOf(graph.plan);
    const encoded = checkpoint ? fromStoredCheckpoint(checkpoint) : null;
    let files;
    try {
      files = exportPytorch(
        graph.plan,
        graph.doc,
        encoded
          ? {
              checkpointJson: JSON.stringify(encoded.meta, null, 1),
              weightsBin: new Uint8Array(encoded.weights.buffer, encoded.weights.byteOffset, encoded.weights.byteLength),
              step: encoded.meta.step,
            }
          : undefined,
      ).files;
    } catch (e) {
      if (!(e instanceof ExportError)) throw e;
      notify('error', `Cannot export a PyTorch project: ${e.message}.`, e.nodeId);
      return;
    }
    const zip = zipSync(Object.fromEntries(Object.entries(files).map(([path, c]) => [path, typeof c === 'string' ? strToU8(c) : c])));
    const name = `${fileSlug(graph.doc.meta.title)}-pytorch.zip`;
    download(name, new Blob([zip as BlobPart], { type: 'application/zip' }));
    notify(
      'info',
      `Downloaded ${name} (${Object.keys(files).length} files, ${encoded ? `with the weights of step ${encoded.meta.step}` : `without weights: ${why}`}). Unzip it and run: python train.py --data <MNIST IDX folder> --steps N --out <run folder>; README.md says more.`,
    );
  });
}

function samplerPageInWorker(request: SamplerPageRequest): Promise<SamplerPageReply> {
  const worker = new Worker(new URL('../../runtime/samplerPageWorker.ts', import.meta.url), { type: 'module' });
  return new Promise<SamplerPageReply>((resolve) => {
    worker.onmessage = (e: MessageEvent<SamplerPageReply>) => resolve(e.data);
    worker.onerror = (e) => resolve({ ok: false, message: `its worker failed (${e.message || 'no reason given'})`, nodeId: null });
    worker.postMessage(request);
  }).finally(() => worker.terminate());
}

/** One HTML file with TF.js and the generator inline, drawing samples offline, as `export --to sampler-page` writes it. */
export function exportSamplerPage(): Promise<void> {
  return busyWith('samplerPage', async () => {
    const graph = compiledGraph('a sampler page');
    if (!graph) return;
    const { checkpoint, why } = await weightsOf(graph.plan);
    const reply = await samplerPageInWorker({ doc: graph.doc, state: checkpoint?.state ?? null });
    if (!reply.ok) {
      notify('error', `Cannot export a sampler page: ${reply.message}.`, reply.nodeId);
      return;
    }
    const name = `${fileSlug(graph.doc.meta.title)}-samples.html`;
    download(name, new Blob([reply.html], { type: 'text/html' }));
    notify(
      'info',
      `Downloaded ${name}, ${checkpoint ? `with the weights of step ${reply.step}` : `with the initial, untrained weights (${why})`}: open it in any browser to draw samples, offline.`,
    );
  });
}

/** The generator as model.json + weights.bin; the training worker builds it and a refusal arrives as a run notice. */
export function exportTfjs() {
  run.exportWeights();
}

/** The run the worker's model is, if the history holds it. */
export function activeRun() {
  const { activeRunId, runs } = historyStore.getState();
  return runs.find((r) => r.id === activeRunId) ?? null;
}

/** The current run's bundle, the same .zip its row in "Runs of this graph" downloads. */
export function exportBundle(): Promise<void> {
  return busyWith('bundle', async () => {
    const r = activeRun();
    if (r) await downloadBundle(r);
  });
}
