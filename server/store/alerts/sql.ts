/**
 * What both engines' alerts repositories share: a rule's window of samples and its state row
 * (migration 3), and the webhook posts waiting for delivery (migration 6). Each builder takes the
 * placeholder of parameter i (`$i` for PostgreSQL, `?` or `@pi` for SQLite).
 */
import type { AlertState, AlertTrack } from '../../../src/analysis/alert/hysteresis.js';
import type { TargetId } from '../../../src/analysis/schema/report-schema.js';
import { SITE_METRIC_KEYS } from '../../../src/analysis/site/site.js';
import { ms, msOrNull, type Placeholder } from '../common.js';
import { locatedOfText, METRIC_COLUMNS } from '../summary.js';
import { StoreError } from '../types.js';
import { RESULT_RECEIVER_PREFIX, type AlertPost, type AlertWindowRow, type PendingPosts, type PostOutcome, type RaisedAlert } from './types.js';

/** The summary columns of a metric's graded directions (e.g. loss_up_pct, loss_down_pct, loss_loop_pct). */
function alertColumns(metric: TargetId): string[] {
  return METRIC_COLUMNS.filter((_, i) => SITE_METRIC_KEYS[i]?.target === metric);
}

/**
 * A site's last `limit` samples that graded `metric`, newest first (results_site_key_started_at read
 * backwards): `?` or `$n` placeholders for the site and the limit.
 */
export function alertWindowSql(metric: TargetId, site: string, limit: string): string {
  const cols = alertColumns(metric);
  return `SELECT id, started_at, ${cols.join(', ')} FROM results WHERE site_key = ${site} AND (${cols.map((c) => `${c} IS NOT NULL`).join(' OR ')}) ORDER BY started_at DESC, id DESC LIMIT ${limit}`;
}

/**
 * A site's last `limit` samples whose locate measured `edge` (its id inside locate_edges, the
 * JSON of ../summary.ts locatedText; an edge id has no LIKE wildcard), newest first: placeholders
 * for the site, the LIKE pattern (edgeLikePattern) and the limit.
 */
export function alertEdgeWindowSql(site: string, pattern: string, limit: string): string {
  return `SELECT id, started_at, locate_edges FROM results WHERE site_key = ${site} AND locate_edges LIKE ${pattern} ORDER BY started_at DESC, id DESC LIMIT ${limit}`;
}

/** The LIKE pattern of an edge inside locate_edges. */
export const edgeLikePattern = (edge: string): string => `%${JSON.stringify([edge]).slice(0, -1)},%`;

/** The rows of alertEdgeWindowSql, oldest first, each with the edge's locate p50. */
export function toAlertEdgeWindow(edge: string, rows: ReadonlyArray<Record<string, unknown>>): AlertWindowRow[] {
  return rows
    .flatMap((r) => {
      const e = locatedOfText(r.locate_edges === null || r.locate_edges === undefined ? null : String(r.locate_edges)).find((x) => x.id === edge);
      return e === undefined ? [] : [{ id: String(r.id), startedAtMs: ms(r.started_at, 'started_at'), value: e.rttMsP50 }];
    })
    .reverse();
}

/** The rows of alertWindowSql, oldest first, each with its worst direction's value. */
export function toAlertWindow(metric: TargetId, rows: ReadonlyArray<Record<string, unknown>>): AlertWindowRow[] {
  const cols = alertColumns(metric);
  return rows
    .map((r) => {
      const values = cols
        .map((c) => r[c])
        .filter((v): v is number | string => v !== null && v !== undefined)
        .map(Number);
      return { id: String(r.id), startedAtMs: ms(r.started_at, 'started_at'), value: Math.max(...values) };
    })
    .reverse();
}

/** An alert_states row as either driver returns it. */
export interface AlertStateRow {
  metric: string;
  state: string;
  breaches: number | string;
  passes: number | string;
  since_at: number | string | bigint | null;
}

export function toAlertTrack(row: AlertStateRow): AlertTrack {
  if (row.state !== 'ok' && row.state !== 'raised') throw new StoreError('bad-row', `alert state of ${row.metric}: unknown state "${row.state}"`);
  return {
    state: row.state satisfies AlertState,
    breaches: Number(row.breaches),
    passes: Number(row.passes),
    sinceMs: row.since_at === null ? null : ms(row.since_at, 'since_at'),
  };
}

