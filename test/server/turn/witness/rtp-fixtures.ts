/** Hand-built RTP/SRTP-like packets for the witness tests (RFC 3550 §5.1 header, opaque payload). */

export interface RtpSpec {
  seq: number;
  timestamp: number;
  ssrc?: number;
  /** P bit (a padding-only packet, as libwebrtc sends them). */
  padding?: boolean;
  payloadType?: number;
  csrcs?: number;
  /** Header extension length in 32-bit words (X bit set when given). */
  extensionWords?: number;
  /** Bytes after the header (the SRTP-encrypted payload and auth tag: opaque). */
  payloadBytes?: number;
}

export const SSRC = 0x11223344;

export function rtp(s: RtpSpec): Buffer {
  const cc = s.csrcs ?? 0;
  const extBytes = s.extensionWords === undefined ? 0 : 4 + 4 * s.extensionWords;
  const header = 12 + 4 * cc + extBytes;
  const b = Buffer.alloc(header + (s.payloadBytes ?? 100), 0xa5);
  b[0] = 0x80 | (s.padding ? 0x20 : 0) | (s.extensionWords === undefined ? 0 : 0x10) | cc;
  b[1] = s.payloadType ?? 111;
  b.writeUInt16BE(s.seq & 0xffff, 2);
  b.writeUInt32BE(s.timestamp >>> 0, 4);
  b.writeUInt32BE(s.ssrc ?? SSRC, 8);
  if (s.extensionWords !== undefined) {
    const o = 12 + 4 * cc;
    b.writeUInt16BE(0xbede, o); // RFC 8285 §4.2 one-byte header profile
    b.writeUInt16BE(s.extensionWords, o + 2);
  }
  return b;
}

/** RTCP receiver report header (RFC 3550 §6.4.2): V=2, PT 201. */
export function rtcp(): Buffer {
  const b = Buffer.alloc(32, 0);
  b[0] = 0x81;
  b[1] = 201;
  b.writeUInt16BE(7, 2);
  return b;
}

/** A DTLS record header (content type 23, application data) and a STUN Binding request's first bytes. */
export const DTLS = Buffer.from([23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 5, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
export const STUN = Buffer.from([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

/** 10 ms of Opus at 48 kHz, in RTP timestamp ticks. */
export const TICKS_10MS = 480;
