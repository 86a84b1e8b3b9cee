/**
 * The help desk console's sessions in the store (migration 10, table console_sessions), so a
 * login survives a restart and is shared by every `serve` on one store. Only the SHA-256 of a
 * session id is kept: the id is 32 random bytes, so a hash without salt or stretching is enough,
 * and a reader of the store cannot take over a session. Expired sessions are dropped at each
 * login, and the table holds at most BOUNDS.consoleSessionsMax (the oldest go first). One
 * implementation for SQLite and PostgreSQL over the driver's runner.
 */
import { ms, type SqlRunner } from '../common.js';
import { StoreError } from '../types.js';
import type { ConsoleSessionsRepository, StoredConsoleSession } from './types.js';

const COLUMNS = 'id_hash, user_name, role, created_at, last_seen_at';

function toSession(r: Record<string, unknown>): StoredConsoleSession {
  const role = r['role'];
  if (role !== 'tier1' && role !== 'tier2') throw new StoreError('bad-row', `console session: unknown role "${String(role)}"`);
  return {
    idHash: String(r['id_hash']),
    user: String(r['user_name']),
    role,
    createdAtMs: ms(r['created_at'], 'created_at'),
    lastSeenAtMs: ms(r['last_seen_at'], 'last_seen_at'),
  };
}

export function consoleSessionsRepository(db: SqlRunner): ConsoleSessionsRepository {
  const p = db.param;
  return {
    put: async (s, max) => {
      await db.run(`INSERT INTO console_sessions (${COLUMNS}) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`, [
        s.idHash,
        s.user,
        s.role,
        s.createdAtMs,
        s.lastSeenAtMs,
      ]);
      // Past the bound, the oldest go (the max-th newest's start is the cut; nothing when fewer).
      await db.run(
        `DELETE FROM console_sessions WHERE created_at < (SELECT created_at FROM console_sessions ORDER BY created_at DESC LIMIT 1 OFFSET ${p(1)})`,
        [Math.max(0, max - 1)],
      );
    },
    get: async (idHash) => {
      const [row] = await db.all(`SELECT ${COLUMNS} FROM console_sessions WHERE id_hash = ${p(1)}`, [idHash]);
      return row === undefined ? null : toSession(row);
    },
    touch: async (idHash, lastSeenAtMs) =>
      void (await db.run(`UPDATE console_sessions SET last_seen_at = ${p(1)} WHERE id_hash = ${p(2)}`, [lastSeenAtMs, idHash])),
    remove: async (idHash) => (await db.run(`DELETE FROM console_sessions WHERE id_hash = ${p(1)}`, [idHash])) > 0,
    removeExpired: async (idleBeforeMs, createdBeforeMs) =>
      db.run(`DELETE FROM console_sessions WHERE last_seen_at < ${p(1)} OR created_at < ${p(2)}`, [idleBeforeMs, createdBeforeMs]),
  };
}
