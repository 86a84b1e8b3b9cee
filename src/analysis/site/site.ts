/**
 * A site over weeks: the figures of many stored samples of one site, as Microsoft's
 * method asks (Microsoft's guidance, "Measuring network performance": a test every 10 minutes for at
 * least a week, the 90th percentile of the samples against the targets).
 *
 * - Pooling: one profile (the targets) and one probe path (report.probe.path) per site report;
 *   samples of another profile or path are left out and counted, could-not-test samples are
 *   counted as such, and a stored body that is not a readable report is counted too. Nothing is
 *   dropped without a count.
 * - Per graded metric (target and direction) over the samples that graded it (pass or fail):
 *   nearest-rank P50/P90/P99 (src/analysis/measure/percentile.ts, the one percentile of the
 *   project), the share of samples that missed the target, and the P90 graded with the same
 *   strict "<" as a single test, but only from DEFAULTS.siteReport.p90MinSamples samples or
 *   more, with its distribution-free interval (../measure/order-statistics.ts); fewer is insufficient,
 *   unless even the interval's lower end misses the target: then it fails already (./p90.ts).
 * - Worst hours: weekday x hour cells in an IANA time zone, each with its count, failed
 *   samples and the P90 of the per-test round trip.
 * - The busy line: what the pooled samples that loaded the line said (./busy-line.ts), beside
 *   the targets, never in the verdict.
 * - Region by region: per edge of a hub, the P90 of the samples' locate figures (./regions.ts),
 *   beside the targets, never in the verdict.
 * - QoS marks: in how many pooled samples the EF mark survived, each way (./qos.ts), beside the
 *   targets, never in the verdict.
 * Data only; the words are src/analysis/present/site-text.ts, the assembly report/site-report.ts.
 */
import { CONSTANTS, DEFAULTS } from '../../protocol/defaults.js';
import { nearestRankIndex } from '../measure/percentile.js';
import { siteMetric, type P90Settings, type SiteMetric } from './p90.js';
import { outagesOf, reasonCounts, type Outages, type ReasonCount } from './outages.js';
import type { ProfileId } from '../schema/input.js';
import { busyLineFacts, type BusyLineFacts, type SiteLoadFields, siteLoadFields } from './busy-line.js';
import type { GradeDirection, Report, TargetId, Verdict } from '../schema/report-schema.js';
import { verdictOf } from '../grade/grade.js';
import { ProfileError, type ResolvedProfile, resolveProfile, TARGET_LABELS, targetUnit, type TargetThresholds } from '../grade/targets.js';
import type { Interval } from './service.js';
import { ReasonedError } from '../../protocol/typed-error.js';
import type { LocatedEdge } from '../schema/locate-schema.js';
import { siteRegions, type SiteLocateFields, type SiteRegionRow } from './regions.js';
import { edgePools, profileKey, type PoolCount } from './pools.js';
import { sampleCauses, verdictWithBlocked, type SampleCauses, type TestedNothing } from './causes.js';
import { siteQosFacts, type SiteQosFacts, type SiteQosFields } from './qos.js';
import { siteVideoFacts, siteVideoFields, type SiteVideoFacts, type SiteVideoFields } from './video.js';

/** What a site report reads of one grade: its target, direction, status and value. */
export type SiteGrade = Pick<Report['grades'][number], 'target' | 'direction' | 'status' | 'value'>;

/** What a site report reads of one report (a full Report is one): its profile, probe path, verdict, grades and busy line. */
export interface SiteReportFields {
  meta: {
    profile: Pick<Report['meta']['profile'], 'id' | 'azureRegion' | 'from'>;
    edge?: { id: string; azureRegion: string } | undefined;
    /** The Azure row the test was asked about, when a region leg answers it (report meta.asked). */
    asked?: Report['meta']['asked'];
  };
  /** The region leg: the test on the edge in the asked row's region (report legs). */
  legs?: ReadonlyArray<{ role: 'region'; edge: { id: string; azureRegion: string }; report: { grades: readonly SiteGrade[] } | null }> | undefined;
  /** The edge its latency rows were measured to, when a region leg answered the asked row (set by siteReportFields). */
  regionEdge?: { id: string; azureRegion: string } | undefined;
  /** The edges the sample's locate measured (./regions.ts reads those with a round trip). */
  locate?: { edges: ReadonlyArray<Pick<LocatedEdge, 'id' | 'azureRegion' | 'state' | 'rttMsP50'>> } | undefined;
  probe: Pick<Report['probe'], 'path'>;
  /** Its verdict, and why it has none (absent in samples read before it was kept). */
  summary: Pick<Report['summary'], 'verdict'> & { insufficientCause?: Report['summary']['insufficientCause'] };
  grades: readonly SiteGrade[];
  /** The busy-line phase, when the test loaded the line. */
  load?: SiteLoadFields;
  /** What became of the test's QoS mark each way (report.qos's states), when it has them. */
  qos?: SiteQosFields;
  /** The video phase's rates carried nearly whole, when the test sent video. */
  video?: SiteVideoFields;
}

