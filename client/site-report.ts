/**
 * A site's report over its stored samples (GET /api/sites/:site/report with the operator
 * token) and the all-sites overview (GET /api/sites), fetched from a callprobe server and
 * written as a summary or CSV, for `callprobe report`.
 */
import { SITE_REGION_HEADING, SITE_REGIONS_CAPTION, siteRegionLine } from '../src/analysis/present/site-regions.js';
import type { SiteReport } from '../src/analysis/report/site-report.js';
import { siteReportPath, SITES_OVERVIEW_PATH } from '../src/protocol/api.js';
import { edgeName } from '../src/analysis/present/locate.js';
import type { SitesOverview } from '../src/analysis/site/overview.js';
import { ConfigError } from '../src/protocol/config-error.js';
import { figure, figureCount, figureValue, limit } from '../src/analysis/present/format.js';
import { hourCellText } from '../src/analysis/present/site-text.js';
import { targetWhere } from '../src/analysis/present/sentences.js';
import { CSV_DEFAULTS, csvRows, type Cell, type CsvOptions } from '../src/analysis/report/export.js';
import type { ReportCommandOptions } from './options.js';
import { OperatorApiError, operatorCall } from './operator-api.js';

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
function overviewUrl(o: Pick<ReportCommandOptions, 'server' | 'since'>): URL {
  const url = new URL(SITES_OVERVIEW_PATH, o.server);
  if (o.since !== undefined) url.searchParams.set('since', o.since);
  return url;
}

function isOverview(v: unknown): v is SitesOverview {
  const r = v as Partial<SitesOverview> | null;
  return typeof r === 'object' && r !== null && r.kind === 'sites-overview' && r.schemaVersion === 1 && Array.isArray(r.sites);
}

/** GETs the site report; refusals (4xx) are usage errors with the server's words, the rest OperatorApiError. */
export async function fetchSiteReport(o: ReportCommandOptions & { site: string }): Promise<SiteReport> {
  const body = await fetchJson(siteReportUrl(o), o.token);
  if (!isSiteReport(body)) throw new OperatorApiError('bad-answer', `${o.server} answered something that is not a site report`);
  // A server from before the busy line in site reports leaves the field out: no sample's busy line is known.
  // A server from before the site x region table leaves it out: no edge is known.
  // A server from before the causes leaves them out: none is known.
  const b = body as Partial<SiteReport>;
  return {
    ...body,
    busyLine: b.busyLine ?? null,
    regions: b.regions ?? [],
    causes: b.causes ?? NO_CAUSES,
    edge: b.edge ?? null,
    otherEdges: b.otherEdges ?? [],
  };
}

const NO_CAUSES: SiteReport['causes'] = { blocked: { samples: 0, everyTeamsPort: 0, ports: [] }, deviceBusy: 0, ours: 0, other: 0 };

/** GETs the all-sites overview, refusals and failures as fetchSiteReport. */
export async function fetchOverview(o: ReportCommandOptions): Promise<SitesOverview> {
  const body = await fetchJson(overviewUrl(o), o.token);
  if (!isOverview(body)) throw new OperatorApiError('bad-answer', `${o.server} answered something that is not the all-sites overview`);
  // A server from before the overview was split by edge leaves the fields out: no edge is known.
  // A server from before the causes leaves them out: none is known.
  const none = { blocked: 0, blockedEveryPort: 0, deviceBusy: 0, serverSide: 0, serverBusy: 0 };
  return { ...body, sites: body.sites.map((s) => ({ ...s, edge: s.edge ?? null, otherEdges: s.otherEdges ?? [], causes: s.causes ?? none })) };
}

function fetchJson(url: URL, token: string | undefined): Promise<unknown> {
  if (token === undefined) throw new ConfigError('missing-option', 'a site report needs the operator token: --token T or CALLPROBE_TOKEN');
  return operatorCall(url, token, { what: 'the site report' });
}

/** One line per metric of a pool: status, target, P90, limit. */
function metricLines(metrics: SitesOverview['sites'][number]['metrics'], indent: string): string[] {
  return metrics.map(
    (m) =>
      `${indent}${m.status.toUpperCase().padEnd(12)} ${targetWhere(m.label, m.direction).padEnd(68)} ${figure(m.p90, m.unit, m.threshold).padStart(10)} ${limit(m.threshold, m.unit).padStart(10)}`,
  );
}

