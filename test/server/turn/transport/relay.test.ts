import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Relay } from '../../../../server/turn/index.js';
import { startTestRelay } from '../helpers/relay.js';
import { REFLECTOR_USERNAME_PREFIX, mintRestCredential } from '../../../../server/turn/credentials.js';
import { TurnClient, TurnClientError } from '../../../../server/turn/client/turn-client.js';
import { parseIp } from '../../../../src/protocol/ip.js';
import { freePorts, startUdpEcho, type UdpEcho } from '../../../kit/net.js';
import { selfSignedPem } from '../../../kit/pki.js';
import { collector, waitFor } from '../../../kit/wait.js';

const SECRET = 'transport-secret';
let relay: Relay;
let echo: UdpEcho;
let undoEcho: () => void;

beforeAll(async () => {
  echo = await startUdpEcho();
  relay = await startTestRelay({ udpPorts: [0, 0], tls: { port: 0, ...selfSignedPem() }, secret: SECRET });
  undoEcho = relay.allowPeerEndpoint('127.0.0.1', echo.port);
});

afterAll(async () => {
  await relay.close();
  await echo.close();
});

function listener(transport: 'udp' | 'tcp' | 'tls', n = 0): number {
  const l = relay.listeners.filter((x) => x.transport === transport)[n];
  if (!l) throw new Error(`no ${transport} listener`);
  return l.port;
}

async function roundTrip(transport: 'udp' | 'tcp' | 'tls', port: number, useChannel: boolean): Promise<void> {
  const c = mintRestCredential(SECRET, `t-${transport}`, 600, Date.now());
  const client = await TurnClient.connect({ host: '127.0.0.1', port, transport, username: c.username, password: c.credential });
  try {
    const { relayed, mapped } = await client.allocate();
    expect(relayed.port).toBeGreaterThan(0);
    expect(mapped.port).toBeGreaterThan(0);
    const peer = { ip: parseIp('127.0.0.1'), port: echo.port };
    const got = collector<Buffer>();
    client.onData = (d) => got.push(Buffer.from(d));
    if (useChannel) {
      await client.channelBind(0x4001, peer);
      for (const m of ['one', 'two', 'three']) client.sendChannelData(0x4001, Buffer.from(m));
    } else {
      await client.createPermission([peer]);
      for (const m of ['one', 'two', 'three']) client.sendIndication(peer, Buffer.from(m));
    }
    const three = await got.atLeast(3, { timeoutMs: 3000, what: 'the three relayed messages' });
    expect(three.map((b) => b.toString()).sort()).toEqual(['one', 'three', 'two']);
    await client.refresh(0);
  } finally {
    await client.close();
  }
}

