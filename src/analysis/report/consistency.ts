/**
 * An uploaded report's own conclusions, read again from its own evidence at the door: the
 * verdict from its grades and outcome (the rule the page's analysis used: verdictOf, and a test
 * our side could not finish is insufficient), a cause named exactly when the verdict is insufficient, and each provisional claim's `held` from the final
 * grade of its target and direction (heldOutcomes), the locate's nearest edge from its edges'
 * figures (nearestEdge), the edge the test ran on among them, the server's event-loop
 * figures against each other, and each leg's report (the region leg) the same way, on the edge it names. A report whose summary says otherwise is
 * refused: what is stored, and shown at /r/<code>, never says "pass" beside failing grades.
 * Pure.
 */
import { verdictOf } from '../grade/grade.js';
import { heldOutcomes } from '../grade/provisional.js';
import { nearestEdge } from '../grade/locate.js';
import type { Report } from '../schema/report-schema.js';

/** The first place where `r`'s conclusions disagree with its evidence, in words; null when none does. */
export function conclusionProblem(r: Report): string | null {
  const verdict = r.outcome !== null ? 'insufficient' : verdictOf(r.grades);
  if (r.summary.verdict !== verdict) {
    const why = r.outcome !== null ? `a test that did not finish (${r.outcome.reason}) is` : 'its grades make it';
    return `/summary/verdict is "${r.summary.verdict}", but ${why} "${verdict}"`;
  }
  // A cause only for a missing verdict, and a missing verdict always with one.
  if ((r.summary.insufficientCause === null) !== (verdict !== 'insufficient')) {
    return `/summary/insufficientCause is ${JSON.stringify(r.summary.insufficientCause)}, but the verdict is "${verdict}"`;
  }
  const locateProblem = locateConclusionProblem(r);
  if (locateProblem !== null) return locateProblem;
  const legProblem = legsConclusionProblem(r);
  if (legProblem !== null) return legProblem;
  // The server's figures hold together: no more busy windows than windows, the median not above the 99th percentile.
  const s = r.server;
  if (s !== undefined) {
    if (s.busyWindows > s.windows) return `/server/busyWindows is ${s.busyWindows}, more than the ${s.windows} windows it counts from`;
    if (s.eventLoopDelayMsP50 > s.eventLoopDelayMsP99) {
      return `/server/eventLoopDelayMsP50 is ${s.eventLoopDelayMsP50} ms, above its 99th percentile of ${s.eventLoopDelayMsP99} ms`;
    }
  }
  for (const [i, answer] of (r.provisional ?? []).entries()) {
    for (const [j, c] of answer.claims.entries()) {
      const status = r.grades.find((g) => g.target === c.metric && g.direction === c.direction)?.status;
      const allowed = heldOutcomes(c.kind, c.direction, status);
      if (!allowed.includes(c.held)) {
        return `/provisional/${i}/claims/${j}/held is ${String(c.held)}, but a ${c.kind} claim on ${c.metric} (${c.direction}) whose final grade is ${status ?? 'missing'} makes it ${allowed.map(String).join(' or ')}`;
      }
    }
  }
  return null;
}

/** The locate's nearest from its own figures, the edge the test ran on one it measured, and a changed path's locate figure that edge's. */
function locateConclusionProblem(r: Report): string | null {
  const l = r.locate;
  if (l === undefined) return null;
  const nearest = nearestEdge(l.edges, l.lossTargetPct);
  if (l.nearest !== nearest) return `/locate/nearest is ${JSON.stringify(l.nearest)}, but its edges' figures make it ${JSON.stringify(nearest)}`;
  const ids = l.edges.map((e) => e.id);
  if (new Set(ids).size !== ids.length) return '/locate/edges names an edge twice';
  const ranOn = r.meta.edge?.id;
  if (ranOn !== undefined && !ids.includes(ranOn)) return `/meta/edge/id is ${JSON.stringify(ranOn)}, an edge the locate did not measure`;
  const changed = l.pathChanged;
  const p90 = l.edges.find((e) => e.id === ranOn)?.rttMsP90 ?? null;
  if (changed !== undefined && changed.locateRttMsP90 !== p90)
    return `/locate/pathChanged/locateRttMsP90 is ${changed.locateRttMsP90}, but the locate's p90 to the edge the test ran on is ${JSON.stringify(p90)}`;
  return null;
}

/** Each leg's report holds together on its own, ran on the edge the leg names, and that edge is not the one the report ran on. */
function legsConclusionProblem(r: Report): string | null {
  for (const [i, leg] of (r.legs ?? []).entries()) {
    const ranOn = leg.report.meta.edge;
    if (ranOn?.id !== leg.edge.id || ranOn.azureRegion !== leg.edge.azureRegion) {
      return `/legs/${i}/edge is ${JSON.stringify(leg.edge)}, but its report ran on ${JSON.stringify(ranOn ?? null)}`;
    }
    if (r.meta.edge === undefined || r.meta.edge.id === leg.edge.id)
      return `/legs/${i} is a test on ${leg.edge.id}, but the report itself ran ${r.meta.edge === undefined ? 'on no edge' : 'there too'}`;
    const own = conclusionProblem(leg.report);
    if (own !== null) return `/legs/${i}/report${own}`;
  }
  return null;
}
