/**
 * Fuzz: 100,000 random and mutated datagrams at the core (seeded, so failures reproduce),
 * then a share of them at the real relay over loopback. No crash, no leaked allocation,
 * and a clean client is still served afterwards.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { Attr, MessageClass, Method, StunWriter, readText } from '../../../server/turn/codec/index.js';
import * as requests from '../../../server/turn/client/requests.js';
import { TurnClient } from '../../../server/turn/client/turn-client.js';
import { mintRestCredential } from '../../../server/turn/credentials.js';
import { startTestRelay } from './helpers/relay.js';
import { parseIp } from '../../../src/protocol/ip.js';
import { CHROMIUM_CAPTURES } from './fixtures/chromium.js';
import * as rfc5769 from './fixtures/rfc5769.js';
import { REALM, T0, allocate, cred, fromPeer, makeHarness, mulberry32, peer, reply } from './helpers/core-harness.js';
import { mutate } from './helpers/mutate.js';
import { startUdpEcho } from '../../kit/net.js';
import { metricsText } from '../../kit/metrics.js';

const SEED = Number(process.env['TURN_FUZZ_SEED'] ?? 20240601);
const CORE_CASES = 100_000;
const WIRE_CASES = 20_000;

/** Valid messages of every kind we handle, as the mutation corpus. */
function corpus(auth: requests.ClientAuth): Buffer[] {
  const p = peer('127.0.0.1', 7000);
  const binding = new StunWriter(Method.Binding, MessageClass.Request, Buffer.alloc(12, 7)).build();
  return [
    requests.buildAllocate(null),
    requests.buildAllocate(auth),
    requests.buildAllocate(auth, { lifetimeS: 1200, fingerprint: true }),
    requests.buildAllocate(auth, { sha256: true }),
    requests.buildRefresh(auth, 600),
    requests.buildRefresh(auth, 0),
    requests.buildCreatePermission(auth, [p, peer('10.0.0.1', 1)]),
    requests.buildChannelBind(auth, 0x4001, p),
    requests.buildSend(p, Buffer.from('payload')),
    requests.buildChannelData(0x4001, Buffer.from('channel payload')),
    requests.buildChannelData(0x4001, Buffer.alloc(3), true),
    binding,
    rfc5769.sampleRequest,
    rfc5769.ipv4Response,
    rfc5769.ipv6Response,
    rfc5769.longTermRequest,
    ...CHROMIUM_CAPTURES.map((c) => c.bytes),
  ];
}

