/**
 * The console's one client (src/protocol/console-client.ts) against the HTTP app on loopback over
 * SQLite, through Node's fetch with the session cookie carried as a browser carries it: logged
 * out (401, `loggedOut`), the ways to log in, a wrong password refused in the server's words, a
 * login, a search, one result, a logout; an answer that is not the contract's is `bad-answer`, a
 * refusal without JSON names its status, and no answer at all is `unreachable`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/http/app.js';
import { hashPassword } from '../../server/console/auth.js';
import { openSqliteStore } from '../../server/store/sqlite.js';
import type { ResultStore } from '../../server/store/types.js';
import { CONSOLE_API } from '../../src/protocol/api-console.js';
import { ConsoleClient, ConsoleError, type ConsoleFetch } from '../../src/protocol/console-client.js';
import { CONSTANTS, DEFAULTS } from '../../src/protocol/defaults.js';
import { RESULTS_PATH, type ResultAck } from '../../src/protocol/api.js';
import { appOptionsWithoutRelay, listenLoopback, resultsOptions } from '../kit/app-options.js';
import { freeTcpPort } from '../kit/net.js';
import { storeOptions, testClock } from '../server/store/store-kit.js';
import { golden } from '../web/components/dom.js';

const TOKEN = 'console-client-operator-0123456789';
const PASSWORD = 'tier-two-password';

/** Node's fetch on `base`, keeping the session cookie the server sets, as the browser does. */
function browserFetch(base: string): ConsoleFetch {
  let cookie: string | null = null;
  return async (path, init) => {
    const res = await fetch(`${base}${path}`, { ...init, headers: { ...init.headers, ...(cookie === null ? {} : { cookie }) } });
    const set = res.headers.get('set-cookie');
    if (set !== null) cookie = set.split(';')[0] ?? null;
    return res;
  };
}

/** The error `p` rejects with. */
async function failure(p: Promise<unknown>): Promise<ConsoleError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConsoleError);
  return err as ConsoleError;
}

describe('ConsoleClient (the HTTP app on loopback)', () => {
  let dir: string;
  let store: ResultStore;
  let app: FastifyInstance;
  let base: string;
  let stored: ResultAck;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callprobe-console-client-'));
    writeFileSync(join(dir, 'console.html'), '<!doctype html><title>console</title>');
    const clock = testClock(Date.now());
    store = openSqliteStore(join(dir, 'r.db'), storeOptions(clock, 11));
    app = await buildApp({
      ...appOptionsWithoutRelay(dir),
      results: resultsOptions(store, TOKEN, { postsPerMinutePerIp: 100, readsPerMinutePerIp: 100 }),
      console: {
        users: [{ name: 'bo', role: 'tier2', passwordHash: await hashPassword(PASSWORD, { ...CONSTANTS.console.scrypt, N: 16_384 }) }],
        nowMs: clock.nowMs,
        idleMs: DEFAULTS.console.sessionIdleMs,
        absoluteMs: DEFAULTS.console.sessionAbsoluteMs,
        loginsPerMinutePerAddress: 100,
        loginThrottle: DEFAULTS.console.loginThrottle,
      },
    });
    base = await listenLoopback(app);
    const res = await fetch(`${base}${RESULTS_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ ...golden('jitter-fail'), sampleId: 'console-client-0001' }),
    });
    expect(res.status).toBe(201);
    stored = (await res.json()) as ResultAck;
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logged out, the ways in, a wrong password, a login, a search, one result, a logout', async () => {
    const c = new ConsoleClient(browserFetch(base));
    const out = await failure(c.me());
    expect([out.reason, out.status, out.loggedOut]).toEqual(['refused', 401, true]);
    expect(await c.signIn()).toEqual({ password: true, company: null });
    const wrong = await failure(c.login('bo', 'not-the-password'));
    expect([wrong.reason, wrong.status, wrong.loggedOut]).toEqual(['refused', 401, true]);
    expect(wrong.serverReason).not.toBeNull();
    expect(wrong.message).not.toMatch(/^HTTP /);
    expect(await c.login('bo', PASSWORD)).toEqual({ name: 'bo', role: 'tier2' });
    expect(await c.me()).toEqual({ name: 'bo', role: 'tier2' });
    const found = await c.search(new URLSearchParams({ code: stored.code, tz: 'UTC' }).toString());
    expect(found.results.map((r) => r.code)).toEqual([stored.code]);
    const one = await c.result(stored.id, 'Europe/Paris', 'de');
    expect([one.id, one.code]).toEqual([stored.id, stored.code]);
    expect(one.startedAtLocal).toMatch(/Europe\/Paris/);
    await c.logout();
    expect((await failure(c.me())).loggedOut).toBe(true);
  });

  it("an answer that is not the contract's is bad-answer; what the guard accepts comes back typed", async () => {
    const c = new ConsoleClient(browserFetch(base));
    const isSites = (v: unknown): v is { kind: 'sites-overview' } => (v as { kind?: unknown } | null)?.kind === 'sites-overview';
    const bad = await failure(c.read(`${CONSOLE_API}/sign-in`, isSites));
    expect([bad.reason, bad.status]).toEqual(['bad-answer', 200]);
    expect(bad.message).toBe(`${CONSOLE_API}/sign-in answered 200 without what it should`);
  });

  it('a refusal without JSON names its status; no answer at all is unreachable', async () => {
    // A proxy in front of a server that is down: its own page, not the API's JSON.
    const proxy = createServer((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>'));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as AddressInfo).port;
    const refused = await failure(new ConsoleClient(browserFetch(`http://127.0.0.1:${port}`)).me()).finally(() => proxy.close());
    expect([refused.reason, refused.status, refused.serverReason, refused.message, refused.loggedOut]).toEqual(['refused', 502, null, 'HTTP 502', false]);
    const nobody = `http://127.0.0.1:${await freeTcpPort()}`;
    const gone = await failure(new ConsoleClient(browserFetch(nobody)).me());
    expect([gone.reason, gone.status]).toEqual(['unreachable', null]);
  });
});
