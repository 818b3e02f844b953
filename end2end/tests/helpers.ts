import { expect, type Page, type APIRequestContext } from '@playwright/test';

export const LOCAL = 'local/smollm2-135m';
export const REPLAY = 'replay/chat';
export const REASONER = 'replay/reasoner';
const replayURL = `http://127.0.0.1:${Number(process.env.PEP_E2E_REPLAY_PORT ?? 3218)}`;

/** Opens the playground and waits until the wasm has hydrated it. */
export async function openPlayground(page: Page, model = LOCAL) {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('#model')).toHaveValue(LOCAL);
  if (model !== LOCAL) {
    await withSettings(page, async () => {
      await page.locator('#model').selectOption(model);
      await expect(page.locator('#model')).toHaveValue(model);
    });
  }
}

/**
 * Runs `use` with the playground's settings on screen: on a narrow screen
 * they are in a drawer, opened for it and closed after.
 */
export async function withSettings(page: Page, use: () => Promise<void>) {
  const toggle = page.locator('.drawer-toggle');
  const drawer = await toggle.isVisible();
  if (drawer) {
    await toggle.click();
    await expect(page.locator('#sidebar')).toBeVisible();
  }
  await use();
  if (drawer) {
    await page.locator('.drawer-close').click();
    await expect(page.locator('#sidebar')).toBeHidden();
  }
}

/** Types a message and sends it with Enter. */
export async function send(page: Page, text: string) {
  await page.locator('#message').fill(text);
  await page.locator('#message').press('Enter');
}

/** Sets a number input the way a user does: type, then leave the field. */
export async function setNumber(page: Page, selector: string, value: string) {
  await page.locator(selector).fill(value);
  await page.locator(selector).dispatchEvent('change');
}

/** The last assistant message, once it has finished with `status`. */
export async function lastReply(page: Page, status = 'ok') {
  const reply = page.locator('.msg-assistant').last();
  await expect(reply).toHaveAttribute('data-status', status);
  return reply;
}

/** The run behind a reply, read through the REST API. */
export async function runOf(request: APIRequestContext, reply: ReturnType<Page['locator']>) {
  const runId = await reply.getAttribute('data-run-id');
  expect(runId).toBeTruthy();
  const res = await request.get(`/api/v1/runs/${runId}`);
  expect(res.ok()).toBeTruthy();
  return res.json();
}

/** Bodies the replay server received, oldest first. */
export async function replayRequests(request: APIRequestContext) {
  const res = await request.get(`${replayURL}/__requests`);
  expect(res.ok()).toBeTruthy();
  return (await res.json()) as { method: string; path: string; body: any }[];
}

/** The last chat request PEP sent to the replay server. */
export async function lastReplayBody(request: APIRequestContext) {
  const posts = (await replayRequests(request)).filter((r) => r.method === 'POST');
  expect(posts.length).toBeGreaterThan(0);
  return posts[posts.length - 1].body;
}

/**
 * Records, in the page, the length of the last match of `selector`'s text
 * after every DOM update; call the returned function once the reply is done.
 */
export async function watchGrowth(page: Page, selector: string) {
  await page.evaluate((sel) => {
    const w = window as unknown as { __lengths: number[] };
    w.__lengths = [];
    new MutationObserver(() => {
      const all = document.querySelectorAll(sel);
      const len = all.length ? (all[all.length - 1].textContent ?? '').length : 0;
      if (w.__lengths[w.__lengths.length - 1] !== len) w.__lengths.push(len);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, selector);
  return () => page.evaluate(() => (window as unknown as { __lengths: number[] }).__lengths);
}

/** Saves a screenshot among the suite's artefacts. */
export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}
