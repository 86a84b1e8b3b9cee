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

const COLUMNS = 'id, site_key, display, created_at, revoked_at';

function toSiteToken(r: Record<string, unknown>): SiteToken {
  return {
    id: String(r['id']),
    siteKey: String(r['site_key']),
    display: String(r['display']),
    createdAtMs: Number(r['created_at']),
    revokedAtMs: r['revoked_at'] === null || r['revoked_at'] === undefined ? null : Number(r['revoked_at']),
  };
}

export function siteTokensRepository(db: SqlRunner): SiteTokensRepository {
  const p = db.param;
  return {
    create: async (t) => {
      await db.run(
        `INSERT INTO site_tokens (id, site_key, display, token_hash, created_at, revoked_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, NULL)`,
        [t.id, t.siteKey, t.display, t.tokenHash, t.createdAtMs],
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
