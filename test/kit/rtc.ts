/**
 * An in-process WebRTC client for server tests: simple-peer over @roamhq/wrtc with the page's
 * data channel (the lossy probe channel; the control messages ride the signalling socket),
 * signalling and accepting only UDP host candidates on one loopback address (in trickled
 * candidates and in descriptions alike), so no relay is needed and no packet leaves loopback;
 * or, with `turn`, relay-only through a relay on loopback, as the page runs.
 */
import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import type { SignalData } from '../../src/protocol/api.js';
import { PROBE_CHANNEL_INIT, PROBE_CHANNEL_LABEL } from '../../src/protocol/channels.js';
import { internalsOf } from '../../src/session/net/simple-peer.js';
import { isOwnRelayedCandidate, isSignalledCandidate, parseCandidate, type ParsedCandidate } from '../../server/reflector/candidates.js';
import { localDescription } from '../../server/reflector/signalled-sdp.js';
import { collector, waitFor, type Collector } from './wait.js';

export interface RtcClient {
  peer: SimplePeer.Instance;
  pc: RTCPeerConnection;
  /** The probe channel (created by simple-peer, open after connect). */
  probe(): RTCDataChannel | null;
  /** Datagrams received on the probe channel. */
  data: Collector<Uint8Array>;
  /** Our local candidates dropped because they are not on `address` (never signalled). */
  droppedCandidates: number;
  /** Errors the peer emitted (a connection wait fails on the first). */
  errors: Error[];
  /** Takes the other side's signal message (candidates not on `address` are ignored). */
  accept(data: SignalData): void;
  /** Resolves when the probe channel is open. */
  connected(timeoutMs: number): Promise<void>;
  close(): void;
}

export interface RtcClientOptions {
  /** Sends our signal messages to the other side (an offer first: we are the initiator). */
  send(data: SignalData): void;
  /** The one address candidates may use (default 127.0.0.1). */
  address?: string;
  /**
   * Relay-only, as the page runs: candidates only on this TURN server (its relayed address is
   * `address`), under this credential; absent: UDP host candidates, no relay.
   */
  turn?: { url: string; username: string; credential: string };
}

export function startRtcClient(opts: RtcClientOptions): RtcClient {
  const address = opts.address ?? '127.0.0.1';
  const turn = opts.turn;
  const kept = (c: ParsedCandidate | null, on: string): boolean =>
    turn === undefined ? isSignalledCandidate(c, on) : isOwnRelayedCandidate(c, { addresses: [on], portRange: { min: 0, max: 0 } });
  const onAddress = (line: string): boolean => kept(parseCandidate(line), address);
  const filterSdpCandidates = (sdp: string, on: string): string => localDescription(sdp, (c) => kept(c, on)).sdp;
  const peer = new SimplePeer({
    initiator: true,
    trickle: true,
    wrtc: wrtc as unknown as NonNullable<SimplePeer.Options['wrtc']>,
    config:
      turn === undefined
        ? { iceServers: [] }
        : { iceServers: [{ urls: turn.url, username: turn.username, credential: turn.credential }], iceTransportPolicy: 'relay' },
    channelName: PROBE_CHANNEL_LABEL,
    channelConfig: { ...PROBE_CHANNEL_INIT },
    sdpTransform: (sdp) => filterSdpCandidates(sdp, address),
  });
  const { pc } = internalsOf(peer);
  const client: RtcClient = {
    peer,
    pc,
    probe: () => internalsOf(peer).channel,
    data: collector<Uint8Array>(),
    droppedCandidates: 0,
    errors: [],
    accept: (data) => {
      const line = data.type === 'candidate' ? (data.candidate?.candidate ?? '') : '';
      if (line !== '' && !onAddress(line)) return;
      // The other side's description may list every host candidate: keep ours to loopback.
      const kept = data.sdp === undefined ? data : { ...data, sdp: filterSdpCandidates(data.sdp, address) };
      peer.signal(kept as SimplePeer.SignalData);
    },
    connected: async (timeoutMs) => {
      await waitFor(
        () => {
          if (client.errors[0]) throw client.errors[0];
          return client.probe()?.readyState === 'open';
        },
        {
          timeoutMs,
          what: 'the probe channel to open',
          state: () => `probe ${client.probe()?.readyState ?? 'none'}, ICE ${pc.iceConnectionState}`,
        },
      );
    },
    close: () => peer.destroy(),
  };
  peer.on('error', (err: Error) => client.errors.push(err));
  peer.on('data', (chunk: Uint8Array) => client.data.push(new Uint8Array(chunk)));
  peer.on('signal', (data: SignalData) => {
    const line = data.type === 'candidate' ? (data.candidate?.candidate ?? '') : '';
    if (line !== '' && !onAddress(line)) {
      client.droppedCandidates++;
      return;
    }
    // simple-peer signals pc.localDescription, which lists the candidates gathered so far
    // whatever sdpTransform did: filter again.
    opts.send(data.sdp === undefined ? data : { ...data, sdp: filterSdpCandidates(data.sdp, address) });
  });
  return client;
}
