import type { SignalData } from '../../protocol/api.js';

/**
 * The part of simple-peer (v9) the session uses, typed here: its own type package pulls in
 * Node's types, and the session runs in the page as well as in Node.
 */
export interface SimplePeerOptions {
  initiator: boolean;
  trickle: boolean;
  config: RTCConfiguration;
  channelName?: string;
  channelConfig?: RTCDataChannelInit;
  stream?: MediaStream;
  /** Node only: a WebRTC implementation such as @roamhq/wrtc. */
  wrtc?: WrtcImpl;
  sdpTransform?: (sdp: string) => string;
}

/** A WebRTC implementation as simple-peer takes it (@roamhq/wrtc in Node). */
export interface WrtcImpl {
  RTCPeerConnection: typeof RTCPeerConnection;
  RTCSessionDescription: typeof RTCSessionDescription;
  RTCIceCandidate: typeof RTCIceCandidate;
}

export interface SimplePeerInstance {
  on(event: 'signal', listener: (data: SignalData) => void): unknown;
  on(event: 'connect' | 'close', listener: () => void): unknown;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  /** simple-peer's report of RTCPeerConnection.iceConnectionState (W3C webrtc-pc §4.3.3). */
  on(event: 'iceStateChange', listener: (iceConnectionState: string, iceGatheringState: string) => void): unknown;
  signal(data: SignalData): void;
  send(data: Uint8Array | string): void;
  destroy(): void;
}

export type SimplePeerCtor = new (opts: SimplePeerOptions) => SimplePeerInstance;

/** simple-peer keeps its RTCPeerConnection and data channel in fields its types omit. */
export function internalsOf(peer: object): { pc: RTCPeerConnection; channel: RTCDataChannel | null } {
  const raw = peer as { _pc?: RTCPeerConnection; _channel?: RTCDataChannel | null };
  if (!raw._pc) throw new Error('simple-peer instance has no RTCPeerConnection');
  return { pc: raw._pc, channel: raw._channel ?? null };
}
