import { expect, test } from '@playwright/test';
import {
  LOCAL, REPLAY, lastReply, lastReplayBody, openPlayground, runOf, send, setNumber, shot, watchGrowth,
} from './helpers';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('the page is served, hydrates and lists the models', async ({ page }) => {
  await openPlayground(page);
  await expect(page.locator('#model option')).toContainText(['SmolLM2', 'Replay Chat', 'Replay Reasoner']);
  await expect(page.locator('#send')).toBeDisabled();
  await page.locator('#message').fill('hello');
  await expect(page.locator('#send')).toBeEnabled();
  await shot(page, 'empty-playground');
});

test('a local reply streams in token by token; Copy gives the stored reply', async ({ page, request }) => {
  await openPlayground(page);
  await setNumber(page, '#max_tokens', '48');
  const lengths = await watchGrowth(page, '.msg-assistant .text');
  await send(page, 'Name three colours.');

  const reply = await lastReply(page);
  const seen = (await lengths()).filter((l) => l > 0);
  // Several distinct intermediate lengths: the text arrived in pieces.
  expect(seen.length, `lengths seen: ${seen.join(',')}`).toBeGreaterThanOrEqual(3);
  await expect(reply.locator('.text')).not.toHaveText('');
  await expect(reply.locator('.badges')).toContainText('TTFT');
  await expect(reply.locator('.badges')).toContainText('tok/s');
  await expect(reply.locator('.avatar')).toBeVisible();
  await shot(page, 'streamed-reply');

  const run = await runOf(request, reply);
  expect(run.status).toBe('ok');
  expect(run.model).toBe(LOCAL);
  expect(run.usage.output_tokens).toBeGreaterThan(0);
  expect(run.usage.input_tokens).toBeGreaterThan(0);
  expect(run.messages.at(-1).content).toBe('Name three colours.');

  await reply.locator('button.copy').click();
  await expect(reply.locator('button.copy')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(run.reply);
});

test('Stop ends a long reply, keeps what arrived, and records it as cancelled', async ({ page, request }) => {
  await openPlayground(page);
  await setNumber(page, '#max_tokens', '4000');
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
  await shot(page, 'stopped-reply');

  const run = await runOf(request, reply);
  expect(run.status).toBe('cancelled');
  expect(run.finish_reason).toBe('cancelled');
  expect(run.reply.length).toBeGreaterThanOrEqual(40);
  // Stopped long before the 4000-token limit.
  expect(run.usage.output_tokens).toBeGreaterThan(0);
  expect(run.usage.output_tokens).toBeLessThan(4000);
});

test('replies render as Markdown, and model-written HTML never runs', async ({ page }) => {
  await openPlayground(page, REPLAY);
  await send(page, 'Release notes please [[reply:markdown]]');
  const reply = await lastReply(page);
  const body = reply.locator('.text');
  await expect(body.locator('h1')).toHaveText('Release notes');
  await expect(body.locator('strong')).toHaveText('green');
  await expect(body.locator('li')).toHaveCount(2);
  await expect(body.locator('pre code')).toHaveText('print("<b>hi</b>")\n');
  // Raw HTML from the model is shown as text, not run or rendered.
  await expect(body).toContainText('<script>window.__pwned = true</script>');
  await expect(body.locator('script, img')).toHaveCount(0);
  await expect(body.locator('a')).not.toHaveAttribute('href', /javascript/i);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  await shot(page, 'markdown-reply');

  // The code block's own copy button copies just the code.
  await body.locator('button.copy-code').click();
  await expect(body.locator('button.copy-code')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('print("<b>hi</b>")\n');
});

test('multi-turn: history is sent, the last message can be edited and the reply regenerated', async ({ page, request }) => {
  await openPlayground(page, REPLAY);
  await send(page, 'First question');
  await lastReply(page);
  await send(page, 'Second question');
  await lastReply(page);
  let body = await lastReplayBody(request);
  expect(body.messages.map((m: any) => `${m.role}:${m.content}`)).toEqual([
    'user:First question',
    'assistant:Hello from the replay server. Ask me anything.',
    'user:Second question',
  ]);

  // Regenerate: the same conversation is sent again, the old reply replaced.
  await page.locator('.msg-assistant').last().locator('button.regenerate').click();
  await lastReply(page);
  await expect(page.locator('.msg')).toHaveCount(4);
  body = await lastReplayBody(request);
  expect(body.messages.at(-1).content).toBe('Second question');
  expect(body.messages).toHaveLength(3);

  // Edit: the last exchange goes back to the composer; resending replaces it.
  await page.locator('.msg-user').last().locator('button.edit').click();
  await expect(page.locator('#message')).toHaveValue('Second question');
  await expect(page.locator('.msg')).toHaveCount(2);
  await send(page, 'Second question, rephrased');
  await lastReply(page);
  await expect(page.locator('.msg')).toHaveCount(4);
  body = await lastReplayBody(request);
  expect(body.messages.at(-1).content).toBe('Second question, rephrased');
  expect(body.messages).toHaveLength(3);
  await shot(page, 'multi-turn');
});

test('Clear resets the history and the prompt fields', async ({ page }) => {
  await openPlayground(page, REPLAY);
  await page.locator('#system').fill('Be terse.');
  await page.locator('#context').fill('Some facts.');
  await page.locator('#response_mode').selectOption('json_object');
  await send(page, 'Hello, answer in JSON');
  await lastReply(page);
  await page.locator('#message').fill('draft');
  await page.locator('#clear').click();
  await expect(page.locator('.msg')).toHaveCount(0);
  await expect(page.locator('#message')).toHaveValue('');
  await expect(page.locator('#system')).toHaveValue('');
  await expect(page.locator('#context')).toHaveValue('');
  await expect(page.locator('#response_mode')).toHaveValue('text');
  await expect(page.locator('.empty')).toBeVisible();
});

test('a provider error is shown on the reply it belongs to', async ({ page, request }) => {
  await openPlayground(page, REPLAY);
  await send(page, 'This will fail [[fixture:openai_chat/bad_request]]');
  const reply = await lastReply(page, 'failed');
  await expect(reply.locator('[role=alert]')).not.toBeEmpty();
  const run = await runOf(request, reply);
  expect(run.status).toBe('failed');
  expect(reply.locator('[role=alert]')).toContainText(run.error.slice(0, 20));
  await shot(page, 'failed-reply');
});
