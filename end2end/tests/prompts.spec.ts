import { expect, test, type Page } from '@playwright/test';
import { shot } from './helpers';

/** Opens the Prompt Hub and waits until the wasm has hydrated it. */
async function openHub(page: Page, path = '/prompts') {
  await page.goto(path);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** The version row numbered `n` in the versions panel. */
const version = (page: Page, n: number) => page.locator(`#versions .version[data-version="${n}"]`);

/** Points `label` at version `n` with the label form. */
async function setLabel(page: Page, label: string, n: number) {
  await page.locator('#label_name').fill(label);
  await page.locator('#label_version').selectOption(String(n));
  await page.locator('#set_label').click();
  await expect(page.locator(`.label[data-label="${label}"] .label-version`)).toHaveText(`v${n}`);
}

test('the hub starts with the starter prompts and a nav to the other pages', async ({ page }) => {
  await openHub(page);
  await expect(page.locator('.topnav a[href="/prompts"]')).toHaveAttribute('aria-current', 'page');
  await expect(page.locator('#prompt_list .prompt-link', { hasText: 'Summarise' })).toBeVisible();
  await expect(page.locator('#prompt_list .prompt-link', { hasText: 'Code review' })).toBeVisible();
  // A starter opens in the editor with its published, labelled version.
  await page.locator('#prompt_list .prompt-link', { hasText: 'Code review' }).click();
  await expect(page.locator('#prompt_name')).toHaveValue('Code review');
  await expect(version(page, 1).locator('.lifecycle')).toHaveText('published');
  await expect(page.locator('.label[data-label="production"] .label-version')).toHaveText('v1');
  await expect(page.locator('#var-code')).toBeVisible();
  await shot(page, 'hub-starter');
});

test('write, render, version, label, diff, hand over and delete a prompt', async ({ page }) => {
  const name = `Explainer ${Date.now()}`;
  await openHub(page);

  // A new prompt with a {{ topic }} variable: the form grows a field for it.
  await page.locator('#new_prompt').click();
  await expect(page).toHaveURL(/\/prompts\?id=new$/);
  await page.locator('#prompt_name').fill(name);
  await page.locator('#prompt_tags').fill('e2e, teaching');
  await page.locator('#prompt_description').fill('Explains a topic simply');
  await page.locator('#prompt_system').fill('You explain things simply.');
  await page.locator('#prompt_template').fill('Explain {{ topic }} in one paragraph.');
  const topic = page.locator('#var-topic');
  await expect(topic).toBeVisible();
  // Nothing is sent without a value: the undefined variable is listed at its place.
  await expect(page.locator('#issues .issue-undefined')).toContainText('topic');
  await expect(page.locator('#issues .issue-undefined .issue-place')).toHaveText(/^user 1:\d+$/);
  await topic.fill('tides');
  await expect(page.locator('#preview_message')).toHaveText('Explain tides in one paragraph.');
  await expect(page.locator('#preview_system')).toHaveText('You explain things simply.');
  await expect(page.locator('#issues')).toHaveCount(0);
  await shot(page, 'hub-preview');

  // A syntax error is reported with line and column, and the preview is withheld.
  await page.locator('#prompt_template').fill('Explain {{ topic }} in one paragraph.\nThen {{ oops }');
  const syntax = page.locator('#issues .issue-syntax');
  await expect(syntax).toContainText('syntax error');
  await expect(syntax.locator('.issue-place')).toHaveText(/^user 2:\d+$/);
  await expect(page.locator('#preview_message')).toHaveCount(0);
  // The form keeps its field while the template does not parse.
  await expect(topic).toHaveValue('tides');
  await shot(page, 'hub-syntax-error');
  await page.locator('#prompt_template').fill('Explain {{ topic }} in one paragraph.');
  await expect(page.locator('#preview_message')).toHaveText('Explain tides in one paragraph.');

  // JSON mode carries the values over and locates its own syntax errors.
  await page.locator('#variables_json_mode').check();
  await expect(page.locator('#variables_json')).toHaveValue(/"topic": "tides"/);
  await page.locator('#variables_json').fill('{\n  "topic": "the moon",\n}');
  await expect(page.locator('#variables_json_error .issue-place')).toHaveText('3:1');
  await page.locator('#variables_json').fill('{\n  "topic": "the moon"\n}');
  await expect(page.locator('#variables_json_error')).toHaveCount(0);
  await expect(page.locator('#preview_message')).toHaveText('Explain the moon in one paragraph.');
  await page.locator('#variables_json_mode').uncheck();
  await expect(topic).toHaveValue('the moon');

  // An example, a few parameters, then version 1.
  await page.locator('#add_example').click();
  await page.locator('.example .example-input').first().fill('rain');
  await page.locator('.example .example-output').first().fill('Water falls from clouds.');
  await page.locator('#prompt_temperature').fill('0.3');
  // A number that is not one is said beside its field, as in the playground.
  await page.locator('#prompt_seed').fill('-1');
  await expect(page.locator('.hub-params [role=alert]')).toHaveText(
    "Seed must be a whole number ≥ 0, or empty for the model's default",
  );
  await page.locator('#prompt_seed').fill('');
  await expect(page.locator('.hub-params [role=alert]')).toHaveCount(0);
  await page.locator('#prompt_max_tokens').fill('200');
  await page.locator('#commit_message').fill('First draft');
  await page.locator('#save_version').click();
  await expect(page).toHaveURL(/\/prompts\?id=[0-9a-f-]{36}$/);
  const id = new URL(page.url()).searchParams.get('id');
  await expect(version(page, 1).locator('.lifecycle')).toHaveText('draft');
  await expect(version(page, 1).locator('.version-message')).toHaveText('First draft');
  await expect(page.locator('#prompt_template')).toHaveValue('Explain {{ topic }} in one paragraph.');
  await expect(page.locator('.example .example-input')).toHaveValue('rain');
  await expect(page.locator('#prompt_temperature')).toHaveValue('0.3');

  // Version 2: the same prompt, changed.
  await page.locator('#prompt_template').fill('Explain {{ topic }} in two short paragraphs.');
  await page.locator('#prompt_temperature').fill('0.7');
  await page.locator('#commit_message').fill('Two paragraphs');
  await page.locator('#save_version').click();
  await expect(page.locator('#save_status')).toContainText('Saved version 2');
  await expect(version(page, 2).locator('.lifecycle')).toHaveText('draft');

  // Lifecycle: publish version 1; a draft offers publish and archive, a published one only archive.
  await expect(version(page, 1).locator('.set-lifecycle')).toHaveText(['Publish', 'Archive']);
  await version(page, 1).locator('.set-lifecycle[data-to="published"]').click();
  await expect(version(page, 1).locator('.lifecycle')).toHaveText('published');
  await expect(version(page, 1).locator('.set-lifecycle')).toHaveText(['Archive']);

  // Labels: set "production" on v1, then move it to v2.
  await setLabel(page, 'production', 1);
  await expect(version(page, 1).locator('.label-chip')).toHaveText('production');
  await setLabel(page, 'production', 2);
  await expect(version(page, 2).locator('.label-chip')).toHaveText('production');
  await expect(version(page, 1).locator('.label-chip')).toHaveCount(0);

  // Diff v1 → v2: removed and added lines, and the changed temperature.
  await page.locator('#diff_from').selectOption('1');
  await page.locator('#diff_to').selectOption('2');
  // Side by side: the old line beside the one replacing it, without the
  // unified diff's marks and remarks.
  const changed = page.locator('#diff table[data-part="user"] tr', { has: page.locator('.diff-del') });
  await expect(changed.locator('.diff-del')).toHaveText('Explain {{ topic }} in one paragraph.');
  await expect(changed.locator('.diff-add')).toHaveText('Explain {{ topic }} in two short paragraphs.');
  await expect(page.locator('#diff table[data-part="user"] thead')).toContainText('v1');
  await expect(page.locator('#diff')).not.toContainText('No newline at end of file');
  await expect(page.locator('#diff .diff-changes tr[data-field="params.temperature"]')).toBeVisible();
  await shot(page, 'hub-versions-diff');

  // Search and tag filter find it; the phone-width layout stacks.
  await page.locator('#prompt_search').fill(name);
  await expect(page.locator('#prompt_list .prompt-item')).toHaveCount(1);
  await page.locator('.tag-toggle[data-tag="e2e"]').click();
  await expect(page.locator('.tag-toggle[data-tag="e2e"]')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('#prompt_list .prompt-item')).toHaveCount(1);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'hub-phone');
  await page.setViewportSize({ width: 1280, height: 720 });

  // Paste the rendered prompt to the chat: the playground's fields are filled.
  await expect(topic).toHaveValue('the moon');
  await expect(page.locator('#preview_message')).toHaveText('Explain the moon in two short paragraphs.');
  await page.locator('#paste_rendered').click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('#message')).toHaveValue('Explain the moon in two short paragraphs.');
  await expect(page.locator('#system')).toHaveValue('You explain things simply.');
  await shot(page, 'hub-pasted-to-chat');

  // Open version 1 in the playground: its own text, examples as context.
  await openHub(page, `/prompts?id=${id}`);
  await page.locator('#var-topic').fill('tides');
  await version(page, 1).locator('.open-version').click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('#message')).toHaveValue('Explain tides in one paragraph.');
  await expect(page.locator('#context')).toHaveValue('Example 1\nInput: rain\nOutput: Water falls from clouds.');

  // Delete it, after confirming.
  await openHub(page, `/prompts?id=${id}`);
  const item = page.locator(`#prompt_list .prompt-item[data-id="${id}"]`);
  // Delete is out of the way until the card is pointed at.
  await page.mouse.move(1, 1);
  const opacity = () => item.locator('.delete-prompt').evaluate((el) => getComputedStyle(el).opacity);
  await expect.poll(opacity).toBe('0');
  await item.hover();
  await expect.poll(opacity).toBe('1');
  await item.locator('.delete-prompt').click();
  await item.locator('.cancel-delete').click();
  await expect(item.locator('.delete-prompt')).toBeVisible();
  await item.locator('.delete-prompt').click();
  await item.locator('.confirm-delete').click();
  await expect(item).toHaveCount(0);
  await expect(page).toHaveURL(/\/prompts$/);
  await expect(page.locator('.hub-empty')).toBeVisible();
});
