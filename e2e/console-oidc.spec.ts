import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveProcess, type ServeProcess } from '../test/kit/callprobe.js';
import { startProvider, type TestProvider } from '../test/kit/oidc-provider.js';
import { hashPassword } from '../server/console/auth.js';
import { CONSTANTS } from '../src/protocol/defaults.js';
import { axeViolations } from './fixtures/axe.js';
import { workerPort } from './fixtures/env.js';
import { expect, test } from './fixtures/test.js';

/**
 * The help desk console signing in through the company's identity provider, in Chromium, against
 * `callprobe serve --oidc-issuer` with a groups file and a local user beside it (--users). The
 * provider is a real one (oidc-provider, test/kit/oidc-provider.ts) on 127.0.0.2: another site
 * than the console's 127.0.0.1, as a company's provider is, so its answer comes back as a
 * cross-site navigation. First the provider is not up yet: the login page says so and that the
 * local user still logs in, which it does. Then an account of the tier 2 group signs in through it
 * and sees the console at tier 2; an account of no mapped group gets no console and is told why.
 */
const CLIENT = { clientId: 'callprobe-console', clientSecret: 'provider-given-secret-e2e-0123456789' };
const ACCOUNTS = { ana: { groups: ['staff', 'helpdesk-tier2'] }, cy: { groups: ['staff'] } };
const LOCAL = { name: 'dee', password: 'local-fallback-password' };

let base = '';
let dir = '';
let providerPort = 0;
let server: ServeProcess | null = null;
let provider: TestProvider | null = null;

test.describe.configure({ mode: 'serial' });

// Playwright reads fixtures from the first parameter's destructuring: none are used here.
// eslint-disable-next-line no-empty-pattern
test.beforeAll(async ({}, workerInfo) => {
  const httpPort = workerPort(18960, workerInfo.parallelIndex);
  providerPort = workerPort(18970, workerInfo.parallelIndex);
  base = `http://127.0.0.1:${httpPort}`;
  dir = mkdtempSync(join(tmpdir(), 'callprobe-console-oidc-e2e-'));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const passwordHash = await hashPassword(LOCAL.password, { ...CONSTANTS.console.scrypt, N: 16_384 });
  server = await serveProcess(
    {
      httpPort,
      db: join(dir, 'callprobe.db'),
      logLevel: 'info',
      extra: [
        // The console alone: no relay, no reflector.
        '--external-turn',
        'turn:127.0.0.1:3478?transport=udp',
        '--no-reflector',
        '--users',
        file('users.json', JSON.stringify([{ name: LOCAL.name, role: 'tier2', passwordHash }])),
        '--oidc-issuer',
        `http://127.0.0.2:${providerPort}`,
        '--oidc-client-id',
        CLIENT.clientId,
        '--oidc-secret-file',
        file('secret', `${CLIENT.clientSecret}\n`),
        '--oidc-groups',
        file('groups.json', JSON.stringify({ tier1: ['helpdesk-tier1'], tier2: ['helpdesk-tier2'] })),
      ],
    },
    { deadlineMs: 120_000 },
  );
});

test.afterAll(async () => {
  await server?.stop(5_000);
  await provider?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('with the provider down, the login page says local sign-in still works, and it does', async ({ page }) => {
  await page.goto(`${base}/console`);
  await expect(page.getByTestId('issuer-down')).toHaveText(
    "Your company's sign-in is not answering right now. Console user names and passwords still work: log in below.",
  );
  await expect(page.getByRole('link', { name: 'Sign in with your company account' })).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  await page.getByLabel('User name').fill(LOCAL.name);
  await page.getByLabel('Password').fill(LOCAL.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText(`Logged in as ${LOCAL.name} (tier 2)`)).toBeVisible();
  provider = await startProvider({ port: providerPort, ...CLIENT, redirectUris: [`${base}/api/console/oidc/callback`], accounts: ACCOUNTS });
});

/** The console's login page once the server sees the provider answer (it asks again within seconds), then the provider's own login page for `account`. */
async function signInAt(page: import('@playwright/test').Page, account: string): Promise<void> {
  await expect
    .poll(async () => ((await (await page.request.get(`${base}/api/console/sign-in`)).json()) as { company: string }).company, { intervals: [250] })
    .toBe('up');
  await page.goto(`${base}/console`);
  await page.getByRole('link', { name: 'Sign in with your company account' }).click();
  await expect(page.getByRole('heading', { name: 'Corp sign-in' })).toBeVisible();
  await page.getByLabel('Account').fill(account);
  await page.getByRole('button', { name: 'Sign in to Corp' }).click();
}

test('an account of the tier 2 group signs in through the provider and sees the console at tier 2', async ({ page }) => {
  await signInAt(page, 'ana');
  await expect(page.getByText('Logged in as ana@corp.example (tier 2)')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Search' })).toBeVisible();
  // Tier 2's own: the export.
  await expect(page.getByRole('heading', { name: 'Export results' })).toBeVisible();
  expect(page.url()).toBe(`${base}/console`);
});

test('an account of no mapped group gets no console, and is told why', async ({ page }) => {
  await signInAt(page, 'cy');
  await expect(page.getByTestId('sign-in-outcome')).toHaveText(
    'Your company account is in none of the groups this console lets in. Ask whoever runs callprobe to add you to the help desk group.',
  );
  // The reason is taken off the address; no session, no desk.
  expect(page.url()).toBe(`${base}/console`);
  await expect(page.getByRole('button', { name: 'Search' })).toHaveCount(0);
  expect((await page.request.get(`${base}/api/console/me`)).status()).toBe(401);
});
