/**
 * Each site's quality on /metrics (server/fleet/site-series.ts): the all-sites overview's P90s,
 * verdicts and sample counts as series, per edge on a hub, the sites past --metrics-max-sites
 * summed as site="_other"; computed from the store by the fleet loop each interval, never per
 * scrape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FleetLoop } from '../../../server/fleet/loop.js';
import { siteSeriesOf } from '../../../server/fleet/site-series.js';
import { openSqliteStore } from '../../../server/store/sqlite.js';
import { sitesOverview, type OverviewGroup } from '../../../src/analysis/site/overview.js';
import { SITE_METRIC_KEYS } from '../../../src/analysis/site/site.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { fleetMetrics, siteReport } from '../alerts/kit.js';
import { storeOptions, testClock } from '../store/store-kit.js';

const rtt = SITE_METRIC_KEYS.findIndex((k) => k.target === 'latency-rtt');

/** A report group of `site` on `edgeId` (null: not a hub): `samples` graded, the round trip's P90 `p90` ms, `blocked` of them blocked. */
function group(site: string, edgeId: string | null, samples: number, p90: number, blocked = 0): OverviewGroup {
  return {
    site,
    body: 'report',
    profileId: 'client-to-edge',
    profileRegion: null,
    profileFrom: null,
    probePath: 'rtp',
    edgeId,
    edgeRegion: edgeId === null ? null : 'West Europe',
    samples,
    interrupted: 0,
    blocked,
    blockedEveryPort: 0,
    deviceBusy: 0,
    serverSide: 0,
    serverBusy: 0,
    metrics: SITE_METRIC_KEYS.map((_, i) =>
      i === rtt ? { graded: samples, insufficient: 0, p90, missed: null } : { graded: 0, insufficient: 0, p90: null, missed: null },
    ),
  };
}

describe('the site series of an overview', () => {
  // Paris 60 samples at 40 ms (a pass), Lyon 80 at 250 ms (over the 100 ms target: a fail), Nice 5 at 30 ms (too few: no verdict), Lille 3 with 1 blocked.
  const groups = [group('paris', null, 60, 40), group('lyon', null, 80, 250), group('nice', null, 5, 30), group('lille', null, 3, 20, 1)];
  const names = new Map([
    ['paris', 'Paris'],
    ['lyon', 'Lyon'],
    ['nice', 'Nice'],
    ['lille', 'Lille'],
  ]);

  it("gives each site's P90 of each graded target, its verdict and its samples by cause", () => {
    const s = siteSeriesOf(sitesOverview(groups, 0, { names }), 200);
    expect(s.p90).toEqual([
      [{ site: 'Lyon', target: 'latency-rtt', direction: 'round-trip' }, 250],
      [{ site: 'Paris', target: 'latency-rtt', direction: 'round-trip' }, 40],
      [{ site: 'Nice', target: 'latency-rtt', direction: 'round-trip' }, 30],
      [{ site: 'Lille', target: 'latency-rtt', direction: 'round-trip' }, 20],
    ]);
    expect(s.verdict).toEqual([
      [{ site: 'Lyon' }, 0],
      [{ site: 'Paris' }, 1],
      [{ site: 'Nice' }, -1],
      [{ site: 'Lille' }, -1],
    ]);
    const lille = Object.fromEntries(s.samples.filter(([l]) => l.site === 'Lille').map(([l, n]) => [l.cause, n]));
    expect(lille).toMatchObject({ all: 3, pooled: 3, 'could-not-test': 0, blocked: 1, 'blocked-every-port': 0 });
    expect(s.edgeP90).toEqual([]);
  });

  it('keeps the sites with most samples under their names and sums the others\' samples as site="_other", without a P90 or verdict', () => {
    const s = siteSeriesOf(sitesOverview(groups, 0, { names }), 2);
    expect(s.verdict.map(([l]) => l.site)).toEqual(['Lyon', 'Paris']);
    expect(s.p90.map(([l]) => l.site)).toEqual(['Lyon', 'Paris']);
    const other = Object.fromEntries(s.samples.filter(([l]) => l.site === '_other').map(([l, n]) => [l.cause, n]));
    expect(other).toMatchObject({ all: 8, pooled: 8, blocked: 1 });
    expect(new Set(s.samples.map(([l]) => l.site))).toEqual(new Set(['Lyon', 'Paris', '_other']));
  });

  it("gives a hub's site its series on each edge: its own pool and the edge graded apart", () => {
    const s = siteSeriesOf(sitesOverview([group('lille', 'weu-1', 80, 40), group('lille', 'neu-1', 60, 250)], 0, { names }), 200);
    expect(s.p90).toEqual([[{ site: 'Lille', target: 'latency-rtt', direction: 'round-trip' }, 40]]);
    expect(s.edgeP90).toEqual([
      [{ site: 'Lille', edge: 'weu-1', target: 'latency-rtt', direction: 'round-trip' }, 40],
      [{ site: 'Lille', edge: 'neu-1', target: 'latency-rtt', direction: 'round-trip' }, 250],
    ]);
    expect(s.edgeVerdict).toEqual([
      [{ site: 'Lille', edge: 'weu-1' }, 1],
      [{ site: 'Lille', edge: 'neu-1' }, 0],
    ]);
    expect(s.edgeSamples).toEqual([
      [{ site: 'Lille', edge: 'weu-1' }, 80],
      [{ site: 'Lille', edge: 'neu-1' }, 60],
    ]);
  });
});

describe('the site series from the store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-site-series-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('computes them at the first beat and again each interval, never per scrape', async () => {
    const clock = testClock(Date.now());
    const store = openSqliteStore(join(dir, 'callprobe.db'), storeOptions(clock, 83));
    const put = (n: number, rttMs: number) =>
      store.results.put({
        sampleId: `paris-${String(n).padStart(4, '0')}`,
        kind: 'report',
        startedAtMs: clock.nowMs() - 60_000,
        site: 'Paris office',
        ticket: null,
        verdict: 'pass',
        reportJson: siteReport('Paris office', rttMs, clock.nowMs() - 60_000),
        address: null,
      });
    const log = { info: () => undefined, warn: (_o: object, msg: string) => expect.fail(msg) };
    const settings = { heartbeatMs: 86_400_000, leaseTtlMs: DEFAULTS.fleet.leaseTtlMs, sweepIntervalMs: DEFAULTS.alerts.sweepIntervalMs };
    const loop = new FleetLoop({
      store,
      alerts: null,
      delivery: null,
      log,
      nowMs: clock.nowMs,
      settings,
      siteSeries: { ...DEFAULTS.siteSeries, intervalMs: 60_000 },
    });
    const registry = fleetMetrics(loop);
    const p90 = async (): Promise<string | undefined> =>
      /^callprobe_site_p90\{site="Paris office",target="latency-rtt",direction="round-trip"\} (\S+)$/m.exec(await registry.metrics())?.[1];
    try {
      await put(1, 40);
      await loop.start();
      const first = Number(await p90());
      expect(first).toBeGreaterThan(30);
      expect(first).toBeLessThan(60);
      // A sample of 300 ms: not in the series before the interval passed, scraped or beaten.
      await put(2, 300);
      await loop.tick();
      expect(Number(await p90())).toBe(first);
      clock.advance(60_000);
      await loop.tick();
      expect(Number(await p90())).toBeGreaterThan(250);
      expect(await registry.metrics()).toMatch(/^callprobe_site_samples\{site="Paris office",cause="all"\} 2$/m);
    } finally {
      await loop.stop();
      await store.close();
    }
  });
});
