/** The worker's loss log: a restored curve of any length goes to the page thinned, as a growing one is. */
import { describe, expect, it } from 'vitest';
import { LossLog } from '../../src/runtime/metrics';
import type { FromWorker, LossPoint } from '../../src/runtime/protocol';

const points = (n: number): LossPoint[] => Array.from({ length: n }, (_, i) => ({ step: i + 1, losses: { loss: 1 / (i + 1) } }));

describe('LossLog', () => {
  it('thins a restored 10,000-step curve (a long CLI run’s bundle) to at most 4,000 points, keeping the last step', () => {
    const sent: FromWorker[] = [];
    const log = new LossLog({ post: (m) => sent.push(m), intervalMs: 0, status: () => ({ step: 10_000, running: false }) });
    log.replace(points(10_000));
    const curve = log.curve();
    expect(curve.length).toBeLessThanOrEqual(4000);
    expect(curve.length).toBeGreaterThan(2000);
    expect(curve[curve.length - 1].step).toBe(10_000);
    log.send(true);
    const msg = sent.find((m) => m.type === 'metrics');
    expect(msg?.type === 'metrics' && msg.points).toEqual(curve);
  });

  it('keeps a short restored curve whole, and thins a growing one the same way', () => {
    const log = new LossLog({ post: () => {}, intervalMs: 0, status: () => ({ step: 0, running: false }) });
    log.replace(points(100));
    expect(log.curve()).toEqual(points(100));
    for (const p of points(5000).slice(100)) log.record(p, 1);
    expect(log.curve().length).toBeLessThanOrEqual(4000);
    expect(log.curve()[log.curve().length - 1].step).toBe(5000);
  });
});
