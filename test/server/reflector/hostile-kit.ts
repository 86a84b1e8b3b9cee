/**
 * What the reflector's destination tests share: loopback listeners that count every datagram
 * and connection they receive (the places a hostile page names), the page's two real offers
 * (a data-channel offer from @roamhq/wrtc, an audio offer from werift, both without
 * candidates: trickle ICE), and signalling on one WebSocket.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import wrtc from '@roamhq/wrtc';
import { RTCPeerConnection as WeriftPeerConnection, useOPUS } from 'werift';
import type { SignalData, SignalLeg } from '../../../src/protocol/api.js';
import { PROBE_CHANNEL_INIT, PROBE_CHANNEL_LABEL } from '../../../src/protocol/channels.js';
import type { Sig } from '../../../bench/lib/abuse.js';
import { hostCandidate } from '../../../bench/lib/abuse.js';

export interface Listener {
  name: string;
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
  /** Datagrams or connections received. */
  hits: number;
  /** The datagrams received (UDP only). */
  datagrams: Buffer[];
  /** A candidate line (attribute text) pointing here. */
  candidate(foundation: number, priority: number): string;
  /** Sends one datagram from here (UDP only). */
  send(data: Buffer, address: string, port: number): Promise<void>;
  close(): Promise<void>;
}

/** A UDP socket on address:port that counts what it receives; null when the host cannot bind there (no IPv6). */
export async function udpListener(name: string, address: string, port = 0): Promise<Listener | null> {
  const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => resolve());
    });
  } catch {
    socket.close();
    return null;
  }
  const bound = socket.address().port;
  const l: Listener = {
    name,
    transport: 'udp',
    address,
    port: bound,
    hits: 0,
    datagrams: [],
    candidate: (f, p) => hostCandidate(f, 'udp', address, bound, p),
    send: (data, to, toPort) => new Promise((resolve, reject) => socket.send(data, toPort, to, (err) => (err ? reject(err) : resolve()))),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (msg) => {
    l.hits++;
    l.datagrams.push(msg);
  });
  return l;
}

/** A TCP listener (an ICE-TCP passive candidate's place) that counts the connections it accepts. */
export async function tcpListener(name: string, address: string): Promise<Listener> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, address, () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  const l: Listener = {
    name,
    transport: 'tcp',
    address,
    port,
    hits: 0,
    datagrams: [],
    candidate: (f, p) => hostCandidate(f, 'tcp', address, port, p),
    send: () => Promise.reject(new Error(`${name} is a TCP listener`)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  server.on('connection', (c) => {
    l.hits++;
    c.destroy();
  });
  return l;
}

/** The page's two offers as its stacks write them (CRLF, no candidates yet). */
export async function realOffers(): Promise<{ dc: string; rtp: string }> {
  const dcPc = new wrtc.RTCPeerConnection({ iceServers: [] });
  const rtpPc = new WeriftPeerConnection({ iceServers: [], iceUseTcp: false, codecs: { audio: [useOPUS()], video: [] } });
  try {
    dcPc.createDataChannel(PROBE_CHANNEL_LABEL, { ...PROBE_CHANNEL_INIT });
    const dc = (await dcPc.createOffer()).sdp ?? '';
    rtpPc.addTransceiver('audio', { direction: 'sendrecv' });
    const rtp = (await rtpPc.createOffer()).sdp;
    return { dc, rtp };
  } finally {
    dcPc.close();
    await rtpPc.close();
  }
}

/** Sends one signal message of `leg` (absent: the data-channel leg). */
export function sendSignal(sig: Sig, data: SignalData, leg?: SignalLeg): void {
  sig.ws.send(JSON.stringify(leg ? { type: 'signal', data, leg } : { type: 'signal', data }));
}

/** A trickled candidate message. */
export const trickled = (candidate: string): SignalData => ({ type: 'candidate', candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } });

/** The refusals (reasons) and answers the server sent on `sig`, of one leg. */
export function said(sig: Sig, leg?: SignalLeg): { refusals: string[]; answers: string[] } {
  const refusals = sig.incoming.flatMap((m) => (m.type === 'error' ? [m.reason] : []));
  const answers = sig.incoming.flatMap((m) => (m.type === 'signal' && m.leg === leg && m.data.type === 'answer' ? [m.data.sdp ?? ''] : []));
  return { refusals, answers };
}
