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

