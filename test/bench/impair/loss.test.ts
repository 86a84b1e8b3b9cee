import { describe, expect, it } from 'vitest';
import { simulateDirection, periodicPackets } from '../../../bench/impair/simulate.js';
import { binomialBounds, settings } from './helpers.js';

const N = 100_000;
const packets = periodicPackets(N, 1, 200);

/** Lengths of runs of consecutive dropped packets (by arrival index). */
function burstLengths(droppedIds: Set<number>, n: number): number[] {
  const runs: number[] = [];
  let run = 0;
  for (let i = 0; i < n; i++) {
    if (droppedIds.has(i)) run++;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  if (run > 0) runs.push(run);
  return runs;
}

function droppedIds(result: ReturnType<typeof simulateDirection>): Set<number> {
  return new Set(result.actions.filter((a) => a.kind === 'drop').map((a) => a.packetId));
}

describe('Bernoulli loss', () => {
  it('drops at the configured rate, within binomial bounds over 100,000 packets', () => {
    const p = 0.02;
    const result = simulateDirection(settings({ loss: { probability: p } }), 'bernoulli', packets);
    const [low, high] = binomialBounds(N, p);
    const dropped = result.truth.counts.dropped.random;
    expect(dropped).toBeGreaterThan(low);
    expect(dropped).toBeLessThan(high);
    expect(result.truth.counts.droppedTotal).toBe(dropped);
    expect(result.truth.counts.forwarded).toBe(N - dropped);
    expect(result.sends.length).toBe(N - dropped);
  });
});

describe('Gilbert-Elliott loss', () => {
  it('matches theory: loss rate p/(p+r) and mean burst length 1/r', () => {
    const [p, r] = [0.01, 0.25];
    const result = simulateDirection(settings({ gilbertElliott: { pGoodToBad: p, pBadToGood: r } }), 'ge', packets);
    const lossRate = result.truth.counts.dropped.gilbertElliott / N;
    // Theory 0.03846; the GE chain's correlation (lambda = 1 - p - r = 0.74) widens the
    // binomial sd by sqrt((1 + lambda) / (1 - lambda)) ~ 2.6: sd ~ 0.0016, bound ~ 5 sd.
    expect(Math.abs(lossRate - p / (p + r))).toBeLessThan(0.008);
    const runs = burstLengths(droppedIds(result), N);
    const meanBurst = runs.reduce((s, x) => s + x, 0) / runs.length;
    // ~960 bursts, geometric with mean 4 and sd 3.5: sd of the mean ~ 0.11.
    expect(Math.abs(meanBurst - 1 / r)).toBeLessThan(0.5);
  });

  it('loses with lossInGood/lossInBad in each state', () => {
    // Never leaves the good state: only lossInGood applies.
    const result = simulateDirection(
      settings({ gilbertElliott: { pGoodToBad: 0, pBadToGood: 1, lossInGood: 0.1, lossInBad: 1 } }),
      'ge-good',
      packets.slice(0, 20_000),
    );
    const [low, high] = binomialBounds(20_000, 0.1);
    expect(result.truth.counts.dropped.gilbertElliott).toBeGreaterThan(low);
    expect(result.truth.counts.dropped.gilbertElliott).toBeLessThan(high);
  });
});

describe('fixed bursts', () => {
  it('every N packets drops exactly k in a row', () => {
    const result = simulateDirection(
      settings({ bursts: [{ kind: 'every', lengthPackets: 3, everyPackets: 50, offsetPackets: 10 }] }),
      'bursts',
      packets.slice(0, 1000),
    );
    const ids = droppedIds(result);
    const expected = new Set<number>();
    for (let start = 10; start < 1000; start += 50) for (let k = 0; k < 3; k++) expected.add(start + k);
    expect(ids).toEqual(expected);
    expect(burstLengths(ids, 1000).every((len) => len === 3)).toBe(true);
    expect(result.truth.counts.dropped.burst).toBe(expected.size);
  });

  it('at given times drops the k packets starting at the first arrival at or after each time', () => {
    // Packets every 20 ms from t = 0; bursts at 100 ms (ids 5..8) and 230 ms (first arrival 240: ids 12..15).
    const result = simulateDirection(settings({ bursts: [{ kind: 'at', lengthPackets: 4, atMs: [230, 100] }] }), 'burst-at', periodicPackets(40, 20, 200));
    expect([...droppedIds(result)].sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 12, 13, 14, 15]);
  });

  it('records the burst cause first when several models drop the same packet', () => {
    const result = simulateDirection(
      settings({ loss: { probability: 1 }, bursts: [{ kind: 'every', lengthPackets: 1, everyPackets: 2 }] }),
      'precedence',
      packets.slice(0, 100),
    );
    expect(result.truth.counts.dropped).toEqual({ burst: 50, gilbertElliott: 0, random: 50, queueOverflow: 0 });
  });
});
