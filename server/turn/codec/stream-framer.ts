/**
 * Splits a TURN-over-TCP/TLS byte stream into messages (RFC 8656 §3.1 framing):
 * STUN messages are 20 + length bytes (RFC 8489 §5); ChannelData is 4 + length, padded to
 * a multiple of 4 on streams (RFC 8656 §12.5). Anything else breaks the stream for good.
 */
import { channelDataFrameBytes, isChannelData } from './channel-data.js';
import { HEADER_SIZE_BYTES, MAGIC_COOKIE } from './constants.js';

/** Why a byte stream is not TURN. Used as a metrics label (prefixed `stream-`). */
export type FramingFailure = 'not-turn' | 'bad-cookie' | 'bad-length';

export class StreamFramingError extends Error {
  override readonly name = 'StreamFramingError';
  constructor(readonly reason: FramingFailure) {
    super(`stream framing: ${reason}`);
  }
}

const EMPTY = Buffer.alloc(0);

export class StreamFramer {
  private pending: Buffer = EMPTY;

  /** Bytes waiting for the rest of their message. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** Feeds bytes; returns complete frames (views into owned buffers). Throws StreamFramingError. */
  push(chunk: Buffer): Buffer[] {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      if (buf.length < 4) break;
      const b0 = buf[0];
      const len = buf.readUInt16BE(2);
      let total: number;
      if (isChannelData(b0)) {
        total = channelDataFrameBytes(len, 'stream');
      } else if (((b0 ?? 0) & 0xc0) === 0) {
        if ((len & 3) !== 0) throw new StreamFramingError('bad-length');
        if (buf.length >= 8 && buf.readUInt32BE(4) !== MAGIC_COOKIE) throw new StreamFramingError('bad-cookie');
        total = HEADER_SIZE_BYTES + len;
      } else {
        throw new StreamFramingError('not-turn');
      }
      if (buf.length < total) break;
      frames.push(buf.subarray(0, total));
      buf = buf.subarray(total);
    }
    // Keep the tail in a buffer of its own so big chunks are not pinned by a few bytes.
    this.pending = buf.length === 0 ? EMPTY : frames.length > 0 ? Buffer.from(buf) : buf;
    return frames;
  }
}
