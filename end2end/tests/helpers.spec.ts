import { expect, test } from '@playwright/test';
import { REPLAY, lastReply, lastReplayBody, openPlayground, send } from './helpers';

test('delimiters: insert a pair at the cursor, or wrap the whole message', async ({ page }) => {
  await openPlayground(page);
  const box = page.locator('#message');
  await box.fill('Summarise this:');
  await box.press('End');
  await page.locator('#delimiter').selectOption('quotes');
  await page.locator('#insert_delimiter').click();
  await expect(box).toHaveValue('Summarise this:\n"""\n\n"""\n');
  // The cursor is between the delimiters: typing lands inside.
  await page.keyboard.type('the text');
  await expect(box).toHaveValue('Summarise this:\n"""\nthe text\n"""\n');

  await box.fill('fn main() {}');
  await page.locator('#delimiter').selectOption('xml');
  await page.locator('#delimiter_tag').fill('code');
  await page.locator('#wrap_message').click();
  await expect(box).toHaveValue('<code>\nfn main() {}\n</code>');

  for (const [key, open] of [['backticks', '```'], ['hashes', '###'], ['dashes', '---']]) {
    await box.fill('x');
    await page.locator('#delimiter').selectOption(key);
    await page.locator('#wrap_message').click();
    await expect(box).toHaveValue(`${open}\nx\n${open}`);
  }
});

test('system prompt and context are sent as one system message', async ({ page, request }) => {
  await openPlayground(page, REPLAY);
  await page.locator('#system').fill('Answer in French.');
  await page.locator('#context').fill('The Eiffel Tower is in Paris.');
  await send(page, 'Where is the tower?');
  await lastReply(page);
  const body = await lastReplayBody(request);
  expect(body.messages[0].role).toBe('system');
  expect(body.messages[0].content).toContain('Answer in French.');
  expect(body.messages[0].content).toContain('<context>\nThe Eiffel Tower is in Paris.\n</context>');
  expect(body.messages[1]).toMatchObject({ role: 'user', content: 'Where is the tower?' });
});
