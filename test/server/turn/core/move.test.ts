/**
 * Moving a UDP allocation between two planes' relays (server/turn/core/move.ts): the first core
 * writes it down, a second takes it in on its own listener and relays its ChannelData to the same
 * peer with the same channel, answers a Refresh signed with the same key and a nonce the first
 * issued (one nonce secret), and expires it when its lifetime left runs out. The first core keeps
 * the port and the source's count until the second says it ended, and never expires it meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { MessageClass } from '../../../../server/turn/codec/index.js';
import { buildChannelBind, buildChannelData, buildRefresh } from '../../../../server/turn/client/requests.js';
import { Value } from '@sinclair/typebox/value';
import { MovedAllocationSchema } from '../../../../server/common/data-plane.js';
import { T0, allocate, errorCodeOf, kinds, makeHarness, must, peer, reply } from '../helpers/core-harness.js';

describe('moving an allocation to another plane', () => {
  it('carries the relayed address, key, lifetime, permissions and channels; the first core holds the port until it ends', () => {
    const first = makeHarness({ allowPeers: ['127.0.0.1/32'] });
    const c = first.client(51001);
    const { auth, relayId, relayPort } = allocate(first, c);
    expect(reply(first.core.handleClient(c, buildChannelBind(auth, 0x4001, peer('127.0.0.1', 5000)), T0)).cls).toBe(MessageClass.Success);

    const m = must(first.core.exportAllocation(relayId, T0 + 60_000), 'export');
    expect(Value.Check(MovedAllocationSchema, m)).toBe(true);
    expect(m).toMatchObject({ clientIp: '127.0.0.1', clientPort: 51001, listenerPort: 3478, relayPort, family: 4, lifetimeS: 600, expiresInMs: 540_000 });
    expect(m.permissions).toEqual([{ ip: '127.0.0.1', expiresInMs: 240_000, cidrAllowed: true }]);
    expect(m.channels).toEqual([{ channel: 0x4001, peerIp: '127.0.0.1', peerPort: 5000, expiresInMs: 540_000 }]);

    // The other plane's core: same policy, its own listener.
    const other = makeHarness({ allowPeers: ['127.0.0.1/32'] });
    const listener = other.listener('udp', 3478);
    const adopted = other.core.adoptAllocation(m, listener, T0 + 60_000);
    // Its expiry timer, then the permission's (sooner).
    expect(kinds(adopted.actions)).toEqual(['log', 'timer', 'timer']);
    expect(other.core.census()).toMatchObject({ allocations: 1, ownRelays: 1, portsHeld: { 4: 1, 6: 0 } });
    const moved = other.client(51001);
    const sent = other.core.handleClient(moved, buildChannelData(0x4001, Buffer.from('probe')), T0 + 61_000);
    expect(sent).toEqual([{ kind: 'send-peer', relayId: adopted.relayId, ip: '127.0.0.1', port: 5000, data: Buffer.from('probe') }]);
    // A Refresh signed with the allocation's key and the first core's nonce (the harness's cores share a nonce secret).
    expect(reply(other.core.handleClient(moved, buildRefresh(auth, 900), T0 + 62_000)).cls).toBe(MessageClass.Success);

    // The first core: lent, relays nothing, keeps the port and the count, and never expires it.
    expect(kinds(first.core.lendAllocation(relayId, 1, T0 + 60_000))).toEqual(['close-relay', 'log']);
    expect(first.core.handleClient(c, buildChannelData(0x4001, Buffer.from('late')), T0 + 61_000)).toEqual([]);
    expect(first.core.isPortHeld(4, relayPort)).toBe(true);
    expect(first.core.census()).toMatchObject({ allocations: 1, sources: 1 });
    expect(kinds(first.core.onTimer(T0 + 7_200_000))).not.toContain('close-relay');
    expect(first.core.isPortHeld(4, relayPort)).toBe(true);
    // Another plane's end of something else changes nothing; this plane's end of it frees the port.
    expect(first.core.settleLent(1, { family: 4, port: relayPort + 1 }, T0)).toEqual([]);
    expect(first.core.settleLent(2, null, T0)).toEqual([]);
    expect(kinds(first.core.settleLent(1, { family: 4, port: relayPort }, T0 + 7_200_000))).toEqual(['close-relay', 'log']);
    expect(first.core.isPortHeld(4, relayPort)).toBe(false);
    expect(first.core.census()).toMatchObject({ allocations: 0, sources: 0, ownRelays: 0 });

    // The other plane expires it by the lifetime the Refresh set (900 s from T0 + 62 s).
    expect(kinds(other.core.onTimer(T0 + 961_000))).not.toContain('close-relay');
    expect(kinds(other.core.onTimer(T0 + 962_000))).toContain('close-relay');
    expect(other.core.census()).toMatchObject({ allocations: 0, portsHeld: { 4: 0, 6: 0 } });
  });

  it('ends every allocation lent to a plane that stopped, and only those', () => {
    const first = makeHarness();
    const a = allocate(first, first.client(51001));
    const b = allocate(first, first.client(51002));
    const c = allocate(first, first.client(51003));
    first.core.lendAllocation(a.relayId, 1, T0);
    first.core.lendAllocation(b.relayId, 2, T0);
    expect(kinds(first.core.settleLent(1, null, T0))).toEqual(['close-relay', 'log']);
    expect(first.core.isPortHeld(4, a.relayPort)).toBe(false);
    expect(first.core.isPortHeld(4, b.relayPort)).toBe(true);
    expect(first.core.isPortHeld(4, c.relayPort)).toBe(true);
    expect(first.core.census().allocations).toBe(2);
  });

  it('writes down only an active UDP allocation', () => {
    const h = makeHarness();
    const tcp = allocate(h, h.client(51001, '127.0.0.1', 'tcp'));
    expect(h.core.exportAllocation(tcp.relayId, T0)).toBeNull();
    expect(h.core.exportAllocation(999, T0)).toBeNull();
    const udp = allocate(h, h.client(51002));
    h.core.lendAllocation(udp.relayId, 1, T0);
    expect(h.core.exportAllocation(udp.relayId, T0)).toBeNull();
    // A refused Refresh on a lent allocation: it is no longer this core's.
    expect(errorCodeOf(reply(h.core.handleClient(h.client(51002), buildRefresh(udp.auth, 300), T0)))).toBe(437);
  });
});
