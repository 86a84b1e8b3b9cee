/**
 * The event-loop sampler and its /metrics windows (server/loop-delay.ts) on an injected clock and
 * timer: nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import { LoopDelayWindow, lateByMs, startLoopSampler } from '../../server/loop-delay.js';

describe('lateByMs', () => {
  it('is the time past the period, never below 0, and null without a previous tick or with a clock that ran back', () => {
    expect(lateByMs(100, 330, 200)).toBe(30);
    expect(lateByMs(100, 250, 200)).toBe(0);
    expect(lateByMs(null, 250, 200)).toBeNull();
    expect(lateByMs(300, 250, 200)).toBeNull();
  });
});

describe('startLoopSampler', () => {
  it('arms every idle period while idle, every busy period while busy, and measures each tick against the period it was armed with', () => {
    let clock = 1000;
    let busy = false;
    const armed: Array<{ ms: number; fire: () => void }> = [];
    const ticks: Array<[number, number | null]> = [];
    const sampler = startLoopSampler({
      busyPeriodMs: 20,
      idlePeriodMs: 200,
      busy: () => busy,
      onTick: (nowMs, lateMs) => ticks.push([nowMs, lateMs]),
      nowMs: () => clock,
      after: (ms, fire) => {
        armed.push({ ms, fire });
        return () => undefined;
      },
    });
    const fireAt = (ms: number): void => {
      clock = ms;
      armed[armed.length - 1]?.fire();
    };
    fireAt(1230); // idle: due at 1200, late 30
    busy = true; // a test opens: the timer armed now is the busy one
    fireAt(1430); // still the idle period's: due at 1430, on time
    fireAt(1455); // busy: due at 1450, late 5
    busy = false;
    fireAt(1475); // the busy period's: on time
    sampler.stop();
    expect(armed.map((a) => a.ms)).toEqual([200, 200, 20, 20, 200]);
    expect(ticks).toEqual([
      [1000, null],
      [1230, 30],
      [1430, 0],
      [1455, 5],
      [1475, 0],
    ]);
  });

  it("counts at each tick the datagrams' longest wait since the last, as a stretch that ended when that datagram was handled", () => {
    let clock = 1000;
    const armed: Array<() => void> = [];
    const ticks: Array<[number, number | null]> = [];
    const waits: Array<{ worstMs: number; atMs: number } | null> = [null, { worstMs: 12.5, atMs: 1080 }];
    const sampler = startLoopSampler({
      busyPeriodMs: 50,
      idlePeriodMs: 200,
      busy: () => true,
      onTick: (nowMs, lateMs) => ticks.push([nowMs, lateMs]),
      datagramWaits: () => waits.shift() ?? null,
      nowMs: () => clock,
      after: (_ms, fire) => {
        armed.push(fire);
        return () => undefined;
      },
    });
    clock = 1050;
    armed.at(-1)?.();
    clock = 1101; // the timer 1 ms late; a datagram handled at 1080 had waited 12.5 ms
    armed.at(-1)?.();
    clock = 1151;
    armed.at(-1)?.();
    sampler.stop();
    expect(ticks).toEqual([
      [1000, null],
      [1050, 0],
      [1080, 12.5],
      [1101, 1],
      [1151, 0],
    ]);
  });

  it('cancels its timer on stop', () => {
    let cancelled = 0;
    const sampler = startLoopSampler({
      busyPeriodMs: 20,
      idlePeriodMs: 200,
      busy: () => false,
      onTick: () => undefined,
      after: () => () => void cancelled++,
    });
    sampler.stop();
    expect(cancelled).toBe(1);
  });
});

describe('LoopDelayWindow', () => {
  it('reads the window under way until the first completes, then the last complete window', () => {
    let clock = 0;
    const w = new LoopDelayWindow(() => clock, 30);
    expect(w.reading()).toEqual({ windowS: 30, p50Ms: 0, p99Ms: 0, maxMs: 0, samples: 0 });
    for (const ms of [0, 0.5, 1.5]) w.record(ms);
    expect(w.reading()).toEqual({ windowS: 30, p50Ms: 0.5, p99Ms: 1.5, maxMs: 1.5, samples: 3 });
    clock = 30_000; // the second window: the first is the reading
    w.record(1);
    expect(w.reading()).toEqual({ windowS: 30, p50Ms: 0.5, p99Ms: 1.5, maxMs: 1.5, samples: 3 });
    clock = 60_000;
    expect(w.reading()).toEqual({ windowS: 30, p50Ms: 1, p99Ms: 1, maxMs: 1, samples: 1 });
  });

  it('reads a window that saw no tick after the last one as empty', () => {
    let clock = 0;
    const w = new LoopDelayWindow(() => clock, 30);
    w.record(1);
    clock = 90_000; // windows 1 and 2 saw nothing
    expect(w.reading().samples).toBe(0);
  });
});
