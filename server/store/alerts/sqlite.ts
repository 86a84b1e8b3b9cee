/** The alerts repository on SQLite: a site's evaluation in one IMMEDIATE transaction (the write lock taken at BEGIN). */
import type Database from 'better-sqlite3';
import type { AlertTrack } from '../../../src/analysis/alert/hysteresis.js';
import type { TargetId } from '../../../src/analysis/schema/report-schema.js';
import { freshId } from '../common.js';
import { bind, named, type SqliteDriver } from '../driver/sqlite.js';
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
import {
  windowKey,
  type AlertDecide,
  type AlertFacts,
  type AlertMetric,
  type AlertReads,
  type AlertsRepository,
  type AlertWindowRow,
  type AlertWindowSpec,
} from './types.js';

export function sqliteAlerts({ db, runner }: SqliteDriver, opts: StoreOptions): AlertsRepository {
  const insertAlertState = db.prepare(
    "INSERT INTO alert_states (site, metric, state, breaches, passes, since_at, updated_at) VALUES (?, ?, 'ok', 0, 0, NULL, ?) ON CONFLICT (site, metric) DO NOTHING",
  );
  const alertStates = db.prepare('SELECT metric, state, breaches, passes, since_at FROM alert_states WHERE site = ? ORDER BY metric');
  const updateAlertState = db.prepare(
    'UPDATE alert_states SET state = ?, breaches = ?, passes = ?, since_at = ?, updated_at = ? WHERE site = ? AND metric = ?',
  );
  const alertWindows = new Map<TargetId, Database.Statement>();
  const alertWindow = (metric: TargetId): Database.Statement => {
    let st = alertWindows.get(metric);
    if (st === undefined) {
      st = db.prepare(alertWindowSql(metric, '?', '?'));
      alertWindows.set(metric, st);
    }
    return st;
  };
  const edgeWindow = db.prepare(alertEdgeWindowSql('?', '?', '?'));
  const windowOf = (site: string, sp: AlertWindowSpec): AlertWindowRow[] =>
    sp.edge === undefined
      ? toAlertWindow(sp.metric, alertWindow(sp.metric).all(site, sp.samples) as Array<Record<string, unknown>>)
      : toAlertEdgeWindow(sp.edge, edgeWindow.all(site, edgeLikePattern(sp.edge), sp.samples) as Array<Record<string, unknown>>);
  const insertPost = db.prepare(insertPostSql(named));
  const siteRow = db.prepare(`SELECT ${SITE_COLUMNS} FROM sites WHERE site_key = ?`);
  const outcomes = db.prepare(siteOutcomesSql(() => '?'));
  const readFacts = (site: string, reads: AlertReads): AlertFacts => {
    const row = reads.site === true ? (siteRow.get(site) as SiteDbRow | undefined) : undefined;
    return {
      site: row === undefined ? null : toKnownSite(row),
      outcomes: reads.outcomesSinceMs === undefined ? null : (outcomes.all(site, reads.outcomesSinceMs) as Array<Record<string, unknown>>).map(toOutcome),
    };
  };
  const evaluateOnce = db.transaction(
    (site: string, specs: readonly AlertWindowSpec[], metrics: readonly AlertMetric[], decide: AlertDecide, reads: AlertReads): void => {
      const now = opts.nowMs();
      for (const m of metrics) insertAlertState.run(site, m, now);
      const tracks = new Map<AlertMetric, AlertTrack>();
      const wanted = new Set<string>(metrics);
      for (const row of alertStates.all(site) as AlertStateRow[]) if (wanted.has(row.metric)) tracks.set(row.metric as AlertMetric, toAlertTrack(row));
      const windows = new Map<AlertMetric, AlertWindowRow[]>();
      for (const sp of specs) windows.set(windowKey(sp), windowOf(site, sp));
      const decided = decide(windows, tracks, readFacts(site, reads));
      for (const [metric, t] of decided.tracks) updateAlertState.run(t.state, t.breaches, t.passes, t.sinceMs, now, site, metric);
      decided.posts.forEach((p, i) => insertPost.run(bind([freshId(opts), site, i, p.body, now, p.receiver])));
    },
  );
  return {
    // IMMEDIATE: the write lock is taken at BEGIN, so a second process evaluating the same site waits for this commit.
    evaluate: async (site, specs, metrics, decide, reads = {}) => evaluateOnce.immediate(siteKeyOf(site), specs, metrics, decide, reads),
    ...alertPosts(runner),
  };
}
