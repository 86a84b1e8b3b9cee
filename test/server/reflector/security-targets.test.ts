/**
 * Issue 14, finding 2: the reflector sends only to the relay. A page signals remote
 * candidates (in its offer and trickled) pointing at 127.0.0.2, at the HTTP port, at ::1, at
 * the relay address outside the relay port range, and ICE-TCP at 127.0.0.2; listeners on each
 * of them must receive 0 datagrams and 0 connections, while a legitimate relay-only client
 * connects through the relay to the reflector.
 *
 * When is "nothing" enough? The attack offer also carries one canary candidate that the
 * reflector may use (the relay address, a port in the relay range, owned by this test) at the
 * lowest priority: once the canary has received the reflector's STUN checks, the reflector has
 * worked through every higher-priority candidate pair it was given.
 *
 * Failed on the starting code (b82b055): the targets received the reflector's STUN checks.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfig, ServerSignalMessage, SignalData } from '../../../src/protocol/api.js';
import { CONTROL_CHANNEL, PROBE_CHANNEL_INIT, PROBE_CHANNEL_LABEL } from '../../../src/protocol/channels.js';
import { freePorts, freeUdpPort } from '../../kit/net.js';
import { nextEvent, waitFor } from '../../kit/wait.js';
import { startServe, type ServeProcess } from '../http/serve-process.js';

// Below the OS ephemeral range (32768-60999) and above the kit's freePorts (20000-29999): no port of
// this test (the HTTP port, the targets) falls inside the relay range by chance.
const RELAY_RANGE = { min: 31000, max: 31499 };
const CANARY_PORT = 31499; // inside the relay range; the relay picks ports at random, the test binds this one first

interface Target {
  name: string;
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
  hits: number;
  close(): void;
}

let server: ServeProcess;
let httpPort: number;
const targets: Target[] = [];
let canary: { socket: dgram.Socket; hits: number };
const peers: { destroy(): void }[] = [];
const sockets: WebSocket[] = [];

async function udpTarget(name: string, address: string, port: number): Promise<Target | null> {
  const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => resolve());
    });
  } catch {
    socket.close();
    return null; // e.g. no IPv6 on this host
  }
  const t: Target = { name, transport: 'udp', address, port: (socket.address() as net.AddressInfo).port, hits: 0, close: () => socket.close() };
  socket.on('message', () => t.hits++);
  return t;
}

async function tcpTarget(name: string, address: string): Promise<Target> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, address, () => resolve()));
  const t: Target = { name, transport: 'tcp', address, port: (srv.address() as net.AddressInfo).port, hits: 0, close: () => srv.close() };
  srv.on('connection', (c) => {
    t.hits++;
    c.destroy();
  });
  return t;
}

beforeAll(async () => {
  const [turnPort = 0] = await freePorts(1); // below the ephemeral range: nothing else takes it before serve binds it
  server = await startServe([
    '--host',
    '127.0.0.1',
    '--http-port',
    '0',
    '--turn-ports',
    String(turnPort),
    '--relay-ports',
    `${RELAY_RANGE.min}-${RELAY_RANGE.max}`,
    '--secret',
    's',
    '--log-level',
    'warn',
  ]);
  httpPort = Number(new URL(server.url).port);
  const candidates = await Promise.all([
    udpTarget('udp 127.0.0.2', '127.0.0.2', 0),
    udpTarget('udp the HTTP port', '127.0.0.1', httpPort),
    udpTarget('udp relay address outside the relay range', '127.0.0.1', await freeUdpPort()),
    udpTarget('udp ::1', '::1', 0),
    tcpTarget('ice-tcp 127.0.0.2', '127.0.0.2'),
  ]);
  for (const t of candidates) if (t) targets.push(t);
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(CANARY_PORT, '127.0.0.1', () => resolve()));
  canary = { socket, hits: 0 };
  socket.on('message', () => canary.hits++);
}, 30_000);

afterAll(async () => {
  for (const p of peers) p.destroy();
  for (const s of sockets) s.close();
  for (const t of targets) t.close();
  canary?.socket.close();
  await server?.stop();
});

function candidateLine(i: number, t: { transport: 'udp' | 'tcp'; address: string; port: number }, priority: number): string {
  const tcp = t.transport === 'tcp' ? ' tcptype passive' : '';
  return `candidate:${9000 + i} 1 ${t.transport} ${priority} ${t.address} ${t.port} typ host${tcp} generation 0`;
}

async function signalling(): Promise<{ ws: WebSocket; incoming: ServerSignalMessage[] }> {
  const ws = new WebSocket(server.url.replace(/^http/, 'ws') + '/api/signal', { origin: server.url });
  sockets.push(ws);
  const incoming: ServerSignalMessage[] = [];
  ws.on('message', (raw: Buffer) => incoming.push(JSON.parse(raw.toString('utf8')) as ServerSignalMessage));
  await nextEvent(ws, 'open', { timeoutMs: 10_000, what: 'signalling socket open' });
  return { ws, incoming };
}

const send = (ws: WebSocket, data: SignalData): void => ws.send(JSON.stringify({ type: 'signal', data }));

describe('the reflector sends only to the relay (finding 2)', () => {
  it('signalled candidates elsewhere get 0 datagrams and 0 connections while a relay-only client connects', async () => {
    // The attack: a real offer (a wrtc peer connection) with the targets and the canary in it, and trickled again.
    const attacker = new wrtc.RTCPeerConnection({ iceServers: [] });
    peers.push({ destroy: () => attacker.close() });
    attacker.createDataChannel(PROBE_CHANNEL_LABEL, { ...PROBE_CHANNEL_INIT });
    const offer = await attacker.createOffer();
    const lines = targets.map((t, i) => `a=${candidateLine(i, t, 2_000_000_000 - i)}`);
    const canaryLine = candidateLine(99, { transport: 'udp', address: '127.0.0.1', port: CANARY_PORT }, 100);
    const sdp = (offer.sdp ?? '').replace(/(a=mid:[^\r\n]*\r\n)/, `$1${[...lines, `a=${canaryLine}`].join('\r\n')}\r\n`);
    const attack = await signalling();
    send(attack.ws, { type: 'offer', sdp });
    targets.forEach((t, i) =>
      send(attack.ws, { type: 'candidate', candidate: { candidate: candidateLine(50 + i, t, 2_000_000_000 - i), sdpMLineIndex: 0, sdpMid: '0' } }),
    );

    // A legitimate relay-only client connects through the relay meanwhile.
    const cfg = (await (await fetch(`${server.url}/api/config`)).json()) as ServerConfig;
    const legit = await signalling();
    const peer = new SimplePeer({
      initiator: true,
      trickle: true,
      wrtc: wrtc as unknown as NonNullable<SimplePeer.Options['wrtc']>,
      config: { iceServers: cfg.turn.map((e) => ({ urls: e.url, username: cfg.username, credential: cfg.credential })), iceTransportPolicy: 'relay' },
      channelName: PROBE_CHANNEL_LABEL,
      channelConfig: { ...PROBE_CHANNEL_INIT },
    });
    peers.push(peer);
    (peer as unknown as { _pc: RTCPeerConnection })._pc.createDataChannel(CONTROL_CHANNEL.label, { negotiated: true, id: CONTROL_CHANNEL.id, ordered: true });
    peer.on('signal', (d: SignalData) => send(legit.ws, d));
    legit.ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString('utf8')) as ServerSignalMessage;
      if (m.type === 'signal') peer.signal(m.data as SimplePeer.SignalData);
    });
    let connected = false;
    peer.on('connect', () => (connected = true));
    await waitFor(() => connected, { timeoutMs: 20_000, what: 'the relay-only client to connect to the reflector' });

    // The reflector has worked through the attack's candidate pairs once the lowest-priority one has been checked.
    await waitFor(() => canary.hits >= 3, { timeoutMs: 20_000, what: 'the reflector to check the canary candidate', state: () => `canary ${canary.hits}` });
    const hits = Object.fromEntries(targets.map((t) => [`${t.name} (${t.address}:${t.port})`, t.hits]));
    console.log(`finding 2: canary ${canary.hits} datagrams; targets ${JSON.stringify(hits)}`);
    expect(targets.length).toBeGreaterThanOrEqual(4);
    expect(
      Object.values(hits).every((h) => h === 0),
      JSON.stringify(hits),
    ).toBe(true);
  }, 60_000);
});
