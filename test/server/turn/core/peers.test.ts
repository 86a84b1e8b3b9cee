import { describe, expect, it } from 'vitest';
import { Attr, MessageClass, Method, decodeStun, readData } from '../../../../server/turn/codec/index.js';
import {
  buildAllocate,
  buildChannelBind,
  buildChannelData,
  buildCreatePermission,
  buildSend,
  type ClientAuth,
} from '../../../../server/turn/client/requests.js';
import { parseIp } from '../../../../src/protocol/ip.js';
import type { Action, ClientTuple } from '../../../../server/turn/core/index.js';
import { REALM, T0, allocate, cred, errorCodeOf, fromPeer, kinds, makeHarness, peer, reply, xorAddr, type Harness } from '../helpers/core-harness.js';

function credFor(id: string): { username: string; password: string } {
  return cred(T0, 3600, id);
}

/** One authenticated Allocate with a server-issued nonce; returns the error code, if any. */
function tryAllocate(h: Harness, c: ClientTuple, creds: { username: string; password: string }): number | undefined {
  const auth = { ...creds, realm: REALM, nonce: h.core.nonces.issue(c.ip, T0) };
  const s = h.core.handleClient(c, buildAllocate(auth), T0).find((a) => a.kind === 'send-client');
  return s?.kind === 'send-client' ? errorCodeOf(decodeStun(s.data)) : undefined;
}

function sendPeer(actions: Action[]): { ip: string; port: number; data: string } | undefined {
  const a = actions.find((x) => x.kind === 'send-peer');
  return a?.kind === 'send-peer' ? { ip: a.ip, port: a.port, data: a.data.toString() } : undefined;
}

describe('permissions (RFC 8656 §9)', () => {
  it('relays Send indications only while the permission lives (300 s)', () => {
    const h = makeHarness({ allowPeers: ['127.0.0.1/32'] });
    const c = h.client(51001);
    const { auth, relayId } = allocate(h, c);
    const target = peer('127.0.0.1', 7000);
    expect(kinds(h.core.handleClient(c, buildSend(target, Buffer.from('early')), T0))).toEqual(['drop:no-permission']);
    expect(reply(h.core.handleClient(c, buildCreatePermission(auth, [target]), T0)).cls).toBe(MessageClass.Success);
    expect(sendPeer(h.core.handleClient(c, buildSend(target, Buffer.from('hi')), T0 + 1000))).toEqual({ ip: '127.0.0.1', port: 7000, data: 'hi' });
    // Peer -> client while permitted: a Data indication with XOR-PEER-ADDRESS and DATA.
    const back = reply(fromPeer(h, relayId, '127.0.0.1', 7000, Buffer.from('pong'), T0 + 2000));
    expect([back.method, back.cls]).toEqual([Method.Data, MessageClass.Indication]);
    expect(xorAddr(back, Attr.XorPeerAddress).port).toBe(7000);
    expect(readData(back)?.toString()).toBe('pong');
    // Any port of a permitted IP may send (permissions are IP-only)...
    expect(fromPeer(h, relayId, '127.0.0.1', 7001, Buffer.from('x'), T0 + 2000)).toHaveLength(1);
    // ...but another IP may not.
    expect(fromPeer(h, relayId, '127.0.0.2', 7000, Buffer.from('x'), T0 + 2000)).toHaveLength(0);
    // After 300 s the permission is gone in both directions.
    const late = T0 + 300_001;
    expect(kinds(h.core.handleClient(c, buildSend(target, Buffer.from('late')), late))).toEqual(['drop:no-permission']);
    expect(fromPeer(h, relayId, '127.0.0.1', 7000, Buffer.from('late'), late)).toHaveLength(0);
    const stats = h.metrics.listener('udp', 3478);
    expect(stats.dropped.get('peer-no-permission')).toBe(2);
    expect([stats.packetsToPeer, stats.bytesToPeer, stats.packetsToClient]).toEqual([1, 2, 2]);
  });

  it('refuses the whole request when one peer is forbidden (403, nothing installed)', () => {
    const h = makeHarness({ allowPeers: ['127.0.0.1/32'] });
    const c = h.client(51002);
    const { auth } = allocate(h, c);
    const r = reply(h.core.handleClient(c, buildCreatePermission(auth, [peer('127.0.0.1', 1), peer('10.0.0.1', 1)]), T0));
    expect(errorCodeOf(r)).toBe(403);
    expect(kinds(h.core.handleClient(c, buildSend(peer('127.0.0.1', 1), Buffer.from('x')), T0))).toEqual(['drop:no-permission']);
  });
});

