/**
 * Upload-only site tokens in the store (migration 7, table site_tokens): a token lets a probe
 * machine store samples for its own site and nothing else (server/http/site-tokens.ts). Only
 * the token's SHA-256 is kept: the token is 32 random bytes, so a hash without salt or
 * stretching is enough (a guess is as hard as the token itself), and the store never holds
 * what would let a reader of it upload. One implementation for SQLite and PostgreSQL over the
 * driver's runner (ids and times are the caller's).
 */
import type { SqlRunner } from '../common.js';
import type { SiteToken, SiteTokensRepository } from './types.js';

const COLUMNS = 'id, site_key, display, created_at, revoked_at, awaits_first_sample';

function toSiteToken(r: Record<string, unknown>): SiteToken {
  return {
    id: String(r['id']),
    siteKey: String(r['site_key']),
    display: String(r['display']),
    createdAtMs: Number(r['created_at']),
    revokedAtMs: r['revoked_at'] === null || r['revoked_at'] === undefined ? null : Number(r['revoked_at']),
    awaitsFirstSample: Number(r['awaits_first_sample'] ?? 0) === 1,
  };
}

export function siteTokensRepository(db: SqlRunner): SiteTokensRepository {
  const p = db.param;
  return {
    create: async (t) => {
      await db.run(
        `INSERT INTO site_tokens (id, site_key, display, token_hash, created_at, revoked_at, awaits_first_sample) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, NULL, ${p(6)})`,
        [t.id, t.siteKey, t.display, t.tokenHash, t.createdAtMs, t.awaitsFirstSample === true ? 1 : 0],
      );
    },
    list: async (siteKey) =>
      (
        await (siteKey === null
          ? db.all(`SELECT ${COLUMNS} FROM site_tokens ORDER BY site_key, created_at, id`, [])
          : db.all(`SELECT ${COLUMNS} FROM site_tokens WHERE site_key = ${p(1)} ORDER BY created_at, id`, [siteKey]))
      ).map(toSiteToken),
    revoke: async (id, nowMs) => (await db.run(`UPDATE site_tokens SET revoked_at = ${p(1)} WHERE id = ${p(2)} AND revoked_at IS NULL`, [nowMs, id])) === 1,
    byHash: async (tokenHash) => {
      const rows = await db.all(`SELECT ${COLUMNS} FROM site_tokens WHERE token_hash = ${p(1)} AND revoked_at IS NULL`, [tokenHash]);
      return rows[0] === undefined ? null : toSiteToken(rows[0]);
    },
  };
}

/** A site that has a live site token and no stored sample (a probe never installed, or never heard of). */
export interface TokenOnlySite {
  key: string;
  /** The name its newest live token was made for. */
  display: string;
  /**
   * When its first live token that does not await a first sample was made: its silence counts
   * from then. Null when every live token awaits its first sample (site-token create
   * --await-first-sample): the site is not yet installed, and no silence is counted for it.
   */
  firstTokenAtMs: number | null;
  /** When its first live token was made, whichever kind. */
  firstMadeAtMs: number;
}

/** The sites of the live tokens `tokens` whose key is not among `known` (sites with a stored sample), by key. */
export function tokenOnlySites(tokens: readonly SiteToken[], known: ReadonlySet<string>): TokenOnlySite[] {
  const out = new Map<string, TokenOnlySite & { newestAtMs: number }>();
  for (const t of tokens) {
    if (t.revokedAtMs !== null || known.has(t.siteKey)) continue;
    const s = out.get(t.siteKey);
    const newer = s === undefined || t.createdAtMs >= s.newestAtMs;
    const counted = t.awaitsFirstSample ? null : t.createdAtMs;
    const before = s?.firstTokenAtMs ?? null;
    out.set(t.siteKey, {
      key: t.siteKey,
      display: newer ? t.display : s.display,
      newestAtMs: newer ? t.createdAtMs : s.newestAtMs,
      firstTokenAtMs: counted === null ? before : before === null ? counted : Math.min(counted, before),
      firstMadeAtMs: Math.min(t.createdAtMs, s?.firstMadeAtMs ?? t.createdAtMs),
    });
  }
  return [...out.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, display, firstTokenAtMs, firstMadeAtMs }) => ({ key, display, firstTokenAtMs, firstMadeAtMs }));
}
