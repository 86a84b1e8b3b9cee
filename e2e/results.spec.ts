import type { Page } from '@playwright/test';
import { skipReason } from '../test/kit/requires.js';
import { axeViolations } from './fixtures/axe.js';
import { expect, test } from './fixtures/test.js';

/**
 * Results that reach the help desk, in Chromium against `callprobe serve`: the page
 * saves its result and shows a code and a link; the link shows the same verdict and numbers;
 * the keyboard alone copies the code; axe-core finds no serious or critical violation. The
 * store's tests are skipped on a server without the results store (POST /api/results 404).
 */

/** 8 Crockford base32 symbols (no I, L, O, U) as XXXX-XXXX. */
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

/** Runs one short test from the page and waits for the verdict. */
async function runTest(page: Page, search: string): Promise<void> {
  await page.goto(`/${search}`);
  await page.getByRole('button', { name: 'Start test' }).click();
  await expect(page.locator('[data-verdict]')).toBeVisible({ timeout: 60_000 });
}

/** axe-core's serious and critical violations on the page as it is now. */
const seriousViolations = (page: Page) => axeViolations(page);

/** Tabs forward until `target` has the focus (at most `max` presses); fails if it never does. */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el.matches(':focus'))) return;
  }
  throw new Error(`the keyboard never reached ${String(target)} in ${max} Tab presses`);
}