describe('fuzz', () => {
  it(`survives ${CORE_CASES} mutated datagrams at the core and leaks nothing (seed ${SEED})`, () => {
    const rng = mulberry32(SEED);
    const h = makeHarness({ allowPeers: ['127.0.0.1/32'] });
    // One real allocation with a channel so mutated ChannelData/Send reach the deep paths.
    const owner = h.client(55000);
    const { auth, relayId } = allocate(h, owner, T0, cred(T0, 86400));
    reply(h.core.handleClient(owner, requests.buildChannelBind(auth, 0x4001, peer('127.0.0.1', 7000)), T0));
    const seeds = corpus(auth);
    const clients = [owner, h.client(55001), h.client(55002, '127.0.0.9'), h.client(55003, '127.0.0.1', 'tcp')];
    let created = 0;
    for (let i = 0; i < CORE_CASES; i++) {
      const now = T0 + i; // 1 ms per case: 100 s of simulated time
      const seed = seeds[Math.floor(rng() * seeds.length)] ?? Buffer.alloc(0);
      const datagram = rng() < 0.05 ? seed : mutate(seed, rng);
      const client = clients[Math.floor(rng() * clients.length)] ?? owner;
      const actions =
        rng() < 0.1
          ? fromPeer(h, rng() < 0.5 ? relayId : Math.floor(rng() * 10), '127.0.0.1', 7000, datagram, now)
          : h.core.handleClient(client, datagram, now);
      for (const a of actions) {
        if (a.kind === 'open-relay') {
          created++;
          h.core.relayOpened(a.relayId, 41000 + a.relayId, now);
        }
      }
    }
    // Allocations created by replayed valid requests are bounded by the 5-tuples in play.
    expect(h.core.allocationCount).toBeLessThanOrEqual(clients.length);
    expect(created).toBeLessThan(CORE_CASES);
    // After every lifetime has passed, nothing is left.
    h.core.onTimer(T0 + CORE_CASES + 3_700_000);
    expect(h.core.allocationCount).toBe(0);
    const left = h.core.census();
    expect(left.relayIds).toBe(0);
    expect(left.usernames + left.sources + left.ownRelays).toBe(0);
    expect(left.portsHeld[4] + left.reservations).toBe(0);
    const stats = h.metrics.listener('udp', 3478);
    expect([...stats.malformed.values()].reduce((s, n) => s + n, 0)).toBeGreaterThan(CORE_CASES / 10);
  }, 60_000);

  it(`survives ${WIRE_CASES} mutated datagrams and junk streams at the real relay, then serves a clean client`, async () => {
    const rng = mulberry32(SEED + 1);
    const echo = await startUdpEcho();
    const relay = await startTestRelay({ realm: REALM, secret: 'fuzz-secret' });
    relay.allowPeerEndpoint('127.0.0.1', echo.port);
    const udpPort = relay.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
    const tcpPort = relay.listeners.find((l) => l.transport === 'tcp')?.port ?? 0;
    try {
      const h = makeHarness();
      const challenge = reply(h.core.handleClient(h.client(1), requests.buildAllocate(null), T0));
      const seeds = corpus({ ...cred(), realm: REALM, nonce: readText(challenge, Attr.Nonce) ?? '' });
      const sock = dgram.createSocket('udp4');
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      for (let i = 0; i < WIRE_CASES; i++) {
        const seed = seeds[Math.floor(rng() * seeds.length)] ?? Buffer.alloc(0);
        const d = mutate(seed, rng);
        if (d.length > 0) sock.send(d, udpPort, '127.0.0.1');
        if (i % 200 === 199) await new Promise((r) => setImmediate(r)); // let the relay drain
      }
      await new Promise<void>((r) => sock.close(() => r()));
      // Junk streams: each must be cut by the framer or left harmless.
      const closed = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) =>
            new Promise<boolean>((resolve) => {
              const s = net.connect({ host: '127.0.0.1', port: tcpPort });
              s.on('error', () => undefined); // resets are expected: the relay cuts junk streams
              s.resume(); // drain any response so 'close' can fire
              s.once('close', () => resolve(true));
              s.once('connect', () => {
                const seed = seeds[i % seeds.length] ?? Buffer.alloc(0);
                // Even: a first byte no TURN frame has (the relay must cut the stream itself).
                // Odd: a mutated message, then FIN (the relay must not hang on a partial frame).
                if (i % 2 === 0) s.write(Buffer.concat([Buffer.from([0x80 | i, 0, 0, 0]), mutate(seed, rng)]));
                else s.end(mutate(seed, rng));
              });
            }),
        ),
      );
      expect(closed.every(Boolean)).toBe(true);
      const text = await metricsText((r) => relay.registerMetrics(r));
      expect(text).toMatch(/callprobe_turn_malformed_total\{transport="udp",[^}]*\} [1-9]/);
      expect(text).toMatch(/callprobe_turn_malformed_total\{transport="tcp",[^}]*reason="stream-not-turn"\} [1-9]/);
      expect(text).toMatch(/callprobe_turn_allocations_active\{transport="udp",port="\d+"\} 0/);
      // A clean client is still served end to end.
      const c = mintRestCredential('fuzz-secret', 'clean', 600, Date.now());
      const client = await TurnClient.connect({ host: '127.0.0.1', port: udpPort, username: c.username, password: c.credential });
      try {
        await client.allocate();
        await client.channelBind(0x4000, { ip: parseIp('127.0.0.1'), port: echo.port });
        const got = new Promise<string>((resolve) => (client.onData = (d) => resolve(d.toString())));
        client.sendChannelData(0x4000, Buffer.from('still alive'));
        expect(await got).toBe('still alive');
        await client.refresh(0);
      } finally {
        await client.close();
      }
      expect(await metricsText((r) => relay.registerMetrics(r))).toMatch(/callprobe_turn_allocations_active\{transport="udp",port="\d+"\} 0/);
    } finally {
      await relay.close();
      await echo.close();
    }
  }, 60_000);
});
