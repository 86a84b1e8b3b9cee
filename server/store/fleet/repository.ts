/**
 * The fleet repository (migration 6), the same SQL on both engines over the driver's runner:
 * every instance's heartbeats (our downtime told from a site's outages) and the leases (one
 * instance sweeps and delivers).
 */
import { ms, msOrNull, type Placeholder, type SqlRunner } from '../common.js';
import type { FleetRepository, HeartbeatRow } from './types.js';

/** An instance's run: inserted at its first beat, its beat (and a clean stop) moved after. Values: instance, started_at, beat_at, stopped_at. */
const beatSql = (p: Placeholder): string =>
  `INSERT INTO heartbeats (instance, started_at, beat_at, stopped_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})
    ON CONFLICT (instance) DO UPDATE SET beat_at = excluded.beat_at, stopped_at = excluded.stopped_at`;

/** The runs up at or after $1, and the last one before it (so a downtime that began earlier is known). */
const heartbeatsSql = (p: Placeholder): string =>
  `SELECT instance, started_at, beat_at, stopped_at FROM heartbeats WHERE beat_at >= ${p(1)}
    UNION ALL SELECT * FROM (SELECT instance, started_at, beat_at, stopped_at FROM heartbeats WHERE beat_at < ${p(1)} ORDER BY beat_at DESC LIMIT 1) AS before`;

function toHeartbeat(r: Record<string, unknown>): HeartbeatRow {
  return {
    instance: String(r['instance']),
    startedAtMs: ms(r['started_at'], 'started_at'),
    lastBeatMs: ms(r['beat_at'], 'beat_at'),
    stoppedAtMs: msOrNull(r['stopped_at'], 'stopped_at'),
  };
}

/** Takes a free or expired lease, or renews the holder's own; changes no row while another holder's runs. Values: name, holder, expires_at, now. */
const leaseSql = (p: Placeholder): string =>
  `INSERT INTO leases (name, holder, expires_at) VALUES (${p(1)}, ${p(2)}, ${p(3)})
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE leases.holder = excluded.holder OR leases.expires_at < ${p(4)}`;

export function fleetRepository(db: SqlRunner): FleetRepository {
  const p = db.param;
  return {
    beat: async (instance, startedAtMs, nowMs, stopped) => void (await db.run(beatSql(p), [instance, startedAtMs, nowMs, stopped ? nowMs : null])),
    heartbeats: async (sinceMs) => (await db.all(heartbeatsSql(p), [sinceMs])).map(toHeartbeat),
    tryLease: async (name, holder, nowMs, ttlMs) => (await db.run(leaseSql(p), [name, holder, nowMs + ttlMs, nowMs])) === 1,
  };
}
