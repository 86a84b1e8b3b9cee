/**
 * Help desk console sessions kept in the store, on SQLite and PostgreSQL: a login made through
 * one app is still good through a new app on a new connection to the same store (a restart, or a
 * second serve), kept as the SHA-256 of its id (never the cookie), idle and absolute expiry on the
 * store's clock, a logout ends it everywhere, and the table keeps at most its bound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../../server/http/app.js';
import { ConsoleSessions, hashPassword, sessionIdHash, type ConsoleUser } from '../../../server/console/auth.js';
import type { ResultStore } from '../../../server/store/index.js';
import type { DbTarget } from '../../../server/store/target.js';
import { CONSOLE_COOKIE } from '../../../src/protocol/api-console.js';
import { CONSTANTS, DEFAULTS } from '../../../src/protocol/defaults.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { describeEachKind, open, storeOptions, testClock } from '../store/store-kit.js';

const CHEAP = { ...CONSTANTS.console.scrypt, N: 16_384 };
const PASSWORD = 'the-right-password';

describeEachKind('console sessions in the store', (kind, opened) => {
  const clock = testClock();
  let users: ConsoleUser[];
  let target: DbTarget;
  let webRoot: string;

  beforeAll(async () => {
    users = [{ name: 'ana', role: 'tier1', passwordHash: await hashPassword(PASSWORD, CHEAP) }];
    target = await kind.freshTarget();
    webRoot = mkdtempSync(join(tmpdir(), 'callprobe-console-sessions-'));
    opened.push({ close: async () => rmSync(webRoot, { recursive: true, force: true }) });
  }, 60_000);

  /** One `serve` as far as the console goes: its own connection to the store, its own app. */
  const start = async (seed: number): Promise<{ app: FastifyInstance; store: ResultStore; close: () => Promise<void> }> => {
    const store = await open(target, storeOptions(clock, seed));
    const app = await buildApp({
      ...appOptionsWithoutRelay(webRoot),
      results: resultsOptions(store, null),
      console: {
        users,
        nowMs: clock.nowMs,
        idleMs: DEFAULTS.console.sessionIdleMs,
        absoluteMs: DEFAULTS.console.sessionAbsoluteMs,
        loginsPerMinutePerAddress: 100,
        loginThrottle: DEFAULTS.console.loginThrottle,
      },
    });
    await app.ready();
    return {
      app,
      store,
      close: async () => {
        await app.close();
        await store.close();
      },
    };
  };
  const me = (app: FastifyInstance, cookie: string) =>
    app.inject({ method: 'GET', url: '/api/console/me', headers: { cookie: `${CONSOLE_COOKIE}=${cookie}` } });

  it('a login survives a restart, kept hashed, and ends everywhere at logout or idle', async () => {
    const first = await start(1);
    const login = await first.app.inject({ method: 'POST', url: '/api/console/login', payload: { name: 'ana', password: PASSWORD } });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = new RegExp(`${CONSOLE_COOKIE}=([A-Za-z0-9_-]{43})`).exec(String(login.headers['set-cookie']))?.[1] ?? '';
    expect(cookie).not.toBe('');
    expect((await me(first.app, cookie)).json()).toEqual({ name: 'ana', role: 'tier1' });
    // The store holds the hash of the session id, never the cookie.
    expect(await first.store.consoleSessions.get(sessionIdHash(cookie))).toMatchObject({ user: 'ana', role: 'tier1' });
    expect(await first.store.consoleSessions.get(cookie)).toBeNull();
    await first.close();

    // A restart: a new process (new connection, nothing in memory) knows the session.
    const second = await start(2);
    clock.advance(DEFAULTS.console.sessionIdleMs - 1);
    expect((await me(second.app, cookie)).json()).toEqual({ name: 'ana', role: 'tier1' });
    // Idle for the idle limit since that request: expired, and gone from the store.
    clock.advance(DEFAULTS.console.sessionIdleMs);
    const expired = await me(second.app, cookie);
    expect([expired.statusCode, expired.json<{ reason: string }>().reason]).toEqual([401, 'session-expired']);
    expect(await second.store.consoleSessions.get(sessionIdHash(cookie))).toBeNull();

    // A logout through one instance ends the session for the other too.
    const third = await start(3);
    const again = await third.app.inject({ method: 'POST', url: '/api/console/login', payload: { name: 'ana', password: PASSWORD } });
    const c2 = new RegExp(`${CONSOLE_COOKIE}=([A-Za-z0-9_-]{43})`).exec(String(again.headers['set-cookie']))?.[1] ?? '';
    expect((await me(second.app, c2)).statusCode).toBe(200);
    await third.app.inject({ method: 'POST', url: '/api/console/logout', headers: { cookie: `${CONSOLE_COOKIE}=${c2}` } });
    expect((await me(second.app, c2)).statusCode).toBe(401);
    await second.close();
    await third.close();
  });

  it('keeps at most its bound, the oldest dropped first, and drops expired ones at a login', async () => {
    const s = await open(target, storeOptions(clock, 4));
    try {
      const sessions = new ConsoleSessions({ idleMs: 1000, absoluteMs: 60_000 }, clock.nowMs, s.consoleSessions, 3);
      const made = [];
      for (let i = 0; i < 5; i++) {
        made.push(await sessions.start(`u${i}`, 'tier1'));
        clock.advance(10);
      }
      const alive = await Promise.all(made.map(async (m) => (await s.consoleSessions.get(sessionIdHash(m.id))) !== null));
      expect(alive).toEqual([false, false, true, true, true]);
      // Idle past the limit: the next login drops them all.
      clock.advance(1000);
      await sessions.start('late', 'tier2');
      expect(await s.consoleSessions.removeExpired(0, 0)).toBe(0);
      expect(await Promise.all(made.map(async (m) => s.consoleSessions.get(sessionIdHash(m.id))))).toEqual([null, null, null, null, null]);
    } finally {
      await s.close();
    }
  });
});
