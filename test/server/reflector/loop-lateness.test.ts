/**
 * The server's event-loop lateness sampler (server/reflector/loop-lateness.ts) on hand-computed
 * ticks: the clock is injected, nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import { LoopLateness, startLoopLateness } from '../../../server/reflector/loop-lateness.js';

const ticks = (l: LoopLateness, times: number[]): void => {
  for (const t of times) l.tick(t);
};

describe('LoopLateness', () => {
  it('keeps the worst lateness of each bin and when that late stretch began', () => {
    const l = new LoopLateness({ periodMs: 20, idlePeriodMs: 200, binMs: 200, bins: 10 });
    // Due every 20 ms: 20 on time, 45 late 5 (40 due), 66 late 1, then 130 (86 due: late 44).
    // 210: due 150, late 60, in bin 1; 230 on time; 251 late 1.
    ticks(l, [0, 20, 45, 66, 130, 210, 230, 251]);
    expect(l.between(0, 399)).toEqual({
      binMs: 200,
      bins: [
        [86, 44],
        [150, 60],
      ],
    });
  });

  it('reads 0 for a bin whose ticks were all on time or early, and lists no bin without a tick', () => {
    const l = new LoopLateness({ periodMs: 20, idlePeriodMs: 200, binMs: 200, bins: 10 });
    // 410 after 30 (380 late, counted whole in bin 2, where it ended); 425 early.
    ticks(l, [10, 30, 410, 425]);
    expect(l.between(0, 599).bins).toEqual([
      [30, 0],
      [50, 360],
    ]);
  });

  it('starts counting at its first tick and ignores a clock that ran back', () => {
    const l = new LoopLateness({ periodMs: 20, idlePeriodMs: 200, binMs: 200, bins: 10 });
    ticks(l, [100, 50, 75]);
    expect(l.between(0, 199).bins).toEqual([[70, 5]]);
  });

  it('keeps only the last `bins` bins: an old one overwritten reads as its new bin', () => {
    const l = new LoopLateness({ periodMs: 20, idlePeriodMs: 200, binMs: 200, bins: 3 });
    // One tick per bin, each 180 ms after the previous due time: late 160 (the first only starts).
    ticks(l, [100, 300, 500, 700, 900]);
    expect(l.between(0, 999).bins).toEqual([
      [320, 180],
      [520, 180],
      [720, 180],
    ]);
    // Bins 0-1 are gone from the ring; asked for alone they are not invented.
    expect(l.between(0, 399).bins).toEqual([]);
  });

  it('measures a tick against the period its timer was armed with (the idle period between tests)', () => {
    const l = new LoopLateness({ periodMs: 20, idlePeriodMs: 200, binMs: 200, bins: 10 });
    // Idle: due 200 after 0, fired at 230 (late 30); then a test opens: due 20 after 230, at 255 (late 5).
    l.tick(0, 200);
    l.tick(230, 200);
    l.tick(255, 20);
    expect(l.between(0, 399).bins).toEqual([[200, 30]]);
  });

  it('rounds to 0.1 ms', () => {
    const l = new LoopLateness({ periodMs: 20, idlePeriodMs: 200, binMs: 200, bins: 10 });
    ticks(l, [0, 20.123, 41.789]);
    expect(l.between(0, 100).bins).toEqual([[40.1, 1.7]]);
  });
});

describe('startLoopLateness', () => {
  it('starts its timer (unref-d) and stops it', () => {
    const s = startLoopLateness({ periodMs: 20, idlePeriodMs: 200, binMs: 200, bins: 10 });
    s.stop();
    expect(s.between(0, 0).bins).toEqual([]);
  });
});
