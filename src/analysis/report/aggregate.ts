/**
 * P90 aggregate over many tests of one site, as Microsoft's guidance asks (Microsoft's guidance,
 * "Measuring network performance"): test every 10 minutes for at least a week, then
 * compare the 90th percentile of the samples with the targets.
 *
 * For each target and direction, the per-test graded values of the tests that could be
 * graded (pass or fail) are collected, and their nearest-rank 90th percentile is graded
 * with the same strict "<" (for RTT: the P90 of the per-test p50s), by the same code as a
 * site report over stored samples (siteMetric, src/analysis/site/site.ts): graded only from
 * DEFAULTS.siteReport.p90MinSamples tests or more, with its order-statistic interval; fewer is
 * insufficient, with the count, unless so many tests missed the target that the P90 fails
 * already (the same early fail as a site report). Tests that were insufficient for that target
 * are counted apart and never enter the percentile.
 * Verdict: fail if any entry fails, else insufficient if any entry is, else pass.
 */
import { explainAggregate } from '../present/explain.js';
import { aggregateEntrySentence, aggregateStatistic } from '../present/sentences.js';
import { SITE_SETTINGS } from '../site/site.js';
import { siteMetric, type P90Settings } from '../site/p90.js';
import type { AggregateEntry, AggregateReport } from '../schema/aggregate-schema.js';
import type { GradeEntry, Report, Verdict } from '../schema/report-schema.js';
import { SCHEMA_VERSION } from '../schema/version.js';
import { ReasonedError } from '../../protocol/typed-error.js';

/** Typed error: the reports cannot be aggregated together. */
export class AggregateInputError extends ReasonedError<'mixed-profiles' | 'unsupported-schema'> {
  override readonly name = 'AggregateInputError';
}

interface Bucket {
  first: GradeEntry;
  values: Array<{ value: number; startedAt: string }>;
  insufficient: number;
}

function profileKey(r: Report): string {
  const p = r.meta.profile;
  return `${p.id}|${p.azureRegion ?? ''}|${p.from ?? ''}`;
}

/** `settings` defaults to the site report's (the minimum count and interval level of a P90). */
export function aggregateP90(reports: readonly Report[], settings: P90Settings = SITE_SETTINGS): AggregateReport {
  for (const r of reports) {
    if ((r.schemaVersion as number) !== SCHEMA_VERSION) throw new AggregateInputError('unsupported-schema', `schemaVersion ${String(r.schemaVersion)}`);
  }
  const first = reports[0];
  if (first !== undefined) {
    const key = profileKey(first);
    const other = reports.find((r) => profileKey(r) !== key);
    if (other !== undefined) {
      throw new AggregateInputError('mixed-profiles', `"${first.meta.profile.label}" and "${other.meta.profile.label}" cannot be aggregated together`);
    }
  }

  const buckets = new Map<string, Bucket>();
  for (const r of reports) {
    for (const g of r.grades) {
      const key = `${g.target}|${g.direction}`;
      let b = buckets.get(key);
      if (b === undefined) {
        b = { first: g, values: [], insufficient: 0 };
        buckets.set(key, b);
      }
      if (g.threshold !== b.first.threshold) {
        throw new AggregateInputError('mixed-profiles', `${g.target} threshold ${String(g.threshold)} differs from ${String(b.first.threshold)}`);
      }
      if (g.status === 'insufficient' || g.value === null) b.insufficient++;
      else b.values.push({ value: g.value, startedAt: r.meta.startedAt });
    }
  }

  const entries: AggregateEntry[] = [...buckets.values()].map((b) => {
    const g = b.first;
    const base = {
      target: g.target,
      label: g.label,
      direction: g.direction,
      statistic: aggregateStatistic(g.statistic),
      unit: g.unit,
      threshold: g.threshold,
      comparator: '<' as const,
      testsGraded: b.values.length,
      testsInsufficient: b.insufficient,
    };
    const m = siteMetric(
      { target: g.target, label: g.label, direction: g.direction, unit: g.unit, threshold: g.threshold },
      b.values.map((v) => ({ value: v.value, sample: v.startedAt })),
      b.insufficient,
      settings,
    );
    const facts: Omit<AggregateEntry, 'sentence'> = { ...base, p90: m.p90, p90StartedAt: m.p90Sample, status: m.status, earlyFail: m.earlyFail };
    return { ...facts, sentence: aggregateEntrySentence(facts, { minTests: settings.minSamplesP90, interval: m.p90Interval }) };
  });

  const verdict: Verdict =
    entries.length === 0
      ? 'insufficient'
      : entries.some((e) => e.status === 'fail')
        ? 'fail'
        : entries.some((e) => e.status === 'insufficient')
          ? 'insufficient'
          : 'pass';

  const times = reports
    .map((r) => Date.parse(r.meta.startedAt))
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b);
  const firstT = times[0];
  const lastT = times[times.length - 1];
  const spanDays = firstT === undefined || lastT === undefined ? null : (lastT - firstT) / 86_400_000;
  const facts: Omit<AggregateReport, 'explanation'> = {
    schemaVersion: 1,
    kind: 'aggregate-p90',
    profile:
      first === undefined
        ? null
        : { id: first.meta.profile.id, azureRegion: first.meta.profile.azureRegion, from: first.meta.profile.from, label: first.meta.profile.label },
    tests: reports.length,
    firstStartedAt: firstT === undefined ? null : new Date(firstT).toISOString(),
    lastStartedAt: lastT === undefined ? null : new Date(lastT).toISOString(),
    spanDays,
    testVerdicts: {
      pass: reports.filter((r) => r.summary.verdict === 'pass').length,
      fail: reports.filter((r) => r.summary.verdict === 'fail').length,
      insufficient: reports.filter((r) => r.summary.verdict === 'insufficient').length,
    },
    entries,
    verdict,
  };
  return { ...facts, explanation: explainAggregate(facts) };
}
