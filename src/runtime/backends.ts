/**
 * Which backend the session runs on: the user's choice, the automatic order
 * (a GPU backend on a software rasteriser ranks after wasm, before cpu), and
 * moving to the next backend when one breaks. The live backend itself is a BackendHandle.
 */
import type { BackendHandle } from './backendHandle';
import { BACKEND_ORDER, type BackendChoice, type BackendEvent, type BackendName, type FailureKind, type FromWorker } from './protocol';
import type { Reader } from './reads';

export type SetupBackend = (name: BackendName, opts?: { threads?: number }) => Promise<BackendHandle>;

/** The backends this environment could run: WebGPU where navigator.gpu exists, WebGL where there is a canvas. */
export function detectBackends(): BackendName[] {
  const g = globalThis as { navigator?: { gpu?: unknown }; OffscreenCanvas?: unknown; document?: unknown };
  return BACKEND_ORDER.filter((b) =>
    b === 'webgpu'
      ? !!g.navigator?.gpu
      : b === 'webgl'
        ? typeof g.OffscreenCanvas !== 'undefined' || typeof g.document !== 'undefined'
        : true,
  );
}

export class BackendManager {
  /** What the user asked for ('auto' unless they chose one). */
  choice: BackendChoice = 'auto';
  private current: BackendHandle | null = null;
  private readonly failed = new Set<BackendName>();
  /** GPU backends seen running on a software rasteriser, with the renderer's name. */
  private readonly software = new Map<BackendName, string>();

  constructor(
    private readonly o: {
      setup: SetupBackend;
      available: BackendName[];
      threads?: number;
      post(msg: FromWorker): void;
    },
  ) {}

  get name(): BackendName | null {
    return this.current?.name ?? null;
  }

  /** The live backend's read strategy, for the next model built on it. */
  get reader(): Reader {
    if (!this.current) throw new Error('no backend is running');
    return this.current.reader;
  }

  get isGpu(): boolean {
    return this.name === 'webgpu' || this.name === 'webgl';
  }

  /** One backend operation, through the live backend's guard (see BackendHandle.guard). */
  guard<T>(op: () => T | Promise<T>): Promise<T> {
    if (!this.current) return Promise.reject(new Error('no backend is running'));
    return this.current.guard(op);
  }

  simulateFailure(kind: FailureKind) {
    this.current?.simulateFailure(kind);
  }

  /** A new choice by the user; a backend chosen by hand gets another try even if it failed before. */
  choose(choice: BackendChoice) {
    this.choice = choice;
    if (choice !== 'auto') this.failed.delete(choice);
  }

  /**
   * Initialise the first backend that works, in the chosen order; report what was skipped. In auto
   * mode a GPU backend found to run on a software rasteriser moves down the order to where it
   * ranks (see rank) and is used only when nothing above it starts.
   */
  async select(choice: BackendChoice = this.choice, explicit?: BackendName[]): Promise<void> {
    const queue =
      explicit ??
      (choice === 'auto'
        ? this.ranked(this.o.available.filter((b) => !this.failed.has(b)))
        : [choice, ...this.o.available.filter((b) => b !== choice && !this.failed.has(b) && this.after(b, choice))]);
    const skipped: BackendEvent['skipped'] = [];
    const deferred = new Set<BackendName>();
    while (queue.length) {
      const name = queue.shift()!;
      let handle: BackendHandle;
      try {
        handle = await this.o.setup(name, this.o.threads ? { threads: this.o.threads } : {});
      } catch (e) {
        this.failed.add(name);
        skipped.push({ backend: name, reason: e instanceof Error ? e.message : String(e) });
        continue;
      }
      const software = handle.info.software;
      if (software) this.software.set(name, software);
      if (software && choice === 'auto' && !deferred.has(name) && queue.some((b) => this.rank(b) < this.rank(name))) {
        // Slower than wasm (or a real GPU) still to be tried: try those first, come back to it before cpu.
        deferred.add(name);
        const at = queue.findIndex((b) => this.rank(b) > this.rank(name));
        queue.splice(at < 0 ? queue.length : at, 0, name);
        skipped.push({
          backend: name,
          reason: `software renderer (${software}) is slower than wasm; choose ${name} by hand to use it anyway`,
          deliberate: true,
        });
        continue;
      }
      this.current = handle;
      const { info } = handle;
      this.o.post({
        type: 'backend',
        backend: name,
        requested: choice,
        threads: info.threads,
        simd: info.simd,
        fma: info.fma,
        sharedMemory: info.sharedMemory,
        note: software ? `software renderer (${software}): slower than wasm, faster than cpu` : info.note,
        skipped: skipped.filter((s) => s.backend !== name),
      });
      return;
    }
    throw new Error(`no TF.js backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
  }

  /**
   * The live backend broke: never use it again and start the next one, those
   * after it in the automatic order first. Throws (with no backend left
   * running) when none starts.
   */
  async failover(): Promise<{ from: BackendName; to: BackendName }> {
    const from = this.current!.name;
    this.failed.add(from);
    this.current = null;
    const left = this.ranked(this.o.available.filter((b) => !this.failed.has(b)));
    // After it: in BACKEND_ORDER (a software WebGL that breaks goes on to wasm), or in rank (a broken wasm goes on to a software WebGL).
    const after = left.filter((b) => this.after(b, from) || (this.software.has(b) && this.rank(b) > this.rank(from)));
    await this.select('auto', [...after, ...left.filter((b) => !after.includes(b))]);
    return { from, to: this.current!.name };
  }

  /**
   * A backend's place in the automatic order: BACKEND_ORDER, except that a GPU backend known to run
   * on a software rasteriser comes after wasm and before cpu, WebGL first. Measured (PERF-FACTS.md):
   * wasm is several times faster than SwiftShader WebGL, which is 4–12× faster than cpu; SwiftShader
   * WebGPU is slower than its WebGL.
   */
  private rank(b: BackendName): number {
    if (!this.software.has(b)) return BACKEND_ORDER.indexOf(b);
    return BACKEND_ORDER.indexOf('wasm') + (b === 'webgl' ? 0.25 : 0.5);
  }

  private ranked(names: BackendName[]): BackendName[] {
    return [...names].sort((a, b) => this.rank(a) - this.rank(b));
  }

  private after(b: BackendName, than: BackendName): boolean {
    return BACKEND_ORDER.indexOf(b) > BACKEND_ORDER.indexOf(than);
  }
}
