import { expect, test } from '@playwright/test';
import { REPLAY, lastReplayBody, lastReply, openPlayground, send, shot } from './helpers';

test('a conversation is stored, reopened in another browser with its ratings and setup, continued, renamed and deleted', async ({
  page,
  browser,
  request,
  baseURL,
}) => {
  await openPlayground(page, REPLAY);
  const marker = `History ${Date.now()}`;
  await send(page, `${marker} first`);
  await lastReply(page);
  // The address names the conversation, so it can be reopened anywhere.
  await expect(page).toHaveURL(/\?conversation=[0-9a-f-]{36}$/);
  const address = page.url();
  const id = new URL(address).searchParams.get('conversation');
  await send(page, 'And a second question');
  const reply = await lastReply(page);
  await reply.locator('button.like').click();
  await expect(reply.locator('button.like')).toHaveAttribute('aria-pressed', 'true');

  // The list shows it, titled by its first message, marked as the open one.
  const item = page.locator(`.history-item[data-conversation-id="${id}"]`);
  await expect(item.locator('.history-title')).toHaveText(`${marker} first`);
  await expect(item).toHaveClass(/current/);
  await expect(item.locator('.history-meta')).toContainText('4 messages');

  // Another browser (nothing shared but the server) opens the address.
  const other = await browser.newContext({ baseURL });
  const elsewhere = await other.newPage();
  await elsewhere.goto(address);
  await expect(elsewhere.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(elsewhere.locator('.msg')).toHaveCount(4);
  await expect(elsewhere.locator('.msg-user').first()).toContainText(`${marker} first`);
  await expect(elsewhere.locator('#model')).toHaveValue(REPLAY);
  await expect(elsewhere.locator('.msg-assistant').last().locator('button.like')).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  // Continuing there sends the whole conversation and stores the new turn.
  await send(elsewhere, 'A third question');
  await lastReply(elsewhere);
  await expect(elsewhere.locator('.msg')).toHaveCount(6);
  const sent = await lastReplayBody(request);
  expect(sent.messages.map((m: { content: string }) => m.content)).toEqual([
    `${marker} first`,
    'Hello from the replay server. Ask me anything.',
    'And a second question',
    'Hello from the replay server. Ask me anything.',
    'A third question',
  ]);
  const stored = await (await request.get(`/api/v1/conversations/${id}`)).json();
  expect(stored.messages).toHaveLength(6);
  await shot(elsewhere, 'conversation-resumed');
  await other.close();

  // Rename, then delete (after confirming), from the list.
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('.msg')).toHaveCount(6);
  await item.getByRole('button', { name: 'Rename conversation' }).click();
  await item.getByLabel('New title').fill('Renamed chat');
  await item.getByLabel('New title').press('Enter');
  await expect(item.locator('.history-title')).toHaveText('Renamed chat');
  await item.getByRole('button', { name: 'Delete conversation' }).click();
  await item.getByRole('button', { name: 'Keep' }).click();
  await expect(item.locator('.history-title')).toHaveText('Renamed chat');
  await item.getByRole('button', { name: 'Delete conversation' }).click();
  await item.locator('button.danger').click();
  await expect(item).toHaveCount(0);
  // The open conversation is gone: the playground starts a new chat.
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('.msg')).toHaveCount(0);
  expect((await request.get(`/api/v1/conversations/${id}`)).status()).toBe(404);
});

