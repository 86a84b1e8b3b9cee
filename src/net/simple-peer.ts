import type SimplePeerType from 'simple-peer';

export type SimplePeerCtor = typeof SimplePeerType;
export type SimplePeerInstance = SimplePeerType.Instance;

/** simple-peer keeps its RTCPeerConnection and data channel in fields its types omit. */
export function internalsOf(peer: SimplePeerInstance): { pc: RTCPeerConnection; channel: RTCDataChannel | null } {
  const raw = peer as unknown as { _pc?: RTCPeerConnection; _channel?: RTCDataChannel | null };
  if (!raw._pc) throw new Error('simple-peer instance has no RTCPeerConnection');
  return { pc: raw._pc, channel: raw._channel ?? null };
}
