/**
 * werift's UDP sockets of a peer connection, which werift keeps out of its types: the RTP leg
 * joins them to the relay in this process and offers their datagrams to the short path first.
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
