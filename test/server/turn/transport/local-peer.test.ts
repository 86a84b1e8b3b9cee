/**
 * A peer in the relay's own process (the reflector's RTP leg): the relay hands it what a client
 * sends through a channel, by a call, and takes what it sends to the relayed address as if it
 * came on that socket; both through the same permission checks. Nothing listens at the peer's
 * address: a datagram that took the wire would be lost, so every delivery here proves the call.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSTANTS } from '../../../../src/protocol/defaults.js';
import { decodeRtpEcho, encodeRtpProbe } from '../../../../src/protocol/rtp-probe.js';
import { NativeRtpCore } from '../../../../server/reflector/rtp/native-core.js';
import { SrtpDirection, writeRtpHeader } from '../../../../server/reflector/rtp/srtp.js';
import { TurnClient } from '../../../../server/turn/client/turn-client.js';
import { mintRestCredential } from '../../../../server/turn/credentials.js';
import type { Relay } from '../../../../server/turn/index.js';
import { formatIp, parseIp } from '../../../../src/protocol/ip.js';
import { freePorts } from '../../../kit/net.js';
import { collector, waitFor } from '../../../kit/wait.js';
import { startTestRelay } from '../helpers/relay.js';
import { metricsText } from '../../../kit/metrics.js';

const SECRET = 'local-peer-secret';
let relay: Relay;
let peerPort: number;

beforeAll(async () => {
  relay = await startTestRelay({ listenHosts: ['127.0.0.1'], tcpPorts: [], secret: SECRET });
  [peerPort = 0] = await freePorts(1);
});

afterAll(async () => {
  await relay.close();
});

async function client(name: string): Promise<TurnClient> {
  const c = mintRestCredential(SECRET, name, 600, Date.now());
  return TurnClient.connect({ host: '127.0.0.1', port: relay.listeners[0]?.port ?? 0, username: c.username, password: c.credential });
}

/** The page's Opus payload type. */
const PT = 111;

/**
 * The page's SRTP stream `pageSsrc` and the peer's probe core (the addon's, echoing as `echoSsrc`,
 * numbered from `firstSeq` and `firstTimestamp`): `packet(i)` is the page's probe `i`, sealed;
 * `upSeqOf` opens an echo and reads which probe it answers.
 */
function probeStream(pageSsrc: number, echoSsrc: number, firstSeq: number, firstTimestamp: number) {
  const [upKey, downKey] = [randomBytes(16), randomBytes(16)];
  const [upSalt, downSalt] = [randomBytes(14), randomBytes(14)];
  const core = new NativeRtpCore({ recentRecords: CONSTANTS.rtp.recentRecords, frameBytes: CONSTANTS.rtp.frameBytes });
  expect(core.attach(new SrtpDirection(upKey, upSalt), new SrtpDirection(downKey, downSalt), echoSsrc, PT)).toBe(true);
  core.numbering(firstSeq, firstTimestamp, 480);
  const tx = new SrtpDirection(upKey, upSalt);
  const rx = new SrtpDirection(downKey, downSalt);
  return {
    core,
    packet: (i: number): Buffer =>
      tx.protectRtp(
        Buffer.concat([
          writeRtpHeader(Buffer.alloc(12), false, PT, i, i * 480, pageSsrc),
          encodeRtpProbe({ probeSeq: i, sendMs: i, opus: Buffer.from('opus') }, CONSTANTS.rtp.frameBytes),
        ]),
      ),
    upSeqOf: (d: Uint8Array): number => decodeRtpEcho(rx.unprotectRtp(Buffer.from(d)).subarray(12)).upSeq,
  };
}

/**
 * The peer's JavaScript: what the relay hands it by a call goes through `core`, its sequence number
 * into `byCall`, and an echo goes back to the relayed address `to()` names, as the leg answers.
 */
function answerByCall(core: NativeRtpCore, byCall: number[], to: () => { ip: string; port: number }): ReturnType<Relay['attachLocalPeer']> {
  const link: ReturnType<Relay['attachLocalPeer']> = relay.attachLocalPeer('127.0.0.1', peerPort, (data) => {
    const f = { seq: 0, timestamp: 0, headerBytes: 0, payloadBytes: 0 };
    const out = core.packet(data, performance.now(), 0, 0, true, f);
    byCall.push(f.seq);
    if (out.kind === 'echo' && out.packet !== null) link.fromPeer(out.packet, to().ip, to().port);
  });
  return link;
}

