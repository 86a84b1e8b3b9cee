/**
 * The site report: the facts of src/analysis/site with their words, as the API
 * answers it (GET /api/sites/:site/report), `callprobe report` prints it and the page shows it.
 */
import {
  blockedCore,
  busyLineSentence,
  causeSentences,
  qosSentence,
  siteVideoSentence,
  couldNotTestSentence,
  leftOutSentence,
  outageSentences,
  siteMetricSentence,
} from '../present/site-text.js';
import type { SampleCauses } from '../site/causes.js';
import { verdictOf } from '../grade/grade.js';
import { BLOAT_GRADE_SOURCE } from '../grade/load.js';
import type { BusyLineFacts } from '../site/busy-line.js';
import type { SiteQosFacts } from '../site/qos.js';
import type { SiteVideoFacts } from '../site/video.js';
import { TEAMS_SCENARIO_SOURCE } from '../grade/video.js';
import { count, num, plural, spanWords } from '../present/format.js';
import { RECOMMENDED_SPAN_DAYS, RECOMMENDED_TESTS } from '../grade/targets.js';
import {
  type DayRow,
  type HourCell,
  type LeftOut,
  type PoolChoice,
  type ProbePathId,
  SITE_SETTINGS,
  type SiteSample,
  type SiteSettings,
  siteFacts,
} from '../site/site.js';
import type { Verdict } from '../schema/report-schema.js';
import { siteRegionViews, type SiteRegionView } from '../present/site-regions.js';
import type { SiteMetric } from '../site/p90.js';
import type { Outages, ReasonCount } from '../site/outages.js';
import type { Interval } from '../site/service.js';

