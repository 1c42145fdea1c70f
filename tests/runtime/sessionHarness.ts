/** Drives a TrainingSession in Node (no Worker) on wasm with cpu behind it, recording every message it posts. */
import { readFileSync } from 'node:fs';
import { registry } from '../../nodes/index';
import type { GraphDocument } from '../../src/graph/document';
import { loadDocumentText } from '../../src/graph/load';
import type { FromWorker, FromWorkerOf } from '../../src/runtime/protocol';
import { memoryStore, TrainingSession } from '../../src/runtime/session';

export function preset(name: string): GraphDocument {
  const r = loadDocumentText(readFileSync(new URL(`../../presets/${name}.json`, import.meta.url), 'utf8'), name, registry);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}

export function sessionHarness(opts: { checkpointEvery?: number } = {}) {
  const events: FromWorker[] = [];
  const store = memoryStore();
  const session = new TrainingSession({
    post: (m) => events.push(m),
    store,
    available: ['wasm', 'cpu'],
    checkpointEvery: opts.checkpointEvery ?? 50,
    metricsIntervalMs: 0,
  });
  const of = <T extends FromWorker['type']>(type: T) => events.filter((e): e is FromWorkerOf<T> => e.type === type);
  const errors = () => of('error');
  const waitFor = async (pred: () => boolean, ms = 60_000) => {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > ms) throw new Error(`timed out; errors: ${JSON.stringify(errors())}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  /** Loss points reported in metrics messages from event index `from` on. */
  const points = (from = 0) =>
    events
      .slice(from)
      .filter((e): e is FromWorkerOf<'metrics'> => e.type === 'metrics')
      .flatMap((m) => m.points);
  const losses = (term: string) => points().map((p) => p.losses[term]);
  return { session, events, store, of, errors, waitFor, points, losses };
}
