import { describe, expect, it } from 'vitest';
import type { ReleaseAction } from '../../../bench/impair/impairer.js';
import { periodicPackets, simulateDirection } from '../../../bench/impair/simulate.js';
import { meanAbsDifference } from '../../../bench/impair/stats.js';
import { binomialBounds, settings } from './helpers.js';

/** Originals in sending order. */
const originals = (sends: ReleaseAction[]) => sends.filter((s) => s.copy === 'original');

/** RFC 4737 reordered singletons in a sending order (oracle written apart from the recorder). */
function reorderedCount(sends: ReleaseAction[]): number {
  let next = 0;
  let count = 0;
  for (const s of originals(sends)) {
    if (s.packetId < next) count++;
    else next = s.packetId + 1;
  }
  return count;
}

describe('delay and jitter', () => {
  it('fixed delay is applied exactly', () => {
    const result = simulateDirection(settings({ delayMs: 40 }), 'fixed', periodicPackets(100, 20, 200));
    expect(result.sends.map((s) => s.atMs - s.arrivalMs)).toEqual(Array(100).fill(40));
    expect(result.truth.delayMs).toMatchObject({ count: 100, min: 40, max: 40, p50: 40 });
  });

  it('uniform +-a keeps delays in [d-a, d+a] and gives mean |IPDV| near 2a/3', () => {
    const [d, a] = [40, 5];
    // 100 ms spacing > 2a: jitter cannot reorder, so forwarding order is arrival order.
    const result = simulateDirection(
      settings({ delayMs: d, jitter: { kind: 'uniform', amplitudeMs: a }, jitterMayReorder: true }),
      'uniform',
      periodicPackets(20_000, 100, 200),
    );
    const delays = result.sends.map((s) => s.atMs - s.arrivalMs);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(d - a);
    expect(Math.max(...delays)).toBeLessThanOrEqual(d + a);
    expect(Math.abs((result.truth.delayMs.mean ?? 0) - d)).toBeLessThan(0.1);
    // E|U1 - U2| for U(-a, a) is 2a/3 = 3.333 ms; sd of the mean here ~0.02 ms.
    expect(Math.abs((meanAbsDifference(delays) ?? 0) - (2 * a) / 3)).toBeLessThan(0.1);
  });

  it('normal jitter is truncated at 0 and has the configured spread above it', () => {
    const result = simulateDirection(
      settings({ delayMs: 50, jitter: { kind: 'normal', sigmaMs: 10 }, jitterMayReorder: true }),
      'normal',
      periodicPackets(20_000, 1, 200),
    );
    const delays = result.sends.map((s) => s.atMs - s.arrivalMs);
    const mean = delays.reduce((s, x) => s + x, 0) / delays.length;
    const sd = Math.sqrt(delays.reduce((s, x) => s + (x - mean) ** 2, 0) / delays.length);
    expect(Math.abs(mean - 50)).toBeLessThan(0.4);
    expect(Math.abs(sd - 10)).toBeLessThan(0.4);
    const zeroMean = simulateDirection(
      settings({ delayMs: 0, jitter: { kind: 'normal', sigmaMs: 10 }, jitterMayReorder: true }),
      'normal0',
      periodicPackets(5_000, 1, 200),
    );
    expect(Math.min(...zeroMean.sends.map((s) => s.atMs - s.arrivalMs))).toBeGreaterThanOrEqual(0);
  });

  it('no-reorder mode never reorders and records the delay actually experienced', () => {
    const jitter = { kind: 'normal', sigmaMs: 20 } as const;
    const packets = periodicPackets(5_000, 2, 200);
    const strict = simulateDirection(settings({ delayMs: 60, jitter }), 'noreorder', packets);
    const ids = originals(strict.sends).map((s) => s.packetId);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(strict.truth.counts.reorderedObserved).toBe(0);
    // Release = max(own, previous): the recorded delay includes the wait behind earlier packets.
    let previous = -Infinity;
    for (const s of strict.sends) {
      expect(s.atMs).toBeGreaterThanOrEqual(previous);
      previous = s.atMs;
    }
    expect(strict.truth.delayMs.mean).toBeGreaterThan(60);

    const loose = simulateDirection(settings({ delayMs: 60, jitter, jitterMayReorder: true }), 'noreorder', packets);
    expect(loose.truth.counts.reorderedObserved).toBeGreaterThan(1000);
    expect(loose.truth.counts.reorderedObserved).toBe(reorderedCount(loose.sends));
  });
});

