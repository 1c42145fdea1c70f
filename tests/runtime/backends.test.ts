/**
 * The automatic backend order with stand-in backends: a GPU backend on a
 * software rasteriser ranks after wasm and before cpu (PERF-FACTS.md: wasm ≫
 * SwiftShader WebGL > cpu), in the first choice and in a failover alike.
 */
import { describe, expect, it } from 'vitest';
import type { BackendHandle } from '../../src/runtime/backendHandle';
import { BackendManager } from '../../src/runtime/backends';
import type { BackendEvent, BackendName, FromWorker } from '../../src/runtime/protocol';

/** Backends that start (software: on that renderer) or fail to start (`fails`), and what was started, in order. */
function machine(o: { available: BackendName[]; software?: Partial<Record<BackendName, string>>; fails?: BackendName[] }) {
  const started: BackendName[] = [];
  const events: FromWorker[] = [];
  const manager = new BackendManager({
    available: o.available,
    post: (m) => events.push(m),
    setup: async (name) => {
      started.push(name);
      if (o.fails?.includes(name)) throw new Error(`${name} cannot start here`);
      const software = o.software?.[name];
      return {
        name,
        info: { backend: name, threads: 1, simd: false, ...(software ? { software } : {}) },
        lost: null,
        guard: (op: () => unknown) => Promise.resolve(op()),
        simulateFailure: () => undefined,
      } as unknown as BackendHandle;
    },
  });
  const backendEvents = () => events.filter((e): e is BackendEvent => e.type === 'backend');
  return { manager, started, backendEvents };
}

const swiftShader = { webgpu: 'SwiftShader Vulkan', webgl: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device))' };

describe('automatic backend order', () => {
  it('skips SwiftShader WebGPU and WebGL while wasm can start', async () => {
    const m = machine({ available: ['webgpu', 'webgl', 'wasm', 'cpu'], software: swiftShader });
    await m.manager.select();
    expect(m.manager.name).toBe('wasm');
    expect(m.started).toEqual(['webgpu', 'webgl', 'wasm']);
    expect(m.backendEvents()[0].skipped.map((s) => [s.backend, /software renderer/.test(s.reason), s.deliberate])).toEqual([
      ['webgpu', true, true],
      ['webgl', true, true],
    ]);
  });

  it('a real GPU still comes first; a software WebGPU gives way to a hardware WebGL', async () => {
    const gpu = machine({ available: ['webgpu', 'webgl', 'wasm', 'cpu'] });
    await gpu.manager.select();
    expect(gpu.manager.name).toBe('webgpu');
    const mixed = machine({ available: ['webgpu', 'webgl', 'wasm', 'cpu'], software: { webgpu: 'SwiftShader Vulkan' } });
    await mixed.manager.select();
    expect(mixed.manager.name).toBe('webgl');
    expect(mixed.started).toEqual(['webgpu', 'webgl']);
  });

  it('wasm cannot start: SwiftShader WebGL, which is faster than cpu, and the badge says it is a software renderer', async () => {
    const m = machine({ available: ['webgpu', 'webgl', 'wasm', 'cpu'], software: swiftShader, fails: ['wasm'] });
    await m.manager.select();
    expect(m.manager.name).toBe('webgl');
    expect(m.started).toEqual(['webgpu', 'webgl', 'wasm', 'webgl']);
    const event = m.backendEvents()[0];
    expect(event.note).toMatch(/software renderer \(ANGLE.*SwiftShader.*\): slower than wasm, faster than cpu/);
    expect(event.skipped.map((s) => s.backend)).toEqual(['webgpu', 'wasm']);
  });

  it('wasm breaks mid-run: the failover and a later automatic choice agree on SwiftShader WebGL, not cpu', async () => {
    const m = machine({ available: ['webgpu', 'webgl', 'wasm', 'cpu'], software: swiftShader });
    await m.manager.select();
    expect(m.manager.name).toBe('wasm');
    expect(await m.manager.failover()).toEqual({ from: 'wasm', to: 'webgl' });
    await m.manager.select('auto');
    expect(m.manager.name).toBe('webgl');
    // WebGL breaks too: SwiftShader WebGPU, then cpu.
    expect(await m.manager.failover()).toEqual({ from: 'webgl', to: 'webgpu' });
    expect(await m.manager.failover()).toEqual({ from: 'webgpu', to: 'cpu' });
  });

  it('a software GPU backend chosen by hand that breaks goes on to wasm', async () => {
    for (const chosen of ['webgl', 'webgpu'] as const) {
      const m = machine({ available: ['webgpu', 'webgl', 'wasm', 'cpu'], software: swiftShader });
      m.manager.choose(chosen);
      await m.manager.select();
      expect(m.manager.name).toBe(chosen);
      expect(await m.manager.failover()).toEqual({ from: chosen, to: 'wasm' });
    }
  });

  it('only cpu besides a software WebGL (wasm not available): WebGL', async () => {
    const m = machine({ available: ['webgl', 'cpu'], software: swiftShader });
    await m.manager.select();
    expect(m.manager.name).toBe('webgl');
    expect(m.started).toEqual(['webgl']);
  });

  it('a backend chosen by hand is used even on a software renderer', async () => {
    const m = machine({ available: ['webgpu', 'webgl', 'wasm', 'cpu'], software: swiftShader });
    m.manager.choose('webgl');
    await m.manager.select();
    expect(m.manager.name).toBe('webgl');
    expect(m.backendEvents()[0].skipped).toEqual([]);
  });
});
