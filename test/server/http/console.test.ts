/**
 * The help desk console API through Fastify's inject, against SQLite and a real PostgreSQL:
 * closed without --users, login (wrong password, the rate limit per address, the cookie's
 * attributes; the throttle of wrong passwords in console-login.test.ts), sessions expiring (idle and absolute, injected clock), search,
 * one result with its site baseline and culprit line, tier 1 redaction as a property (no seeded
 * client address in any tier 1 body), tier 2 network details, and who may export.
 */
import { answerView } from '../../../src/analysis/present/answer.js';
import { teamsText } from '../../../src/analysis/present/it-words.js';
import { loadMessages } from '../../../src/analysis/present/catalogue.js';
import { upgradeReport } from '../../../src/analysis/report/migrate.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { figure } from '../../../src/analysis/present/format.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ResultAck } from '../../../src/protocol/api.js';
import type { ConsoleResultView, ConsoleSearchAnswer } from '../../../src/protocol/api-console.js';
import { buildApp } from '../../../server/http/app.js';
import { hashPassword, type ConsoleUser } from '../../../server/console/auth.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { CONSTANTS, DEFAULTS } from '../../../src/protocol/defaults.js';
import type { ResultStore } from '../../../server/store/index.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { describeEachKind, open, storeOptions, testClock, type TestClock } from '../store/store-kit.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { TestKitError } from '../../kit/errors.js';

const TOKEN = 'operator-token-0123456789';
const CHEAP = { ...CONSTANTS.console.scrypt, N: 16_384 };
const PASSWORDS = { ana: 'tier-one-password', bo: 'tier-two-password' } as const;

function report(over: { site?: string | null; ticket?: string | null; startedAt: string; lossEvery?: number }): Record<string, unknown> {
  const r = analyze(
    reflectorInput({
      count: 1500,
      meta: { site: over.site ?? null, ticket: over.ticket ?? null, startedAt: over.startedAt },
      ...(over.lossEvery !== undefined ? { up: { lost: (i: number) => i % (over.lossEvery as number) === 0 } } : {}),
    }),
  );
  return JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
}

let users: ConsoleUser[] = [];

