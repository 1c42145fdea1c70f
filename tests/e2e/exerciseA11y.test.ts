/**
 * Exercise mode in the browser, on the worked AE exercise: axe-core finds no
 * violation in the author's view or the learner's (panel open and folded, a
 * hint shown, a fixed parameter in the inspector); the panel folds to a chip
 * by mouse or keyboard and stays folded for this document after a reload;
 * sticky notes and group frames (with the nodes inside) move and resize by their grips as one undo
 * step each; the author frames, renames and deletes a group and locks a
 * single parameter, which the learner then sees read-only with the reason.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/graph/document';
import { shot, useBuiltApp, watchErrors, useBrowser } from './harness';
import { violations } from './axe';

const app = useBuiltApp();
const browser = useBrowser({ viewport: { width: 1400, height: 900 } });

const tid = (id: string) => `[data-testid="${id}"]`;
const getDoc = (page: Page) => page.evaluate(() => window.latentLab!.getDocument() as GraphDocument);

async function open(page: Page, url: string, openingShot?: string) {
  await page.goto(url);
  await page.waitForSelector(`${tid('canvas')} .react-flow__node`);
  if (openingShot) {
    await page.waitForTimeout(500);
    await shot(page, openingShot);
  }
  await page.click(tid('btn-fit'));
  await page.waitForTimeout(500);
}

async function dragBy(page: Page, selector: string, dx: number, dy: number) {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 4 });
  await page.mouse.move(x + dx, y + dy, { steps: 4 });
  await page.mouse.up();
}

const zoomOf = (page: Page) =>
  page.evaluate(() => {
    const t = getComputedStyle(document.querySelector('.react-flow__viewport')!).transform;
    return new DOMMatrix(t).a;
  });

describe('exercise mode: axe, the folding panel, notes and frames', () => {
  it('the author’s view: no axe violation open or folded; notes and frames move, resize, rename and delete as one undo step each; a parameter lock', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await open(page, `${app.url}?mode=author#preset=exercise-ae-not-generative`, 'exercise-author-opening');
    await page.locator(tid('exercise-author')).waitFor();
    expect(await violations(page), 'author view').toEqual([]);
    const zoom = await zoomOf(page);

    // A sticky note follows its grip: dropped once, one undo step.
    const note0 = (await getDoc(page)).notes![0];
    await dragBy(page, tid('sticky-move-note_1'), 120, 60);
    const moved = (await getDoc(page)).notes![0];
    expect(moved.position.x - note0.position.x).toBeCloseTo(120 / zoom, -1);
    expect(moved.position.y - note0.position.y).toBeCloseTo(60 / zoom, -1);
    await dragBy(page, tid('sticky-resize-note_1'), 40, 30);
    const resized = (await getDoc(page)).notes![0];
    expect(resized.size.width - note0.size.width).toBeCloseTo(40 / zoom, -1);
    expect(resized.position).toEqual(moved.position);
    await page.keyboard.press('Control+z');
    expect((await getDoc(page)).notes![0]).toEqual(moved);
    await page.keyboard.press('Control+z');
    expect((await getDoc(page)).notes![0]).toEqual(note0);
    // By keyboard: the grip takes arrow keys, one grid step (20) each.
    await page.focus(tid('sticky-move-note_1'));
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    expect((await getDoc(page)).notes![0].position).toEqual({ x: note0.position.x + 20, y: note0.position.y + 20 });

    // A frame around the selected nodes; renamed in place, moved, deleted; each one undo step.
    await page.click(`${tid('node-data')} .graph-node-head`);
    await page.click(`${tid('node-flat')} .graph-node-head`, { modifiers: ['Shift'] });
    const framesBefore = (await getDoc(page)).groups!.length;
    await page.click(tid('group-add'));
    const frames = (await getDoc(page)).groups!;
    expect(frames).toHaveLength(framesBefore + 1);
    const added = frames.at(-1)!;
    const data = (await getDoc(page)).nodes.find((n) => n.id === 'data')!;
    expect(added.position.x).toBeLessThan(data.position.x);
    expect(added.position.y).toBeLessThan(data.position.y);
    // The new frame's title has the focus, selected: typing replaces it.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(`group-title-${added.id}`);
    await page.keyboard.type('Data side');
    await page.press(tid(`group-title-${added.id}`), 'Enter');
    expect((await getDoc(page)).groups!.at(-1)!.title).toBe('Data side');
    await page.focus(tid(`group-move-${added.id}`));
    await page.keyboard.press('ArrowUp');
    expect((await getDoc(page)).groups!.at(-1)!.position.y).toBe(added.position.y - 20);
    // The nodes it frames came along.
    expect((await getDoc(page)).nodes.find((n) => n.id === 'data')!.position).toEqual({ x: data.position.x, y: data.position.y - 20 });
    // Dragged by its grip, they follow it while it moves and land with it: one undo step.
    await dragBy(page, tid(`group-move-${added.id}`), 100, 0);
    const dragged = (await getDoc(page)).nodes.find((n) => n.id === 'data')!.position;
    expect(dragged.x - data.position.x).toBeCloseTo(100 / zoom, -1);
    await page.keyboard.press('Control+z');
    expect((await getDoc(page)).nodes.find((n) => n.id === 'data')!.position).toEqual({ x: data.position.x, y: data.position.y - 20 });
    await page.click(tid(`group-remove-${added.id}`));
    expect((await getDoc(page)).groups).toHaveLength(framesBefore);
    await page.keyboard.press('Control+z');
    expect((await getDoc(page)).groups!.at(-1)).toMatchObject({ title: 'Data side', position: { y: added.position.y - 20 } });

    // A lock beside each parameter of a free node; locking one is one step.
    await page.click(`${tid('node-mu')} .graph-node-head`);
    await page.waitForSelector(tid('inspector-title'));
    expect(await page.getAttribute(tid('param-lock-units'), 'aria-pressed')).toBe('true');
    await page.click(tid('param-lock-activation'));
    expect(await page.getAttribute(tid('param-lock-activation'), 'aria-pressed')).toBe('true');
    expect((await getDoc(page)).nodes.find((n) => n.id === 'mu')?.lockedParams).toEqual(['units', 'activation']);
    expect(await violations(page), 'author view, a node selected').toEqual([]);
    await shot(page, 'exercise-author-frames');

    // Folded: a chip with the count; by keyboard too; still folded after a reload of the same document.
    await page.click(tid('exercise-collapse'));
    const chip = page.locator(tid('exercise-expand'));
    expect(await chip.getAttribute('aria-expanded')).toBe('false');
    expect(await chip.textContent()).toMatch(/^Tasks \d\/6/);
    expect(await violations(page), 'author view, folded').toEqual([]);
    await shot(page, 'exercise-author-folded');
    await page.reload();
    await page.waitForSelector(`${tid('canvas')} .react-flow__node`);
    await chip.waitFor();
    await chip.focus();
    await page.keyboard.press('Enter');
    await page.locator(tid('exercise-collapse')).waitFor();
    expect(await page.getAttribute(tid('exercise-collapse'), 'aria-expanded')).toBe('true');
    await page.keyboard.press('Enter');
    await chip.waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the learner’s view: no axe violation with a hint open, a fixed parameter selected, and folded; notes and frames stay put', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await open(page, `${app.url}#preset=exercise-ae-not-generative`, 'exercise-learner-opening');
    await page.locator(tid('exercise-learner')).waitFor();
    expect(await page.locator(tid('sticky-move-note_1')).count()).toBe(0);
    expect(await page.locator('[data-testid^="group-move-"]').count()).toBe(0);
    expect(await page.locator(tid('teach-menu')).count()).toBe(0);
    await page.click(tid('task-hint-uniform'));
    await expect.poll(() => page.locator(tid('task-uniform')).textContent()).toMatch(/Hint 1:/);
    expect(await violations(page), 'learner view, a hint open').toEqual([]);

    // A parameter the exercise fixes: read-only, with a lock and the reason; no lock toggles for the learner.
    await page.click(`${tid('node-mu')} .graph-node-head`);
    await page.waitForSelector(tid('inspector-title'));
    expect(await page.locator(tid('param-locked-units')).textContent()).toMatch(/Fixed by the exercise: units is part of the setup/);
    expect(await page.isDisabled('#param-input-units')).toBe(true);
    expect(await page.isDisabled('#param-input-activation')).toBe(false);
    expect(await page.locator('[data-testid^="param-lock-"]').count()).toBe(0);
    expect(await violations(page), 'learner view, a fixed parameter').toEqual([]);
    await shot(page, 'exercise-learner-hint');

    await page.click(tid('exercise-collapse'));
    await page.locator(tid('exercise-expand')).waitFor();
    expect(await page.locator(tid('exercise-expand')).textContent()).toMatch(/^Tasks 0\/6/);
    expect(await violations(page), 'learner view, folded').toEqual([]);
    await shot(page, 'exercise-learner-folded');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the GAN exercise as a learner: no axe violation; the generator loss is the one free node, its player fixed', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await open(page, `${app.url}#preset=exercise-gan-loss`);
    await page.locator(tid('exercise-learner')).waitFor();
    // The blank is wired (the saturating game), so nothing is listed as unwired.
    expect(await page.locator(tid('exercise-blanks')).count()).toBe(0);
    expect(await page.locator(tid('node-badge-gLoss')).count()).toBe(0);
    await page.click(tid('exercise-collapse'));
    await page.click(`${tid('node-gLoss')} .graph-node-head`);
    await page.waitForSelector(tid('inspector-title'));
    expect(await page.isDisabled('#param-input-player')).toBe(true);
    expect(await page.isDisabled('#param-input-kind')).toBe(false);
    expect(await page.locator(tid('inspector-lock')).textContent()).toMatch(/yours to fix/);
    expect(await violations(page), 'GAN exercise, learner').toEqual([]);
    await shot(page, 'exercise-gan-learner');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
