/**
 * Splits a TURN-over-TCP/TLS byte stream into messages (RFC 8656 §3.1 framing):
 * STUN messages are 20 + length bytes (RFC 8489 §5); ChannelData is 4 + length, padded to
 * a multiple of 4 on streams (RFC 8656 §12.5). Anything else breaks the stream for good.
 */
import { channelDataFrameBytes, isChannelData } from './channel-data.js';
import { HEADER_SIZE_BYTES, MAGIC_COOKIE } from './constants.js';
import { TypedError } from '../../../src/protocol/typed-error.js';

/** Why a byte stream is not TURN. Used as a metrics label (prefixed `stream-`). */
export type FramingFailure = 'not-turn' | 'bad-cookie' | 'bad-length';

export class StreamFramingError extends TypedError<FramingFailure> {
  override readonly name = 'StreamFramingError';
  constructor(reason: FramingFailure) {
    super(reason, `stream framing: ${reason}`);
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Chunks are kept as received and joined only once a whole frame is there, so a frame
 * dripped one byte at a time costs linear time, not a copy per byte.
 */
export class StreamFramer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private readonly head = Buffer.alloc(8);
  /** The size of the frame at the front once its header has been read in full, else 0. */
  private need = 0;

  /** Bytes waiting for the rest of their message. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  /** Copies the first `n` (<= 8) pending bytes into `head`. */
  private peek(n: number): Buffer {
    let filled = 0;
    for (const c of this.chunks) {
      filled += c.copy(this.head, filled, 0, Math.min(c.length, n - filled));
      if (filled >= n) break;
    }
    return this.head;
  }

  /** The pending bytes as one buffer (no copy when they already are). */
  private joined(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.bytes)];
    return this.chunks[0] ?? EMPTY;
  }

  /** The whole size of the frame that starts the pending bytes; throws StreamFramingError. */
  private frameBytes(): number {
    const head = this.peek(Math.min(8, this.bytes));
    const b0 = head[0];
    const len = head.readUInt16BE(2);
    if (isChannelData(b0)) return channelDataFrameBytes(len, 'stream');
    if (((b0 ?? 0) & 0xc0) !== 0) throw new StreamFramingError('not-turn');
    if ((len & 3) !== 0) throw new StreamFramingError('bad-length');
    if (this.bytes >= 8 && head.readUInt32BE(4) !== MAGIC_COOKIE) throw new StreamFramingError('bad-cookie');
    return HEADER_SIZE_BYTES + len;
  }

  /** Feeds bytes; returns complete frames (views into owned buffers). Throws StreamFramingError. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.bytes += chunk.length;
    }
    const frames: Buffer[] = [];
    while (this.bytes >= 4) {
      const total = this.need > 0 ? this.need : this.frameBytes();
      // Known for good once the header (8 bytes, cookie included) is checked: not re-read per byte.
      if (this.bytes >= 8) this.need = total;
      if (this.bytes < total) break;
      this.need = 0;
      const buf = this.joined();
      frames.push(buf.subarray(0, total));
      const rest = buf.subarray(total);
      this.chunks = rest.length === 0 ? [] : [rest];
      this.bytes = rest.length;
    }
    // Keep the tail in a buffer of its own so big chunks are not pinned by a few bytes.
    if (frames.length > 0 && this.bytes > 0) this.chunks = [Buffer.from(this.joined())];
    return frames;
  }
}