describe('relay transport on loopback', () => {
  it('reports where each listener bound', () => {
    expect(relay.listeners.map((l) => l.transport).sort()).toEqual(['tcp', 'tls', 'udp', 'udp']);
    for (const l of relay.listeners) expect(l.port).toBeGreaterThan(0);
    expect(listener('udp', 0)).not.toBe(listener('udp', 1));
  });

  it('relays over UDP with channels and with Send/Data indications, on every UDP port', async () => {
    await roundTrip('udp', listener('udp', 0), true);
    await roundTrip('udp', listener('udp', 1), false);
  });

  it('relays over TCP and TLS (ChannelData padded on streams)', async () => {
    await roundTrip('tcp', listener('tcp'), true);
    await roundTrip('tls', listener('tls'), true);
  });

  it('refuses a credential made with another secret (401)', async () => {
    const c = mintRestCredential('wrong-secret', 'x', 600, Date.now());
    const client = await TurnClient.connect({ host: '127.0.0.1', port: listener('udp'), username: c.username, password: c.credential });
    try {
      await expect(client.allocate()).rejects.toBeInstanceOf(TurnClientError);
      await expect(client.allocate()).rejects.toMatchObject({ code: 401 });
    } finally {
      await client.close();
    }
  });

  it('stops relaying to the reflector once its endpoint is withdrawn', async () => {
    const c = mintRestCredential(SECRET, 'undo', 600, Date.now());
    const client = await TurnClient.connect({ host: '127.0.0.1', port: listener('udp'), username: c.username, password: c.credential });
    try {
      await client.allocate();
      const before = echo.received;
      undoEcho();
      // The IP-level permission is still granted for... nothing: 127.0.0.1 is now only our own relay IP.
      await client.channelBind(0x4002, { ip: parseIp('127.0.0.1'), port: echo.port });
      client.sendChannelData(0x4002, Buffer.from('should not pass'));
      // Wait (bounded) for the relay's own drop counter rather than for an arbitrary time.
      await waitFor(() => /callprobe_turn_dropped_total\{[^}]*reason="peer-not-allowed"\} [1-9]/.test(relay.metricsText()), {
        timeoutMs: 3000,
        what: 'the peer-not-allowed drop to be counted',
      });
      expect(echo.received).toBe(before);
    } finally {
      undoEcho = relay.allowPeerEndpoint('127.0.0.1', echo.port);
      await client.close();
    }
  });

  it('connects the relay socket of a one-peer allocation (another endpoint of its one permitted IP is not heard), and disconnects it once a second channel is bound', async () => {
    // Relayed ports from a range (as serve binds them): a socket bound to port 0 is never connected (Linux would renumber it on disconnect).
    const [low = 0] = await freePorts(1);
    const ranged = await startTestRelay({ udpPorts: [0], secret: SECRET, relayPortRange: { min: low, max: low } });
    const other = await startUdpEcho();
    const undoEchoHere = ranged.allowPeerEndpoint('127.0.0.1', echo.port);
    const undoOther = ranged.allowPeerEndpoint('127.0.0.1', other.port);
    const c = mintRestCredential(SECRET, 'one-peer', 600, Date.now());
    const udp = ranged.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
    const client = await TurnClient.connect({ host: '127.0.0.1', port: udp, username: c.username, password: c.credential });
    try {
      const { relayed } = await client.allocate();
      const got = collector<{ text: string; channel: number }>();
      client.onData = (d, channel) => got.push({ text: Buffer.from(d).toString(), channel });
      await client.channelBind(0x4003, { ip: parseIp('127.0.0.1'), port: echo.port });
      client.sendChannelData(0x4003, Buffer.from('first'));
      await got.atLeast(1, { timeoutMs: 3000, what: 'the first echo' });
      // Connected to the echo: a datagram from the other endpoint, though 127.0.0.1 is permitted and it is allowed, never reaches the relay.
      other.socket.send('unheard', relayed.port, '127.0.0.1');
      client.sendChannelData(0x4003, Buffer.from('marker'));
      await waitFor(() => got.items.some((m) => m.text === 'marker'), { timeoutMs: 3000, what: 'the marker echo' });
      expect(got.items.map((m) => m.text)).toEqual(['first', 'marker']);

      // A second channel: the socket is disconnected at once, so the other endpoint is heard before the client sends it anything.
      await client.channelBind(0x4004, { ip: parseIp('127.0.0.1'), port: other.port });
      other.socket.send('heard', relayed.port, '127.0.0.1');
      await waitFor(() => got.items.some((m) => m.text === 'heard'), { timeoutMs: 3000, what: 'the other endpoint heard' });
      client.sendChannelData(0x4003, Buffer.from('to-echo'));
      client.sendChannelData(0x4004, Buffer.from('to-other'));
      await waitFor(() => got.items.length >= 5, { timeoutMs: 3000, what: 'both echoes' });
      expect(got.items.slice(2).sort((a, b) => a.text.localeCompare(b.text))).toEqual([
        { text: 'heard', channel: 0x4004 },
        { text: 'to-echo', channel: 0x4003 },
        { text: 'to-other', channel: 0x4004 },
      ]);
    } finally {
      undoOther();
      undoEchoHere();
      await client.close();
      await other.close();
      await ranged.close();
    }
  });

  it("relays between two of its own allocations by a call (each the other's peer, as a test's two legs are), both ways", async () => {
    // A relay of its own, so that its counters are this test's alone.
    const own = await startTestRelay({ udpPorts: [0], secret: SECRET });
    const udp = own.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
    const reflector = mintRestCredential(SECRET, `${REFLECTOR_USERNAME_PREFIX}s1`, 600, Date.now());
    const connect = async (c: { username: string; credential: string }): Promise<TurnClient> =>
      TurnClient.connect({ host: '127.0.0.1', port: udp, username: c.username, password: c.credential });
    const a = await connect(mintRestCredential(SECRET, 'page', 600, Date.now()));
    const b = await connect(reflector);
    try {
      const aRelayed = (await a.allocate()).relayed;
      const bRelayed = (await b.allocate()).relayed;
      // The reflector's session registered the page's relayed address (its candidate) as a pair of its allocations.
      own.allowRelayPair(reflector.username, '127.0.0.1', aRelayed.port);
      const atA = collector<{ text: string; from: string }>();
      const atB = collector<{ text: string; from: string }>();
      const at = (c: typeof atA) => (d: Buffer, _channel: number, from: { ip: unknown; port: number } | null) =>
        c.push({ text: Buffer.from(d).toString(), from: from === null ? 'channel' : String(from.port) });
      a.onData = at(atA);
      b.onData = at(atB);
      // B lets A's relayed address in; A binds a channel to B's; each sends three.
      await b.createPermission([aRelayed]);
      await a.channelBind(0x4005, bRelayed);
      for (const m of ['a1', 'a2', 'a3']) a.sendChannelData(0x4005, Buffer.from(m));
      const fromA = await atB.atLeast(3, { timeoutMs: 3000, what: "A's three at B" });
      // B hears them from A's relayed address (a Data indication: B bound no channel).
      expect(fromA).toEqual(['a1', 'a2', 'a3'].map((text) => ({ text, from: String(aRelayed.port) })));
      for (const m of ['b1', 'b2', 'b3']) b.sendIndication(aRelayed, Buffer.from(m));
      const fromB = await atA.atLeast(3, { timeoutMs: 3000, what: "B's three at A" });
      expect(fromB).toEqual(['b1', 'b2', 'b3'].map((text) => ({ text, from: 'channel' })));
      // All six were handed over in the process: none crossed the wire between the two relay sockets.
      expect(own.metricsText()).toMatch(/callprobe_turn_relayed_packets_total\{transport="udp",port="\d+",direction="client_to_peer"\} 6\n/);
      expect(own.metricsText()).toMatch(/callprobe_turn_in_process_packets_total\{transport="udp",port="\d+"\} 6\n/);
    } finally {
      await a.close();
      await b.close();
      await own.close();
    }
  });

  it('exposes Prometheus counters', () => {
    const text = relay.metricsText();
    expect(text).toMatch(/# TYPE callprobe_turn_allocations_total counter/);
    expect(text).toMatch(/callprobe_turn_relayed_packets_total\{transport="udp",port="\d+",direction="client_to_peer"\} [1-9]/);
    expect(text).toMatch(/callprobe_turn_relayed_packets_total\{transport="tls",port="\d+",direction="peer_to_client"\} 3/);
    expect(text).toMatch(/callprobe_turn_refusals_total\{transport="udp",port="\d+",reason="wrong-credentials"\} [1-9]/);
  });
});