describe('a peer in the relay process', () => {
  it('gets a channel’s data by a call, from the relayed address, and its answer reaches the client through the channel', async () => {
    const undo = relay.allowPeerEndpoint('127.0.0.1', peerPort);
    const delivered = collector<{ data: string; fromIp: string; fromPort: number }>();
    const link = relay.attachLocalPeer('127.0.0.1', peerPort, (data, fromIp, fromPort) => delivered.push({ data: data.toString(), fromIp, fromPort }));
    const c = await client('local-a');
    try {
      const a = await c.allocate({ family: 4 });
      const relayedIp = formatIp(a.relayed.ip);
      await c.channelBind(0x4001, { ip: parseIp('127.0.0.1'), port: peerPort });
      const back = collector<string>();
      c.onData = (d) => back.push(Buffer.from(d).toString());
      c.sendChannelData(0x4001, Buffer.from('probe 1'));
      const [got] = await delivered.atLeast(1, { timeoutMs: 3000, what: 'the datagram handed to the peer' });
      expect(got).toEqual({ data: 'probe 1', fromIp: relayedIp, fromPort: a.relayed.port });
      // The peer answers to the relayed address: taken by a call, relayed to the client.
      expect(link.fromPeer(Buffer.from('echo 1'), relayedIp, a.relayed.port)).toBe(true);
      expect(await back.atLeast(1, { timeoutMs: 3000, what: 'the echo through the channel' })).toEqual(['echo 1']);
      // An address that is not one of this relay's relayed sockets stays on the wire.
      expect(link.fromPeer(Buffer.from('elsewhere'), relayedIp, a.relayed.port === 1 ? 2 : 1)).toBe(false);
      expect(link.fromPeer(Buffer.from('elsewhere'), 'not-an-ip', a.relayed.port)).toBe(false);
    } finally {
      await c.close();
      link.detach();
      undo();
    }
  });

  it('is held to the allocation’s permissions, like a datagram from the wire', async () => {
    // Allowed by policy but without a permission on this allocation: the relay drops what the peer sends.
    const undo = relay.allowPeerEndpoint('127.0.0.1', peerPort);
    const link = relay.attachLocalPeer('127.0.0.1', peerPort, () => undefined);
    const c = await client('local-b');
    try {
      const a = await c.allocate({ family: 4 });
      const back = collector<string>();
      c.onData = (d) => back.push(Buffer.from(d).toString());
      expect(link.fromPeer(Buffer.from('unasked'), formatIp(a.relayed.ip), a.relayed.port)).toBe(true);
      // Then a permission and a channel: the next one arrives, the first never did.
      await c.channelBind(0x4002, { ip: parseIp('127.0.0.1'), port: peerPort });
      link.fromPeer(Buffer.from('asked'), formatIp(a.relayed.ip), a.relayed.port);
      expect(await back.atLeast(1, { timeoutMs: 3000, what: 'the permitted datagram' })).toEqual(['asked']);
    } finally {
      await c.close();
      link.detach();
      undo();
    }
  });

  it('offered the fast path, has the stream answered in C, counted as the wire would count it, until the offer is withdrawn', async () => {
    const PAGE_SSRC = 0x2222_3333;
    const { core, packet, upSeqOf } = probeStream(PAGE_SSRC, 0x0bad_cafe, 100, 48_000);
    const undo = relay.allowPeerEndpoint('127.0.0.1', peerPort);
    const byCall: number[] = [];
    let relayed = { ip: '', port: 0 };
    const link = answerByCall(core, byCall, () => relayed);
    const c = await client('local-fast');
    let drains = 0;
    try {
      const a = await c.allocate({ family: 4 });
      relayed = { ip: formatIp(a.relayed.ip), port: a.relayed.port };
      await c.channelBind(0x4003, { ip: parseIp('127.0.0.1'), port: peerPort });
      const echoes = collector<number>();
      c.onData = (d) => echoes.push(upSeqOf(d));
      link.offerFast({
        peer: core.fastPeer(),
        ssrc: PAGE_SSRC,
        payloadType: PT,
        perSecond: 1000,
        burst: 100,
        onDrain: () => drains++,
      });
      // The first is handed over by a call (the relay takes the offer up then), the rest are answered in C.
      for (let i = 0; i < 20; i++) {
        c.sendChannelData(0x4003, packet(i));
        await echoes.atLeast(i + 1, { timeoutMs: 3000, what: `the echo of probe ${i}` });
      }
      expect(byCall).toEqual([0]);
      expect(echoes.items).toEqual([...Array(20).keys()]);
      // Read through the relay's witness (it counts what the fast path took first): every probe up, every echo down.
      const w = relay.relayWitness('127.0.0.1', peerPort);
      expect([w?.upstream.packets, w?.downstream?.packets, w?.upstream.lost, w?.upstream.reordered]).toEqual([20, 20, 0, 0]);
      expect(drains).toBeGreaterThan(0);
      const text = await metricsText((r) => relay.registerMetrics(r));
      const metric = (name: string, direction?: string): number =>
        text
          .split('\n')
          .filter((l) => l.startsWith(name) && (direction === undefined || l.includes(`direction="${direction}"`)))
          .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
      expect(metric('callprobe_turn_relayed_packets_total', 'client_to_peer')).toBeGreaterThanOrEqual(20);
      expect(metric('callprobe_turn_relayed_packets_total', 'peer_to_client')).toBeGreaterThanOrEqual(20);
      expect(metric('callprobe_turn_in_process_packets_total')).toBeGreaterThanOrEqual(20);
      // Withdrawn: the next goes by a call again, numbered on from the fast path's last echo.
      link.offerFast(null);
      c.sendChannelData(0x4003, packet(20));
      await echoes.atLeast(21, { timeoutMs: 3000, what: 'the echo of probe 20' });
      expect(byCall).toEqual([0, 20]);
      expect(core.nextNumber()).toEqual({ seq: 121, timestamp: 48_000 + 21 * 480 });
      // Offered again, then the allocation ends with it taken up: the entry ends with it, counted, and nothing is left behind.
      link.offerFast({ peer: core.fastPeer(), ssrc: PAGE_SSRC, payloadType: PT, perSecond: 1000, burst: 100, onDrain: () => drains++ });
      c.sendChannelData(0x4003, packet(21));
      c.sendChannelData(0x4003, packet(22));
      await echoes.atLeast(23, { timeoutMs: 3000, what: 'the echoes of probes 21 and 22' });
      expect(byCall).toEqual([0, 20, 21]);
      const before = drains;
      await c.refresh(0);
      await waitFor(() => drains > before, { timeoutMs: 3000, what: 'the entry drained as its allocation ended' });
    } finally {
      await c.close();
      link.detach();
      undo();
    }
  });
  it('takes the stream up through whichever of the client’s allocations carries it, and answers in that channel, not where the peer answers', async () => {
    // A page with a relay candidate on each of two interfaces: its browser sends through the second
    // allocation, while the peer (werift) answers to the first one's relayed address.
    const PAGE_SSRC = 0x4444_5555;
    const { core, packet, upSeqOf } = probeStream(PAGE_SSRC, 0x0bad_f00d, 500, 0);
    const undo = relay.allowPeerEndpoint('127.0.0.1', peerPort);
    let first = { ip: '', port: 0 };
    const byCall: number[] = [];
    const link = answerByCall(core, byCall, () => first);
    const [a, b] = [await client('two-a'), await client('two-b')];
    try {
      const relayedA = await a.allocate({ family: 4 });
      first = { ip: formatIp(relayedA.relayed.ip), port: relayedA.relayed.port };
      await a.channelBind(0x4004, { ip: parseIp('127.0.0.1'), port: peerPort });
      await b.allocate({ family: 4 });
      await b.channelBind(0x4005, { ip: parseIp('127.0.0.1'), port: peerPort });
      const [viaA, viaB] = [collector<number>(), collector<number>()];
      a.onData = (d) => viaA.push(upSeqOf(d));
      b.onData = (d) => viaB.push(upSeqOf(d));
      link.offerFast({ peer: core.fastPeer(), ssrc: PAGE_SSRC, payloadType: PT, perSecond: 1000, burst: 100, onDrain: () => undefined });
      // The first goes by a call (the peer answers through A); the relay takes the stream up on B, and answers the rest through B.
      b.sendChannelData(0x4005, packet(0));
      await viaA.atLeast(1, { timeoutMs: 3000, what: 'the echo of probe 0 through the peer’s allocation' });
      for (let i = 1; i < 10; i++) {
        b.sendChannelData(0x4005, packet(i));
        await viaB.atLeast(i, { timeoutMs: 3000, what: `the echo of probe ${i} through the allocation it came by` });
      }
      expect(byCall).toEqual([0]);
      expect([viaA.items, viaB.items]).toEqual([[0], [1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    } finally {
      await a.close();
      await b.close();
      link.offerFast(null);
      link.detach();
      undo();
    }
  });
});
