/**
 * The chain repository (migrations 14 and 16), the same SQL on both engines over the driver's
 * runner: a claimed earlier result if stored and young enough (its start, and the address that
 * stored it), and each result's links, the later ones newest first.
 */
import { ms, type Placeholder, type SqlRunner } from '../common.js';
import { RESULT_CODE_PATTERN } from '../../../src/protocol/result-code.js';
import type { ChainLink, ChainRepository, ClaimedResult } from './types.js';

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

/** The claimed result: its start, and the first address it was stored from (within --retain-ip-days). */
const claimedSql = (p: Placeholder): string =>
  `SELECT started_at, (SELECT address FROM result_addresses a WHERE a.result_id = results.id ORDER BY a.stored_at LIMIT 1) AS address
    FROM results WHERE code = ${p(1)} AND stored_at >= ${p(2)}`;
/** The earlier result, with the viewed result's own note of where its claim came from. */
const earlierSql = (p: Placeholder): string =>
  `SELECT e.id, e.code, e.started_at, e.verdict, r.previous_other_network AS other FROM results r JOIN results e ON e.code = r.previous_code WHERE r.code = ${p(1)}`;
const laterSql = (p: Placeholder): string =>
  `SELECT id, code, started_at, verdict, previous_other_network AS other FROM results WHERE previous_code = ${p(1)} ORDER BY started_at DESC, id DESC LIMIT ${p(2)}`;
const laterCountSql = (p: Placeholder): string => `SELECT count(*) AS n FROM results WHERE previous_code = ${p(1)}`;

function toLink(r: Record<string, unknown>): ChainLink {
  const other = r['other'];
  return {
    id: String(r['id']),
    code: String(r['code']),
    startedAtMs: ms(r['started_at'], 'started_at'),
    verdict: r['verdict'] === null ? null : String(r['verdict']),
    otherNetwork: other === null || other === undefined ? null : Number(other) === 1,
  };
}

export function chainRepository(db: SqlRunner): ChainRepository {
  const p = db.param;
  return {
    claimed: async (code, sinceMs): Promise<ClaimedResult | null> => {
      const [row] = await db.all(claimedSql(p), [code, sinceMs]);
      if (row === undefined) return null;
      const address = row['address'];
      return { startedAtMs: ms(row['started_at'], 'started_at'), address: address === null || address === undefined ? null : String(address) };
    },
    linksOf: async (code, laterMax) => {
      const [earlier] = (await db.all(earlierSql(p), [code])).map(toLink);
      const later = (await db.all(laterSql(p), [code, laterMax])).map(toLink);
      const [count] = await db.all(laterCountSql(p), [code]);
      return { earlier: earlier ?? null, later, laterTotal: Number(count?.['n'] ?? 0) };
    },
  };
}
