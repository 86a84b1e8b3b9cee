/**
 * The relay's allocations per network and its reserve (src/protocol/door.ts). The red team's
 * attack: 4 /64s of one /48, each at its per-source quota (256), took all 1,000 allocations of
 * the default relay (others got 508, then nothing). Now the /64s of one /48 together hold at most
 * 256 (486 quota-network beyond), and the last 100 of the 1,000 go only to a source that holds
 * no allocation yet (508 quota-reserve for one that does).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUOTAS } from '../../../../server/turn/core/index.js';
import { allocateUntilRefused, makeHarness } from '../helpers/core-harness.js';

describe('relay allocations per network (IPv6 /48) and the reserve', () => {
  it('the attack: 4 /64s of one /48 get 256 of the 1,000 allocations together, and a fresh /64 of another /48 still gets its own', () => {
    const q = DEFAULT_QUOTAS;
    const h = makeHarness({ relay: { 4: '127.0.0.1', 6: '::1' } });
    const byLan = [1, 2, 3, 4].map((lan) => allocateUntilRefused(h, `2001:db8:48:${lan}::1`, q.maxAllocationsTotal));
    expect(byLan).toEqual([
      { granted: 256, refusal: 486 },
      { granted: 0, refusal: 486 },
      { granted: 0, refusal: 486 },
      { granted: 0, refusal: 486 },
    ]);
    expect(h.core.allocationCount).toBe(256);
    const stats = h.metrics.listener('udp', 3478);
    expect(stats.refusals.get('quota-network')).toBe(3);
    // Another /48 and an IPv4 client each get a source's share.
    expect(allocateUntilRefused(h, '2001:db8:49:1::1', q.maxAllocationsTotal)).toEqual({ granted: 256, refusal: 486 });
    expect(allocateUntilRefused(h, '203.0.113.7', 1)).toEqual({ granted: 1, refusal: undefined });
    expect(h.metrics.doorRefusals()).toContainEqual(['relay-allocation', 'network', 3]);
  });

  it('keeps the last 100 allocations for sources that hold none: one each', () => {
    const h = makeHarness({ relay: { 4: '127.0.0.1', 6: '::1' } });
    // Four /48s take 225 each (within their network's 256): 900 held, the reserve begins.
    for (let n = 1; n <= 4; n++) expect(allocateUntilRefused(h, `2001:db8:${n}:1::1`, 225).granted).toBe(225);
    expect(allocateUntilRefused(h, '2001:db8:1:1::1', 10)).toEqual({ granted: 0, refusal: 508 });
    const stats = h.metrics.listener('udp', 3478);
    expect(stats.refusals.get('quota-reserve')).toBe(1);
    // A new source gets one, then is a holder like the others.
    expect(allocateUntilRefused(h, '198.51.100.1', 10)).toEqual({ granted: 1, refusal: 508 });
    for (let n = 2; n <= 100; n++) expect(allocateUntilRefused(h, `198.51.100.${n}`, 1).granted).toBe(1);
    expect(h.core.allocationCount).toBe(1000);
    expect(allocateUntilRefused(h, '198.51.100.200', 1)).toEqual({ granted: 0, refusal: 508 });
    expect(stats.refusals.get('quota-total')).toBe(1);
  });
});
