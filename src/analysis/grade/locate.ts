/**
 * The nearest edge and the order the test tries the edges in, from the locate's figures. Pure.
 *
 * The nearest is the edge with the lowest round trip p50 whose loss is under the locate's loss
 * target, ties by loss (then by id, so the same figures always name the same edge). The target
 * is Microsoft's client-to-edge burst loss, 10 % in any 200 ms: a locate's 20 probes span a few
 * 200 ms windows, and one lost probe is already 5 %, so the 1 % of any 15 s cannot be judged
 * from them. An edge that answered no round trip is `unreachable`: never the nearest, and tried
 * for the test only after every edge that answered.
 */
import { CLIENT_TO_EDGE } from './targets.js';

/** The loss a locate's edge must stay under to be the nearest, percent. */
export const LOCATE_LOSS_TARGET_PCT = CLIENT_TO_EDGE.burstLossPct;

/** What the order reads of a located edge. */
export interface LocatedFigures {
  id: string;
  state: 'ok' | 'unreachable';
  rttMsP50: number | null;
  lossPct: number | null;
}

const underTarget = (e: LocatedFigures, targetPct: number): boolean => e.state === 'ok' && e.rttMsP50 !== null && (e.lossPct ?? 0) < targetPct;

/** Lower p50 first, then lower loss, then id. */
function byRtt(a: LocatedFigures, b: LocatedFigures): number {
  return (a.rttMsP50 ?? Infinity) - (b.rttMsP50 ?? Infinity) || (a.lossPct ?? 0) - (b.lossPct ?? 0) || a.id.localeCompare(b.id);
}

/** The nearest edge's id, or null when no edge that answered stayed under the loss target. */
export function nearestEdge(edges: readonly LocatedFigures[], lossTargetPct: number = LOCATE_LOSS_TARGET_PCT): string | null {
  return [...edges].filter((e) => underTarget(e, lossTargetPct)).sort(byRtt)[0]?.id ?? null;
}

/**
 * The order the test tries the edges in: those under the loss target by p50 (the nearest
 * first), then the others that answered by loss and p50, then the unreachable ones as listed.
 */
export function testOrder(edges: readonly LocatedFigures[], lossTargetPct: number = LOCATE_LOSS_TARGET_PCT): string[] {
  const under = edges.filter((e) => underTarget(e, lossTargetPct)).sort(byRtt);
  const over = edges.filter((e) => e.state === 'ok' && !underTarget(e, lossTargetPct)).sort((a, b) => (a.lossPct ?? 0) - (b.lossPct ?? 0) || byRtt(a, b));
  const silent = edges.filter((e) => e.state !== 'ok');
  return [...under, ...over, ...silent].map((e) => e.id);
}
