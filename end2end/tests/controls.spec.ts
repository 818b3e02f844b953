import { expect, test } from '@playwright/test';
import { REASONER, REPLAY, lastReply, lastReplayBody, openPlayground, send, setNumber } from './helpers';

test('controls follow the model: seed for samplers, effort and verbosity for reasoners', async ({ page, request }) => {
  await openPlayground(page);
  await expect(page.locator('#seed')).toBeVisible();
  await expect(page.locator('#temperature')).toBeVisible();
  await expect(page.locator('#reasoning_effort')).toHaveCount(0);

  await page.locator('#model').selectOption(REASONER);
  await expect(page.locator('#seed')).toHaveCount(0);
  await expect(page.locator('#temperature')).toHaveCount(0);
  await expect(page.locator('#top_p')).toHaveCount(0);
  await expect(page.locator('#reasoning_effort option')).toHaveText(['model default (medium)', 'low', 'medium', 'high']);
  await page.locator('#reasoning_effort').selectOption('high');
  await page.locator('#verbosity').selectOption('low');
  await send(page, 'Think hard');
  await lastReply(page);
  const body = await lastReplayBody(request);
  expect(body.reasoning_effort).toBe('high');
  expect(body.verbosity).toBe('low');
  expect(body.seed).toBeUndefined();
  expect(body.temperature).toBeUndefined();
});

test('temperature, top-p, max tokens and seed are sent as set', async ({ page, request }) => {
  await openPlayground(page, REPLAY);
  await page.locator('#temperature').fill('0.35');
  await page.locator('#top_p').fill('0.5');
  await setNumber(page, '#max_tokens', '321');
  await setNumber(page, '#seed', '42');
  await send(page, 'Settings check');
  await lastReply(page);
  const body = await lastReplayBody(request);
  expect(body.temperature).toBeCloseTo(0.35, 5);
  expect(body.top_p).toBeCloseTo(0.5, 5);
  expect(body.seed).toBe(42);
  expect(body.max_tokens ?? body.max_completion_tokens).toBe(321);
});

test('an out-of-range value is flagged in the UI and refused by the server, never clamped', async ({ page }) => {
  await openPlayground(page, REPLAY);
  await setNumber(page, '#max_tokens', '999999');
  await expect(page.locator('.controls [role=alert]')).toContainText('Max tokens must be between 1 and 4096');
  await send(page, 'Too long');
  const reply = await lastReply(page, 'failed');
  await expect(reply.locator('[role=alert]')).toContainText('max_tokens');
});

test('a number that is not one is said beside its field and keeps the turn from being sent', async ({ page, request }) => {
  await openPlayground(page);
  const before = (await (await request.get('/api/v1/runs?limit=1')).json()).total;
  await page.locator('#seed').fill('-1');
  const problem = page.locator('.controls [role=alert]');
  await expect(problem).toHaveText("Seed must be a whole number ≥ 0, or empty for the model's default");
  await page.locator('#message').fill('Seeded');
  await page.locator('#message').press('Enter');
  await expect(page.locator('.notice[role=alert]')).toHaveText(
    "Seed must be a whole number ≥ 0, or empty for the model's default",
  );
  await expect(page.locator('#message')).toHaveValue('Seeded');
  expect((await (await request.get('/api/v1/runs?limit=1')).json()).total).toBe(before);
  // Fixed, the same field sends.
  await page.locator('#seed').fill('7');
  await expect(problem).toHaveCount(0);
});
