/**
 * One upload of POST /api/results, read: the client's sampleId taken off, the rest checked
 * (acceptUpload: its schema, and every text and list bounded) and described the way the store
 * indexes it. The report is stored as sent (any schema version), so `/r/:code` shows what the user saw, with one exception: an IP
 * address in its texts is replaced (src/analysis/report/client-addresses.ts). Scrubbed rather
 * than refused: the measurement is the client's and is never lost for a sentence in it, and an
 * older client (or a spooled sample) could not send it any other way.
 */
import { isSampleId, parseIsoMs } from '../../src/protocol/values.js';
import { canonicalSite, SiteNameError } from '../../src/protocol/site-name.js';
import { BOUNDS, CONSTANTS } from '../../src/protocol/defaults.js';
import { acceptUpload, ReportShapeError, type AcceptedResult } from '../../src/analysis/report/accept.js';
import { withoutClientAddresses } from '../../src/analysis/report/client-addresses.js';
import type { NewResult } from '../store/results/types.js';
import type { ChainRepository } from '../store/chain/types.js';
import { parseResultCode, ResultCodeError } from '../../src/protocol/result-code.js';
import { networkKey } from '../common/source-key.js';

export interface Upload {
  accepted: AcceptedResult;
  /** Everything NewResult needs but the client's address. */
  result: Omit<NewResult, 'address'>;
  /** JSON pointers of the texts in which an IP address was replaced (none from a current client). */
  scrubbed: string[];
}

export { parseIsoMs };

/**
 * Reads an upload received at `receivedAtMs` (the server's clock); throws ReportShapeError (400)
 * naming the first problem, `started-in-future` for a start more than
 * CONSTANTS.results.startedAheadMaxMs after it.
 */
export function readUpload(body: unknown, receivedAtMs: number): Upload {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ReportShapeError('not-an-object', 'a report is a JSON object');
  const { sampleId, ...sent0 } = body as Record<string, unknown>;
  const rest = withCanonicalPrevious(sent0);
  if (sampleId !== undefined && !isSampleId(sampleId)) {
    const b = BOUNDS.sampleIdChars;
    throw new ReportShapeError('bad-sample-id', `sampleId must be ${b.min}..${b.max} of A-Z a-z 0-9 . _ - (e.g. a UUID)`);
  }
  const sent = acceptUpload(rest);
  // The marks are never longer than the addresses they replace: the scrubbed body passes the same check.
  const { value: clean, scrubbed } = withoutClientAddresses(rest);
  const accepted = scrubbed.length === 0 ? sent : acceptUpload(clean);
  const reportJson = JSON.stringify(clean);
  if (accepted.kind === 'could-not-test') {
    const r = accepted.record;
    const startedAtMs = notAhead((typeof r.meta.startedAt === 'string' ? parseIsoMs(r.meta.startedAt) : null) ?? r.atMs, receivedAtMs);
    return {
      accepted,
      result: {
        sampleId: sampleId ?? null,
        kind: 'could-not-test',
        startedAtMs,
        site: siteOf(r.meta.site),
        ticket: nonEmpty(r.meta.ticket),
        verdict: null,
        reportJson,
      },
      scrubbed,
    };
  }
  const report = accepted.report;
  const startedAtMs = parseIsoMs(report.meta.startedAt);
  if (startedAtMs === null)
    throw new ReportShapeError('schema', `/meta/startedAt is not an ISO 8601 time: ${JSON.stringify(report.meta.startedAt.slice(0, 40))}`);
  notAhead(startedAtMs, receivedAtMs);
  return {
    accepted,
    result: {
      sampleId: sampleId ?? null,
      kind: 'report',
      startedAtMs,
      site: siteOf(report.meta.site),
      ticket: nonEmpty(report.meta.ticket),
      verdict: report.summary.verdict,
      reportJson,
    },
    scrubbed,
  };
}

/**
 * The body with its claimed earlier result (`meta.previousCode`) in the code's canonical form
 * (`k7qf3mzd` is `K7QF-3MZD`), or without it when it is no result code: a claim the browser
 * makes, never a reason to refuse the measurement. A could-not-test record claims none.
 */
