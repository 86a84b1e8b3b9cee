/**
 * One upload of POST /api/results, read: the client's sampleId taken off, the rest checked
 * (acceptResult) and described the way the store indexes it. The report is stored as sent
 * (any schema version), so `/r/:code` shows what the user saw.
 */
import { isSampleId, BOUNDS } from '../../src/protocol/defaults.js';
import { acceptResult, ReportShapeError, type AcceptedResult } from './accept.js';
import type { NewResult } from '../store/types.js';

export interface Upload {
  accepted: AcceptedResult;
  /** Everything NewResult needs but the client's address. */
  result: Omit<NewResult, 'address'>;
}

/** ISO 8601 with a time and a zone (what reports write: `toISOString()`), as ms; null otherwise. */
export function parseIsoMs(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** Reads an upload; throws ReportShapeError (400) naming the first problem. */
export function readUpload(body: unknown): Upload {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ReportShapeError('not-an-object', 'a report is a JSON object');
  const { sampleId, ...rest } = body as Record<string, unknown>;
  if (sampleId !== undefined && !isSampleId(sampleId)) {
    const b = BOUNDS.sampleIdChars;
    throw new ReportShapeError('bad-sample-id', `sampleId must be ${b.min}..${b.max} of A-Z a-z 0-9 . _ - (e.g. a UUID)`);
  }
  const accepted = acceptResult(rest);
  const reportJson = JSON.stringify(rest);
  if (accepted.kind === 'could-not-test') {
    const r = accepted.record;
    const startedAtMs = (typeof r.meta.startedAt === 'string' ? parseIsoMs(r.meta.startedAt) : null) ?? r.atMs;
    return {
      accepted,
      result: {
        sampleId: sampleId ?? null,
        kind: 'could-not-test',
        startedAtMs,
        site: nonEmpty(r.meta.site),
        ticket: nonEmpty(r.meta.ticket),
        verdict: null,
        reportJson,
      },
    };
  }
  const report = accepted.report;
  const startedAtMs = parseIsoMs(report.meta.startedAt);
  if (startedAtMs === null)
    throw new ReportShapeError('schema', `/meta/startedAt is not an ISO 8601 time: ${JSON.stringify(report.meta.startedAt.slice(0, 40))}`);
  return {
    accepted,
    result: {
      sampleId: sampleId ?? null,
      kind: 'report',
      startedAtMs,
      site: nonEmpty(report.meta.site),
      ticket: nonEmpty(report.meta.ticket),
      verdict: report.summary.verdict,
      reportJson,
    },
  };
}

function nonEmpty(v: string | null | undefined): string | null {
  return typeof v === 'string' && v.trim().length > 0 ? v : null;
}
