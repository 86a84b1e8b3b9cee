/**
 * The summary columns (migration 2): rows stored before it are backfilled from their
 * bodies, the site report read from the columns equals the report over the bodies, and the
 * all-sites overview of both stores equals the TS site report's figures, on SQLite and PostgreSQL.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import { siteReportFromStore } from '../../../server/reports/site.js';
import { MIGRATIONS } from '../../../server/store/schema.js';
import { summaryOf } from '../../../server/store/summary.js';
import { buildSiteReport, type SiteReport } from '../../../src/analysis/report/site-report.js';
import { siteFacts, type SiteSample } from '../../../src/analysis/site/site.js';
import { sitesOverview } from '../../../src/analysis/site/overview.js';
import type { DbTarget } from '../../../server/store/target.js';
import { weekOfSamples, type WeekSample } from '../../analysis/site/week.js';
import { weekThroughHub } from '../../analysis/site/edges-week.js';
import { describeEachKind, open, storeOptions, testClock } from './store-kit.js';

const V1_COLUMNS = 'id, code, sample_id, kind, stored_at, started_at, site, ticket, verdict, report';

/** A database at schema 1 (before the summary columns), holding `rows`. */
async function schemaOneWith(
  target: DbTarget,
  rows: ReadonlyArray<{ id: string; kind: string; startedAtMs: number; site: string; report: string }>,
): Promise<void> {
  const v1 = MIGRATIONS.find((m) => m.version === 1);
  if (v1 === undefined) throw new Error('no migration 1');
  const values = (r: (typeof rows)[number], i: number) => [
    r.id,
    `C${String(i).padStart(3, '0')}-TEST`,
    null,
    r.kind,
    0,
    r.startedAtMs,
    r.site,
    null,
    null,
    r.report,
  ];
  if (target.kind === 'sqlite') {
    mkdirSync(dirname(target.path), { recursive: true });
    const db = new Database(target.path);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    for (const s of v1.statements) db.exec(s);
    db.prepare('INSERT INTO schema_migrations VALUES (1, 0)').run();
    const ins = db.prepare(`INSERT INTO results (${V1_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    rows.forEach((r, i) => ins.run(...values(r, i)));
    db.close();
    return;
  }
  const c = new pg.Client({ connectionString: target.url });
  await c.connect();
  try {
    await c.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    for (const s of v1.statements) await c.query(s);
    await c.query('INSERT INTO schema_migrations VALUES (1, 0)');
    for (const [i, r] of rows.entries()) await c.query(`INSERT INTO results (${V1_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, values(r, i));
  } finally {
    await c.end();
  }
}

const toSample = (w: WeekSample, i: number): SiteSample => ({
  id: `x${String(i).padStart(5, '0')}`,
  code: null,
  startedAtMs: w.startedAtMs,
  body: w.kind === 'could-not-test' ? { kind: 'could-not-test', reason: w.body.reason } : { kind: 'report', report: w.body },
});

const figures = (r: SiteReport) =>
  r.metrics.map((m) => [
    m.target,
    m.direction,
    m.samplesGraded,
    m.samplesInsufficient,
    m.p50,
    m.p90,
    m.p99,
    m.p90Interval?.lower,
    m.p90Interval?.upper,
    m.status,
    m.missed,
  ]);

/** Four sites: a week-like run with could-not-test samples, one with another profile mixed in, one too small to grade, one tiny. */
function fleet(): Map<string, WeekSample[]> {
  const out = new Map<string, WeekSample[]>();
  out.set('Paris', weekOfSamples({ seed: 11, samples: 150, couldNotTestEvery: 25, site: 'Paris' }));
  const lyon = weekOfSamples({ seed: 12, samples: 120, site: 'Lyon' });
  lyon.forEach((w, i) => {
    if (w.kind === 'report' && i % 4 === 0) w.body.meta.profile = { ...w.body.meta.profile, id: 'edge-to-edge' };
  });
  out.set('Lyon', lyon);
  out.set('Nice', weekOfSamples({ seed: 13, samples: 40, site: 'Nice' }));
  out.set('Brest', weekOfSamples({ seed: 14, samples: 3, site: 'Brest' }));
  return out;
}

describeEachKind('summary columns', (kind, opened) => {
  it('migrations 2 and 8 backfill the rows stored before them from their bodies: the site report (and its busy line) is the same as over the bodies', async () => {
    const week = weekOfSamples({ seed: 21, samples: 130, couldNotTestEvery: 20, loadEvery: 7, site: 'Lyon' });
    const rows = week.map((w, i) => ({
      id: `r${String(i).padStart(5, '0')}`,
      kind: w.kind,
      startedAtMs: w.startedAtMs,
      site: 'Lyon',
      report: JSON.stringify(w.body),
    }));
    rows.push({ id: 'r99999', kind: 'report', startedAtMs: week[0]?.startedAtMs ?? 0, site: 'Lyon', report: '{"schemaVersion":9}' });
    const target = await kind.freshTarget();
    await schemaOneWith(target, rows);
    const store = await open(target, storeOptions(testClock(), 31));
    opened.push(store);
    const stored = await store.sites.samples({ site: 'Lyon', sinceMs: 0, limit: 1000 });
    expect(stored).toHaveLength(rows.length);
    for (const s of stored) expect(s.summary, s.id).toEqual(summaryOf(rows.find((r) => r.id === s.id)?.report ?? ''));
    expect(stored.find((s) => s.id === 'r99999')?.summary).toMatchObject({ body: 'unreadable', note: expect.stringMatching(/^unknown-version/) as unknown });

    const got = await siteReportFromStore(
      store,
      { site: 'Lyon', sinceMs: 0, choice: { profile: null, probePath: null }, timeZone: 'UTC' },
      { nowMs: Date.UTC(2026, 6, 1), heartbeatGraceMs: 20_000 },
    );
    const expected = buildSiteReport(
      [...week.map(toSample), { id: 'r99999', code: null, startedAtMs: week[0]?.startedAtMs ?? 0, body: { kind: 'unreadable', problem: 'x' } }],
      { site: 'Lyon', sinceMs: 0, choice: { profile: null, probePath: null } },
    );
    expect(figures(got)).toEqual(figures(expected));
    expect(got.hours).toEqual(expected.hours);
    // The busy line from migration 8's columns, as over the bodies (the sample at the P90 is named by its code in one, its id in the other).
    const busy = (r: SiteReport) =>
      r.busyLine === null ? null : { ...r.busyLine, up: { ...r.busyLine.up, p90Sample: null }, down: { ...r.busyLine.down, p90Sample: null } };
    expect(got.busyLine?.samples).toBeGreaterThan(10);
    expect(got.busyLine?.notRun).toBeGreaterThan(0);
    expect(busy(got)).toEqual(busy(expected));
    expect(got).toMatchObject({ samples: expected.samples, samplesTotal: 131, leftOut: { ...expected.leftOut, unreadable: 1 }, verdict: expected.verdict });
  });

  it('a sample stored with a busy line keeps it in its summary columns: the site report reads it without the bodies', async () => {
    const store = await open(await kind.freshTarget(), storeOptions(testClock(), 33));
    opened.push(store);
    const week = weekOfSamples({ seed: 22, samples: 60, couldNotTestEvery: 15, loadEvery: 3, site: 'Nice' });
    for (const [i, w] of week.entries())
      await store.results.put({
        sampleId: `n${i}`,
        kind: w.kind,
        startedAtMs: w.startedAtMs,
        site: 'Nice',
        ticket: null,
        verdict: w.kind === 'report' ? w.body.summary.verdict : null,
        reportJson: JSON.stringify(w.body),
        address: null,
      });
    const got = await siteReportFromStore(
      store,
      { site: 'Nice', sinceMs: 0, choice: { profile: null, probePath: null }, timeZone: 'UTC' },
      { nowMs: Date.UTC(2026, 6, 1), heartbeatGraceMs: 20_000 },
    );
    const expected = buildSiteReport(week.map(toSample), { site: 'Nice', sinceMs: 0, choice: { profile: null, probePath: null } });
    const strip = (r: SiteReport) =>
      r.busyLine === null ? null : { ...r.busyLine, up: { ...r.busyLine.up, p90Sample: null }, down: { ...r.busyLine.down, p90Sample: null } };
    expect(got.busyLine).toMatchObject({ samples: 20, notRun: 4 });
    expect(strip(got)).toEqual(strip(expected));
    expect(got.explanation).toContain(expected.busyLine?.sentence);
  });

  it('a sample stored with QoS marks keeps them in its summary columns (migration 21): the site report says the share that kept EF without the bodies', async () => {
    const store = await open(await kind.freshTarget(), storeOptions(testClock(), 34));
    opened.push(store);
    const week = weekOfSamples({ seed: 23, samples: 24, site: 'Nice' });
    for (const [i, w] of week.entries()) {
      if (w.kind !== 'report') continue;
      // Every other sample measured the way out: 9 of 12 kept EF, 3 cleared it; the way in not measured.
      if (i % 2 === 0)
        w.body.qos = {
          upstream: i % 8 === 0 ? { state: 'cleared', counts: { '0': 200 } } : { state: 'kept', counts: { '46': 200 } },
          downstream: { state: 'not-measured', counts: null, reason: 'browser-cannot-read' },
        };
      await store.results.put({
        sampleId: `q${i}`,
        kind: w.kind,
        startedAtMs: w.startedAtMs,
        site: 'Nice',
        ticket: null,
        verdict: w.body.summary.verdict,
        reportJson: JSON.stringify(w.body),
        address: null,
      });
    }
    const got = await siteReportFromStore(
      store,
      { site: 'Nice', sinceMs: 0, choice: { profile: null, probePath: null }, timeZone: 'UTC' },
      { nowMs: Date.UTC(2026, 6, 1), heartbeatGraceMs: 20_000 },
    );
    const expected = buildSiteReport(week.map(toSample), { site: 'Nice', sinceMs: 0, choice: { profile: null, probePath: null } });
    expect(got.qos).toMatchObject({ samples: 12, upstream: { measured: 12, kept: 9, cleared: 3, keptPct: 75 }, downstream: { measured: 0, notMeasured: 12 } });
    expect(got.qos).toEqual(expected.qos);
    expect(got.explanation).toContain(expected.qos?.sentence);
  });

  it("the all-sites overview gives every site's P90s and grades equal to the TS site report of the same pool", async () => {
    const store = await open(await kind.freshTarget(), storeOptions(testClock(), 32));
    opened.push(store);
    const sites = fleet();
    let n = 0;
    for (const [site, week] of sites)
      for (const w of week)
        await store.results.put({
          sampleId: `s${++n}`,
          kind: w.kind,
          startedAtMs: w.startedAtMs,
          site,
          ticket: null,
          verdict: w.kind === 'report' ? w.body.summary.verdict : null,
          reportJson: JSON.stringify(w.body),
          address: null,
        });
    // A sample before the span, and one without a site: neither counts.
    const early = weekOfSamples({ seed: 15, samples: 1, startMs: Date.UTC(2025, 11, 1), site: 'Paris' })[0];
    if (early?.kind !== 'report') throw new Error('expected a report');
    await store.results.put({
      sampleId: 'early',
      kind: 'report',
      startedAtMs: early.startedAtMs,
      site: 'Paris',
      ticket: null,
      verdict: null,
      reportJson: JSON.stringify(early.body),
      address: null,
    });
    await store.results.put({
      sampleId: 'nosite',
      kind: 'report',
      startedAtMs: early.startedAtMs + 40 * 86_400_000,
      site: null,
      ticket: null,
      verdict: null,
      reportJson: JSON.stringify(early.body),
      address: null,
    });

    const since = Date.UTC(2026, 0, 1);
    const names = new Map((await store.sites.list()).map((k) => [k.key, k.display]));
    const overview = sitesOverview(await store.sites.overview({ sinceMs: since }), since, { names });
    expect(overview.sites.map((s) => s.key)).toEqual(['brest', 'lyon', 'nice', 'paris']);
    expect(overview.sites.map((s) => s.site)).toEqual(['Brest', 'Lyon', 'Nice', 'Paris']);
    for (const o of overview.sites) {
      const week = sites.get(o.site) ?? [];
      const facts = siteFacts(week.map(toSample), { profile: null, probePath: null });
      expect(o.samplesTotal, o.site).toBe(week.length);
      expect(o.samples, o.site).toBe(facts.samples);
      expect(o.couldNotTest, o.site).toBe(facts.leftOut.couldNotTest);
      expect(o.otherPool, o.site).toBe(facts.leftOut.otherProfile + facts.leftOut.otherPath);
      expect(o.profile?.id, o.site).toBe(facts.profile?.id);
      expect(
        o.metrics.map((m) => [m.target, m.direction, m.samplesGraded, m.samplesInsufficient, m.p90, m.threshold, m.status, m.reason]),
        o.site,
      ).toEqual(facts.metrics.map((m) => [m.target, m.direction, m.samplesGraded, m.samplesInsufficient, m.p90, m.threshold, m.status, m.reason]));
      expect(o.verdict, o.site).toBe(facts.verdict);
    }
    const paris = overview.sites.find((s) => s.site === 'Paris');
    expect(paris).toMatchObject({ samplesTotal: 150, couldNotTest: 6, samples: 144 });
    expect(overview.sites.find((s) => s.site === 'Lyon')?.otherPool).toBe(30);
    expect(overview.sites.find((s) => s.site === 'Brest')).toMatchObject({ verdict: 'insufficient' });
    expect(overview.sites.find((s) => s.site === 'Brest')?.metrics.every((m) => m.reason === 'too-few-samples')).toBe(true);
    expect(overview.sites.find((s) => s.site === 'Paris')?.metrics.some((m) => m.status !== 'insufficient')).toBe(true);
  });

  it("the overview splits a site by the edge its tests ran on: the edge with most samples is the site's pool, each other edge graded apart, never pooled", async () => {
    const store = await open(await kind.freshTarget(), storeOptions(testClock(), 32));
    opened.push(store);
    // 120 samples through a hub: every third ran on neu-1 (North Europe), the rest on weu-1 (West Europe).
    const week = weekThroughHub({ seed: 21, samples: 120, site: 'Lille' }).map((w, i) =>
      w.kind === 'report' && i % 3 === 0 ? { ...w, body: { ...w.body, meta: { ...w.body.meta, edge: { id: 'neu-1', azureRegion: 'North Europe' } } } } : w,
    );
    for (const [i, w] of week.entries())
      await store.results.put({
        sampleId: `l${i}`,
        kind: w.kind,
        startedAtMs: w.startedAtMs,
        site: 'Lille',
        ticket: null,
        verdict: w.kind === 'report' ? w.body.summary.verdict : null,
        reportJson: JSON.stringify(w.body),
        address: null,
      });
    const since = Date.UTC(2026, 0, 1);
    const [lille] = sitesOverview(await store.sites.overview({ sinceMs: since }), since).sites;
    const on = (edge: string) => week.filter((w) => w.kind === 'report' && w.body.meta.edge?.id === edge).map(toSample);
    const oracle = (edge: string) => siteFacts(on(edge), { profile: null, probePath: null });
    const rows = (ms: ReadonlyArray<{ target: string; direction: string | null; samplesGraded: number; p90: number | null; status: string }>) =>
      ms.map((m) => [m.target, m.direction, m.samplesGraded, m.p90, m.status]);
    expect(lille).toMatchObject({ samplesTotal: 120, samples: 80, otherPool: 0, edge: { id: 'weu-1', azureRegion: 'West Europe' } });
    expect(rows(lille?.metrics ?? [])).toEqual(rows(oracle('weu-1').metrics));
    expect(lille?.verdict).toBe(oracle('weu-1').verdict);
    expect(lille?.otherEdges.map((e) => [e.edge.id, e.edge.azureRegion, e.samples, e.verdict])).toEqual([
      ['neu-1', 'North Europe', 40, oracle('neu-1').verdict],
    ]);
    expect(rows(lille?.otherEdges[0]?.metrics ?? [])).toEqual(rows(oracle('neu-1').metrics));
  });
});
