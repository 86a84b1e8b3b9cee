/**
 * The sites repository over either engine's SQL runner: the same SQL on both, but for the
 * overview, which each engine computes its own way (./overview-sqlite.ts, ./overview-postgres.ts).
 */
import type { SqlRunner } from '../common.js';
import { siteKeyOf } from '../site-key.js';
import {
  couldNotTestDuringSql,
  SITE_COLUMNS,
  SITE_SAMPLE_COLUMNS,
  siteOutcomesSql,
  toKnownSite,
  toOutcome,
  toSiteSample,
  type SiteDbRow,
  type SiteSampleDbRow,
} from './sql.js';
import type { SitesRepository } from './types.js';

/** Intervals per could-not-test query (two parameters each). */
const INTERVALS_PER_QUERY = 200;

export function sitesRepository(db: SqlRunner, overview: SitesRepository['overview']): SitesRepository {
  const p = db.param;
  return {
    list: async () => (await db.all<SiteDbRow>(`SELECT ${SITE_COLUMNS} FROM sites ORDER BY site_key`, [])).map(toKnownSite),
    samples: async (q) =>
      (
        await db.all<SiteSampleDbRow>(
          `SELECT ${SITE_SAMPLE_COLUMNS} FROM results WHERE site_key = ${p(1)} AND started_at >= ${p(2)} ORDER BY started_at, id LIMIT ${p(3)}`,
          [siteKeyOf(q.site), q.sinceMs, q.limit],
        )
      ).map(toSiteSample),
    overview,
    outcomes: async (site, sinceMs) => (await db.all(siteOutcomesSql(p), [siteKeyOf(site), sinceMs])).map(toOutcome),
    couldNotTestDuring: async (intervals) => {
      const out = new Map<string, number>();
      for (let i = 0; i < intervals.length; i += INTERVALS_PER_QUERY) {
        const part = intervals.slice(i, i + INTERVALS_PER_QUERY);
        const rows = await db.all(
          couldNotTestDuringSql(p, part.length),
          part.flatMap((d) => [d.startMs, d.endMs]),
        );
        for (const r of rows) out.set(String(r['site_key']), (out.get(String(r['site_key'])) ?? 0) + Number(r['n']));
      }
      return out;
    },
  };
}
