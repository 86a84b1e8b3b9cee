/**
 * The event-loop sampler and its /metrics windows (server/loop-delay.ts): on an injected clock and
 * timer (nothing sleeps), and the UDP addon's sampler on its real timer, held by a busy loop of a
 * known length and waited on by its ticks.
 */
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { LoopDelayWindow, lateByMs, startLoopSampler, startNativeLoopSampler } from '../../server/loop-delay.js';
import { NativeUdpSocket, takeDatagramWaits } from '../../server/turn/transport/native-udp.js';
import { waitFor, withDeadline } from '../kit/wait.js';

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
    for (const ms of [0, 0.5, 1.5]) w.record(clock, ms);
    expect(w.reading()).toEqual({ windowS: 30, p50Ms: 0.5, p99Ms: 1.5, maxMs: 1.5, samples: 3 });
    clock = 30_000; // the second window: the first is the reading
    w.record(clock, 1);
    expect(w.reading()).toEqual({ windowS: 30, p50Ms: 0.5, p99Ms: 1.5, maxMs: 1.5, samples: 3 });
    clock = 60_000;
    expect(w.reading()).toEqual({ windowS: 30, p50Ms: 1, p99Ms: 1, maxMs: 1, samples: 1 });
  });

  it('counts a tick handed over after its window ended in its own window, not the next', () => {
    let clock = 29_990;
    const w = new LoopDelayWindow(() => clock, 30);
    clock = 30_050; // the addon's sampler hands over a batch after the window ended
    w.record(29_995, 7);
    w.record(30_005, 2);
    clock = 60_000;
    expect(w.reading()).toEqual({ windowS: 30, p50Ms: 2, p99Ms: 2, maxMs: 2, samples: 1 });
  });

  it('reads a window that saw no tick after the last one as empty', () => {
    let clock = 0;
    const w = new LoopDelayWindow(() => clock, 30);
    w.record(clock, 1);
    clock = 90_000; // windows 1 and 2 saw nothing
    expect(w.reading().samples).toBe(0);
  });
});

/** Holds this thread's event loop `ms` by its own clock (nothing else runs meanwhile); returns when the hold began. */
function holdLoop(ms: number): number {
  const from = performance.now();
  while (performance.now() - from < ms) {
    // busy: no timer fires, no socket is read
  }
  return from;
}