describe('peer policy in the core (never an open relay)', () => {
  it('refuses loopback and private peers unless allowed', () => {
    // Relayed address outside loopback, so 127.0.0.1 is only ever a peer here.
    const h = makeHarness({ relay: { 4: '203.0.113.5' } });
    const c = h.client(51003);
    const { auth } = allocate(h, c);
    for (const ip of ['127.0.0.1', '10.1.2.3', '192.168.1.1', '169.254.1.1', '8.8.8.8', '0.0.0.0', '224.0.0.1']) {
      expect(errorCodeOf(reply(h.core.handleClient(c, buildCreatePermission(auth, [peer(ip, 9)]), T0))), ip).toBe(403);
    }
    expect(h.metrics.listener('udp', 3478).refusals.get('peer-special-purpose')).toBe(6);
    expect(h.metrics.listener('udp', 3478).refusals.get('peer-not-allowed')).toBe(1);
  });

  it('refuses ::ffff:127.0.0.1 (IPv4-mapped loopback) on an IPv6 relay, and IPv6 peers on an IPv4 one (443)', () => {
    const h6 = makeHarness({ relay: { 4: '203.0.113.5', 6: '2001:db8::5' } });
    const c6 = h6.client(51004);
    const challengeAuth = allocate(h6, c6).auth;
    // Second allocation, IPv6 family, on another 5-tuple.
    const c6b = h6.client(51005);
    const open = h6.core.handleClient(c6b, buildAllocate(challengeAuth, { family: 6 }), T0).find((a) => a.kind === 'open-relay');
    if (open?.kind !== 'open-relay') throw new Error('no open-relay');
    expect(open.ip).toBe('2001:db8::5');
    h6.core.relayOpened(open.relayId, 46000, T0);
    for (const ip of ['::ffff:127.0.0.1', '::1', '64:ff9b::7f00:1', '2002:7f00:1::1', 'fe80::1', 'fc00::1']) {
      const r = reply(h6.core.handleClient(c6b, buildCreatePermission(challengeAuth, [peer(ip, 9)]), T0));
      expect(errorCodeOf(r), ip).toBe(403);
    }
    const r443 = reply(h6.core.handleClient(c6, buildCreatePermission(challengeAuth, [peer('::ffff:127.0.0.1', 9)]), T0));
    expect(errorCodeOf(r443)).toBe(443);
  });

  it('on a loopback relay, grants the IP-level permission for its own IP but relays only to its own relayed ports', () => {
    const h = makeHarness();
    const c = h.client(51020);
    const { auth } = allocate(h, c);
    expect(reply(h.core.handleClient(c, buildCreatePermission(auth, [peer('127.0.0.1', 9)]), T0)).cls).toBe(MessageClass.Success);
    expect(kinds(h.core.handleClient(c, buildSend(peer('127.0.0.1', 9), Buffer.from('x')), T0))).toEqual(['drop:peer-not-allowed']);
    expect(errorCodeOf(reply(h.core.handleClient(c, buildCreatePermission(auth, [peer('127.0.0.2', 9)]), T0)))).toBe(403);
  });

  it('allows a registered endpoint exactly (ip:port), and stops when the registration is undone', () => {
    const h = makeHarness();
    const c = h.client(51006);
    const { auth, relayId } = allocate(h, c);
    const undo = h.policy.allowEndpoint(parseIp('127.0.0.1'), 5000);
    expect(reply(h.core.handleClient(c, buildChannelBind(auth, 0x4001, peer('127.0.0.1', 5000)), T0)).cls).toBe(MessageClass.Success);
    expect(reply(h.core.handleClient(c, buildCreatePermission(auth, [peer('127.0.0.1', 1)]), T0)).cls).toBe(MessageClass.Success);
    expect(sendPeer(h.core.handleClient(c, buildChannelData(0x4001, Buffer.from('probe')), T0))).toEqual({ ip: '127.0.0.1', port: 5000, data: 'probe' });
    // Same IP, another port: the permission exists (IP-level) but the endpoint is not registered.
    expect(kinds(h.core.handleClient(c, buildSend(peer('127.0.0.1', 5001), Buffer.from('x')), T0))).toEqual(['drop:peer-not-allowed']);
    expect(fromPeer(h, relayId, '127.0.0.1', 5001, Buffer.from('x'), T0)).toHaveLength(0);
    // Echo from the registered endpoint comes back as ChannelData on channel 0x4001.
    const echo = fromPeer(h, relayId, '127.0.0.1', 5000, Buffer.from('echo'), T0)[0];
    expect(echo?.kind === 'send-client' && echo.data.toString('hex')).toBe('40010004' + Buffer.from('echo').toString('hex'));
    undo();
    expect(kinds(h.core.handleClient(c, buildChannelData(0x4001, Buffer.from('probe')), T0))).toEqual([]);
    expect(h.metrics.listener('udp', 3478).dropped.get('peer-not-allowed')).toBe(3);
  });

  it("lets two clients reach each other's relayed addresses (in-page loopback mode)", () => {
    const h = makeHarness();
    const ca = h.client(51007);
    const cb = h.client(51008);
    const a = allocate(h, ca);
    const b = allocate(h, cb);
    expect(reply(h.core.handleClient(ca, buildChannelBind(a.auth, 0x4000, peer('127.0.0.1', b.relayPort)), T0)).cls).toBe(MessageClass.Success);
    expect(reply(h.core.handleClient(cb, buildCreatePermission(b.auth, [peer('127.0.0.1', a.relayPort)]), T0)).cls).toBe(MessageClass.Success);
    expect(sendPeer(h.core.handleClient(ca, buildChannelData(0x4000, Buffer.from('a->b')), T0))).toEqual({ ip: '127.0.0.1', port: b.relayPort, data: 'a->b' });
    const atB = reply(fromPeer(h, b.relayId, '127.0.0.1', a.relayPort, Buffer.from('a->b'), T0));
    expect(readData(atB)?.toString()).toBe('a->b');
    // Once B's allocation is gone, its old relayed address is no longer an allowed peer.
    h.core.clientClosed(cb, T0);
    expect(kinds(h.core.handleClient(ca, buildChannelData(0x4000, Buffer.from('x')), T0))).toEqual([]);
    expect(h.metrics.listener('udp', 3478).dropped.get('peer-not-allowed')).toBe(1);
  });
});

