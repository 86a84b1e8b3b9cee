import type { SignalData } from '../../protocol/api.js';
import { PROBE_CHANNEL_INIT, PROBE_CHANNEL_LABEL } from '../../protocol/channels.js';
import { SetupError, relayRefusals } from './errors.js';
import { internalsOf, type SimplePeerCtor, type SimplePeerInstance, type WrtcImpl } from './simple-peer.js';

/** A connected relay-only peer with its probe channel (lossy); the session's control messages ride the signalling socket. */
export interface PeerLink {
  peer: SimplePeerInstance;
  pc: RTCPeerConnection;
  probe: RTCDataChannel;
  close(): void;
}

export interface PeerSetup {
  SimplePeer: SimplePeerCtor;
  initiator: boolean;
  iceServers: RTCIceServer[];
  /** Send our signal messages to the other side. */
  sendSignal(data: SignalData): void;
  stream?: MediaStream;
  timeoutMs: number;
  signal?: AbortSignal;
  wrtc?: WrtcImpl;
  /** Told when ICE connects and when DTLS is up too (connectionState 'connected', W3C webrtc-pc §4.3.3). */
  onStep?(step: 'iceConnected' | 'dtls'): void;
}

/**
 * Creates a relay-only simple-peer (iceTransportPolicy 'relay', trickle ICE: on loopback
 * Chromium never finishes gathering) and resolves when its probe channel is open.
 * The returned `accept` function takes the other side's signal messages.
 */
export function createPeer(setup: PeerSetup): { accept(data: SignalData): void; ready: Promise<PeerLink> } {
  const peer = new setup.SimplePeer({
    initiator: setup.initiator,
    trickle: true,
    config: { iceServers: setup.iceServers, iceTransportPolicy: 'relay' },
    channelName: PROBE_CHANNEL_LABEL,
    channelConfig: { ...PROBE_CHANNEL_INIT },
    ...(setup.stream ? { stream: setup.stream } : {}),
    ...(setup.wrtc ? { wrtc: setup.wrtc } : {}),
  });
  const { pc } = internalsOf(peer);
  const iceErrors: string[] = [];
  pc.addEventListener('icecandidateerror', (ev: Event) => {
    const e = ev as RTCPeerConnectionIceErrorEvent;
    iceErrors.push(`${e.url || 'TURN'}: ${e.errorCode} ${e.errorText}`.trim());
  });
  peer.on('signal', (data: SignalData) => setup.sendSignal(data));
  pc.addEventListener('iceconnectionstatechange', () => {
    if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') setup.onStep?.('iceConnected');
  });
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'connected') setup.onStep?.('dtls');
  });

  const ready = new Promise<PeerLink>((resolve, reject) => {
    let settled = false;
    const fail = (err: SetupError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      peer.destroy();
      reject(err);
    };
    const timer = setTimeout(() => {
      if (relayRefusals(iceErrors).length > 0) fail(new SetupError('relay-refused', `the relay refused us: ${iceErrors.join('; ')}`));
      else if (iceErrors.length > 0) fail(new SetupError('could-not-connect', `no relay candidate: ${iceErrors.join('; ')}`));
      else fail(new SetupError('ice-failed', `no connection within ${setup.timeoutMs} ms (ICE ${pc.iceConnectionState})`));
    }, setup.timeoutMs);
    setup.signal?.addEventListener('abort', () => fail(new SetupError('cancelled', 'test cancelled')));
    peer.on('error', (err: Error) => fail(new SetupError('ice-failed', `peer failed: ${err.message}`)));
    const check = (): void => {
      if (settled) return;
      const channel = internalsOf(peer).channel;
      if (!channel || channel.readyState !== 'open') return;
      if (channel.ordered !== false || channel.maxRetransmits !== 0) {
        fail(new SetupError('channel-not-lossy', `probe channel is ordered=${channel.ordered} maxRetransmits=${channel.maxRetransmits}: it would hide loss`));
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve({ peer, pc, probe: channel, close: () => peer.destroy() });
    };
    peer.on('connect', check);
  });
  return { accept: (data) => peer.signal(data), ready };
}
