/**
 * The report's `provisional`: every provisional answer shown while the test ran, each claim
 * in words (its evidence) and checked against the final grades (`held`).
 */
import type { GradedDirection } from '../grade/grade.js';
import { claimHeld } from '../grade/provisional.js';
import { claimEvidence } from '../present/provisional.js';
import type { ProvisionalFacts } from '../schema/provisional-facts.js';
import { CLAIM_EVIDENCE_MAX_CHARS } from '../schema/provisional-limits.js';
import type { DirectionName, GradeEntry, ProvisionalAnswer } from '../schema/report-schema.js';

/** The history for the report, or undefined when no provisional answer was shown. */
export function provisionalHistory(
  history: readonly ProvisionalFacts[] | undefined,
  grades: readonly Pick<GradeEntry, 'target' | 'direction' | 'status'>[],
  directions: readonly GradedDirection[],
): ProvisionalAnswer[] | undefined {
  if (history === undefined || history.length === 0) return undefined;
  const suspectOf = (name: DirectionName) => directions.find((d) => d.name === name)?.analysis.suspect ?? [];
  return history.map((h) => ({
    atMs: h.atMs,
    claims: h.claims.map((c) => ({
      metric: c.metric,
      direction: c.direction,
      kind: c.kind,
      evidence: claimEvidence(c).slice(0, CLAIM_EVIDENCE_MAX_CHARS),
      held: claimHeld(c, grades, suspectOf),
    })),
  }));
}
