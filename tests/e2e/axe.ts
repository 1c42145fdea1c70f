/** axe-core in the page under test: injected from the npm package (nothing is fetched), run over the whole document. */
import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** The violations axe finds on the page as it is now, one line each: rule, the elements, what to fix. */
export async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axe.source });
  const found = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 2).join(' ').trim()}`),
    }));
  });
  return found.map((v) => `${v.id} (${v.help}): ${v.nodes.join(' | ')}`);
}
