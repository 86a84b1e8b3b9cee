/**
 * The chain repository (migration 14), the same SQL on both engines over the driver's runner:
 * whether a claimed earlier result is stored and young enough, and each result's links.
 */
import { ms, type Placeholder, type SqlRunner } from '../common.js';
import { RESULT_CODE_PATTERN } from '../../../src/protocol/result-code.js';
import type { ChainLink, ChainRepository } from './types.js';

const CODE = new RegExp(RESULT_CODE_PATTERN);

/**
 * The earlier result a stored body claims (`meta.previousCode`), or null: the value of
 * results.previous_code, written from the body as the upload door left it. A body that is not
 * JSON, or a claim that is not a canonical code, claims none.
 */
export function previousCodeOf(reportJson: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(reportJson);
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
  const code = (value as { meta?: { previousCode?: unknown } } | null)?.meta?.previousCode;
  return typeof code === 'string' && CODE.test(code) ? code : null;
}

const LINK_COLUMNS = 'id, code, started_at, verdict';

const storedSinceSql = (p: Placeholder): string => `SELECT 1 AS found FROM results WHERE code = ${p(1)} AND stored_at >= ${p(2)}`;
const earlierSql = (p: Placeholder): string => `SELECT ${LINK_COLUMNS} FROM results WHERE code = (SELECT previous_code FROM results WHERE code = ${p(1)})`;
const laterSql = (p: Placeholder): string => `SELECT ${LINK_COLUMNS} FROM results WHERE previous_code = ${p(1)} ORDER BY started_at, id LIMIT ${p(2)}`;

function toLink(r: Record<string, unknown>): ChainLink {
  return {
    id: String(r['id']),
    code: String(r['code']),
    startedAtMs: ms(r['started_at'], 'started_at'),
    verdict: r['verdict'] === null ? null : String(r['verdict']),
  };
}

export function chainRepository(db: SqlRunner): ChainRepository {
  const p = db.param;
  return {
    storedSince: async (code, sinceMs) => (await db.all(storedSinceSql(p), [code, sinceMs])).length > 0,
    linksOf: async (code, laterMax) => {
      const [earlier] = (await db.all(earlierSql(p), [code])).map(toLink);
      const later = (await db.all(laterSql(p), [code, laterMax])).map(toLink);
      return { earlier: earlier ?? null, later };
    },
  };
}