/** Values: id, site_key (its queue), seq, body, created_at (also the first attempt's time), receiver. */
export const insertPostSql = (p: Placeholder): string =>
  `INSERT INTO alert_posts (id, site_key, seq, body, created_at, attempts, next_at, state, receiver) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, 0, ${p(5)}, 'pending', ${p(6)})`;

/** A pending post b ahead of a in its queue (the same site_key and receiver, kept before it). */
const AHEAD = `b.state = 'pending' AND b.site_key = a.site_key AND b.receiver = a.receiver
        AND (b.created_at < a.created_at OR (b.created_at = a.created_at AND b.seq < a.seq))`;

/**
 * The oldest pending post of each queue (a site's or a result's posts to one receiver), due at $1,
 * oldest first, at most $2: a queue's later posts wait behind it (in order per site and
 * receiver), and a receiver that is down holds back no other receiver.
 */
export const duePostsSql = (p: Placeholder): string =>
  `SELECT id, site_key, receiver, body, created_at, attempts, next_at FROM alert_posts a
    WHERE a.state = 'pending' AND a.next_at <= ${p(1)} AND NOT EXISTS (SELECT 1 FROM alert_posts b WHERE ${AHEAD})
    ORDER BY a.created_at, a.seq LIMIT ${p(2)}`;

export function toAlertPost(r: Record<string, unknown>): AlertPost {
  return {
    id: String(r['id']),
    siteKey: String(r['site_key']),
    receiver: String(r['receiver']),
    body: String(r['body']),
    createdAtMs: ms(r['created_at'], 'created_at'),
    attempts: Number(r['attempts']),
    nextAtMs: ms(r['next_at'], 'next_at'),
  };
}

/** The UPDATE of one attempt's outcome and its values (id last). */
export function settleSql(p: Placeholder, outcome: PostOutcome, nowMs: number, id: string): { sql: string; values: Array<string | number | null> } {
  switch (outcome.kind) {
    case 'delivered':
      return {
        sql: `UPDATE alert_posts SET state = 'delivered', attempts = attempts + 1, done_at = ${p(1)}, last_error = NULL WHERE id = ${p(2)}`,
        values: [nowMs, id],
      };
    case 'retry':
      return {
        sql: `UPDATE alert_posts SET attempts = attempts + 1, next_at = ${p(1)}, last_error = ${p(2)} WHERE id = ${p(3)}`,
        values: [outcome.nextAtMs, outcome.error, id],
      };
    case 'gave-up':
      return {
        sql: `UPDATE alert_posts SET state = 'gave-up', attempts = attempts + 1, done_at = ${p(1)}, last_error = ${p(2)} WHERE id = ${p(3)}`,
        values: [nowMs, outcome.error, id],
      };
  }
}

/** The pending posts: all of them (n), and those to a result webhook (results: their receiver's id starts with result:). */
export const PENDING_POSTS_SQL = `SELECT count(*) AS n, sum(CASE WHEN receiver LIKE '${RESULT_RECEIVER_PREFIX}%' THEN 1 ELSE 0 END) AS results
    FROM alert_posts WHERE state = 'pending'`;

export function toPending(r: Record<string, unknown> | undefined): PendingPosts {
  const all = Number(r?.['n'] ?? 0);
  const results = Number(r?.['results'] ?? 0);
  return { alerts: all - results, results };
}

/** The earliest next attempt among the posts duePostsSql may return (each queue's oldest pending post): when delivery is due next. */
export const NEXT_DUE_SQL = `SELECT min(a.next_at) AS next_at FROM alert_posts a
    WHERE a.state = 'pending' AND NOT EXISTS (SELECT 1 FROM alert_posts b WHERE ${AHEAD})`;

export const RAISED_SQL = "SELECT site, metric, since_at FROM alert_states WHERE state = 'raised' ORDER BY site, metric";

export function toRaised(r: Record<string, unknown>): RaisedAlert {
  return { siteKey: String(r['site']), metric: String(r['metric']), sinceMs: msOrNull(r['since_at'], 'since_at') };
}
