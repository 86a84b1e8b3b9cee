/**
 * The console's sign-in through the company's identity provider, against a real OpenID provider
 * (oidc-provider, test/kit/oidc-provider.ts) on 127.0.0.2, the console through Fastify's inject
 * on an SQLite store, its clock settable: a group mapped to tier 2 opens the console at tier 2
 * (and the audit line of a client address viewed names the provider's subject), another group
 * tier 1, no mapped group no console; a tampered state, an answer without this browser's cookie,
 * a replayed answer and one back after 10 minutes are refused; an expired session signs in again
 * (the provider's own session still open: no second login there); local users work beside it, and
 * when the provider stops answering the login page is told so while passwords still work, and told
 * again within seconds when it is back; starts are limited per address.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/http/app.js';
import { hashPassword, type ConsoleUser } from '../../../server/console/auth.js';
import type { ConsoleOidcOptions } from '../../../server/console/oidc-config.js';
import { CONSTANTS, DEFAULTS } from '../../../src/protocol/defaults.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { ResultAck } from '../../../src/protocol/api.js';
import type { ResultStore } from '../../../server/store/index.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { startProvider, walkProvider, type CookieJar, type TestProvider } from '../../kit/oidc-provider.js';
import { open, sqliteKind, storeOptions, testClock, type TestClock } from '../store/store-kit.js';

const HOST = 'console.test';
const CALLBACK = `http://${HOST}/api/console/oidc/callback`;
const CLIENT = { clientId: 'callprobe-console', clientSecret: 'provider-given-secret-0123456789' };
const ACCOUNTS = { ana: { groups: ['staff', 'helpdesk-tier2'] }, bo: { groups: ['helpdesk-tier1'] }, cy: { groups: ['staff'] } };
const TOKEN = 'operator-token-0123456789';
const PASSWORD = 'local-fallback-password';

interface LogLine {
  console?: string;
  audit?: string;
  why?: string;
  user?: string;
  subject?: string;
  issuer?: string;
}

const kind = sqliteKind();
let webRoot: string;
let provider: TestProvider;
let localUsers: ConsoleUser[];
const closing: Array<() => Promise<void>> = [];

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'callprobe-console-oidc-'));
  await kind.setup();
  provider = await startProvider({ ...CLIENT, redirectUris: [CALLBACK], accounts: ACCOUNTS });
  localUsers = [{ name: 'dee', role: 'tier2', passwordHash: await hashPassword(PASSWORD, { ...CONSTANTS.console.scrypt, N: 16_384 }) }];
});

afterAll(async () => {
  for (const close of closing.reverse()) await close();
  await provider.close();
  await kind.teardown();
  rmSync(webRoot, { recursive: true, force: true });
});

function oidcOptions(issuer: string): ConsoleOidcOptions {
  return {
    ...DEFAULTS.console.oidc,
    issuer,
    ...CLIENT,
    groups: { claim: 'groups', tier1: ['helpdesk-tier1'], tier2: ['helpdesk-tier2'], scopes: [] },
  };
}

interface Built {
  app: FastifyInstance;
  store: ResultStore;
  clock: TestClock;
  log: LogLine[];
}

async function build(o: { issuer?: string; users?: ConsoleUser[] | null; perAddress?: number } = {}): Promise<Built> {
  const clock = testClock();
  const log: LogLine[] = [];
  const store = await open(await kind.freshTarget(), storeOptions(clock, 11));
  const app = await buildApp({
    ...appOptionsWithoutRelay(webRoot),
    logLevel: 'info',
    logStream: { write: (line) => log.push(JSON.parse(line) as LogLine) },
    results: resultsOptions(store, TOKEN),
    console: {
      users: o.users === undefined ? null : o.users,
      oidc: oidcOptions(o.issuer ?? provider.issuer),
      nowMs: clock.nowMs,
      idleMs: DEFAULTS.console.sessionIdleMs,
      absoluteMs: DEFAULTS.console.sessionAbsoluteMs,
      loginsPerMinutePerAddress: o.perAddress ?? 1000,
      loginThrottle: DEFAULTS.console.loginThrottle,
    },
  });
  await app.ready();
  closing.push(async () => {
    await app.close();
    await store.close();
  });
  return { app, store, clock, log };
}

const get = (app: FastifyInstance, url: string, cookie = '', ip = '192.0.2.10'): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'GET', url, remoteAddress: ip, headers: { host: HOST, ...(cookie !== '' ? { cookie } : {}) } });

/** The name=value of the response's cookie `name` ('' when it sets none). */
function cookieSet(res: LightMyRequestResponse, name: string): string {
  const lines = [res.headers['set-cookie'] ?? []].flat();
  return (lines.find((l) => l.startsWith(`${name}=`)) ?? '').split(';')[0] ?? '';
}

