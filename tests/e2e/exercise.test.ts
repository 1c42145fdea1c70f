/**
 * Instructor → learner, end to end, in two browser profiles: the author locks
 * the Sampler, blanks the KL node, writes three tasks and shares the link; the
 * learner opens it in the learner's view, cannot delete or edit the Sampler,
 * wires the KL node back, trains, and sees every task turn green.
 */
import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/graph/document';
import { ELBO_SERIES } from '../../src/store/runCurves';
import { buildApp, launch, serve, shot, waitForStep, watchErrors } from './harness';

let dist = '';
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  dist = buildApp();
  server = await serve(dist);
}, 300_000);

afterAll(async () => {
  await server?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

const tid = (id: string) => `[data-testid="${id}"]`;
const getDoc = (page: Page) => page.evaluate(() => window.latentLab!.getDocument() as GraphDocument);

async function center(page: Page, selector: string) {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

async function dragConnect(page: Page, from: string, to: string) {
  const a = await center(page, tid(from));
  const b = await center(page, tid(to));
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 4 });
  await page.mouse.up();
}

async function selectNode(page: Page, id: string) {
  await page.click(`${tid(`node-${id}`)} .graph-node-head`);
}

describe('exercise: instructor → learner', () => {
  it('authors an exercise, shares it, and a fresh profile solves it as a learner', async () => {
    const author = await launch({ viewport: { width: 1400, height: 1000 } });
    const learner = await launch({ viewport: { width: 1400, height: 1000 } });
    try {
      // The author: the VAE, the Sampler locked, the KL node a blank, three tasks.
      const page = await author.context.newPage();
      const authorErrors = watchErrors(page);
      await page.goto(`${server.url}?graph=author#preset=vae`);
      await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
      await page.click(tid('btn-fit'));
      await page.click(tid('teach-menu'));
      await page.click(tid('exercise-start'));
      await selectNode(page, 'z');
      await page.check(tid('inspector-lock-node'));
      await selectNode(page, 'kl');
      await page.check(tid('inspector-blank-node'));
      for (let i = 0; i < 3; i++) await page.click(tid('task-add'));
      await page.fill(tid('task-0-text'), 'Make the graph compile.');
      await page.fill(tid('task-1-text'), 'Feed the KL term into the objective’s second input.');
      await page.selectOption(tid('task-1-kind'), 'edge');
      await page.selectOption(tid('task-1-from'), 'kl');
      await page.fill(tid('task-1-from-port'), 'loss');
      await page.selectOption(tid('task-1-to'), 'elbo');
      await page.fill(tid('task-1-to-port'), 'b');
      await page.fill(tid('task-1-hints'), 'The KL node needs the mean and log-variance heads.\nIts loss is the objective’s b.');
      await page.locator(tid('task-1-hints')).blur();
      await page.fill(tid('task-2-text'), 'Train: after 20 steps the −ELBO is below 400 nats.');
      await page.selectOption(tid('task-2-kind'), 'metricBelow');
      await page.fill(tid('task-2-term'), ELBO_SERIES);
      await page.fill(tid('task-2-value'), '400');
      await page.fill(tid('task-2-steps'), '20');
      const authored = await getDoc(page);
      expect(authored.nodes.find((n) => n.id === 'z')?.locked).toBe(true);
      expect(authored.exercise?.blanks).toEqual(['kl']);
      expect(authored.edges.some((e) => e.source === 'kl' || e.target === 'kl')).toBe(false);
      expect(authored.exercise?.tasks.map((t) => t.check)).toEqual([
        { kind: 'compiles' },
        { kind: 'edge', from: { node: 'kl', port: 'loss' }, to: { node: 'elbo', port: 'b' } },
        { kind: 'metricBelow', term: ELBO_SERIES, value: 400, afterSteps: 20 },
      ]);
      expect(authored.exercise?.tasks[1].hints).toHaveLength(2);
      await page.click(tid('btn-fit'));
      await page.waitForTimeout(400);
      await shot(page, 'exercise-author');
      await page.click(tid('btn-share'));
      const link = await page.locator(tid('share-link')).inputValue();
      expect(link).toContain('#graph=');
      expect(authorErrors).toEqual([]);

      // The learner: a fresh profile opens the link in the learner's view.
      const lp = await learner.context.newPage();
      const learnerErrors = watchErrors(lp);
      await lp.goto(link);
      await lp.waitForSelector('[data-testid="canvas"] .react-flow__node');
      await lp.locator(tid('exercise-learner')).waitFor();
      expect(await lp.locator(tid('exercise-author')).count()).toBe(0);
      expect(await lp.locator(tid('exercise-author-mode')).count()).toBe(0);
      const taskDone = (id: string) => lp.locator(tid(`task-${id}`)).getAttribute('data-done');
      expect(await taskDone('task_1')).toBe('false');
      expect(await taskDone('task_2')).toBe('false');
      await lp.click(tid('btn-fit'));
      await lp.waitForTimeout(400);

      // The locked Sampler can be neither deleted nor edited.
      await selectNode(lp, 'z');
      await lp.locator(tid('inspector-lock')).waitFor();
      await lp.keyboard.press('Delete');
      expect((await getDoc(lp)).nodes.some((n) => n.id === 'z')).toBe(true);
      await expect.poll(() => lp.locator('body').textContent()).toMatch(/Locked by the exercise, so they stay: Sampler “z”/);
      await lp.fill(tid('inspector-label'), 'my sampler');
      await lp.press(tid('inspector-label'), 'Enter');
      expect((await getDoc(lp)).nodes.find((n) => n.id === 'z')?.label).toBe(authored.nodes.find((n) => n.id === 'z')?.label);
      await expect.poll(() => lp.locator('body').textContent()).toMatch(/Sampler “z” is locked by the exercise: it cannot be edited/);
      // A hint unlocks one at a time.
      await lp.click(tid('task-hint-task_2'));
      await expect.poll(() => lp.locator(tid('task-task_2')).textContent()).toMatch(/Hint 1: The KL node needs/);
      expect(await lp.locator(tid('task-task_2')).textContent()).not.toMatch(/Hint 2/);

      // Wire the KL node back: both heads in, its loss into the objective.
      await lp.click('.react-flow__pane', { position: { x: 5, y: 5 } });
      await dragConnect(lp, 'handle-mu-out-y', 'handle-kl-in-mean');
      await dragConnect(lp, 'handle-logvar-out-y', 'handle-kl-in-logVar');
      await dragConnect(lp, 'handle-kl-out-loss', 'handle-elbo-in-b');
      await expect.poll(() => taskDone('task_1')).toBe('true');
      await expect.poll(() => taskDone('task_2')).toBe('true');
      expect(await taskDone('task_3')).toBe('false');

      // Train until the −ELBO check is met.
      await lp.getByTestId('tab-run').click();
      await lp.waitForFunction(() => !!window.latentLabRun?.runStore.getState().backend, null, { timeout: 120_000 });
      await lp.getByTestId('run-play').click();
      await waitForStep(lp, 30, 120_000);
      await expect.poll(() => taskDone('task_3'), { timeout: 60_000 }).toBe('true');
      await lp.getByTestId('run-pause').click();
      expect(await lp.locator(tid('exercise-learner')).textContent()).toMatch(/3 of 3 done/);
      await shot(lp, 'exercise-learner');
      const solved = await getDoc(lp);
      expect(solved.nodes.find((n) => n.id === 'z')?.locked).toBe(true);
      expect(learnerErrors).toEqual([]);
    } finally {
      await author.close();
      await learner.close();
    }
  }, 400_000);
});
