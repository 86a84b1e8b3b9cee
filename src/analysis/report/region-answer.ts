/**
 * The report of a test asked about an Azure region and answered on two edges: the nearest edge's
 * report (graded on Microsoft's client-to-edge targets) with its region leg, the question it
 * answers (`meta.asked`), the verdict the worse of the two, and the explanation that says so
 * (grade/region-answer.ts, present/explain.ts regionExplanation). Pure.
 */
import type { Report, ReportLeg } from '../schema/report-schema.js';
import { regionAnswer } from '../grade/region-answer.js';
import { regionExplanation } from '../present/explain.js';

/** The Azure row a test was asked about (the azure-region profile). */
export type AskedRow = NonNullable<Report['meta']['asked']>;

/** The nearest edge's report answering `asked` with its region leg (a leg that could not run: its report null, with why). */
export function withRegionAnswer(nearest: Report, asked: AskedRow, leg: ReportLeg): Report {
  const answer = regionAnswer({ verdict: nearest.summary.verdict, insufficientCause: nearest.summary.insufficientCause }, leg);
  const r: Report = { ...nearest, meta: { ...nearest.meta, asked }, legs: [leg], summary: { ...nearest.summary, ...answer } };
  return { ...r, explanation: regionExplanation(r) };
}