describe('channels (RFC 8656 §12)', () => {
  it('enforces the number range and the one-to-one binding rules', () => {
    const h = makeHarness({ allowPeers: ['127.0.0.1/32'] });
    const c = h.client(51009);
    const { auth } = allocate(h, c);
    const bind = (ch: number, port: number, at = T0): number | undefined =>
      errorCodeOf(reply(h.core.handleClient(c, buildChannelBind(auth, ch, peer('127.0.0.1', port)), at)));
    expect(bind(0x3fff, 6000)).toBe(400);
    expect(bind(0x8000, 6000)).toBe(400);
    expect(bind(0x4000, 6000)).toBeUndefined();
    expect(bind(0x7fff, 6001)).toBeUndefined();
    expect(bind(0x4000, 6000, T0 + 1000)).toBeUndefined(); // refresh of the same binding
    expect(bind(0x4000, 6002)).toBe(400); // channel bound to another peer
    expect(bind(0x4001, 6000)).toBe(400); // peer bound to another channel
    expect(h.metrics.listener('udp', 3478).refusals.get('channel-in-use')).toBe(1);
    expect(h.metrics.listener('udp', 3478).refusals.get('peer-bound')).toBe(1);
    // Unbound channel: dropped.
    expect(h.core.handleClient(c, buildChannelData(0x4002, Buffer.from('x')), T0)).toEqual([]);
    expect(h.metrics.listener('udp', 3478).dropped.get('no-channel')).toBe(1);
    // After the binding expires (600 s from its last refresh) the number is free again.
    h.core.onTimer(T0 + 601_001);
    expect(bind(0x4000, 6002, T0 + 601_001)).toBe(438); // nonce aged too: that is expected
  });

  it('frees an expired channel for another peer', () => {
    const h = makeHarness({ allowPeers: ['127.0.0.1/32'] });
    const c = h.client(51010);
    const { auth } = allocate(h, c);
    expect(errorCodeOf(reply(h.core.handleClient(c, buildChannelBind(auth, 0x5000, peer('127.0.0.1', 6000)), T0)))).toBeUndefined();
    // Refresh the allocation implicitly: it lives 600 s; check the channel just before and after its expiry.
    expect(sendPeer(h.core.handleClient(c, buildChannelData(0x5000, Buffer.from('x')), T0 + 299_000))).toBeDefined();
    // The permission (300 s) lapses before the channel (600 s): data stops.
    expect(h.core.handleClient(c, buildChannelData(0x5000, Buffer.from('x')), T0 + 300_500)).toEqual([]);
    expect(h.metrics.listener('udp', 3478).dropped.get('no-permission')).toBe(1);
    h.core.onTimer(T0 + 599_000);
    // Re-binding (with a fresh nonce) to another peer after expiry works.
    const fresh = { ...auth, nonce: h.core.nonces.issue('127.0.0.1', T0 + 599_500) };
    expect(errorCodeOf(reply(h.core.handleClient(c, buildChannelBind(fresh, 0x5000, peer('127.0.0.1', 6001)), T0 + 599_500)))).toBe(400);
    h.core.onTimer(T0 + 600_001);
    // The allocation itself expired at T0+600 s: 437 now.
    expect(errorCodeOf(reply(h.core.handleClient(c, buildChannelBind(fresh, 0x5000, peer('127.0.0.1', 6001)), T0 + 600_001)))).toBe(437);
  });

  it('pads ChannelData to 4 bytes toward stream clients (RFC 8656 §12.5)', () => {
    const h = makeHarness({ allowPeers: ['127.0.0.1/32'] });
    const c = h.client(51011, '127.0.0.1', 'tcp');
    const { auth, relayId } = allocate(h, c);
    reply(h.core.handleClient(c, buildChannelBind(auth, 0x4444, peer('127.0.0.1', 6000)), T0));
    const out = fromPeer(h, relayId, '127.0.0.1', 6000, Buffer.from('12345'), T0)[0];
    expect(out?.kind === 'send-client' && out.data.toString('hex')).toBe('44440005' + Buffer.from('12345').toString('hex') + '000000');
  });
});

