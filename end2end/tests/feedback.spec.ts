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

// The rating controls are drawn by the page itself (inline SVG), never as
// emoji that need a font the machine may lack, and they carry words.
test('ratings are icons that ship with the page, with words for screen readers', async ({ page }) => {
  await openPlayground(page, REPLAY);
  await send(page, 'Rate me with icons');
  const reply = await lastReply(page);
  for (const [button, name] of [
    [reply.locator('button.like'), 'Like'],
    [reply.locator('button.dislike'), 'Dislike'],
  ] as const) {
    await expect(button).toHaveAccessibleName(name);
    await expect(button.locator('svg')).toHaveCount(1);
    const box = await button.locator('svg').boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(8);
    expect((await button.textContent())?.trim()).toBe('');
  }
  await reply.locator('button.like').click();
  await expect(reply.locator('button.like')).toHaveAttribute('aria-pressed', 'true');

  // The runs table shows the rating as the same icon, named for readers.
  await page.goto('/runs');
  const row = page.locator('tbody tr').first();
  const mark = row.locator('.rating-mark');
  await expect(mark).toHaveAttribute('data-rating', 'liked');
  await expect(mark.locator('svg')).toHaveCount(1);
  await expect(mark).toContainText('liked');
  for (const cell of await page.locator('tbody .rating-mark').allTextContents()) {
    expect(cell).not.toMatch(/\p{Extended_Pictographic}/u);
  }
});
