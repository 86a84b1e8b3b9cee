/**
 * The relay witness on the real relay (startRelay) over loopback: a TURN client sends hand-built
 * RTP through its allocation to a UDP peer, with a seeded pattern of drops, duplicates and
 * swaps applied by the test, and padding-only packets, STUN, DTLS and RTCP mixed in. What
 * `Relay.relayWitness` reports for the peer endpoint must equal that pattern exactly.
 */
import type { Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurnClient } from '../../../../server/turn/client/turn-client.js';
import { mintRestCredential } from '../../../../server/turn/credentials.js';
import type { Relay } from '../../../../server/turn/index.js';
import { startTestRelay } from '../helpers/relay.js';
import { parseIp } from '../../../../src/protocol/ip.js';
import { bindUdp, closeUdp } from '../../../kit/net.js';
import { mulberry32 } from '../../../kit/prng.js';
import { waitFor } from '../../../kit/wait.js';
import { DTLS, SSRC, STUN, TICKS_10MS, rtcp, rtp } from './rtp-fixtures.js';

const SECRET = 'witness-secret';
let relay: Relay;

interface Peer {
  socket: Socket;
  port: number;
  received: number;
}

async function peer(): Promise<Peer> {
  const socket = await bindUdp('127.0.0.1');
  const p: Peer = { socket, port: socket.address().port, received: 0 };
  socket.on('message', () => p.received++);
  return p;
}

beforeAll(async () => {
  relay = await startTestRelay({ tcpPorts: [], secret: SECRET });
});

afterAll(async () => {
  await relay.close();
});

async function client(id: string): Promise<TurnClient> {
  const c = mintRestCredential(SECRET, id, 600, Date.now());
  const port = relay.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
  return TurnClient.connect({ host: '127.0.0.1', port, transport: 'udp', username: c.username, password: c.credential });
}

type Fate = 'normal' | 'drop' | 'duplicate' | 'swap';

/** A seeded impairment plan over `n` packets: first and last always normal, a swap exchanges i and i + 1. */
function plan(n: number, seed: number): Fate[] {
  const rng = mulberry32(seed);
  const fates: Fate[] = Array.from({ length: n }, () => 'normal');
  for (let i = 1; i < n - 2; i++) {
    if (fates[i] !== 'normal') continue;
    const r = rng();
    if (r < 0.06) fates[i] = 'drop';
    else if (r < 0.1) fates[i] = 'duplicate';
    else if (r < 0.15) {
      fates[i] = 'swap';
      fates[i + 1] = 'normal';
      i++; // the partner stays normal and unswapped
    }
  }
  return fates;
}