/** The overview without --json: one line per site, then one line per metric of each site, then each other edge's. */
export function formatOverview(o: SitesOverview): string {
  const lines = [
    `All sites since ${o.since}: ${figureCount(o.sites.length)} sites (90th percentile, graded from ${figureCount(o.minSamplesP90)} samples or more)`,
  ];
  for (const s of o.sites) {
    const left = [
      s.couldNotTest > 0 ? `${figureCount(s.couldNotTest)} could not test` : '',
      s.causes.blocked > 0 ? `${figureCount(s.causes.blocked)} blocked by the site's network` : '',
      s.causes.deviceBusy > 0 ? `${figureCount(s.causes.deviceBusy)} with the probe machine too busy` : '',
      s.causes.serverSide + s.causes.serverBusy > 0 ? `${figureCount(s.causes.serverSide + s.causes.serverBusy)} ours` : '',
      s.otherPool > 0 ? `${figureCount(s.otherPool)} of another profile or path` : '',
    ]
      .filter((t) => t !== '')
      .join(', ');
    lines.push(
      '',
      `${s.site}: ${s.verdict.toUpperCase()} over ${figureCount(s.samples)} of ${figureCount(s.samplesTotal)} samples${s.profile === null ? '' : `, ${s.profile.label}`}${left === '' ? '' : ` (${left})`}`,
    );
    if (s.edge !== null) lines.push(`  On ${edgeName(s.edge)}`);
    if (s.problem !== null) lines.push(`  ${s.problem}`);
    // What to look at first: silent, its own outages, raised alerts.
    for (const f of s.health?.flags ?? []) lines.push(`  ! ${f.sentence}`);
    lines.push(...metricLines(s.metrics, '  '));
    // Each other edge is another path, graded apart.
    for (const e of s.otherEdges) {
      lines.push(`  Also on ${edgeName(e.edge)}: ${e.verdict.toUpperCase()} over ${figureCount(e.samples)} samples, graded apart`);
      if (e.problem !== null) lines.push(`    ${e.problem}`);
      lines.push(...metricLines(e.metrics, '    '));
    }
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
  'last_report_at',
  'flags',
  'edge',
  'blocked_ports',
  'probe_busy',
  'server_side',
] as const;

/**
 * One CSV row per site, edge and metric, a pool with no graded metric one row with its health
 * alone (RFC 4180, the export's quoting and formula guard); figures rounded as the page shows
 * them. The site's own pool first, then each other edge's (`edge`: the edge's id, empty off a hub).
 */
export function overviewCsv(o: SitesOverview, csv: CsvOptions = CSV_DEFAULTS): string {
  const rows = o.sites.flatMap((s) => {
    const health: Cell[] = [s.health?.lastReportAt ?? null, (s.health?.flags ?? []).map((f) => f.kind).join(' ') || null];
    // Why samples could not be judged (src/analysis/site/causes.ts): the site's blocked ports, its busy probe, ours.
    const causes: Cell[] = [s.causes.blocked, s.causes.deviceBusy, s.causes.serverSide + s.causes.serverBusy];
    const pools = [
      { samples: s.samples, metrics: s.metrics, verdict: s.verdict, edge: s.edge },
      ...s.otherEdges.map((e) => ({ samples: e.samples, metrics: e.metrics, verdict: e.verdict, edge: e.edge })),
    ];
    return pools.flatMap((p) => {
      const head: Cell[] = [s.site, s.samplesTotal, p.samples, s.couldNotTest];
      const edge: Cell = p.edge?.id ?? null;
      if (p.metrics.length === 0) return [[...head, null, null, null, null, null, null, p.verdict, null, ...health, edge, ...causes]];
      return p.metrics.map((m): Cell[] => [
        ...head,
        m.target,
        m.direction,
        m.unit,
        m.threshold,
        m.samplesGraded,
        figureValue(m.p90, m.unit, m.threshold),
        m.status,
        m.reason,
        ...health,
        edge,
        ...causes,
      ]);
    });
  });
  return csvRows([OVERVIEW_CSV_COLUMNS, ...rows], csv);
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
    // A row measured to another edge than the pool's (a region leg's latency) names it.
    const where = m.edge !== undefined && m.edge.id !== r.edge?.id ? ` (to ${m.edge.azureRegion})` : '';
    lines.push(
      `  ${m.status.toUpperCase().padEnd(12)} ${`${targetWhere(m.label, m.direction)}${where}`.padEnd(68)} ${figure(m.p50, m.unit).padStart(10)} ${figure(m.p90, m.unit, m.threshold).padStart(10)} ${figure(m.p99, m.unit).padStart(10)} ${limit(m.threshold, m.unit).padStart(10)} ${missed.padStart(8)}`,
    );
  }
  lines.push('', ...r.metrics.map((m) => `  ${m.sentence}`));
  if (r.regions.length > 0) {
    lines.push('', `  ${SITE_REGIONS_CAPTION}`, `  ${SITE_REGION_HEADING}`, ...r.regions.map((v) => `  ${siteRegionLine(v)}`));
    lines.push(...r.regions.map((v) => `  ${v.sentence}`));
  }
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
  'bloat_grade',
  'edge',
] as const;

