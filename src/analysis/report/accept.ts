/**
 * The one way a report from outside (a file, an upload, a stored row) becomes a current
 * report: checked against the schema of the version it says it has (schema/check.ts), then
 * upgraded (migrate.ts). Every reader of reports (aggregate, the results store, the report
 * page) goes through here.
 */
import { type StoredReport, upgradeReport } from './migrate.js';
import type { Report } from '../schema/report-schema.js';
import type { CouldNotTest } from '../schema/could-not-test-schema.js';
import { CHECKED_REPORT_VERSIONS, couldNotTestSchemaProblem, reportSchemaProblem, uploadBoundsProblem } from '../schema/check.js';
import { TypedError } from '../../protocol/typed-error.js';
import { conclusionProblem } from './consistency.js';

/** Typed error: the value is not a callprobe report of a version we read. */
export class ReportShapeError extends TypedError<
  'not-an-object' | 'unknown-version' | 'schema' | 'over-bound' | 'bad-sample-id' | 'bad-site' | 'inconsistent' | 'started-in-future'
> {
  override readonly name = 'ReportShapeError';
}

/** Checks `value` against its version's schema and upgrades it; throws ReportShapeError with the first problem. */
export function acceptReport(value: unknown): Report {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ReportShapeError('not-an-object', 'a report is a JSON object');
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  const problem = typeof version === 'number' ? reportSchemaProblem(version, value) : undefined;
  if (problem === undefined) {
    throw new ReportShapeError('unknown-version', `schemaVersion ${JSON.stringify(version) ?? 'missing'} is not one of ${CHECKED_REPORT_VERSIONS.join(', ')}`);
  }
  if (problem !== null) throw new ReportShapeError('schema', problem);
  // Checked just above against the schema of its version.
  return upgradeReport(value as StoredReport);
}

/** What POST /api/results accepts: a report (any version we read) or a could-not-test record. */
export type AcceptedResult = { kind: 'report'; report: Report } | { kind: 'could-not-test'; record: CouldNotTest };

/**
 * Checks an upload: a could-not-test record (`kind: 'could-not-test'`) against its schema, or
 * else a report through acceptReport. Throws ReportShapeError with the first problem.
 */
export function acceptResult(value: unknown): AcceptedResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ReportShapeError('not-an-object', 'a report is a JSON object');
  if ((value as { kind?: unknown }).kind === 'could-not-test') {
    const problem = couldNotTestSchemaProblem(value);
    if (problem !== null) throw new ReportShapeError('schema', problem);
    return { kind: 'could-not-test', record: value as CouldNotTest }; // checked just above
  }
  return { kind: 'report', report: acceptReport(value) };
}

/**
 * What POST /api/results stores: acceptResult, then every text and list within the bounds of
 * ../schema/bounds.ts (a report from any callprobe fits them many times over), then a report's
 * conclusions read again from its evidence, after its upgrade (./consistency.ts). Throws
 * ReportShapeError: the first problem, `over-bound` for a text or list too long,
 * `inconsistent` for a verdict or claim its own grades contradict.
 */
export function acceptUpload(value: unknown): AcceptedResult {
  const accepted = acceptResult(value);
  const version = accepted.kind === 'could-not-test' ? null : (value as { schemaVersion: number }).schemaVersion;
  const problem = uploadBoundsProblem(version, value);
  if (problem !== null) throw new ReportShapeError('over-bound', problem);
  if (accepted.kind === 'report') {
    const contradiction = conclusionProblem(accepted.report);
    if (contradiction !== null) throw new ReportShapeError('inconsistent', contradiction);
  }
  return accepted;
}
