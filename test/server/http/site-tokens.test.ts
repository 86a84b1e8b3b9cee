/**
 * Upload-only site tokens through Fastify's inject, on SQLite and a real PostgreSQL: the operator
 * makes, lists and revokes them; a site token stores samples for its own site (201, 200 for a
 * repeated sampleId, any spelling of the name), and gets 403 for another site and for every read
 * or listing; a revoked one uploads nothing (refused as a site token); the check before a test
 * (POST /api/results/check) answers as the upload would, storing nothing; the store keeps only
 * the token's hash. A site
 * token is exempt from the per-source daily budget, as the operator token is, and stores its
 * site as verified, where an upload without any token has it kept apart as unverified.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SITE_TOKENS_PATH, UPLOAD_CHECK_PATH, type SiteTokenCreated, type SiteTokenView } from '../../../src/protocol/api.js';
import { buildApp } from '../../../server/http/app.js';
import { siteTokenHash } from '../../../server/http/access.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { ResultStore } from '../../../server/store/index.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { describeEachKind, open, storeOptions, testClock } from '../store/store-kit.js';
import { appOptionsWithoutRelay } from '../../kit/app-options.js';

const TOKEN = 'operator-token-0123456789';

const report = (site: string): Record<string, unknown> =>
  JSON.parse(JSON.stringify(analyze(reflectorInput({ count: 1500, meta: { site, ticket: null, startedAt: '2026-01-15T10:00:00.000Z' } })))) as Record<
    string,
    unknown
  >;

describeEachKind('site tokens', (kind, opened) => {
  let webRoot: string;
  let app: FastifyInstance;
  let store: ResultStore;
  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'callprobe-site-tokens-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe page</title>');
    const clock = testClock(Date.UTC(2026, 0, 15, 12));
    store = await open(await kind.freshTarget(), storeOptions(clock, 77));
    app = await buildApp({
      ...appOptionsWithoutRelay(webRoot),
      results: {
        store,
        adminToken: TOKEN,
        bodyLimitBytes: 256 * 1024,
        postsPerMinutePerIp: 1000,
        readsPerMinutePerIp: 1000,
        // One anonymous upload a day fits, a second does not (the last test).
        storedBytesPerDayPerSource: Math.ceil(1.5 * Buffer.byteLength(JSON.stringify(report('Lille')))),
        failedLookupsPerMinute: 100_000,
      },
    });
    await app.ready();
    opened.push({
      close: async () => {
        await app.close();
        await store.close();
      },
    });
  }, 90_000);
  afterAll(() => {
    rmSync(webRoot, { recursive: true, force: true });
  });

  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const create = async (site: string): Promise<SiteTokenCreated> => {
    const res = await app.inject({ method: 'POST', url: SITE_TOKENS_PATH, headers: bearer(TOKEN), payload: { site } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<SiteTokenCreated>();
  };
  const upload = (token: string, site: string, sampleId: string) =>
    app.inject({ method: 'POST', url: '/api/results', headers: bearer(token), payload: { ...report(site), sampleId } });

  it('stores samples for its own site only, and reads nothing', async () => {
    const paris = await create(' paris  OFFICE ');
    expect(paris).toMatchObject({ site: 'paris OFFICE', revokedAt: null });
    expect(paris.token).toMatch(/^cpsite_[A-Za-z0-9_-]{43}$/);

    // Its own site, under any spelling: 201, then 200 for the same sampleId.
    expect((await upload(paris.token, 'Paris office', 'paris-sample-0001')).statusCode).toBe(201);
    expect((await upload(paris.token, 'PARIS OFFICE', 'paris-sample-0001')).statusCode).toBe(200);
    // Another site: 403, nothing stored.
    const lyon = await upload(paris.token, 'Lyon', 'lyon-sample-0001');
    expect(lyon.statusCode).toBe(403);
    expect(lyon.json()).toMatchObject({ reason: 'wrong-site', message: 'this site token stores samples for paris OFFICE only' });
    // Every read and listing: 403.
    for (const url of ['/api/results', '/api/results?site=Paris%20office', '/api/sites', '/api/sites/Paris%20office/report', SITE_TOKENS_PATH])
      expect((await app.inject({ method: 'GET', url, headers: bearer(paris.token) })).statusCode, url).toBe(403);
    expect((await app.inject({ method: 'POST', url: SITE_TOKENS_PATH, headers: bearer(paris.token), payload: { site: 'Paris office' } })).statusCode).toBe(403);

    const stored = await store.results.list({ sinceMs: null, site: null, limit: 10 });
    expect(stored.map((r) => [r.sampleId, r.site])).toEqual([['paris-sample-0001', 'Paris office']]);
    // The store holds the token's hash, never the token.
    expect(await store.siteTokens.byHash(siteTokenHash(paris.token))).toMatchObject({ id: paris.id, siteKey: 'paris office' });
    expect(JSON.stringify(await store.siteTokens.list(null))).not.toContain(paris.token);
  });

  it('is listed without its token and, revoked, uploads nothing', async () => {
    const nice = await create('Nice');
    const list = await app.inject({ method: 'GET', url: `${SITE_TOKENS_PATH}?site=nice`, headers: bearer(TOKEN) });
    expect(list.json<SiteTokenView[]>()).toEqual([{ id: nice.id, site: 'Nice', createdAt: nice.createdAt, revokedAt: null, awaitsFirstSample: false }]);
    expect(list.body).not.toContain(nice.token);
    // One made ahead of its probe (site-token create --await-first-sample) says so, made and listed.
    const ahead = await app.inject({ method: 'POST', url: SITE_TOKENS_PATH, headers: bearer(TOKEN), payload: { site: 'Nice', awaitFirstSample: true } });
    expect(ahead.json<SiteTokenCreated>()).toMatchObject({ site: 'Nice', awaitsFirstSample: true });
    const both = await app.inject({ method: 'GET', url: `${SITE_TOKENS_PATH}?site=nice`, headers: bearer(TOKEN) });
    expect(both.json<SiteTokenView[]>().map((t) => t.awaitsFirstSample)).toEqual([false, true]);
    expect((await app.inject({ method: 'DELETE', url: `${SITE_TOKENS_PATH}/${ahead.json<SiteTokenCreated>().id}`, headers: bearer(TOKEN) })).statusCode).toBe(
      204,
    );

    expect((await app.inject({ method: 'DELETE', url: `${SITE_TOKENS_PATH}/${nice.id}`, headers: bearer(TOKEN) })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: `${SITE_TOKENS_PATH}/${nice.id}`, headers: bearer(TOKEN) })).json()).toMatchObject({
      reason: 'unknown-token',
    });
    // Refused as the site token it is, never as a wrong operator token.
    const revoked = await upload(nice.token, 'Nice', 'nice-sample-0001');
    expect(revoked.statusCode).toBe(403);
    expect(revoked.json()).toMatchObject({
      reason: 'bad-site-token',
      message: expect.stringContaining('this site token is not known to this server or was revoked'),
    });
    const after = await app.inject({ method: 'GET', url: `${SITE_TOKENS_PATH}?site=Nice`, headers: bearer(TOKEN) });
    // Kept, marked revoked (serve's clock: now).
    expect(Date.parse(after.json<SiteTokenView[]>()[0]?.revokedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(nice.createdAt));
    // A bad site name is refused with its reason; no operator token, no token made.
    expect((await app.inject({ method: 'POST', url: SITE_TOKENS_PATH, headers: bearer(TOKEN), payload: { site: '=cmd' } })).json()).toMatchObject({
      reason: 'bad-site',
    });
    expect((await app.inject({ method: 'POST', url: SITE_TOKENS_PATH, payload: { site: 'Nice' } })).statusCode).toBe(401);
  });

  it('answers the check before a test as the upload would, and stores nothing', async () => {
    const brest = await create('Brest');
    const check = (headers: Record<string, string>, site: string) => app.inject({ method: 'POST', url: UPLOAD_CHECK_PATH, headers, payload: { site } });
    const before = (await store.results.list({ sinceMs: null, site: null, limit: 1000 })).length;
    expect((await check(bearer(brest.token), ' BREST ')).json()).toEqual({ site: 'Brest', token: 'site' });
    expect((await check(bearer(TOKEN), 'Quimper')).json()).toEqual({ site: 'Quimper', token: 'operator' });
    const refusals = [
      [await check(bearer(brest.token), 'Quimper'), 403, 'wrong-site'],
      [await check({}, 'Brest'), 401, 'no-token'],
      [await check(bearer('not-the-operator-token-0123'), 'Brest'), 403, 'bad-token'],
      [await check(bearer(brest.token), '=cmd'), 400, 'bad-site'],
    ] as const;
    for (const [res, status, reason] of refusals) expect([res.statusCode, res.json<{ reason: string }>().reason]).toEqual([status, reason]);
    await app.inject({ method: 'DELETE', url: `${SITE_TOKENS_PATH}/${brest.id}`, headers: bearer(TOKEN) });
    const revoked = await check(bearer(brest.token), 'Brest');
    expect([revoked.statusCode, revoked.json<{ reason: string }>().reason]).toEqual([403, 'bad-site-token']);
    expect((await store.results.list({ sinceMs: null, site: null, limit: 1000 })).length).toBe(before);
  });

  it('stores beyond the per-source budget and as its site, where no token stores the site unverified', async () => {
    const lille = await create('Lille');
    const anonymous = (sampleId: string) => app.inject({ method: 'POST', url: '/api/results', payload: { ...report('Lille'), sampleId } });
    // No Authorization header: stored, the site moved to meta.siteUnverified; a second upload is over the day's budget.
    const first = await anonymous('anon-sample-0001');
    expect(first.statusCode, first.body).toBe(201);
    expect((await anonymous('anon-sample-0002')).json()).toMatchObject({ reason: 'upload-budget' });
    // The site token, from the same address: stored every time, under its site.
    for (const n of [1, 2, 3]) expect((await upload(lille.token, 'Lille', `lille-sample-000${n}`)).statusCode).toBe(201);

    const rows = (await store.results.list({ sinceMs: null, site: null, limit: 100 })).filter(
      (r) => r.sampleId?.startsWith('anon-') || r.sampleId?.startsWith('lille-'),
    );
    expect(rows.map((r) => [r.sampleId, r.site]).sort()).toEqual([
      ['anon-sample-0001', null],
      ['lille-sample-0001', 'Lille'],
      ['lille-sample-0002', 'Lille'],
      ['lille-sample-0003', 'Lille'],
    ]);
    const unverified = rows.find((r) => r.sampleId === 'anon-sample-0001');
    expect((JSON.parse(unverified?.reportJson ?? '{}') as { meta: unknown }).meta).toMatchObject({ site: null, siteUnverified: 'Lille' });
  });
});
