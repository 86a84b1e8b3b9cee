/**
 * A site's P90 of one target: nearest-rank P50/P90/P99 of the per-sample graded values, the
 * share that missed, and the grade by the one rule of the site report, `aggregate`, the all-sites
 * overview and the alerts (p90Grade): graded (strict "<") from DEFAULTS.siteReport.p90MinSamples
 * samples with its distribution-free interval (../measure/order-statistics.ts); fewer is insufficient,
 * unless even the lower end of that interval misses the target: then it fails already.
 */
import type { GradeDirection, TargetId, Verdict } from '../schema/report-schema.js';
import { nearestRankIndex } from '../measure/percentile.js';
import { quantileInterval, quantileLowerRank } from '../measure/order-statistics.js';

/** What grading a P90 reads of the settings. */
export interface P90Settings {
  minSamplesP90: number;
  confidenceLevel: number;
  /** Fewest graded samples a P90 fails from before minSamplesP90, when even its interval's lower end misses the target. */
  minSamplesEarlyFail: number;
}

/** The distribution-free interval of a P90: the values at two ranks of the sorted samples. */
interface P90Interval {
  level: number;
  /** Exact coverage of the rank pair (>= level). */
  coverage: number;
  lower: number;
  upper: number;
  lowerRank: number;
  upperRank: number;
}

/**
 * A P90 that fails before it could pass (fewer than minSamplesP90 graded samples): so many
 * samples missed the target that the lower end of its interval (the value at `lowerRank`) is
 * at or above it. Fewer than `lowerRank` samples were below the target, which, were the P90
 * below it, happens with probability at most 1 - `level`.
 */
export interface EarlyFail {
  /** Graded samples, and those that missed the target (value >= threshold). */
  samples: number;
  missed: number;
  lowerRank: number;
  /** The value at lowerRank, when the values are known (the overview has counts only). */
  lower: number | null;
  /** One-sided confidence that the P90 is not below the target (0.975 for a 95 % interval). */
  level: number;
  /** The fewest samples this rule fails a P90 from. */
  minSamples: number;
}

/** One graded metric over the pooled samples. */
export interface SiteMetric {
  target: TargetId;
  label: string;
  direction: GradeDirection;
  /** The edge of a hub its values were measured to (a region leg's for the latency rows it answered); absent off a hub. */
  edge?: { id: string; azureRegion: string };
  unit: 'ms' | '%';
  threshold: number;
  /** Samples that graded this metric (pass or fail) and samples that could not. */
  samplesGraded: number;
  samplesInsufficient: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /** The codes (or ids) of the samples at those ranks. */
  p50Sample: string | null;
  p90Sample: string | null;
  p99Sample: string | null;
  /** Null below the minimum count. */
  p90Interval: P90Interval | null;
  /** Graded samples whose value missed the target (>= threshold), and their share in %. */
  missed: number;
  missedPct: number | null;
  status: Verdict;
  /** Why insufficient: no sample graded it, or fewer than the minimum. */
  reason: 'no-data' | 'too-few-samples' | null;
  /** Set when the P90 fails already, from fewer samples than a pass needs. */
  earlyFail: EarlyFail | null;
}

/** One metric's figures from its graded values (each with the sample it came from). */
export function siteMetric(
  base: Pick<SiteMetric, 'target' | 'label' | 'direction' | 'unit' | 'threshold'>,
  graded: ReadonlyArray<{ value: number; sample: string }>,
  insufficient: number,
  settings: P90Settings,
): SiteMetric {
  const sorted = [...graded].sort((a, b) => a.value - b.value);
  const n = sorted.length;
  const at = (pct: number): { value: number; sample: string } | null => (n === 0 ? null : (sorted[nearestRankIndex(n, pct)] ?? null));
  const p50 = at(50);
  const p90 = at(90);
  const p99 = at(99);
  const missed = sorted.filter((g) => g.value >= base.threshold).length;
  const ci = p90IntervalRanks(n, settings);
  const interval: P90Interval | null =
    ci === null
      ? null
      : {
          level: settings.confidenceLevel,
          coverage: ci.coverage,
          lower: sorted[ci.lowerRank - 1]?.value ?? Number.NaN,
          upper: sorted[ci.upperRank - 1]?.value ?? Number.NaN,
          lowerRank: ci.lowerRank,
          upperRank: ci.upperRank,
        };
  const { status, reason, earlyFail } = p90Grade(n, p90?.value ?? null, base.threshold, settings, missed);
  return {
    ...base,
    samplesGraded: n,
    samplesInsufficient: insufficient,
    p50: p50?.value ?? null,
    p90: p90?.value ?? null,
    p99: p99?.value ?? null,
    p50Sample: p50?.sample ?? null,
    p90Sample: p90?.sample ?? null,
    p99Sample: p99?.sample ?? null,
    p90Interval: interval,
    missed,
    missedPct: n === 0 ? null : (missed / n) * 100,
    status,
    reason,
    earlyFail: earlyFail === null ? null : { ...earlyFail, lower: sorted[earlyFail.lowerRank - 1]?.value ?? null },
  };
}

/** The ranks of a P90's interval over n graded samples, or null below the minimum count (or when none exists). */
function p90IntervalRanks(n: number, settings: Pick<P90Settings, 'minSamplesP90' | 'confidenceLevel'>): ReturnType<typeof quantileInterval> {
  return n >= settings.minSamplesP90 ? quantileInterval(n, 0.9, settings.confidenceLevel) : null;
}

/**
 * A site P90 of n graded samples against its threshold, `missed` of them at or above it: the
 * one rule of the site report, `aggregate`, the all-sites overview and the alerts. From
 * minSamplesP90 samples the P90 is graded (strict "<"). Below that it cannot pass, but it fails
 * already when even the lower end of its interval is at or above the target (EarlyFail): then
 * at most lowerRank - 1 samples were below it, i.e. missed >= n - lowerRank + 1.
 */
export function p90Grade(
  n: number,
  p90: number | null,
  threshold: number,
  settings: P90Settings,
  missed: number | null,
): { status: Verdict; reason: 'no-data' | 'too-few-samples' | null; earlyFail: EarlyFail | null } {
  const reason = n === 0 ? 'no-data' : p90IntervalRanks(n, settings) === null ? 'too-few-samples' : null;
  const early = reason === 'too-few-samples' && missed !== null ? lowerEndMisses(n, missed, settings) : null;
  if (early !== null) return { status: 'fail', reason: null, earlyFail: early };
  return { status: reason !== null || p90 === null ? 'insufficient' : p90 < threshold ? 'pass' : 'fail', reason, earlyFail: null };
}

/**
 * Whether the lower end of the P90's interval over n graded values, `missed` of them at or
 * above the target, is itself at or above it (from minSamplesEarlyFail values): the evidence of
 * an early fail, or null. The alerts read it for a window not yet full.
 */
export function lowerEndMisses(n: number, missed: number, settings: P90Settings): EarlyFail | null {
  if (n < settings.minSamplesEarlyFail) return null;
  const lowerRank = quantileLowerRank(n, 0.9, settings.confidenceLevel);
  if (lowerRank === null || missed < n - lowerRank + 1) return null;
  return { samples: n, missed, lowerRank, lower: null, level: 1 - (1 - settings.confidenceLevel) / 2, minSamples: settings.minSamplesEarlyFail };
}
