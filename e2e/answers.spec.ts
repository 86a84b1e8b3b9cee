import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { Report } from '../src/analysis/schema/report-schema.js';
import { startImpairProxy, type ImpairProxy } from '../bench/impair/proxy.js';
import type { ImpairmentScenario } from '../bench/impair/scenario.js';
import { CALLPROBE_PROBE_SIZES } from '../bench/accuracy/harness.js';
import { serveProcess, type ServeProcess } from '../test/kit/callprobe.js';
import { axeViolations } from './fixtures/axe.js';
import { workerPort } from './fixtures/env.js';
import { expect, test } from './fixtures/test.js';

/**
 * The page speaks to people: full 15 s tests in Chromium on a phone-sized screen, through the
 * test's own seeded impairment proxy in front of the relay (`--advertise` hands the page the
 * proxy's port). Each path must give its one-sentence answer and its first advice, the answer
 * in view and focused when the test ends, no horizontal scroll, and no serious axe-core
 * violation, and the verdict word, the answer and the result code on screen together once the
 * result is saved. Screenshots of every state are kept with the test's results. The full tests are
 * tagged @measure: an answer rests on measured figures, and on a starved machine the page
 * rightly says it could not judge, so they run one at a time in the measurement project, in
 * this order: the jitter answer last, on a server that has run tests (as a real one has). Run
 * beside another test, or as the first test of a server just started (here the page shares two
 * cores with the server, whose first test compiles its code as it runs), the page's sender fell
 * behind, rightly, and the answer left the jitter out as not the network's and named reorder.
 */
/** This worker's ports (e2e/fixtures/env.ts): the server's HTTP and relay port, and the proxy in front of the relay. */
let RELAY_PORT = 0;
let PROXY_PORT = 0;
let BASE = '';

let server: ServeProcess;
/** The server's store (the page saves each result there to get its code), removed at the end. */
let storeDir = '';

// Playwright reads fixtures from the first parameter's destructuring: none are used here.
// eslint-disable-next-line no-empty-pattern
test.beforeAll(async ({}, workerInfo) => {
  const httpPort = workerPort(18880, workerInfo.parallelIndex);
  RELAY_PORT = workerPort(4378, workerInfo.parallelIndex);
  PROXY_PORT = workerPort(14378, workerInfo.parallelIndex);
  BASE = `http://127.0.0.1:${httpPort}`;
  storeDir = mkdtempSync(join(tmpdir(), 'callprobe-answers-'));
  server = await serveProcess(
    { httpPort, turnPorts: RELAY_PORT, advertise: `127.0.0.1:${PROXY_PORT}`, db: join(storeDir, 'results.db') },
    { deadlineMs: 600_000 },
  );
});

