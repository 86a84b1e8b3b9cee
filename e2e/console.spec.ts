import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { runCallprobe, serveProcess, type ServeProcess } from '../test/kit/callprobe.js';
import { analyze } from '../src/analysis/report/analyze.js';
import { reflectorInput } from '../test/analysis/report/inputs.js';
import { loadSection } from '../test/analysis/site/week.js';
import { axeViolations } from './fixtures/axe.js';
import { workerPort, workerPorts } from './fixtures/env.js';
import { TICKET_HINT } from '../src/protocol/api-console.js';
import { expect, test } from './fixtures/test.js';

/**
 * The help desk console in Chromium against its own `callprobe serve --users`:
 * no access without login; results seeded with known client addresses (X-Forwarded-For from
 * the --trust-proxy address); a tier 1 agent finds a result by code and by ticket, sees the
 * baseline and the culprit line, and none of the addresses in the page or any API response;
 * a tier 2 agent sees them. axe-core finds no serious violation.
 */
const TOKEN = 'console-operator-token-0123456789';
/** This worker's server (e2e/fixtures/env.ts). */
let base = '';
const USERS = { ana: { role: 'tier1', password: 'ana-tier-one-pw' }, bo: { role: 'tier2', password: 'bo-tier-two-pw' } } as const;
/** Each sample's client address as the proxy reported it. */
const SITE_CLIENTS = ['203.0.113.41', '203.0.113.42', '203.0.113.43', '203.0.113.44', '203.0.113.45', '203.0.113.46'];
const BAD_CLIENT = '198.51.100.77';

function report(o: { site: string | null; ticket: string | null; startedAt: string; lossEvery?: number; rttMs?: number }): unknown {
  return analyze(
    reflectorInput({
      count: 1500,
      meta: { site: o.site, ticket: o.ticket, startedAt: o.startedAt },
      ...(o.lossEvery !== undefined ? { up: { lost: (i: number) => i % (o.lossEvery as number) === 0 } } : {}),
      ...(o.rttMs !== undefined ? { rttMs: () => o.rttMs as number } : {}),
    }),
  );
}