describe('the relay as a witness of relayed RTP', () => {
  it('counts, by RTP sequence number with padding-only packets skipped, exactly the drops, duplicates and swaps applied upstream', async () => {
    const n = 400;
    const firstSeq = 65_300; // wraps at 65535 after 236 packets
    const fates = plan(n, 13);
    /** Every 25th packet is padding-only (P bit), as libwebrtc interleaves them. */
    const isPadding = (i: number): boolean => i % 25 === 12;
    const order: number[] = [];
    for (let i = 0; i < n; i++) {
      const f = fates[i];
      if (f === 'drop') continue;
      if (f === 'swap') {
        order.push(i + 1, i);
        i++;
        continue;
      }
      order.push(i);
      if (f === 'duplicate') order.push(i);
    }
    const dropped = fates.filter((f) => f === 'drop').length;
    const duplicated = fates.filter((f) => f === 'duplicate').length;
    const swapped = fates.filter((f) => f === 'swap').length;
    expect(dropped).toBeGreaterThan(10);
    expect(duplicated).toBeGreaterThan(5);
    expect(swapped).toBeGreaterThan(5);

    const up = await peer();
    const undo = relay.allowPeerEndpoint('127.0.0.1', up.port);
    const c = await client('witness-up');
    try {
      const { relayed } = await c.allocate();
      await c.channelBind(0x4001, { ip: parseIp('127.0.0.1'), port: up.port });
      let sent = 0;
      const send = (b: Buffer): void => {
        c.sendChannelData(0x4001, b);
        sent++;
      };
      // In batches of 20, each waited for at the peer, so the loopback itself loses nothing.
      for (let k = 0; k < order.length; k += 20) {
        for (const i of order.slice(k, k + 20)) {
          send(rtp({ seq: firstSeq + i, timestamp: 1_000 + i * TICKS_10MS, padding: isPadding(i), payloadBytes: isPadding(i) ? 224 + 10 : 140 }));
        }
        for (const other of [STUN, DTLS, rtcp()]) send(other);
        await waitFor(() => up.received === sent, { timeoutMs: 5_000, what: `peer got ${sent} datagrams` });
      }

      // Downstream: 30 packets from the peer to the client, none lost.
      let back = 0;
      c.onData = () => back++;
      for (let i = 0; i < 30; i++) up.socket.send(rtp({ seq: 10 + i, timestamp: i * TICKS_10MS, ssrc: 0xd0d0 }), relayed.port, '127.0.0.1');
      await waitFor(() => back === 30, { timeoutMs: 5_000, what: 'client got 30 datagrams' });

      const media = order.filter((i) => !isPadding(i)).length;
      const expectedUp = {
        ssrc: SSRC,
        packets: media,
        paddingPackets: order.length - media,
        expected: n,
        lost: dropped,
        lossPct: (100 * dropped) / n,
        duplicates: duplicated,
        reordered: swapped,
        ssrcs: 1,
      };
      const w = relay.relayWitness('127.0.0.1', up.port);
      expect(w?.source).toBe('relay');
      expect(w?.upstream).toMatchObject(expectedUp);
      expect(w?.upstream.jitterMs).toBeGreaterThan(0);
      expect(w?.upstream.maxIpdvMs).toBeGreaterThanOrEqual(w?.upstream.ipdvMeanAbsMs ?? Number.POSITIVE_INFINITY);
      expect(w?.downstream).toMatchObject({ ssrc: 0xd0d0, packets: 30, expected: 30, lost: 0, duplicates: 0, reordered: 0 });

      // The allocation goes; its witness stays readable for the grace period (the reflector reads it at test end).
      await c.refresh(0);
      expect(relay.relayWitness('127.0.0.1', up.port)?.upstream).toMatchObject(expectedUp);
    } finally {
      undo();
      await c.close();
      await closeUdp(up.socket);
    }
  });

  it('witnesses Send indications too, and nothing for a peer that got no RTP', async () => {
    const p = await peer();
    const undo = relay.allowPeerEndpoint('127.0.0.1', p.port);
    const c = await client('witness-send');
    try {
      await c.allocate();
      const addr = { ip: parseIp('127.0.0.1'), port: p.port };
      await c.createPermission([addr]);
      c.sendIndication(addr, DTLS);
      await waitFor(() => p.received === 1, { timeoutMs: 5_000, what: 'DTLS datagram at the peer' });
      expect(relay.relayWitness('127.0.0.1', p.port)).toBeNull();
      for (const i of [0, 1, 2, 4]) c.sendIndication(addr, rtp({ seq: i, timestamp: i * TICKS_10MS }));
      await waitFor(() => p.received === 5, { timeoutMs: 5_000, what: '4 RTP datagrams at the peer' });
      expect(relay.relayWitness('127.0.0.1', p.port)?.upstream).toMatchObject({ packets: 4, expected: 5, lost: 1 });
      expect(relay.relayWitness('127.0.0.1', p.port)?.downstream).toBeNull();
      expect(relay.relayWitness('not an ip', p.port)).toBeNull();
    } finally {
      undo();
      await c.close();
      await closeUdp(p.socket);
    }
  });
});