describe('reorder', () => {
  it('holds back packets at the configured rate (gapMs) and later packets overtake them', () => {
    const n = 50_000;
    const p = 0.01;
    const result = simulateDirection(settings({ delayMs: 10, reorder: { probability: p, gapMs: 30 } }), 'reorder-ms', periodicPackets(n, 20, 200));
    const [low, high] = binomialBounds(n, p);
    const held = result.truth.counts.heldBack;
    expect(held).toBeGreaterThan(low);
    expect(held).toBeLessThan(high);
    const heldSends = result.sends.filter((s) => s.heldBack);
    expect(heldSends.length).toBe(held);
    expect(heldSends.every((s) => s.atMs - s.arrivalMs === 40)).toBe(true);
    // A held packet is overtaken by the next one unless that one was held too (~1 % of holds).
    expect(result.truth.counts.reorderedObserved).toBe(reorderedCount(result.sends));
    expect(result.truth.counts.reorderedObserved).toBeGreaterThan(held * 0.97);
    expect(result.truth.counts.reorderedObserved).toBeLessThanOrEqual(held);
  });

  it('gapPackets: an isolated held packet is sent right after exactly k later packets', () => {
    const k = 3;
    const result = simulateDirection(settings({ reorder: { probability: 0.02, gapPackets: k } }), 'reorder-pk', periodicPackets(5_000, 10, 200));
    const order = originals(result.sends).map((s) => s.packetId);
    const heldIds = result.actions.filter((a) => a.kind === 'hold').map((a) => a.packetId);
    const heldSet = new Set(heldIds);
    let checked = 0;
    for (const id of heldIds) {
      const neighbours = Array.from({ length: 2 * k + 1 }, (_, i) => id - k + i).filter((x) => x !== id);
      if (neighbours.some((x) => heldSet.has(x))) continue;
      const position = order.indexOf(id);
      expect(order.slice(position - k, position)).toEqual([id + 1, id + 2, id + 3]);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
    expect(result.truth.counts.heldBack).toBe(heldIds.length);
  });

  it('gapPackets: a hold ends at maxHoldMs when no later packet comes', () => {
    const result = simulateDirection(
      settings({ delayMs: 5, reorder: { probability: 1, gapPackets: 2, maxHoldMs: 100 } }),
      'reorder-max',
      periodicPackets(1, 10, 200),
    );
    expect(result.sends).toHaveLength(1);
    expect(result.sends[0]?.atMs).toBe(105);
    expect(result.truth.counts).toMatchObject({ forwarded: 1, heldBack: 1, pendingAtStop: 0 });
  });
});

describe('duplication', () => {
  it('sends a second copy gapMs later at the configured rate, and counts it', () => {
    const n = 20_000;
    const p = 0.05;
    const result = simulateDirection(settings({ delayMs: 10, duplicate: { probability: p, gapMs: 2 } }), 'dup', periodicPackets(n, 5, 200));
    const duplicates = result.sends.filter((s) => s.copy === 'duplicate');
    const [low, high] = binomialBounds(n, p);
    expect(duplicates.length).toBeGreaterThan(low);
    expect(duplicates.length).toBeLessThan(high);
    expect(result.truth.counts.duplicated).toBe(duplicates.length);
    expect(result.truth.counts.forwarded).toBe(n);
    expect(duplicates.every((s) => s.atMs - s.arrivalMs === 12)).toBe(true);
  });
});
