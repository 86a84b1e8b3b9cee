import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCallprobe, serveProcess, type ServeProcess } from '../test/kit/callprobe.js';
import type { SharedResult } from '../src/protocol/api.js';
import { axeViolations } from './fixtures/axe.js';
import { receivedMessages as received, startParentPage, type ParentPage } from './fixtures/embed-parent.js';
import { workerPort, workerPorts } from './fixtures/env.js';
import { expect, test } from './fixtures/test.js';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../client/headless/chromium.js';

/**
 * The test page in another site's frame, and one browser's tests side by side, in Chromium
 * against its own `callprobe serve --embed-origins <the listed parent> --users`:
 *
 * - a page on the listed origin (another port of 127.0.0.1: another origin) frames the test,
 *   which runs and posts `started` and then `result` with its code to that origin; the parent is
 *   not cross-origin isolated, so the stored report says the page was not isolated and the
 *   pacing worker fell back to setTimeout;
 * - a page on an unlisted origin cannot frame it: the frame's navigation is blocked by
 *   `frame-ancestors` (the frame holds Chromium's error page, not the test page);
 * - the result's page runs the test again: the new test shows the earlier one under "Your
 *   earlier tests here", and the console links the two both ways;
 * - in a Chromium with its default autoplay policy, a frame not allowed `autoplay` cannot start
 *   its audio without a click: the page waits for Start, says so, posts `needs-gesture` and stores
 *   nothing; Start clicked in the frame then runs the test to a stored result.
 *
 * The embedded run's accuracy is not checked here (a functional test on a shared machine): the
 * measurement project's e2e/embed-accuracy.spec.ts checks it against the impairment proxy.
 */
const USER = { name: 'ana', role: 'tier1', password: 'ana-tier-one-pw' } as const;
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

let dir = '';
let base = '';
let server: ServeProcess | null = null;
const parents: ParentPage[] = [];
let listedParent = '';
let unlistedParent = '';
let gestureParent = '';

// Playwright reads fixtures from the first parameter's destructuring: none are used here.
// eslint-disable-next-line no-empty-pattern
test.beforeAll(async ({}, workerInfo) => {
  const i = workerInfo.parallelIndex;
  const httpPort = workerPort(18930, i);
  const turnPorts = workerPorts(3700, i, 4);
  base = `http://127.0.0.1:${httpPort}`;
  listedParent = `http://127.0.0.1:${workerPort(18940, i)}`;
  dir = mkdtempSync(join(tmpdir(), 'callprobe-embed-e2e-'));
  const hashed = await runCallprobe(['hash-password'], 30_000, { input: `${USER.password}\n` });
  expect(hashed.code, hashed.stderr).toBe(0);
  writeFileSync(join(dir, 'users.json'), JSON.stringify([{ name: USER.name, role: USER.role, passwordHash: hashed.stdout.trim() }]));
  server = await serveProcess(
    {
      httpPort,
      turnPorts: `${turnPorts[0]}-${turnPorts[3]}`,
      db: join(dir, 'callprobe.db'),
      extra: ['--users', join(dir, 'users.json'), '--embed-origins', `${listedParent},http://127.0.0.1:${workerPort(18980, i)}`],
    },
    { deadlineMs: 170_000 },
  );
  const src = `${base}/?autostart=1&duration=2`;
  parents.push(await startParentPage(workerPort(18940, i), base, src));
  const unlisted = await startParentPage(workerPort(18950, i), base, src);
  parents.push(unlisted);
  unlistedParent = unlisted.origin;
  // The snippet as older docs gave it, without `autoplay`, from the listed origin's second port.
  const noAutoplay = await startParentPage(workerPort(18980, i), base, src, 'cross-origin-isolated; microphone; camera');
  parents.push(noAutoplay);
  gestureParent = noAutoplay.origin;
});

test.afterAll(async () => {
  for (const p of parents) await p.close();
  await server?.stop(5_000);
  rmSync(dir, { recursive: true, force: true });
});

