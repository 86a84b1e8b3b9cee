/**
 * The question asked decides the answer. A test asked about an Azure region (the azure-region
 * profile, a row of Microsoft's table in "Measuring Network Performance using Azure VMs") through a
 * hub whose nearest edge stands elsewhere runs twice (docs/regions.md): on the nearest edge,
 * graded on Microsoft's client-to-edge targets ("Network performance requirements from a client to
 * Microsoft network edge"), and on the edge in the asked region (the region leg), graded on that
 * row. The test's verdict is the worse of the two, in the order fail, then no verdict, then pass:
 * a region leg that could not run leaves the row ungraded, never passed by omission. Pure.
 */
import type { InsufficientCause, Report, Verdict } from '../schema/report-schema.js';
import { verdictOf } from './grade.js';
import { unfinishedVerdict } from './blocked-ports.js';

const RANK: Readonly<Record<Verdict, number>> = { pass: 0, insufficient: 1, fail: 2 };

/** The worse of two verdicts: fail, then no verdict, then pass. */
export const worseVerdict = (a: Verdict, b: Verdict): Verdict => (RANK[b] > RANK[a] ? b : a);

/** A report's own verdict, from its grades and outcome alone (the nearest edge's, for a report with a region leg). */
export function ownVerdict(r: Pick<Report, 'grades' | 'outcome' | 'connectivity'>): Verdict {
  return r.outcome !== null ? unfinishedVerdict(r.outcome, r.connectivity) : verdictOf(r.grades);
}

type LegFacts = { report: { summary: Pick<Report['summary'], 'verdict' | 'insufficientCause'> } | null };

/**
 * The test's verdict and its cause with its region leg (null: none was asked): the worse of the
 * nearest edge's own and the leg's (no verdict when the leg could not run). The cause is the
 * nearest's own when its verdict decides, else `region-not-tested` for a row the leg could not
 * judge.
 */
export function regionAnswer(
  own: { verdict: Verdict; insufficientCause: InsufficientCause | null },
  leg: LegFacts | null,
): { verdict: Verdict; insufficientCause: InsufficientCause | null } {
  if (leg === null) return own;
  const legVerdict = leg.report?.summary.verdict ?? 'insufficient';
  const verdict = worseVerdict(own.verdict, legVerdict);
  if (verdict !== 'insufficient') return { verdict, insufficientCause: null };
  return { verdict, insufficientCause: own.verdict === 'insufficient' ? own.insufficientCause : 'region-not-tested' };
}

/** The region leg of a report (the one leg callprobe runs), or null. */
export function regionLegOf<L extends { role: 'region' }>(r: { legs?: readonly L[] | undefined }): L | null {
  return r.legs?.find((l) => l.role === 'region') ?? null;
}