test('the runs page follows a run that is still streaming, without a reload', async ({ page, context }) => {
  await openPlayground(page, REPLAY);
  // About ten seconds of streaming: several of the page's reloads.
  await send(page, `Live ${Date.now()} [[reply:slow]] [[gap:150]]`);
  await expect(page.locator('.msg-assistant').last()).toHaveAttribute('data-status', 'streaming');

  const runs = await context.newPage();
  await runs.goto('/runs');
  await expect(runs.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const row = runs.locator('table.runs tbody tr').first();
  await expect(row.locator('.badge')).toHaveText('running');
  await expect(runs.locator('[data-figure="count"]')).not.toHaveText('0');
  await row.locator('button.open-run').click();
  const detail = runs.locator('.run-detail');
  await expect(detail).toContainText('running');
  // The row, the figures and the open run follow the reply to its end.
  await lastReply(page);
  await expect(row.locator('.badge')).toHaveText('ok');
  await expect(detail).toContainText('ok · stop');
  await expect(runs.locator('.figures')).not.toContainText('running');
  await runs.close();
});

test('the runs page filters, sorts, plots and reopens a run in the playground', async ({ page }) => {
  await openPlayground(page, REPLAY);
  const marker = `Runs ${Date.now()}`;
  await send(page, `${marker} ok`);
  const ok = await lastReply(page);
  const runId = await ok.getAttribute('data-run-id');
  await send(page, 'This will fail [[fixture:openai_chat/bad_request]]');
  await lastReply(page, 'failed');

  await page.locator('.topnav a[href="/runs"]').click();
  await expect(page).toHaveURL(/\/runs$/);
  await expect(page.locator('.topnav a[href="/runs"]')).toHaveAttribute('aria-current', 'page');
  await expect(page.locator('[data-figure="count"]')).not.toHaveText('0');
  await expect(page.locator('.plot')).toHaveCount(3);
  await expect(page.locator('.plot circle.dot.status-failed').first()).toBeAttached();
  await shot(page, 'runs');

  // Only the replay model's failed runs: the table and the plots agree.
  await page.locator('select[name="model"]').selectOption(REPLAY);
  await page.locator('select[name="status"]').selectOption('failed');
  const badges = page.locator('table.runs tbody .badge');
  await expect(badges.first()).toHaveText('failed');
  expect(new Set(await badges.allTextContents())).toEqual(new Set(['failed']));
  await expect(page.locator('.plot circle.dot.status-ok')).toHaveCount(0);

  // Sorting by latency: slowest first, then fastest first.
  await page.locator('select[name="status"]').selectOption('');
  const latencyHeader = page.locator('th', { has: page.locator('button.sort', { hasText: 'Latency' }) });
  await latencyHeader.locator('button').click();
  await expect(latencyHeader).toHaveAttribute('aria-sort', 'descending');
  const latencies = async () =>
    (await page.locator('table.runs tbody tr td:nth-child(4)').allTextContents()).map((t) => parseFloat(t));
  await expect.poll(async () => {
    const v = await latencies();
    return v.length > 1 && v.every((x, i) => i === 0 || v[i - 1] >= x);
  }).toBe(true);
  await latencyHeader.locator('button').click();
  await expect(latencyHeader).toHaveAttribute('aria-sort', 'ascending');
  await expect.poll(async () => {
    const v = await latencies();
    return v.length > 1 && v.every((x, i) => i === 0 || v[i - 1] <= x);
  }).toBe(true);

  // One run opened whole, then back in the playground with its settings.
  await page.locator('select[name="status"]').selectOption('ok');
  await page.locator('th button.sort', { hasText: 'Time' }).click();
  // Newest first, the replay model's newest ok run is ours: once it leads
  // the table, the table has settled and the click lands on its row.
  await expect(page.locator('table.runs tbody tr').first()).toHaveAttribute('data-run-id', runId!);
  await page.locator(`tr[data-run-id="${runId}"] button.open-run`).click();
  await expect(page.locator('.run-detail')).toHaveAttribute('data-run-id', runId!);
  await expect(page.locator('.run-detail .run-messages')).toContainText(`${marker} ok`);
  await expect(page.locator('.run-detail .run-reply')).toHaveText('Hello from the replay server. Ask me anything.');
  await shot(page, 'run-detail');

  // The view is in the address: a reload (or the link, elsewhere) shows the
  // same filters, order and open run.
  await expect(page).toHaveURL(new RegExp(`/runs\\?model=[^&]+&status=ok&.*run=${runId}`));
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('.run-detail')).toHaveAttribute('data-run-id', runId!);
  await expect(page.locator('select[name="status"]')).toHaveValue('ok');
  await expect(page.locator('select[name="model"]')).toHaveValue(REPLAY);
  await expect(page.locator('table.runs tbody tr').first()).toHaveAttribute('data-run-id', runId!);
  // Reset clears the fields and the address alike.
  await page.locator('.filters button', { hasText: 'Reset' }).click();
  await expect(page.locator('select[name="status"]')).toHaveValue('');
  await expect(page.locator('select[name="model"]')).toHaveValue('');
  await expect(page).toHaveURL(new RegExp(`/runs\\?run=${runId}$`));
  await page.locator('.open-in-playground').click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('#model')).toHaveValue(REPLAY);
  await expect(page.locator('#message')).toHaveValue(`${marker} ok`);
  await expect(page.locator('.msg')).toHaveCount(0);
});

test('a reopened conversation shows each reply as it ended, with its figures', async ({ page, request }) => {
  await openPlayground(page, REPLAY);
  await send(page, `Figures ${Date.now()}`);
  const done = await lastReply(page);
  const run = await (await request.get(`/api/v1/runs/${await done.getAttribute('data-run-id')}`)).json();
  // A second reply is stopped while it streams.
  await send(page, 'A long answer please [[reply:slow]]');
  const streaming = page.locator('.msg-assistant').last();
  await expect(streaming).toHaveAttribute('data-status', 'streaming');
  await expect.poll(async () => ((await streaming.locator('.text').textContent()) ?? '').length).toBeGreaterThan(5);
  await page.locator('#message').press('Escape');
  await expect(streaming).toHaveAttribute('data-status', 'cancelled');
  await expect(page).toHaveURL(/\?conversation=/);

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const replies = page.locator('.msg-assistant');
  await expect(replies).toHaveCount(2);
  await expect(replies.first()).toHaveAttribute('data-status', 'ok');
  const part = (n: number, what: string) => (n > 0 ? ` (${n} ${what})` : '');
  await expect(replies.first().locator('.badge.usage')).toHaveText(
    `${run.usage.input_tokens} in${part(run.usage.cached_tokens, 'cached')} · ${run.usage.output_tokens} out${part(run.usage.reasoning_tokens, 'reasoning')}`,
  );
  await expect(replies.first().locator('.badge.latency')).toContainText('ms');
  await expect(replies.last()).toHaveAttribute('data-status', 'cancelled');
  await expect(replies.last().locator('.badge.run-status')).toHaveText('cancelled');
  await expect(replies.last().locator('.badge.latency')).toContainText('ms');
});
