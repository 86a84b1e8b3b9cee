import { describe, expect, it } from 'vitest';
import {
  Attr,
  MessageClass,
  Method,
  checkIntegrity,
  decodeStun,
  findAttr,
  longTermKey,
  readText,
  StunWriter,
  appendIntegrity,
  TRANSPORT_UDP,
} from '../../../../server/turn/codec/index.js';
import { buildAllocate, buildRefresh, buildRequest, buildCreatePermission } from '../../../../server/turn/client/requests.js';
import { randomPortAllocator } from '../../../../server/turn/core/index.js';
import { formatIp } from '../../../../src/protocol/ip.js';
import { must, T0, allocate, cred, errorCodeOf, makeHarness, mulberry32, peer, reply, xorAddr, REALM } from '../helpers/core-harness.js';

describe('Allocate (RFC 8656 §7.2)', () => {
  it('challenges with 401 + REALM + NONCE, then allocates with a verifiable success', () => {
    const h = makeHarness();
    const c = h.client(50001);
    const first = reply(h.core.handleClient(c, buildAllocate(null), T0));
    expect(errorCodeOf(first)).toBe(401);
    expect(readText(first, Attr.Realm)).toBe(REALM);
    expect(readText(first, Attr.Nonce)).toMatch(/^[0-9a-f]{32}$/);
    expect(findAttr(first, Attr.MessageIntegrity)).toBeUndefined();

    const { response, auth, relayPort } = allocate(h, c);
    expect(response.method).toBe(Method.Allocate);
    const relayed = xorAddr(response, Attr.XorRelayedAddress);
    expect(formatIp(relayed.ip)).toBe('127.0.0.1');
    expect(relayed.port).toBe(relayPort);
    const mapped = xorAddr(response, Attr.XorMappedAddress);
    expect([formatIp(mapped.ip), mapped.port]).toEqual(['127.0.0.1', 50001]);
    expect(response.raw.readUInt32BE(must(findAttr(response, Attr.Lifetime)).valueOffset)).toBe(600);
    expect(checkIntegrity(response, longTermKey(auth.username, REALM, auth.password))).toBe('ok');
    expect(h.metrics.listener('udp', 3478).allocationsActive).toBe(1);
    expect(h.metrics.listener('udp', 3478).challenges.get('no-credentials')).toBe(2); // ours + the helper's
  });

  it('replays the same success for a retransmitted Allocate and answers 437 to a new one', () => {
    const h = makeHarness();
    const c = h.client(50002);
    const { auth } = allocate(h, c);
    const tid = Buffer.alloc(12, 3);
    // A first Allocate with a known transaction id on a fresh 5-tuple:
    const c2 = h.client(50003);
    const open = h.core.handleClient(c2, buildAllocate(auth, { transactionId: tid }), T0).find((a) => a.kind === 'open-relay');
    if (open?.kind !== 'open-relay') throw new Error('no open-relay');
    const ok = h.core.relayOpened(open.relayId, 45000, T0).find((a) => a.kind === 'send-client');
    const again = h.core.handleClient(c2, buildAllocate(auth, { transactionId: tid }), T0 + 500).find((a) => a.kind === 'send-client');
    if (ok?.kind !== 'send-client' || again?.kind !== 'send-client') throw new Error('missing responses');
    expect(again.data.equals(ok.data)).toBe(true);
    expect(errorCodeOf(reply(h.core.handleClient(c, buildAllocate(auth), T0 + 1000)))).toBe(437);
  });

  it('answers 438 with a fresh nonce once the nonce is stale, and accepts the new one', () => {
    const h = makeHarness();
    const c = h.client(50004);
    const creds = cred(T0, 7200);
    const { auth } = allocate(h, c, T0, creds);
    const later = T0 + 601_000;
    const stale = reply(h.core.handleClient(c, buildRefresh(auth, 600), later));
    expect(errorCodeOf(stale)).toBe(438);
    const nonce = must(readText(stale, Attr.Nonce));
    expect(nonce).not.toBe(auth.nonce);
    const ok = reply(h.core.handleClient(c, buildRefresh({ ...auth, nonce }, 600), later));
    expect(ok.cls).toBe(MessageClass.Success);
  });

  it('refuses a wrong password with 401 and counts it', () => {
    const h = makeHarness();
    const c = h.client(50005);
    const challenge = reply(h.core.handleClient(c, buildAllocate(null), T0));
    const auth = { ...cred(), password: 'not-the-password', realm: REALM, nonce: must(readText(challenge, Attr.Nonce)) };
    const actions = h.core.handleClient(c, buildAllocate(auth), T0);
    expect(errorCodeOf(reply(actions))).toBe(401);
    expect(h.metrics.listener('udp', 3478).refusals.get('wrong-credentials')).toBe(1);
    expect(actions.some((a) => a.kind === 'log' && a.level === 'warn')).toBe(true);
    expect(h.core.allocationCount).toBe(0);
  });

  it('refuses an expired REST credential with 401 and logs the reason', () => {
    const h = makeHarness();
    const c = h.client(50006);
    const expired = cred(T0 - 7200_000, 3600); // expired one hour before T0
    const challenge = reply(h.core.handleClient(c, buildAllocate(null), T0));
    const actions = h.core.handleClient(c, buildAllocate({ ...expired, realm: REALM, nonce: must(readText(challenge, Attr.Nonce)) }), T0);
    expect(errorCodeOf(reply(actions))).toBe(401);
    const log = actions.find((a) => a.kind === 'log');
    expect(log?.kind === 'log' && log.fields['reason']).toBe('credential-expired');
    expect(h.metrics.listener('udp', 3478).refusals.get('credential-expired')).toBe(1);
  });

  it('answers 400 to integrity without USERNAME/REALM/NONCE', () => {
    const h = makeHarness();
    const w = new StunWriter(Method.Allocate, MessageClass.Request, Buffer.alloc(12, 1));
    w.addUint32(Attr.RequestedTransport, TRANSPORT_UDP << 24);
    appendIntegrity(w, Buffer.from('k'));
    expect(errorCodeOf(reply(h.core.handleClient(h.client(50007), w.build(), T0)))).toBe(400);
  });

  it('checks REQUESTED-TRANSPORT (400, 442), families (440) and unknown attributes (420)', () => {
    const h = makeHarness();
    const c = h.client(50008);
    const challenge = reply(h.core.handleClient(c, buildAllocate(null), T0));
    const auth = { ...cred(), realm: REALM, nonce: must(readText(challenge, Attr.Nonce)) };
    const noTransport = buildRequest(Method.Allocate, auth, () => undefined);
    expect(errorCodeOf(reply(h.core.handleClient(c, noTransport, T0)))).toBe(400);
    const tcp = buildRequest(Method.Allocate, auth, (w) => w.addUint32(Attr.RequestedTransport, (6 << 24) >>> 0));
    expect(errorCodeOf(reply(h.core.handleClient(c, tcp, T0)))).toBe(442);
    expect(errorCodeOf(reply(h.core.handleClient(c, buildAllocate(auth, { family: 6 }), T0)))).toBe(440);
    const df = buildRequest(Method.Allocate, auth, (w) => {
      w.addUint32(Attr.RequestedTransport, TRANSPORT_UDP << 24);
      w.add(Attr.DontFragment, Buffer.alloc(0));
    });
    const r = reply(h.core.handleClient(c, df, T0));
    expect(errorCodeOf(r)).toBe(420);
    const ua = must(findAttr(r, Attr.UnknownAttributes));
    expect(r.raw.readUInt16BE(ua.valueOffset)).toBe(Attr.DontFragment);
    // The 420 is protected with the request's key (RFC 8489 §9.2.4).
    expect(checkIntegrity(r, longTermKey(auth.username, REALM, auth.password))).toBe('ok');
    expect(h.core.allocationCount).toBe(0);
  });

  it('answers with MESSAGE-INTEGRITY-SHA256 when the request used it', () => {
    const h = makeHarness();
    const c = h.client(50009);
    const challenge = reply(h.core.handleClient(c, buildAllocate(null), T0));
    const auth = { ...cred(), realm: REALM, nonce: must(readText(challenge, Attr.Nonce)) };
    const open = h.core.handleClient(c, buildAllocate(auth, { sha256: true, fingerprint: true }), T0).find((a) => a.kind === 'open-relay');
    if (open?.kind !== 'open-relay') throw new Error('no open-relay');
    const res = reply(h.core.relayOpened(open.relayId, 45001, T0));
    expect(findAttr(res, Attr.MessageIntegritySha256)).toBeDefined();
    expect(findAttr(res, Attr.MessageIntegrity)).toBeUndefined();
    expect(findAttr(res, Attr.Fingerprint)).toBeDefined();
    expect(checkIntegrity(res, longTermKey(auth.username, REALM, auth.password))).toBe('ok');
  });
});