describeEachKind('help desk console API', (kind, opened) => {
  let webRoot: string;
  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'callprobe-console-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe page</title>');
    writeFileSync(join(webRoot, 'console.html'), '<!doctype html><title>callprobe console</title>');
    users = [
      { name: 'ana', role: 'tier1', passwordHash: await hashPassword(PASSWORDS.ana, CHEAP) },
      { name: 'bo', role: 'tier2', passwordHash: await hashPassword(PASSWORDS.bo, CHEAP) },
    ];
  }, 90_000);
  afterAll(() => {
    rmSync(webRoot, { recursive: true, force: true });
  });

  async function build(
    over: { users?: ConsoleUser[] | null; clock?: TestClock; perAddress?: number } = {},
  ): Promise<{ app: FastifyInstance; store: ResultStore; clock: TestClock }> {
    const clock = over.clock ?? testClock(Date.UTC(2026, 0, 15, 12));
    const store = await open(await kind.freshTarget(), storeOptions(clock, 7));
    const app = await buildApp({
      ...appOptionsWithoutRelay(webRoot),
      trustProxy: ['127.0.0.1'],
      results: resultsOptions(store, TOKEN, { postsPerMinutePerIp: 10_000, readsPerMinutePerIp: 10_000 }),
      console: {
        users: over.users === undefined ? users : over.users,
        nowMs: clock.nowMs,
        idleMs: DEFAULTS.console.sessionIdleMs,
        absoluteMs: DEFAULTS.console.sessionAbsoluteMs,
        loginsPerMinutePerAddress: over.perAddress ?? 1000,
        loginThrottle: DEFAULTS.console.loginThrottle,
      },
    });
    await app.ready();
    opened.push({
      close: async () => {
        await app.close();
        await store.close();
      },
    });
    return { app, store, clock };
  }

  const post = async (app: FastifyInstance, body: unknown, ip: string, token: string | null = TOKEN): Promise<ResultAck> => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/results',
      remoteAddress: ip,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      payload: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(201);
    return res.json<ResultAck>();
  };
  const login = (app: FastifyInstance, name: string, password: string, ip = '192.0.2.50', headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/console/login',
      remoteAddress: ip,
      headers: { 'content-type': 'application/json', ...headers },
      payload: { name, password },
    });
  const sessionCookie = async (app: FastifyInstance, name: 'ana' | 'bo'): Promise<string> => {
    const res = await login(app, name, PASSWORDS[name]);
    expect(res.statusCode).toBe(200);
    const set = String(res.headers['set-cookie']);
    return set.split(';')[0] ?? '';
  };
  const get = (app: FastifyInstance, url: string, cookie: string | null) => app.inject({ method: 'GET', url, headers: cookie === null ? {} : { cookie } });

  it('is closed without --users: 404 with the reason, the page too', async () => {
    const { app } = await build({ users: null });
    for (const res of [await get(app, '/api/console/me', null), await login(app, 'ana', PASSWORDS.ana), await get(app, '/console', null)]) {
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ reason: 'console-closed' });
    }
    // The operator token keeps working for automation.
    expect((await app.inject({ method: 'GET', url: '/api/results?format=csv', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
  });

  it('refuses without login, a wrong password and an unknown user; sets a strict HttpOnly cookie; logs out', async () => {
    const { app } = await build();
    expect((await get(app, '/api/console/me', null)).json()).toMatchObject({ reason: 'no-login' });
    expect((await get(app, '/api/console/results?ticket=x', null)).statusCode).toBe(401);
    const wrong = await login(app, 'ana', 'not-the-password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ reason: 'bad-login' });
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await login(app, 'nobody', PASSWORDS.ana)).statusCode).toBe(401);
    const ok = await login(app, 'ana', PASSWORDS.ana);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ name: 'ana', role: 'tier1' });
    const set = String(ok.headers['set-cookie']);
    expect(set).toMatch(/^callprobe_console=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    const cookie = set.split(';')[0] ?? '';
    expect((await get(app, '/api/console/me', cookie)).json()).toEqual({ name: 'ana', role: 'tier1' });
    // Over https (the trusted proxy says so) the cookie is Secure.
    const https = await login(app, 'ana', PASSWORDS.ana, '127.0.0.1', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '192.0.2.9' });
    expect(String(https.headers['set-cookie'])).toMatch(/; Secure$/);
    const out = await app.inject({ method: 'POST', url: '/api/console/logout', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect((await get(app, '/api/console/me', cookie)).statusCode).toBe(401);
    expect((await get(app, '/console', cookie)).body).toContain('callprobe console');
  });

  it('expires sessions after the idle time and after the absolute time', async () => {
    const { app, clock } = await build();
    const idle = await sessionCookie(app, 'ana');
    clock.advance(DEFAULTS.console.sessionIdleMs - 1);
    expect((await get(app, '/api/console/me', idle)).statusCode).toBe(200);
    clock.advance(DEFAULTS.console.sessionIdleMs);
    const gone = await get(app, '/api/console/me', idle);
    expect(gone.statusCode).toBe(401);
    expect(gone.json()).toMatchObject({ reason: 'session-expired' });

    const busy = await sessionCookie(app, 'ana');
    const start = clock.nowMs();
    while (clock.nowMs() - start < DEFAULTS.console.sessionAbsoluteMs - DEFAULTS.console.sessionIdleMs) {
      clock.advance(DEFAULTS.console.sessionIdleMs - 1);
      expect((await get(app, '/api/console/me', busy)).statusCode).toBe(200);
    }
    clock.set(start + DEFAULTS.console.sessionAbsoluteMs);
    expect((await get(app, '/api/console/me', busy)).json()).toMatchObject({ reason: 'session-expired' });
  });

  it('rate-limits logins per address (any name); wrong passwords for a name from many addresses lock nobody out', async () => {
    const { app } = await build({ perAddress: 5 });
    // Wrong passwords for bo from 8 addresses, more than the throttle lets one address send for free ...
    for (let i = 0; i < DEFAULTS.console.loginThrottle.freeFailures + 3; i++)
      expect((await login(app, 'bo', 'wrong-password!', `198.51.100.${i + 1}`)).statusCode).toBe(401);
    // ... and bo, from another address, logs in (the old per-name limit answered 429 here).
    expect((await login(app, 'bo', PASSWORDS.bo, '198.51.100.99')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login(app, `guess${i}`, 'whatever-pw', '203.0.113.77')).statusCode).toBe(401);
    const limited = await login(app, 'ana', PASSWORDS.ana, '203.0.113.77');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ reason: 'rate-limited' });
  });

  it(`runs at most ${CONSTANTS.console.maxLoginsInFlight} password checks at once, whoever asks: more are refused 503 at once`, async () => {
    const { app } = await build({});
    const n = CONSTANTS.console.maxLoginsInFlight + 6;
    // One attempt per address and per name: no rate limit applies, only the cap on checks in flight.
    const codes = (await Promise.all(Array.from({ length: n }, (_, i) => login(app, `nobody${i}`, 'wrong-password!', `198.51.100.${i + 1}`)))).map(
      (r) => r.statusCode,
    );
    expect(codes.filter((c) => c === 401).length).toBeGreaterThanOrEqual(CONSTANTS.console.maxLoginsInFlight);
    expect(codes.filter((c) => c === 503).length).toBeGreaterThan(0);
    expect(codes.every((c) => c === 401 || c === 503)).toBe(true);
    // Once the checks are done, a login goes through.
    expect((await login(app, 'ana', PASSWORDS.ana, '198.51.100.200')).statusCode).toBe(200);
  });

  it('keeps one password check for a source with no recent wrong password: a spray from many addresses cannot keep the help desk out', async () => {
    const { app } = await build({});
    const spray = Array.from({ length: CONSTANTS.console.maxLoginsInFlight + 2 }, (_, i) => `2001:db8:${i + 1}::7`);
    // Each spraying /64 has sent a wrong password already.
    for (const ip of spray) expect((await login(app, 'ana', 'wrong-password!', ip)).statusCode).toBe(401);
    // The spray takes every shared check at once; once the first of it is refused (every shared check busy), a right password
    // from a fresh address comes in while those checks still run.
    const sprayed = spray.map((ip) => login(app, 'ana', 'wrong-again!!', ip));
    await Promise.any(sprayed.map(async (p) => ((await p).statusCode === 503 ? true : Promise.reject(new TestKitError('exited', 'not refused')))));
    const ana = await login(app, 'ana', PASSWORDS.ana, '198.51.100.77');
    expect(ana.statusCode).toBe(200);
    const codes = (await Promise.all(sprayed)).map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401).length).toBeGreaterThanOrEqual(CONSTANTS.console.maxLoginsInFlight);
    expect(codes.filter((c) => c === 401 || c === 503)).toHaveLength(spray.length);
  });

  /** A site at 10:00 UTC on Jan 8-14, clean, then one lossy result on Jan 15 at 10:30 with a ticket (its 7-day baseline: Jan 9-14). */
  async function seedSite(app: FastifyInstance): Promise<{ bad: ResultAck; clients: string[] }> {
    const clients: string[] = [];
    for (let d = 8; d <= 14; d++) {
      const ip = `203.0.113.${d}`;
      clients.push(ip);
      await post(app, report({ site: 'HQ', startedAt: `2026-01-${String(d).padStart(2, '0')}T10:00:00.000Z` }), ip);
    }
    const ip = '2001:db8:77:1::23';
    clients.push(ip);
    const bad = await post(app, report({ site: 'HQ', ticket: 'INC-4711', startedAt: '2026-01-15T10:30:00.000Z', lossEvery: 10 }), ip);
    return { bad, clients };
  }

  it('shows a site a link named without the token as not verified, never as the site, and finds it by a site search, marked so', async () => {
    const { app } = await build();
    const ack = await post(app, report({ site: 'Paris office', startedAt: '2026-01-15T10:30:00.000Z' }), '203.0.113.9', null);
    const ana = await sessionCookie(app, 'ana');
    const view = (await get(app, `/api/console/results/${ack.code}`, ana)).json<ConsoleResultView>();
    expect(view).toMatchObject({ site: null, siteUnverified: 'Paris office' });
    const found = (await get(app, '/api/console/results?site=paris%20OFFICE', ana)).json<ConsoleSearchAnswer>().results;
    expect(found.map((r) => ({ code: r.code, site: r.site, siteUnverified: r.siteUnverified }))).toEqual([
      { code: ack.code, site: null, siteUnverified: 'Paris office' },
    ]);
    // The operator's by-site export never counts it as the site's.
    const csv = await app.inject({ method: 'GET', url: '/api/results?format=csv&site=Paris%20office', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(csv.body).not.toContain(ack.code);
  });

  it('shows a lost server as our side: one culprit line, no CQD classification', async () => {
    const { app } = await build();
    const r = report({ startedAt: '2026-01-15T10:30:00.000Z', lossEvery: 10 }) as {
      summary: { verdict: string; insufficientCause: string | null };
      outcome: unknown;
    };
    r.summary.verdict = 'insufficient';
    r.summary.insufficientCause = 'could-not-finish';
    r.outcome = { reason: 'connection-lost', atMs: 5200, detail: 'the server closed the connection' };
    const ack = await post(app, r, '203.0.113.9', null);
    const view = (await get(app, `/api/console/results/${ack.code}`, await sessionCookie(app, 'ana'))).json<ConsoleResultView>();
    expect(view.culprit).toEqual([expect.stringMatching(/^Our side, not the user's network/)]);
    expect(view.cqd).toBeNull();
  });

  it('says where to look for a test that could not run: the browser is never the network', async () => {
    const { app } = await build();
    const rec = {
      kind: 'could-not-test',
      reason: 'browser-unsupported',
      message: 'This browser cannot run the test: it lacks RTCPeerConnection.',
      atMs: Date.UTC(2026, 0, 15, 10, 30),
      meta: { callprobeVersion: '0.1.0', server: 'http://127.0.0.1:8080', site: null, ticket: 'HD-42' },
    };
    const ack = await post(app, rec, '203.0.113.9', null);
    const view = (await get(app, `/api/console/results/${ack.code}`, await sessionCookie(app, 'ana'))).json<ConsoleResultView>();
    expect(view.couldNotTest).toMatchObject({ reason: 'browser-unsupported', side: 'browser' });
    expect(view.couldNotTest?.where).toMatch(/^Where to look: this browser, not the network\./);
    expect(view.couldNotTest?.words).toMatch(/this says nothing about the network/);
  });

  it('finds a result by code, ticket, site, verdict and time; tier 1 sees baseline, culprit, CQD and the answer, no address', async () => {
    const { app } = await build();
    const { bad, clients } = await seedSite(app);
    const ana = await sessionCookie(app, 'ana');
    const byCode = (await get(app, `/api/console/results?code=${bad.code.toLowerCase()}&tz=Europe/Paris`, ana)).json<ConsoleSearchAnswer>();
    expect(byCode.results.map((r) => r.code)).toEqual([bad.code]);
    expect(byCode.results[0]?.startedAtLocal).toBe('2026-01-15 11:30 (Europe/Paris)');
    expect((await get(app, '/api/console/results?ticket=INC-4711', ana)).json<ConsoleSearchAnswer>().results.map((r) => r.id)).toEqual([bad.id]);
    // A code read out over the phone: spaces, lower case. A ticket by its start, in any case.
    const spoken = `${bad.code.slice(0, 4)} ${bad.code.slice(5)}`.toLowerCase();
    expect((await get(app, `/api/console/results?code=${encodeURIComponent(spoken)}`, ana)).json<ConsoleSearchAnswer>().results.map((r) => r.id)).toEqual([
      bad.id,
    ]);
    for (const ticket of ['inc-47', ' Inc-4711 ', 'INC'])
      expect(
        (await get(app, `/api/console/results?ticket=${encodeURIComponent(ticket)}`, ana)).json<ConsoleSearchAnswer>().results.map((r) => r.id),
        ticket,
      ).toEqual([bad.id]);
    for (const ticket of ['NC-4711', 'INC-47111', 'INC_4711', 'INC%'])
      expect((await get(app, `/api/console/results?ticket=${encodeURIComponent(ticket)}`, ana)).json<ConsoleSearchAnswer>().results, ticket).toEqual([]);
    expect((await get(app, '/api/console/results?verdict=fail', ana)).json<ConsoleSearchAnswer>().results.map((r) => r.id)).toEqual([bad.id]);
    const site = (await get(app, '/api/console/results?site=HQ&from=2026-01-10&to=2026-01-13T00:00:00Z', ana)).json<ConsoleSearchAnswer>();
    expect(site.results.map((r) => r.startedAt)).toEqual(['2026-01-12T10:00:00.000Z', '2026-01-11T10:00:00.000Z', '2026-01-10T10:00:00.000Z']);
    expect((await get(app, '/api/console/results?from=yesterday', ana)).json()).toMatchObject({ reason: 'bad-time' });
    expect((await get(app, '/api/console/results?tz=Mars/Olympus', ana)).json()).toMatchObject({ reason: 'bad-tz' });

    const res = await get(app, `/api/console/results/${bad.code}?tz=Europe/Paris`, ana);
    expect(res.statusCode).toBe(200);
    const view = res.json<ConsoleResultView>();
    expect(view.verdict).toBe('fail');
    expect(view.answer?.tone).toBe('bad');
    expect(view.answer?.sentence.length).toBeGreaterThan(10);
    // What to tell the user, in the help desk's language: Accept-Language, or ?lang= over it; the same answer otherwise.
    const inLang = async (query: string, acceptLanguage: string) =>
      (
        await app.inject({
          method: 'GET',
          url: `/api/console/results/${bad.code}?tz=Europe/Paris${query}`,
          headers: { cookie: ana, 'accept-language': acceptLanguage },
        })
      ).json<ConsoleResultView>();
    const german = await inLang('', 'de-CH, en;q=0.5');
    const japanese = await inLang('&lang=ja', 'de-CH');
    expect(german.answer?.sentence).toBe(answerView(upgradeReport(german.report as Report), await loadMessages('de')).sentence);
    expect(german.answer?.sentence).toMatch(/^Anrufe /);
    expect(japanese.answer?.sentence).toBe(answerView(upgradeReport(japanese.report as Report), await loadMessages('ja')).sentence);
    expect(german.answer?.tone).toBe(view.answer?.tone);
    expect((await inLang('', 'pt-BR')).answer).toEqual(view.answer);
    expect(view.cqd?.classification).toBe('poor');
    expect(view.cqd?.basis).toMatch(/first three/);
    // The CQD sentence in the help desk's language, worded from its classification and checks; English the stored one.
    expect(view.cqd?.sentence).toBe((view.report as Report).teamsPoorStream.sentence);
    expect(german.cqd?.sentence).toBe(teamsText((german.report as Report).teamsPoorStream, await loadMessages('de')));
    expect(german.cqd?.sentence).toMatch(/^Das Call Quality Dashboard von Teams würde Audio/);
    expect(german.cqd?.sentence).not.toBe(view.cqd?.sentence);
    expect(japanese.cqd?.sentence).toBe(teamsText((japanese.report as Report).teamsPoorStream, await loadMessages('ja')));
    expect(view.baseline).toMatchObject({ site: 'HQ', samples: 6, hours: [9, 10, 11, 12, 13] });
    const loss = view.baseline?.metrics.find((m) => m.target === 'loss-15s' && m.direction === 'up');
    expect(loss?.standing).toBe('above-p90');
    // The culprit line quotes the baseline table's own cells, printed as the page prints figures.
    expect(loss?.figures.value).toBe(figure(loss?.value ?? null, '%', loss?.threshold));
    expect(view.culprit.join(' ')).toContain(`${loss?.figures.value} vs site P90 ${loss?.figures.p90}`);
    expect(view.grades.map((g) => g.measured)).toEqual(view.grades.map((g) => figure(g.value, g.unit, g.threshold)));
    expect(view.culprit.join(' ')).toMatch(/Upstream .* worse than downstream/);
    expect(view.culprit.join(' ')).toMatch(/Worse than this site usually is/);
    expect(view.network).toBeUndefined();
    expect(res.body).not.toMatch(/candidateType|"nat"|"path":\{/);
    for (const c of clients) expect(res.body).not.toContain(c);
    expect(res.body).not.toContain('2001:db8:77');
  });

  it('tier 1 bodies never hold a seeded client address (property), tier 2 sees them', async () => {
    const { app } = await build();
    const ana = await sessionCookie(app, 'ana');
    const bo = await sessionCookie(app, 'bo');
    const v4 = fc.tuple(
      fc.integer({ min: 11, max: 223 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 1, max: 254 }),
    );
    await fc.assert(
      fc.asyncProperty(
        v4,
        fc.string({ minLength: 1, maxLength: 12 }).filter((t) => /^[\w-]+$/.test(t)),
        async ([a, b, c, d], ticket) => {
          const ip = `${a}.${b}.${c}.${d}`;
          const prefix = `${a}.${b}.${c}.`;
          // The address also typed by the user into the ticket field: it must not leak there either.
          const ack = await post(app, report({ ticket: `${ticket} ${ip}`, startedAt: '2026-01-15T09:00:00.000Z' }), ip, null);
          const bodies = [
            (await get(app, `/api/console/results?code=${ack.code}`, ana)).body,
            (await get(app, `/api/console/results?from=2026-01-15T08:00:00Z`, ana)).body,
            (await get(app, `/api/console/results/${ack.id}`, ana)).body,
            (await get(app, `/api/console/results/${ack.code}`, ana)).body,
          ];
          for (const body of bodies) {
            expect(body).not.toContain(ip);
            expect(body).not.toContain(prefix);
          }
          const t2 = await get(app, `/api/console/results/${ack.id}`, bo);
          expect(t2.json<ConsoleResultView>().network?.addresses).toEqual([expect.objectContaining({ address: ip, truncated: `${a}.${b}.${c}.0/24` })]);
        },
      ),
      { numRuns: 15, seed: 4711 },
    );
  }, 60_000);

  it('exports need tier 2 (or the token), site reports tier 1 (or the token)', async () => {
    const { app } = await build();
    await seedSite(app);
    const ana = await sessionCookie(app, 'ana');
    const bo = await sessionCookie(app, 'bo');
    expect((await get(app, '/api/results?format=csv', null)).statusCode).toBe(401);
    const t1 = await get(app, '/api/results?format=csv', ana);
    expect(t1.statusCode).toBe(403);
    expect(t1.json()).toMatchObject({ reason: 'needs-tier2' });
    expect((await get(app, '/api/results?format=ndjson', bo)).statusCode).toBe(200);
    expect((await get(app, '/api/sites/HQ/report?since=2026-01-01', ana)).statusCode).toBe(200);
    expect((await get(app, '/api/sites/HQ/report?since=2026-01-01', null)).statusCode).toBe(401);
    const viaToken = await app.inject({ method: 'GET', url: '/api/console/results?site=HQ', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(viaToken.json<ConsoleSearchAnswer>().results).toHaveLength(8);
  });
});
