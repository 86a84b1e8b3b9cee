/**
 * The nearest edge and the order the test tries the edges in, from the locate's figures; when two
 * edges tie; where a scheduled site's test runs (it keeps its edge until another is clearly
 * nearer on two samples in a row); and whether the path changed during the test. Pure.
 *
 * The nearest is the edge with the lowest round trip p50 whose loss is under the locate's loss
 * target, ties by loss (then by id, so the same figures always name the same edge). The target
 * is Microsoft's client-to-edge burst loss, 10 % in any 200 ms: a locate's 20 probes span a few
 * 200 ms windows, and one lost probe is already 5 %, so the 1 % of any 15 s cannot be judged
 * from them. An edge that answered no round trip is `unreachable`: never the nearest, and tried
 * for the test only after every edge that answered.
 */
import { DEFAULTS } from '../../protocol/defaults.js';
import { CLIENT_TO_EDGE } from './targets.js';

/** The loss a locate's edge must stay under to be the nearest, percent. */
export const LOCATE_LOSS_TARGET_PCT = CLIENT_TO_EDGE.burstLossPct;

/** What the order reads of a located edge. */
export interface LocatedFigures {
  id: string;
  state: 'ok' | 'unreachable';
  rttMsP50: number | null;
  lossPct: number | null;
  /** The first pass's time to the relay candidate: the order of the edges it alone reached. */
  allocateMs?: number | null;
}

/** How much nearer an edge must be to count as nearer for a site: both at once (DEFAULTS.locate.keep). */
export interface NearerMargin {
  nearerPct: number;
  nearerMs: number;
}

const underTarget = (e: LocatedFigures, targetPct: number): boolean => e.state === 'ok' && e.rttMsP50 !== null && (e.lossPct ?? 0) < targetPct;

/** Lower p50 first, then lower loss, then id. */
function byRtt(a: LocatedFigures, b: LocatedFigures): number {
  return (a.rttMsP50 ?? Infinity) - (b.rttMsP50 ?? Infinity) || (a.lossPct ?? 0) - (b.lossPct ?? 0) || a.id.localeCompare(b.id);
}

/** The edges under the loss target, nearest first. */
function ranked(edges: readonly LocatedFigures[], lossTargetPct: number): LocatedFigures[] {
  return edges.filter((e) => underTarget(e, lossTargetPct)).sort(byRtt);
}

/** The nearest edge's id, or null when no edge that answered stayed under the loss target. */
export function nearestEdge(edges: readonly LocatedFigures[], lossTargetPct: number = LOCATE_LOSS_TARGET_PCT): string | null {
  return ranked(edges, lossTargetPct)[0]?.id ?? null;
}

/**
 * The order the test tries the edges in: those under the loss target by p50 (the nearest
 * first), then the others that answered the probes by loss and p50, then those the first pass
 * alone reached by their time to a relay candidate, then the unreachable ones: those that gave
 * the first pass a relay candidate by its time, then the rest as listed. When no edge answered the
 * probes at all (the page itself could not probe, a CPU held up: nothing against one edge more
 * than another), every edge that gave the first pass a relay candidate is tried by its time.
 */
export function testOrder(edges: readonly LocatedFigures[], lossTargetPct: number = LOCATE_LOSS_TARGET_PCT): string[] {
  const under = ranked(edges, lossTargetPct);
  const probed = (e: LocatedFigures): boolean => e.state === 'ok' && e.rttMsP50 !== null;
  const over = edges.filter((e) => probed(e) && !underTarget(e, lossTargetPct)).sort((a, b) => (a.lossPct ?? 0) - (b.lossPct ?? 0) || byRtt(a, b));
  const byAllocate = (a: LocatedFigures, b: LocatedFigures): number => (a.allocateMs ?? Infinity) - (b.allocateMs ?? Infinity);
  const noneProbed = !edges.some(probed);
  const reached = (e: LocatedFigures): boolean => (e.state === 'ok' && e.rttMsP50 === null) || (noneProbed && e.allocateMs != null);
  const firstPass = edges.filter(reached).sort(byAllocate);
  const silent = edges.filter((e) => !probed(e) && !reached(e)).sort(byAllocate);
  return [...under, ...over, ...firstPass, ...silent].map((e) => e.id);
}

/** Whether a round trip of `nearMs` is nearer than `farMs` by the margin: both by its percent and its ms. */
export function clearlyNearer(nearMs: number, farMs: number, margin: NearerMargin = DEFAULTS.locate.keep): boolean {
  return nearMs <= farMs * (1 - margin.nearerPct / 100) && farMs - nearMs >= margin.nearerMs;
}

/** The edge second nearest when the nearest is not clearly nearer than it (a tie); null when there is none. */
export function tieOf(
  edges: readonly LocatedFigures[],
  lossTargetPct: number = LOCATE_LOSS_TARGET_PCT,
  margin: NearerMargin = DEFAULTS.locate.keep,
): string | null {
  const [first, second] = ranked(edges, lossTargetPct);
  if (first?.rttMsP50 == null || second?.rttMsP50 == null) return null;
  return clearlyNearer(first.rttMsP50, second.rttMsP50, margin) ? null : second.id;
}

/** Where a scheduled site's test runs, and what the next sample carries. */
export interface SiteEdgeChoice {
  /** The edge the test runs on first; null: none answered under the target (the test order alone decides). */
  runOn: string | null;
  /** The edge clearly nearer than the site's edge on this sample, for the next sample; null: none. */
  challenger: string | null;
  /** This sample moves the site from its edge to another. */
  moved: boolean;
}

/**
 * A scheduled site's edge: it stays where the site's last sample ran (`kept`) until another edge
 * is clearly nearer (clearlyNearer) on two samples in a row: the nearest now, which was the
 * challenger of the last sample too. A kept edge that did not answer under the loss target
 * cannot keep the site: it moves to the nearest at once. A site's first sample runs on the nearest.
 */
export function siteEdge(
  edges: readonly LocatedFigures[],
  kept: string | null,
  challenger: string | null,
  lossTargetPct: number = LOCATE_LOSS_TARGET_PCT,
  margin: NearerMargin = DEFAULTS.locate.keep,
): SiteEdgeChoice {
  const nearest = ranked(edges, lossTargetPct)[0];
  if (kept === null) return { runOn: nearest?.id ?? null, challenger: null, moved: false };
  const here = edges.find((e) => e.id === kept);
  if (here === undefined || !underTarget(here, lossTargetPct)) return { runOn: nearest?.id ?? null, challenger: null, moved: nearest !== undefined };
  if (nearest === undefined || nearest.id === kept || !clearlyNearer(nearest.rttMsP50 ?? Infinity, here.rttMsP50 ?? Infinity, margin))
    return { runOn: kept, challenger: null, moved: false };
  return nearest.id === challenger ? { runOn: nearest.id, challenger: null, moved: true } : { runOn: kept, challenger: nearest.id, moved: false };
}

/**
 * Whether the path to the edge changed during the test: the test's round-trip median over
 * `factor` times the locate's 90th percentile to that edge and `plusMs` more (DEFAULTS.locate.pathChange).
 */
export function pathChanged(testRttMsP50: number, locateRttMsP90: number, rule: { factor: number; plusMs: number } = DEFAULTS.locate.pathChange): boolean {
  return testRttMsP50 > rule.factor * locateRttMsP90 + rule.plusMs;
}
