/**
 * The relay's allocations per network and its reserve (server/common/door.ts). The red team's
 * attacks: 4 /64s of one /48, each at its per-source quota (256), took all 1,000 allocations of
 * the default relay; later 4 IPv4 networks took 900 of them. Now one network (an IPv6 /48, an IPv4
 * address) holds at most an eighth of the total (125; 486 beyond), and the last quarter (250) goes
 * only to a network that holds none of the first three quarters (508 quota-reserve for one that
 * does): four networks hold half of the relay, and eight are needed to fill it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUOTAS } from '../../../../server/turn/core/index.js';
import { allocateUntilRefused, makeHarness } from '../helpers/core-harness.js';

describe('relay allocations per network (IPv6 /48, IPv4 address) and the reserve', () => {
  it('the attack: 4 /64s of one /48 get 125 of the 1,000 allocations together, and a fresh /64 of another /48 still gets its own', () => {
    const q = DEFAULT_QUOTAS;
    const h = makeHarness({ relay: { 4: '127.0.0.1', 6: '::1' } });
    const byLan = [1, 2, 3, 4].map((lan) => allocateUntilRefused(h, `2001:db8:48:${lan}::1`, q.maxAllocationsTotal));
    expect(byLan).toEqual([
      { granted: 125, refusal: 486 },
      { granted: 0, refusal: 486 },
      { granted: 0, refusal: 486 },
      { granted: 0, refusal: 486 },
    ]);
    expect(h.core.allocationCount).toBe(125);
    const stats = h.metrics.listener('udp', 3478);
    expect(stats.refusals.get('quota-network')).toBe(3);
    // Another /48 and an IPv4 client each get a network's share.
    expect(allocateUntilRefused(h, '2001:db8:49:1::1', q.maxAllocationsTotal)).toEqual({ granted: 125, refusal: 486 });
    expect(allocateUntilRefused(h, '203.0.113.7', 1)).toEqual({ granted: 1, refusal: undefined });
    expect(h.metrics.doorRefusals()).toContainEqual(['relay-allocation', 'network', 3]);
  });

  it('four IPv4 networks hold half of the relay; the last quarter goes only to networks holding none of the rest, a share each', () => {
    const h = makeHarness({ relay: { 4: '127.0.0.1', 6: '::1' } });
    for (let n = 1; n <= 4; n++) expect(allocateUntilRefused(h, `198.51.100.${n}`, 1000).granted).toBe(125);
    expect(h.core.allocationCount).toBe(500);
    // Three more networks: 750 held, the reserve begins.
    expect(allocateUntilRefused(h, '198.51.100.5', 1000).granted).toBe(125);
    expect(allocateUntilRefused(h, '2001:db8:6:1::1', 100).granted).toBe(100);
    expect(allocateUntilRefused(h, '198.51.100.7', 25).granted).toBe(25);
    // Another /64 of a /48 that holds some of the first 750 takes none of the reserve, though within its share.
    expect(allocateUntilRefused(h, '2001:db8:6:2::1', 10)).toEqual({ granted: 0, refusal: 508 });
    const stats = h.metrics.listener('udp', 3478);
    expect(stats.refusals.get('quota-reserve')).toBe(1);
    // A newcomer gets its share (a test needs several allocations), then another; then the relay is full.
    expect(allocateUntilRefused(h, '203.0.113.1', 1000)).toEqual({ granted: 125, refusal: 486 });
    expect(allocateUntilRefused(h, '203.0.113.2', 1000)).toEqual({ granted: 125, refusal: 486 });
    expect(h.core.allocationCount).toBe(1000);
    expect(allocateUntilRefused(h, '203.0.113.3', 1)).toEqual({ granted: 0, refusal: 508 });
    expect(stats.refusals.get('quota-total')).toBe(1);
  });
});
