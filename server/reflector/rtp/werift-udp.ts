/**
 * What the RTP leg reaches inside werift, which werift keeps out of its types: the UDP sockets of
 * a peer connection (the leg joins them to the relay in this process and offers their datagrams
 * to the short path first), and the STUN server of its ICE connections (taken away).
 */
import type { RTCPeerConnection } from 'werift';

/** werift's UDP socket of an ICE transport, as far as the leg uses it (werift's UdpTransport). */
export interface WeriftUdp {
  readonly type: string;
  readonly address: { address: string; port: number };
  onData: (data: Buffer, addr: [string, number]) => void;
  send: (data: Buffer, addr?: [string, number]) => Promise<void>;
}

const isWeriftUdp = (t: unknown): t is WeriftUdp =>
  typeof t === 'object' && t !== null && (t as { type?: unknown }).type === 'udp' && typeof (t as { send?: unknown }).send === 'function';

/**
 * The UDP sockets werift's ICE gathered on (one here: the leg binds `peerAddress` only). werift
 * keeps them private (IceConnection.protocols[].transport); read at run time, and an empty list
 * when werift changes them, so the leg keeps to the wire (test/server/reflector/rtp/relay-echo.test.ts
 * checks the call path is taken).
 */
export function weriftUdpSockets(pc: RTCPeerConnection): WeriftUdp[] {
  const out: WeriftUdp[] = [];
  for (const t of pc.iceTransports) {
    const protocols = (t.connection as unknown as { protocols?: unknown }).protocols;
    if (!Array.isArray(protocols)) continue;
    for (const p of protocols as unknown[]) {
      const transport = typeof p === 'object' && p !== null ? (p as { transport?: unknown }).transport : undefined;
      if (isWeriftUdp(transport)) out.push(transport);
    }
  }
  return out;
}

/**
 * Takes werift's STUN server away from every ICE transport of `pc`; false when werift keeps it
 * where this cannot reach (then the leg must not gather). werift puts a public one
 * (stun.l.google.com:19302) on every ICE connection made without one, and gathering waits for
 * its server-reflexive candidate: a DNS lookup and a Binding request to a third party from each
 * leg, and an answer held up to 5 s where that name does not resolve at once (measured: a page
 * whose relay candidate came within those milliseconds never connected). The leg signals its
 * host candidate only, so that candidate was never used. Call it after setRemoteDescription (the
 * answerer's transports exist then) and before setLocalDescription (which gathers).
 */
export function withoutStunServer(pc: RTCPeerConnection): boolean {
  let ok = pc.iceTransports.length > 0;
  for (const t of pc.iceTransports) {
    const connection = t.connection as unknown as Record<string, unknown>;
    if (!('stunServer' in connection)) ok = false;
    else connection.stunServer = undefined;
  }
  return ok;
}
