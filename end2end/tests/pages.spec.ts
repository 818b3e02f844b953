import { expect, test } from '@playwright/test';
import { REPLAY, lastReply, openPlayground, send, shot } from './helpers';

// A page PEP does not have is still a PEP page: styled, with the top bar,
// the address it did not find, the way back, and a 404 status.
for (const viewport of [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
]) {
  test(`an unknown address gets a styled 404 page with the way back (${viewport.width} px)`, async ({ browser }) => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const response = await page.goto('/no/such/page');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await expect(page.locator('.not-found code')).toHaveText('/no/such/page');
    await expect(page.getByRole('navigation', { name: 'Pages' })).toBeVisible();
    // The stylesheet applies: the page has the product's panel colour bar.
    const topbarBackground = await page
      .locator('.topbar')
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(topbarBackground).not.toBe('rgba(0, 0, 0, 0)');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, `not-found-${viewport.width}`);
    await page.getByRole('link', { name: 'Open the playground' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.locator('#message')).toBeVisible();
    await context.close();
  });
}

// The conversation follows the reply while the reader is at the bottom,
// stays put once they scroll up (with a way back), and a reopened
// conversation opens at its end.
test('the conversation follows the reply unless the reader scrolls up', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 600 });
  await openPlayground(page, REPLAY);
  const messages = page.locator('section.messages');
  for (let i = 0; i < 5; i++) {
    await send(page, `Tall ${i} [[reply:markdown]]`);
    await lastReply(page);
    await expect(page.locator('.msg-assistant').last()).toBeInViewport();
  }
  const overflows = await messages.evaluate((el) => el.scrollHeight > el.clientHeight + 100);
  expect(overflows, 'the conversation is taller than its pane').toBe(true);
  await expect(page.getByRole('button', { name: /Jump to latest/ })).toHaveCount(0);

  // Scrolled up while a reply streams: the view stays where the reader is.
  await send(page, 'A long answer please [[reply:slow]]');
  await expect(page.locator('.msg-assistant').last()).toHaveAttribute('data-status', 'streaming');
  await messages.evaluate((el) => el.scrollTo({ top: 0 }));
  const jump = page.getByRole('button', { name: /Jump to latest/ });
  await expect(jump).toBeVisible();
  await lastReply(page);
  expect(await messages.evaluate((el) => el.scrollTop)).toBeLessThan(60);
  await shot(page, 'conversation-scrolled-up');
  await jump.click();
  await expect(page.locator('.msg-assistant').last()).toBeInViewport();
  await expect(jump).toHaveCount(0);

  // Reopened: it opens at its newest message.
  await expect(page).toHaveURL(/\?conversation=/);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('.msg-assistant')).toHaveCount(6);
  await expect(page.locator('.msg-assistant').last()).toBeInViewport();
});

// Small things a new user noticed: they each say or show what is true.
test('the playground says only what is so, in one visual style', async ({ page }) => {
  await openPlayground(page, REPLAY);
  // "0 unavailable" is never said.
  await expect(page.locator('summary.hint', { hasText: /^0 unavailable/ })).toHaveCount(0);
  // A model name too long for the sidebar is whole in the picker's title.
  const picker = page.locator('#model');
  const chosen = await picker.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent ?? '');
  expect(chosen.trim()).not.toBe('');
  await expect(picker).toHaveAttribute('title', chosen.trim());
  // The status pill fits its word.
  await send(page, 'Pill size');
  const reply = await lastReply(page);
  const pill = await reply.locator('.badge.run-status').boundingBox();
  expect(pill?.width ?? 0).toBeGreaterThan(0);
  expect(pill?.width ?? 100).toBeLessThan(40);
  // A search that finds no conversation says so in words.
  await page.locator('.history-search').fill(`nothing-${Date.now()}`);
  await expect(page.locator('.history-empty')).toContainText('No conversation title contains');
  // Text fields, numbers and selects share one look.
  const look = (selector: string) =>
    page.locator(selector).first().evaluate((el) => {
      const s = getComputedStyle(el);
      return `${s.borderTopWidth} ${s.borderTopStyle} ${s.borderRadius}`;
    });
  const select = await look('#model');
  expect(await look('#max_tokens')).toBe(select);
  await page.goto('/prompts');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  expect(await look('input[type=search], input[type=text]')).toBe(select);
});
