/**
 * The all-sites overview of a site tested on two edges of a hub, as `callprobe report --all`
 * prints it and exports it: the edge with most samples is the site's pool, the other edge is a
 * line of its own, graded apart (a test on another edge is another path, never pooled).
 */
import { describe, expect, it } from 'vitest';
import { formatOverview, OVERVIEW_CSV_COLUMNS, overviewCsv } from '../../client/site-report.js';
import { SITE_METRIC_KEYS } from '../../src/analysis/site/site.js';
import { sitesOverview, type OverviewGroup } from '../../src/analysis/site/overview.js';

const rttUp = SITE_METRIC_KEYS.findIndex((k) => k.target === 'latency-rtt');

/** A report group of Lille on `edgeId`: `samples` graded, the round trip's P90 `p90` ms (none missed). */
const group = (edgeId: string, edgeRegion: string, samples: number, p90: number): OverviewGroup => ({
  site: 'lille',
  body: 'report',
  profileId: 'client-to-edge',
  profileRegion: null,
  profileFrom: null,
  probePath: 'rtp',
  edgeId,
  edgeRegion,
  samples,
  interrupted: 0,
  blocked: 0,
  blockedEveryPort: 0,
  deviceBusy: 0,
  serverSide: 0,
  serverBusy: 0,
  metrics: SITE_METRIC_KEYS.map((_, i) =>
    i === rttUp ? { graded: samples, insufficient: 0, p90, missed: 0 } : { graded: 0, insufficient: 0, p90: null, missed: null },
  ),
});

describe('the overview of a site tested on two edges', () => {
  // 80 samples on weu-1 at 40 ms, 60 on neu-1 at 250 ms (over the 100 ms round-trip target).
  const o = sitesOverview([group('neu-1', 'North Europe', 60, 250), group('weu-1', 'West Europe', 80, 40)], 0, { names: new Map([['lille', 'Lille']]) });

  it('grades the edge with most samples as the site, and the other apart', () => {
    const s = o.sites[0];
    expect(s).toMatchObject({ site: 'Lille', samplesTotal: 140, samples: 80, otherPool: 0, edge: { id: 'weu-1', azureRegion: 'West Europe' } });
    expect(s?.otherEdges.map((e) => [e.edge.id, e.samples, e.metrics.map((m) => [m.target, m.p90])])).toEqual([['neu-1', 60, [['latency-rtt', 250]]]]);
  });

  it('prints the edge under the site and the other edge on a line of its own, with its metrics', () => {
    const text = formatOverview(o);
    expect(text).toMatch(/\nLille: \w+ over 80 of 140 samples, [^\n]+\n {2}On edge weu-1 \(West Europe\)\n/);
    expect(text).toMatch(/\n {2}Also on edge neu-1 \(North Europe\): \w+ over 60 samples, graded apart\n {4}\w+ +Latency \(round trip\)[^\n]* 250\.0 ms/);
  });

  it('exports one row per edge and metric, the edge in its column', () => {
    const rows = overviewCsv(o).trimEnd().split('\r\n');
    expect(rows[0]).toBe(OVERVIEW_CSV_COLUMNS.join(','));
    const edge = OVERVIEW_CSV_COLUMNS.indexOf('edge');
    expect(rows.slice(1).map((r) => [r.split(',')[0], r.split(',')[2], r.split(',')[edge]])).toEqual([
      ['Lille', '80', 'weu-1'],
      ['Lille', '60', 'neu-1'],
    ]);
  });
});
