/**
 * A peer in the relay's own process (the reflector's RTP leg): the relay hands it what a client
 * sends through a channel, by a call, and takes what it sends to the relayed address as if it
 * came on that socket; both through the same permission checks. Nothing listens at the peer's
 * address: a datagram that took the wire would be lost, so every delivery here proves the call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurnClient } from '../../../../server/turn/client/turn-client.js';
import { mintRestCredential } from '../../../../server/turn/credentials.js';
import type { Relay } from '../../../../server/turn/index.js';
import { formatIp, parseIp } from '../../../../src/protocol/ip.js';
import { freePorts } from '../../../kit/net.js';
import { collector } from '../../../kit/wait.js';
import { startTestRelay } from '../helpers/relay.js';

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
});
