/**
 * RFC 8656 §12.4: ChannelData message: 2-byte channel number, 2-byte length, data,
 * padded to 4 bytes over stream transports (§12.5), padding optional over UDP.
 */
import { StunDecodeError } from './errors.js';

export const CHANNEL_DATA_HEADER_BYTES = 4;

/** First byte of a ChannelData message: 0x40-0x7F (RFC 7983 §7 demux range for TURN channels). */
export function looksLikeChannelData(buf: Uint8Array): boolean {
  const b0 = buf[0] ?? 0;
  return b0 >= 0x40 && b0 <= 0x7f;
}

/** RFC 8656 §12.4: one decoded ChannelData message. `data` is a view, not a copy. */
export interface ChannelData {
  readonly channel: number;
  readonly data: Buffer;
}

/** Decodes a datagram's ChannelData. Trailing bytes (padding) past the length are allowed. */
export function decodeChannelData(buf: Buffer): ChannelData {
  if (buf.length < CHANNEL_DATA_HEADER_BYTES) throw new StunDecodeError('bad-channel-data', 'shorter than header');
  const channel = buf.readUInt16BE(0);
  const length = buf.readUInt16BE(2);
  if (CHANNEL_DATA_HEADER_BYTES + length > buf.length) {
    throw new StunDecodeError('bad-channel-data', `length ${length} past datagram end ${buf.length}`);
  }
  return { channel, data: buf.subarray(CHANNEL_DATA_HEADER_BYTES, CHANNEL_DATA_HEADER_BYTES + length) };
}

/** Writes a 4-byte ChannelData header into a fresh buffer. */
export function channelDataHeader(channel: number, lengthBytes: number): Buffer {
  const h = Buffer.allocUnsafe(CHANNEL_DATA_HEADER_BYTES);
  h.writeUInt16BE(channel, 0);
  h.writeUInt16BE(lengthBytes, 2);
  return h;
}

/** Encodes a full ChannelData message; `pad` rounds it to 4 bytes (mandatory on TCP/TLS). */
export function encodeChannelData(channel: number, data: Uint8Array, pad: boolean): Buffer {
  const total = CHANNEL_DATA_HEADER_BYTES + (pad ? (data.length + 3) & ~3 : data.length);
  const out = Buffer.alloc(total);
  out.writeUInt16BE(channel, 0);
  out.writeUInt16BE(data.length, 2);
  out.set(data, CHANNEL_DATA_HEADER_BYTES);
  return out;
}
