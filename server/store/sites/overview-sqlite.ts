/**
 * The all-sites overview on SQLite, which has no percentile: the rows come site by site in the
 * order of the index results_site_key_started_at (no sort), each site's groups are gathered and
 * their nearest-rank P90s computed in TS.
 */
import type Database from 'better-sqlite3';
import { percentile } from '../../../src/analysis/measure/percentile.js';
import { groupThresholds, type OverviewGroup, type OverviewGroupMetric } from '../../../src/analysis/site/overview.js';
import { INTERRUPTED_REASON } from '../../../src/analysis/site/outages.js';
import { METRIC_COLUMNS } from '../summary.js';
import type { SitesRepository } from './types.js';

/** Nearest-rank P90 per metric of one group's rows, and the counts. */
class OverviewAccumulator {
  /** `thresholds`: each metric's target under the group's profile (groupThresholds), to count misses; null: not counted. */
  constructor(private readonly thresholds: readonly number[] | null) {}
  samples = 0;
  /** Could-not-test samples abandoned when the scheduler was stopped. */
  interrupted = 0;
  /** Why samples could not be judged (OverviewGroup's counts). */
  readonly causes = { blocked: 0, blockedEveryPort: 0, deviceBusy: 0, serverSide: 0, serverBusy: 0 };
  /** Counts one row's cause from its body state, note, verdict, side and insufficient cause. */
  cause(body: unknown, note: unknown, verdict: unknown, side: unknown, insufficientCause: unknown): void {
    const c = this.causes;
    if (body === 'could-not-test' && note === 'could-not-connect' && side === 'network') {
      c.blocked++;
      if (verdict === 'fail') c.blockedEveryPort++;
    }
    if (insufficientCause === 'device-busy') c.deviceBusy++;
    if (body === 'could-not-test' && side === 'server') c.serverSide++;
    if (insufficientCause === 'server-busy' || insufficientCause === 'server-missed') c.serverBusy++;
  }
  readonly values: number[][] = METRIC_COLUMNS.map(() => []);
  readonly insufficient: number[] = METRIC_COLUMNS.map(() => 0);
  readonly missed: number[] = METRIC_COLUMNS.map(() => 0);
  add(metrics: ReadonlyArray<number | null>, insufficientMask: number): void {
    this.samples++;
    const t = this.thresholds;
    metrics.forEach((v, i) => {
      if (v === null) return;
      this.values[i]?.push(v);
      if (t !== null && v >= (t[i] ?? Number.POSITIVE_INFINITY)) this.missed[i] = (this.missed[i] ?? 0) + 1;
    });
    if (insufficientMask !== 0) this.insufficient.forEach((n, i) => (this.insufficient[i] = (insufficientMask & (1 << i)) !== 0 ? n + 1 : n));
  }
  metrics(): OverviewGroupMetric[] {
    return this.values.map((vs, i) => ({
      graded: vs.length,
      insufficient: this.insufficient[i] ?? 0,
      p90: vs.length === 0 ? null : percentile(vs, 90),
      missed: this.thresholds === null ? null : (this.missed[i] ?? 0),
    }));
  }
}

export function sqliteOverview(db: Database.Database): SitesRepository['overview'] {
  const overview = db.prepare(
    `SELECT site_key, body_state, profile_id, profile_region, profile_from, probe_path, edge_id, edge_region, insufficient_mask, ${METRIC_COLUMNS.join(', ')}, body_note, report_verdict, outcome_side, insufficient_cause FROM results INDEXED BY results_site_key_started_at WHERE site_key IS NOT NULL AND started_at >= ? ORDER BY site_key`,
  );
  return async (q) => {
    const groups: OverviewGroup[] = [];
    let site: string | null = null;
    let bySite = new Map<string, { head: Array<string | null>; acc: OverviewAccumulator }>();
    const flush = (): void => {
      for (const { head, acc } of bySite.values()) {
        const [s0, body, profileId, profileRegion, profileFrom, probePath, edgeId, edgeRegion] = head;
        groups.push({
          site: s0 ?? '',
          body: body === 'report' || body === 'could-not-test' ? body : 'unreadable',
          profileId: profileId ?? null,
          profileRegion: profileRegion ?? null,
          profileFrom: profileFrom ?? null,
          probePath: probePath ?? null,
          edgeId: edgeId ?? null,
          edgeRegion: edgeRegion ?? null,
          samples: acc.samples,
          interrupted: acc.interrupted,
          ...acc.causes,
          metrics: acc.metrics(),
        });
      }
      bySite = new Map();
    };
    const metricCount = METRIC_COLUMNS.length;
    for (const row of overview.raw().iterate(q.sinceMs) as IterableIterator<unknown[]>) {
      const head = row.slice(0, 8) as Array<string | null>;
      if (head[0] !== site) {
        flush();
        site = head[0] ?? null;
      }
      const key = head
        .slice(1)
        .map((v) => v ?? '\u0001')
        .join('\u0000');
      let g = bySite.get(key);
      if (g === undefined) {
        g = {
          head,
          acc: new OverviewAccumulator(groupThresholds({ profileId: head[2] ?? null, profileRegion: head[3] ?? null, profileFrom: head[4] ?? null })),
        };
        bySite.set(key, g);
      }
      g.acc.add(row.slice(9, 9 + metricCount) as Array<number | null>, Number(row[8] ?? 0));
      const note = row[9 + metricCount];
      if (head[1] === 'could-not-test' && note === INTERRUPTED_REASON) g.acc.interrupted++;
      g.acc.cause(head[1], note, row[10 + metricCount], row[11 + metricCount], row[12 + metricCount]);
    }
    flush();
    return groups;
  };
}
