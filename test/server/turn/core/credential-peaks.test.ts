/**
 * The most allocations one credential held at once, observed when it holds nothing any more:
 * what the per-username quota bounds, and what the allocations bench reads off /metrics.
 */
import { describe, expect, it } from 'vitest';
import { Attr, Method, readText, TRANSPORT_UDP } from '../../../../server/turn/codec/index.js';
import { buildAllocate, buildRefresh, buildRequest } from '../../../../server/turn/client/requests.js';
import { CREDENTIAL_PEAK_BUCKETS } from '../../../../server/turn/core/credential-peaks.js';
import { randomPortAllocator } from '../../../../server/turn/core/index.js';
import { renderCredentialPeaks } from '../../../../server/turn/metrics.js';
import { allocate, cred, makeHarness, must, mulberry32, REALM, reply, T0 } from '../helpers/core-harness.js';

describe('credential peaks', () => {
  it('observes each credential once, its most held at once, when its last allocation ends', () => {
    const h = makeHarness();
    const page = cred(T0, 3600, 'page-a');
    const a = [allocate(h, h.client(41001), T0, page), allocate(h, h.client(41002), T0, page), allocate(h, h.client(41003), T0, page)];
    // Two released, one more taken: 3 at once was the most.
    h.core.clientClosed(h.client(41001), T0 + 1);
    reply(h.core.handleClient(h.client(41002), buildRefresh(must(a[1]).auth, 0), T0 + 2));
    allocate(h, h.client(41004), T0 + 3, page);
    // Still holding: not observed yet, but the largest open peak says 3.
    expect(h.core.credentialPeaks('page')).toMatchObject({ ended: { count: 0 }, openMax: 3 });
    expect(h.core.census().credentialsFollowed).toBe(1);
    h.core.clientClosed(h.client(41003), T0 + 4);
    h.core.clientClosed(h.client(41004), T0 + 5);
    const { ended: p, openMax } = h.core.credentialPeaks('page');
    expect(openMax).toBe(0);
    expect({ sum: p.sum, count: p.count, overflow: p.overflow }).toEqual({ sum: 3, count: 1, overflow: 0 });
    expect(p.buckets[CREDENTIAL_PEAK_BUCKETS.indexOf(3)]).toBe(1);
    expect(p.buckets.reduce((s, n) => s + n, 0)).toBe(1);
    expect(h.core.census().credentialsFollowed).toBe(0);
  });

  it("keeps the server's own reflector apart from the pages, and expiry ends a credential like a release", () => {
    const h = makeHarness();
    const reflector = cred(T0, 3600, 'reflector.s1');
    allocate(h, h.client(42001), T0, reflector);
    allocate(h, h.client(42002), T0, reflector);
    allocate(h, h.client(42003), T0, cred(T0, 3600, 'page-b'));
    expect(h.core.credentialPeaks('reflector').openMax).toBe(2);
    expect(h.core.credentialPeaks('page').openMax).toBe(1);
    // Every allocation's 600 s lifetime passes (RFC 8656 §3.2 default).
    h.core.onTimer(T0 + 601_000);
    expect(h.core.credentialPeaks('reflector')).toMatchObject({ ended: { sum: 2, count: 1 }, openMax: 0 });
    expect(h.core.credentialPeaks('page')).toMatchObject({ ended: { sum: 1, count: 1 }, openMax: 0 });
    expect(h.core.census().credentialsFollowed).toBe(0);
  });

  it('counts an EVEN-PORT reservation as the allocation it stands for', () => {
    const h = makeHarness({ portAllocator: randomPortAllocator(50000, 50999, mulberry32(5)) });
    const c = h.client(43001);
    const challenge = reply(h.core.handleClient(c, buildAllocate(null), T0));
    const auth = { ...cred(T0, 3600, 'page-c'), realm: REALM, nonce: must(readText(challenge, Attr.Nonce)) };
    const request = buildRequest(Method.Allocate, auth, (w) => {
      w.addUint32(Attr.RequestedTransport, TRANSPORT_UDP << 24);
      w.add(Attr.EvenPort, Buffer.from([0x80]));
    });
    const open = h.core.handleClient(c, request, T0).find((x) => x.kind === 'open-relay');
    if (open?.kind !== 'open-relay') throw new Error('no open-relay');
    h.core.relayOpened(open.relayId, open.port, T0);
    // The allocation ends and its reservation with it: 1 allocation + 1 reservation were held.
    h.core.clientClosed(c, T0 + 1);
    expect(h.core.credentialPeaks('page').ended).toMatchObject({ sum: 2, count: 1 });
  });

  it('renders a Prometheus histogram with cumulative buckets per owner', () => {
    const text = renderCredentialPeaks(
      [2, 8],
      [
        ['page', { ended: { buckets: [1, 2], overflow: 1, sum: 1 + 5 + 7 + 12, count: 4 }, openMax: 9 }],
        ['reflector', { ended: { buckets: [0, 0], overflow: 0, sum: 0, count: 0 }, openMax: 0 }],
      ],
    );
    expect(text.split('\n').filter((l) => !l.startsWith('#') && l !== '')).toEqual([
      'callprobe_turn_credential_peak_allocations_bucket{owner="page",le="2"} 1',
      'callprobe_turn_credential_peak_allocations_bucket{owner="page",le="8"} 3',
      'callprobe_turn_credential_peak_allocations_bucket{owner="page",le="+Inf"} 4',
      'callprobe_turn_credential_peak_allocations_sum{owner="page"} 25',
      'callprobe_turn_credential_peak_allocations_count{owner="page"} 4',
      'callprobe_turn_credential_peak_allocations_bucket{owner="reflector",le="2"} 0',
      'callprobe_turn_credential_peak_allocations_bucket{owner="reflector",le="8"} 0',
      'callprobe_turn_credential_peak_allocations_bucket{owner="reflector",le="+Inf"} 0',
      'callprobe_turn_credential_peak_allocations_sum{owner="reflector"} 0',
      'callprobe_turn_credential_peak_allocations_count{owner="reflector"} 0',
      'callprobe_turn_credential_open_peak_allocations{owner="page"} 9',
      'callprobe_turn_credential_open_peak_allocations{owner="reflector"} 0',
    ]);
    expect(text).toContain('# TYPE callprobe_turn_credential_peak_allocations histogram');
  });
});
