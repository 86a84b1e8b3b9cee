/** The edges repository: a hub's edge tokens and the registry of its edges (tables edge_tokens and edges; ./repository.ts). */
import type { EdgeHeartbeat } from '../../../src/protocol/api-edges.js';

/** An edge token as the store keeps it (never the token itself). */
export interface EdgeToken {
  id: string;
  edgeId: string;
  /** The region its edge must claim and the hosts it may advertise; null for a token made before tokens named them (migration 15). */
  binding: { azureRegion: string; hosts: string[] } | null;
  createdAtMs: number;
  revokedAtMs: number | null;
}

/** A token to keep: its hash only. */
interface NewEdgeToken {
  id: string;
  edgeId: string;
  binding: { azureRegion: string; hosts: string[] };
  tokenHash: string;
  createdAtMs: number;
}

/** An edge as the registry keeps it: its last beat as sent (the TURN secret included), when it was heard, and under which token. */
export interface EdgeRecord {
  id: string;
  tokenId: string;
  beat: EdgeHeartbeat;
  /** The hub's clock when the last beat arrived. */
  lastBeatMs: number;
}

export interface EdgesRepository {
  /** Keeps a new edge token (its hash only). */
  createToken(t: NewEdgeToken): Promise<void>;
  /** The edge tokens issued (revoked ones too), of one edge or of all (null). */
  listTokens(edgeId: string | null): Promise<EdgeToken[]>;
  /** Revokes a token by id and drops its edge from the registry at once: false when no live token has it. */
  revokeToken(id: string, nowMs: number): Promise<boolean>;
  /** The live token with this hash, or null. */
  tokenByHash(tokenHash: string): Promise<EdgeToken | null>;
  /** Records a beat: the edge's row as sent, heard now. */
  beat(e: EdgeRecord): Promise<void>;
  /** The edges heard from at or after `sinceMs`, by id, whatever their state. */
  heardSince(sinceMs: number): Promise<EdgeRecord[]>;
}