/** The latency targets: a region leg answers them for the asked Azure row (grade/region-answer.ts). */
const LATENCY: ReadonlySet<TargetId> = new Set<TargetId>(['latency-rtt', 'latency-one-way']);

/**
 * Only the fields a site report reads, so a long span of samples does not keep every full report
 * in memory. A test asked about an Azure row and answered by its region leg is read as the answer
 * to that question: the asked profile, the latency rows the leg's (to the edge in the row's
 * region: `regionEdge`; not graded when it could not run), every other row the nearest edge's
 * (the row's loss and jitter targets are the client-to-edge ones its test was graded on).
 */
export function siteReportFields(r: SiteReportFields): SiteReportFields {
  const edge = r.meta.edge;
  const leg = r.meta.asked !== undefined ? (r.legs?.find((l) => l.role === 'region') ?? null) : null;
  const asked = leg === null ? null : (r.meta.asked ?? null);
  const profile = asked ?? r.meta.profile;
  const own = r.grades.map((g) => ({ target: g.target, direction: g.direction, status: g.status, value: g.value }));
  const grades =
    leg === null
      ? own
      : [
          ...(leg.report?.grades ?? own.map((g) => ({ ...g, status: 'insufficient' as const, value: null })))
            .filter((g) => LATENCY.has(g.target))
            .map((g) => ({ target: g.target, direction: g.direction, status: g.status, value: g.value })),
          ...own.filter((g) => !LATENCY.has(g.target)),
        ];
  return {
    meta: {
      profile: { id: profile.id, azureRegion: profile.azureRegion, from: profile.from },
      ...(edge === undefined ? {} : { edge: { id: edge.id, azureRegion: edge.azureRegion } }),
    },
    ...(leg === null ? {} : { regionEdge: { id: leg.edge.id, azureRegion: leg.edge.azureRegion } }),
    ...(r.locate === undefined ? {} : { locate: { edges: locatedOf(r).map((e) => ({ ...e, state: 'ok' as const })) } }),
    probe: { path: r.probe.path },
    summary: { verdict: r.summary.verdict, insufficientCause: r.summary.insufficientCause ?? null },
    grades,
    ...(r.load === undefined ? {} : { load: siteLoadFields(r.load) }),
    ...(r.qos === undefined ? {} : { qos: { upstream: { state: r.qos.upstream.state }, downstream: { state: r.qos.downstream.state } } }),
    ...(r.video === undefined ? {} : { video: siteVideoFields(r.video) }),
  };
}

/** The edges a sample's locate measured with a round trip: what the site x region table reads. */
export function locatedOf(r: Pick<SiteReportFields, 'locate'>): SiteLocateFields['located'] {
  return (r.locate?.edges ?? []).flatMap((e) =>
    e.state === 'ok' && e.rttMsP50 !== null ? [{ id: e.id, azureRegion: e.azureRegion, rttMsP50: e.rttMsP50 }] : [],
  );
}

/**
 * Every (target, direction) a report can grade, in the order grade/grade.ts grades them
 * (latency first, then each direction's targets): the summary columns of the results store
 * (one per entry) and the all-sites overview keep this order.
 */
export const SITE_METRIC_KEYS: ReadonlyArray<{ target: TargetId; direction: GradeDirection }> = [
  { target: 'latency-one-way', direction: 'round-trip' },
  { target: 'latency-rtt', direction: 'round-trip' },
  ...(['up', 'down', 'loop'] as const).flatMap((direction) =>
    (['burst-loss-200ms', 'loss-15s', 'jitter-15s', 'reorder'] as const).map((target) => ({ target, direction })),
  ),
];

