/**
 * Relay to relay only where the server made the pair (server/turn/core/relay-pairs.ts): one
 * credential's own allocations (the page's loopback mode), and a reflector session's allocation
 * with the relayed addresses its page signalled. Another allocation cannot send into a page's
 * relayed address (a running test's downlink), however it names it: ChannelBind refused (403),
 * Send indications and whatever reaches the page's relayed address from it dropped and counted.
 */
import { describe, expect, it } from 'vitest';
import { MessageClass, readData } from '../../../../server/turn/codec/index.js';
import { buildChannelBind, buildChannelData, buildCreatePermission, buildSend } from '../../../../server/turn/client/requests.js';
import { REFLECTOR_USERNAME_PREFIX } from '../../../../server/turn/credentials.js';
import { T0, allocate, cred, errorCodeOf, fromPeer, kinds, makeHarness, peer, reply, type Allocated, type Harness } from '../helpers/core-harness.js';

const RELAY_IP = '127.0.0.1';

function page(h: Harness, port: number, id: string, ip = '127.0.0.1'): Allocated & { username: string } {
  const creds = cred(T0, 3600, id);
  return { ...allocate(h, h.client(port, ip), T0, creds), username: creds.username };
}

/** What the transport would send for a Send indication of `from`'s client: the peer it goes to, or null (dropped). */
function sent(h: Harness, port: number, ip: string, to: number, data: string): number | null {
  const out = h.core.handleClient(h.client(port, ip), buildSend(peer(RELAY_IP, to), Buffer.from(data)), T0);
  const s = out.find((a) => a.kind === 'send-peer');
  return s?.kind === 'send-peer' ? s.port : null;
}

describe('relay pairs (RFC 8656 §9: a relayed address of ours is a peer only where the server made the pair)', () => {
  it("keeps another credential's allocation out of a page's relayed address: 500 datagrams, none delivered, each counted", () => {
    const h = makeHarness();
    // The page: it permits the relay's IP, as every test page does for the reflector's legs.
    const victim = page(h, 51001, 'victim');
    expect(reply(h.core.handleClient(h.client(51001), buildCreatePermission(victim.auth, [peer(RELAY_IP, 9)]), T0)).cls).toBe(MessageClass.Success);
    // The attacker, from another source and credential: the IP-level permission is granted (the relay's IP hosts the reflector's legs)...
    const attacker = page(h, 52001, 'attacker', '127.0.0.2');
    const from = h.client(52001, '127.0.0.2');
    expect(reply(h.core.handleClient(from, buildCreatePermission(attacker.auth, [peer(RELAY_IP, victim.relayPort)]), T0)).cls).toBe(MessageClass.Success);
    // ...but a channel to the page's relayed address never (403), and nothing it sends there is relayed.
    expect(errorCodeOf(reply(h.core.handleClient(from, buildChannelBind(attacker.auth, 0x4001, peer(RELAY_IP, victim.relayPort)), T0)))).toBe(403);
    let delivered = 0;
    for (let i = 0; i < 500; i++) {
      if (sent(h, 52001, '127.0.0.2', victim.relayPort, `flood ${i}`) !== null) delivered++;
      // What would reach the page's allocation from the attacker's relayed address (the wire, or the relay's in-process hand-over).
      if (fromPeer(h, victim.relayId, RELAY_IP, attacker.relayPort, Buffer.from(`flood ${i}`), T0).length > 0) delivered++;
    }
    expect(delivered).toBe(0);
    const stats = h.metrics.listener('udp', 3478);
    expect(stats.dropped.get('peer-other-test')).toBe(1000);
    expect(stats.refusals.get('peer-other-test')).toBe(1);
    // Any other port of the relay's IP is no peer either (no port knowledge needed before: one datagram to each of 500 ports).
    for (let port = 40000; port < 40500; port++) expect(sent(h, 52001, '127.0.0.2', port, 'scan')).toBeNull();
  });

  it("lets one credential's allocations reach each other (the page's loopback mode)", () => {
    const h = makeHarness();
    const a = page(h, 51010, 'loop');
    const b = allocate(h, h.client(51011), T0, cred(T0, 3600, 'loop'));
    expect(reply(h.core.handleClient(h.client(51010), buildChannelBind(a.auth, 0x4000, peer(RELAY_IP, b.relayPort)), T0)).cls).toBe(MessageClass.Success);
    const out = h.core.handleClient(h.client(51010), buildChannelData(0x4000, Buffer.from('a->b')), T0);
    expect(out.find((x) => x.kind === 'send-peer')).toMatchObject({ port: b.relayPort });
    expect(reply(h.core.handleClient(h.client(51011), buildCreatePermission(b.auth, [peer(RELAY_IP, a.relayPort)]), T0)).cls).toBe(MessageClass.Success);
    expect(readData(reply(fromPeer(h, b.relayId, RELAY_IP, a.relayPort, Buffer.from('a->b'), T0)))?.toString()).toBe('a->b');
  });

  it("lets a reflector session's allocation and its page's relayed address exchange data once the session registers the pair, and no one else", () => {
    const h = makeHarness();
    const pg = page(h, 51020, 'page');
    const leg = page(h, 51021, `${REFLECTOR_USERNAME_PREFIX}s1`);
    const stranger = page(h, 51022, 'stranger');
    const legClient = h.client(51021);
    expect(reply(h.core.handleClient(legClient, buildCreatePermission(leg.auth, [peer(RELAY_IP, 9)]), T0)).cls).toBe(MessageClass.Success);
    // A ChannelBind to a reflector's allocation is taken (the session may register the pair a moment later)...
    expect(reply(h.core.handleClient(h.client(51020), buildChannelBind(pg.auth, 0x4000, peer(RELAY_IP, leg.relayPort)), T0)).cls).toBe(MessageClass.Success);
    // ...but carries nothing before it does.
    expect(kinds(h.core.handleClient(h.client(51020), buildChannelData(0x4000, Buffer.from('early')), T0))).toEqual([]);
    const undo = h.core.allowRelayPair(leg.username, RELAY_IP, pg.relayPort);
    expect(h.core.handleClient(h.client(51020), buildChannelData(0x4000, Buffer.from('probe')), T0).find((x) => x.kind === 'send-peer')).toMatchObject({
      port: leg.relayPort,
    });
    expect(fromPeer(h, leg.relayId, RELAY_IP, pg.relayPort, Buffer.from('probe'), T0)).toHaveLength(1);
    expect(sent(h, 51021, '127.0.0.1', pg.relayPort, 'echo')).toBe(pg.relayPort);
    // Another page's allocation reaches neither the leg nor is reached by it.
    expect(fromPeer(h, leg.relayId, RELAY_IP, stranger.relayPort, Buffer.from('x'), T0)).toHaveLength(0);
    expect(sent(h, 51021, '127.0.0.1', stranger.relayPort, 'x')).toBeNull();
    // The session ended: the pair is gone.
    undo();
    expect(kinds(h.core.handleClient(h.client(51020), buildChannelData(0x4000, Buffer.from('late')), T0))).toEqual([]);
    expect(h.core.relayPairCensus).toBe(0);
  });
});