function withCanonicalPrevious(body: Record<string, unknown>): Record<string, unknown> {
  const meta = body['meta'];
  if (body['kind'] === 'could-not-test' || typeof meta !== 'object' || meta === null || !('previousCode' in meta)) return body;
  const { previousCode, ...others } = meta as Record<string, unknown>;
  let code: string | null = null;
  if (typeof previousCode === 'string' && previousCode.length <= 40) {
    try {
      code = parseResultCode(previousCode);
    } catch (err) {
      if (!(err instanceof ResultCodeError)) throw err;
    }
  }
  return { ...body, meta: code === null ? others : { ...others, previousCode: code } };
}

/**
 * The upload with its claimed earlier result kept only when this server stored a result under
 * that code within CONSTANTS.results.previousCodeMaxAgeMs of `nowMs` (by its own clock) and the
 * claimer started after it (a test is run again from a result it has seen: one that claims a
 * later or the same start is planted), noting whether the claim came from another network than
 * the claimed result (`claimerIp`'s against the address it was stored from, while kept); else
 * without it (an unknown code, one older, one purged, a start before), the report stored all the
 * same.
 */
export async function withCheckedPrevious(u: Upload, claimed: ChainRepository['claimed'], nowMs: number, claimerIp: string): Promise<Upload> {
  if (u.accepted.kind !== 'report') return u;
  const code = u.accepted.report.meta.previousCode;
  if (code === undefined) return u;
  const earlier = await claimed(code, nowMs - CONSTANTS.results.previousCodeMaxAgeMs);
  if (earlier !== null && u.result.startedAtMs > earlier.startedAtMs) {
    const otherNetwork = earlier.address === null ? null : networkKey(earlier.address) !== networkKey(claimerIp);
    return { ...u, result: { ...u.result, previousOtherNetwork: otherNetwork } };
  }
  const body = JSON.parse(u.result.reportJson) as { meta: Record<string, unknown> };
  const { previousCode: _dropped, ...meta } = body.meta;
  const reportJson = JSON.stringify({ ...body, meta });
  return { accepted: acceptUpload(JSON.parse(reportJson) as unknown), result: { ...u.result, reportJson }, scrubbed: u.scrubbed };
}

/** `startedAtMs`, unless it lies more than CONSTANTS.results.startedAheadMaxMs after `receivedAtMs`. */
function notAhead(startedAtMs: number, receivedAtMs: number): number {
  const aheadMs = startedAtMs - receivedAtMs;
  if (aheadMs > CONSTANTS.results.startedAheadMaxMs) {
    throw new ReportShapeError(
      'started-in-future',
      `/meta/startedAt (${new Date(startedAtMs).toISOString()}) is ${Math.round(aheadMs / 60_000)} min after this server received it (${new Date(receivedAtMs).toISOString()}), more than the ${CONSTANTS.results.startedAheadMaxMs / 60_000} min a clock may be fast: check the testing device's clock`,
    );
  }
  return startedAtMs;
}

/**
 * The upload with its site moved to `meta.siteUnverified` (and `meta.site` null): a site named
 * without the operator token, as a `?site=` link anyone may open does. The result is stored
 * all the same (the measurement is the user's), but never counted as the site's: not in site
 * reports, alerts or by-site exports, which read the stored site column, null here. A name that
 * is no site name is kept as sent (trimmed): it is shown to the help desk, never compared.
 */
export function withUnverifiedSite(u: Upload): Upload {
  const named = u.result.site;
  if (named === null) return u;
  let shown: string;
  try {
    shown = canonicalSite(named).display;
  } catch (err) {
    if (!(err instanceof SiteNameError)) throw err;
    shown = named.trim();
  }
  const body = JSON.parse(u.result.reportJson) as { meta: Record<string, unknown> };
  body.meta = { ...body.meta, site: null, siteUnverified: shown };
  const reportJson = JSON.stringify(body);
  return { accepted: acceptUpload(JSON.parse(reportJson) as unknown), result: { ...u.result, site: null, reportJson }, scrubbed: u.scrubbed };
}

function nonEmpty(v: string | null | undefined): string | null {
  return typeof v === 'string' && v.trim().length > 0 ? v : null;
}

/**
 * The site a result is stored under: canonicalSite() of meta.site (src/protocol/site-name.ts),
 * before anything checks it, so a name of white space alone is refused, not taken for "no
 * site". Absent, null and '' are no site.
 */
function siteOf(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined || raw === '') return null;
  try {
    return canonicalSite(raw).display;
  } catch (err) {
    if (err instanceof SiteNameError) throw new ReportShapeError('bad-site', `meta.site: ${err.message}`);
    throw err;
  }
}
