/**
 * Issue 11 §6: FLD + precision/recall + NDB on 10,000 samples within 30 s on
 * the 2-core box (wasm). Real training digits stand in for the samples so the
 * timing does not depend on a trained model; the classifier's passes are
 * timed apart from the metrics.
 */
import { registry } from '../nodes/index';
import { compile } from '../src/compiler/compile';
import type { GraphDocument } from '../src/graph/document';
import { loadEmbeddedMnist } from '../src/data/mnist';
import { loadClassifier } from '../src/runtime/classifier';
import { measureSamples } from '../src/runtime/sampleQuality';
import { fixtureGenerator } from '../tests/runtime/fixtureGenerator';
import vae from '../presets/vae.json';

export async function runSampleMetricsBench(log: (s: string) => void): Promise<Record<string, number>> {
  const train = await loadEmbeddedMnist({ split: 'train' });
  // The embedded set has 9,000 training digits: two copies of it make a 10,000-digit "test" split.
  const x = new Float32Array(20_000 * 784);
  x.set(train.x.subarray(0, 9000 * 784));
  x.set(train.x.subarray(0, 9000 * 784), 9000 * 784);
  x.set(train.x.subarray(0, 2000 * 784), 18_000 * 784);
  const test = { ...train, x: x.subarray(0, 10_000 * 784), count: 10_000, labels: undefined };
  const big = { ...train, x: x.subarray(10_000 * 784), count: 10_000, labels: undefined };
  const plan = compile(vae as unknown as GraphDocument, registry).plan!;
  const classifier = await loadClassifier();
  const marks: Record<string, number> = {};
  const t0 = performance.now();
  await measureSamples({
    model: fixtureGenerator(plan, big.x, 784),
    train: big,
    test,
    n: 10_000,
    classifier,
    onProgress: (_d, _o, what) => (marks[what] = (performance.now() - t0) / 1000),
  });
  const total = (performance.now() - t0) / 1000;
  const classifying = marks['Fréchet distance, precision and recall'] - marks.classifying;
  const metrics = total - marks['Fréchet distance, precision and recall'];
  log(`sample metrics on 10,000: classifier passes ${classifying.toFixed(1)} s, FLD + P/R + NDB ${metrics.toFixed(1)} s (goal < 30 s)`);
  classifier.dispose();
  return { sampleMetrics10kSeconds: +metrics.toFixed(2), sampleMetricsClassifier30kSeconds: +classifying.toFixed(2) };
}
