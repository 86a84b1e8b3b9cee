/**
 * POST /api/results and the shared-result lookups against an anonymous caller who tries to
 * fill the store or read what is not theirs, through Fastify's inject against SQLite and a real
 * PostgreSQL: every text and list of a report bounded, the body at 128 KiB (a report and its region leg), a day's budget of
 * stored bytes per source (the operator token exempt), a known sampleId that never gives away
 * another caller's code, a site canonicalised before it is checked, and a budget of failed
 * code lookups over every source together.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ResultAck } from '../../../src/protocol/api.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { buildApp } from '../../../server/http/app.js';
import type { ResultsOptions } from '../../../server/http/results.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { DAY_MS, type ResultStore } from '../../../server/store/index.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { describeEachKind, open, storeOptions, testClock, type TestClock } from '../store/store-kit.js';
import { appOptionsWithoutRelay } from '../../kit/app-options.js';

const TOKEN = 'operator-token-0123456789';
const CLIENT = '198.51.100.23';

function report(over: { site?: string | null; ticket?: string | null; browser?: string } = {}): Record<string, unknown> {
  const r = analyze(reflectorInput({ count: 1500, meta: { site: over.site ?? null, ticket: over.ticket ?? null, startedAt: '2026-01-15T10:00:00.000Z' } }));
  const body = JSON.parse(JSON.stringify(r)) as { meta: Record<string, unknown> };
  if (over.browser !== undefined) body.meta['browser'] = over.browser;
  return body as unknown as Record<string, unknown>;
}

describeEachKind('results abuse', (kind, opened) => {
  let webRoot: string;
  beforeAll(() => {
    webRoot = mkdtempSync(join(tmpdir(), 'callprobe-abuse-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe page</title>');
  });
  afterAll(() => rmSync(webRoot, { recursive: true, force: true }));

  async function build(
    over: Partial<Omit<ResultsOptions, 'store' | 'pageBuilt'>> = {},
  ): Promise<{ app: FastifyInstance; store: ResultStore; clock: TestClock }> {
    const clock = testClock(Date.UTC(2026, 0, 15, 12));
    const store = await open(await kind.freshTarget(), storeOptions(clock, 7));
    const app = await buildApp({
      ...appOptionsWithoutRelay(webRoot),
      results: {
        store,
        adminToken: TOKEN,
        bodyLimitBytes: DEFAULTS.results.bodyLimitBytes,
        postsPerMinutePerIp: 1000,
        readsPerMinutePerIp: 1000,
        storedBytesPerDayPerSource: DEFAULTS.results.storedBytesPerDayPerSource,
        failedLookupsPerMinute: DEFAULTS.results.failedLookupsPerMinute,
        nowMs: () => clock.nowMs(),
        ...over,
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

  const post = (app: FastifyInstance, body: unknown, o: { token?: string; ip?: string } = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/results',
      remoteAddress: o.ip ?? CLIENT,
      headers: { 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const count = async (store: ResultStore): Promise<number> => (await store.results.list({ sinceMs: null, site: null, limit: 1000 })).length;

  it('re-POSTing a known sampleId from another source answers only "already stored", never its id or code', async () => {
    const { app, store } = await build();
    const sampleId = 'c0ffee00-98fc-1c14-9afb-f4c8996fb924';
    const first = await post(app, { ...report(), sampleId });
    expect(first.statusCode).toBe(201);
    const { id, code } = first.json<ResultAck>();
    // Another address, and an IPv6 /64: the record exists, and that is all they learn.
    for (const ip of ['203.0.113.9', '2001:db8:9::1']) {
      const again = await post(app, { ...report({ ticket: 'other' }), sampleId }, { ip });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toEqual({ reason: 'already-stored', message: expect.stringContaining('already stored') as unknown });
      expect(again.body).not.toContain(id);
      expect(again.body).not.toContain(code);
    }
    // The operator may see it (it reads every result anyway).
    const operatorAgain = await post(app, { ...report(), sampleId }, { ip: '203.0.113.9', token: TOKEN });
    expect(operatorAgain.statusCode).toBe(200);
    expect(operatorAgain.json()).toEqual(first.json());
    expect(await count(store)).toBe(1);
  });

  it('bounds every text of a report: a 600-character user agent is refused, a 255 KiB one is over the body limit', async () => {
    const { app, store } = await build();
    const long = await post(app, report({ browser: 'Mozilla/5.0 '.padEnd(600, 'x') }));
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({ reason: 'over-bound', message: expect.stringContaining('/meta/browser') as unknown });
    const huge = await post(app, report({ browser: 'x'.repeat(255 * 1024) }));
    expect(huge.statusCode).toBe(413);
    expect(DEFAULTS.results.bodyLimitBytes).toBeLessThanOrEqual(128 * 1024);
    expect(await count(store)).toBe(0);
    // A real user agent passes.
    const real = await post(app, report({ browser: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' }));
    expect(real.statusCode).toBe(201);
  });

  it('canonicalises the site before checking it: white space alone is refused, never taken for no site', async () => {
    const { app, store } = await build();
    for (const site of ['   ', '\t\u00a0 ']) {
      const res = await post(app, report({ site }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ reason: 'bad-site' });
      expect((await post(app, report({ site }), { token: TOKEN })).statusCode).toBe(400);
    }
    // Without a token a real name is stored apart, unverified (never counted for the site); with it, in its canonical form.
    expect((await post(app, report({ site: '  Paris   office ' }))).statusCode).toBe(201);
    expect(await store.results.list({ sinceMs: null, site: 'Paris office', limit: 10 })).toEqual([]);
    const ok = await post(app, report({ site: '  Paris   office ' }), { token: TOKEN });
    expect(ok.statusCode).toBe(201);
    expect((await store.results.list({ sinceMs: null, site: 'Paris office', limit: 10 })).map((r) => r.site)).toEqual(['Paris office']);
  });

  it('caps the bytes one anonymous source stores per day; the operator token and other sources are not held', async () => {
    const one = Buffer.byteLength(JSON.stringify(report()));
    const { app, store, clock } = await build({ storedBytesPerDayPerSource: 3 * one + 100 });
    for (let i = 0; i < 3; i++) expect((await post(app, { ...report(), sampleId: `sample-a-${i}` })).statusCode).toBe(201);
    // A retry of a stored sample stores nothing and costs nothing.
    expect((await post(app, { ...report(), sampleId: 'sample-a-0' })).statusCode).toBe(200);
    const over = await post(app, report());
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ reason: 'upload-budget' });
    // Another address is another source.
    expect((await post(app, report(), { ip: '198.51.100.24' })).statusCode).toBe(201);
    expect((await post(app, report(), { token: TOKEN })).statusCode).toBe(201);
    clock.advance(DAY_MS);
    expect((await post(app, report())).statusCode).toBe(201);
    expect(await count(store)).toBe(3 + 1 + 1 + 1);
  });

  it('once the failed lookups of all sources spend the budget, refuses every lookup from a network that guessed, and still answers one that did not', async () => {
    const { app, clock } = await build({ failedLookupsPerMinute: 5 });
    const { code } = (await post(app, report())).json<ResultAck>();
    // Five guesses, each from another source of one /24 (the per-source limit never sees more than one).
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: 'GET', url: `/api/r/AAAA-AAA${i}`, remoteAddress: `203.0.113.${10 + i}` });
      expect(res.statusCode).toBe(404);
    }
    // Now even a right code is refused from the guessers' network (a guess that would hit must not get through), on both views.
    const busy = await app.inject({ method: 'GET', url: `/api/r/${code}`, remoteAddress: '203.0.113.77' });
    expect(busy.statusCode).toBe(429);
    expect(busy.json()).toMatchObject({ reason: 'lookups-busy' });
    expect((await app.inject({ method: 'GET', url: `/r/${code}`, remoteAddress: '203.0.113.78' })).statusCode).toBe(429);
    // A caller elsewhere who types the code right still gets the result: a few guessers lock nobody else out.
    expect((await app.inject({ method: 'GET', url: `/api/r/${code}`, remoteAddress: '192.0.2.77' })).statusCode).toBe(200);
    // Its first unknown code ends its free pass for the minute: one guess each, no more.
    expect((await app.inject({ method: 'GET', url: '/api/r/AAAA-AAB1', remoteAddress: '192.0.2.77' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/r/${code}`, remoteAddress: '192.0.2.79' })).statusCode).toBe(429);
    clock.advance(60_000);
    expect((await app.inject({ method: 'GET', url: `/api/r/${code}`, remoteAddress: '203.0.113.77' })).statusCode).toBe(200);
  });
});
