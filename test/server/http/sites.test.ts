/**
 * GET /api/sites/:site/report through Fastify's inject, against SQLite and a real
 * PostgreSQL: a generated set of samples uploaded with the operator token, the report refused
 * without it, and equal to the pure site report over the same samples.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/http/app.js';
import { buildSiteReport, type SiteReport } from '../../../src/analysis/report/site-report.js';
import type { SiteSample } from '../../../src/analysis/site/site.js';
import { siteReportPath, SITES_OVERVIEW_PATH } from '../../../src/protocol/api.js';
import type { SitesOverview } from '../../../src/analysis/site/overview.js';
import { CONSTANTS } from '../../../src/protocol/defaults.js';
import type { ResultStore } from '../../../server/store/index.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { open, postgresKind, sqliteKind, storeOptions, testClock, describeKind } from '../store/store-kit.js';
import { weekOfSamples } from '../../analysis/site/week.js';

const TOKEN = 'operator-token-0123456789';
const START = Date.UTC(2026, 0, 5);
const week = weekOfSamples({ seed: 7, samples: 240, couldNotTestEvery: 40, site: 'Paris Office' });

describe.each([sqliteKind(), postgresKind()])('site report API: $name', (kind) => {
  const run = describeKind('site report API', kind);
  run(`on ${kind.name}`, () => {
    let webRoot: string;
    let app: FastifyInstance;
    let store: ResultStore;
    let noToken: FastifyInstance;
    beforeAll(async () => {
      await kind.setup();
      webRoot = mkdtempSync(join(tmpdir(), 'callprobe-sites-web-'));
      writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe page</title>');
      store = await open(await kind.freshTarget(), storeOptions(testClock(Date.UTC(2026, 0, 15)), 5));
      const results = (adminToken: string | null) => resultsOptions(store, adminToken, { readsPerMinutePerIp: 1000 });
      app = await buildApp({ ...appOptionsWithoutRelay(webRoot), results: results(TOKEN) });
      noToken = await buildApp({ ...appOptionsWithoutRelay(webRoot), results: results(null) });
      await Promise.all([app.ready(), noToken.ready()]);
      // Uploaded as the scheduler does: POST with a site, a sampleId and the operator token.
      for (const [i, s] of week.entries()) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/results',
          remoteAddress: '198.51.100.23',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          payload: JSON.stringify({ ...s.body, sampleId: `paris-${String(i).padStart(4, '0')}` }),
        });
        expect(res.statusCode, res.body).toBe(201);
      }
    }, 180_000);
    afterAll(async () => {
      await app.close();
      await noToken.close();
      await store.close();
      rmSync(webRoot, { recursive: true, force: true });
      await kind.teardown();
    }, 60_000);

    const get = (url: string, token: string | null = TOKEN, on: FastifyInstance = app) =>
      on.inject({ method: 'GET', url, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    const url = (query: string) => `${siteReportPath('Paris Office')}?${query}`;

    it('refuses without the operator token (401), with a wrong one (403), and when the server has none (404)', async () => {
      const none = await get(url('since=2026-01-01'), null);
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(none.json()).toMatchObject({ reason: 'no-token' });
      expect(none.body).not.toContain('Paris Office');
      const wrong = await get(url('since=2026-01-01'), 'wrong-token-0123456789');
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json()).toMatchObject({ reason: 'bad-token' });
      const off = await get(url('since=2026-01-01'), TOKEN, noToken);
      expect(off.statusCode).toBe(404);
      expect(off.json()).toMatchObject({ reason: 'no-operator' });
    });

    it('answers the site report with the token: the same as the pure report over the same samples', async () => {
      const res = await get(url('since=2026-01-01'));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      const got = res.json<SiteReport>();
      expect(got).toMatchObject({
        kind: 'site-report',
        site: 'Paris Office',
        samples: 234,
        samplesTotal: 240,
        since: '2026-01-01T00:00:00.000Z',
        timeZone: 'UTC',
      });
      expect(got.couldNotTest.sentence).toBe('6 of 240 samples could not reach the relay; they are counted, not graded.');
      // The pure unit over the uploaded samples (ids and codes are the store's: compare the figures).
      const samples: SiteSample[] = week.map((w, i) => ({
        id: `x${i}`,
        code: null,
        startedAtMs: w.startedAtMs,
        body: w.kind === 'could-not-test' ? { kind: 'could-not-test', reason: w.body.reason } : { kind: 'report', report: w.body },
      }));
      const expected = buildSiteReport(samples, { site: 'Paris Office', sinceMs: Date.UTC(2026, 0, 1), choice: { profile: null, probePath: null } });
      const figures = (r: SiteReport) =>
        r.metrics.map((m) => [m.target, m.direction, m.samplesGraded, m.p50, m.p90, m.p99, m.p90Interval?.lower, m.p90Interval?.upper, m.status, m.missed]);
      expect(figures(got)).toEqual(figures(expected));
      expect(got.verdict).toBe(expected.verdict);
      expect(got.hours).toEqual(expected.hours);
      // Each figure links to the sample behind it, by its result code.
      const rtt = got.metrics.find((m) => m.target === 'latency-rtt');
      expect(rtt?.p90Sample).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      // Never a client address.
      expect(res.body).not.toContain('198.51.100');
    });

    it('finds the site by any spelling of its name, and answers a typo with the name it most likely meant (404)', async () => {
      for (const spelling of ['paris office', ' PARIS   Office ', 'Ｐａｒｉｓ Ｏｆｆｉｃｅ']) {
        const res = await get(`${siteReportPath(spelling)}?since=2026-01-01`);
        expect(res.statusCode, spelling).toBe(200);
        expect(res.json<SiteReport>(), spelling).toMatchObject({ site: 'Paris Office', samplesTotal: 240 });
      }
      for (const typo of ['Paris', 'Pairs Office', 'paris ofice']) {
        const res = await get(`${siteReportPath(typo)}?since=2026-01-01`);
        expect(res.statusCode, typo).toBe(404);
        expect(res.json(), typo).toEqual({ reason: 'unknown-site', message: 'no such site; did you mean Paris Office?' });
      }
      const far = await get(`${siteReportPath('Lyon')}?since=2026-01-01`);
      expect(far.json()).toEqual({ reason: 'unknown-site', message: 'no such site: "Lyon" (1 known site: callprobe report --all lists them)' });
      // The export's ?site= the same way.
      const rows = await get(`/api/results?format=json&site=${encodeURIComponent('paris office')}`);
      expect(rows.json<unknown[]>()).toHaveLength(240);
      expect((await get('/api/results?format=json&site=Pariss%20Office')).json()).toMatchObject({ reason: 'unknown-site' });
    });

    it('answers the all-sites overview with the same access: per site the P90s and grades of its site report', async () => {
      const path = `${SITES_OVERVIEW_PATH}?since=2026-01-01`;
      expect((await get(path, null)).statusCode).toBe(401);
      expect((await get(path, 'wrong-token-0123456789')).statusCode).toBe(403);
      const res = await get(path);
      expect(res.statusCode, res.body).toBe(200);
      const o = res.json<SitesOverview>();
      expect(o).toMatchObject({ kind: 'sites-overview', since: '2026-01-01T00:00:00.000Z' });
      expect(o.sites.map((s) => s.site)).toEqual(['Paris Office']);
      expect(o.sites[0]).toMatchObject({ samplesTotal: 240, samples: 234, couldNotTest: 6, otherPool: 0, problem: null });
      const report = (await get(url('since=2026-01-01'))).json<SiteReport>();
      expect(o.sites[0]?.metrics.map((m) => [m.target, m.direction, m.samplesGraded, m.samplesInsufficient, m.p90, m.status])).toEqual(
        report.metrics.map((m) => [m.target, m.direction, m.samplesGraded, m.samplesInsufficient, m.p90, m.status]),
      );
      expect(o.sites[0]?.verdict).toBe(report.verdict);
      expect(res.body).not.toContain('198.51.100');
      // A known site with no sample in the span is listed, flagged silent (no heartbeat stored here: no downtime known).
      const recent = (await get(`${SITES_OVERVIEW_PATH}?since=7d`)).json<SitesOverview>().sites;
      expect(recent.map((s) => [s.site, s.samplesTotal, s.verdict, s.health?.flags.map((f) => f.kind)])).toEqual([
        ['Paris Office', 0, 'insufficient', ['silent']],
      ]);
      expect(recent[0]?.health?.lastReportAt).toBe(o.sites[0]?.health?.lastReportAt);
      expect((await get(`${SITES_OVERVIEW_PATH}?since=yesterday`)).json()).toMatchObject({ reason: 'bad-since' });
      expect((await get(`${SITES_OVERVIEW_PATH}?site=Paris`)).json()).toMatchObject({ reason: 'bad-query' });
    });

    it('filters by since (ISO or a span), pools the profile asked for, and answers in the time zone asked for', async () => {
      const day2 = (await get(url('since=2026-01-06'))).json<SiteReport>();
      expect(day2.samplesTotal).toBe(week.filter((w) => w.startedAtMs >= START + 86_400_000).length);
      // The samples are from January 2026: a span back from now finds none of them (and says so).
      const recent = await get(url('since=7d'));
      expect(recent.statusCode).toBe(200);
      expect(recent.json<SiteReport>()).toMatchObject({ samples: 0, verdict: 'insufficient' });
      const edge = (await get(url('since=2026-01-01&profile=edge-to-edge'))).json<SiteReport>();
      expect(edge).toMatchObject({ samples: 0, leftOut: { otherProfile: 234, couldNotTest: 6 } });
      const paris = (await get(url('since=2026-01-01&tz=Europe/Paris'))).json<SiteReport>();
      expect(paris.timeZone).toBe('Europe/Paris');
      expect(paris.hours[0]).toMatchObject({ weekday: 1, hour: 1 });
    });

    it('refuses bad parameters with a reason and reads nothing', async () => {
      const cases: Array<[string, string]> = [
        ['since=0d', 'bad-since'],
        ['since=yesterday', 'bad-since'],
        ['tz=Mars/Olympus', 'bad-tz'],
        ['profile=best', 'bad-profile'],
        ['profile=azure-region&azureRegion=Atlantis', 'bad-profile'],
        ['from=edge', 'bad-profile'],
        ['path=carrier-pigeon', 'bad-path'],
        ['since=7d&since=8d', 'bad-query'],
      ];
      for (const [q, reason] of cases) {
        const res = await get(url(q));
        expect(res.statusCode, q).toBe(400);
        expect(res.json(), q).toMatchObject({ reason });
      }
      const long = await get(`${siteReportPath('x'.repeat(129))}?since=7d`);
      expect(long.statusCode).toBe(400);
      expect(long.json()).toMatchObject({ reason: 'bad-site' });
      // The longest site name the schema allows, in 4-byte characters, still reaches the route (which knows no such site).
      const widest = await get(`${siteReportPath('🏢'.repeat(64))}?since=7d`);
      expect(widest.statusCode, widest.body).toBe(404);
      expect(widest.json()).toMatchObject({ reason: 'unknown-site' });
      for (const bad of ['=HYPERLINK("x")', 'Paris\u0007', '   '])
        expect((await get(`${siteReportPath(bad)}?since=7d`)).json(), bad).toMatchObject({ reason: 'bad-site' });
      expect(CONSTANTS.siteReport.sinceMs).toBe(7 * 86_400_000);
    });
  });
});
