/**
 * Writes frames to one TURN/TCP or TLS connection (RFC 8656 §3.1) holding a bounded amount of
 * memory, counted in bytes actually held. A socket's own write queue
 * keeps every small frame as a Buffer plus a queue entry and, once written out, a write request:
 * for 200-byte ChannelData frames that was ~3x the payload, so a 1 MiB queue cap cost 3-4 MiB
 * per client that stopped reading. Here at most one write is in the socket at a time; frames
 * that come meanwhile are copied into chunks of CHUNK_BYTES, counted by their full size, and
 * the next chunk goes out when the socket has taken the previous write. Past the connection's
 * bound or the relay-wide one (a WriteBudget shared by all connections) frames are dropped.
 */
import type { Socket } from 'node:net';

/** Coalescing chunk: big enough that per-chunk overhead is noise, small enough to waste little on an idle connection. */
const CHUNK_BYTES = 16 * 1024;

/** Bytes held by all the relay's stream connections, against one bound. */
export class WriteBudget {
  heldBytes = 0;
  constructor(readonly maxBytes: number) {}
}

/** Why a frame was not written: the connection's own bound, or the relay's over all connections. */
export type WriteRefusal = 'stream-backlog' | 'stream-backlog-total';

interface Chunk {
  readonly buf: Buffer;
  fill: number;
}

export class StreamWriter {
  /** Bytes of the write the socket has not finished (its buffer's full size), 0 when none. */
  private inFlightBytes = 0;
  private readonly chunks: Chunk[] = [];
  /** inFlightBytes plus the size of every chunk. */
  private heldBytes = 0;
  private released = false;
  private readonly onWritten = (err?: Error | null): void => this.written(err);

  constructor(
    private readonly socket: Socket,
    private readonly budget: WriteBudget,
    private readonly maxBytes: number,
  ) {}

  /** Bytes this connection holds now (queued chunks plus the write in flight). */
  get held(): number {
    return this.heldBytes;
  }

  /** Writes or queues `frame`; returns why it was dropped instead, or null. */
  write(frame: Buffer): WriteRefusal | null {
    if (this.released) return null;
    if (this.inFlightBytes === 0 && this.chunks.length === 0) {
      this.hold(frame.length);
      this.inFlightBytes = frame.length;
      this.socket.write(frame, this.onWritten);
      return null;
    }
    const last = this.chunks.at(-1);
    if (last !== undefined && last.buf.length - last.fill >= frame.length) {
      frame.copy(last.buf, last.fill);
      last.fill += frame.length;
      return null;
    }
    const size = Math.max(CHUNK_BYTES, frame.length);
    if (this.heldBytes + size > this.maxBytes) return 'stream-backlog';
    if (this.budget.heldBytes + size > this.budget.maxBytes) return 'stream-backlog-total';
    const chunk: Chunk = { buf: Buffer.allocUnsafeSlow(size), fill: frame.length };
    frame.copy(chunk.buf, 0);
    this.chunks.push(chunk);
    this.hold(size);
    return null;
  }

  /** The connection closed: what it held is given back to the budget. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.heldBytes -= this.heldBytes;
    this.heldBytes = 0;
    this.inFlightBytes = 0;
    this.chunks.length = 0;
  }

  private hold(bytes: number): void {
    this.heldBytes += bytes;
    this.budget.heldBytes += bytes;
  }

  private written(err: Error | null | undefined): void {
    if (this.released) return;
    this.heldBytes -= this.inFlightBytes;
    this.budget.heldBytes -= this.inFlightBytes;
    this.inFlightBytes = 0;
    // A failed write destroys the socket; 'close' releases the rest.
    if (err) return;
    const next = this.chunks.shift();
    if (next === undefined) return;
    this.inFlightBytes = next.buf.length;
    this.socket.write(next.fill === next.buf.length ? next.buf : next.buf.subarray(0, next.fill), this.onWritten);
  }
}
