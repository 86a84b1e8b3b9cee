/** The fleet's health on SQLite (migration 6): heartbeats, leases, webhook posts, raised alerts, outcomes (./fleet-sql.ts). */
import type Database from 'better-sqlite3';
import * as fleetSql from './fleet-sql.js';
import { siteKeyOf } from './site-key.js';
import type { ResultStore } from './types.js';

/** `@p1`, `@p2` ... bound from an object by position. */
export const named = (i: number): string => `@p${i}`;
export const bind = (values: ReadonlyArray<string | number | null>): Record<string, string | number | null> =>
  Object.fromEntries(values.map((v, i) => [`p${i + 1}`, v]));

/** Intervals per could-not-test query (two parameters each). */
const INTERVALS_PER_QUERY = 200;

export type FleetMethods = Pick<
  ResultStore,
  'beat' | 'heartbeats' | 'tryLease' | 'duePosts' | 'settlePost' | 'pendingPosts' | 'raisedAlerts' | 'siteOutcomes' | 'couldNotTestDuring'
>;

export function sqliteFleet(db: Database.Database): FleetMethods {
  const beat = db.prepare(fleetSql.beatSql(named));
  const heartbeats = db.prepare(fleetSql.heartbeatsSql(named));
  const lease = db.prepare(fleetSql.leaseSql(named));
  const due = db.prepare(fleetSql.duePostsSql(named));
  const pending = db.prepare(fleetSql.PENDING_POSTS_SQL);
  const raised = db.prepare(fleetSql.RAISED_SQL);
  const outcomes = db.prepare(fleetSql.siteOutcomesSql(named));
  return {
    beat: async (instance, startedAtMs, nowMs, stopped) => void beat.run(bind([instance, startedAtMs, nowMs, stopped ? nowMs : null])),
    heartbeats: async (sinceMs) => (heartbeats.all(bind([sinceMs])) as Array<Record<string, unknown>>).map(fleetSql.toHeartbeat),
    tryLease: async (name, holder, nowMs, ttlMs) => lease.run(bind([name, holder, nowMs + ttlMs, nowMs])).changes === 1,
    duePosts: async (nowMs, limit) => (due.all(bind([nowMs, limit])) as Array<Record<string, unknown>>).map(fleetSql.toAlertPost),
    settlePost: async (id, outcome, nowMs) => {
      const u = fleetSql.settleSql(named, outcome, nowMs, id);
      db.prepare(u.sql).run(bind(u.values));
    },
    pendingPosts: async () => Number((pending.get() as { n: number }).n),
    raisedAlerts: async () => (raised.all() as Array<Record<string, unknown>>).map(fleetSql.toRaised),
    siteOutcomes: async (site, sinceMs) => (outcomes.all(bind([siteKeyOf(site), sinceMs])) as Array<Record<string, unknown>>).map(fleetSql.toOutcome),
    couldNotTestDuring: async (intervals) => {
      const out = new Map<string, number>();
      for (let i = 0; i < intervals.length; i += INTERVALS_PER_QUERY) {
        const part = intervals.slice(i, i + INTERVALS_PER_QUERY);
        const rows = db.prepare(fleetSql.couldNotTestDuringSql(named, part.length)).all(bind(part.flatMap((d) => [d.startMs, d.endMs]))) as Array<{
          site_key: string;
          n: number;
        }>;
        for (const r of rows) out.set(r.site_key, (out.get(r.site_key) ?? 0) + Number(r.n));
      }
      return out;
    },
  };
}