describe('Refresh and expiry (RFC 8656 §7.3)', () => {
  it('clamps lifetimes to [600, 3600] and expires the allocation on time', () => {
    const h = makeHarness();
    const c = h.client(50010);
    const creds = cred(T0, 86400);
    const { auth, relayId } = allocate(h, c, T0, creds);
    const life = (lifetimeS: number, at: number): number => {
      const r = reply(h.core.handleClient(c, buildRefresh(auth, lifetimeS), at));
      return r.raw.readUInt32BE(must(findAttr(r, Attr.Lifetime)).valueOffset);
    };
    expect(life(1200, T0 + 1000)).toBe(1200);
    expect(life(99999, T0 + 2000)).toBe(3600);
    expect(life(10, T0 + 3000)).toBe(600);
    // Expires 600 s after the last refresh (T0 + 3 s).
    expect(h.core.onTimer(T0 + 602_000).some((a) => a.kind === 'close-relay')).toBe(false);
    const expired = h.core.onTimer(T0 + 603_000);
    expect(expired).toContainEqual({ kind: 'close-relay', relayId });
    expect(h.core.allocationCount).toBe(0);
    expect(h.metrics.listener('udp', 3478).allocationsActive).toBe(0);
    const stale = reply(h.core.handleClient(c, buildRefresh(auth, 600), T0 + 604_000));
    expect(errorCodeOf(stale)).toBe(438);
    const fresh = { ...auth, nonce: must(readText(stale, Attr.Nonce)) };
    expect(errorCodeOf(reply(h.core.handleClient(c, buildRefresh(fresh, 600), T0 + 604_000)))).toBe(437);
  });

  it('deletes on Refresh with LIFETIME 0 and frees the quota', () => {
    const h = makeHarness({ quotas: { maxAllocationsPerUsername: 1 } });
    const c = h.client(50011);
    const creds = cred();
    const { auth, relayId } = allocate(h, c, T0, creds);
    const actions = h.core.handleClient(c, buildRefresh(auth, 0), T0 + 10);
    const r = reply(actions);
    expect(r.cls).toBe(MessageClass.Success);
    expect(r.raw.readUInt32BE(must(findAttr(r, Attr.Lifetime)).valueOffset)).toBe(0);
    expect(actions).toContainEqual({ kind: 'close-relay', relayId });
    expect(h.core.allocationCount).toBe(0);
    allocate(h, h.client(50012), T0 + 20, creds); // the per-user quota is free again
  });

  it('answers 437 to requests without an allocation and 441 to another username', () => {
    const h = makeHarness();
    const c = h.client(50013);
    const challenge = reply(h.core.handleClient(c, buildAllocate(null), T0));
    const auth = { ...cred(), realm: REALM, nonce: must(readText(challenge, Attr.Nonce)) };
    expect(errorCodeOf(reply(h.core.handleClient(c, buildRefresh(auth, 600), T0)))).toBe(437);
    expect(errorCodeOf(reply(h.core.handleClient(c, buildCreatePermission(auth, [peer('127.0.0.1', 9)]), T0)))).toBe(437);
    allocate(h, c, T0, cred());
    const other = { ...cred(T0, 3600, 'someone-else'), realm: REALM, nonce: auth.nonce };
    expect(errorCodeOf(reply(h.core.handleClient(c, buildRefresh(other, 600), T0)))).toBe(441);
  });

  it('deletes the allocation when its stream connection closes', () => {
    const h = makeHarness();
    const c = h.client(50014, '127.0.0.1', 'tcp');
    const { relayId } = allocate(h, c);
    expect(h.core.clientClosed(c, T0 + 5)).toContainEqual({ kind: 'close-relay', relayId });
    expect(h.core.allocationCount).toBe(0);
  });

  it('answers a Binding request with XOR-MAPPED-ADDRESS and no authentication', () => {
    const h = makeHarness();
    const w = new StunWriter(Method.Binding, MessageClass.Request, Buffer.alloc(12, 5));
    const r = reply(h.core.handleClient(h.client(50015), w.build(), T0));
    expect(r.cls).toBe(MessageClass.Success);
    expect(xorAddr(r, Attr.XorMappedAddress).port).toBe(50015);
    expect(decodeStun(r.raw).method).toBe(Method.Binding);
  });
});

