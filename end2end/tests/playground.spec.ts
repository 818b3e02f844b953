import { expect, test, type Page } from '@playwright/test';

const MODEL = 'local/smollm2-135m';

async function openPlayground(page: Page) {
  await page.goto('/');
  // The server-rendered page becomes interactive once the wasm has hydrated it.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('#model')).toHaveValue(MODEL);
}

/**
 * Records, in the page, the length of the last reply's text after every DOM
 * update until `doneSelector` matches; returns the distinct lengths seen.
 */
async function watchGrowth(page: Page, selector: string, doneSelector: string) {
  await page.evaluate((sel) => {
    const w = window as unknown as { __lengths: number[] };
    w.__lengths = [];
    new MutationObserver(() => {
      const all = document.querySelectorAll(sel);
      const len = all.length ? (all[all.length - 1].textContent ?? '').length : 0;
      if (w.__lengths[w.__lengths.length - 1] !== len) w.__lengths.push(len);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, selector);
  return async () => {
    await page.locator(doneSelector).waitFor();
    return page.evaluate(() => (window as unknown as { __lengths: number[] }).__lengths);
  };
}

test('the page is served, hydrates and lists the local model', async ({ page }) => {
  await openPlayground(page);
  await expect(page.locator('#model option')).toContainText(['SmolLM2']);
  await expect(page.locator('#send')).toBeDisabled();
  await page.locator('#message').fill('hello');
  await expect(page.locator('#send')).toBeEnabled();
});

test('a reply streams in token by token and its run is recorded', async ({ page, request }) => {
  await openPlayground(page);
  await page.locator('#max_tokens').fill('48');
  await page.locator('#max_tokens').dispatchEvent('change');
  await page.locator('#message').fill('Name three colours.');
  const finished = await watchGrowth(page, '.msg-assistant .text', '.msg-assistant[data-status="ok"]');
  await page.locator('#message').press('Enter');

  const reply = page.locator('.msg-assistant');
  await expect(reply).toHaveCount(1);
  const lengths = await finished();
  await expect(reply).toHaveAttribute('data-status', 'ok');
  // Several distinct intermediate lengths: the text arrived in pieces.
  const nonEmpty = lengths.filter((l) => l > 0);
  expect(nonEmpty.length, `lengths seen: ${lengths.join(',')}`).toBeGreaterThanOrEqual(3);
  await expect(reply.locator('.text')).not.toHaveText('');
  await expect(reply.locator('.badges')).toContainText('TTFT');
  await expect(reply.locator('.badges')).toContainText('tok/s');
  await page.screenshot({ path: 'test-results/streamed-reply.png' });

  const runId = await reply.getAttribute('data-run-id');
  expect(runId).toBeTruthy();
  const run = await (await request.get(`/api/v1/runs/${runId}`)).json();
  expect(run.status).toBe('ok');
  expect(run.model).toBe(MODEL);
  expect(run.reply).toBe(await reply.locator('.text').textContent());
  expect(run.usage.output_tokens).toBeGreaterThan(0);
  expect(run.usage.input_tokens).toBeGreaterThan(0);
  expect(run.messages.at(-1).content).toBe('Name three colours.');
});

test('Stop ends a long reply, keeps what arrived, and records it as cancelled', async ({ page, request }) => {
  await openPlayground(page);
  await page.locator('#max_tokens').fill('4000');
  await page.locator('#max_tokens').dispatchEvent('change');
  await page.locator('#message').fill('Write a very long story about a dragon and a knight, in ten chapters.');
  await page.locator('#send').click();

  const reply = page.locator('.msg-assistant').last();
  await expect(reply).toHaveAttribute('data-status', 'streaming');
  await expect.poll(async () => (await reply.locator('.text').textContent())?.length ?? 0).toBeGreaterThan(40);
  await page.locator('#stop').click();
  await expect(reply).toHaveAttribute('data-status', 'cancelled');
  const kept = (await reply.locator('.text').textContent()) ?? '';
  expect(kept.length).toBeGreaterThan(40);
  await expect(page.locator('#send')).toBeDisabled(); // empty input
  await page.screenshot({ path: 'test-results/stopped-reply.png' });

  const runId = await reply.getAttribute('data-run-id');
  const run = await (await request.get(`/api/v1/runs/${runId}`)).json();
  expect(run.status).toBe('cancelled');
  expect(run.finish_reason).toBe('cancelled');
  expect(run.reply).toBe(kept);
  // Stopped long before the 4000-token limit.
  expect(run.usage.output_tokens).toBeGreaterThan(0);
  expect(run.usage.output_tokens).toBeLessThan(4000);

  // Both runs of this suite's database, newest first, with their statuses.
  const runs = await (await request.get('/api/v1/runs?limit=50')).json();
  const statuses = runs.map((r: { status: string }) => r.status);
  expect(statuses).toContain('ok');
  expect(statuses[0]).toBe('cancelled');
});
