import { describe, expect, it } from 'vitest';
import { analyzeRoundTrip } from '../../../src/analysis/measure/rtt.js';
import type { RttSample, SentRecord } from '../../../src/analysis/measure/records.js';

/** Probes 0..n-1 sent every 10 ms from t = 0, with the round trips given (ms). */
function records(rtts: readonly number[]): { sent: SentRecord[]; samples: RttSample[] } {
  const sent: SentRecord[] = rtts.map((_, seq) => ({ seq, sendMs: seq * 10 }));
  const samples = rtts.map((rttMs, seq) => ({ seq, sendMs: seq * 10, rttMs }));
  return { sent, samples };
}

describe('round trips left out of the grade', () => {
  it('leaves out every round trip in flight during a suspect interval, not only those sent in it', () => {
    // 10 probes. A stall from 35 to 45 ms. Probe 2 (sent at 20 ms) came back at 20 + 30 = 50 ms:
    // in flight across the stall. Probe 3 (30 ms, back at 32 ms) ended before it; probe 4 was sent
    // in it; probe 5 (50 ms) after it. Hand count: probes 2 and 4 are left out.
    const rtts = [2, 2, 30, 2, 2, 2, 2, 2, 2, 2];
    const a = analyzeRoundTrip(records(rtts), [{ startMs: 35, endMs: 45 }]);
    expect(a.rttMs?.count).toBe(10);
    expect(a.gradedRttMs?.count).toBe(8);
    expect(a.gradedRttMs?.max).toBe(2);
  });

  it('keeps a round trip that ends exactly before the interval and one sent exactly after it', () => {
    // Probe 1: 10 -> 19.999 ms; probe 3: sent at 30 ms, the interval ends at 29.999 ms.
    const a = analyzeRoundTrip(records([1, 9.999, 1, 1]), [{ startMs: 20, endMs: 29.999 }]);
    // Probe 2 (sent at 20) is inside; the others are not.
    expect(a.gradedRttMs?.count).toBe(3);
  });

  it('a backlog that never drains between stalls leaves nothing to grade', () => {
    // Every round trip lasts 3.7 s (a starved device's queues), stalls every 500 ms: each
    // flight crosses a stall, so no round trip is evidence about the network.
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
