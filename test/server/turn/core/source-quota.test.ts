/**
 * The per-source allocation quota (--max-allocations-per-ip) counts an IPv6 /64 as one source,
 * as the HTTP side's limits do (server/common/source-key.ts): every address of a /64 is free to
 * whoever holds it. Counted by full address, five addresses of one /64 took all 1,000
 * allocations of the default relay; here they get one share (125: a source's quota, never more than
 * its network's eighth of the total), and other sources keep theirs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUOTAS, type RelayQuotas } from '../../../../server/turn/core/index.js';
import { doorBounds } from '../../../../server/common/door.js';
import { buildAllocate } from '../../../../server/turn/client/requests.js';
import { allocateUntilRefused, cred, errorCodeOf, makeHarness, REALM, T0, type Harness } from '../helpers/core-harness.js';
import { decodeStun } from '../../../../server/turn/codec/index.js';

/** Five addresses of one /64, each trying for more than the whole relay holds. */
function floodOne64(h: Harness, prefix: string, quotas: RelayQuotas): number {
  let total = 0;
  for (const host of ['0:0:0:1', '0:0:0:2', 'abcd:ef01:2345:6789', 'ffff:ffff:ffff:fffe', '9:8:7:6']) {
    const r = allocateUntilRefused(h, `${prefix}:${host}`, quotas.maxAllocationsTotal);
    total += r.granted;
    expect(r.refusal).toBe(486);
  }
  return total;
}

describe('the allocation quota counts by source: an IPv4 address or an IPv6 /64', () => {
  it('gives five addresses of one /64 one share of the default relay, and other /64s and IPv4 their own', () => {
    const q = DEFAULT_QUOTAS;
    // A source's share: --max-allocations-per-ip, never more than its network's eighth of the total (server/common/door.ts).
    const share = doorBounds(q.maxAllocationsTotal, q.maxAllocationsPerSourceIp).perSource;
    const h = makeHarness({ relay: { 4: '127.0.0.1', 6: '::1' } });
    expect(floodOne64(h, '2001:db8:64:1', q)).toBe(share);
    // A /64 of another /48 and an IPv4 client are untouched by it (its own /48's other /64s share its network's bound: network-quota.test.ts).
    expect(allocateUntilRefused(h, '2001:db8:65:2::1', q.maxAllocationsTotal)).toEqual({ granted: share, refusal: 486 });
    expect(allocateUntilRefused(h, '203.0.113.7', q.maxAllocationsTotal)).toEqual({ granted: share, refusal: 486 });
    expect(h.core.census().sources).toBe(3);
    expect(h.core.allocationCount).toBe(3 * share);
    expect(h.metrics.listener('udp', 3478).refusals.get('quota-source-ip')).toBe(5 + 2);
  });

  it('holds for any addresses of one /64 (property): together they get exactly the quota', () => {
    const hostPart = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(hostPart, { minLength: 2, maxLength: 6 }), fc.integer({ min: 1, max: 0xffff }), (hosts, net) => {
        const quota = 7;
        const h = makeHarness({ relay: { 4: '127.0.0.1', 6: '::1' }, quotas: { maxAllocationsPerSourceIp: quota, maxAllocationsTotal: 1000 } });
        let granted = 0;
        for (const w of hosts) granted += allocateUntilRefused(h, `2001:db8:${net.toString(16)}:0:${w.map((x) => x.toString(16)).join(':')}`, 100).granted;
        expect(granted).toBe(quota);
        // The next /64 up is another source.
        expect(allocateUntilRefused(h, `2001:db8:${net.toString(16)}:1::1`, 100).granted).toBe(quota);
      }),
      { seed: 64, numRuns: 40 },
    );
  });

  it('reads an IPv4-mapped IPv6 address as the IPv4 address it carries', () => {
    const h = makeHarness({ quotas: { maxAllocationsPerSourceIp: 4 } });
    expect(allocateUntilRefused(h, '198.51.100.9', 2).granted).toBe(2);
    expect(allocateUntilRefused(h, '::ffff:198.51.100.9', 100)).toEqual({ granted: 2, refusal: 486 });
    // Its IPv4 neighbour is another source.
    expect(allocateUntilRefused(h, '198.51.100.10', 100)).toEqual({ granted: 4, refusal: 486 });
  });

  it('gives a /64 its share back as its allocations end', () => {
    const h = makeHarness({ relay: { 4: '127.0.0.1', 6: '::1' }, quotas: { maxAllocationsPerSourceIp: 3 } });
    const c = h.client(19999, '2001:db8:5::1');
    const auth = { ...cred(T0, 3600, 'refresh'), realm: REALM, nonce: h.core.nonces.issue(c.ip, T0) };
    const open = h.core.handleClient(c, buildAllocate(auth), T0).find((a) => a.kind === 'open-relay');
    if (open?.kind !== 'open-relay') throw new Error('no open-relay');
    h.core.relayOpened(open.relayId, 31000, T0);
    expect(allocateUntilRefused(h, '2001:db8:5::2', 100)).toEqual({ granted: 2, refusal: 486 });
    h.core.clientClosed(c, T0 + 1);
    expect(allocateUntilRefused(h, '2001:db8:5::3', 100)).toEqual({ granted: 1, refusal: 486 });
  });

  it("keeps the server's own reflector (a username only the secret mints) outside the source's count, bounded per username", () => {
    const h = makeHarness({ quotas: { maxAllocationsPerSourceIp: 2, maxAllocationsPerUsername: 3 } });
    // Anonymous callers from the server's own address fill its source share.
    expect(allocateUntilRefused(h, '192.0.2.10', 100)).toEqual({ granted: 2, refusal: 486 });
    const grant = (id: string, port: number): number | undefined => {
      const c = h.client(port, '192.0.2.10');
      const auth = { ...cred(T0, 3600, id), realm: REALM, nonce: h.core.nonces.issue(c.ip, T0) };
      const actions = h.core.handleClient(c, buildAllocate(auth), T0);
      const open = actions.find((a) => a.kind === 'open-relay');
      if (open?.kind === 'open-relay') {
        h.core.relayOpened(open.relayId, 32000 + port, T0);
        return undefined;
      }
      const sent = actions.find((a) => a.kind === 'send-client');
      return sent?.kind === 'send-client' ? errorCodeOf(decodeStun(sent.data)) : -1;
    };
    // The reflector's sessions still get theirs, each username up to its own bound.
    expect([grant('reflector.s1', 101), grant('reflector.s1', 102), grant('reflector.s2', 103)]).toEqual([undefined, undefined, undefined]);
    expect([grant('reflector.s1', 104), grant('reflector.s1', 105)]).toEqual([undefined, 486]);
    expect(h.core.census()).toMatchObject({ allocations: 6, sources: 1, reflectorAllocations: 4 });
    // A page's own id that merely looks like it is another caller from the same source: refused.
    expect(grant('page-reflector.s3', 106)).toBe(486);
  });
});
