import { expect, test } from '@playwright/test';
import { REPLAY, lastReply, openPlayground, runOf, send } from './helpers';

test('like and dislike are stored with the run and can be changed or taken back', async ({ page, request }) => {
  await openPlayground(page, REPLAY);
  await send(page, 'Rate me');
  const reply = await lastReply(page);
  const like = reply.locator('button.like');
  const dislike = reply.locator('button.dislike');

  await like.click();
  await expect(like).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(async () => (await runOf(request, reply)).feedback).toBe('like');

  await dislike.click();
  await expect(dislike).toHaveAttribute('aria-pressed', 'true');
  await expect(like).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(async () => (await runOf(request, reply)).feedback).toBe('dislike');

  await dislike.click();
  await expect(dislike).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(async () => (await runOf(request, reply)).feedback ?? null).toBeNull();
});
