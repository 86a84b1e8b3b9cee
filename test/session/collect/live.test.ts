import { describe, expect, it } from 'vitest';
import { LiveMeter } from '../../../src/session/collect/live.js';
import { SentLog } from '../../../src/session/collect/sent-log.js';

function meter(count: number): { sent: SentLog; answered: Uint8Array; live: LiveMeter } {
  const sent = new SentLog(count, 0);
  const answered = new Uint8Array(count);
  return { sent, answered, live: new LiveMeter(sent, answered) };
}

describe('live figures', () => {
  it('runs the RFC 3550 jitter step over transit times in arrival order', () => {
    const { live } = meter(4);
    expect(live.figures(0, 0, 1000, 0).jitterMs).toBeNull();
    // Transits 100, 105, 100, 105 ms: J = 0, then D = +5, -5, +5 (hand-computed, exact in binary).
    const seen: (number | null)[] = [];
    for (const transitMs of [100, 105, 100, 105]) {
      live.addTransit(transitMs);
      seen.push(live.figures(0, 0, 1000, 0).jitterMs);
    }
    expect(seen).toEqual([0, 0.3125, 0.60546875, 0.880126953125]);
  });

  it('gives the nearest-rank median round trip of the last two seconds', () => {
    const { live } = meter(1);
    expect(live.rttMedian(0)).toBeNull();
    live.addRtt(0, 50); // older than 2 s at t = 2500: left out
    live.addRtt(1000, 40);
    live.addRtt(1100, 10);
    live.addRtt(1200, 30);
    live.addRtt(1300, 20);
    // {10, 20, 30, 40}: rank ceil(0.5 x 4) = 2 -> 20 (a measured value, not the 25 between them).
    expect(live.rttMedian(2500)).toBe(20);
    live.addRtt(2400, 35);
    // {10, 20, 30, 35, 40}: rank 3 -> 30.
    expect(live.rttMedian(2500)).toBe(30);
    // At 3250 ms the window starts at 1250: {20 (at 1300), 35 (at 2400)}, rank 1 -> 20.
    expect(live.rttMedian(3250)).toBe(20);
  });

  it('judges loss in send order only once a probe is older than the loss timeout', () => {
    const { sent, answered, live } = meter(4);
    for (let i = 0; i < 4; i++) sent.recordSent(i, 10 * i, 10 * i, 0);
    answered[0] = 1;
    answered[3] = 1;
    expect(live.figures(999, 0, 1000, 2).lossPct).toBeNull();
    // At 1015 ms probes 0 and 1 (sent at 0 and 10 ms) are old enough: one of two lost.
    const f = live.figures(1015, 0, 1000, 2);
    expect(f.lossPct).toBe(50);
    expect(f.elapsedS).toBe(1.015);
    expect(f.sent).toBe(4);
    expect(f.received).toBe(2);
    // At 2000 ms all four: probes 1 and 2 lost.
    expect(live.figures(2000, 0, 1000, 2).lossPct).toBe(50);
    answered[2] = 1; // an answer after judgement does not change the verdict
    expect(live.figures(3000, 0, 1000, 3).lossPct).toBe(50);
  });
});
