import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { AggregateInputError, aggregateP90 } from '../../../src/analysis/report/aggregate.js';
import { AggregateReportSchema } from '../../../src/analysis/schema/aggregate-schema.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { reflectorInput } from './inputs.js';

const validate = new Ajv({ strict: false }).compile(AggregateReportSchema);

/** A clean 15 s test with constant RTT, started `minutes` after midnight. */
function test(rttMs: number, minutes: number, extra: Parameters<typeof reflectorInput>[0] = { count: 1500 }): Report {
  const startedAt = new Date(Date.UTC(2025, 0, 6) + minutes * 60_000).toISOString();
  return analyze(reflectorInput({ ...extra, rttMs: () => rttMs, meta: { ...extra.meta, startedAt } }));
}

describe('P90 aggregate', () => {
  // Ten tests with RTT p50 = 10, 20, ..., 100 ms. Nearest-rank P90 of 10 values = rank 9 = 90 ms.
  const reports = Array.from({ length: 10 }, (_, k) => test((k + 1) * 10, k * 10));
  const agg = aggregateP90(reports);

  it('grades the P90 of per-test p50s', () => {
    const rtt = agg.entries.find((e) => e.target === 'latency-rtt');
    expect(rtt).toMatchObject({ p90: 90, testsGraded: 10, testsInsufficient: 0, status: 'pass', threshold: 100 });
    expect(rtt?.p90StartedAt).toBe('2025-01-06T01:20:00.000Z');
    // One test (100 ms) failed its own RTT grade, yet the site passes on its 90th percentile.
    expect(agg.testVerdicts).toEqual({ pass: 9, fail: 1, insufficient: 0 });
    expect(agg.verdict).toBe('pass');
    expect(agg.explanation[0]).toMatch(/^PASS/);
    expect(validate(agg)).toBe(true);
  });

  it('fails when the P90 reaches the threshold', () => {
    // Eleven values 10..110: rank ceil(9.9) = 10 -> 100 ms = threshold: fail.
    const more = aggregateP90([...reports, test(110, 100)]);
    expect(more.entries.find((e) => e.target === 'latency-rtt')).toMatchObject({ p90: 100, status: 'fail' });
    expect(more.verdict).toBe('fail');
    expect(more.entries.find((e) => e.target === 'latency-rtt')?.sentence).toContain('the 90th percentile over 11 tests was 100 ms');
    // One-way P90 = 50 ms also sits exactly on its 50 ms target: the tie goes to the first entry.
    expect(more.explanation[1]).toContain('Latency (one way): the 90th percentile over 11 tests was 50 ms');
  });

  it('counts insufficient tests apart', () => {
    // A 10 s test cannot grade the 15 s targets: it is counted apart, not as a zero.
    const short = test(20, 200, { count: 1000 });
    const mixed = aggregateP90([...reports, short]);
    const loss = mixed.entries.find((e) => e.target === 'loss-15s' && e.direction === 'up');
    expect(loss).toMatchObject({ testsGraded: 10, testsInsufficient: 1, status: 'pass' });
    expect(loss?.sentence).toContain('1 test could not be judged');
    expect(mixed.verdict).toBe('pass');
  });

  it('gives insufficient for an empty set and advises on coverage', () => {
    const empty = aggregateP90([]);
    expect(empty).toMatchObject({ tests: 0, verdict: 'insufficient', profile: null, entries: [] });
    expect(validate(empty)).toBe(true);
    expect(agg.explanation.some((s) => s.includes('at least a week'))).toBe(true);
    expect(agg.spanDays).toBeCloseTo(90 / 1440, 12);
  });

  it('refuses to mix profiles', () => {
    const edge = analyze(reflectorInput({ count: 1500, meta: { profile: { id: 'edge-to-edge' } } }));
    expect(() => aggregateP90([...reports, edge])).toThrow(AggregateInputError);
  });
});