test.afterAll(async () => {
  await server.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

async function withProxy<T>(scenario: Omit<ImpairmentScenario, 'probe' | 'startAfter' | 'seed'>, run: () => Promise<T>): Promise<T> {
  const proxy: ImpairProxy = await startImpairProxy({
    pairs: [{ listen: { host: '127.0.0.1', port: PROXY_PORT }, target: { host: '127.0.0.1', port: RELAY_PORT } }],
    scenario: { ...scenario, seed: `answers-${scenario.name}`, probe: { ...CALLPROBE_PROBE_SIZES }, startAfter: { ms: 1000 } },
    durationMs: 90_000,
  });
  try {
    return await run();
  } finally {
    await proxy.stop();
  }
}

/** The element that has the focus, looking through shadow roots. */
const deepFocus = (page: Page) =>
  page.evaluate(() => {
    let a: Element | null = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a ? `${a.tagName.toLowerCase()}#${a.id}` : 'none';
  });

/**
 * No horizontal scroll, no serious axe-core violation, and a screenshot. Both axe and a
 * full-page screenshot block the page's main thread for a while: during a full test that
 * gaps the sender, and the page rightly says burst loss could not be judged. So the running
 * state is checked in the short test, and the full tests only check its width.
 */
async function checkState(page: Page, name: string): Promise<void> {
  await checkWidth(page, name);
  expect(await axeViolations(page), `${name}: axe-core`).toEqual([]);
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
}

async function checkWidth(page: Page, name: string): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name}: no horizontal scroll`).toBeLessThanOrEqual(page.viewportSize()?.width ?? 0);
}

/**
 * Records in the page when the status line first said "Measuring" (the probes start then), when
 * the first provisional answer was on screen, and when the test was started, all on the page's
 * clock (performance.now()), polling every 20 ms.
 */
function recordFirstAnswer(page: Page): Promise<void> {
  return page.evaluate(() => {
    const at: { measuring?: number; answer?: number; seen: string[] } = { seen: [] };
    (window as unknown as { __firstAnswer: typeof at }).__firstAnswer = at;
    // Straight to the two places (the page's status line, the live panel's answer): a light poll, so as not to load the page it measures.
    const app = document.querySelector('cp-app')?.shadowRoot ?? null;
    const timer = setInterval(() => {
      if (at.measuring === undefined && /^Measuring/.test(app?.querySelector('.phase')?.textContent ?? '')) at.measuring = performance.now();
      const panel = app?.querySelector('cp-live-panel')?.shadowRoot ?? null;
      const shown = panel?.querySelector('[data-provisional]:not([data-provisional="none"]):not([data-provisional="busy-line"])') ?? null;
      if (app?.querySelector('cp-verdict-view') != null) clearInterval(timer);
      if (shown === null) return;
      at.answer ??= performance.now();
      const text = (shown.textContent ?? '').replace(/\s+/g, ' ').trim();
      if (at.seen.at(-1) !== text) at.seen.push(text);
    }, 25);
  });
}

/** Runs a full test from a click, saved, and returns the answer's text, the first advice's id, the report and when the first provisional answer came. */
async function answerAfterTest(
  page: Page,
  name: string,
): Promise<{
  sentence: string;
  findings: string[];
  firstAdvice: string | null;
  report: Report;
  firstAnswer: { fromClickMs: number; fromStreamMs: number; seen: string[] };
}> {
  await page.goto(`${BASE}/`);
  await checkState(page, `${name}-idle`);
  await recordFirstAnswer(page);
  const clickMs = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: 'Start test' }).click();
  await expect(page.getByRole('status').filter({ hasText: 's left' })).toBeVisible({ timeout: 15_000 });
  await checkWidth(page, `${name}-running`);
  const answer = page.locator('[data-answer]');
  await expect(answer).toBeVisible({ timeout: 45_000 });
  // The answer is in view and has the focus once the test ends.
  await expect.poll(() => deepFocus(page)).toBe('h2#answer');
  await expect(answer).toBeInViewport();
  // Saved: the verdict word, the answer and the result code on screen together, without scrolling.
  await expect(page.locator('[data-code]')).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/, { timeout: 20_000 });
  for (const sel of ['[data-title]', '[data-answer]', '[data-code]']) await expect(page.locator(sel), `${name}: ${sel} in view`).toBeInViewport({ ratio: 1 });
  await checkState(page, `${name}-answer`);
  const findings = await page.locator('[data-finding]').evaluateAll((els) => els.map((e) => e.getAttribute('data-finding') ?? ''));
  const result = (await page.evaluate(() => (globalThis as { __callprobeResult?: unknown }).__callprobeResult)) as { report: Report };
  const at = await page.evaluate(() => (window as unknown as { __firstAnswer: { measuring?: number; answer?: number; seen: string[] } }).__firstAnswer);
  return {
    sentence: (await answer.textContent()) ?? '',
    findings,
    // A clean pass has no advice at all: null then.
    firstAdvice: (await page.locator('[data-advice]').count()) === 0 ? null : await page.locator('[data-advice]').first().getAttribute('data-advice'),
    report: result.report,
    firstAnswer: { fromClickMs: (at.answer ?? Number.NaN) - clickMs, fromStreamMs: (at.answer ?? Number.NaN) - (at.measuring ?? Number.NaN), seen: at.seen },
  };
}

/** A loss the page settled while the test ran (and the verdict kept) is said as surely at the end: "will break up here". */
function lossSentence(r: Report, tail: string, forOthers = false): string {
  const settled = (r.provisional ?? []).some((a) => a.claims.some((c) => c.kind === 'settled-fail' && c.held === true));
  return settled
    ? `Calls will break up here${forOthers ? ' for the people you talk to' : ''}: ${tail}`
    : `Calls will likely break up${forOthers ? ' for the people you talk to' : ''}: ${tail}`;
}

test.use({ viewport: { width: 390, height: 844 } });

test('a clean path: calls should work well here', { tag: '@measure' }, async ({ page }) => {
  test.setTimeout(90_000);
  const a = await withProxy({ name: 'clean' }, () => answerAfterTest(page, 'clean'));
  expect(a.sentence).toBe('Calls should work well here.');
  // Nothing to try on a clean path: no "run a longer test" for a reorder no caller hears.
  expect(a.firstAdvice).toBeNull();
  // The first provisional answer: 3 s after the probes start, on screen within 3.5 s of it.
  console.log(
    `clean path: first provisional answer ${Math.round(a.firstAnswer.fromClickMs)} ms after the click, ${Math.round(a.firstAnswer.fromStreamMs)} ms after the probes started`,
  );
  expect(a.report.provisional?.[0]?.atMs).toBe(3000);
  expect(a.firstAnswer.fromStreamMs).toBeGreaterThanOrEqual(2900);
  expect(a.firstAnswer.fromStreamMs).toBeLessThan(3500);
  // Far under its target, the round trip is never called "close"; the label never counts past the test's 15 s.
  expect(a.firstAnswer.seen.length).toBeGreaterThan(0);
  for (const text of a.firstAnswer.seen) {
    expect(text).not.toMatch(/close to the 100 ms target/);
    expect(text).toMatch(/Provisional answer, (\d+(\.5)? s of 15 s measured|from \d+(\.5)? s of 15 s: finishing the test)/);
    expect(Number(/answer, (?:from )?(\d+(?:\.5)?) s of/.exec(text)?.[1])).toBeLessThanOrEqual(15);
  }
});

test('loss in both directions: calls will break up, and the first thing to try is the Wi-Fi or a cable', { tag: '@measure' }, async ({ page }) => {
  test.setTimeout(90_000);
  const a = await withProxy({ name: 'lossy-both', up: { loss: { probability: 0.04 } }, down: { loss: { probability: 0.04 } } }, () =>
    answerAfterTest(page, 'lossy-both'),
  );
  expect(a.sentence).toBe(lossSentence(a.report, 'your connection loses packets in both directions.'));
  expect(a.firstAdvice).toBe('wifi-or-cable');
});

test('loss upstream only, on a desktop screen in the dark theme: the people you talk to hear it, pause uploads', { tag: '@measure' }, async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'dark' });
  const a = await withProxy({ name: 'lossy-up', up: { loss: { probability: 0.04 } } }, () => answerAfterTest(page, 'lossy-up'));
  expect(a.sentence).toBe(lossSentence(a.report, 'your connection loses packets on the way out.', true));
  expect(a.firstAdvice).toBe('pause-uploads');
});

test('delay varying 0-120 ms on the way in: jitter on the way in, pause downloads first', { tag: '@measure' }, async ({ page }) => {
  test.setTimeout(180_000);
  // Independent delays of 0-120 ms on the way in (RFC 3550 jitter about 2 x 60 / 3 = 40 ms). The
  // graded RTP stream delivers every probe, reordered ones included, so no loss is
  // invented (the data channel used to abandon probes that overtook each other by more than
  // SCTP's fast-retransmit window): the jitter above the 30 ms target leads, on the way in.
  const scenario = { name: 'jittery-down', down: { delayMs: 60, jitter: { kind: 'uniform' as const, amplitudeMs: 60 }, jitterMayReorder: true } };
  let a = await withProxy(scenario, () => answerAfterTest(page, 'jittery-down'));
  // The answer needs a device that keeps up. Where this one fell behind (on a slower machine, once
  // in two clean-clone runs, with the jitter answer last as above), the page says so first and
  // leaves the jitter of those stretches out as not the network's, so reorder leads: right, but
  // not what this test is about. It runs once more; a second such run fails.
  if (a.firstAdvice === 'close-apps') {
    console.log(`jittery-down: the page saw this device fall behind ("${a.sentence}"); running it once more`);
    expect(a.report.summary.verdict).not.toBe('pass');
    a = await withProxy(scenario, () => answerAfterTest(page, 'jittery-down-again'));
  }
  expect(a.sentence).toBe('Calls will likely sound choppy: the timing of packets varies too much.');
  expect(a.findings[0]).toBe('jitter');
  expect(a.firstAdvice).toBe('pause-downloads');
});

test('a bad link and a test too short to judge, on a 360 px screen: said plainly, axe-clean', async ({ page }) => {
  test.setTimeout(60_000);
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`${BASE}/?profile=fastest`);
  await expect(page.getByRole('alert')).toContainText('profile must be');
  await checkState(page, 'bad-link');
  await withProxy({ name: 'short' }, async () => {
    await page.goto(`${BASE}/?save=0&duration=3`);
    await page.getByRole('button', { name: 'Start test' }).click();
    await expect(page.getByRole('status').filter({ hasText: 's left' })).toBeVisible({ timeout: 15_000 });
    await checkState(page, 'short-running');
    await expect(page.locator('[data-answer]')).toHaveText(/^No answer yet/, { timeout: 30_000 });
    await checkState(page, 'insufficient');
  });
});
