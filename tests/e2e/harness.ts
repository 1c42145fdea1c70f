/**
 * End-to-end harness: the built app in a private folder per test file (so
 * parallel builds by others never race ours), serve it with the cross-origin isolation
 * headers the runtime needs, and drive Debian's Chromium with playwright-core.
 */
import { createServer, type Server } from 'node:http';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { buildInto } from './build';

const ROOT = resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = join(ROOT, 'tests/e2e/screenshots');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
};

/** The app for one test file, in its own folder: a copy of the run's one build (tests/e2e/buildOnce.ts), or a build of its own. */
export function buildApp(): string {
  const shared = inject('e2eDist');
  if (!shared) return buildInto();
  const out = mkdtempSync(join(tmpdir(), 'latent-lab-e2e-dist-'));
  cpSync(shared, out, { recursive: true });
  return out;
}

/** Serves `dir`; `isolate: false` leaves out COOP/COEP (a page without SharedArrayBuffer). */
export function serve(dir: string, { isolate = true } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
    } catch {
      file = join(dir, 'index.html');
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      ...(isolate ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
      'Cache-Control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      ok({ url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((done) => server.close(() => done())) });
    }),
  );
}

/** Headless Debian Chromium with nothing that reaches the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** A fresh profile; `args` adds flags (e.g. a GPU emulation) to CHROMIUM_ARGS. */
export async function launch(
  opts: { args?: string[]; viewport?: { width: number; height: number } } = {},
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'latent-lab-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Collects console errors and uncaught exceptions so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

export async function shot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Builds and serves the app for the calling test file; read `url` inside its tests. */
export function useBuiltApp(): { readonly url: string } {
  let dist = '';
  let server: { url: string; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    dist = buildApp();
    server = await serve(dist);
  }, 300_000);
  afterAll(async () => {
    await server?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });
  return {
    get url() {
      return server!.url;
    },
  };
}

/** One Chromium profile for the calling test file, started before its tests and closed after them; read `context` inside its tests. */
export function useBrowser(opts: Parameters<typeof launch>[0] = {}): { readonly context: BrowserContext } {
  let browser: Awaited<ReturnType<typeof launch>> | undefined;
  beforeAll(async () => {
    browser = await launch(opts);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get context() {
      return browser!.context;
    },
  };
}

/** Opens `url` (a preset, a graph or a share link) with the Run tab showing, once the worker has a model and a backend. */
export async function openRunPanel(page: Page, url: string, timeout = 120_000) {
  if (process.env.E2E_DEBUG) page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text().slice(0, 300)}`));
  await page.goto(url);
  await page.getByTestId('tab-run').click();
  await page.waitForFunction(
    () => !!window.latentLabRun?.runStore.getState().info && !!window.latentLabRun.runStore.getState().backend,
    null,
    { timeout },
  );
}

export async function waitForStep(page: Page, atLeast: number, timeout = 60_000) {
  await page.waitForFunction((n) => window.latentLabRun!.runStore.getState().step >= n, atLeast, { timeout });
}
