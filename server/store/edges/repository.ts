/**
 * A hub's edges in the store (migration 10): the edge tokens (only each token's SHA-256, as the
 * site tokens: ../site-tokens/repository.ts; the region and hosts each binds, migration 15) and the registry, one row per edge with its last
 * beat. The beat is kept as the edge sent it, its relay's TURN REST secret in a column of its
 * own: every hub instance on the store mints that edge's credentials with it (SECURITY.md says
 * why the store holds it). One implementation for SQLite and PostgreSQL over the driver's runner.
 */
import { Value } from '@sinclair/typebox/value';
import { EdgeHeartbeatSchema, type EdgeHeartbeat } from '../../../src/protocol/api-edges.js';
import { ms, msOrNull, type Placeholder, type SqlRunner } from '../common.js';
import { StoreError } from '../types.js';
import type { EdgeRecord, EdgesRepository, EdgeToken } from './types.js';

const TOKEN_COLUMNS = 'id, edge_id, azure_region, hosts, created_at, revoked_at';

/** A token's binding (migration 15): its region and hosts, or null for a token made before. */
function bindingOf(r: Record<string, unknown>): EdgeToken['binding'] {
  const region = r['azure_region'];
  const hosts = r['hosts'];
  if (region === null || region === undefined || hosts === null || hosts === undefined) return null;
  let list: unknown;
  try {
    list = JSON.parse(String(hosts));
  } catch (err) {
    throw new StoreError('bad-row', `edge token ${String(r['id'])}: its hosts are not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(list) || !list.every((h) => typeof h === 'string'))
    throw new StoreError('bad-row', `edge token ${String(r['id'])}: its hosts are not a list`);
  return { azureRegion: String(region), hosts: list as string[] };
}

function toToken(r: Record<string, unknown>): EdgeToken {
  return {
    id: String(r['id']),
    edgeId: String(r['edge_id']),
    binding: bindingOf(r),
    createdAtMs: ms(r['created_at'], 'created_at'),
    revokedAtMs: msOrNull(r['revoked_at'], 'revoked_at'),
  };
}

function toRecord(r: Record<string, unknown>): EdgeRecord {
  let beat: unknown;
  try {
    beat = { ...(JSON.parse(String(r['beat'])) as object), turnSecret: String(r['turn_secret']) };
  } catch (err) {
    throw new StoreError('bad-row', `edge ${String(r['id'])}: its beat is not JSON (${(err as Error).message})`);
  }
  if (!Value.Check(EdgeHeartbeatSchema, beat)) throw new StoreError('bad-row', `edge ${String(r['id'])}: its beat is not an edge heartbeat`);
  return { id: String(r['id']), tokenId: String(r['token_id']), beat, lastBeatMs: ms(r['beat_at'], 'beat_at') };
}

/** The edge's row as its last beat left it. Values: id, token_id, azure_region, state, started_at, beat_at, beat, turn_secret. */
const beatSql = (p: Placeholder): string =>
  `INSERT INTO edges (id, token_id, azure_region, state, started_at, beat_at, beat, turn_secret)
    VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)})
    ON CONFLICT (id) DO UPDATE SET token_id = excluded.token_id, azure_region = excluded.azure_region, state = excluded.state,
      started_at = excluded.started_at, beat_at = excluded.beat_at, beat = excluded.beat, turn_secret = excluded.turn_secret`;

/** The beat without its secret (kept in its own column). */
function beatText(beat: EdgeHeartbeat): string {
  const { turnSecret: _secret, ...rest } = beat;
  return JSON.stringify(rest);
}

export function edgesRepository(db: SqlRunner): EdgesRepository {
  const p = db.param;
  return {
    createToken: async (t) => {
      await db.run(
        `INSERT INTO edge_tokens (id, edge_id, azure_region, hosts, token_hash, created_at, revoked_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, NULL)`,
        [t.id, t.edgeId, t.binding.azureRegion, JSON.stringify(t.binding.hosts), t.tokenHash, t.createdAtMs],
      );
    },
    listTokens: async (edgeId) =>
      (
        await (edgeId === null
          ? db.all(`SELECT ${TOKEN_COLUMNS} FROM edge_tokens ORDER BY edge_id, created_at, id`, [])
          : db.all(`SELECT ${TOKEN_COLUMNS} FROM edge_tokens WHERE edge_id = ${p(1)} ORDER BY created_at, id`, [edgeId]))
      ).map(toToken),
    revokeToken: async (id, nowMs) => {
      const revoked = (await db.run(`UPDATE edge_tokens SET revoked_at = ${p(1)} WHERE id = ${p(2)} AND revoked_at IS NULL`, [nowMs, id])) === 1;
      // The edge it registered leaves the list now, not when its beats stop counting.
      if (revoked) await db.run(`DELETE FROM edges WHERE token_id = ${p(1)}`, [id]);
      return revoked;
    },
    tokenByHash: async (tokenHash) => {
      const rows = await db.all(`SELECT ${TOKEN_COLUMNS} FROM edge_tokens WHERE token_hash = ${p(1)} AND revoked_at IS NULL`, [tokenHash]);
      return rows[0] === undefined ? null : toToken(rows[0]);
    },
    beat: async (e) => {
      const b = e.beat;
      await db.run(beatSql(p), [e.id, e.tokenId, b.azureRegion, b.state, b.startedAtMs, e.lastBeatMs, beatText(b), b.turnSecret]);
    },
    heardSince: async (sinceMs) =>
      (await db.all(`SELECT id, token_id, beat_at, beat, turn_secret FROM edges WHERE beat_at >= ${p(1)} ORDER BY id`, [sinceMs])).map(toRecord),
  };
}
