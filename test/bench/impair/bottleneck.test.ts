import { describe, expect, it } from 'vitest';
import { simulateDirection, type SimPacket } from '../../../bench/impair/simulate.js';
import { settings } from './helpers.js';

// 8000 bit/s = 1 byte per ms: a 10-byte datagram takes 10 ms on the link.
const RATE = 8000;

const at = (arrivalMs: number, sizeBytes = 10): SimPacket => ({ arrivalMs, sizeBytes });

function fates(result: ReturnType<typeof simulateDirection>): (number | string)[] {
  const byId = new Map<number, number | string>();
  for (const a of result.actions) {
    if (a.kind === 'drop') byId.set(a.packetId, a.cause);
    if (a.kind === 'release') byId.set(a.packetId, a.atMs - a.arrivalMs);
  }
  return [...byId.entries()].sort((x, y) => x[0] - y[0]).map(([, v]) => v);
}

describe('rate limit with a finite queue', () => {
  it('queue in packets: tail drop when full, queueing delay as computed by hand', () => {
    // t=0: five packets. p0 leaves at 10, p1 at 20, p2 at 30; p3, p4 find 3 in the system: dropped.
    // t=25: p1 left at 20, only p2 remains: accepted, starts at 30, leaves at 40 -> 15 ms + 5 ms delay.
    // t=100: queue empty: 10 ms service + 5 ms delay.
    const result = simulateDirection(settings({ delayMs: 5, rateLimit: { bitsPerSecond: RATE, queuePackets: 3 } }), 'rate', [
      at(0),
      at(0),
      at(0),
      at(0),
      at(0),
      at(25),
      at(100),
    ]);
    expect(fates(result)).toEqual([15, 25, 35, 'queueOverflow', 'queueOverflow', 20, 15]);
    expect(result.truth.counts.dropped.queueOverflow).toBe(2);
    expect(result.truth.counts.forwarded).toBe(5);
  });

  it('queue in bytes counts the packet in service and lets a smaller packet in', () => {
    // t=0: 10 B (leaves 10), 10 B (leaves 20), 10 B: 30 B > 25 B -> dropped, 5 B: 25 B fits, leaves 25.
    // t=12: p0 left; backlog p1 + p3 = 15 B, +10 B = 25 B fits; starts at 25, leaves 35 -> 23 ms.
    const result = simulateDirection(settings({ rateLimit: { bitsPerSecond: RATE, queueBytes: 25 } }), 'rate-bytes', [at(0), at(0), at(0), at(0, 5), at(12)]);
    expect(fates(result)).toEqual([10, 20, 'queueOverflow', 25, 23]);
  });

  it('adds overheadBytes to the serialization time', () => {
    const result = simulateDirection(settings({ rateLimit: { bitsPerSecond: RATE, queuePackets: 10, overheadBytes: 10 } }), 'rate-overhead', [at(0), at(0)]);
    expect(fates(result)).toEqual([20, 40]);
  });

  it('a sustained overload fills the queue, then drops the excess and holds a standing delay', () => {
    // 2 packets per 10 ms of 10 B offered to a 1 B/ms link: half must go.
    const packets = Array.from({ length: 2000 }, (_, i) => at(Math.floor(i / 2) * 10));
    const result = simulateDirection(settings({ rateLimit: { bitsPerSecond: RATE, queuePackets: 5 } }), 'rate-overload', packets);
    const { forwarded, dropped } = result.truth.counts;
    expect(forwarded + dropped.queueOverflow).toBe(2000);
    expect(Math.abs(forwarded - 1000)).toBeLessThanOrEqual(5);
    expect(result.truth.delayMs.max).toBeLessThanOrEqual(50);
    expect(result.truth.delayMs.p50).toBeGreaterThanOrEqual(40);
  });
});