/** One stored sample as the site report reads it: a report, a could-not-test record, or a body it could not read. */
export interface SiteSample {
  /** The store's id (operators) and the code users see, so every figure links to its sample. */
  id: string;
  code: string | null;
  startedAtMs: number;
  body: { kind: 'report'; report: SiteReportFields } | ({ kind: 'could-not-test' } & TestedNothing) | { kind: 'unreadable'; problem: string };
}

/** The probe stream a report's grades rest on (report.probe.path). */
export type ProbePathId = Report['probe']['path'];

export interface PoolChoice {
  /** The targets to grade against; null: the profile most samples used. */
  profile: { id: ProfileId; azureRegion?: string; from?: 'site' | 'edge' } | null;
  /** The probe path to pool; null: the one most samples used. */
  probePath: ProbePathId | null;
}

export interface SiteSettings extends P90Settings {
  /** IANA time zone of the worst-hours cells. */
  timeZone: string;
  worstHours: number;
}

export const SITE_SETTINGS: SiteSettings = {
  timeZone: CONSTANTS.siteReport.timeZone,
  minSamplesP90: DEFAULTS.siteReport.p90MinSamples,
  minSamplesEarlyFail: DEFAULTS.siteReport.p90EarlyFailMinSamples,
  confidenceLevel: DEFAULTS.siteReport.p90ConfidenceLevel,
  worstHours: DEFAULTS.siteReport.worstHours,
};

/** Typed error: the site report cannot be computed as asked. */
export class SiteReportError extends ReasonedError<'bad-time-zone' | 'bad-profile'> {
  override readonly name = 'SiteReportError';
}

/** Why samples were left out of the pool, each counted. */
export interface LeftOut {
  otherProfile: number;
  otherPath: number;
  couldNotTest: number;
  unreadable: number;
}

/** One weekday x hour cell (weekday 1 = Monday ... 7 = Sunday, ISO 8601). */
export interface HourCell {
  weekday: number;
  hour: number;
  samples: number;
  /** Samples whose verdict was fail. */
  failed: number;
  failedPct: number;
  /** Nearest-rank P90 of the per-test round trip (latency-rtt value) in the cell; null without one. */
  p90RttMs: number | null;
}

/** One metric's P90 over one day's samples, graded by the one P90 rule (./p90.ts). */
interface DayMetric {
  target: TargetId;
  direction: GradeDirection;
  samplesGraded: number;
  p90: number | null;
  status: Verdict;
}

/** One local calendar day of the pooled samples, in the report's time zone. */
export interface DayRow {
  /** YYYY-MM-DD in the report's time zone. */
  date: string;
  samples: number;
  /** In the order of the report's metrics. */
  metrics: DayMetric[];
}

export interface SiteFacts {
  profile: ResolvedProfile | null;
  probePath: ProbePathId | null;
  /** Every sample given, pooled or not. */
  samplesTotal: number;
  /** Samples pooled: reports of the profile and probe path. */
  samples: number;
  leftOut: LeftOut;
  couldNotTestReasons: ReasonCount[];
  outages: Outages;
  firstStartedAtMs: number | null;
  lastStartedAtMs: number | null;
  timeZone: string;
  minSamplesP90: number;
  minSamplesEarlyFail: number;
  confidenceLevel: number;
  metrics: SiteMetric[];
  /** Every cell with a sample, Monday 00h first. */
  hours: HourCell[];
  /** The worst cells: most failed share, then highest P90 round trip. */
  worstHours: HourCell[];
  /** Each day with a pooled sample, oldest first: the P90 of every metric that day. */
  days: DayRow[];
  /** What the pooled samples that loaded the line said (./busy-line.ts), or null when none did; never part of the verdict. */
  busyLine: BusyLineFacts | null;
  /** The site x region table (./regions.ts): per edge, the P90 of every report sample's locate p50; never part of the verdict. */
  regions: SiteRegionRow[];
  /** The edge of a hub the pooled samples ran on (the one with most samples); null on a server that is not a hub's edge. */
  edge: { id: string; azureRegion: string } | null;
  /** The site's samples on each other edge (same profile and probe path), graded apart: another path, never pooled. */
  otherEdges: Array<{ edge: { id: string; azureRegion: string }; samples: number; metrics: SiteMetric[]; verdict: Verdict }>;
  /** Whether the pooled samples' QoS mark survived, each way (./qos.ts), or null when none has QoS marks; never part of the verdict. */
  /** The pooled samples' video through the relay (./video.ts): each direction's P10 of the rate carried nearly whole; never part of the verdict. */
  video: SiteVideoFacts | null;
  qos: SiteQosFacts | null;
  /** Why samples could not be judged, by cause (./causes.ts). */
  causes: SampleCauses;
  /** The pooled P90s' verdict, with the samples whose network blocked the relay's ports (./causes.ts verdictWithBlocked). */
  verdict: Verdict;
}

