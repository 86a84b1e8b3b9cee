import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { AggregateInputError, aggregateP90 } from '../../../src/analysis/report/aggregate.js';
import { AggregateReportSchema } from '../../../src/analysis/schema/aggregate-schema.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { reflectorInput } from './inputs.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';

const validate = new Ajv({ strict: false }).compile(AggregateReportSchema);

/** A clean 15 s test with constant RTT, started `minutes` after midnight. */
function test(rttMs: number, minutes: number, extra: Parameters<typeof reflectorInput>[0] = { count: 1500 }): Report {
  const startedAt = new Date(Date.UTC(2025, 0, 6) + minutes * 60_000).toISOString();
  return analyze(reflectorInput({ ...extra, rttMs: () => rttMs, meta: { ...extra.meta, startedAt } }));
}

describe('P90 aggregate', () => {
  // Sixty tests with RTT p50 = 41, 42, ..., 100 ms. Nearest-rank P90 of 60 values = rank 54 = 94 ms.
  const reports = Array.from({ length: 60 }, (_, k) => test(k + 41, k * 10));
  const agg = aggregateP90(reports);

  it('grades the P90 of per-test p50s, with the same code as a site report', () => {
    const rtt = agg.entries.find((e) => e.target === 'latency-rtt');
    expect(rtt).toMatchObject({ p90: 94, testsGraded: 60, testsInsufficient: 0, status: 'pass', threshold: 100 });
    expect(rtt?.p90StartedAt).toBe(new Date(Date.UTC(2025, 0, 6) + 53 * 10 * 60_000).toISOString());
    expect(rtt?.sentence).toMatch(
      /the 90th percentile over 60 tests was 94 ms; the target is below 100 ms, so this passes \(95% interval of the P90: \d+ ms to \d+ ms\)/,
    );
    // One test (100 ms) failed its own RTT grade, yet the site passes on its 90th percentile.
    expect(agg.testVerdicts).toEqual({ pass: 59, fail: 1, insufficient: 0 });
    expect(agg.verdict).toBe('pass');
    expect(agg.explanation[0]).toMatch(/^PASS/);
    expect(validate(agg)).toBe(true);
  });

  it('fails when the P90 reaches the threshold', () => {
    // Seventy values, 41..100 and ten at 110: rank ceil(63) = 63 -> 110 ms: fail.
    const more = aggregateP90([...reports, ...Array.from({ length: 10 }, (_, k) => test(110, 600 + k * 10))]);
    expect(more.entries.find((e) => e.target === 'latency-rtt')).toMatchObject({ p90: 110, status: 'fail' });
    expect(more.verdict).toBe('fail');
    expect(more.entries.find((e) => e.target === 'latency-rtt')?.sentence).toContain('the 90th percentile over 70 tests was 110 ms');
    // One-way P90 = 55 ms misses its 50 ms target by the same ratio: the tie goes to the first entry.
    expect(more.explanation[1]).toContain('Latency (one way): the 90th percentile over 70 tests was 55 ms');
  });

  it('refuses to grade a P90 from fewer tests than the minimum: insufficient, with the count', () => {
    const few = aggregateP90(reports.slice(0, DEFAULTS.siteReport.p90MinSamples - 1));
    const rtt = few.entries.find((e) => e.target === 'latency-rtt');
    expect(rtt).toMatchObject({ status: 'insufficient', testsGraded: 53 });
    expect(rtt?.p90).not.toBeNull();
    expect(rtt?.sentence).toContain('a P90 is graded from 54 tests or more, so this is not graded (53 of 54)');
    expect(few.verdict).toBe('insufficient');
    expect(few.explanation[0]).toMatch(/too few tests for a graded 90th percentile/);
    expect(validate(few)).toBe(true);
    expect(aggregateP90(reports.slice(0, DEFAULTS.siteReport.p90MinSamples)).entries.every((e) => e.status !== 'insufficient')).toBe(true);
  });

  it('counts insufficient tests apart', () => {
    // A 10 s test cannot grade the 15 s targets: it is counted apart, not as a zero.
    const short = test(20, 800, { count: 1000 });
    const mixed = aggregateP90([...reports, short]);
    const loss = mixed.entries.find((e) => e.target === 'loss-15s' && e.direction === 'up');
    expect(loss).toMatchObject({ testsGraded: 60, testsInsufficient: 1, status: 'pass' });
    expect(loss?.sentence).toContain('1 test could not be judged on this and is not counted');
    expect(mixed.verdict).toBe('pass');
  });

  it('gives insufficient for an empty set and advises on coverage', () => {
    const empty = aggregateP90([]);
    expect(empty).toMatchObject({ tests: 0, verdict: 'insufficient', profile: null, entries: [] });
    expect(validate(empty)).toBe(true);
    expect(agg.explanation.some((s) => s.includes('at least a week'))).toBe(true);
    expect(agg.spanDays).toBeCloseTo(590 / 1440, 12);
  });

  it('refuses to mix profiles', () => {
    const edge = analyze(reflectorInput({ count: 1500, meta: { profile: { id: 'edge-to-edge' } } }));
    expect(() => aggregateP90([...reports, edge])).toThrow(AggregateInputError);
  });
});