describe('EVEN-PORT and RESERVATION-TOKEN (RFC 8656 §7.2, §14.9)', () => {
  it('reserves port+1 for 30 s and hands it to the Allocate that presents the token, once', () => {
    const h = makeHarness({ portAllocator: randomPortAllocator(50000, 50999, mulberry32(3)) });
    const c1 = h.client(54001);
    const c2 = h.client(54002);
    const c3 = h.client(54003);
    const challenge = reply(h.core.handleClient(c1, buildAllocate(null), T0));
    const auth = { ...cred(), realm: REALM, nonce: must(readText(challenge, Attr.Nonce)) };
    const evenR = buildRequest(Method.Allocate, auth, (w) => {
      w.addUint32(Attr.RequestedTransport, TRANSPORT_UDP << 24);
      w.add(Attr.EvenPort, Buffer.from([0x80]));
    });
    const open = h.core.handleClient(c1, evenR, T0).find((a) => a.kind === 'open-relay');
    if (open?.kind !== 'open-relay') throw new Error('no open-relay');
    expect(open.port % 2).toBe(0);
    const ok = reply(h.core.relayOpened(open.relayId, open.port, T0));
    const tokenAttr = must(findAttr(ok, Attr.ReservationToken));
    const token = Buffer.from(ok.raw.subarray(tokenAttr.valueOffset, tokenAttr.valueOffset + 8));
    const withToken = (): Buffer =>
      buildRequest(Method.Allocate, auth, (w) => {
        w.addUint32(Attr.RequestedTransport, TRANSPORT_UDP << 24);
        w.add(Attr.ReservationToken, token);
      });
    const second = h.core.handleClient(c2, withToken(), T0 + 1000).find((a) => a.kind === 'open-relay');
    expect(second?.kind === 'open-relay' && second.port).toBe(open.port + 1);
    // A token works once.
    expect(errorCodeOf(reply(h.core.handleClient(c3, withToken(), T0 + 2000)))).toBe(508);
  });

  it('lets an unused reservation lapse after 30 s', () => {
    const h = makeHarness({ portAllocator: randomPortAllocator(50000, 50999, mulberry32(3)) });
    const c1 = h.client(54011);
    const challenge = reply(h.core.handleClient(c1, buildAllocate(null), T0));
    const auth = { ...cred(), realm: REALM, nonce: must(readText(challenge, Attr.Nonce)) };
    const open = h.core
      .handleClient(
        c1,
        buildRequest(Method.Allocate, auth, (w) => {
          w.addUint32(Attr.RequestedTransport, TRANSPORT_UDP << 24);
          w.add(Attr.EvenPort, Buffer.from([0x80]));
        }),
        T0,
      )
      .find((a) => a.kind === 'open-relay');
    if (open?.kind !== 'open-relay') throw new Error('no open-relay');
    h.core.relayOpened(open.relayId, open.port, T0);
    expect(h.core.isPortHeld(4, open.port + 1)).toBe(true);
    h.core.onTimer(T0 + 30_001);
    expect(h.core.census().reservations).toBe(0);
    expect(h.core.isPortHeld(4, open.port + 1)).toBe(false);
  });
});
