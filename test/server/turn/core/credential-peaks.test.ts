/**
 * The most allocations one credential held at once: what the per-username quota bounds, and what
 * the allocations bench reads off /metrics. A credential is followed while it holds anything and
 * for a minute after, then observed once.
 */
import { describe, expect, it } from 'vitest';
import { Attr, Method, readText, TRANSPORT_UDP } from '../../../../server/turn/codec/index.js';
import { buildAllocate, buildRefresh, buildRequest } from '../../../../server/turn/client/requests.js';
import { CREDENTIAL_IDLE_GRACE_MS, CREDENTIAL_PEAK_BUCKETS, CredentialPeaks } from '../../../../server/turn/core/credential-peaks.js';
import { randomPortAllocator } from '../../../../server/turn/core/index.js';
import { RelayMetrics, registerRelayMetrics } from '../../../../server/turn/metrics.js';
import { metricsText } from '../../../kit/metrics.js';
import { allocate, cred, makeHarness, must, mulberry32, REALM, reply, T0 } from '../helpers/core-harness.js';

const GRACE = CREDENTIAL_IDLE_GRACE_MS;

describe('credential peaks in the relay core', () => {
  it("follows one test's credential through its gaps and observes its most held at once once, a minute after its last release", () => {
    const h = makeHarness();
    const page = cred(T0, 3600, 'page-a');
    // Port checks one after another: each allocation released before the next (the credential holds nothing in between).
    const first = allocate(h, h.client(41001), T0, page);
    reply(h.core.handleClient(h.client(41001), buildRefresh(first.auth, 0), T0 + 1));
    allocate(h, h.client(41002), T0 + 2, page);
    h.core.clientClosed(h.client(41002), T0 + 3);
    // Then three legs at once.
    for (const port of [41003, 41004, 41005]) allocate(h, h.client(port), T0 + 4, page);
    expect(h.core.credentialPeaks('page', T0 + 5)).toMatchObject({ ended: { count: 0 }, followedMax: 3 });
    for (const port of [41003, 41004, 41005]) h.core.clientClosed(h.client(port), T0 + 6);
    // Idle, within its grace: still followed, not observed.
    expect(h.core.credentialPeaks('page', T0 + 6 + GRACE - 1)).toMatchObject({ ended: { count: 0 }, followedMax: 3 });
    const { ended, followedMax } = h.core.credentialPeaks('page', T0 + 6 + GRACE);
    expect(followedMax).toBe(0);
    expect({ sum: ended.sum, count: ended.count, overflow: ended.overflow }).toEqual({ sum: 3, count: 1, overflow: 0 });
    expect(ended.buckets[CREDENTIAL_PEAK_BUCKETS.indexOf(3)]).toBe(1);
    expect(ended.buckets.reduce((s, n) => s + n, 0)).toBe(1);
    expect(h.core.census().credentialsFollowed).toBe(0);
  });

  it("keeps the server's own reflector apart from the pages, and an expired allocation ends like a release", () => {
    const h = makeHarness();
    const reflector = cred(T0, 3600, 'reflector.s1');
    allocate(h, h.client(42001), T0, reflector);
    allocate(h, h.client(42002), T0, reflector);
    allocate(h, h.client(42003), T0, cred(T0, 3600, 'page-b'));
    expect(h.core.credentialPeaks('reflector', T0).followedMax).toBe(2);
    expect(h.core.credentialPeaks('page', T0).followedMax).toBe(1);
    // Every allocation's 600 s lifetime passes (RFC 8656 §3.2 default), then the grace.
    h.core.onTimer(T0 + 601_000);
    const after = T0 + 601_000 + GRACE;
    expect(h.core.credentialPeaks('reflector', after)).toMatchObject({ ended: { sum: 2, count: 1 }, followedMax: 0 });
    expect(h.core.credentialPeaks('page', after)).toMatchObject({ ended: { sum: 1, count: 1 }, followedMax: 0 });
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
    expect(h.core.credentialPeaks('page', T0 + 1 + GRACE).ended).toMatchObject({ sum: 2, count: 1 });
  });
});

describe('CredentialPeaks', () => {
  it('observes the oldest idle credentials first once more than its bound are idle', () => {
    const p = new CredentialPeaks(GRACE, 2);
    for (const [i, u] of ['a', 'b', 'c'].entries()) {
      p.raised(u, i + 1, 'page', T0);
      p.lowered(u, 0, T0 + i);
    }
    // Three idle, two kept: 'a' (the oldest, peak 1) is observed at once.
    expect(p.histogram('page')).toMatchObject({ sum: 1, count: 1 });
    expect(p.following).toBe(2);
    // A credential that takes an allocation again is no longer idle.
    p.raised('b', 1, 'page', T0 + 10);
    p.sweep(T0 + 2 + GRACE);
    expect(p.histogram('page')).toMatchObject({ sum: 1 + 3, count: 2 });
    expect(p.followedPeakMax('page')).toBe(2);
  });

  it('renders a Prometheus histogram with cumulative buckets per owner, and the recent peak', async () => {
    // Peaks of 2 (le 2), 5 and 7 (le 8), 12 (le 12) and 200 (over the last bound).
    const buckets = CREDENTIAL_PEAK_BUCKETS.map((le) => (le === 2 ? 1 : le === 8 ? 2 : le === 12 ? 1 : 0));
    const peaks = {
      page: { ended: { buckets, overflow: 1, sum: 2 + 5 + 7 + 12 + 200, count: 5 }, followedMax: 9 },
      reflector: { ended: { buckets: CREDENTIAL_PEAK_BUCKETS.map(() => 0), overflow: 0, sum: 0, count: 0 }, followedMax: 0 },
    };
    const text = await metricsText((r) =>
      registerRelayMetrics(r, { listeners: new RelayMetrics(), credentialPeaks: (owner) => peaks[owner], logLinesSuppressed: () => 0 }),
    );
    const lines = text.split('\n');
    const samples = lines.filter((l) => l.startsWith('callprobe_turn_credential_'));
    expect(samples.filter((l) => l.includes('owner="page",le='))).toHaveLength(CREDENTIAL_PEAK_BUCKETS.length + 1);
    expect(samples).toEqual(
      expect.arrayContaining([
        'callprobe_turn_credential_peak_allocations_bucket{owner="page",le="1"} 0',
        'callprobe_turn_credential_peak_allocations_bucket{owner="page",le="2"} 1',
        'callprobe_turn_credential_peak_allocations_bucket{owner="page",le="8"} 3',
        'callprobe_turn_credential_peak_allocations_bucket{owner="page",le="12"} 4',
        'callprobe_turn_credential_peak_allocations_bucket{owner="page",le="128"} 4',
        'callprobe_turn_credential_peak_allocations_bucket{owner="page",le="+Inf"} 5',
        'callprobe_turn_credential_peak_allocations_sum{owner="page"} 226',
        'callprobe_turn_credential_peak_allocations_count{owner="page"} 5',
        'callprobe_turn_credential_peak_allocations_bucket{owner="reflector",le="+Inf"} 0',
        'callprobe_turn_credential_peak_allocations_sum{owner="reflector"} 0',
        'callprobe_turn_credential_peak_allocations_count{owner="reflector"} 0',
        'callprobe_turn_credential_recent_peak_allocations{owner="page"} 9',
        'callprobe_turn_credential_recent_peak_allocations{owner="reflector"} 0',
      ]),
    );
    expect(text).toContain('# TYPE callprobe_turn_credential_peak_allocations histogram');
  });
});
