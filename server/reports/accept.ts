/**
 * The one way a report from outside (a file, an upload, a stored row) becomes a current
 * report: checked against the schema of the version it says it has, then upgraded
 * (src/analysis/report/migrate.ts). Every reader of reports (aggregate, the results store,
 * the report page) goes through here.
 */
import { Value } from '@sinclair/typebox/value';
import { upgradeReport } from '../../src/analysis/report/migrate.js';
import { ReportSchema, ReportV1Schema, SCHEMA_VERSION, type Report } from '../../src/analysis/schema/report-schema.js';

/** Typed error: the value is not a callprobe report of a version we read. */
export class ReportShapeError extends Error {
  override readonly name = 'ReportShapeError';
  constructor(
    readonly reason: 'not-an-object' | 'unknown-version' | 'schema',
    detail: string,
  ) {
    super(detail);
  }
}

const SCHEMAS = new Map<number, typeof ReportSchema | typeof ReportV1Schema>([
  [SCHEMA_VERSION, ReportSchema],
  [1, ReportV1Schema],
]);

/** Checks `value` against its version's schema and upgrades it; throws ReportShapeError with the first problem. */
export function acceptReport(value: unknown): Report {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ReportShapeError('not-an-object', 'a report is a JSON object');
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  const schema = typeof version === 'number' ? SCHEMAS.get(version) : undefined;
  if (schema === undefined) {
    throw new ReportShapeError('unknown-version', `schemaVersion ${JSON.stringify(version) ?? 'missing'} is not one of ${[...SCHEMAS.keys()].join(', ')}`);
  }
  if (!Value.Check(schema, value)) {
    const first = Value.Errors(schema, value).First();
    throw new ReportShapeError('schema', first ? `${first.path || '/'} ${first.message}` : 'does not match the report schema');
  }
  return upgradeReport(value);
}
