/** The busy-line testbed's acceptance rule against irtt (bench/load-latency/testbed.ts), on figures worked by hand. */
import { describe, expect, it } from 'vitest';
import { withinReference } from '../../../bench/load-latency/testbed.js';

describe('withinReference', () => {
  it('within 10 % of irtt on a long queue, 5 ms on a short one', () => {
    expect(withinReference(890, 980)).toBe(true); // 90 <= 98
    expect(withinReference(880, 980)).toBe(false); // 100 > 98
    expect(withinReference(14, 10)).toBe(true); // 4 <= 5
    expect(withinReference(16, 10)).toBe(false);
  });

  it("outside 10 %, still inside irtt's own interval for its median: a swing of the queue, and a pass", () => {
    // 386.2 against 432.7 is 10.7 % off; an interval of 350-450 holds it.
    expect(withinReference(386.2, 432.7, { lo: 350, hi: 450 })).toBe(true);
    expect(withinReference(386.2, 432.7, { lo: 420, hi: 445 })).toBe(false);
    expect(withinReference(386.2, 432.7, null)).toBe(false);
  });

  it('no figure on either side: no judgement', () => {
    expect(withinReference(null, 10)).toBeNull();
    expect(withinReference(10, null)).toBeNull();
  });
});
