import { readFileSync } from 'node:fs';
import type { Page, Route } from '@playwright/test';
import type { Report } from '../src/analysis/schema/report-schema.js';
import { expect, test } from './fixtures/test.js';

/**
 * After every kind of result, on a phone (390x844), the verdict word, the one-line answer and
 * the result code are on screen without scrolling: pass, fail, no verdict (a busy device, over a
 * TCP fallback), could not test (no relay port answered; and a test that could not run at all),
 * and a pass only over a fallback path. The page is the real one, served by the worker's server,
 * and saves each result there to get its code; only its session module is replaced (the test
 * routes the page's lazily loaded run-session chunk to a stand-in that reports a golden report,
 * or fails with a reason), so each case takes a second instead of a full 15 s test through an
 * impaired path. The page's own answers to real tests are checked in answers.spec.ts.
 */

const golden = (name: string): Report => JSON.parse(readFileSync(`test/analysis/report/golden/${name}.json`, 'utf8')) as Report;

/** fallback-tcp's ladder and path (UDP 3478-3481 silent, the test over TCP 3478) under another report's verdict. */
function overTcp(r: Report): Report {
  const fallback = golden('fallback-tcp');
  return { ...r, connectivity: fallback.connectivity, path: fallback.path, hints: fallback.hints };
}

/**
 * The stand-in for src/session/run-session.ts: the phases and live figures a test goes through,
 * then `outcome` (a report, started now so the store keeps it) or a failure with its reason, as
 * the session's SetupError carries one.
 */
function sessionStandIn(outcome: { report: Report } | { reason: string; message: string }): string {
  const end =
    'report' in outcome
      ? `const report = ${JSON.stringify(outcome.report)}; report.meta.startedAt = new Date().toISOString(); return report;`
      : `const err = new Error(${JSON.stringify(outcome.message)}); err.reason = ${JSON.stringify(outcome.reason)}; throw err;`;
  return `export async function runSession(opts, env, events) {
    events.phase('connecting', 'to the test server through its relay');
    await new Promise((resolve) => setTimeout(resolve, 20));
    events.phase('streaming', "sending packets like a call's audio through the relay and back for 15 s");
    for (let s = 0.5; s <= 15; s += 0.5) events.live({ elapsedS: s, rttMs: 1 + (s % 3) / 10, jitterMs: 0.3, sent: s * 100, received: s * 100, provisional: null, method: 'stand-in', mainThreadSender: false });
    events.phase('analyzing', 'grading');
    ${end}
  }\n`;
}

/** Runs the page's test with the stand-in session, and waits for the result code (its save to the worker's server). */
async function runWith(page: Page, outcome: Parameters<typeof sessionStandIn>[0]): Promise<void> {
  let stoodIn = 0;
  await page.route(/\/assets\/run-session-[\w-]+\.js$/, (route: Route) => {
    stoodIn++;
    return route.fulfill({ contentType: 'text/javascript', body: sessionStandIn(outcome) });
  });
  await page.goto('/');
  await page.getByRole('button', { name: 'Start test' }).click();
  await expect(page.locator('[data-code]')).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/, { timeout: 20_000 });
  // The page's session chunk was the one stood in for (a renamed chunk would run a real test instead).
  expect(stoodIn).toBe(1);
}

/** The verdict word, the answer and the code wholly on the first screenful the page scrolled to, nothing wider than the screen. */
async function inView(page: Page, name: string, verdict: { title: string; answer: string }): Promise<void> {
  try {
    const title = page.locator(verdict.title);
    const answer = page.locator(verdict.answer);
    const code = page.locator('[data-code]');
    await expect(title, `${name}: the verdict word`).toBeVisible();
    for (const [what, el] of [
      ['the verdict word', title],
      ['the answer', answer],
      ['the result code', code],
    ] as const)
      await expect(el, `${name}: ${what} in view without scrolling`).toBeInViewport({ ratio: 1 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name}: nothing wider than the screen`).toBeLessThanOrEqual(390);
  } finally {
    await page.screenshot({ path: test.info().outputPath(`${name}-390x844.png`) });
  }
}

const BANNER = { title: '[data-title]', answer: '[data-answer]' };

test.use({ viewport: { width: 390, height: 844 } });

test('pass: the verdict word, the answer and the result code in view', async ({ page }) => {
  await runWith(page, { report: golden('clean-15s') });
  await expect(page.locator('[data-title]')).toHaveText('Pass');
  await inView(page, 'pass', BANNER);
});

test('fail with three things to try, over a TCP fallback: the verdict, the answer and the code in view, the blocked ports on top', async ({ page }) => {
  await runWith(page, { report: overTcp(golden('loss-heavy')) });
  await expect(page.locator('[data-title]')).toHaveText('Fail');
  expect(await page.locator('[data-advice]').count()).toBeGreaterThanOrEqual(3);
  await expect(page.locator('[data-fact="fallback-path"]')).toContainText('Ask your network team to allow UDP 3478-3481 outbound');
  await inView(page, 'fail', BANNER);
});

test('no verdict on a busy device over a TCP fallback: in view, and the blocked ports with their action beside the busy device', async ({ page }) => {
  await runWith(page, { report: overTcp(golden('troubled-sender')) });
  await expect(page.locator('[data-answer]')).toHaveText(/^No verdict: this device was too busy/);
  await expect(page.locator('[data-fact="fallback-path"]')).toBeInViewport();
  await inView(page, 'insufficient', BANNER);
});

test('could not test (no relay port answered): in view', async ({ page }) => {
  await runWith(page, { report: golden('could-not-connect') });
  await expect(page.locator('[data-title]')).toHaveText('No verdict: could not connect');
  await inView(page, 'could-not-connect', BANNER);
});

test('could not run at all: the title, what failed and the code of its record in view', async ({ page }) => {
  await runWith(page, { reason: 'relay-unreachable', message: 'no relay candidate: turn:127.0.0.1:3478?transport=udp: 701 STUN host lookup received error' });
  await expect(page.locator('#could-not-run')).toHaveText('The test could not run');
  await expect(page.locator('[data-could-not-run-answer]')).toHaveText(/^No relay port answered: /);
  await inView(page, 'could-not-run', { title: '#could-not-run', answer: '[data-could-not-run-answer]' });
});

test('a pass only over a fallback path: the verdict, the answer, the code and the caution in view', async ({ page }) => {
  await runWith(page, { report: golden('fallback-tcp') });
  await expect(page.locator('[data-title]')).toHaveText('Pass, only over a fallback path');
  await expect(page.locator('[data-caution]')).toBeInViewport();
  await inView(page, 'caution', BANNER);
});