describe("startNativeLoopSampler (the UDP addon's timer)", () => {
  const samplers: Array<{ stop(): void }> = [];
  afterEach(() => {
    for (const s of samplers.splice(0)) s.stop();
  });

  it('notes how late its timer fired: a hold of the loop counts whole, from when the timer was due', async () => {
    const ticks: Array<[number, number | null]> = [];
    const s = startNativeLoopSampler({ busyPeriodMs: 5, idlePeriodMs: 200, busy: () => true, onTick: (at, late) => ticks.push([at, late]) });
    samplers.push(s);
    expect(ticks).toHaveLength(1); // the start only begins the count
    expect(ticks[0]?.[1]).toBeNull();
    await waitFor(() => (s.flush(), ticks.length >= 3), { timeoutMs: 5000, what: 'two ticks' });
    const heldFrom = holdLoop(40);
    // Armed before the hold, due 5 ms later: late by at least the hold less the period.
    const late = await waitFor(() => (s.flush(), ticks.find(([at, ms]) => at >= heldFrom && ms !== null && ms >= 34.9)), {
      timeoutMs: 5000,
      what: 'the late tick',
      state: () => JSON.stringify(ticks.slice(-3)),
    });
    expect(late[0]).toBeGreaterThanOrEqual(heldFrom + 40);
    expect(late[0]).toBeLessThanOrEqual(performance.now());
    // Time order, on performance.now()'s clock.
    expect(ticks.every(([at], i) => i === 0 || at >= (ticks[i - 1]?.[0] ?? 0))).toBe(true);
  });

  it('hands over each tick at once while idle, in batches while busy, and reads busy() at each hand-over', async () => {
    let busy = false;
    const ticks: number[] = [];
    const s = startNativeLoopSampler({ busyPeriodMs: 5, idlePeriodMs: 200, busy: () => busy, onTick: (at) => ticks.push(at) });
    samplers.push(s);
    // Idle: no flush, yet the first tick arrives (the addon hands over at each idle tick).
    await waitFor(() => ticks.length >= 2, { timeoutMs: 5000, what: 'the first idle tick, unflushed' });
    busy = true;
    // Busy from the next hand-over: 5 ms apart, handed over every 100 ms (20 ticks).
    await waitFor(() => ticks.length >= 45, { timeoutMs: 10_000, what: 'busy ticks', state: () => `${ticks.length} ticks` });
    const gaps = ticks
      .slice(-20)
      .map((at, i, a) => (i === 0 ? 0 : at - (a[i - 1] ?? at)))
      .slice(1)
      .sort((a, b) => a - b);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(100);
    s.stop();
    const stopped = ticks.length;
    holdLoop(20);
    await new Promise((r) => setImmediate(r));
    expect(ticks.length).toBe(stopped);
  });

  it("counts the datagrams' longest wait at each tick, as a stretch that ended when that datagram was handled", async () => {
    const rx = NativeUdpSocket.bind(4, '127.0.0.1', 0, 1 << 16);
    const tx = NativeUdpSocket.bind(4, '127.0.0.1', 0, 1 << 16);
    let heard = 0;
    rx.start(
      () => void heard++,
      () => undefined,
    );
    const ticks: Array<[number, number | null]> = [];
    const s = startNativeLoopSampler({ busyPeriodMs: 200, idlePeriodMs: 200, busy: () => true, onTick: (at, late) => ticks.push([at, late]) }, true);
    samplers.push(s, { stop: () => (rx.close(), tx.close()) });
    takeDatagramWaits(); // what other tests' sockets read before
    const sentFrom = performance.now();
    expect(tx.send(Buffer.from('held'), '127.0.0.1', rx.port)).toBeNull();
    const heldFrom = holdLoop(30);
    await waitFor(() => heard === 1, { timeoutMs: 5000, what: 'the datagram' });
    const handledBy = performance.now();
    // Its wait (how long, the addon's socket test holds) is the first record at or after the hold: the timer (200 ms) is not due yet.
    const wait = await waitFor(() => (s.flush(), ticks.find(([at], i) => i > 0 && at >= heldFrom)), { timeoutMs: 5000, what: "the datagram's wait" });
    expect(wait[0]).toBeGreaterThanOrEqual(heldFrom + 30);
    expect(wait[0]).toBeLessThanOrEqual(handledBy);
    expect(wait[1]).toBeGreaterThanOrEqual(0);
    // It began no earlier than the send (the kernel's receive time on the wall clock, brought to this one: 1 ms allowed).
    expect(wait[0] - (wait[1] ?? 0)).toBeGreaterThanOrEqual(sentFrom - 1);
    // The sampler took it: nothing is left for another reader.
    expect(takeDatagramWaits()).toBeNull();
  });

  it('takes a tick in a turn of the loop that woke for something else once half a period has passed: on time, late 0, the timer armed again from it', async () => {
    const ticks: Array<[number, number | null]> = [];
    const startedAt = performance.now();
    const s = startNativeLoopSampler({ busyPeriodMs: 1000, idlePeriodMs: 200, busy: () => true, onTick: (at, late) => ticks.push([at, late]) });
    samplers.push(s);
    // A wake well within the first half of the period: no tick (the start's only).
    const early = await new Promise<number>((r) => setTimeout(() => r(performance.now()), 100));
    s.flush();
    expect(early - startedAt).toBeLessThan(500);
    expect(ticks).toHaveLength(1);
    // A wake past half the period, long before the timer is due: the tick is taken in that turn
    // (a timer's wake runs the loop's check phase before its timers phase: at or just before the call).
    const woke = await new Promise<number>((r) => setTimeout(() => r(performance.now()), 600 - (performance.now() - startedAt)));
    const tick = await waitFor(() => (s.flush(), ticks[1]), { timeoutMs: 5000, what: 'the tick of that turn' });
    expect(tick[1]).toBe(0);
    expect(tick[0] - startedAt).toBeGreaterThanOrEqual(500);
    expect(tick[0]).toBeLessThanOrEqual(woke);
    expect(tick[0] - startedAt).toBeLessThan(1000);
    // The timer was armed again from it: its next tick is a whole period after, not at the old due time.
    const next = await waitFor(() => (s.flush(), ticks.find(([at]) => at > tick[0])), { timeoutMs: 5000, what: 'the next tick' });
    expect(next[0] - tick[0]).toBeGreaterThanOrEqual(500);
  });

  it('counts a tick on time when the loop was waiting in its poll at the due time and woke later for something else', async () => {
    // Wakes every 250 ms against a period of 200: past each tick's due time, before the timer's
    // backstop (half a period later), the loop waiting in its poll in between, as a page's stream
    // wakes it. Nothing else wakes this loop meanwhile (no polling: the ticks' hand-over settles it).
    const ticks: Array<[number, number | null]> = [];
    const pastDue: Array<[number, number | null]> = [];
    let enough: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (enough = resolve));
    const s = startNativeLoopSampler({
      busyPeriodMs: 200,
      idlePeriodMs: 200,
      busy: () => true,
      onTick: (at, late) => {
        const gap = at - (ticks.at(-1)?.[0] ?? Infinity);
        ticks.push([at, late]);
        if (gap > 201 && gap < 299) pastDue.push([gap, late]);
        if (pastDue.length >= 3) enough();
      },
    });
    samplers.push(s);
    const wakes = setInterval(() => undefined, 250);
    samplers.push({ stop: () => clearInterval(wakes) });
    await withDeadline(done, { timeoutMs: 10_000, what: 'three ticks past their due time' });
    // Against the due time each would read about 50 ms; the loop was idle then, so each reads 0.
    expect(
      pastDue.every(([, late]) => late === 0),
      JSON.stringify(ticks),
    ).toBe(true);
  });

  it('counts the whole stretch when a callback of the poll ran past the due time', async () => {
    const rx = NativeUdpSocket.bind(4, '127.0.0.1', 0, 1 << 16);
    const tx = NativeUdpSocket.bind(4, '127.0.0.1', 0, 1 << 16);
    let heldFrom = 0;
    rx.start(
      () => void (heldFrom = holdLoop(300)),
      () => undefined,
    );
    samplers.push({ stop: () => (rx.close(), tx.close()) });
    const ticks: Array<[number, number | null]> = [];
    const s = startNativeLoopSampler({ busyPeriodMs: 200, idlePeriodMs: 200, busy: () => true, onTick: (at, late) => ticks.push([at, late]) });
    // Read after the sampler started: its first due time is at most 200 ms after this (read before,
    // a start delayed by a busy machine moved the due time past the bound below).
    const startedAt = performance.now();
    samplers.push(s);
    // At once, long before half the period: the datagram's handler holds the loop 300 ms, past the
    // tick's due time (200 ms) and its backstop's (300 ms). The poll had woken before the due time.
    expect(tx.send(Buffer.from('hold'), '127.0.0.1', rx.port)).toBeNull();
    const tick = await waitFor(() => (s.flush(), ticks.find(([at], i) => i > 0 && heldFrom > 0 && at >= heldFrom + 300)), {
      timeoutMs: 5000,
      what: 'the tick after the hold',
      state: () => JSON.stringify(ticks),
    });
    // Late from the due time, not from the backstop's (at most 100 ms) nor 0.
    expect(tick[1]).toBeGreaterThanOrEqual(heldFrom + 300 - (startedAt + 200) - 1);
    expect(tick[1]).toBeGreaterThan(100);
  });

  it('refuses a period out of range', () => {
    expect(() => startNativeLoopSampler({ busyPeriodMs: 0, idlePeriodMs: 200, busy: () => true, onTick: () => undefined })).toThrow(TypeError);
  });
});
