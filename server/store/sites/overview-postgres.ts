/**
 * The all-sites overview on PostgreSQL: the counts in one query, then the P90s in the database
 * (percentile_disc), several parts of the site list at once.
 */
import { groupThresholds, type OverviewGroup } from '../../../src/analysis/site/overview.js';
import { edgePools } from '../../../src/analysis/site/pools.js';
import { INTERRUPTED_REASON } from '../../../src/analysis/site/outages.js';
import { CONSTANTS } from '../../../src/protocol/defaults.js';
import type { PostgresDriver } from '../driver/postgres.js';
import { METRIC_COLUMNS } from '../summary.js';
import { CAUSE_COUNTS_SQL } from './sql.js';
import type { SitesRepository } from './types.js';

/** The overview's first query: per group, the samples and each metric's graded and insufficient counts (a hash aggregate, parallel). */
const OVERVIEW_COUNTS_SQL = `SELECT site_key, body_state, profile_id, profile_region, profile_from, probe_path, edge_id, edge_region, count(*) AS samples,
  count(*) FILTER (WHERE body_state = 'could-not-test' AND body_note = '${INTERRUPTED_REASON}') AS interrupted,
  ${CAUSE_COUNTS_SQL}, ${METRIC_COLUMNS.map((c, i) => `count(${c}) AS n${i}, count(*) FILTER (WHERE insufficient_mask & ${1 << i} <> 0) AS i${i}`).join(', ')}
  FROM results WHERE started_at >= $1 AND site_key IS NOT NULL
  GROUP BY site_key, body_state, profile_id, profile_region, profile_from, probe_path, edge_id, edge_region`;

/**
 * The overview's second query: the P90s of the given metrics over each listed site's pool, one
 * site at a time through the index results_site_key_started_at (no sort of the table). percentile_disc(0.9)
 * is the nearest rank of src/analysis/measure/percentile.ts: the value at rank ceil(0.9 n) of the
 * n non-null values, 0.9 * n computed in float8 as in TS, so the same value (tested against the TS code).
 * Beside each P90, the values at or above the pool's target for that metric ($9 on: one array of
 * targets per metric, one entry per pool), which an early fail reads.
 */
function overviewP90Sql(metrics: readonly number[]): string {
  const col = (i: number): string => METRIC_COLUMNS[i] ?? '';
  const p90s = metrics
    .map((i) => `percentile_disc(0.9) WITHIN GROUP (ORDER BY r.${col(i)}) AS p${i}, count(*) FILTER (WHERE r.${col(i)} >= p.t${i}) AS m${i}`)
    .join(', ');
  const targets = metrics.map((i, k) => `$${9 + k}::float8[]`).join(', ');
  return `SELECT p.i, x.* FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], ${targets}) AS p(i, site, pid, reg, frm, path, edge, ${metrics.map((i) => `t${i}`).join(', ')})
  CROSS JOIN LATERAL (SELECT ${p90s} FROM results r WHERE r.site_key = p.site AND r.started_at >= $1 AND r.body_state = 'report'
    AND r.profile_id IS NOT DISTINCT FROM p.pid AND r.profile_region IS NOT DISTINCT FROM p.reg
    AND r.profile_from IS NOT DISTINCT FROM p.frm AND r.probe_path IS NOT DISTINCT FROM p.path AND r.edge_id IS NOT DISTINCT FROM p.edge) x`;
}

/** `items` in at most `chunks` contiguous parts of near-equal size. */
function chunked<T>(items: readonly T[], chunks: number): T[][] {
  const n = Math.max(1, Math.min(chunks, items.length));
  return Array.from({ length: n }, (_, i) => items.slice(Math.floor((i * items.length) / n), Math.floor(((i + 1) * items.length) / n))).filter(
    (c) => c.length > 0,
  );
}

export function postgresOverview({ pool, transaction }: PostgresDriver): SitesRepository['overview'] {
  return async (q) => {
    const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
    const groups = (await pool.query<Record<string, unknown>>(OVERVIEW_COUNTS_SQL, [q.sinceMs])).rows.map((r): OverviewGroup => ({
      site: String(r.site_key),
      body: r.body_state === 'report' || r.body_state === 'could-not-test' ? r.body_state : 'unreadable',
      profileId: text(r.profile_id),
      profileRegion: text(r.profile_region),
      profileFrom: text(r.profile_from),
      probePath: text(r.probe_path),
      edgeId: text(r.edge_id),
      edgeRegion: text(r.edge_region),
      samples: Number(r.samples),
      interrupted: Number(r.interrupted),
      blocked: Number(r.blocked),
      blockedEveryPort: Number(r.blocked_every_port),
      deviceBusy: Number(r.device_busy),
      serverSide: Number(r.server_side),
      serverBusy: Number(r.server_busy),
      metrics: METRIC_COLUMNS.map((_, i) => ({ graded: Number(r[`n${i}`]), insufficient: Number(r[`i${i}`]), p90: null, missed: null })),
    }));
    // The P90s only of each site's pools (one per edge), and only of metrics they graded.
    const bySite = new Map<string, OverviewGroup[]>();
    for (const g of groups) if (g.body === 'report') bySite.set(g.site, [...(bySite.get(g.site) ?? []), g]);
    const pooled = [...bySite.values()].flatMap((gs) => edgePools(gs));
    const metrics = METRIC_COLUMNS.map((_, i) => i).filter((i) => pooled.some((g) => (g.metrics[i]?.graded ?? 0) > 0));
    if (metrics.length === 0) return groups;
    const sql = overviewP90Sql(metrics);
    const thresholds = pooled.map((g) => groupThresholds(g));
    // Sorting the values is CPU: several parts of the site list at once, each on its own connection (no JIT: compiling costs more than it saves).
    const parts = chunked(
      pooled.map((g, i) => ({ g, i })),
      CONSTANTS.siteReport.overviewQueryChunks,
    );
    await Promise.all(
      parts.map((part) =>
        transaction(async (c) => {
          await c.query('SET LOCAL jit = off');
          const rows = (
            await c.query<Record<string, unknown>>(sql, [
              q.sinceMs,
              part.map((p) => p.i),
              part.map((p) => p.g.site),
              part.map((p) => p.g.profileId),
              part.map((p) => p.g.profileRegion),
              part.map((p) => p.g.profileFrom),
              part.map((p) => p.g.probePath),
              part.map((p) => p.g.edgeId),
              ...metrics.map((i) => part.map((p) => thresholds[p.i]?.[i] ?? null)),
            ])
          ).rows;
          for (const r of rows) {
            const g = pooled[Number(r.i)];
            if (g === undefined) continue;
            for (const i of metrics) {
              const m = g.metrics[i];
              const v = r[`p${i}`];
              if (m === undefined) continue;
              m.p90 = v === null || v === undefined ? null : Number(v);
              m.missed = thresholds[Number(r.i)] == null ? null : Number(r[`m${i}`]);
            }
          }
        }),
      ),
    );
    return groups;
  };
}
