import { describe, expect, it } from 'vitest';
import { analyzeRoundTrip, suspectHorizonMs } from '../../../src/analysis/measure/rtt.js';
import type { RttSample, SentRecord } from '../../../src/analysis/measure/records.js';

/** Probes 0..n-1 sent every 10 ms from t = 0, with the round trips given (ms). */
function records(rtts: readonly number[]): { sent: SentRecord[]; samples: RttSample[] } {
  const sent: SentRecord[] = rtts.map((_, seq) => ({ seq, sendMs: seq * 10 }));
  const samples = rtts.map((rttMs, seq) => ({ seq, sendMs: seq * 10, rttMs }));
  return { sent, samples };
}

describe('round trips left out of the grade', () => {
  it('leaves out round trips sent in a suspect interval or within the horizon before it, whatever their own length', () => {
    // 10 probes, a stall from 50 to 55 ms. The horizon is the 90th-percentile round trip: of
    // 5, 20 (x 8) and 60 ms, the 9th of 10, 20 ms. Left out: sends from 30 to 55 ms, probes 3
    // (5 ms: its flight ended before the stall, but it was sent within the horizon), 4 (60 ms)
    // and 5 (sent in the stall). Probe 2 (sent at 20 ms, back at 40 ms) is kept. Hand count: 7.
    const rtts = [20, 20, 20, 5, 60, 20, 20, 20, 20, 20];
    const a = analyzeRoundTrip(records(rtts), [{ startMs: 50, endMs: 55 }]);
    expect(suspectHorizonMs(rtts)).toBe(20);
    expect(a.rttMs?.count).toBe(10);
    expect(a.gradedRttMs?.count).toBe(7);
    expect(a.gradedRttMs?.min).toBe(20);
    expect(a.gradedRttMs?.max).toBe(20);
  });

  it('keeps the median unbiased when the device stalls often: long round trips are not left out more often than short ones', () => {
    // 1,500 round trips of 30-70 ms (a fixed pseudo-random sequence), one every 10 ms, and a
    // 15 ms stall every 100 ms. Leaving out every round trip whose flight overlapped a stall
    // put the median 3.8 ms low here (a 70 ms flight overlaps a stall more often than a 30 ms
    // one); the rule by send time leaves it within the sampling error of the round trips kept.
    let x = 12345;
    const rnd = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    const rtts = Array.from({ length: 1500 }, () => 30 + 40 * rnd());
    const stalls = Array.from({ length: 150 }, (_, k) => ({ startMs: k * 100 + 50, endMs: k * 100 + 65 }));
    const a = analyzeRoundTrip(records(rtts), stalls);
    const overlapped = records(rtts)
      .samples.filter((s) => !stalls.some((t) => s.sendMs <= t.endMs && s.sendMs + s.rttMs >= t.startMs))
      .map((s) => s.rttMs)
      .sort((p, q) => p - q);
    const overlapMedian = overlapped[Math.ceil(overlapped.length / 2) - 1] ?? Number.NaN;
    const all = a.rttMs?.p50 ?? Number.NaN;
    expect(all - overlapMedian).toBeGreaterThan(3);
    expect(Math.abs((a.gradedRttMs?.p50 ?? Number.NaN) - all)).toBeLessThan(2);
  });

  it('keeps a round trip that ends exactly before the interval and one sent exactly after it', () => {
    // Probe 1: 10 -> 19.999 ms; probe 3: sent at 30 ms, the interval ends at 29.999 ms.
    const a = analyzeRoundTrip(records([1, 9.999, 1, 1]), [{ startMs: 20, endMs: 29.999 }]);
    // Probe 2 (sent at 20) is inside; the others are not.
    expect(a.gradedRttMs?.count).toBe(3);
  });

  it('a backlog that never drains between stalls leaves nothing to grade', () => {
    // Every round trip lasts 3.7 s (a starved device's queues), stalls every 500 ms: the horizon
    // is 3.7 s, every probe was sent within it before a stall, so none is evidence about the network.
    const rtts = Array.from({ length: 300 }, () => 3700);
    const stalls = Array.from({ length: 12 }, (_, k) => ({ startMs: k * 500, endMs: k * 500 + 100 }));
    const a = analyzeRoundTrip(records(rtts), stalls);
    expect(a.rttMs?.count).toBe(300);
    expect(a.gradedRttMs?.count ?? 0).toBe(0);
  });

  it('without suspect intervals every unique round trip is graded', () => {
    const a = analyzeRoundTrip(records([5, 6, 7]), []);
    expect(a.gradedRttMs).toEqual(a.rttMs);
  });
});
