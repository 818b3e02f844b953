import { expect, test } from '@playwright/test';
import { REPLAY, lastReply, openPlayground, runOf, send, shot } from './helpers';

test('badges update live while the reply streams, then show the run’s figures', async ({ page, request }) => {
  await openPlayground(page, REPLAY);
  // Record the usage badge's text as the page changes.
  await page.evaluate(() => {
    const w = window as any;
    w.__usage = [];
    w.__samples = [];
    w.__lastText = '';
    w.__textChanges = 0;
    new MutationObserver(() => {
      const reply = document.querySelector('.msg-assistant:last-of-type');
      const b = reply?.querySelector('.badge.usage');
      const t = b?.textContent ?? '';
      if (t && w.__usage[w.__usage.length - 1] !== t) w.__usage.push(t);
      const text = reply?.querySelector('.text')?.textContent ?? '';
      if (text !== w.__lastText) {
        w.__lastText = text;
        w.__textChanges += 1;
      }
      if (t && reply?.getAttribute('data-status') === 'streaming') {
        w.__samples.push({ badge: t, changes: w.__textChanges });
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await send(page, 'A long answer please [[reply:slow]]');
  const streaming = page.locator('.msg-assistant').last();
  await expect(streaming).toHaveAttribute('data-status', 'streaming');
  await expect(streaming.locator('.badge.latency')).toBeVisible();
  await shot(page, 'live-badges');
  const reply = await lastReply(page);
  const seen: string[] = await page.evaluate(() => (window as any).__usage);
  // Several different output counts while streaming, then the final one.
  expect(new Set(seen).size, seen.join(' | ')).toBeGreaterThanOrEqual(3);
  // The counts keep up with the text: input not yet reported is "…", never
  // 0, and the output count is never behind the pieces of text shown (each
  // change of the text is at least one delta; one may be in flight).
  const samples: { badge: string; changes: number }[] = await page.evaluate(() => (window as any).__samples);
  expect(samples.length).toBeGreaterThan(0);
  for (const { badge, changes } of samples) {
    expect(badge, badge).not.toMatch(/^0 in/);
    const out = Number(/· (\d+) out/.exec(badge)?.[1] ?? NaN);
    expect(out, `${badge} after ${changes} text changes`).toBeGreaterThanOrEqual(changes - 1);
  }
  const run = await runOf(request, reply);
  // Cached and reasoning parts are named only when there are some.
  const part = (n: number, what: string) => (n > 0 ? ` (${n} ${what})` : '');
  await expect(reply.locator('.badge.usage')).toHaveText(
    `${run.usage.input_tokens} in${part(run.usage.cached_tokens, 'cached')} · ${run.usage.output_tokens} out${part(run.usage.reasoning_tokens, 'reasoning')}`,
  );
  await expect(reply.locator('.badge.cost')).toHaveText(`$${run.metrics.cost_usd.toFixed(6)}`);
  await expect(reply.locator('.badge.ttft')).toContainText('ms');
});

test('cached and reasoning tokens and the cost are shown; the trace id can be copied', async ({ page, request, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openPlayground(page, REPLAY);
  await send(page, 'Notes [[reply:markdown]]');
  const reply = await lastReply(page);
  await expect(reply.locator('.badge.usage')).toHaveText('40 in (32 cached) · 96 out (24 reasoning)');
  // 8 fresh input at $2/M, 32 cached at $0.5/M, 96 output at $8/M.
  await expect(reply.locator('.badge.cost')).toHaveText('$0.000800');
  const trace = reply.locator('.badge.trace');
  const traceId = (await trace.getAttribute('data-trace-id')) ?? '';
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  const run = await runOf(request, reply);
  expect(run.trace_id).toBe(traceId);
  await trace.click();
  await expect(trace).toHaveText('trace copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(traceId);
});

test('after the idle time the history resets with a notice and a new session', async ({ page, request }) => {
  await page.clock.install();
  await openPlayground(page, REPLAY);
  await send(page, 'Hello there');
  const reply = await lastReply(page);
  const first = await runOf(request, reply);
  expect(first.session_id).toBeTruthy();
  const shown = await page.locator('.session-id').getAttribute('data-session-id');
  expect(shown).toBe(first.session_id);

  await page.clock.fastForward('31:00');
  await expect(page.locator('.session-notice')).toContainText('reset after 30 minutes');
  await expect(page.locator('.msg')).toHaveCount(0);
  await shot(page, 'idle-reset');

  await send(page, 'Hello again');
  const second = await runOf(request, await lastReply(page));
  expect(second.session_id).toBeTruthy();
  expect(second.session_id).not.toBe(first.session_id);
  await expect(page.locator('.session-notice')).toHaveCount(0);
});
