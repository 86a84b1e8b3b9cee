import { describe, expect, it } from 'vitest';
import { lossPattern } from '../../../src/analysis/measure/loss.js';

describe('loss pattern (RFC 3357 and Gilbert model)', () => {
  it('matches a hand-computed pattern', () => {
    // lost: 1,2 | 5 | 9 of 0..9
    const lost = [0, 1, 1, 0, 0, 1, 0, 0, 0, 1];
    const r = lossPattern(
      lost,
      lost.map((_, i) => i),
    );
    expect(r.lost).toBe(4);
    expect(r.lossPct).toBe(40);
    expect(r.periods).toEqual({ count: 3, meanLength: 4 / 3, maxLength: 2 });
    // Loss distances: 2-1, 5-2, 9-5.
    expect(r.distance).toEqual({ count: 3, meanPackets: 8 / 3, minPackets: 1 });
    // From received (0,3,4,6,7,8): to lost at 0->1, 4->5, 8->9: p = 3/6.
    // From lost (1,2,5): to received at 2->3, 5->6: q = 2/3. BurstR = 1/(p+q).
    expect(r.markov.p).toBe(0.5);
    expect(r.markov.q).toBeCloseTo(2 / 3, 12);
    expect(r.markov.burstRatio).toBeCloseTo(1 / (0.5 + 2 / 3), 12);
  });

  it('uses sequence numbers for loss distance', () => {
    const r = lossPattern([1, 0, 1], [10, 20, 30]);
    expect(r.distance.meanPackets).toBe(20);
  });

  it('gives BurstR = 1 with no loss and BurstR > 1 for one long burst', () => {
    expect(lossPattern([0, 0, 0], [0, 1, 2]).markov.burstRatio).toBe(1);
    const burst = Array.from({ length: 100 }, (_, i) => (i >= 40 && i < 50 ? 1 : 0));
    // p = 1/89 (one transition into loss out of 89 from received), q = 1/10.
    const r = lossPattern(
      burst,
      burst.map((_, i) => i),
    );
    expect(r.markov.burstRatio).toBeCloseTo(1 / (1 / 89 + 1 / 10), 10);
    expect(r.periods.maxLength).toBe(10);
  });
});