describe('quotas', () => {
  it('answers 486 past the per-username and per-IP quotas and 508 past the total', () => {
    // 24 in all: a network (an IPv4 address) may hold an eighth, 3.
    const h = makeHarness({ quotas: { maxAllocationsPerUsername: 2, maxAllocationsPerSourceIp: 3, maxAllocationsTotal: 24 } });
    allocate(h, h.client(52001), T0, credFor('u1'));
    allocate(h, h.client(52002), T0, credFor('u1'));
    expect(tryAllocate(h, h.client(52003), credFor('u1'))).toBe(486);
    allocate(h, h.client(52004), T0, credFor('u2'));
    expect(tryAllocate(h, h.client(52005), credFor('u3'))).toBe(486); // 3 from 127.0.0.1
    // Seven more addresses, three each (the last two in the reserve, each a newcomer there): the relay is full.
    for (let n = 2; n <= 8; n++) for (let i = 0; i < 3; i++) allocate(h, h.client(52100 + n * 10 + i, `127.0.0.${n}`), T0, credFor(`u${n}-${i}`));
    expect(tryAllocate(h, h.client(52007, '127.0.0.9'), credFor('u9'))).toBe(508);
    const r = h.metrics.listener('udp', 3478).refusals;
    expect([r.get('quota-username'), r.get('quota-source-ip'), r.get('quota-total')]).toEqual([1, 1, 1]);
  });

  it('answers 508 when no relay port can be bound', () => {
    const h = makeHarness({ portAllocator: () => 40000 });
    const c = h.client(52010);
    const challengeNonce = h.core.nonces.issue('127.0.0.1', T0);
    const auth: ClientAuth = { ...credFor('p'), realm: REALM, nonce: challengeNonce };
    const open = h.core.handleClient(c, buildAllocate(auth), T0).find((a) => a.kind === 'open-relay');
    if (open?.kind !== 'open-relay') throw new Error('no open-relay');
    expect(kinds(h.core.relayOpenFailed(open.relayId, 'EADDRINUSE', T0))).toEqual(['open-relay']);
    expect(kinds(h.core.relayOpenFailed(open.relayId, 'EADDRINUSE', T0))).toEqual(['open-relay']);
    const last = h.core.relayOpenFailed(open.relayId, 'EADDRINUSE', T0);
    expect(errorCodeOf(reply(last))).toBe(508);
    expect(last).toContainEqual({ kind: 'close-relay', relayId: open.relayId });
    expect(h.core.allocationCount).toBe(0);
  });

  it('drops relayed data beyond the per-allocation bandwidth', () => {
    const h = makeHarness({ allowPeers: ['127.0.0.1/32'], quotas: { maxBandwidthBytesPerS: 1000, bandwidthBurstBytes: 1000 } });
    const c = h.client(52020);
    const { auth } = allocate(h, c);
    reply(h.core.handleClient(c, buildChannelBind(auth, 0x4000, peer('127.0.0.1', 6000)), T0));
    const payload = Buffer.alloc(200);
    const sent = (at: number): number =>
      Array.from({ length: 10 }, () => h.core.handleClient(c, buildChannelData(0x4000, payload), at)).filter((a) => a.length === 1).length;
    expect(sent(T0)).toBe(5);
    expect(sent(T0 + 1000)).toBe(5);
    expect(h.metrics.listener('udp', 3478).dropped.get('bandwidth')).toBe(10);
  });
});