export const THRESHOLD_KEY: Record<TargetId, keyof TargetThresholds> = {
  'latency-one-way': 'oneWayLatencyMs',
  'latency-rtt': 'rttMs',
  'burst-loss-200ms': 'burstLossPct',
  'loss-15s': 'lossPct',
  'jitter-15s': 'jitterMs',
  reorder: 'reorderPct',
};

/** The weekday x hour cells of the pooled samples (their count, failed share, P90 round trip) and the worst of them. */
function hourCells(
  pooled: ReadonlyArray<{ sample: SiteSample; report: SiteReportFields }>,
  cellOf: (ms: number) => { weekday: number; hour: number },
  worst: number,
): { hours: HourCell[]; worstHours: HourCell[] } {
  const cells = new Map<number, { weekday: number; hour: number; samples: number; failed: number; rtt: number[] }>();
  for (const { sample, report } of pooled) {
    const { weekday, hour } = cellOf(sample.startedAtMs);
    const key = weekday * 24 + hour;
    let c = cells.get(key);
    if (c === undefined) {
      c = { weekday, hour, samples: 0, failed: 0, rtt: [] };
      cells.set(key, c);
    }
    c.samples++;
    if (report.summary.verdict === 'fail') c.failed++;
    const rtt = report.grades.find((g) => g.target === 'latency-rtt' && g.status !== 'insufficient')?.value;
    if (rtt !== undefined && rtt !== null) c.rtt.push(rtt);
  }
  const hours: HourCell[] = [...cells.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, c]) => {
      const rtt = [...c.rtt].sort((x, y) => x - y);
      return {
        weekday: c.weekday,
        hour: c.hour,
        samples: c.samples,
        failed: c.failed,
        failedPct: (c.failed / c.samples) * 100,
        p90RttMs: rtt.length === 0 ? null : (rtt[nearestRankIndex(rtt.length, 90)] ?? null),
      };
    });
  const worstHours = [...hours].sort((a, b) => b.failedPct - a.failedPct || (b.p90RttMs ?? -1) - (a.p90RttMs ?? -1) || b.samples - a.samples).slice(0, worst);
  return { hours, worstHours };
}

/** A site's report samples as the pooling rule counts them (./pools.ts): one group per edge, profile and probe path; choice narrows them. */
function sitePools(reports: ReadonlyArray<{ report: SiteReportFields }>, choice: PoolChoice): PoolCount[] {
  const groups = new Map<string, PoolCount>();
  const wanted = choice.profile === null ? null : profileKey(choice.profile);
  for (const { report: r } of reports) {
    const p = r.meta.profile;
    if (wanted !== null && profileKey(p) !== wanted) continue;
    if (choice.probePath !== null && r.probe.path !== choice.probePath) continue;
    const g: PoolCount = {
      profileId: p.id,
      profileRegion: p.azureRegion ?? null,
      profileFrom: p.from ?? null,
      probePath: r.probe.path,
      edgeId: r.meta.edge?.id ?? null,
      samples: 1,
    };
    const key = `${g.edgeId ?? ''}|${profileKey(p)}|${g.probePath ?? ''}`;
    const had = groups.get(key);
    groups.set(key, had === undefined ? g : { ...had, samples: had.samples + 1 });
  }
  return edgePools([...groups.values()]);
}

