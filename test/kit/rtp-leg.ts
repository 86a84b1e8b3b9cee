/**
 * The RTP leg on both ends, in this process: the reflector's (a real ReflectorSession and its
 * werift leg on a real relay, its datagrams handed over by a call, as in the data plane) and the
 * page's (an @roamhq/wrtc peer connection with one audio track, relay-only through that relay:
 * libwebrtc with BoringSSL's DTLS, as in Chromium). The hand-over between the relay and the leg
 * is where a test puts its faults (drop, hold): the one place every datagram of the leg crosses.
 */
import type { AddressInfo } from 'node:net';
import wrtc from '@roamhq/wrtc';
import WebSocket, { WebSocketServer } from 'ws';
import type { SignalData, SignalLeg } from '../../src/protocol/api.js';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { ReflectorSession } from '../../server/reflector/session.js';
import type { AttachLocalPeer } from '../../server/reflector/rtp/leg.js';
import { mintRestCredential, type Relay } from '../../server/turn/index.js';
import { SetupError } from '../../src/session/net/errors.js';
import type { RtpLegStart, RtpLink } from '../../src/session/rtp/leg.js';
import { reflectorRelayOn } from '../server/turn/helpers/relay.js';

/** A datagram crossing the hand-over: `up` from the page to the leg, `down` back; `leg` counts the legs attached (1, 2, ...); `dtls` numbers its DTLS datagrams in that direction (null: not DTLS). */
export interface Crossing {
  leg: number;
  dir: 'up' | 'down';
  dtls: number | null;
  data: Buffer;
}

/** What a fault does to a datagram: passes it, drops it, or holds it until the next datagram of its kind (DTLS or not) in its direction passes (then it follows: two reordered). */
export type Fault = (c: Crossing) => 'pass' | 'drop' | 'hold';

const isDtls = (d: Uint8Array): boolean => d[0] !== undefined && d[0] >= 20 && d[0] <= 63;

/** The relay's hand-over (Relay.attachLocalPeer) with `fault` on every datagram both ways. */
export function faultyHandOver(relay: Relay, fault: Fault): AttachLocalPeer {
  let legs = 0;
  return (ip, port, deliver, dscp) => {
    const leg = ++legs;
    const dtls = { up: 0, down: 0 };
    const held = new Map<string, (() => void)[]>();
    const cross = (dir: 'up' | 'down', data: Buffer, pass: () => void): void => {
      const kind = `${dir} ${isDtls(data) ? 'dtls' : 'other'}`;
      const verdict = fault({ leg, dir, dtls: isDtls(data) ? dtls[dir]++ : null, data });
      if (verdict === 'drop') return;
      const waiting = held.get(kind) ?? [];
      if (verdict === 'hold') {
        held.set(kind, [...waiting, pass]);
        return;
      }
      pass();
      held.delete(kind);
      for (const h of waiting) h();
    };
    const link = relay.attachLocalPeer(ip, port, (data, fromIp, fromPort) => cross('up', data, () => deliver(data, fromIp, fromPort)), dscp);
    return {
      dscp: link.dscp,
      fromPeer: (data, toIp, toPort) => {
        cross('down', data, () => link.fromPeer(data, toIp, toPort));
        return true;
      },
      offerFast: (offer) => link.offerFast(offer),
      detach: () => link.detach(),
    };
  };
}

/** What a reflector session of the kit said and did: its log lines, the control messages it sent (JSON text), how it ended. */
export interface SessionTrace {
  lines: { msg: string; obj: Record<string, unknown> }[];
  controls: string[];
  closed: string[];
}

/** Where a kit relay binds its relayed addresses (the session's relay endpoints): outside the kit's freePorts (20000-29999) and the OS's ephemeral range. */
export interface RelayOf {
  relay: Relay;
  secret: string;
  relayPorts: { min: number; max: number };
}