test.describe('with the results store', () => {
  let storeMissing = false;

  test.beforeAll(async ({ request }) => {
    // A store answers an empty body with 400 (malformed); a server without it has no such route.
    const probe = await request.post('/api/results', { data: {} });
    storeMissing = probe.status() === 404;
  });

  test.beforeEach(() => {
    const need = { tool: 'the results store', missing: storeMissing ? 'POST /api/results answers 404 on this server' : null };
    test.skip(skipReason('results that reach the help desk', [need]) !== null, 'needs the results store');
  });

  test('a finished test shows a code and a link; the link shows the same verdict and numbers', async ({ page, context, server: E2E }) => {
    await runTest(page, '?duration=3&ticket=E2E-1');
    const code = page.locator('[data-result-code]');
    await expect(code).toHaveText(CODE);
    const codeText = (await code.textContent()) ?? '';
    await expect(page.getByText('Your result code')).toBeVisible();
    const link = page.locator('[data-result-link]');
    await expect(link).toHaveAttribute('href', `${E2E.baseUrl}/r/${codeText}`);

    const verdict = await page.locator('[data-verdict]').getAttribute('data-verdict');
    const figures = await page.locator('[data-figure]').allTextContents();
    const targets = await page.locator('tr[data-target]').allTextContents();
    expect(figures.length).toBeGreaterThan(0);

    const shared = await context.newPage();
    await shared.goto((await link.getAttribute('href')) ?? '');
    await expect(shared.getByRole('heading', { name: `Shared result ${codeText}` })).toBeVisible();
    await expect(shared.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
    await expect(shared.locator('[data-verdict]')).toHaveAttribute('data-verdict', verdict ?? '');
    expect(await shared.locator('[data-figure]').allTextContents()).toEqual(figures);
    expect(await shared.locator('tr[data-target]').allTextContents()).toEqual(targets);
    await expect(shared.getByRole('button', { name: 'Start test' })).toHaveCount(0);
    await expect(shared.getByRole('link', { name: 'Run the test again' })).toHaveAttribute('href', `/?duration=3&ticket=E2E-1&previous=${codeText}`);
    // The code is accepted in lower case and without the hyphen.
    await shared.goto(`/r/${codeText.replace('-', '').toLowerCase()}`);
    await expect(shared.locator('[data-verdict]')).toHaveAttribute('data-verdict', verdict ?? '');
  });

  test('the keyboard alone copies the code', async ({ page }) => {
    await runTest(page, '?duration=2');
    const code = page.locator('[data-result-code]');
    await expect(code).toHaveText(CODE);
    const copy = page.getByRole('button', { name: 'Copy code' });
    await page.locator('body').focus();
    await tabTo(page, copy);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('status').filter({ hasText: 'Code copied.' })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await code.textContent());
  });

  test('axe-core finds no serious violation on the page with a result and on the shared page', async ({ page, context }) => {
    await runTest(page, '?duration=2');
    await expect(page.locator('[data-result-code]')).toHaveText(CODE);
    expect(await seriousViolations(page)).toEqual([]);
    const shared = await context.newPage();
    await shared.goto((await page.locator('[data-result-link]').getAttribute('href')) ?? '');
    await expect(shared.locator('[data-verdict]')).toBeVisible();
    expect(await seriousViolations(shared)).toEqual([]);
  });

  test('a test that could not run still gets a code, and its link says what failed', async ({ page, context }) => {
    await page.goto('/?turn=udp:3999');
    await page.getByRole('button', { name: 'Start test' }).click();
    await expect(page.getByRole('heading', { name: 'The test could not run' })).toBeVisible();
    const code = page.locator('[data-result-code]');
    await expect(code).toHaveText(CODE);
    const shared = await context.newPage();
    await shared.goto((await page.locator('[data-result-link]').getAttribute('href')) ?? '');
    const failed = shared.locator('[data-shared="could-not-test"]');
    await expect(failed).toContainText('The test could not run.');
    await expect(failed).toContainText('No relay port answered');
    await expect(failed).toContainText('udp/3999');
    await expect(shared.getByRole('link', { name: 'Run the test again' })).toHaveAttribute(
      'href',
      `/?turn=udp%3A3999&previous=${(await code.textContent()) ?? ''}`,
    );
  });

  test('an unknown code says so', async ({ page }) => {
    await page.goto('/r/ZZZZ-ZZZZ');
    await expect(page.getByRole('heading', { name: 'No result with this code' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
});

test.describe('without the store', () => {
  test('axe-core finds no serious violation on the start page', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('button', { name: 'Start test' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('?save=0: the page says the result is not saved and offers the details and the JSON', async ({ page }) => {
    let posts = 0;
    await page.route('**/api/results', (route) => {
      posts++;
      return route.continue();
    });
    await runTest(page, '?duration=2&save=0');
    const card = page.locator('[data-save="off"]');
    await expect(card).toContainText('Not saved');
    await expect(card.getByRole('button', { name: 'Copy details' })).toBeVisible();
    await expect(card.getByRole('button', { name: 'Download the full report (JSON)' })).toBeVisible();
    expect(posts).toBe(0);
  });

  test('a server that cannot be reached: the page says so, and Copy details (by keyboard) and the JSON keep the result', async ({ page }) => {
    await page.route('**/api/results', (route) => route.abort('connectionrefused'));
    await runTest(page, '?duration=2');
    const card = page.locator('[data-save="failed"]');
    await expect(card).toContainText('Not saved: the server could not be reached', { timeout: 15_000 });
    const copy = card.getByRole('button', { name: 'Copy details' });
    await page.locator('body').focus();
    await tabTo(page, copy);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('status').filter({ hasText: 'Details copied.' })).toBeVisible();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^callprobe result: (Pass|Fail|No verdict)/);
    expect(copied).toMatch(/round trip p50/);
    const download = page.waitForEvent('download');
    await card.getByRole('button', { name: 'Download the full report (JSON)' }).click();
    expect((await download).suggestedFilename()).toMatch(/^callprobe-.*\.json$/);
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('where the browser refuses the clipboard, Copy details selects the text and says to press Ctrl+C', async ({ browser }) => {
    const context = await browser.newContext({ permissions: [] });
    const page = await context.newPage();
    await page.route('**/api/results', (route) => route.abort('connectionrefused'));
    await page.addInitScript(() => {
      Object.defineProperty(navigator, 'clipboard', { value: { writeText: () => Promise.reject(new Error('denied by the test')) } });
    });
    await runTest(page, '?duration=1');
    const card = page.locator('[data-save="failed"]');
    await card.getByRole('button', { name: 'Copy details' }).click({ timeout: 15_000 });
    await expect(page.getByRole('status').filter({ hasText: 'press Ctrl+C' })).toContainText('denied by the test');
    await expect(card.locator('details')).toHaveAttribute('open', '');
    expect(await page.evaluate(() => document.getSelection()?.toString() ?? '')).toMatch(/^callprobe result: /);
    await context.close();
  });
});
