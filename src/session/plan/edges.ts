/**
 * Where a test runs when its server is a hub with edges: on the server itself (no edges: an
 * all-in-one server, or a hub without any), on its one edge (no locate step), or on the nearest of
 * several, found by a locate first. Which edges the locate measures with probes after its first
 * pass, and what a failed attempt on an edge means: the edge did not answer (the test moves to the
 * next nearest), or something no other edge would change. Pure.
 */
import type { LocateRotation } from '../../protocol/page-url.js';
import type { EdgeOffer } from '../../protocol/api.js';
import { DEFAULTS } from '../../protocol/defaults.js';
import { LOCATE_LOSS_TARGET_PCT, nearestEdge, tieOf } from '../../analysis/grade/locate.js';
import type { Locate } from '../../analysis/schema/locate-schema.js';
import type { SetupFailureReason } from '../net/errors.js';
import type { TestConfig } from './config.js';

export type EdgePlan = { kind: 'server' } | { kind: 'edges'; edges: EdgeOffer[]; locate: boolean };

/** Which edges the probes measure: some named before the first pass, the rest its nearest. */
export interface ProbePlan {
  /** Measured whatever the first pass says: a scheduled sample's site edge, the edge nearer on its last sample, and its turn over the others. */
  fixed: string[];
  /** Places left for the nearest of the first pass, outside `fixed`. */
  nearest: number;
}

/**
 * The probe plan of a locate over `listed` edges (ids in the hub's order), `max` measured with
 * probes. A test that is not scheduled: the `max` nearest of the first pass. A scheduled sample
 * (`rotation`): the site's edge and the edge that was nearer on its last sample (when listed), the
 * first pass's nearest, and the places left taken in turn over the other edges (a window that
 * moves on by its size every round), so every edge gets its probes now and then for the site x
 * region table (bench/regions/coverage.ts).
 */
export function probePlan(listed: readonly string[], max: number, rotation: LocateRotation | null): ProbePlan {
  if (rotation === null || listed.length <= max) return { fixed: [], nearest: max };
  const named = [rotation.keep, rotation.challenger].filter((id): id is string => id !== null && listed.includes(id));
  const fixed = [...new Set(named)].slice(0, max - 1);
  const others = listed.filter((id) => !fixed.includes(id));
  const turns = Math.min(Math.max(0, max - fixed.length - 1), others.length);
  const start = others.length === 0 ? 0 : (rotation.round * turns) % others.length;
  const window = Array.from({ length: turns }, (_, i) => others[(start + i) % others.length]).filter((id): id is string => id !== undefined);
  return { fixed: [...fixed, ...window], nearest: max - fixed.length - window.length };
}

/** The edges the probes measure: the plan's fixed ones, then the first pass's nearest outside them (`answered`: in the order they answered it). */
export function probeSet(plan: ProbePlan, answered: readonly string[]): string[] {
  return [...plan.fixed, ...answered.filter((id) => !plan.fixed.includes(id)).slice(0, plan.nearest)];
}

/**
 * The server itself, its one edge, or (with two or more and a client that can measure) a locate
 * over the first DEFAULTS.locate.firstPassMaxEdges the hub lists. A client that cannot measure
 * tests on the first edge listed.
 */
export function planEdges(config: TestConfig, canLocate: boolean): EdgePlan {
  const edges = config.kind === 'server' ? (config.server.edges ?? []) : [];
  if (edges.length === 0) return { kind: 'server' };
  if (edges.length === 1 || !canLocate) return { kind: 'edges', edges: edges.slice(0, 1), locate: false };
  return { kind: 'edges', edges: edges.slice(0, DEFAULTS.locate.firstPassMaxEdges), locate: true };
}

/** What the locate step hands on: the nearest first, and the edge tied with it; `lossTargetPct` and `budgetMs` as measured. */
export function locateOf(edges: Locate['edges'], budgetMs: number): Locate {
  return {
    nearest: nearestEdge(edges, LOCATE_LOSS_TARGET_PCT),
    lossTargetPct: LOCATE_LOSS_TARGET_PCT,
    budgetMs,
    edges,
    tie: tieOf(edges, LOCATE_LOSS_TARGET_PCT),
  };
}

/** The locate after the test could not start on `id`: that edge did not answer, and the nearest is named again. */
export function withUnreachable(locate: Locate, id: string): Locate {
  return {
    ...locate,
    ...locateOf(
      locate.edges.map((e) => (e.id === id ? { ...e, state: 'unreachable' as const } : e)),
      locate.budgetMs,
    ),
  };
}

/**
 * Whether a test that could not start on an edge moves to the next: yes when the edge (its
 * signalling, its relay, its release) did not serve it; no when this browser or the user ended
 * it, which another edge would not change.
 */
export function movesOn(reason: SetupFailureReason | null): boolean {
  return reason !== null && reason !== 'cancelled' && reason !== 'browser-unsupported' && reason !== 'channel-not-lossy';
}
