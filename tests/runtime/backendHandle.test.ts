/**
 * The backend boundary: raw TF.js errors become BackendFailure once, in the
 * guard; simulated failures fire at the next read of computed values.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CompiledModel, TrainingDiverged } from '../../src/runtime/model';
import { openBackend, type BackendHandle } from '../../src/runtime/backendHandle';
import { BackendFailure, classifyBackendError } from '../../src/runtime/failures';
import { fixtureDoc } from '../compiler/helpers';
import { compile } from '../../src/compiler/compile';
import { registry } from '../../nodes/index';

const plan = compile(fixtureDoc('v1-tiny-ae.json'), registry).plan!;
const batch = () => ({ x: new Float32Array(plan.data.batchSize * 784).fill(0.5), size: plan.data.batchSize });

let cpu: BackendHandle;
beforeAll(async () => {
  cpu = await openBackend('cpu');
});

describe('backend boundary', () => {
  it('classifies a raw error once: backend breakage becomes a BackendFailure, graph errors stay as they are', () => {
    const lost = classifyBackendError(new Error('WebGL context lost'));
    expect(lost).toBeInstanceOf(BackendFailure);
    expect(classifyBackendError(lost)).toBe(lost);
    const graph = new Error('shapes [2,3] and [4] do not match');
    expect(classifyBackendError(graph)).toBe(graph);
  });

  it('the guard raises what breaks the backend as a BackendFailure and passes divergence through', async () => {
    await expect(
      cpu.guard(() => {
        throw new Error("Kernel 'Foo' not registered for backend 'cpu'");
      }),
    ).rejects.toBeInstanceOf(BackendFailure);
    const diverged = new TrainingDiverged(3, 'loss', NaN);
    await expect(cpu.guard(() => Promise.reject(diverged))).rejects.toBe(diverged);
  });

  it('a simulated failure fires once, at the next read of computed values; a checkpoint read is left alone', async () => {
    const model = new CompiledModel(plan, { reader: cpu.reader });
    cpu.simulateFailure('oom');
    const state = await model.saveState();
    expect(Object.values(state.tensors).every((t) => t.data.every(Number.isFinite))).toBe(true);
    await expect(cpu.guard(() => model.trainRound(batch))).rejects.toThrow(/out of memory \(simulated failure\)/);
    // The failed round never finished: the next one is step 1.
    await expect(cpu.guard(() => model.trainRound(batch))).resolves.toMatchObject({ step: 1 });

    cpu.simulateFailure('nan');
    await expect(cpu.guard(() => model.trainRound(batch))).rejects.toBeInstanceOf(TrainingDiverged);
    // A lost context means something only on WebGL: on cpu it is ignored.
    cpu.simulateFailure('contextLost');
    await expect(cpu.guard(() => model.trainRound(batch))).resolves.toMatchObject({ step: 3 });
    model.dispose();
  });
});
