import { expect, test } from '@playwright/test';
import { writeFileSync, mkdirSync } from 'node:fs';
import { LOCAL, REPLAY, lastReply, openPlayground, send, shot } from './helpers';

test('everything works from the keyboard alone', async ({ page }) => {
  await openPlayground(page, REPLAY);
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  // The first Tab stop of the page skips straight to the message box.
  const first = await page.evaluate(() => {
    const stops = document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]');
    return stops[0]?.className;
  });
  expect(first).toBe('skip-link');
  await page.locator('.skip-link').focus();
  await expect(page.locator('.skip-link')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.locator('#message')).toBeFocused();
  // Without it, Tab still gets there through the page in order.
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  let reached = false;
  for (let i = 0; i < 400 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id === 'message');
  }
  expect(reached).toBe(true);
  await page.keyboard.type('Typed without a mouse');
  await page.keyboard.press('Enter');
  const reply = await lastReply(page);
  // The reply's own buttons are reachable and work with Enter.
  await reply.locator('button.like').focus();
  await page.keyboard.press('Enter');
  await expect(reply.locator('button.like')).toHaveAttribute('aria-pressed', 'true');
  // Shift+Enter is a new line, not a send.
  await page.locator('#message').focus();
  await page.keyboard.type('line one');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('line two');
  await expect(page.locator('#message')).toHaveValue('line one\nline two');
  await expect(page.locator('.msg-user')).toHaveCount(1);
});

test('Esc stops a streaming reply', async ({ page }) => {
  await openPlayground(page, LOCAL);
  await page.locator('#max_tokens').fill('2000');
  await page.locator('#max_tokens').dispatchEvent('change');
  await send(page, 'Tell a very long story about the sea.');
  const reply = page.locator('.msg-assistant').last();
  await expect.poll(async () => (await reply.locator('.text').textContent())?.length ?? 0).toBeGreaterThan(20);
  await page.locator('#message').press('Escape');
  await expect(reply).toHaveAttribute('data-status', 'cancelled');
});

test('a phone-width screen has no sideways scrolling and the chat works', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await openPlayground(page, REPLAY);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // The chat comes first: the message box and Send are on screen without
  // scrolling; conversations and settings wait in a drawer.
  await expect(page.locator('#message')).toBeInViewport();
  await expect(page.locator('#send')).toBeInViewport();
  await expect(page.locator('#sidebar')).toBeHidden();
  const toggle = page.getByRole('button', { name: 'Settings & chats' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(page.locator('#sidebar')).toBeVisible();
  await expect(page.locator('#model')).toBeInViewport();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await shot(page, 'phone-drawer');
  await page.keyboard.press('Escape');
  await expect(page.locator('#sidebar')).toBeHidden();
  await send(page, 'Hello from a phone [[reply:markdown]]');
  await lastReply(page);
  const after = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(after).toBeLessThanOrEqual(0);
  await expect(page.locator('#send')).toBeInViewport();
  await expect(page.locator('.msg-assistant').last()).toBeInViewport();
  await shot(page, 'phone');
  await context.close();
});

test('streaming causes no layout shift', async ({ page }) => {
  await openPlayground(page, REPLAY);
  await page.evaluate(() => {
    const w = window as any;
    w.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as any[]) if (!e.hadRecentInput) w.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: false });
  });
  await send(page, 'Stream please [[reply:slow]]');
  await lastReply(page);
  const cls: number = await page.evaluate(() => (window as any).__cls);
  // Content growing at the end is not a shift; elements jumping around is.
  expect(cls).toBeLessThan(0.01);
});

test('page weight and time to interactive are measured', async ({ page }) => {
  const started = Date.now();
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const figures = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const pick = (re: RegExp) => res.filter((r) => re.test(r.name));
    const sum = (list: PerformanceResourceTiming[], k: 'transferSize' | 'encodedBodySize' | 'decodedBodySize') =>
      list.reduce((a, r) => a + r[k], 0);
    const group = (re: RegExp) => ({ compressed: sum(pick(re), 'encodedBodySize'), raw: sum(pick(re), 'decodedBodySize') });
    return {
      html: { compressed: nav.encodedBodySize, raw: nav.decodedBodySize },
      wasm: group(/\.wasm$/),
      js: group(/\.js$/),
      css: group(/\.css$/),
      domContentLoadedMs: nav.domContentLoadedEventEnd,
      hydratedMs: Number(document.body.dataset.hydratedMs ?? NaN),
    };
  });
  const total = figures.html.compressed + figures.wasm.compressed + figures.js.compressed + figures.css.compressed;
  const report = { ...figures, totalCompressed: total, wallClockToHydratedMs: Date.now() - started };
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/page-metrics.json', JSON.stringify(report, null, 2));
  console.log(`page weight ${total} B compressed; ${JSON.stringify(report)}`);
  expect(figures.wasm.compressed).toBeGreaterThan(0);
  expect(figures.css.compressed).toBeGreaterThan(0);
});

test('every page hydrates on every load, with no error in the console', async ({ page, request }) => {
  // A prompt with two versions, a label and a model: the hub's page for it
  // streams the prompt, its versions, the model list and a diff.
  const created = await request.post('/api/v1/prompts', {
    data: {
      name: `Hydration ${Date.now()}`,
      tags: ['e2e'],
      version: { template: 'Say {{ word }}.', model: REPLAY, params: { temperature: 0.2 } },
    },
  });
  expect(created.status()).toBe(201);
  const id = (await created.json()).prompt.id as string;
  const saved = await request.post(`/api/v1/prompts/${id}/versions`, {
    data: { template: 'Say {{ word }} twice.', model: REPLAY, message: 'twice' },
  });
  expect(saved.ok()).toBe(true);
  const labelled = await request.put(`/api/v1/prompts/${id}/labels/production`, { data: { version: 2 } });
  expect(labelled.ok()).toBe(true);

  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  const pages = ['/', '/prompts', `/prompts?id=${id}`, '/runs', '/prompts?id=new'];
  // Several loads of each: a page whose HTML or hydration depends on timing
  // fails some of them.
  for (let round = 0; round < 4; round++) {
    for (const path of pages) {
      await page.goto(path);
      await expect(page.locator('body'), path).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
    }
    await expect(page.locator('#prompt_name')).toBeVisible();
  }
  // The streamed parts arrived and work: the versions and the diff.
  await page.goto(`/prompts?id=${id}`);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('#versions .version')).toHaveCount(2);
  await expect(page.locator('#diff table[data-part="user"] .diff-add')).toContainText('twice');
  await expect(page.locator('#prompt_model')).toHaveValue(REPLAY);
  expect(problems).toEqual([]);
});
