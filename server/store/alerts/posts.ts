/** The alerts repository's reads and the posts' delivery, the same SQL on both engines (over the driver's runner): all but `evaluate`. */
import { msOrNull, type SqlRunner } from '../common.js';
import { duePostsSql, NEXT_DUE_SQL, PENDING_POSTS_SQL, RAISED_SQL, settleSql, toAlertPost, toPending, toRaised } from './sql.js';
import type { AlertsRepository } from './types.js';

export function alertPosts(db: SqlRunner): Omit<AlertsRepository, 'evaluate'> {
  return {
    raised: async () => (await db.all(RAISED_SQL, [])).map(toRaised),
    duePosts: async (nowMs, limit) => (await db.all(duePostsSql(db.param), [nowMs, limit])).map(toAlertPost),
    settlePost: async (id, outcome, nowMs) => {
      const u = settleSql(db.param, outcome, nowMs, id);
      await db.run(u.sql, u.values);
    },
    pendingPosts: async () => toPending((await db.all(PENDING_POSTS_SQL, []))[0]),
    nextDueAtMs: async () => msOrNull((await db.all(NEXT_DUE_SQL, []))[0]?.['next_at'] ?? null, 'next_at'),
  };
}