describe('one port serving TLS and plain TCP', () => {
  it('tells them apart by the first byte (0x16 = TLS handshake)', async () => {
    const [port] = await freePorts(1);
    const shared = await startTestRelay({ udpPorts: [], tcpPorts: [port ?? 0], tls: { port: port ?? 0, ...selfSignedPem() }, secret: SECRET });
    const undo = shared.allowPeerEndpoint('127.0.0.1', echo.port);
    try {
      expect(shared.listeners.map((l) => `${l.transport}:${l.port}`).sort()).toEqual([`tcp:${port}`, `tls:${port}`]);
      for (const transport of ['tcp', 'tls'] as const) {
        const c = mintRestCredential(SECRET, `shared-${transport}`, 600, Date.now());
        const client = await TurnClient.connect({ host: '127.0.0.1', port: port ?? 0, transport, username: c.username, password: c.credential });
        try {
          await client.allocate();
          await client.channelBind(0x4001, { ip: parseIp('127.0.0.1'), port: echo.port });
          const got = collector<Buffer>();
          client.onData = (d) => got.push(Buffer.from(d));
          client.sendChannelData(0x4001, Buffer.from(transport));
          expect((await got.atLeast(1, { timeoutMs: 3000, what: 'the relayed message' }))[0]?.toString()).toBe(transport);
        } finally {
          await client.close();
        }
      }
      expect(shared.metricsText()).toMatch(/callprobe_turn_allocations_total\{transport="tls",port="\d+"\} 1/);
      expect(shared.metricsText()).toMatch(/callprobe_turn_allocations_total\{transport="tcp",port="\d+"\} 1/);
    } finally {
      undo();
      await shared.close();
    }
  });
});
