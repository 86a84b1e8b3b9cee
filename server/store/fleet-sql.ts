/**
 * The SQL and row mapping both stores share for the fleet's health (migration 6): heartbeats,
 * leases, webhook posts waiting for delivery, raised alerts, and the could-not-test samples the
 * silence and outage rules read. Each builder takes the placeholder of parameter i (`$i` for
 * PostgreSQL, `@pi` for SQLite, bound from an object by sqlite.ts).
 */
import { StoreError, type AlertPost, type HeartbeatRow, type PostOutcome, type RaisedAlert } from './types.js';

export type Placeholder = (i: number) => string;

function ms(v: unknown, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new StoreError('bad-row', `${what} is not an integer of ms: ${String(v)}`);
  return n;
}

const msOrNull = (v: unknown, what: string): number | null => (v === null || v === undefined ? null : ms(v, what));

/** An instance's run: inserted at its first beat, its beat (and a clean stop) moved after. Values: instance, started_at, beat_at, stopped_at. */
export const beatSql = (p: Placeholder): string =>
  `INSERT INTO heartbeats (instance, started_at, beat_at, stopped_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})
    ON CONFLICT (instance) DO UPDATE SET beat_at = excluded.beat_at, stopped_at = excluded.stopped_at`;

/** The runs up at or after $1, and the last one before it (so a downtime that began earlier is known). */
export const heartbeatsSql = (p: Placeholder): string =>
  `SELECT instance, started_at, beat_at, stopped_at FROM heartbeats WHERE beat_at >= ${p(1)}
    UNION ALL SELECT * FROM (SELECT instance, started_at, beat_at, stopped_at FROM heartbeats WHERE beat_at < ${p(1)} ORDER BY beat_at DESC LIMIT 1) AS before`;

export function toHeartbeat(r: Record<string, unknown>): HeartbeatRow {
  return {
    instance: String(r['instance']),
    startedAtMs: ms(r['started_at'], 'started_at'),
    lastBeatMs: ms(r['beat_at'], 'beat_at'),
    stoppedAtMs: msOrNull(r['stopped_at'], 'stopped_at'),
  };
}

/** Takes a free or expired lease, or renews the holder's own; changes no row while another holder's runs. Values: name, holder, expires_at, now. */
export const leaseSql = (p: Placeholder): string =>
  `INSERT INTO leases (name, holder, expires_at) VALUES (${p(1)}, ${p(2)}, ${p(3)})
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE leases.holder = excluded.holder OR leases.expires_at < ${p(4)}`;

/** Values: id, site_key, seq, body, created_at (also the first attempt's time). */
export const insertPostSql = (p: Placeholder): string =>
  `INSERT INTO alert_posts (id, site_key, seq, body, created_at, attempts, next_at, state) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, 0, ${p(5)}, 'pending')`;

/** The oldest pending post of each site, due at $1, oldest first, at most $2: a site's later posts wait behind it (in order per site). */
export const duePostsSql = (p: Placeholder): string =>
  `SELECT id, site_key, body, created_at, attempts, next_at FROM alert_posts a
    WHERE a.state = 'pending' AND a.next_at <= ${p(1)} AND NOT EXISTS (
      SELECT 1 FROM alert_posts b WHERE b.state = 'pending' AND b.site_key = a.site_key
        AND (b.created_at < a.created_at OR (b.created_at = a.created_at AND b.seq < a.seq)))
    ORDER BY a.created_at, a.seq LIMIT ${p(2)}`;

export function toAlertPost(r: Record<string, unknown>): AlertPost {
  return {
    id: String(r['id']),
    siteKey: String(r['site_key']),
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

export const PENDING_POSTS_SQL = "SELECT count(*) AS n FROM alert_posts WHERE state = 'pending'";

export const RAISED_SQL = "SELECT site, metric, since_at FROM alert_states WHERE state = 'raised' ORDER BY site, metric";

export function toRaised(r: Record<string, unknown>): RaisedAlert {
  return { siteKey: String(r['site']), metric: String(r['metric']), sinceMs: msOrNull(r['since_at'], 'since_at') };
}

/** One site's samples since $2 (site key $1): start and, for a could-not-test record, its reason. */
export const siteOutcomesSql = (p: Placeholder): string =>
  `SELECT started_at, body_state, body_note FROM results WHERE site_key = ${p(1)} AND started_at >= ${p(2)} ORDER BY started_at, id`;

export function toOutcome(r: Record<string, unknown>): { startedAtMs: number; couldNotTest: string | null } {
  return { startedAtMs: ms(r['started_at'], 'started_at'), couldNotTest: r['body_state'] === 'could-not-test' ? String(r['body_note'] ?? 'unknown') : null };
}

/** Could-not-test samples (not interrupted) per site key that started in one of the intervals: values start1, end1, start2, ... */
export function couldNotTestDuringSql(p: Placeholder, intervals: number): string {
  const inside = Array.from({ length: intervals }, (_, i) => `(started_at >= ${p(2 * i + 1)} AND started_at < ${p(2 * i + 2)})`).join(' OR ');
  return `SELECT site_key, count(*) AS n FROM results WHERE site_key IS NOT NULL AND body_state = 'could-not-test'
    AND (body_note IS NULL OR body_note <> 'interrupted') AND (${inside}) GROUP BY site_key`;
}

/** Rows of the fleet's tables past retention (run by the retention purge): finished posts and old heartbeats. Value: the cut-off. */
export const purgeFleetSql = (p: Placeholder): string[] => [
  `DELETE FROM alert_posts WHERE state <> 'pending' AND done_at < ${p(1)}`,
  `DELETE FROM heartbeats WHERE beat_at < ${p(1)}`,
];
