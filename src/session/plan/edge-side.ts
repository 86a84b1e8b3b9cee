/**
 * Whose side a test on a hub's edges points to when it could not run there, from what the hub says
 * of those edges a moment later (its configuration asked again): an edge the hub no longer offers
 * (its beats stopped, its relay failed its own check, it is full or stopping, its token was
 * revoked) is our outage, `server`; an edge it still offers with its relay's own check as evidence
 * (src/protocol/could-not-finish.ts `relay-check`) answered from outside moments ago, so a test
 * that reached none of its ports points to the caller's network by the one rule
 * (src/analysis/grade/blocked-ports.ts). Pure.
 */
import type { ServerConfig } from '../../protocol/api.js';
import type { RelayEvidence, Side } from '../../protocol/could-not-finish.js';

/** What the hub says now of one edge: not offered (ours), or offered with its relay's evidence (null: none). */
export type EdgeNow = { id: string; offered: false } | { id: string; offered: true; evidence: RelayEvidence | null };

/** What the hub's configuration, asked again, says of each of `ids`. */
export function edgesNow(fresh: Pick<ServerConfig, 'edges'>, ids: readonly string[]): EdgeNow[] {
  return ids.map((id) => {
    const offer = (fresh.edges ?? []).find((e) => e.id === id);
    return offer === undefined ? { id, offered: false } : { id, offered: true, evidence: offer.config.relayEvidence ?? null };
  });
}

/**
 * The side of a test that reached none of the edges it measured (every one unreachable in the
 * locate): `server` when the hub offers none of them any more (our outage); `network` when it
 * offers every one and each relay answered its own check (the site reached none while they
 * answered); else either.
 */
export function noEdgeSide(now: readonly EdgeNow[]): Side {
  if (now.every((e) => !e.offered)) return 'server';
  if (now.every((e) => e.offered && e.evidence?.kind === 'relay-check')) return 'network';
  return 'network-or-server';
}

/** The sentence of a test that reached none of the edges it measured, by its side. */
export function noEdgeWords(now: readonly EdgeNow[], side: Side): string {
  const ids = now.map((e) => e.id).join(', ');
  if (side === 'server')
    return `none of this hub's test servers answered (${ids}), and the hub no longer offers them: their beats stopped, or their relays failed their own checks. That is our side, not your network`;
  if (side === 'network')
    return `none of this hub's test servers answered (${ids}: 20 probes over UDP through each relay), while each relay answered its own check moments ago: this network blocks UDP to them`;
  const gone = now.filter((e) => !e.offered).map((e) => e.id);
  return `none of this hub's test servers answered (${ids})${gone.length > 0 ? `; the hub no longer offers ${gone.join(', ')}` : ''}: either this network blocks them or they are down`;
}

/**
 * A test on one edge that connected through none of its relay ports: whether the hub no longer
 * offers that edge (ours: the side is `server`), and else its relay's evidence.
 */
export function edgeRelayFacts(fresh: Pick<ServerConfig, 'edges'> | null, id: string): { ours: boolean; evidence: RelayEvidence | null } {
  if (fresh === null) return { ours: false, evidence: null };
  const [now] = edgesNow(fresh, [id]);
  return now === undefined || !now.offered ? { ours: true, evidence: null } : { ours: false, evidence: now.evidence };
}
