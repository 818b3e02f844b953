import { expect, test } from '@playwright/test';
import { LOCAL, REPLAY, lastReply, lastReplayBody, openPlayground, runOf, send, shot } from './helpers';

test('a JSON schema is sent strict, and the reply is validated against it', async ({ page, request }) => {
  await openPlayground(page, REPLAY);
  await page.locator('#response_mode').selectOption('json_schema');
  await expect(page.locator('#schema')).toBeVisible();
  await expect(page.locator('#strict')).toBeChecked();
  await send(page, 'Capital of France as JSON [[reply:json_valid]]');
  let reply = await lastReply(page);
  await expect(reply.locator('.validation.valid')).toBeVisible();
  const body = await lastReplayBody(request);
  expect(body.response_format.type).toBe('json_schema');
  expect(body.response_format.json_schema.strict).toBe(true);
  expect(body.response_format.json_schema.schema.required).toEqual(['answer', 'confidence']);

  // A reply that breaks the schema: the failing path is named.
  await send(page, 'Again [[reply:json_invalid]]');
  reply = await lastReply(page);
  await expect(reply.locator('.validation.invalid')).toContainText('/confidence');
  const run = await runOf(request, reply);
  expect(run.validation.valid).toBe(false);
  await shot(page, 'schema-validation');
});

test('templates fill the editor; a schema strict mode cannot take is explained and nothing is sent', async ({ page, request }) => {
  await openPlayground(page, REPLAY);
  await page.locator('#response_mode').selectOption('json_schema');
  const options = page.locator('#schema_template option');
  await expect.poll(() => options.count()).toBeGreaterThan(2);
  const name = (await options.nth(1).getAttribute('value')) ?? '';
  await page.locator('#schema_template').selectOption(name);
  await expect(page.locator('#schema')).not.toHaveValue(/"answer"/);

  // Syntax error: line and column, nothing sent.
  const before = (await lastReplayBody(request).catch(() => null)) ?? null;
  await page.locator('#schema').fill('{\n  "type": "object",\n  oops\n}');
  await page.locator('#schema').blur();
  await expect(page.locator('.schema-problems')).toContainText('line 3, column 3');
  await send(page, 'Should not be sent');
  await expect(page.locator('.notice')).toContainText('schema');
  await expect(page.locator('.msg-user')).toHaveCount(0);
  await expect(page.locator('#message')).toHaveValue('Should not be sent');

  // Strict mode rules: an object without additionalProperties: false.
  await page.locator('#schema').fill('{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}');
  await page.locator('#schema').blur();
  await expect(page.locator('.schema-problems')).toContainText('additionalProperties');
  await send(page, 'Still not sent');
  await expect(page.locator('.msg-user')).toHaveCount(0);
  const after = (await lastReplayBody(request).catch(() => null)) ?? null;
  expect(JSON.stringify(after)).toBe(JSON.stringify(before));
  await shot(page, 'schema-problems');

  // Strict off: the same schema is accepted.
  await page.locator('#strict').uncheck();
  await expect(page.locator('.schema-problems li')).toHaveCount(0);
});

test('the schema editor numbers its lines and opens roomy, its problems beside it', async ({ page }) => {
  await openPlayground(page, REPLAY);
  await page.locator('#response_mode').selectOption('json_schema');
  const schema = page.locator('#schema');
  await schema.fill('{\n  "type": "object",\n  oops\n}');
  await schema.blur();
  const gutter = page.locator('.code-editor .line-numbers');
  await expect(gutter).toHaveText('1\n2\n3\n4');
  // The numbers sit level with their lines.
  const [numbers, text] = await Promise.all([gutter.boundingBox(), schema.boundingBox()]);
  expect(Math.abs((numbers?.y ?? 0) - (text?.y ?? 100))).toBeLessThan(2);
  expect(Math.abs((numbers?.height ?? 0) - (text?.height ?? 100))).toBeLessThan(24);

  // Roomy: most of the window, the problem beside the text, said once.
  await page.locator('#schema_roomy').click();
  const panel = page.locator('fieldset.structured');
  await expect(panel).toHaveClass(/roomy/);
  await expect(page.locator('#schema_roomy')).toHaveAttribute('aria-pressed', 'true');
  const viewport = page.viewportSize();
  const box = await panel.boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan((viewport?.width ?? 1000) * 0.8);
  const problem = page.locator('.schema-problems li').first();
  await expect(problem).toHaveText('line 3, column 3 key must be a string');
  const [editor, problems] = await Promise.all([page.locator('.code-editor').boundingBox(), problem.boundingBox()]);
  expect(problems?.x ?? 0).toBeGreaterThanOrEqual((editor?.x ?? 0) + (editor?.width ?? 0));
  await shot(page, 'schema-editor-roomy');
  // Escape puts it back, and the text is as it was.
  await schema.press('Escape');
  await expect(panel).not.toHaveClass(/roomy/);
  await expect(schema).toHaveValue('{\n  "type": "object",\n  oops\n}');
});

test('the local model answers in JSON schema mode with no API key', async ({ page, request }) => {
  await openPlayground(page, LOCAL);
  await page.locator('#response_mode').selectOption('json_schema');
  await page.locator('#schema').fill(JSON.stringify({
    type: 'object',
    properties: { colour: { type: 'string', maxLength: 16 }, count: { type: 'integer', minimum: 0, maximum: 9 } },
    required: ['colour', 'count'],
    additionalProperties: false,
  }));
  await page.locator('#schema').blur();
  await send(page, 'Pick a colour and a number.');
  const reply = await lastReply(page);
  await expect(reply.locator('.validation.valid')).toBeVisible();
  const run = await runOf(request, reply);
  const parsed = JSON.parse(run.reply);
  expect(Object.keys(parsed).sort()).toEqual(['colour', 'count']);
});