/** Each metric with the edge its values were measured to: a region leg's for the latency rows of a test it answered, else the pool's. */
function labelled(metrics: SiteMetric[], rs: ReadonlyArray<{ report: SiteReportFields }>): SiteMetric[] {
  const edge = rs[0]?.report.meta.edge ?? null;
  const region = rs.find((r) => r.report.regionEdge !== undefined)?.report.regionEdge ?? null;
  return metrics.map((m) => {
    const e = region !== null && (m.target === 'latency-rtt' || m.target === 'latency-one-way') ? region : edge;
    return e === null ? m : { ...m, edge: { id: e.id, azureRegion: e.azureRegion } };
  });
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Weekday (1 = Monday) and hour of an instant in `timeZone`. */
/** The local date (YYYY-MM-DD) of an instant in `timeZone` (checked by hourCellOf). */
function localDateOf(timeZone: string): (ms: number) => string {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (ms) => {
    const parts = fmt.formatToParts(ms);
    const part = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
    return `${part('year')}-${part('month')}-${part('day')}`;
  };
}

export function hourCellOf(timeZone: string): (ms: number) => { weekday: number; hour: number } {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
  } catch (err) {
    if (err instanceof RangeError) throw new SiteReportError('bad-time-zone', `"${timeZone}" is not an IANA time zone this runtime knows`);
    throw err;
  }
  return (ms) => {
    const parts = fmt.formatToParts(ms);
    const weekday = WEEKDAYS[parts.find((p) => p.type === 'weekday')?.value ?? ''] ?? 0;
    const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? Number.NaN) % 24;
    return { weekday, hour };
  };
}

/** The site x region table over every report sample, whatever its profile or path: the locate does not depend on them. */
function regionsOf(
  reports: ReadonlyArray<{ sample: SiteSample; report: SiteReportFields }>,
  profile: ResolvedProfile | null,
  settings: P90Settings,
): SiteRegionRow[] {
  return siteRegions(
    reports.map(({ sample, report }) => ({ sample: sample.code ?? sample.id, fields: { edge: report.meta.edge ?? null, located: locatedOf(report) } })),
    profile,
    settings,
  );
}

/**
 * The figures of one site from its samples (any order), pooled by `choice`; `down` is when
 * callprobe's service was down (./service.ts), which tells our outages from the site's.
 */
