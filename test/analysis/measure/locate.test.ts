/**
 * The locate's figures for one edge, against hand-computed values: round trips by nearest rank,
 * a duplicate counted once, a probe still on its way at the end neither a round trip nor a loss,
 * an arrival for a probe never sent ignored.
 */
import { describe, expect, it } from 'vitest';
import { relayRttFigures } from '../../../src/analysis/measure/locate.js';

describe('relayRttFigures', () => {
  it('takes nearest-rank p50 and p90 of the round trips and the loss of the judged probes', () => {
    // 10 probes every 30 ms from t = 100; round trips 20, 21, ..., 27 ms for probes 0-7; 8 and 9 never came back.
    const sentMs = Array.from({ length: 10 }, (_, i) => 100 + 30 * i);
    const arrivals = Array.from({ length: 8 }, (_, i) => ({ seq: i, recvMs: 100 + 30 * i + 20 + i }));
    // Probe 9 was sent at 370: overdue at 1370, after the end (1350): not judged. Probe 8 (sent 340, overdue at 1340) is.
    const f = relayRttFigures({ sentMs, arrivals: [...arrivals, { seq: 3, recvMs: 999 }, { seq: 42, recvMs: 500 }], judgedUntilMs: 1350, lossTimeoutMs: 1000 });
    // Sorted 20..27 (n = 8): p50 rank ceil(4) = 4 -> 23; p90 rank ceil(7.2) = 8 -> 27.
    expect(f).toEqual({ probesSent: 10, probesJudged: 9, received: 8, rttMsP50: 23, rttMsP90: 27, lossPct: (100 * 1) / 9 });
  });

  it('has no figure where nothing came back or nothing was judged', () => {
    expect(relayRttFigures({ sentMs: [0, 30], arrivals: [], judgedUntilMs: 2_000, lossTimeoutMs: 1_000 })).toEqual({
      probesSent: 2,
      probesJudged: 2,
      received: 0,
      rttMsP50: null,
      rttMsP90: null,
      lossPct: 100,
    });
    expect(relayRttFigures({ sentMs: [], arrivals: [], judgedUntilMs: 0, lossTimeoutMs: 1_000 })).toMatchObject({
      probesJudged: 0,
      lossPct: null,
      rttMsP50: null,
    });
  });
});
