import { describe, expect, it } from 'vitest';
import { AlertMachine, evaluateWindow, INITIAL_TRACK, sampleValues } from '../../../src/analysis/alert/hysteresis.js';
import type { TargetId } from '../../../src/analysis/schema/report-schema.js';

const rtt = (value: number): Map<TargetId, { value: number; threshold: number }> => new Map([['latency-rtt', { value, threshold: 100 }]]);

describe('site alerts with hysteresis', () => {
  it('raises once after k breaching evaluations and clears once after k passing ones', () => {
    const m = new AlertMachine([{ target: 'latency-rtt', samples: 10, raiseAfter: 3, clearAfter: 3 }]);
    // Hand-computed: with 10 samples the nearest-rank P90 is the 9th smallest. Nine at 50 ms fill the
    // window but one short; from the 10th sample on every evaluation counts.
    const seq = [...Array<number>(9).fill(50), 50, 150, 150, 150, 150, 150, 150, 150, 150, 150, 150, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50];
    const events = seq.flatMap((v, i) => m.observe('Paris', i * 600_000, rtt(v)).map((e) => ({ i, ...e })));
    // Samples 10.. (index 10) are 150 ms: P90 of the window reaches 150 once two of ten are 150 (index 11);
    // breaches at 11, 12, 13: raised at index 13, once.
    // From index 20 the 50 ms samples come back: P90 falls below 100 once at most one 150 is left (index 28);
    // passes at 28, 29, 30: cleared at index 30, once.
    expect(events).toEqual([
      { i: 13, site: 'Paris', metric: 'latency-rtt', p90: 150, target: 100, state: 'raised', since: new Date(13 * 600_000).toISOString() },
      { i: 30, site: 'Paris', metric: 'latency-rtt', p90: 50, target: 100, state: 'ok', since: new Date(30 * 600_000).toISOString() },
    ]);
    expect(m.state('Paris', 'latency-rtt')).toBe('ok');
  });

  it('keeps sites apart, and a breach streak broken by a pass starts again', () => {
    const m = new AlertMachine([{ target: 'latency-rtt', samples: 1, raiseAfter: 2, clearAfter: 1 }]);
    expect(m.observe('A', 0, rtt(150))).toEqual([]);
    expect(m.observe('B', 1, rtt(150))).toEqual([]);
    expect(m.observe('A', 2, rtt(50))).toEqual([]);
    expect(m.observe('A', 3, rtt(150))).toEqual([]);
    expect(m.observe('A', 4, rtt(150)).map((e) => e.state)).toEqual(['raised']);
    expect(m.state('B', 'latency-rtt')).toBe('ok');
    // A value equal to the target breaches: the targets read "< threshold".
    expect(m.observe('B', 5, rtt(100)).map((e) => e.state)).toEqual(['raised']);
  });

  it('takes the worst judged direction of a report, and leaves out what was not judged', () => {
    const v = sampleValues([
      { target: 'loss-15s', value: 0.2, threshold: 1, status: 'pass' },
      { target: 'loss-15s', value: 1.4, threshold: 1, status: 'fail' },
      { target: 'jitter-15s', value: null, threshold: 30, status: 'insufficient' },
      { target: 'reorder', value: 0, threshold: 0.05, status: 'insufficient' },
    ]);
    expect([...v.entries()]).toEqual([['loss-15s', { value: 1.4, threshold: 1 }]]);
  });

  it('is a value in, a value and a change out: the state the store keeps', () => {
    const rule = { target: 'latency-rtt' as const, samples: 2, raiseAfter: 2, clearAfter: 1 };
    // A window shorter than the rule's is not evaluated: the same state comes back.
    expect(evaluateWindow(INITIAL_TRACK, rule, [150], 100, 10)).toEqual({ track: INITIAL_TRACK, change: null });
    const one = evaluateWindow(INITIAL_TRACK, rule, [40, 150], 100, 20);
    expect(one).toEqual({ track: { state: 'ok', breaches: 1, passes: 0, sinceMs: null }, change: null });
    // Only the last `samples` values count: the 40 at the front is outside the window.
    const two = evaluateWindow(one.track, rule, [40, 150, 150], 100, 30);
    expect(two).toEqual({ track: { state: 'raised', breaches: 2, passes: 0, sinceMs: 30 }, change: { state: 'raised', p90: 150, sinceMs: 30 } });
    // The input is not changed (the store may retry with it).
    expect(one.track).toEqual({ state: 'ok', breaches: 1, passes: 0, sinceMs: null });
    // A change is never dated before the current state's since (a late sample's window).
    expect(evaluateWindow(two.track, rule, [40, 40], 100, 25).change).toEqual({ state: 'ok', p90: 40, sinceMs: 30 });
  });
});
