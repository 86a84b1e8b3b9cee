/** The alerts repository on PostgreSQL: a site's evaluation in one transaction holding its state rows (SELECT ... FOR UPDATE). */
import type { AlertTrack } from '../../../src/analysis/alert/hysteresis.js';
import { freshId } from '../common.js';
import type { PostgresDriver } from '../driver/postgres.js';
import { siteKeyOf } from '../site-key.js';
import type { StoreOptions } from '../types.js';
import { alertPosts } from './posts.js';
import {
  alertEdgeWindowSql,
  alertWindowSql,
  edgeLikePattern,
  insertPostSql,
  toAlertEdgeWindow,
  toAlertTrack,
  toAlertWindow,
  type AlertStateRow,
} from './sql.js';
import { SITE_COLUMNS, siteOutcomesSql, toKnownSite, toOutcome, type SiteDbRow } from '../sites/sql.js';
import { windowKey, type AlertFacts, type AlertMetric, type AlertsRepository, type AlertWindowRow } from './types.js';

export function postgresAlerts({ runner, transaction }: PostgresDriver, opts: StoreOptions): AlertsRepository {
  return {
    evaluate: async (siteName, specs, metrics, decide, reads = {}) =>
      transaction(async (c) => {
        const site = siteKeyOf(siteName);
        const now = opts.nowMs();
        // The state rows exist before they are locked (a concurrent insert of the same row waits, then does nothing) ...
        await c.query(
          "INSERT INTO alert_states (site, metric, state, breaches, passes, since_at, updated_at) SELECT $1, m, 'ok', 0, 0, NULL, $3 FROM unnest($2::text[]) AS m ON CONFLICT (site, metric) DO NOTHING",
          [site, metrics, now],
        );
        // ... and are locked in one order, so two instances on one site queue here instead of deadlocking.
        const rows = (
          await c.query<AlertStateRow>(
            'SELECT metric, state, breaches, passes, since_at FROM alert_states WHERE site = $1 AND metric = ANY($2::text[]) ORDER BY metric FOR UPDATE',
            [site, metrics],
          )
        ).rows;
        const tracks = new Map<AlertMetric, AlertTrack>(rows.map((r) => [r.metric as AlertMetric, toAlertTrack(r)]));
        // READ COMMITTED: each statement after the lock sees every sample committed before it, the other instance's too.
        const windows = new Map<AlertMetric, AlertWindowRow[]>();
        for (const sp of specs)
          windows.set(
            windowKey(sp),
            sp.edge === undefined
              ? toAlertWindow(sp.metric, (await c.query<Record<string, unknown>>(alertWindowSql(sp.metric, '$1', '$2'), [site, sp.samples])).rows)
              : toAlertEdgeWindow(
                  sp.edge,
                  (await c.query<Record<string, unknown>>(alertEdgeWindowSql('$1', '$2', '$3'), [site, edgeLikePattern(sp.edge), sp.samples])).rows,
                ),
          );
        const siteRow = reads.site === true ? (await c.query<SiteDbRow>(`SELECT ${SITE_COLUMNS} FROM sites WHERE site_key = $1`, [site])).rows[0] : undefined;
        const facts: AlertFacts = {
          site: siteRow === undefined ? null : toKnownSite(siteRow),
          outcomes:
            reads.outcomesSinceMs === undefined
              ? null
              : (
                  await c.query<Record<string, unknown>>(
                    siteOutcomesSql((k) => `$${k}`),
                    [site, reads.outcomesSinceMs],
                  )
                ).rows.map(toOutcome),
        };
        const decided = decide(windows, tracks, facts);
        for (const [i, p] of decided.posts.entries())
          await c.query(
            insertPostSql((k) => `$${k}`),
            [freshId(opts), site, i, p.body, now, p.receiver],
          );
        for (const [metric, t] of decided.tracks)
          await c.query('UPDATE alert_states SET state = $1, breaches = $2, passes = $3, since_at = $4, updated_at = $5 WHERE site = $6 AND metric = $7', [
            t.state,
            t.breaches,
            t.passes,
            t.sinceMs,
            now,
            site,
            metric,
          ]);
      }),
    ...alertPosts(runner),
  };
}
