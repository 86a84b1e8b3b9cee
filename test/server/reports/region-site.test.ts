/**
 * A site sampled with region legs (asked about the Southeast Asia row through a hub whose nearest
 * edges stand elsewhere), on SQLite and PostgreSQL: the site report grades the row's round trip on
 * the region legs' pool (measured to the edge in Southeast Asia), pools per edge by the one rule
 * (src/analysis/site/pools.ts: the edge with most samples, the others apart), and the all-sites
 * overview gives the same figures for the same edge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteReportFromStore, sitesOverviewFromStore } from '../../../server/reports/site.js';
import type { ResultStore } from '../../../server/store/index.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { withRegionAnswer } from '../../../src/analysis/report/region-answer.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { describeKind, open, postgresKind, sqliteKind, storeOptions, testClock } from '../store/store-kit.js';

const WEU = { id: 'weu-1', azureRegion: 'West Europe' };
const NEU = { id: 'neu-1', azureRegion: 'North Europe' };
const SEA = { id: 'sea-1', azureRegion: 'Southeast Asia' };
const ASKED = { id: 'azure-region' as const, azureRegion: 'Southeast Asia', from: 'site' as const };

/** One test asked about Southeast Asia: on `nearest` at 11 ms (client-to-edge), its region leg at `legRttMs` to sea-1. */
function asked(nearest: typeof WEU, legRttMs: number): Report {
  const near = analyze(reflectorInput({ count: 1500, rttMs: () => 11, meta: { edge: nearest, profile: { id: 'client-to-edge' } } }));
  const leg = analyze(reflectorInput({ count: 1500, rttMs: () => legRttMs, meta: { edge: SEA, profile: ASKED } }));
  return withRegionAnswer(near, ASKED, { role: 'region', edge: SEA, report: leg });
}

describe.each([sqliteKind(), postgresKind()])('a site asked about an Azure row: $name', (kind) => {
  const run = describeKind('a site asked about an Azure row', kind);
  run(`on ${kind.name}`, () => {
    const clock = testClock(Date.UTC(2026, 2, 2, 8));
    let store: ResultStore;
    beforeAll(async () => {
      await kind.setup();
      store = await open(await kind.freshTarget(), storeOptions(clock, 81));
    }, 90_000);
    afterAll(async () => {
      await store.close();
      await kind.teardown();
    }, 60_000);

    it("grades the row on the region legs' pool, each edge apart, the same figures in the site report and the overview", async () => {
      const t0 = clock.nowMs();
      const weu = asked(WEU, 201);
      const neu = asked(NEU, 205);
      expect(weu.summary.verdict).toBe('fail');
      for (let i = 0; i < 12; i++) {
        const r = i < 9 ? weu : neu;
        const at = t0 + i * 600_000;
        const body = { ...r, meta: { ...r.meta, site: 'Boston', startedAt: new Date(at).toISOString() } };
        await store.results.put({
          sampleId: `b-${i}`,
          kind: 'report',
          startedAtMs: at,
          site: 'Boston',
          ticket: null,
          verdict: r.summary.verdict,
          reportJson: JSON.stringify(body),
          address: null,
        });
      }
      clock.advance(12 * 600_000);
      const service = { nowMs: clock.nowMs(), heartbeatGraceMs: 15 * 60_000, lookbackMs: 8 * 86_400_000 };
      const report = await siteReportFromStore(store, { site: 'boston', sinceMs: t0, choice: { profile: null, probePath: null }, timeZone: 'UTC' }, service);
      // The question asked, the nearest edge with most samples, the others apart.
      expect(report.profile).toMatchObject({ id: 'azure-region', azureRegion: 'Southeast Asia', from: 'site' });
      expect(report.edge).toEqual(WEU);
      expect(report.samples).toBe(9);
      expect(report.otherEdges.map((o) => [o.edge.id, o.samples])).toEqual([['neu-1', 3]]);
      // The row's round trip is the legs': to Southeast Asia, over its 137 ms (fails already: 9 of 9 missed).
      const rtt = report.metrics.find((m) => m.target === 'latency-rtt');
      expect(rtt).toMatchObject({ threshold: 137, p90: 201, status: 'fail', edge: SEA });
      // The loss rows are the nearest's, measured to West Europe.
      expect(report.metrics.find((m) => m.target === 'loss-15s' && m.direction === 'up')).toMatchObject({ edge: WEU, status: 'insufficient' });
      expect(report.verdict).toBe('fail');

      const overview = await sitesOverviewFromStore(store, t0, service, { silentForMs: 86_400_000, outagesAbovePct: 50 });
      const site = overview.sites.find((s) => s.key === 'boston');
      expect(site?.edge?.id).toBe('weu-1');
      expect(site?.samples).toBe(9);
      // The same figures for the same edge: every metric's P90 and status as the site report's.
      const pick = (ms: ReadonlyArray<{ target: string; direction: string; p90: number | null; status: string }>) =>
        ms.map((m) => [m.target, m.direction, m.p90, m.status]).sort((a, b) => String(a).localeCompare(String(b)));
      expect(pick(site?.metrics ?? [])).toEqual(pick(report.metrics));
      expect(site?.otherEdges.map((o) => [o.edge.id, o.samples])).toEqual([['neu-1', 3]]);
    });
  });
});
