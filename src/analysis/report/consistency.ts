/**
 * An uploaded report's own conclusions, read again from its own evidence at the door: the
 * verdict from its grades and outcome (the rule the page's analysis used: verdictOf, and a test
 * our side could not finish is insufficient), a cause named exactly when the verdict is insufficient, and each provisional claim's `held` from the final
 * grade of its target and direction (heldOutcomes), and the server's event-loop figures against
 * each other. A report whose summary says otherwise is
 * refused: what is stored, and shown at /r/<code>, never says "pass" beside failing grades.
 * Pure.
 */
import { verdictOf } from '../grade/grade.js';
import { heldOutcomes } from '../grade/provisional.js';
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
