/**
 * P90 aggregate over many tests of one site, as Microsoft's guidance asks (seed 000,
 * "Measuring network performance"): test every 10 minutes for at least a week, then
 * compare the 90th percentile of the samples with the targets.
 *
 * For each target and direction, the per-test graded values of the tests that could be
 * graded (pass or fail) are collected, and their nearest-rank 90th percentile is graded
 * with the same strict "<" (for RTT: the P90 of the per-test p50s). Tests that were
 * insufficient for that target are counted apart and never enter the percentile.
 * Verdict: fail if any entry fails, else insufficient if any entry is, else pass.
 */
import { directionPhrase } from '../grade/grade.js';
import { count, ms, num, pct, plural } from '../present/format.js';
import { nearestRankIndex } from '../measure/percentile.js';
import type { AggregateEntry, AggregateReport } from '../schema/aggregate-schema.js';
import type { GradeDirection, GradeEntry, Report, Verdict } from '../schema/report-schema.js';

/** Microsoft's recommendation: one test every 10 minutes for a week. */
export const RECOMMENDED_TESTS = 7 * 24 * 6;
export const RECOMMENDED_SPAN_DAYS = 7;

/** Typed error: the reports cannot be aggregated together. */
export class AggregateInputError extends Error {
  override readonly name = 'AggregateInputError';
  constructor(
    readonly reason: 'mixed-profiles' | 'unsupported-schema',
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

interface Bucket {
  first: GradeEntry;
  values: Array<{ value: number; startedAt: string }>;
  insufficient: number;
}

function where(target: GradeEntry, direction: GradeDirection): string {
  return direction === 'round-trip' ? target.label : `${target.label}, ${directionPhrase(direction).toLowerCase()}`;
}

function profileKey(r: Report): string {
  const p = r.meta.profile;
  return `${p.id}|${p.azureRegion ?? ''}|${p.from ?? ''}`;
}

export function aggregateP90(reports: readonly Report[]): AggregateReport {
  for (const r of reports) {
    if ((r.schemaVersion as number) !== 1) throw new AggregateInputError('unsupported-schema', `schemaVersion ${String(r.schemaVersion)}`);
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
    const fmt = (v: number): string => (g.unit === 'ms' ? ms(v, g.threshold) : pct(v, g.threshold));
    const target = g.unit === 'ms' ? ms(g.threshold) : pct(g.threshold);
    const apart = b.insufficient > 0 ? ` ${plural(b.insufficient, 'test')} could not be judged on this and are not counted.` : '';
    const base = {
      target: g.target,
      label: g.label,
      direction: g.direction,
      statistic: `P90 over tests of: ${g.statistic}`,
      unit: g.unit,
      threshold: g.threshold,
      comparator: '<' as const,
      testsGraded: b.values.length,
      testsInsufficient: b.insufficient,
    };
    if (b.values.length === 0) {
      return { ...base, p90: null, p90StartedAt: null, status: 'insufficient', sentence: `${where(g, g.direction)}: no test could be judged.${apart}` };
    }
    const sorted = [...b.values].sort((x, y) => x.value - y.value);
    const at = sorted[nearestRankIndex(sorted.length, 90)] ?? { value: Number.NaN, startedAt: '' };
    const status = at.value < g.threshold ? 'pass' : 'fail';
    return {
      ...base,
      p90: at.value,
      p90StartedAt: at.startedAt,
      status,
      sentence: `${where(g, g.direction)}: the 90th percentile over ${plural(b.values.length, 'test')} was ${fmt(at.value)}; the target is below ${target}, so this ${status === 'pass' ? 'passes' : 'fails'}.${apart}`,
    };
  });

  const verdict: Verdict = entries.length === 0
    ? 'insufficient'
    : entries.some((e) => e.status === 'fail')
      ? 'fail'
      : entries.some((e) => e.status === 'insufficient')
        ? 'insufficient'
        : 'pass';

  const times = reports.map((r) => Date.parse(r.meta.startedAt)).filter((t) => Number.isFinite(t)).sort((a, b) => a - b);
  const firstT = times[0];
  const lastT = times[times.length - 1];
  const spanDays = firstT === undefined || lastT === undefined ? null : (lastT - firstT) / 86_400_000;
  const label = first?.meta.profile.label ?? 'no profile';

  const explanation: string[] = [];
  if (verdict === 'fail') {
    const failed = entries.filter((e) => e.status === 'fail');
    const worst = failed.reduce((a, b) => ((b.p90 ?? 0) / b.threshold > (a.p90 ?? 0) / a.threshold ? b : a));
    explanation.push(
      `FAIL: over ${plural(reports.length, 'test')}, the 90th percentile misses ${plural(failed.length, 'target')} of the "${label}" profile.`,
      `The main problem: ${worst.sentence}`,
    );
  } else if (verdict === 'insufficient') {
    explanation.push(
      reports.length === 0
        ? 'NO VERDICT: there are no tests to aggregate.'
        : `NO VERDICT: no 90th percentile failed, but ${plural(entries.filter((e) => e.status === 'insufficient').length, 'target')} had no test that could be judged.`,
    );
  } else {
    explanation.push(`PASS: over ${plural(reports.length, 'test')}, the 90th percentile of every target of the "${label}" profile is within its limit.`);
  }
  if (reports.length < RECOMMENDED_TESTS || spanDays === null || spanDays < RECOMMENDED_SPAN_DAYS) {
    explanation.push(
      `Microsoft recommends a test every 10 minutes for at least a week (about ${count(RECOMMENDED_TESTS)} tests, every business day and peak hour); this set has ${plural(reports.length, 'test')}${spanDays === null ? '' : ` over ${num(spanDays)} days`}.`,
    );
  }

  return {
    schemaVersion: 1,
    kind: 'aggregate-p90',
    profile:
      first === undefined
        ? null
        : { id: first.meta.profile.id, azureRegion: first.meta.profile.azureRegion, from: first.meta.profile.from, label },
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
    explanation,
  };
}
