/**
 * Time to load and render the largest preset: the production build served
 * locally, opened in headless Debian Chromium at 1280×800 (the e2e harness),
 * from navigation start to every node in the DOM and every edge's shape label
 * drawn. Measured inside the page (performance.now() counts from navigation
 * start), one warm-up load then the median of three.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { buildInto } from '../tests/e2e/build';
import { launch, serve } from '../tests/e2e/harness';

const presetDir = new URL('../presets/', import.meta.url);
const RUNS = 3;

/** The preset with the most nodes (then edges, then bytes): the most work for the canvas. */
function largestPreset(): { name: string; nodes: number; edges: number } {
  const all = readdirSync(presetDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const text = readFileSync(new URL(f, presetDir), 'utf8');
      const doc = JSON.parse(text) as { nodes: unknown[]; edges: unknown[] };
      return { name: f.slice(0, -'.json'.length), nodes: doc.nodes.length, edges: doc.edges.length, bytes: text.length };
    });
  all.sort((a, b) => b.nodes - a.nodes || b.edges - a.edges || b.bytes - a.bytes);
  const { name, nodes, edges } = all[0];
  return { name, nodes, edges };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runEditorRenderBench(log: (s: string) => void): Promise<Record<string, number>> {
  const preset = largestPreset();
  const dist = buildInto();
  const server = await serve(dist);
  const browser = await launch();
  try {
    const once = async (): Promise<number> => {
      const page = await browser.context.newPage();
      try {
        // Each load is a fresh graph (the preset link opens a new one), so autosaves never come into it.
        await page.goto(`${server.url}#preset=${encodeURIComponent(preset.name)}`, { waitUntil: 'commit' });
        const handle = await page.waitForFunction(
          ({ nodes, edges }) => {
            const canvas = document.querySelector('[data-testid="canvas"]');
            if (!canvas || canvas.querySelectorAll('.react-flow__node').length < nodes) return false;
            const labels = [...canvas.querySelectorAll('[data-testid^="edge-label-"]')];
            // A label reads "?" until the shape is known; drawn means the real shape is there.
            if (labels.length < edges || labels.some((l) => !l.textContent || l.textContent === '?')) return false;
            return performance.now();
          },
          { nodes: preset.nodes, edges: preset.edges },
          { polling: 'raf', timeout: 60_000 },
        );
        return (await handle.jsonValue()) as number;
      } finally {
        await page.close();
      }
    };
    await once(); // warm-up: first start of the browser's caches and compilers
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await once());
    const ms = median(times);
    log(
      `load and render the largest preset (${preset.name}: ${preset.nodes} nodes, ${preset.edges} edges), navigation → all nodes and shape labels drawn: ${ms.toFixed(0)} ms (median of ${RUNS}: ${times.map((t) => t.toFixed(0)).join(', ')})`,
    );
    return { 'editor.load_render_largest_preset_ms': ms };
  } finally {
    await browser.close();
    await server.close();
    rmSync(dist, { recursive: true, force: true });
  }
}
