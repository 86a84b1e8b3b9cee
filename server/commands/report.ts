/**
 * `callprobe report --server URL --site NAME`: one site's report over its stored samples
 * (GET /api/sites/:site/report with the operator token), printed as a summary, JSON or CSV;
 * `--all` instead of `--site`: the all-sites overview (GET /api/sites), each site's P90s graded.
 * Exit codes as `run`: the site's verdict (0, 1, 2), 3 usage (a flag, or the server refused the
 * request or the token), 4 the server could not be reached or answered no report.
 */
import type { SiteReport } from '../../src/analysis/report/site-report.js';
import { siteReportPath, SITES_OVERVIEW_PATH } from '../../src/protocol/api.js';
import type { SitesOverview } from '../../src/analysis/site/overview.js';
import { verdictOf } from '../../src/analysis/grade/grade.js';
import { ConfigError, DEFAULTS } from '../../src/protocol/defaults.js';
import { figure, figureCount, limit } from '../../src/analysis/present/format.js';
import { hourCellText } from '../../src/analysis/present/site-text.js';
import { targetWhere } from '../../src/analysis/present/sentences.js';
import { csvField, type Cell } from '../reports/export.js';
import { exitCodeFor, type ExitCode } from './exit.js';

export interface ReportCommandOptions {
  server: string;
  /** One site's report; without it, `all` asks for the all-sites overview. */
  site?: string;
  all?: boolean;
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
export function siteReportUrl(o: Pick<ReportCommandOptions, 'server' | 'since' | 'profile' | 'azureRegion' | 'from' | 'path' | 'tz'> & { site: string }): URL {
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

/** The request URL of the all-sites overview. */
export function overviewUrl(o: Pick<ReportCommandOptions, 'server' | 'since'>): URL {
  const url = new URL(SITES_OVERVIEW_PATH, o.server);
  if (o.since !== undefined) url.searchParams.set('since', o.since);
  return url;
}

function isOverview(v: unknown): v is SitesOverview {
  const r = v as Partial<SitesOverview> | null;
  return typeof r === 'object' && r !== null && r.kind === 'sites-overview' && r.schemaVersion === 1 && Array.isArray(r.sites);
}

/** GETs the site report; refusals (4xx) are usage errors with the server's words, the rest SiteReportFetchError. */
export async function fetchSiteReport(o: ReportCommandOptions & { site: string }): Promise<SiteReport> {
  const body = await fetchJson(siteReportUrl(o), o.token);
  if (!isSiteReport(body)) throw new SiteReportFetchError('bad-answer', `${o.server} answered something that is not a site report`);
  return body;
}

/** GETs the all-sites overview, refusals and failures as fetchSiteReport. */
export async function fetchOverview(o: ReportCommandOptions): Promise<SitesOverview> {
  const body = await fetchJson(overviewUrl(o), o.token);
  if (!isOverview(body)) throw new SiteReportFetchError('bad-answer', `${o.server} answered something that is not the all-sites overview`);
  return body;
}

async function fetchJson(url: URL, token: string | undefined): Promise<unknown> {
  if (token === undefined) throw new ConfigError('a site report needs the operator token: --token T or CALLPROBE_TOKEN', 'missing-option');
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
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
  return body;
}

/** The overview without --json: one line per site, then one line per metric of each site. */
export function formatOverview(o: SitesOverview): string {
  const lines = [
    `All sites since ${o.since}: ${figureCount(o.sites.length)} sites (90th percentile, graded from ${figureCount(o.minSamplesP90)} samples or more)`,
  ];
  for (const s of o.sites) {
    const left = [
      s.couldNotTest > 0 ? `${figureCount(s.couldNotTest)} could not test` : '',
      s.otherPool > 0 ? `${figureCount(s.otherPool)} of another profile or path` : '',
    ]
      .filter((t) => t !== '')
      .join(', ');
    lines.push(
      '',
      `${s.site}: ${s.verdict.toUpperCase()} over ${figureCount(s.samples)} of ${figureCount(s.samplesTotal)} samples${s.profile === null ? '' : `, ${s.profile.label}`}${left === '' ? '' : ` (${left})`}`,
    );
    if (s.problem !== null) lines.push(`  ${s.problem}`);
    for (const m of s.metrics)
      lines.push(
        `  ${m.status.toUpperCase().padEnd(12)} ${targetWhere(m.label, m.direction).padEnd(68)} ${figure(m.p90, m.unit, m.threshold).padStart(10)} ${limit(m.threshold, m.unit).padStart(10)}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

export const OVERVIEW_CSV_COLUMNS = [
  'site',
  'samples_total',
  'samples',
  'could_not_test',
  'target',
  'direction',
  'unit',
  'threshold',
  'samples_graded',
  'p90',
  'status',
  'reason',
] as const;

/** One CSV row per site and metric (RFC 4180, the export's quoting and formula guard). */
export function overviewCsv(o: SitesOverview): string {
  const rows = o.sites.flatMap((s) =>
    s.metrics.map((m): Cell[] => [
      s.site,
      s.samplesTotal,
      s.samples,
      s.couldNotTest,
      m.target,
      m.direction,
      m.unit,
      m.threshold,
      m.samplesGraded,
      m.p90,
      m.status,
      m.reason,
    ]),
  );
  return [OVERVIEW_CSV_COLUMNS as readonly Cell[], ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
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
  if ((o.site === undefined) === (o.all !== true))
    throw new ConfigError('give --site NAME for one site, or --all for the all-sites overview', 'missing-option');
  if (o.site === undefined) {
    const overview = await fetchOverview(o);
    process.stdout.write(o.json ? `${JSON.stringify(overview, null, 2)}\n` : o.csv ? overviewCsv(overview) : formatOverview(overview));
    // The fleet's exit code: fail when a site fails, else insufficient when one is, else pass.
    return exitCodeFor({ verdict: verdictOf(overview.sites.map((s) => ({ status: s.verdict }))) });
  }
  const r = await fetchSiteReport({ ...o, site: o.site });
  process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : o.csv ? siteReportCsv(r) : formatSiteReport(r));
  return exitCodeFor({ verdict: r.verdict });
}