/** A ReflectorSession as the data plane opens it on `relay` (RTP leg on, its datagrams handed over by `attachLocalPeer`), its page at the other end of `sendSignal`/`sendControl`. */
export function relaySession(
  { relay, secret, relayPorts }: RelayOf,
  o: { id: string; attachLocalPeer: AttachLocalPeer; sendSignal(data: SignalData, leg?: SignalLeg): void; sendControl?(m: string | Uint8Array): void },
): { session: ReflectorSession; trace: SessionTrace } {
  const trace: SessionTrace = { lines: [], controls: [], closed: [] };
  const log = (obj: object, msg: string): void => void trace.lines.push({ msg, obj: obj as Record<string, unknown> });
  const udp = relay.listeners.find((l) => l.transport === 'udp');
  if (udp === undefined) throw new Error('the relay has no UDP listener');
  const session = new ReflectorSession({
    id: o.id,
    peerAddress: '127.0.0.1',
    payloadBytes: 160,
    receiptIntervalMs: CONSTANTS.signalling.receiptIntervalMs,
    maxSessionMs: 60_000,
    offerTimeoutMs: CONSTANTS.signalling.offerTimeoutMs,
    connectTimeoutMs: CONSTANTS.signalling.connectTimeoutMs,
    maxCandidates: CONSTANTS.signalling.maxCandidatesPerSession,
    relay: { addresses: ['127.0.0.1'], portRange: relayPorts },
    onCandidateDropped: () => undefined,
    rtp: true,
    logger: { info: log, warn: log, debug: () => undefined },
    sendSignal: o.sendSignal,
    sendControl: (m) => {
      if (typeof m === 'string') trace.controls.push(m);
      o.sendControl?.(m);
    },
    allowEndpoint: (ip, port) => relay.allowPeerEndpoint(ip, port),
    relayServer: reflectorRelayOn(relay, secret)(o.id),
    attachLocalPeer: o.attachLocalPeer,
    dataPath: 'native',
    onClose: (reason) => void trace.closed.push(reason),
  });
  return { session, trace };
}

/** The relay's TURN entry for a page, with a credential minted under `secret`. */
export function pageIceServers(relay: Relay, secret: string): RTCIceServer[] {
  const udp = relay.listeners.find((l) => l.transport === 'udp');
  if (udp === undefined) throw new Error('the relay has no UDP listener');
  const c = mintRestCredential(secret, 'page', 600, Date.now());
  return [{ urls: `turn:${udp.address}:${udp.port}?transport=udp`, username: c.username, credential: c.credential }];
}

/**
 * The page's RTP leg as src/session/rtp/leg.ts opens it (relay-only, one sendrecv audio
 * transceiver, the offer then its trickled candidates, `ready` once connected), played by wrtc:
 * its audio is silence, 10 ms frames from the moment it is opened; it stamps nothing.
 */