describe('per-allocation limits', () => {
  it('answers 508 past the permission and channel limits', () => {
    const h = makeHarness({ allowPeers: ['198.51.100.0/24'], quotas: { maxPermissionsPerAllocation: 2, maxChannelsPerAllocation: 1 } });
    const c = h.client(52030);
    const { auth } = allocate(h, c);
    const ok = (ips: string[]): number | undefined =>
      errorCodeOf(
        reply(
          h.core.handleClient(
            c,
            buildCreatePermission(
              auth,
              ips.map((ip) => peer(ip, 9)),
            ),
            T0,
          ),
        ),
      );
    expect(ok(['198.51.100.1', '198.51.100.2'])).toBeUndefined();
    expect(ok(['198.51.100.1'])).toBeUndefined(); // refreshing an existing one is fine
    expect(ok(['198.51.100.3'])).toBe(508);
    expect(errorCodeOf(reply(h.core.handleClient(c, buildChannelBind(auth, 0x4000, peer('198.51.100.1', 9)), T0)))).toBeUndefined();
    expect(errorCodeOf(reply(h.core.handleClient(c, buildChannelBind(auth, 0x4001, peer('198.51.100.2', 9)), T0)))).toBe(508);
    const r = h.metrics.listener('udp', 3478).refusals;
    expect([r.get('quota-permissions'), r.get('quota-channels')]).toEqual([1, 1]);
  });
});
