/**
 * RFC 8656 §12.4: ChannelData message: 2-byte channel number, 2-byte length, data.
 * RFC 8656 §12.5: padded to a multiple of 4 bytes over stream transports (TCP, TLS); over UDP
 * the padding is optional and this relay never sends it.
 *
 * The one ChannelData framing path: the core, the Node transport, the stream framer and the
 * client all demultiplex, parse and frame through these functions.
 */
export const CHANNEL_DATA_HEADER_BYTES = 4;

/** RFC 8656 §12.5: datagrams carry the message as is; streams pad it to 4 bytes. */
export type ChannelDataFraming = 'datagram' | 'stream';

/** RFC 8656 §12 / RFC 7983 §7: a first byte of 0x40-0x7F is ChannelData (STUN starts 0b00). */
export function isChannelData(firstByte: number | undefined): boolean {
  return firstByte !== undefined && firstByte >= 0x40 && firstByte <= 0x7f;
}

/** RFC 8656 §12.4: the channel number (first 2 bytes; the caller checked the header length). */
export function channelDataNumber(buf: Buffer): number {
  return buf.readUInt16BE(0);
}

/**
 * RFC 8656 §12.4: the length of the Application Data, or -1 when the header is short or the
 * length runs past the buffer. Bytes after the data (padding) are allowed.
 */
export function channelDataLength(buf: Buffer): number {
  if (buf.length < CHANNEL_DATA_HEADER_BYTES) return -1;
  const length = buf.readUInt16BE(2);
  return CHANNEL_DATA_HEADER_BYTES + length > buf.length ? -1 : length;
}

/** RFC 8656 §12.5: bytes a message with `dataLength` bytes of data takes on the wire. */
export function channelDataFrameBytes(dataLength: number, framing: ChannelDataFraming): number {
  return CHANNEL_DATA_HEADER_BYTES + (framing === 'stream' ? (dataLength + 3) & ~3 : dataLength);
}

/** Frames `data` on `channel` (RFC 8656 §12.4), zero padding on streams (§12.5). One fresh buffer. */
export function encodeChannelData(channel: number, data: Uint8Array, framing: ChannelDataFraming): Buffer {
  const length = data.length;
  if (length > 0xffff) throw new RangeError(`ChannelData of ${length} bytes`);
  const total = channelDataFrameBytes(length, framing);
  const out = Buffer.allocUnsafe(total);
  out.writeUInt16BE(channel, 0);
  out.writeUInt16BE(length, 2);
  out.set(data, CHANNEL_DATA_HEADER_BYTES);
  if (total > CHANNEL_DATA_HEADER_BYTES + length) out.fill(0, CHANNEL_DATA_HEADER_BYTES + length);
  return out;
}