/** The target column of the busy line's rows: the added delay of each loaded direction, never part of the verdict. */
const BUSY_LINE_CSV_TARGET = 'busy-line-added-delay';

/** The target column of the rows of samples that could not be judged, one per cause (direction: the cause). */
const NOT_JUDGED_CSV_TARGET = 'not-judged';

/**
 * One CSV row per metric (RFC 4180, the export's quoting and formula guard); figures rounded as the
 * page shows them. When samples loaded the line, one more row per direction: the busy line's added
 * delay (target busy-line-added-delay, threshold the delay that harms a call, missed the samples
 * at or above it, status empty: never graded into the verdict, bloat_grade the P90's grade). Then
 * one row per cause that cost samples (target not-judged, direction blocked-ports, probe-busy, ours
 * or other, samples_insufficient how many; src/analysis/site/causes.ts).
 */
export function siteReportCsv(r: SiteReport, csv: CsvOptions = CSV_DEFAULTS): string {
  const rows = r.metrics.map((m): Cell[] => {
    const f = (v: number | null | undefined): number | null => figureValue(v, m.unit, m.threshold);
    return [
      r.site,
      m.target,
      m.direction,
      m.unit,
      m.threshold,
      m.samplesGraded,
      m.samplesInsufficient,
      f(m.p50),
      f(m.p90),
      f(m.p99),
      f(m.p90Interval?.lower),
      f(m.p90Interval?.upper),
      m.p90Interval?.level ?? null,
      m.missed,
      figureValue(m.missedPct, '%'),
      m.status,
      m.reason,
      m.p90Sample,
      null,
      m.edge?.id ?? null,
    ];
  });
  // Each other edge's rows, graded apart, its edge in the last column.
  const others = r.otherEdges.flatMap((o) =>
    o.metrics.map((m): Cell[] => {
      const f = (v: number | null | undefined): number | null => figureValue(v, m.unit, m.threshold);
      return [
        r.site,
        m.target,
        m.direction,
        m.unit,
        m.threshold,
        m.samplesGraded,
        m.samplesInsufficient,
        f(m.p50),
        f(m.p90),
        f(m.p99),
        f(m.p90Interval?.lower),
        f(m.p90Interval?.upper),
        m.p90Interval?.level ?? null,
        m.missed,
        figureValue(m.missedPct, '%'),
        m.status,
        m.reason,
        m.p90Sample,
        null,
        m.edge?.id ?? o.edge.id,
      ];
    }),
  );
  const b = r.busyLine;
  const busy =
    b === null
      ? []
      : [b.up, b.down].map((d): Cell[] => {
          const f = (v: number | null): number | null => figureValue(v, 'ms');
          return [
            r.site,
            BUSY_LINE_CSV_TARGET,
            d.direction,
            'ms',
            b.harmfulDelayMs,
            d.samplesMeasured,
            null,
            f(d.p50AddedDelayMs),
            f(d.p90AddedDelayMs),
            null,
            null,
            null,
            null,
            d.harmful,
            d.samplesMeasured === 0 ? null : figureValue((d.harmful / d.samplesMeasured) * 100, '%'),
            null,
            null,
            d.p90Sample,
            d.grade,
            null,
          ];
        });
  const c = r.causes;
  const notJudged = (
    [
      ['blocked-ports', c.blocked.samples],
      ['probe-busy', c.deviceBusy],
      ['ours', c.ours],
      ['other', c.other],
    ] as const
  )
    .filter(([, n]) => n > 0)
    .map(([cause, n]): Cell[] => [
      r.site,
      NOT_JUDGED_CSV_TARGET,
      cause,
      null,
      null,
      null,
      n,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  return csvRows([SITE_CSV_COLUMNS, ...rows, ...others, ...busy, ...notJudged], csv);
}
