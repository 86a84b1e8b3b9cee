import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { spawnBounded, type ProcessHandle } from '../test/kit/process.js';
import { analyze } from '../src/analysis/report/analyze.js';
import { reflectorInput } from '../test/analysis/report/inputs.js';
import { axeViolations } from './fixtures/axe.js';

/**
 * The help desk console (issue 12) in Chromium against its own `callprobe serve --users`:
 * no access without login; results seeded with known client addresses (X-Forwarded-For from
 * the --trust-proxy address); a tier 1 agent finds a result by code and by ticket, sees the
 * baseline and the culprit line, and none of the addresses in the page or any API response;
 * a tier 2 agent sees them. axe-core finds no serious violation.
 */
const OWN = { httpPort: 18291, turnPorts: '3630-3633', token: 'console-operator-token-0123456789' } as const;
const base = `http://127.0.0.1:${OWN.httpPort}`;
const USERS = { ana: { role: 'tier1', password: 'ana-tier-one-pw' }, bo: { role: 'tier2', password: 'bo-tier-two-pw' } } as const;
/** Each sample's client address as the proxy reported it. */
const SITE_CLIENTS = ['203.0.113.41', '203.0.113.42', '203.0.113.43', '203.0.113.44', '203.0.113.45', '203.0.113.46'];
const BAD_CLIENT = '198.51.100.77';

function report(o: { site: string | null; ticket: string | null; startedAt: string; lossEvery?: number }): unknown {
  return analyze(
    reflectorInput({
      count: 1500,
      meta: { site: o.site, ticket: o.ticket, startedAt: o.startedAt },
      ...(o.lossEvery !== undefined ? { up: { lost: (i: number) => i % (o.lossEvery as number) === 0 } } : {}),
    }),
  );
}

let dir = '';
let server: ProcessHandle | null = null;
let badCode = '';

/** `callprobe hash-password`, the password on stdin. */
function hash(password: string): string {
  return execFileSync(process.execPath, ['dist/server/cli.js', 'hash-password'], { input: `${password}\n`, timeout: 30_000, encoding: 'utf8' }).trim();
}

test.beforeAll(async ({ request }) => {
  dir = mkdtempSync(join(tmpdir(), 'callprobe-console-e2e-'));
  const users = Object.entries(USERS).map(([name, u]) => ({ name, role: u.role, passwordHash: hash(u.password) }));
  writeFileSync(join(dir, 'users.json'), JSON.stringify(users));
  server = spawnBounded(
    process.execPath,
    [
      'dist/server/cli.js',
      'serve',
      '--host',
      '127.0.0.1',
      '--http-port',
      String(OWN.httpPort),
      '--turn-ports',
      OWN.turnPorts,
      '--admin-token',
      OWN.token,
      '--db',
      join(dir, 'callprobe.db'),
      '--users',
      join(dir, 'users.json'),
      '--trust-proxy',
      '127.0.0.1',
      '--log-level',
      'info',
    ],
    { deadlineMs: 170_000 },
  );
  await server.waitForLine('callprobe serving', { timeoutMs: 20_000, what: 'serve ready' });
  const post = async (body: unknown, client: string): Promise<string> => {
    const res = await request.post(`${base}/api/results`, { data: body, headers: { authorization: `Bearer ${OWN.token}`, 'x-forwarded-for': client } });
    expect(res.status()).toBe(201);
    return ((await res.json()) as { code: string }).code;
  };
  for (const [i, client] of SITE_CLIENTS.entries()) await post(report({ site: 'Branch-7', ticket: null, startedAt: `2026-01-1${i}T09:00:00.000Z` }), client);
  badCode = await post(report({ site: 'Branch-7', ticket: 'INC-90210', startedAt: '2026-01-16T09:20:00.000Z', lossEvery: 8 }), BAD_CLIENT);
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
  await page.getByLabel('Result code').fill(badCode.toLowerCase());
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('heading', { name: '1 result' })).toBeFocused();
  await page.getByLabel('Result code').fill('');
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
  // On a phone the result's tables wrap inside the screen: no sideways scroll.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: test.info().outputPath('tier1-result-390.png'), fullPage: true });
  const everything = `${await pageText(page)}\n${api.join('\n')}`;
  expect(api.length).toBeGreaterThanOrEqual(4);
  for (const ip of [...SITE_CLIENTS, BAD_CLIENT]) expect(everything).not.toContain(ip);
  expect(everything).not.toContain('198.51.100.');
  expect(everything).not.toContain('203.0.113.');
});

test('tier 2 sees the client address and the network details', async ({ page }) => {
  await logIn(page, 'bo');
  await page.getByLabel('Ticket').fill('INC-90210');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('button', { name: `Open result ${badCode}` }).click();
  await expect(page.getByTestId('network')).toContainText(`Client address ${BAD_CLIENT} (198.51.100.0/24)`);
  await expect(page.getByTestId('network')).toContainText('NAT:');
  // The view of personal data is logged as an audit line.
  await server?.waitForLine(/personal-data-view/, { timeoutMs: 10_000, what: 'the audit line' });
});