/** GET start: the provider's authorization URL, and this browser's pending cookie. */
async function start(app: FastifyInstance, ip?: string): Promise<{ authUrl: string; pending: string }> {
  const res = await get(app, '/api/console/oidc/start', '', ip);
  expect(res.statusCode, res.body).toBe(303);
  const authUrl = String(res.headers.location);
  expect(authUrl.startsWith(`${provider.issuer}/auth?`), authUrl).toBe(true);
  const pending = cookieSet(res, 'callprobe_oidc');
  expect(pending).toMatch(/^callprobe_oidc=[A-Za-z0-9_-]{43}$/);
  return { authUrl, pending };
}

/** The callback's path and query from the URL the provider sent the browser to. */
const callbackPath = (url: string): string => {
  const u = new URL(url);
  expect(`${u.origin}${u.pathname}`).toBe(CALLBACK);
  return `${u.pathname}${u.search}`;
};

/** A whole sign-in of `account`: the console's session cookie, or the callback's answer when it opened none. */
async function signIn(app: FastifyInstance, account: string, jar: CookieJar = new Map()): Promise<{ res: LightMyRequestResponse; session: string }> {
  const { authUrl, pending } = await start(app);
  const res = await get(app, callbackPath(await walkProvider(authUrl, account, jar)), pending);
  return { res, session: cookieSet(res, 'callprobe_console') };
}

