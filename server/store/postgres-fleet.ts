/** The fleet's health on PostgreSQL (migration 6): heartbeats, leases, webhook posts, raised alerts, outcomes (./fleet-sql.ts). */
import type pg from 'pg';
import * as fleetSql from './fleet-sql.js';
import { siteKeyOf } from './site-key.js';
import type { FleetMethods } from './sqlite-fleet.js';

const numbered = (i: number): string => `$${i}`;
/** Intervals per could-not-test query (two parameters each). */
const INTERVALS_PER_QUERY = 200;

export function postgresFleet(pool: pg.Pool): FleetMethods {
  const rows = async (sql: string, values: unknown[]): Promise<Array<Record<string, unknown>>> => (await pool.query<Record<string, unknown>>(sql, values)).rows;
  return {
    beat: async (instance, startedAtMs, nowMs, stopped) =>
      void (await pool.query(fleetSql.beatSql(numbered), [instance, startedAtMs, nowMs, stopped ? nowMs : null])),
    heartbeats: async (sinceMs) => (await rows(fleetSql.heartbeatsSql(numbered), [sinceMs])).map(fleetSql.toHeartbeat),
    tryLease: async (name, holder, nowMs, ttlMs) => ((await pool.query(fleetSql.leaseSql(numbered), [name, holder, nowMs + ttlMs, nowMs])).rowCount ?? 0) === 1,
    duePosts: async (nowMs, limit) => (await rows(fleetSql.duePostsSql(numbered), [nowMs, limit])).map(fleetSql.toAlertPost),
    settlePost: async (id, outcome, nowMs) => {
      const u = fleetSql.settleSql(numbered, outcome, nowMs, id);
      await pool.query(u.sql, u.values);
    },
    pendingPosts: async () => Number((await rows(fleetSql.PENDING_POSTS_SQL, []))[0]?.['n'] ?? 0),
    raisedAlerts: async () => (await rows(fleetSql.RAISED_SQL, [])).map(fleetSql.toRaised),
    siteOutcomes: async (site, sinceMs) => (await rows(fleetSql.siteOutcomesSql(numbered), [siteKeyOf(site), sinceMs])).map(fleetSql.toOutcome),
    couldNotTestDuring: async (intervals) => {
      const out = new Map<string, number>();
      for (let i = 0; i < intervals.length; i += INTERVALS_PER_QUERY) {
        const part = intervals.slice(i, i + INTERVALS_PER_QUERY);
        for (const r of await rows(
          fleetSql.couldNotTestDuringSql(numbered, part.length),
          part.flatMap((d) => [d.startMs, d.endMs]),
        ))
          out.set(String(r['site_key']), (out.get(String(r['site_key'])) ?? 0) + Number(r['n']));
      }
      return out;
    },
  };
}
