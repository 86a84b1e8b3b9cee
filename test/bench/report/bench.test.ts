/**
 * `npm run bench:report` at a small scale (5 sites x 50 samples, a fifth of them with a body):
 * the generator, the bulk loads and the timed queries on SQLite and a real PostgreSQL, and the
 * figures they give equal the TS site report over the generated samples (an independent
 * reference: built from the generated data, not from the summary columns).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchStore, type StoreFigures } from '../../../bench/report/bench.js';
import { loadTemplate, siteName, type BenchRow, type ReportBenchSpec } from '../../../bench/report/generate.js';
import { buildSiteReport } from '../../../src/analysis/report/site-report.js';
import { siteFacts, type SiteSample } from '../../../src/analysis/site/site.js';
import { describeKind, postgresKind, sqliteKind } from '../../server/store/store-kit.js';

const SPEC: ReportBenchSpec = {
  sites: 5,
  samplesPerSite: 50,
  bodyShare: 0.2,
  couldNotTestShare: 0.04,
  seed: 5,
  startMs: Date.UTC(2026, 0, 5),
  intervalMs: 600_000,
};
const SITE = siteName(3);
describe.each([sqliteKind(), postgresKind()])('report bench at small scale: $name', (kind) => {
  describeKind('report bench at small scale', kind)(`on ${kind.name}`, () => {
    let figures: StoreFigures;
    const rows: BenchRow[] = [];
    beforeAll(async () => {
      await kind.setup();
      figures = await benchStore(await kind.freshTarget(), SPEC, loadTemplate(), { site: SITE, warmups: 1, runs: 2, onRow: (r) => rows.push(r) });
    }, 120_000);
    afterAll(async () => {
      await kind.teardown();
    }, 60_000);

    it('loads every generated row, a share of them with a full body, and times each query', () => {
      expect(figures.load.rows).toBe(250);
      expect(figures.load.rowsWithBody).toBe(rows.filter((r) => r.hasBody).length);
      expect(figures.load.rowsWithBody).toBeGreaterThan(20);
      expect(figures.load.rowsWithBody).toBeLessThan(100);
      expect(figures.load.rowsCouldNotTest).toBe(rows.filter((r) => r.couldNotTest).length);
      // Every body the generator wrote is one callprobe reads (not counted as unreadable).
      expect(rows.filter((r) => r.summary.body === 'unreadable')).toEqual([]);
      for (const t of [figures.siteReport, figures.siteQuery, figures.overview]) {
        expect(t.runsMs).toHaveLength(2);
        expect(t.medianMs).toBeGreaterThan(0);
      }
      // At this size PostgreSQL rightly scans the table; the million-row run shows its index.
      expect(figures.plans.siteQuery).toMatch(kind.name === 'sqlite' ? /results_site_key_started_at/ : /Limit/);
    });

    it('gives the site report of the TS code over the same samples', () => {
      const samples: SiteSample[] = rows.filter((r) => r.site === SITE).map((r) => r.reference);
      const expected = buildSiteReport(samples, { site: SITE, sinceMs: SPEC.startMs, choice: { profile: null, probePath: null } });
      const got = figures.report;
      const f = (r: typeof got) =>
        r.metrics.map((m) => [m.target, m.direction, m.samplesGraded, m.samplesInsufficient, m.p50, m.p90, m.p99, m.p90Sample, m.status, m.missed]);
      expect(got.samplesTotal).toBe(50);
      expect(f(got)).toEqual(f(expected));
      expect(got.hours).toEqual(expected.hours);
      expect(got.leftOut).toEqual(expected.leftOut);
      expect(got.verdict).toBe(expected.verdict);
    });

    it('gives every site the P90s and grades of the TS code in the all-sites overview', () => {
      expect(figures.overviewResult.sites.map((s) => s.site)).toEqual([0, 1, 2, 3, 4].map(siteName));
      for (const o of figures.overviewResult.sites) {
        const facts = siteFacts(
          rows.filter((r) => r.site === o.site).map((r) => r.reference),
          { profile: null, probePath: null },
        );
        expect([o.samplesTotal, o.samples, o.couldNotTest], o.site).toEqual([50, facts.samples, facts.leftOut.couldNotTest]);
        expect(
          o.metrics.map((m) => [m.target, m.direction, m.samplesGraded, m.p90, m.status]),
          o.site,
        ).toEqual(facts.metrics.map((m) => [m.target, m.direction, m.samplesGraded, m.p90, m.status]));
      }
    });
  });
});
