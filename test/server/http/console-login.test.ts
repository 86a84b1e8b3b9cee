/**
 * Console logins under a password spray, through Fastify's inject with a settable clock: the
 * right password from another address works while one source sprays (IPv6: a whole /64 is one
 * source), the sprayer's waits double (Retry-After 1, 2, 4, 8, 16 s), one source never holds
 * more than one password check, and the refusal log stays at one line per source per minute.
 * Before this throttle, five wrong passwords a minute for a name answered 429 to everyone. A spray
 * from many /64s of one /48 is one network (one check at a time): the red team's 24 /64s of one
 * /48 had 2 of 5 of the user's right logins answered 503; and a login from a network the user
 * logged in from before is checked first, whatever a spray from many networks holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/http/app.js';
import { hashPassword, type ConsoleUser } from '../../../server/console/auth.js';
import { CONSTANTS, DEFAULTS } from '../../../src/protocol/defaults.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { testClock, type TestClock } from '../store/store-kit.js';

const CHEAP = { ...CONSTANTS.console.scrypt, N: 16_384 };
const PASSWORD = 'the-right-password';
const THROTTLE = DEFAULTS.console.loginThrottle;

interface LogLine {
  console?: string;
  why?: string;
  source?: string;
  unlogged?: number;
}

let webRoot: string;
let users: ConsoleUser[];
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'callprobe-console-login-'));
  users = [{ name: 'bo', role: 'tier2', passwordHash: await hashPassword(PASSWORD, CHEAP) }];
});

afterAll(async () => {
  for (const a of apps) await a.close();
  rmSync(webRoot, { recursive: true, force: true });
});

async function build(): Promise<{ app: FastifyInstance; clock: TestClock; log: LogLine[] }> {
  const clock = testClock();
  const log: LogLine[] = [];
  const app = await buildApp({
    ...appOptionsWithoutRelay(webRoot),
    logLevel: 'info',
    logStream: { write: (line) => log.push(JSON.parse(line) as LogLine) },
    results: resultsOptions(null, null, { bodyLimitBytes: 4096, postsPerMinutePerIp: 10, readsPerMinutePerIp: 10 }),
    console: {
      users,
      nowMs: clock.nowMs,
      idleMs: DEFAULTS.console.sessionIdleMs,
      absoluteMs: DEFAULTS.console.sessionAbsoluteMs,
      // The per-address limit counts in real time: out of the way here (console.test.ts checks it).
      loginsPerMinutePerAddress: 100_000,
      loginThrottle: THROTTLE,
    },
  });
  await app.ready();
  apps.push(app);
  return { app, clock, log };
}

const login = (app: FastifyInstance, password: string, ip: string) =>
  app.inject({
    method: 'POST',
    url: '/api/console/login',
    remoteAddress: ip,
    headers: { 'content-type': 'application/json' },
    payload: { name: 'bo', password },
  });

describe('console logins under a password spray', () => {
  it('let the right password in from another address, while one source sprays', async () => {
    const { app } = await build();
    const sprayer = '203.0.113.66';
    // A burst of 60 wrong passwords at once from one address, and bo from another address meanwhile.
    const spray = Array.from({ length: 60 }, (_, i) => login(app, `wrong-password-${i}`, sprayer));
    const bo = login(app, PASSWORD, '198.51.100.7');
    const codes = (await Promise.all(spray)).map((r) => r.statusCode);
    expect((await bo).statusCode).toBe(200);
    // The sprayer got no more than one password check at a time, and no 503: bo's check always had a slot.
    expect(codes.filter((c) => c === 401).length).toBeGreaterThanOrEqual(1);
    expect(codes.every((c) => c === 401 || c === 429)).toBe(true);
    // Once throttled, still refused; bo logs in again from his own address.
    for (let i = 0; i < THROTTLE.freeFailures + 1; i++) await login(app, 'wrong-again', sprayer);
    expect((await login(app, PASSWORD, sprayer)).statusCode).toBe(429);
    expect((await login(app, PASSWORD, '198.51.100.7')).statusCode).toBe(200);
  });

  it('counts a whole IPv6 /64 as one sprayer, and another /64 as someone else', async () => {
    const { app } = await build();
    for (let i = 0; i < THROTTLE.freeFailures + 1; i++) expect((await login(app, 'wrong-password', `2001:db8:66::${i + 1}`)).statusCode).toBe(401);
    expect((await login(app, PASSWORD, '2001:db8:66::ffff')).statusCode).toBe(429);
    expect((await login(app, PASSWORD, '2001:db8:67::1')).statusCode).toBe(200);
  });

  it('makes the sprayer wait twice as long after each wrong password: Retry-After 1, 2, 4, 8, 16 s', async () => {
    const { app, clock } = await build();
    const sprayer = '2001:db8:66::9';
    for (let i = 0; i < THROTTLE.freeFailures; i++) expect((await login(app, 'wrong-password', sprayer)).statusCode).toBe(401);
    const waitsS: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await login(app, 'wrong-password', sprayer)).statusCode).toBe(401);
      const refused = await login(app, 'wrong-password', sprayer);
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ reason: 'rate-limited' });
      const retryS = Number(refused.headers['retry-after']);
      waitsS.push(retryS);
      // The right password inside the wait is refused too, without a check, and the wait does not grow.
      expect((await login(app, PASSWORD, sprayer)).headers['retry-after']).toBe(String(retryS));
      clock.advance(retryS * 1000);
    }
    expect(waitsS).toEqual([1, 2, 4, 8, 16]);
    // The wait over, the right password works from there too, and clears the pair.
    expect((await login(app, PASSWORD, sprayer)).statusCode).toBe(200);
    expect((await login(app, 'wrong-password', sprayer)).statusCode).toBe(401);
  });

  it('logs refusals once per source per minute, whatever the spray', async () => {
    const { app, clock, log } = await build();
    const sprayers = ['203.0.113.66', '2001:db8:66::1'];
    const minutes = 3;
    let sent = 0;
    for (let m = 0; m < minutes; m++) {
      for (let i = 0; i < 40; i++) {
        for (const ip of sprayers) await login(app, `wrong-${i}`, ip);
        sent += sprayers.length;
        clock.advance(1_000);
      }
      clock.advance(20_000);
    }
    const lines = log.filter((l) => l.console === 'login-refused');
    // One line per source per minute (each minute's first refusal), however many were sent.
    expect(sent).toBe(minutes * 40 * sprayers.length);
    expect(lines.length).toBe(minutes * sprayers.length);
    expect(new Set(lines.map((l) => l.source))).toEqual(new Set(['203.0.113.66', '2001:db8:66::']));
    // Each later line says how many went unlogged since the one before.
    const unlogged = lines.filter((l) => l.source === '203.0.113.66').map((l) => l.unlogged);
    expect(unlogged).toEqual([0, 39, 39]);
  });

  /**
   * Wrong passwords for bo from each of `prefixes` (`2001:db8:N`: a fresh /64 of that /48 each try,
   * so no source's wait holds it back; `2001:db8:48:N`: that one /64), one after the other, until
   * `done` resolves; every status.
   */
  async function sprayUntil(app: FastifyInstance, prefixes: readonly string[], done: Promise<unknown>): Promise<number[]> {
    const codes: number[] = [];
    let over = false;
    void done.finally(() => (over = true));
    await Promise.all(
      prefixes.map(async (prefix) => {
        for (let i = 1; !over; i++) codes.push((await login(app, `wrong-password-${i}`, `${prefix}:${i.toString(16)}::1`)).statusCode);
      }),
    );
    return codes;
  }

  /** bo's right logins from `ip`, one after the other; their statuses. */
  async function rightLogins(app: FastifyInstance, ip: string, n: number): Promise<number[]> {
    const codes: number[] = [];
    for (let i = 0; i < n; i++) codes.push((await login(app, PASSWORD, ip)).statusCode);
    return codes;
  }

  it('never answers a right login with 503 under a spray from 24 /64s of one /48: the /48 is one network, one check at a time', async () => {
    const { app } = await build();
    // 24 /64s of one /48, each spraying as fast as it is answered.
    const lans = Array.from({ length: 24 }, (_, i) => `2001:db8:48:${(i + 1).toString(16)}`);
    const rights = rightLogins(app, '198.51.100.7', 5);
    const spray = await sprayUntil(app, lans, rights);
    expect(await rights).toEqual([200, 200, 200, 200, 200]);
    // The /48 held one check at a time: the rest of each round was told so (429), never a slot of bo's.
    expect(spray.filter((c) => c === 429).length).toBeGreaterThan(spray.filter((c) => c === 401).length);
    expect(spray.every((c) => c === 401 || c === 429)).toBe(true);
  });

  it("checks a right login from the user's known network first, whatever a spray from 24 networks holds", async () => {
    const { app } = await build();
    // bo logged in from his office before, and mistyped once today: his network holds no free check of its own.
    expect((await login(app, PASSWORD, '198.51.100.7')).statusCode).toBe(200);
    expect((await login(app, 'the-wrong-password', '198.51.100.7')).statusCode).toBe(401);
    const networks = Array.from({ length: 24 }, (_, i) => `2001:db8:${(0x100 + i).toString(16)}`);
    const rights = rightLogins(app, '198.51.100.7', 3);
    const spray = await sprayUntil(app, networks, rights);
    expect(await rights).toEqual([200, 200, 200]);
    // The spray itself was turned away at the checks' bound.
    expect(spray.filter((c) => c === 503).length).toBeGreaterThan(0);
  });
});
