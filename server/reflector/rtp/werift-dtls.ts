/**
 * The RTP leg's DTLS handshake (RFC 5764 over RFC 6347), as the leg runs werift's: werift is the
 * DTLS server, and each of the page's handshake messages reaches it once.
 *
 * Why the server. In a DTLS 1.2 handshake the client finishes last: the server sends the last
 * flight (ChangeCipherSpec, Finished) and considers itself connected, and the client, connected
 * once that flight arrives, recovers its loss by sending its own flight again, which makes the
 * server send its last flight again (RFC 6347 §4.2.4). A browser then never believes in a leg the
 * reflector has not set up. As the client (its default when it answers), werift sends its
 * retransmitted flights byte for byte, record sequence numbers included, where each retransmitted
 * record must have a new one (RFC 6347 §4.2.2); the browser's DTLS (BoringSSL) discards them as
 * replays (RFC 6347 §4.1.2.6). So when the browser's last flight was lost, the page was connected
 * and sending while werift waited for a Finished that never came: the leg's SRTP never started,
 * and the page's stream was lost at the reflector (test/server/reflector/rtp/dtls-loss.test.ts).
 *
 * Why the filter. werift does not discard a handshake message it already processed (RFC 6347
 * §4.2.2: a message_seq below the next expected one MUST be discarded): a second copy of the
 * page's ClientKeyExchange made it derive its keys again, and a late first ClientHello made it
 * draw a new random and key pair after its ServerHello had gone, so a page's flight that arrived
 * twice (delayed past its retransmission) broke the handshake. The filter drops those copies
 * before werift sees them, and lets through what werift answers with its own flight again: the
 * latest ClientHello (werift sends its HelloVerifyRequest or its flight 4 again) and anything
 * encrypted (the Finished: werift sends its last flight again).
 */
import type { RTCPeerConnection } from 'werift';

/** Record layer (RFC 6347 §4.1): content type 1, version 2, epoch 2, sequence number 6, length 2. */
const RECORD_HEADER_BYTES = 13;
/** Handshake header (RFC 6347 §4.2.2): msg_type 1, length 3, message_seq 2, fragment_offset 3, fragment_length 3. */
const HANDSHAKE_HEADER_BYTES = 12;
const CONTENT_HANDSHAKE = 22;
const CLIENT_HELLO = 1;

/** A datagram is DTLS by its first byte (RFC 7983 §7: 20-63). */
export function isDtls(datagram: Uint8Array): boolean {
  const b = datagram[0];
  return b !== undefined && b >= 20 && b <= 63;
}

/**
 * Makes werift the DTLS server of every transport of `pc` (its answer then says `a=setup:passive`,
 * RFC 8842 §5.3), unless the page's offer left it no choice (`a=setup:passive` in the offer: the
 * page is the server). Call it after setRemoteDescription and before createAnswer. Returns
 * whether werift is the server.
 */
export function answerAsDtlsServer(pc: RTCPeerConnection, offerSdp: string): boolean {
  if (/^a=setup:passive\s*$/m.test(offerSdp)) return false;
  const transports = pc.dtlsTransports;
  for (const t of transports) t.role = 'server';
  return transports.length > 0;
}

/** One handshake message of a record, as the filter reads it. */
interface HandshakeHeader {
  type: number;
  messageSeq: number;
  whole: boolean;
}

/** The handshake messages of an epoch-0 handshake record's fragment, or null when it does not parse. */
function handshakes(fragment: Uint8Array): HandshakeHeader[] | null {
  const out: HandshakeHeader[] = [];
  let at = 0;
  while (at < fragment.length) {
    if (fragment.length - at < HANDSHAKE_HEADER_BYTES) return null;
    const f = fragment.subarray(at);
    const length = ((f[1] ?? 0) << 16) | ((f[2] ?? 0) << 8) | (f[3] ?? 0);
    const messageSeq = ((f[4] ?? 0) << 8) | (f[5] ?? 0);
    const offset = ((f[6] ?? 0) << 16) | ((f[7] ?? 0) << 8) | (f[8] ?? 0);
    const fragmentLength = ((f[9] ?? 0) << 16) | ((f[10] ?? 0) << 8) | (f[11] ?? 0);
    if (f.length < HANDSHAKE_HEADER_BYTES + fragmentLength) return null;
    out.push({ type: f[0] ?? 0, messageSeq, whole: offset === 0 && fragmentLength === length });
    at += HANDSHAKE_HEADER_BYTES + fragmentLength;
  }
  return out;
}

/**
 * The page's DTLS datagrams on their way to werift's DTLS server, each handshake message passed
 * once (see the module's comment). What does not parse as DTLS records passes as it came: werift
 * decides on it as before.
 */
export class DtlsHandshakeFilter {
  /** message_seq of every handshake message passed whole. */
  private readonly passed = new Set<number>();
  private highest = -1;
  private dropped = 0;

  /** Handshake records dropped as copies so far. */
  get droppedCount(): number {
    return this.dropped;
  }

  /** `datagram` without the records werift must not see again (null: none left), or `datagram` itself when it keeps them all. */
  keep(datagram: Buffer): Buffer | null {
    const kept: Buffer[] = [];
    let dropped = false;
    let at = 0;
    while (at < datagram.length) {
      if (datagram.length - at < RECORD_HEADER_BYTES) return dropped ? null : datagram;
      const length = datagram.readUInt16BE(at + 11);
      const end = at + RECORD_HEADER_BYTES + length;
      if (end > datagram.length) return dropped ? null : datagram;
      const record = datagram.subarray(at, end);
      if (this.isCopy(record)) {
        dropped = true;
        this.dropped++;
      } else kept.push(record);
      at = end;
    }
    if (!dropped) return datagram;
    return kept.length === 0 ? null : Buffer.concat(kept);
  }

  /**
   * Whether `record` is an unencrypted handshake record whose every message werift has had whole,
   * none of them the latest ClientHello; the messages of a record it passes are noted. A first
   * ClientHello after the second (the one with the cookie) is a copy, so it never comes after
   * werift's ServerHello.
   */
  private isCopy(record: Buffer): boolean {
    const epoch = record.readUInt16BE(3);
    if (record[0] !== CONTENT_HANDSHAKE || epoch !== 0) return false;
    const messages = handshakes(record.subarray(RECORD_HEADER_BYTES));
    if (messages === null || messages.length === 0) return false;
    const copy = messages.every((m) => m.whole && this.passed.has(m.messageSeq) && !(m.type === CLIENT_HELLO && m.messageSeq === this.highest));
    if (copy) return true;
    for (const m of messages) {
      if (!m.whole) continue;
      this.passed.add(m.messageSeq);
      this.highest = Math.max(this.highest, m.messageSeq);
    }
    return false;
  }
}
