import { readFileSync } from 'node:fs';
import type { Page, Route } from '@playwright/test';
import type { Report } from '../src/analysis/schema/report-schema.js';
import { axeViolations } from './fixtures/axe.js';
import { expect, test } from './fixtures/test.js';

/**
 * The page in German (`?lang=de`) and in Japanese (`?lang=ja`), on a phone (390x844): `<html
 * lang>`, the button, the verdict, the answer and the advice heading in that language, nothing
 * wider than the screen, axe-clean; the Japanese result's shared page (/r/<code>) in Japanese by
 * Accept-Language alone. As in code-in-view.spec.ts, only the page's session module is replaced
 * (by a stand-in that reports a golden report), so each run takes a second; the page, its
 * catalogues and the server that saves the result and serves /r/<code> are the real ones.
 */

const golden = (name: string): Report => JSON.parse(readFileSync(`test/analysis/report/golden/${name}.json`, 'utf8')) as Report;

/** The stand-in for src/session/run-session.ts: a phase, then `report`, started now so the store keeps it. */
const sessionStandIn = (report: Report): string => `export async function runSession(opts, env, events) {
  events.phase('analyzing', 'grading');
  const report = ${JSON.stringify(report)}; report.meta.startedAt = new Date().toISOString(); return report;
}\n`;

/** Opens the page at `path`, starts the test with the button named `start`, and waits for the saved result's code. */
async function runWith(page: Page, path: string, start: string, report: Report): Promise<string> {
  await page.route(/\/assets\/run-session-[\w-]+\.js$/, (route: Route) => route.fulfill({ contentType: 'text/javascript', body: sessionStandIn(report) }));
  await page.goto(path);
  await page.getByRole('button', { name: start }).click();
  const code = page.locator('[data-code]');
  await expect(code).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/, { timeout: 20_000 });
  return (await code.textContent()) ?? '';
}

/** Nothing wider than the phone, and no serious axe-core violation. */
async function fitsAndAxeClean(page: Page, name: string): Promise<void> {
  try {
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name}: nothing wider than the screen`).toBeLessThanOrEqual(390);
    expect(await axeViolations(page), `${name}: axe-core`).toEqual([]);
  } finally {
    await page.screenshot({ path: test.info().outputPath(`${name}-390x844.png`), fullPage: true });
  }
}

test.use({ viewport: { width: 390, height: 844 } });

test('German (?lang=de): the page, the verdict and the answer in German, axe-clean', async ({ page }) => {
  await runWith(page, '/?lang=de', 'Test starten', golden('loss-heavy'));
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.locator('[data-title]')).toHaveText('Nicht bestanden');
  await expect(page.locator('[data-answer]')).toHaveText('Anrufe werden wahrscheinlich abreißen: Ihre Verbindung verliert Pakete in beide Richtungen.');
  await expect(page.locator('[data-code-line]')).toHaveText(/^Ergebniscode für Ihren Helpdesk: [0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await expect(page.locator('section.banner h3')).toHaveText('Was Sie versuchen können');
  await fitsAndAxeClean(page, 'de');
});

test('Japanese (?lang=ja): the page and the answer in Japanese, axe-clean; its shared page in Japanese for a Japanese browser', async ({
  page,
  browser,
  server,
}) => {
  const code = await runWith(page, '/?lang=ja', 'テストを開始', golden('clean-15s'));
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  await expect(page.locator('[data-title]')).toHaveText('合格');
  await expect(page.locator('[data-answer]')).toHaveText('ここでは通話は問題なく使えるはずです。');
  // A clean pass: nothing to try, so no advice heading ("念のため" named a longer test for reorder alone).
  await expect(page.locator('section.banner h3')).toHaveCount(0);
  await fitsAndAxeClean(page, 'ja');

  // A reader whose browser asks for Japanese (its Accept-Language and navigator.languages), with no ?lang=.
  const reader = await browser.newContext({ locale: 'ja-JP', baseURL: server.baseUrl, viewport: { width: 390, height: 844 } });
  try {
    const shared = await reader.newPage();
    await shared.goto(`/r/${code}`);
    await expect(shared.locator('html')).toHaveAttribute('lang', 'ja');
    await expect(shared.locator('html')).toHaveAttribute('data-served-lang', 'ja');
    await expect(shared.locator('h2.shared')).toHaveText(`共有された結果 ${code}`);
    await expect(shared.locator('[data-answer]')).toHaveText('ここでは通話は問題なく使えるはずです。');
  } finally {
    await reader.close();
  }
});
