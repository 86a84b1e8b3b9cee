/**
 * A site sampled through a hub with three edges, stored in a real SQLite store through the upload
 * route, then read back by GET /api/sites/:site/report and printed as `callprobe report --site`
 * prints it: the site x region table has one row per edge, the P90 of the samples' locate p50s
 * (by hand: 120 samples cycling 20-29 ms, 30-36 ms and 85-89 ms give 28, 36 and 89 ms at the
 * nearest rank, 108th), the edge in the row's Azure region graded against the West Europe row's
 * site column (135 ms), the others shown and not graded, all labelled as locate figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/http/app.js';
import type { SiteReport } from '../../../src/analysis/report/site-report.js';
import { siteReportPath } from '../../../src/protocol/api.js';
import type { ResultStore } from '../../../server/store/index.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { open, sqliteKind, storeOptions, testClock } from '../store/store-kit.js';
import { weekThroughHub } from '../../analysis/site/edges-week.js';
import { formatSiteReport } from '../../../client/site-report.js';

const TOKEN = 'operator-token-0123456789';
const kind = sqliteKind();

describe('the site x region table, stored and read back', () => {
  let webRoot: string;
  let app: FastifyInstance;
  let store: ResultStore;
  beforeAll(async () => {
    await kind.setup();
    webRoot = mkdtempSync(join(tmpdir(), 'callprobe-regions-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe page</title>');
    store = await open(await kind.freshTarget(), storeOptions(testClock(Date.UTC(2026, 0, 15)), 5));
    app = await buildApp({
      ...appOptionsWithoutRelay(webRoot),
      results: resultsOptions(store, TOKEN, { readsPerMinutePerIp: 1000, postsPerMinutePerIp: 1000 }),
    });
    await app.ready();
    for (const [i, s] of weekThroughHub({ seed: 11, samples: 120, site: 'Lyon' }).entries()) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/results',
        remoteAddress: '198.51.100.24',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        payload: JSON.stringify({ ...s.body, sampleId: `lyon-${String(i).padStart(4, '0')}` }),
      });
      expect(res.statusCode, res.body).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(webRoot, { recursive: true, force: true });
    await kind.teardown();
  });

  it('answers one row per edge with the P90 of its locate p50s, the region edge graded against the row', async () => {
    const res = await app.inject({ method: 'GET', url: `${siteReportPath('Lyon')}?since=2026-01-01`, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json<SiteReport>();
    expect(r.profile).toMatchObject({ id: 'azure-region', azureRegion: 'West Europe', from: 'site' });
    expect(r.regions.map((v) => [v.id, v.azureRegion, v.samples, v.tested, v.p90Ms, v.grade, v.graded?.threshold ?? null])).toEqual([
      ['weu-1', 'West Europe', 120, 120, 28, 'pass', 135],
      ['neu-1', 'North Europe', 120, 0, 36, 'not graded', null],
      ['eus-1', 'East US', 120, 0, 89, 'not graded', null],
    ]);
    expect(r.regions[0]?.sentence).toBe('West Europe (weu-1): P90 of 120 locate medians 28 ms, within the 135 ms limit (from your site).');
    expect(r.regions[2]?.sentence).toBe(
      "East US (eus-1): P90 of 120 locate medians 89 ms, not graded: Microsoft's Azure table gives West Europe a limit to West Europe only.",
    );

    const text = formatSiteReport(r);
    expect(text).toContain('Region by region (locate figures)');
    const lines = text.split('\n');
    const row = (id: string) => lines.find((l) => l.includes(`(${id})`) && /ms/.test(l) && !l.includes('P90 of'));
    expect(row('weu-1')).toMatch(/^\s+PASS\s+West Europe \(weu-1\)\s+120\s+120\s+24\.0 ms\s+28\.0 ms\s+< 135 ms$/);
    expect(row('neu-1')).toMatch(/^\s+NOT GRADED\s+North Europe \(neu-1\)\s+120\s+0\s+33\.0 ms\s+36\.0 ms\s+–$/);
    expect(row('eus-1')).toMatch(/^\s+NOT GRADED\s+East US \(eus-1\)\s+120\s+0\s+87\.0 ms\s+89\.0 ms\s+–$/);
  });
});
