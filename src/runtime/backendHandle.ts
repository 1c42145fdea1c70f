/**
 * The TF.js backend a session runs on, once started: how results are read
 * from it, whether it has been lost, the guard every backend operation runs
 * through, and failure simulation for tests (the `debugFail` message).
 */
import * as tf from './tf';
import { setupBackend, type BackendInfo } from './backend';
import { BackendFailure, classifyBackendError, simulatedFailure } from './failures';
import { TrainingDiverged } from './model';
import type { BackendName, FailureKind } from './protocol';
import { createReader, readModeFor, type Reader } from './reads';

export interface BackendHandle {
  readonly name: BackendName;
  readonly info: BackendInfo;
  /** How a model on this backend reads its results (see ./reads.ts); simulated failures surface here. */
  readonly reader: Reader;
  /** Why this backend must not be used again (its context or device was lost), or null. */
  readonly lost: string | null;
  /**
   * Runs one backend operation. It refuses to start on a lost backend, fails as
   * soon as a WebGPU device is lost (a mapAsync on a lost device may never
   * settle), and raises what breaks the backend as a BackendFailure.
   */
  guard<T>(op: () => T | Promise<T>): Promise<T>;
  /**
   * Makes this backend fail like a real one: a lost context or device is really
   * lost where the backend has one; otherwise the next read raises the failure
   * (a BackendFailure, or NaN values for 'nan', which the model's divergence
   * check turns into TrainingDiverged).
   */
  simulateFailure(kind: FailureKind): void;
}

/** Starts `name` (./backend.ts) and attaches a handle to it: the session's default setupBackend. */
export async function openBackend(name: BackendName, opts: { threads?: number } = {}): Promise<BackendHandle> {
  return attachBackend(name, await setupBackend(name, opts));
}

/** A handle on the backend TF.js runs now, which `info` describes (plus its software renderer, if it runs on one). */
export function attachBackend(name: BackendName, info: BackendInfo): BackendHandle {
  const software = info.software ?? softwareRenderer(name);
  return new LiveBackend(name, software ? { ...info, software } : info);
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

type GpuBackend = {
  gpgpu?: { gl?: WebGLRenderingContext & { canvas?: { addEventListener?: (t: string, f: (e: Event) => void) => void } } };
  device?: { lost?: Promise<{ message?: string }>; destroy?(): void };
};

class LiveBackend implements BackendHandle {
  lost: string | null = null;
  readonly reader: Reader;
  private armed: FailureKind | null = null;
  /** Reads in flight on WebGPU, to be failed at once when the device is lost. */
  private readonly lostWaiters = new Set<(e: Error) => void>();
  private readonly gpu = tf.backend() as unknown as GpuBackend;

  constructor(
    readonly name: BackendName,
    readonly info: BackendInfo,
  ) {
    this.reader = createReader(readModeFor(name), () => this.fireArmed());
    this.watchForLoss();
  }

  guard<T>(op: () => T | Promise<T>): Promise<T> {
    const run = async () => {
      if (this.lost) throw new BackendFailure(this.lost);
      return await op();
    };
    const p = run();
    const settled = this.name === 'webgpu' ? this.failOnLoss(p) : p;
    return settled.catch((e: unknown) => {
      throw e instanceof TrainingDiverged ? e : classifyBackendError(e);
    });
  }

  simulateFailure(kind: FailureKind) {
    // A lost context or device only means something on the backend that has one.
    if ((kind === 'contextLost' && this.name !== 'webgl') || (kind === 'deviceLost' && this.name !== 'webgpu')) return;
    if (kind === 'contextLost') {
      const ext = this.gpu.gpgpu?.gl?.getExtension('WEBGL_lose_context');
      if (ext) {
        ext.loseContext();
        // The event may arrive a little later; the flag makes the next step refuse to run either way.
        this.lost ??= 'WebGL context lost';
        return;
      }
    }
    if (kind === 'deviceLost' && this.gpu.device?.destroy) {
      this.gpu.device.destroy();
      this.markLost('WebGPU device lost: destroyed');
      return;
    }
    this.armed = kind;
  }

  /** The read hook: an armed failure fires once, at the next read. */
  private fireArmed(): boolean {
    const kind = this.armed;
    if (!kind) return false;
    this.armed = null;
    if (kind === 'nan') return true;
    throw simulatedFailure(kind, this.name);
  }

  /** Context-lost (WebGL) and device-lost (WebGPU) arrive as events; remember them so nothing runs on it again. */
  private watchForLoss() {
    try {
      if (this.name === 'webgl') {
        this.gpu.gpgpu?.gl?.canvas?.addEventListener?.('webglcontextlost', (e) => {
          e.preventDefault?.();
          this.lost ??= 'WebGL context lost';
        });
      } else if (this.name === 'webgpu') {
        void this.gpu.device?.lost?.then((info) => this.markLost(`WebGPU device lost${info?.message ? `: ${info.message}` : ''}`));
      }
    } catch {
      /* no listener: failures still surface as errors from the next step */
    }
  }

  /** Never run on this backend again, and fail every read still waiting on it. */
  private markLost(reason: string) {
    this.lost ??= reason;
    const err = new BackendFailure(this.lost);
    for (const fail of this.lostWaiters) fail(err);
    this.lostWaiters.clear();
  }

  private failOnLoss<T>(p: Promise<T>): Promise<T> {
    p.catch(() => undefined);
    let fail!: (e: Error) => void;
    const lost = new Promise<never>((_, reject) => (fail = reject));
    this.lostWaiters.add(fail);
    return Promise.race([p, lost]).finally(() => this.lostWaiters.delete(fail));
  }
}
