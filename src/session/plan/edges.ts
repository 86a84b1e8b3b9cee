/**
 * Where a test runs when its server is a hub with edges: on the server itself (no edges: an
 * all-in-one server, or a hub without any), on its one edge (no locate step), or on the nearest of
 * several, found by a locate first. And what a failed attempt on an edge means: the edge did not
 * answer (the test moves to the next nearest), or something no other edge would change. Pure.
 */
import type { LocateRotation } from '../../protocol/page-url.js';
import type { EdgeOffer } from '../../protocol/api.js';
import { DEFAULTS } from '../../protocol/defaults.js';
import { LOCATE_LOSS_TARGET_PCT, nearestEdge } from '../../analysis/grade/locate.js';
import type { Locate } from '../../analysis/schema/locate-schema.js';
import type { SetupFailureReason } from '../net/errors.js';
import type { TestConfig } from './config.js';

export type EdgePlan = { kind: 'server' } | { kind: 'edges'; edges: EdgeOffer[]; locate: boolean };

/**
 * The edges one locate measures, at most `max`: every edge when there are no more; else, for a
 * scheduled sample, the edge it keeps (the site's last nearest, so its test still runs on the
 * nearest) and a window of the others that moves on by its size every round, so over rounds every
 * edge is measured (with 20 edges and 4 at once, one in 6.3 samples: bench/regions/coverage.ts);
 * without a rotation, the first `max` in the hub's order.
 */
export function locateSet<T extends { id: string }>(edges: readonly T[], max: number, rotation: LocateRotation | null): T[] {
  if (edges.length <= max || rotation === null) return edges.slice(0, max);
  const kept = edges.find((e) => e.id === rotation.keep);
  const others = edges.filter((e) => e !== kept);
  const slots = max - (kept === undefined ? 0 : 1);
  const start = (((rotation.round * slots) % others.length) + others.length) % others.length;
  const window = Array.from({ length: slots }, (_, i) => others[(start + i) % others.length]).filter((e): e is T => e !== undefined);
  return kept === undefined ? window : [kept, ...window];
}

/**
 * The server itself, its one edge, or (with two or more and a client that can measure) a locate
 * over at most DEFAULTS.locate.maxEdges of them (locateSet: the first in the hub's order, or a
 * scheduled sample's turn). A client that cannot measure tests on the first edge listed.
 */
export function planEdges(config: TestConfig, canLocate: boolean, rotation: LocateRotation | null = null): EdgePlan {
  const edges = config.kind === 'server' ? (config.server.edges ?? []) : [];
  if (edges.length === 0) return { kind: 'server' };
  if (edges.length === 1 || !canLocate) return { kind: 'edges', edges: edges.slice(0, 1), locate: false };
  return { kind: 'edges', edges: locateSet(edges, DEFAULTS.locate.maxEdges, rotation), locate: true };
}

/** What the locate step hands on: the nearest first; `lossTargetPct` and `budgetMs` as measured. */
export function locateOf(edges: Locate['edges'], budgetMs: number): Locate {
  return { nearest: nearestEdge(edges, LOCATE_LOSS_TARGET_PCT), lossTargetPct: LOCATE_LOSS_TARGET_PCT, budgetMs, edges };
}

/** The locate after the test could not start on `id`: that edge did not answer, and the nearest is named again. */
export function withUnreachable(locate: Locate, id: string): Locate {
  return locateOf(
    locate.edges.map((e) => (e.id === id ? { ...e, state: 'unreachable' as const } : e)),
    locate.budgetMs,
  );
}

/**
 * Whether a test that could not start on an edge moves to the next: yes when the edge (its
 * signalling, its relay, its release) did not serve it; no when this browser or the user ended
 * it, which another edge would not change.
 */
export function movesOn(reason: SetupFailureReason | null): boolean {
  return reason !== null && reason !== 'cancelled' && reason !== 'browser-unsupported' && reason !== 'channel-not-lossy';
}
