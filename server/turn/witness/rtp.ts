/**
 * What the relay can read of a relayed payload without decrypting anything: its kind by first
 * byte (RFC 7983 §7) and, for RTP, the fixed header (RFC 3550 §5.1), which SRTP leaves in
 * clear (RFC 3711 §3.1: only the payload and RTP padding are encrypted, an auth tag follows).
 *
 * Padding-only packets (libwebrtc's RTPSender::GeneratePadding: 50-224 bytes of RTP padding,
 * no payload, inserted into the audio sequence space for bandwidth probing) cannot be told
 * apart by "payload length == padding length" under SRTP, because the padding count (the
 * last byte of the padding) is encrypted and followed by the auth tag. The P bit (byte 0,
 * bit 5) is in clear, and libwebrtc sets it on padding packets only (media packets are never
 * RTP-padded: SRTP's AES-CM and AES-GCM are stream modes that need no block padding). So the
 * rule is: P = 1 -> a padding packet. It keeps its place in the sequence space (it was sent
 * and can be lost) but is left out of the media count, jitter and IPDV.
 */

/** RFC 7983 §7 first-byte ranges: 0-3 STUN, 20-63 DTLS, 128-191 RTP/RTCP (everything else: other). */
export type PayloadKind = 'stun' | 'dtls' | 'rtp' | 'rtcp' | 'other';

/** RFC 7983 §7 demultiplexing by first byte, RFC 5761 §4 RTCP by second byte (payload types 192-223). */
export function payloadKind(buf: Uint8Array, offset: number, length: number): PayloadKind {
  if (length < 1) return 'other';
  const b0 = buf[offset] ?? 0;
  if (b0 <= 3) return 'stun';
  if (b0 >= 20 && b0 <= 63) return 'dtls';
  if (b0 < 128 || b0 > 191) return 'other';
  if (length < 2) return 'other';
  const b1 = buf[offset + 1] ?? 0;
  return b1 >= 192 && b1 <= 223 ? 'rtcp' : 'rtp';
}

/** RFC 3550 §5.1 fixed header fields the witness uses (the rest of the packet stays opaque). */
export interface RtpHeader {
  /** P bit: padding present (a padding-only packet in practice, see the module comment). */
  readonly padding: boolean;
  readonly marker: boolean;
  readonly payloadType: number;
  readonly seq: number;
  readonly timestamp: number;
  readonly ssrc: number;
  /** Fixed header + CSRC list (§5.1) + header extension (§5.3.1, RFC 8285 §4.2/4.3 share its length word), bytes. */
  readonly headerBytes: number;
}

/** RFC 3550 §5.1 header of an RTP packet (version 2, not RTCP), or null when it is not one or is cut short. */
export function parseRtpHeader(buf: Uint8Array, offset: number, length: number): RtpHeader | null {
  if (length < 12 || payloadKind(buf, offset, length) !== 'rtp') return null;
  const b0 = buf[offset] ?? 0;
  const b1 = buf[offset + 1] ?? 0;
  let headerBytes = 12 + 4 * (b0 & 0x0f);
  if ((b0 & 0x10) !== 0) {
    // §5.3.1: 16-bit profile, 16-bit length in 32-bit words, then the extension itself.
    if (headerBytes + 4 > length) return null;
    headerBytes += 4 + 4 * (((buf[offset + headerBytes + 2] ?? 0) << 8) | (buf[offset + headerBytes + 3] ?? 0));
  }
  if (headerBytes > length) return null;
  return {
    padding: (b0 & 0x20) !== 0,
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    seq: ((buf[offset + 2] ?? 0) << 8) | (buf[offset + 3] ?? 0),
    timestamp: (((buf[offset + 4] ?? 0) << 24) | ((buf[offset + 5] ?? 0) << 16) | ((buf[offset + 6] ?? 0) << 8) | (buf[offset + 7] ?? 0)) >>> 0,
    ssrc: (((buf[offset + 8] ?? 0) << 24) | ((buf[offset + 9] ?? 0) << 16) | ((buf[offset + 10] ?? 0) << 8) | (buf[offset + 11] ?? 0)) >>> 0,
    headerBytes,
  };
}
