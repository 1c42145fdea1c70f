/**
 * Which backend the session runs on: the user's choice, the automatic order,
 * skipping a GPU backend on a software rasteriser, and moving to the next
 * backend when one breaks. The live backend itself is a BackendHandle.
 */
import * as tf from './tf';
import type { BackendHandle } from './backendHandle';
import { BACKEND_ORDER, type BackendChoice, type BackendName, type FailureKind, type FromWorker } from './protocol';
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

/** The renderer's name when a GPU backend runs on a software rasteriser (SwiftShader, llvmpipe), else null. */
function softwareRenderer(name: BackendName): string | null {
  const soft = /swiftshader|llvmpipe|lavapipe|software|basic render/i;
  try {
    if (name === 'webgl') {
      const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
      if (!gl) return null;
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
      return soft.test(renderer) ? renderer : null;
    }
    if (name === 'webgpu') {
      const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
      const text = `${info?.vendor ?? ''} ${info?.architecture ?? ''}`.trim();
      return soft.test(text) ? text : null;
    }
  } catch {
    /* cannot tell: treat it as hardware */
  }
  return null;
}

export class BackendManager {
  /** What the user asked for ('auto' unless they chose one). */
  choice: BackendChoice = 'auto';
  private current: BackendHandle | null = null;
  private readonly failed = new Set<BackendName>();

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

  /** Initialise the first backend that works, in the chosen order; report what was skipped. */
  async select(choice: BackendChoice = this.choice, explicit?: BackendName[]): Promise<void> {
    const order =
      explicit ??
      (choice === 'auto'
        ? this.o.available.filter((b) => !this.failed.has(b))
        : [choice, ...this.o.available.filter((b) => b !== choice && !this.failed.has(b) && this.after(b, choice))]);
    const skipped: { backend: BackendName; reason: string }[] = [];
    for (const name of order) {
      try {
        const handle = await this.o.setup(name, this.o.threads ? { threads: this.o.threads } : {});
        const software =
          choice === 'auto' && order.slice(order.indexOf(name) + 1).some((b) => b === 'wasm') ? softwareRenderer(name) : null;
        if (software) {
          // A GPU backend on a software rasteriser is several times slower than wasm: pick it only by hand.
          skipped.push({
            backend: name,
            reason: `software renderer (${software}) is slower than wasm; choose ${name} by hand to use it anyway`,
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
          note: info.note,
          skipped,
        });
        return;
      } catch (e) {
        this.failed.add(name);
        skipped.push({ backend: name, reason: e instanceof Error ? e.message : String(e) });
      }
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
    const after = this.o.available.filter((b) => !this.failed.has(b) && this.after(b, from));
    const rest = this.o.available.filter((b) => !this.failed.has(b) && !after.includes(b));
    await this.select('auto', [...after, ...rest]);
    return { from, to: this.current!.name };
  }

  private after(b: BackendName, than: BackendName): boolean {
    return BACKEND_ORDER.indexOf(b) > BACKEND_ORDER.indexOf(than);
  }
}