export function openWrtcAudioLeg(o: {
  iceServers: RTCIceServer[];
  sendSignal(data: SignalData): void;
  timeoutMs: number;
}): RtpLegStart & { pc: RTCPeerConnection } {
  const pc = new wrtc.RTCPeerConnection({ iceServers: o.iceServers, iceTransportPolicy: 'relay' }) as unknown as RTCPeerConnection;
  const source = new wrtc.nonstandard.RTCAudioSource();
  pc.addTrack(source.createTrack() as unknown as MediaStreamTrack);
  const samples = new Int16Array(480);
  const frames = setInterval(() => source.onData({ samples, sampleRate: 48_000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 }), 10);
  const close = (): void => {
    clearInterval(frames);
    pc.close();
  };
  let offered = false;
  const early: SignalData[] = [];
  const send = (d: SignalData): void => {
    if (offered || d.type === 'offer') o.sendSignal(d);
    else early.push(d);
  };
  pc.onicecandidate = (ev) => {
    const c = ev.candidate;
    if (c?.candidate) send({ type: 'candidate', candidate: { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } });
  };
  let remoteSet = false;
  const pending: RTCIceCandidateInit[] = [];
  let fail: (err: SetupError) => void = () => undefined;
  const ready = new Promise<RtpLink>((resolve, reject) => {
    const timer = setTimeout(() => fail(new SetupError('ice-failed', `the RTP leg did not connect within ${o.timeoutMs} ms`)), o.timeoutMs);
    let settled = false;
    fail = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      reject(err);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') fail(new SetupError('ice-failed', 'the RTP leg failed (ICE/DTLS)'));
      if (pc.connectionState !== 'connected' || settled) return;
      settled = true;
      clearTimeout(timer);
      const counts = { stamped: 0, unstampable: 0, passedThrough: 0, arrivalFromNow: 0 };
      // wrtc's sender takes no networkPriority: the leg is not marked.
      resolve({
        pc,
        marked: false,
        setSink: () => undefined,
        arm: () => undefined,
        disarm: () => undefined,
        flush: () => Promise.resolve({ ...counts }),
        close,
      });
    };
  });
  void pc
    .createOffer()
    .then(async (offer) => {
      await pc.setLocalDescription(offer);
      o.sendSignal({ type: 'offer', sdp: pc.localDescription?.sdp ?? '' });
      offered = true;
      for (const d of early.splice(0)) o.sendSignal(d);
    })
    .catch((err: unknown) => fail(new SetupError('browser-unsupported', `could not make the RTP offer: ${String(err)}`)));
  return {
    pc,
    ready,
    fail: (err) => fail(err),
    relayRefusals: () => [],
    accept: (d) => {
      if (d.type === 'answer' && d.sdp !== undefined) {
        pc.setRemoteDescription({ type: 'answer', sdp: d.sdp })
          .then(async () => {
            remoteSet = true;
            for (const c of pending.splice(0)) await pc.addIceCandidate(c);
          })
          .catch((err: unknown) => fail(new SetupError('reflector-error', `the reflector's RTP answer was refused: ${String(err)}`)));
      } else if (d.type === 'candidate' && d.candidate) {
        // The reflector's candidate lines carry no sdpMid of the page's: the one audio section is 0.
        const c = { candidate: d.candidate.candidate, sdpMid: '0', sdpMLineIndex: 0 };
        if (remoteSet) void pc.addIceCandidate(c).catch(() => undefined);
        else pending.push(c);
      }
    },
  };
}

/**
 * A signalling WebSocket server on loopback that opens a kit reflector session (relaySession)
 * per connection, as `serve`'s signalling plugin does: the page's signals and `stop` to the
 * session, its signals and control messages back. `traces` keeps each connection's trace. With
 * `words: false` the page is not sent the reflector's words about the RTP leg (`rtp-live`,
 * `rtp-retry`), as by a release before them.
 */
export async function signallingServer(
  on: RelayOf,
  attachLocalPeer: AttachLocalPeer,
  o: { words?: boolean } = {},
): Promise<{ url: string; traces: SessionTrace[]; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const traces: SessionTrace[] = [];
  const sessions: ReflectorSession[] = [];
  wss.on('connection', (ws: WebSocket) => {
    const send = (m: object): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
    };
    const { session, trace } = relaySession(on, {
      id: `ws-${traces.length + 1}`,
      attachLocalPeer,
      sendSignal: (data, leg) => send(leg ? { type: 'signal', data, leg } : { type: 'signal', data }),
      sendControl: (m) => {
        if (typeof m !== 'string') send({ type: 'control', text: Buffer.from(m).toString('base64'), binary: true });
        else if (o.words !== false || !/"rtp-(live|retry)"/.test(m)) send({ type: 'control', text: m, binary: false });
      },
    });
    traces.push(trace);
    sessions.push(session);
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { type: string; data?: SignalData; leg?: SignalLeg };
      try {
        if (msg.type === 'stop') session.stop();
        else if (msg.type === 'signal' && msg.data) session.signal(msg.data, msg.leg);
      } catch (err) {
        send({ type: 'error', reason: (err as { reason?: string }).reason ?? 'error', message: (err as Error).message });
      }
    });
    ws.on('close', () => session.close('page hung up'));
  });
  return {
    url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    traces,
    close: async () => {
      for (const s of sessions) s.close('test over');
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}