test('a listed origin frames the test and receives its result; an unlisted one cannot frame it; a re-run is linked to it', async ({ page, request }) => {
  test.setTimeout(120_000);

  // The listed parent: the test runs in its frame and tells it the result, code included.
  await page.goto(listedParent);
  await expect.poll(async () => (await received(page)).find((m) => m.type === 'result') ?? null, { timeout: 60_000 }).not.toBeNull();
  const messages = await received(page);
  expect(messages[0]?.type).toBe('started');
  const result = messages.find((m) => m.type === 'result');
  expect(result).toMatchObject({ source: 'callprobe', version: 1, type: 'result', lang: 'en' });
  expect(result?.code).toMatch(CODE);
  expect(['pass', 'fail', 'insufficient']).toContain(result?.verdict);
  expect(result?.answer).toEqual(expect.any(String));
  const first = result?.code ?? '';
  // A parent that is not cross-origin isolated gives the frame no Atomics.wait: the report says so.
  const stored = (await (await request.get(`${base}/api/r/${first}`)).json()) as SharedResult;
  const report = stored.report as { meta: { clock?: { crossOriginIsolated: boolean | null } } };
  expect(report.meta.clock?.crossOriginIsolated).toBe(false);
  expect(JSON.stringify(stored.report)).toContain('paced by timeout');

  // The unlisted parent: its frame loads Chromium's error page, never the test page.
  const other = await page.context().newPage();
  await other.goto(unlistedParent);
  await expect.poll(() => other.evaluate(() => (window as unknown as { frameLoaded: boolean }).frameLoaded)).toBe(true);
  const framed = other.frames().find((f) => f !== other.mainFrame());
  expect(framed?.url()).not.toContain(base);
  expect(await received(other)).toEqual([]);
  const headers = (await request.get(`${base}/`)).headers();
  expect(headers['content-security-policy']).toContain(`frame-ancestors ${listedParent}`);
  expect(headers['content-security-policy']).not.toContain(unlistedParent);
  await other.close();

  // Run again from the first result's page: the earlier test is listed, and the console links the two.
  await page.goto(`${base}/r/${first}`);
  await page.getByRole('link', { name: 'Run the test again' }).click();
  await expect(page).toHaveURL(new RegExp(`previous=${first}`));
  const earlier = page.locator('[data-earlier-tests]');
  // Listed on arrival, before any test on this page.
  await expect(earlier.getByRole('link', { name: first })).toBeVisible();
  await page.getByRole('button', { name: 'Start test' }).click();
  const second = page.locator('[data-result-code]');
  await expect(second).toHaveText(CODE, { timeout: 60_000 });
  const secondCode = (await second.textContent()) ?? '';
  await expect(earlier.getByRole('heading', { name: 'Your earlier tests here' })).toBeVisible();
  await expect(earlier.getByRole('link', { name: first })).toHaveAttribute('href', `/r/${first}`);
  await expect(earlier.locator(`[data-earlier-code="${secondCode}"]`)).toHaveCount(0);
  expect(await axeViolations(page)).toEqual([]);
  // Clear empties this browser's list.
  await earlier.getByRole('button', { name: 'Clear' }).click();
  await expect(page.locator('[data-earlier-cleared]')).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem('callprobe.earlierTests'))).toBeNull();

  await page.goto(`${base}/console`);
  await page.getByLabel('User name').fill(USER.name);
  await page.getByLabel('Password').fill(USER.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('Result code').fill(secondCode);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('button', { name: `Open result ${secondCode}` }).click();
  await expect(page.locator('[data-chain="earlier"]')).toContainText(`Earlier test from the same browser (the browser's claim): ${first}`);
  await page
    .locator('[data-chain="earlier"]')
    .getByRole('button', { name: `Open result ${first}` })
    .click();
  await expect(page.locator('#result .code')).toHaveText(first);
  await expect(page.locator(`[data-chain-code="${secondCode}"]`)).toBeVisible();
});

test('a frame whose browser will not start its audio without a click waits for Start, tells its parent, and stores nothing', async () => {
  test.setTimeout(90_000);
  // Chromium's default autoplay policy: the project's browsers start with it lifted.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS.filter((a) => !a.startsWith('--autoplay-policy')), '--allow-loopback-in-peer-connection'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(gestureParent);
    await expect.poll(async () => (await received(page)).map((m) => m.type), { timeout: 20_000 }).toEqual(['needs-gesture']);
    const [asked] = await received(page);
    expect(asked).toMatchObject({ source: 'callprobe', version: 1, code: null, verdict: null, lang: 'en' });
    const frame = page.frameLocator('#probe');
    await expect(frame.locator('[data-needs-gesture]')).toHaveText(/^Press “Start test” to run the test/);
    // Start, clicked in the frame, is the gesture: the test runs and its result is stored.
    await frame.getByRole('button', { name: 'Start test' }).click();
    await expect.poll(async () => (await received(page)).find((m) => m.type === 'result') ?? null, { timeout: 60_000 }).not.toBeNull();
    const result = (await received(page)).find((m) => m.type === 'result');
    expect(result?.code).toMatch(CODE);
    const stored = (await (await page.request.get(`${base}/api/r/${result?.code ?? ''}`)).json()) as SharedResult;
    const report = stored.report as { summary: { packetsSent: number; packetsReceived: number } };
    expect(report.summary.packetsReceived).toBeGreaterThan(0);
  } finally {
    await browser.close();
  }
});
