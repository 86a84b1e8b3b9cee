/**
 * `callprobe report --server URL --site NAME`: one site's report over its stored samples
 * (GET /api/sites/:site/report with the operator token), printed as a summary, JSON or CSV.
 * Exit codes as `run`: the site's verdict (0, 1, 2), 3 usage (a flag, or the server refused the
 * request or the token), 4 the server could not be reached or answered no report.
 */
import type { SiteReport } from '../../src/analysis/report/site-report.js';
import { siteReportPath } from '../../src/protocol/api.js';
import { ConfigError, DEFAULTS } from '../../src/protocol/defaults.js';
import { figure, figureCount, limit } from '../../src/analysis/present/format.js';
import { hourCellText } from '../../src/analysis/present/site-text.js';
import { targetWhere } from '../../src/analysis/present/sentences.js';
import { csvField, type Cell } from '../reports/export.js';
import { exitCodeFor, type ExitCode } from './exit.js';

export interface ReportCommandOptions {
  server: string;
  site: string;
  /** As the API takes it: a span (7d) or an ISO 8601 time; undefined: the API's default (a week). */
  since?: string;
  profile?: 'client-to-edge' | 'edge-to-edge' | 'azure-region';
  azureRegion?: string;
  from?: 'site' | 'edge';
  path?: 'rtp' | 'datachannel';
  tz?: string;
  json: boolean;
  csv: boolean;
  /** --token or CALLPROBE_TOKEN. */
  token?: string;
}

/** Typed error: the server gave no site report (unreachable, a server error, or not a report). */
export class SiteReportFetchError extends Error {
  override readonly name = 'SiteReportFetchError';
  constructor(
    readonly reason: 'unreachable' | 'server-error' | 'bad-answer',
    message: string,
  ) {
    super(message);
  }
}

/** The request URL of a site report. */
export function siteReportUrl(o: Pick<ReportCommandOptions, 'server' | 'site' | 'since' | 'profile' | 'azureRegion' | 'from' | 'path' | 'tz'>): URL {
  const url = new URL(siteReportPath(o.site), o.server);
  const params: Array<[string, string | undefined]> = [
    ['since', o.since],
    ['profile', o.profile],
    ['azureRegion', o.azureRegion],
    ['from', o.from],
    ['path', o.path],
    ['tz', o.tz],
  ];
  for (const [k, v] of params) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

function isSiteReport(v: unknown): v is SiteReport {
  const r = v as Partial<SiteReport> | null;
  return typeof r === 'object' && r !== null && r.kind === 'site-report' && r.schemaVersion === 1 && Array.isArray(r.metrics) && Array.isArray(r.explanation);
}

/** GETs the site report; refusals (4xx) are usage errors with the server's words, the rest SiteReportFetchError. */
export async function fetchSiteReport(o: ReportCommandOptions): Promise<SiteReport> {
  if (o.token === undefined) throw new ConfigError('a site report needs the operator token: --token T or CALLPROBE_TOKEN', 'missing-option');
  const url = siteReportUrl(o);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${o.token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(DEFAULTS.siteReport.fetchTimeoutMs),
    });
  } catch (err) {
    throw new SiteReportFetchError('unreachable', `${url.origin} did not answer: ${(err as Error).message}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (err) {
    throw new SiteReportFetchError('bad-answer', `${url.origin} answered HTTP ${res.status}, not JSON (${(err as Error).message})`);
  }
  if (res.status >= 400 && res.status < 500) {
    const refusal = body as { reason?: unknown; message?: unknown } | null;
    const why = typeof refusal?.message === 'string' ? refusal.message : `HTTP ${res.status}`;
    throw new ConfigError(
      `the server refused the site report (${res.status}${typeof refusal?.reason === 'string' ? ` ${refusal.reason}` : ''}): ${why}`,
      'bad-value',
    );
  }
  if (res.status !== 200) throw new SiteReportFetchError('server-error', `${url.origin} answered HTTP ${res.status}`);
  if (!isSiteReport(body)) throw new SiteReportFetchError('bad-answer', `${url.origin} answered something that is not a site report`);
  return body;
}

/** The summary without --json: verdict, explanation, one line per metric, the worst hours. */
export function formatSiteReport(r: SiteReport): string {
  const lines = [
    `Site ${r.site ?? '(none)'}: ${r.verdict.toUpperCase()} over ${figureCount(r.samples)} samples (90th percentile)${r.profile === null ? '' : `, ${r.profile.label}`}`,
    ...r.explanation.map((e) => `  ${e}`),
    '',
    `  ${'STATUS'.padEnd(12)} ${'TARGET'.padEnd(68)} ${'P50'.padStart(10)} ${'P90'.padStart(10)} ${'P99'.padStart(10)} ${'LIMIT'.padStart(10)} ${'MISSED'.padStart(8)}`,
  ];
  for (const m of r.metrics) {
    const missed = m.missedPct === null ? '–' : figure(m.missedPct, '%');
    lines.push(
      `  ${m.status.toUpperCase().padEnd(12)} ${targetWhere(m.label, m.direction).padEnd(68)} ${figure(m.p50, m.unit).padStart(10)} ${figure(m.p90, m.unit, m.threshold).padStart(10)} ${figure(m.p99, m.unit).padStart(10)} ${limit(m.threshold, m.unit).padStart(10)} ${missed.padStart(8)}`,
    );
  }
  lines.push('', ...r.metrics.map((m) => `  ${m.sentence}`));
  if (r.worstHours.length > 0) lines.push('', `  Worst hours (${r.timeZone}):`, ...r.worstHours.map((c) => `    ${hourCellText(c)}`));
  lines.push('', `  ${r.p90Rule.method}`);
  return `${lines.join('\n')}\n`;
}

export const SITE_CSV_COLUMNS = [
  'site',
  'target',
  'direction',
  'unit',
  'threshold',
  'samples_graded',
  'samples_insufficient',
  'p50',
  'p90',
  'p99',
  'p90_lower',
  'p90_upper',
  'p90_confidence',
  'missed',
  'missed_pct',
  'status',
  'reason',
  'p90_sample',
] as const;

/** One CSV row per metric (RFC 4180, the export's quoting and formula guard). */
export function siteReportCsv(r: SiteReport): string {
  const rows = r.metrics.map((m): Cell[] => [
    r.site,
    m.target,
    m.direction,
    m.unit,
    m.threshold,
    m.samplesGraded,
    m.samplesInsufficient,
    m.p50,
    m.p90,
    m.p99,
    m.p90Interval?.lower ?? null,
    m.p90Interval?.upper ?? null,
    m.p90Interval?.level ?? null,
    m.missed,
    m.missedPct,
    m.status,
    m.reason,
    m.p90Sample,
  ]);
  return [SITE_CSV_COLUMNS as readonly Cell[], ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** `callprobe report`: prints the site report; exit code from its verdict. */
export async function reportCommand(o: ReportCommandOptions): Promise<ExitCode> {
  if (o.json && o.csv) throw new ConfigError('give --json or --csv, not both', 'bad-value');
  const r = await fetchSiteReport(o);
  process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : o.csv ? siteReportCsv(r) : formatSiteReport(r));
  return exitCodeFor({ verdict: r.verdict });
}