async function storeResultWithAddress(app: FastifyInstance): Promise<string> {
  const report = analyze(reflectorInput({ count: 300, meta: { site: 'HQ', ticket: null, startedAt: '2026-01-15T09:00:00.000Z' } }));
  const res = await app.inject({
    method: 'POST',
    url: '/api/results',
    remoteAddress: '203.0.113.41',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    payload: JSON.stringify(report),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<ResultAck>().id;
}

describe('console sign-in through the company identity provider', () => {
  it('a group mapped to tier 2 opens the console at tier 2; the audit line names the provider subject', async () => {
    const { app, log } = await build();
    const { res, session } = await signIn(app, 'ana');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console');
    expect([res.headers['set-cookie']].flat().join('\n')).toMatch(/callprobe_console=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict/);
    // The pending sign-in's cookie goes as the session comes.
    expect([res.headers['set-cookie']].flat().join('\n')).toMatch(/callprobe_oidc=; Path=\/api\/console\/oidc\/; Max-Age=0; HttpOnly; SameSite=Lax/);
    expect((await get(app, '/api/console/me', session)).json()).toEqual({ name: 'ana@corp.example', role: 'tier2' });
    expect(log).toContainEqual(expect.objectContaining({ console: 'login', user: 'ana@corp.example', subject: 'ana', issuer: provider.issuer }));
    const id = await storeResultWithAddress(app);
    const view = await get(app, `/api/console/results/${id}`, session);
    expect(view.statusCode).toBe(200);
    expect(view.body).toContain('203.0.113.41');
    expect(log).toContainEqual(
      expect.objectContaining({ audit: 'personal-data-view', user: 'ana@corp.example', subject: 'ana', issuer: provider.issuer, resultId: id }),
    );
  });

  it('another mapped group opens it at tier 1 (no export); an account of no mapped group gets no console', async () => {
    const { app, log } = await build();
    const bo = await signIn(app, 'bo');
    expect((await get(app, '/api/console/me', bo.session)).json()).toEqual({ name: 'bo@corp.example', role: 'tier1' });
    expect((await get(app, '/api/results?format=csv', bo.session)).statusCode).toBe(403);

    const cy = await signIn(app, 'cy');
    expect(cy.res.statusCode).toBe(303);
    expect(cy.res.headers.location).toBe('/console?sign-in=no-group');
    expect(cy.session).toBe('');
    expect((await get(app, '/api/console/me')).statusCode).toBe(401);
    expect(log).toContainEqual(expect.objectContaining({ console: 'login-refused', user: 'cy@corp.example (cy)' }));
  });

  it("refuses a tampered state, an answer without this browser's cookie, a replayed answer, and one back after the sign-in expired", async () => {
    const { app, clock } = await build();
    const outcome = async (path: string, cookie: string): Promise<string> => {
      const res = await get(app, path, cookie);
      expect(res.statusCode).toBe(303);
      expect(cookieSet(res, 'callprobe_console')).toBe('');
      return String(res.headers.location);
    };
    // The state in the provider's answer changed: refused, and that sign-in is spent.
    const a = await start(app);
    const back = new URL(await walkProvider(a.authUrl, 'ana'));
    back.searchParams.set('state', `${back.searchParams.get('state') ?? ''}x`);
    expect(await outcome(callbackPath(back.href), a.pending)).toBe('/console?sign-in=refused');
    back.searchParams.set('state', a.pending.split('=')[1] ?? '');
    expect(await outcome(callbackPath(back.href), a.pending)).toBe('/console?sign-in=refused');

    // The right answer from a browser without the cookie that began it (login CSRF): refused; the one with it signs in.
    const b = await start(app);
    const answer = callbackPath(await walkProvider(b.authUrl, 'ana'));
    expect(await outcome(answer, '')).toBe('/console?sign-in=refused');
    const other = await start(app);
    expect(await outcome(answer, other.pending)).toBe('/console?sign-in=refused');
    expect(cookieSet(await get(app, answer, b.pending), 'callprobe_console')).not.toBe('');
    // The same answer again: its sign-in was taken.
    expect(await outcome(answer, b.pending)).toBe('/console?sign-in=refused');

    // Back after the sign-in's 10 minutes.
    const c = await start(app);
    const late = callbackPath(await walkProvider(c.authUrl, 'ana'));
    clock.advance(DEFAULTS.console.oidc.pendingTtlMs);
    expect(await outcome(late, c.pending)).toBe('/console?sign-in=expired');
  });

  it('an expired session signs in again through the provider (its own session still open: no second login there)', async () => {
    const { app, clock } = await build();
    const jar: CookieJar = new Map();
    const first = await signIn(app, 'ana', jar);
    clock.advance(DEFAULTS.console.sessionIdleMs);
    const gone = await get(app, '/api/console/me', first.session);
    expect(gone.statusCode).toBe(401);
    expect(gone.json()).toMatchObject({ reason: 'session-expired' });
    // An account the provider's login page does not know: the walk fails if the provider asks again.
    const again = await signIn(app, 'nobody-asked', jar);
    expect(again.session).not.toBe('');
    expect(again.session).not.toBe(first.session);
    expect((await get(app, '/api/console/me', again.session)).json()).toEqual({ name: 'ana@corp.example', role: 'tier2' });
  });

  it('keeps local users beside it; when the provider stops answering, the login page is told and passwords still work', async () => {
    const own = await startProvider({ ...CLIENT, redirectUris: [CALLBACK], accounts: ACCOUNTS });
    const { app, clock } = await build({ issuer: own.issuer, users: localUsers });
    expect((await get(app, '/api/console/sign-in')).json()).toEqual({ password: true, company: 'up' });
    const login = () => app.inject({ method: 'POST', url: '/api/console/login', remoteAddress: '192.0.2.10', payload: { name: 'dee', password: PASSWORD } });
    expect((await login()).json()).toEqual({ name: 'dee', role: 'tier2' });
    await own.close();
    // Asked again once its last answer is older than checkEveryMs.
    clock.advance(DEFAULTS.console.oidc.checkEveryMs);
    expect((await get(app, '/api/console/sign-in')).json()).toEqual({ password: true, company: 'down' });
    const startRes = await get(app, '/api/console/oidc/start');
    expect(startRes.statusCode).toBe(303);
    expect(startRes.headers.location).toBe('/console?sign-in=issuer-down');
    expect((await login()).statusCode).toBe(200);
    // Back on the same address: seen once the 'down' answer is older than recheckDownMs (not checkEveryMs).
    const back = await startProvider({ ...CLIENT, port: Number(new URL(own.issuer).port), redirectUris: [CALLBACK], accounts: ACCOUNTS });
    closing.push(() => back.close());
    expect((await get(app, '/api/console/sign-in')).json()).toMatchObject({ company: 'down' });
    clock.advance(DEFAULTS.console.oidc.recheckDownMs);
    expect((await get(app, '/api/console/sign-in')).json()).toMatchObject({ company: 'up' });
    expect(String((await get(app, '/api/console/oidc/start')).headers.location).startsWith(`${back.issuer}/auth?`)).toBe(true);
  });

  it('without --users: no password login, the sign-in says so; starts are limited per address, and need a host name', async () => {
    const { app } = await build({ perAddress: 3 });
    expect((await get(app, '/api/console/sign-in')).json()).toEqual({ password: false, company: 'up' });
    const password = () => app.inject({ method: 'POST', url: '/api/console/login', remoteAddress: '192.0.2.77', payload: { name: 'dee', password: PASSWORD } });
    expect((await password()).json()).toMatchObject({ reason: 'no-password-login' });
    for (let i = 0; i < 3; i++) await start(app, '192.0.2.77');
    const limited = await get(app, '/api/console/oidc/start', '', '192.0.2.77');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ reason: 'rate-limited' });
    // Another address is not held back; a Host that is no host name never reaches the redirect URI.
    await start(app, '192.0.2.78');
    const badHost = await app.inject({ method: 'GET', url: '/api/console/oidc/start', remoteAddress: '192.0.2.79', headers: { host: 'x"><script>' } });
    expect(badHost.statusCode).toBe(400);
    expect(badHost.json()).toMatchObject({ reason: 'bad-host' });
  });
});