export interface SiteReport {
  kind: 'site-report';
  schemaVersion: 1;
  site: string | null;
  /** The start of the span asked for (ISO 8601 UTC), or null for every sample given. */
  since: string | null;
  timeZone: string;
  profile: { id: string; azureRegion: string | null; from: 'site' | 'edge' | null; label: string; source: string } | null;
  probePath: ProbePathId | null;
  /** Samples pooled and graded (reports of the profile and probe path). */
  samples: number;
  samplesTotal: number;
  leftOut: LeftOut;
  couldNotTest: { samples: number; reasons: ReasonCount[]; sentence: string | null };
  /** The edge of a hub the pooled samples ran on (the one with most samples; each metric names its own, a region leg's for the latency rows it answered); null off a hub. */
  edge: { id: string; azureRegion: string } | null;
  /** The site's samples on each other edge, graded apart (another path, never pooled): the same rule as the all-sites overview (src/analysis/site/pools.ts). */
  otherEdges: Array<{ edge: { id: string; azureRegion: string }; samples: number; verdict: Verdict; metrics: Array<SiteMetric & { sentence: string }> }>;
  /** Why samples could not be judged, by cause: the site's network blocked the relay's ports, the probe machine was busy, ours, other (src/analysis/site/causes.ts). */
  causes: SampleCauses;
  /**
   * The could-not-test samples by whose outage they were: the site's own (callprobe's service
   * was up), ours (it was down), interrupted (the scheduler stopped); each with its sentence,
   * and the site's own outages in their own line of the explanation.
   */
  outages: Outages & { siteSentence: string | null; oursSentence: string | null };
  firstStartedAt: string | null;
  lastStartedAt: string | null;
  spanDays: number | null;
  /** How a site P90 is graded: nearest rank, with an order-statistic interval, from enough samples. */
  p90Rule: { minSamples: number; minSamplesEarlyFail: number; confidenceLevel: number; method: string };
  metrics: Array<SiteMetric & { sentence: string }>;
  hours: HourCell[];
  worstHours: HourCell[];
  /** Each local day (in `timeZone`) with a pooled sample, oldest first: every metric's P90 that day. */
  days: DayRow[];
  /**
   * What the pooled samples that loaded the line said (`callprobe run --load`): each phase's
   * verdict counted, each direction's added delay at P50 and P90 with the P90's bufferbloat
   * grade; null when no sample loaded the line. Never part of `verdict`.
   */
  busyLine: (BusyLineFacts & { sentence: string; gradeSource: string }) | null;
  /**
   * The site x region table (locate figures, never part of `verdict`): per test server any sample
   * measured, the P90 of the samples' locate medians, graded against the site's Azure row where
   * the server stands in that row's region; empty when no sample ran through a hub's edges.
   */
  regions: SiteRegionView[];
  /**
   * Whether the pooled samples' QoS mark (EF, Teams' mark for audio) survived each way: how many
   * measured it and kept it, with its sentence; null when no sample has QoS marks. Never part of `verdict`.
   */
  qos: (SiteQosFacts & { sentence: string }) | null;
  /**
   * The pooled samples' video through the relay (`callprobe run --video`): each direction's P10 of
   * the rate carried nearly whole, and what fits at both, with its sentence; null when no sample
   * sent video. Never part of `verdict`.
   */
  video: (SiteVideoFacts & { sentence: string; source: string }) | null;
  verdict: Verdict;
  explanation: string[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Builds the site report of `samples` (any order). `sinceMs` is only stated, not applied: the caller selected the samples. */
export function buildSiteReport(
  samples: readonly SiteSample[],
  opts: { site: string | null; sinceMs: number | null; choice: PoolChoice; settings?: Partial<SiteSettings>; down?: readonly Interval[] },
): SiteReport {
  const settings: SiteSettings = { ...SITE_SETTINGS, ...opts.settings };
  const f = siteFacts(samples, opts.choice, settings, opts.down ?? []);
  const outages = outageSentences(f.outages, f.samplesTotal);
  const metrics = f.metrics.map((m) => ({ ...m, sentence: siteMetricSentence(m, f.minSamplesP90) }));
  const spanDays = f.firstStartedAtMs === null || f.lastStartedAtMs === null ? null : (f.lastStartedAtMs - f.firstStartedAtMs) / 86_400_000;
  const cnt = couldNotTestSentence(f.couldNotTestReasons, f.samplesTotal);
  const left = leftOutSentence(f.leftOut, f.profile?.label ?? null, f.probePath);
  const explanation: string[] = [];
  const label = f.profile?.label ?? 'no profile';
  const blocked = blockedCore(f.causes.blocked, f.samplesTotal);
  const pooledVerdict = verdictOf(f.metrics);
  if (f.verdict !== pooledVerdict && blocked !== null) {
    // The blocked samples decided it (./site/causes.ts verdictWithBlocked): said first, as the site's.
    explanation.push(`${f.verdict === 'fail' ? 'FAIL' : 'NO VERDICT'}: ${blocked}.`);
  } else if (f.verdict === 'fail') {
    const failed = metrics.filter((m) => m.status === 'fail');
    const early = failed.filter((m) => m.earlyFail !== null).length;
    explanation.push(
      `FAIL: over ${plural(f.samples, 'sample')}, the 90th percentile misses ${plural(failed.length, 'target')} of the "${label}" profile${early > 0 ? ` (${early === failed.length ? 'all' : count(early)} failing already, before the ${count(f.minSamplesP90)} samples a pass needs)` : ''}.`,
    );
  } else if (f.verdict === 'pass') {
    explanation.push(`PASS: over ${plural(f.samples, 'sample')}, the 90th percentile of every target of the "${label}" profile is within its limit.`);
  } else {
    const few = metrics.filter((m) => m.reason === 'too-few-samples').length;
    explanation.push(
      f.samples === 0
        ? blocked !== null
          ? `NO VERDICT: ${blocked}.`
          : 'NO VERDICT: there are no samples to grade.'
        : few > 0
          ? `NO VERDICT: ${plural(f.samples, 'sample')}; a P90 is graded from ${count(f.minSamplesP90)} samples or more (${plural(few, 'target')} had fewer).`
          : `NO VERDICT: no 90th percentile failed, but ${plural(metrics.filter((m) => m.status === 'insufficient').length, 'target')} could not be graded.`,
    );
  }
  // Why samples could not be judged, by cause: the site's blocked ports, its other outages, a busy probe, ours (never the site's fault), the rest.
  const causes = causeSentences(f.causes, f.samplesTotal, { site: f.outages.site.samples - f.outages.site.blocked, ours: f.outages.ours.samples });
  for (const line of [causes.blocked, outages.site, outages.ours, causes.deviceBusy, causes.ours, causes.other]) if (line !== null) explanation.push(line);
  if (left !== null) explanation.push(left);
  // Another edge is another path: its samples are graded apart, as the all-sites overview does.
  if (f.otherEdges.length > 0)
    explanation.push(
      `These figures are of the samples on ${f.edge === null ? 'one test server' : `${f.edge.azureRegion} (${f.edge.id})`}; ${f.otherEdges.map((o) => `${plural(o.samples, 'sample')} on ${o.edge.azureRegion} (${o.edge.id}): ${o.verdict.toUpperCase()}`).join(', ')}, graded apart.`,
    );
  const busyLine = f.busyLine === null ? null : { ...f.busyLine, sentence: busyLineSentence(f.busyLine), gradeSource: BLOAT_GRADE_SOURCE };
  if (busyLine !== null) explanation.push(busyLine.sentence);
  const qos = f.qos === null ? null : { ...f.qos, sentence: qosSentence(f.qos) };
  if (qos !== null) explanation.push(qos.sentence);
  const video = f.video === null ? null : { ...f.video, sentence: siteVideoSentence(f.video), source: TEAMS_SCENARIO_SOURCE };
  if (video !== null) explanation.push(video.sentence);
  if (f.samples < RECOMMENDED_TESTS || spanDays === null || spanDays < RECOMMENDED_SPAN_DAYS) {
    explanation.push(
      `Microsoft recommends a test every 10 minutes for at least a week (about ${count(RECOMMENDED_TESTS)} samples); this report has ${plural(f.samples, 'sample')}${spanDays === null ? '' : ` over ${spanWords(spanDays * 86_400_000)}`}.`,
    );
  }
  return {
    kind: 'site-report',
    schemaVersion: 1,
    site: opts.site,
    since: iso(opts.sinceMs),
    timeZone: f.timeZone,
    profile:
      f.profile === null
        ? null
        : { id: f.profile.id, azureRegion: f.profile.azureRegion, from: f.profile.from, label: f.profile.label, source: f.profile.source },
    probePath: f.probePath,
    samples: f.samples,
    samplesTotal: f.samplesTotal,
    leftOut: f.leftOut,
    couldNotTest: { samples: f.leftOut.couldNotTest, reasons: f.couldNotTestReasons, sentence: cnt },
    edge: f.edge,
    otherEdges: f.otherEdges.map((o) => ({ ...o, metrics: o.metrics.map((m) => ({ ...m, sentence: siteMetricSentence(m, f.minSamplesP90) })) })),
    causes: f.causes,
    outages: { ...f.outages, siteSentence: outages.site, oursSentence: outages.ours },
    firstStartedAt: iso(f.firstStartedAtMs),
    lastStartedAt: iso(f.lastStartedAtMs),
    spanDays,
    p90Rule: {
      minSamples: f.minSamplesP90,
      minSamplesEarlyFail: f.minSamplesEarlyFail,
      confidenceLevel: f.confidenceLevel,
      method: `Nearest-rank percentiles of the per-sample graded values; the P90 is graded (strict "<") only from ${count(f.minSamplesP90)} samples or more, with its distribution-free equal-tailed ${num(f.confidenceLevel * 100)}% interval from order statistics (binomial). From ${count(f.minSamplesEarlyFail)} samples, a P90 whose interval's lower end is already not below the target fails early.`,
    },
    metrics,
    hours: f.hours,
    worstHours: f.worstHours,
    days: f.days,
    busyLine,
    regions: siteRegionViews(f.regions, f.profile, f.minSamplesP90),
    qos,
    video,
    verdict: f.verdict,
    explanation,
  };
}