/** Midnight UTC `daysAgo` days before now. */
const dayStartUtc = (daysAgo: number): number => {
  const d = new Date(Date.now() - daysAgo * 86_400_000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
};
/**
 * Depot-3's samples, within the last 7 days: two days of three, each with its round trip; two
 * loaded the line (uploads added 150 and 90 ms at 2 and 1.5 Mbit/s, downloads 10 and 20 ms at
 * 40 and 50 Mbit/s).
 */
const DEPOT: ReadonlyArray<{ atMs: number; rttMs: number; load?: Parameters<typeof loadSection>[0] }> = [
  { atMs: dayStartUtc(2) + 9 * 3_600_000, rttMs: 20 },
  { atMs: dayStartUtc(2) + 9 * 3_600_000 + 600_000, rttMs: 30 },
  { atMs: dayStartUtc(2) + 10 * 3_600_000, rttMs: 40 },
  { atMs: dayStartUtc(1) + 14 * 3_600_000, rttMs: 50, load: { kind: 'suffers', up: [150, 2], down: [10, 40] } },
  { atMs: dayStartUtc(1) + 14 * 3_600_000 + 600_000, rttMs: 60, load: { kind: 'suffers', up: [90, 1.5], down: [20, 50] } },
  { atMs: dayStartUtc(1) + 14 * 3_600_000 + 1_200_000, rttMs: 150 },
];

let dir = '';
let server: ServeProcess | null = null;
let badCode = '';

/** `callprobe hash-password`, the password on stdin. */
async function hash(password: string): Promise<string> {
  const r = await runCallprobe(['hash-password'], 30_000, { input: `${password}\n` });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

test.beforeAll(async ({ request }, workerInfo) => {
  const httpPort = workerPort(18291, workerInfo.parallelIndex);
  const turnPorts = workerPorts(3630, workerInfo.parallelIndex, 4);
  base = `http://127.0.0.1:${httpPort}`;
  dir = mkdtempSync(join(tmpdir(), 'callprobe-console-e2e-'));
  const users = await Promise.all(Object.entries(USERS).map(async ([name, u]) => ({ name, role: u.role, passwordHash: await hash(u.password) })));
  writeFileSync(join(dir, 'users.json'), JSON.stringify(users));
  server = await serveProcess(
    {
      httpPort,
      turnPorts: `${turnPorts[0]}-${turnPorts[3]}`,
      adminToken: TOKEN,
      db: join(dir, 'callprobe.db'),
      logLevel: 'info',
      extra: ['--users', join(dir, 'users.json'), '--trust-proxy', '127.0.0.1'],
    },
    { deadlineMs: 170_000 },
  );
  const post = async (body: unknown, client: string): Promise<string> => {
    const res = await request.post(`${base}/api/results`, { data: body, headers: { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': client } });
    expect(res.status()).toBe(201);
    return ((await res.json()) as { code: string }).code;
  };
  for (const [i, client] of SITE_CLIENTS.entries()) await post(report({ site: 'Branch-7', ticket: null, startedAt: `2026-01-1${i}T09:00:00.000Z` }), client);
  badCode = await post(report({ site: 'Branch-7', ticket: 'INC-90210', startedAt: '2026-01-16T09:20:00.000Z', lossEvery: 8 }), BAD_CLIENT);
  for (const d of DEPOT) {
    const r = report({ site: 'Depot-3', ticket: null, startedAt: new Date(d.atMs).toISOString(), rttMs: d.rttMs });
    await post(d.load === undefined ? r : { ...(r as object), load: loadSection(d.load) }, '203.0.113.50');
  }
});

test.afterAll(async () => {
  await server?.stop(5_000);
  rmSync(dir, { recursive: true, force: true });
});

/** Every API response body the page receives, as text. */
function recordApi(page: Page): string[] {
  const bodies: string[] = [];
  page.on('response', (res) => {
    if (res.url().includes('/api/')) void res.text().then((t) => bodies.push(`${res.url()} ${t}`));
  });
  return bodies;
}

async function pageText(page: Page): Promise<string> {
  return page.evaluate(() => `${document.documentElement.outerHTML}${document.querySelector('cp-console')?.shadowRoot?.innerHTML ?? ''}`);
}

async function logIn(page: Page, name: keyof typeof USERS): Promise<void> {
  await page.goto(`${base}/console`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(USERS[name].password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText(`Logged in as ${name}`)).toBeVisible();
}

test('the console refuses access without login', async ({ page, request }) => {
  await page.goto(`${base}/console`);
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Search' })).toHaveCount(0);
  expect((await request.get(`${base}/api/console/results?ticket=INC-90210`)).status()).toBe(401);
  await page.getByLabel('User name').fill('ana');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('wrong user name or password');
  expect(await axeViolations(page)).toEqual([]);
});

test('tier 1 finds a result by code and by ticket, sees the baseline and the culprit, and no client address', async ({ page }) => {
  const api = recordApi(page);
  await logIn(page, 'ana');
  // The known sites come first, with what to look at: Branch-7's samples are all from January, so it is silent now.
  await expect(page.getByTestId('sites')).toContainText('Branch-7');
  await expect(page.getByTestId('sites')).toContainText('silent: no sample tested for');
  await page.getByLabel('Result code').fill(badCode.toLowerCase());
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('heading', { name: '1 result' })).toBeFocused();
  await page.getByLabel('Result code').fill('');
  // Anyone can store a result under any ticket: the console says tickets are hints.
  await expect(page.getByTestId('ticket-hint')).toHaveText(TICKET_HINT);
  await page.getByLabel('Ticket').fill('INC-90210');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('button', { name: `Open result ${badCode}` }).click();
  await expect(page.getByRole('heading', { name: `Result ${badCode}: fail` })).toBeFocused();
  await expect(page.getByTestId('baseline')).toContainText("The site's 6 samples of the last 7 days");
  await expect(page.getByTestId('culprit')).toContainText('Upstream');
  await expect(page.getByTestId('culprit')).toContainText('Worse than this site usually is');
  await expect(page.getByRole('heading', { name: 'What to tell the user' })).toBeVisible();
  await expect(page.getByTestId('network')).toHaveCount(0);
  expect(await axeViolations(page)).toEqual([]);
  // On a phone the page never scrolls sideways: a table too wide for the screen scrolls inside its own region.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: test.info().outputPath('tier1-result-390.png'), fullPage: true });
  const everything = `${await pageText(page)}\n${api.join('\n')}`;
  expect(api.length).toBeGreaterThanOrEqual(4);
  for (const ip of [...SITE_CLIENTS, BAD_CLIENT]) expect(everything).not.toContain(ip);
  expect(everything).not.toContain('198.51.100.');
  expect(everything).not.toContain('203.0.113.');
  // In German on the phone, the site list's longer words scroll inside its region: the page stays
  // within the screen and a site's name stays on one line.
  await page.goto(`${base}/console?lang=de`);
  const name = page.getByTestId('sites').getByRole('button', { name: 'Standortbericht von Branch-7 öffnen' });
  await expect(name).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const linesOf = (el: Element): number => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  };
  expect(await name.evaluate(linesOf)).toBe(1);
});

test('every search starts from an empty desk: a code read out with a space finds the result, a refused search leaves nothing of it on screen, a ticket by its start in any case', async ({
  page,
}) => {
  await logIn(page, 'ana');
  await page.getByLabel('Result code').fill(`${badCode.slice(0, 4)} ${badCode.slice(5)}`.toLowerCase());
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('button', { name: `Open result ${badCode}` }).click();
  await expect(page.getByRole('heading', { name: `Result ${badCode}: fail` })).toBeFocused();
  // The next caller's code, mistyped: refused, and the last caller's result is gone with it.
  await page.getByLabel('Result code').fill('7K3M-Q2X');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('alert')).toContainText('a result code is 8 letters and digits');
  await expect(page.getByRole('heading', { name: `Result ${badCode}: fail` })).toHaveCount(0);
  await expect(page.getByRole('button', { name: `Open result ${badCode}` })).toHaveCount(0);
  await expect(page.getByText(/^\d+ results?/)).toHaveCount(0);
  await page.getByLabel('Result code').fill('');
  await page.getByLabel('Ticket').fill('inc-902');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('heading', { name: '1 result' })).toBeFocused();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('button', { name: `Open result ${badCode}` })).toBeVisible();
});

test('tier 2 sees the client address and the network details', async ({ page }) => {
  await logIn(page, 'bo');
  await page.getByLabel('Ticket').fill('INC-90210');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('button', { name: `Open result ${badCode}` }).click();
  await expect(page.getByTestId('network')).toContainText(`Client address ${BAD_CLIENT} (198.51.100.0/24)`);
  await expect(page.getByTestId('network')).toContainText('NAT:');
  // The view of personal data is logged as an audit line.
  await server?.proc.waitForLine(/personal-data-view/, { timeoutMs: 10_000, what: 'the audit line' });
});

test.describe('the site report', () => {
  // Hours and days are shown in the browser's time zone: UTC here, as the samples are laid out.
  test.use({ timezoneId: 'UTC' });

  test("each target's P90 day by day and the hours of the week, each as a table, on a laptop and a phone", async ({ page }) => {
    await logIn(page, 'ana');
    await page.getByRole('button', { name: 'Open the site report of Depot-3' }).click();
    await expect(page.getByRole('heading', { name: /^Site report: Depot-3/ })).toBeFocused();
    await expect(page.getByTestId('site-report')).toContainText('6 samples graded of 6');
    // Day by day: the nearest-rank P90 of three round trips is the largest (20, 30, 40 -> 40; 50, 60, 150 -> 150).
    const date = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
    const days = page.getByTestId('site-days');
    const header = await days.locator('thead th').allTextContents();
    const rtt = header.findIndex((h) => h === 'Round trip (< 100 ms)');
    expect(rtt, header.join(' | ')).toBeGreaterThan(1);
    const rows = days.locator('tbody tr');
    await expect(rows).toHaveCount(2);
    const cellsOf = async (i: number): Promise<string[]> => rows.nth(i).locator('th, td').allTextContents();
    const first = await cellsOf(0);
    const second = await cellsOf(1);
    expect([first[0], first[1], first[rtt]]).toEqual([date(DEPOT[0]?.atMs ?? 0), '3', '40.0 ms']);
    expect([second[0], second[1], second[rtt]]).toEqual([date(DEPOT[3]?.atMs ?? 0), '3', '150.0 ms']);
    // Hours of the week as a table: one row per hour with a sample, the shares failed.
    const dayName = (ms: number): string => ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(ms).getUTCDay()] ?? '?';
    await page.getByText('The hours as a table').click();
    const hours = page.getByTestId('site-hours').locator('tbody tr');
    await expect(hours).toHaveCount(3);
    // Monday first: the cells of the earlier day may come after the later day's.
    const cell = (name: string) => hours.filter({ has: page.getByRole('rowheader', { name }) }).locator('td');
    await expect(cell(`${dayName(DEPOT[0]?.atMs ?? 0)} 09:00-10:00`)).toHaveText(['2', '0 (0%)', '30.0 ms']);
    await expect(cell(`${dayName(DEPOT[3]?.atMs ?? 0)} 14:00-15:00`)).toHaveText(['3', '1 (33.3%)', '150.0 ms']);
    await expect(page.getByTestId('site-heat')).toBeVisible();
    // The busy line of the two samples that loaded the line: nearest rank, P50 the 1st of 2, P90 the 2nd.
    const busy = page.getByTestId('site-busy-line').locator('tbody tr');
    await expect(busy.nth(0).locator('th, td')).toHaveText(['uploads', '2', '90.0 ms', '150.0 ms', 'C', '2', '1.5 Mbit/s']);
    await expect(busy.nth(1).locator('th, td')).toHaveText(['downloads', '2', '10.0 ms', '20.0 ms', 'A', '0', '40 Mbit/s']);
    await expect(page.getByTestId('site-report')).toContainText('Busy line (not part of the verdict): 2 samples loaded the line; calls suffered in 2.');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: test.info().outputPath('site-report-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: test.info().outputPath('site-report-390.png'), fullPage: true });
  });
});