export function siteFacts(
  samples: readonly SiteSample[],
  choice: PoolChoice,
  settings: SiteSettings = SITE_SETTINGS,
  down: readonly Interval[] = [],
): SiteFacts {
  const cellOf = hourCellOf(settings.timeZone);
  const ordered = [...samples].sort((a, b) => a.startedAtMs - b.startedAtMs || a.id.localeCompare(b.id));
  const reports = ordered.flatMap((s) => (s.body.kind === 'report' ? [{ sample: s, report: s.body.report }] : []));
  const leftOut: LeftOut = { otherProfile: 0, otherPath: 0, couldNotTest: 0, unreadable: 0 };
  const reasons: string[] = [];
  for (const s of ordered) {
    if (s.body.kind === 'could-not-test') {
      leftOut.couldNotTest++;
      reasons.push(s.body.reason);
    } else if (s.body.kind === 'unreadable') leftOut.unreadable++;
  }

  // The one pooling rule (./pools.ts): per edge, the profile and probe path most of its samples used; the edge with most samples first.
  const pools = sitePools(reports, choice);
  const main = pools[0] ?? null;
  let profile: ResolvedProfile | null = null;
  try {
    if (choice.profile !== null) profile = resolveProfile(choice.profile);
    else if (main !== null)
      profile = resolveProfile({
        id: main.profileId as ProfileId,
        ...(main.profileRegion === null ? {} : { azureRegion: main.profileRegion }),
        ...(main.profileFrom === null ? {} : { from: main.profileFrom as 'site' | 'edge' }),
      });
  } catch (err) {
    if (err instanceof ProfileError) throw new SiteReportError('bad-profile', err.message);
    throw err;
  }
  const wantProfile = profile === null ? null : profileKey(profile);
  const sameProfile = reports.filter((r) => profileKey(r.report.meta.profile) === wantProfile);
  leftOut.otherProfile = reports.length - sameProfile.length;
  const probePath = choice.probePath ?? (main?.probePath as ProbePathId | undefined) ?? null;
  const samePath = sameProfile.filter((r) => r.report.probe.path === probePath);
  leftOut.otherPath = sameProfile.length - samePath.length;
  const edgeOf = (r: (typeof reports)[number]): string | null => r.report.meta.edge?.id ?? null;
  const pooled = samePath.filter((r) => edgeOf(r) === (main?.edgeId ?? null));
  const metricsOf = (rs: typeof pooled): SiteMetric[] => {
    if (profile === null) return [];
    // Per target and direction, in the order the pooled reports grade them.
    const buckets = new Map<string, { target: TargetId; direction: GradeDirection; graded: Array<{ value: number; sample: string }>; insufficient: number }>();
    for (const { sample, report } of rs) {
      for (const g of report.grades) {
        const key = `${g.target}|${g.direction}`;
        let b = buckets.get(key);
        if (b === undefined) {
          b = { target: g.target, direction: g.direction, graded: [], insufficient: 0 };
          buckets.set(key, b);
        }
        if (g.status === 'insufficient' || g.value === null) b.insufficient++;
        else b.graded.push({ value: g.value, sample: sample.code ?? sample.id });
      }
    }
    return [...buckets.values()].map((b) =>
      siteMetric(
        {
          target: b.target,
          label: TARGET_LABELS[b.target],
          direction: b.direction,
          unit: targetUnit(b.target),
          threshold: profile.targets[THRESHOLD_KEY[b.target]],
        },
        b.graded,
        b.insufficient,
        settings,
      ),
    );
  };
  const metrics = labelled(metricsOf(pooled), pooled);
  // Each other edge's samples of the same profile and path, graded apart: never pooled with this one.
  const otherEdges = pools.slice(1).flatMap((g) => {
    const rs = samePath.filter((r) => edgeOf(r) === g.edgeId);
    if (rs.length === 0) return [];
    const m = labelled(metricsOf(rs), rs);
    return [{ edge: rs[0]?.report.meta.edge ?? { id: g.edgeId ?? '', azureRegion: '' }, samples: rs.length, metrics: m, verdict: verdictOf(m) }];
  });

  // Each local day's P90s, graded by the same rule (a day of 10-minute samples holds 144).
  const dateOf = localDateOf(settings.timeZone);
  const byDay = new Map<string, typeof pooled>();
  for (const r of pooled) {
    const date = dateOf(r.sample.startedAtMs);
    const list = byDay.get(date);
    if (list === undefined) byDay.set(date, [r]);
    else list.push(r);
  }
  const days: DayRow[] = [...byDay.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([date, rs]) => {
      const dayMetrics = metricsOf(rs);
      return {
        date,
        samples: rs.length,
        metrics: metrics.map((m) => {
          const d = dayMetrics.find((x) => x.target === m.target && x.direction === m.direction);
          return { target: m.target, direction: m.direction, samplesGraded: d?.samplesGraded ?? 0, p90: d?.p90 ?? null, status: d?.status ?? 'insufficient' };
        }),
      };
    });

  const { hours, worstHours } = hourCells(pooled, cellOf, settings.worstHours);

  const times = ordered.map((s) => s.startedAtMs);
  const causes = sampleCauses(ordered, down);
  return {
    profile,
    probePath,
    samplesTotal: samples.length,
    samples: pooled.length,
    leftOut,
    couldNotTestReasons: reasonCounts(reasons),
    outages: outagesOf(
      ordered.flatMap((s) => (s.body.kind === 'could-not-test' ? [{ startedAtMs: s.startedAtMs, reason: s.body.reason, side: s.body.side }] : [])),
      down,
    ),
    firstStartedAtMs: times[0] ?? null,
    lastStartedAtMs: times[times.length - 1] ?? null,
    timeZone: settings.timeZone,
    minSamplesP90: settings.minSamplesP90,
    minSamplesEarlyFail: settings.minSamplesEarlyFail,
    confidenceLevel: settings.confidenceLevel,
    metrics,
    hours,
    worstHours,
    days,
    busyLine: busyLineFacts(
      pooled.flatMap(({ sample, report }) => (report.load === undefined ? [] : [{ sample: sample.code ?? sample.id, load: report.load }])),
    ),
    regions: regionsOf(reports, profile, settings),
    edge: pooled[0]?.report.meta.edge ?? null,
    otherEdges,
    qos: siteQosFacts(pooled.flatMap(({ report }) => (report.qos === undefined ? [] : [report.qos]))),
    video: siteVideoFacts(
      pooled.flatMap(({ sample, report }) => (report.video === undefined ? [] : [{ sample: sample.code ?? sample.id, video: report.video }])),
    ),
    causes,
    verdict: verdictWithBlocked(verdictOf(metrics), pooled.length, causes.blocked),
  };
}
