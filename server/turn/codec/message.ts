/**
 * STUN message decoding and encoding. RFC 8489 §5 (header), §14 (attribute TLV layout).
 * Knows nothing of sockets; integrity and fingerprint math live in integrity.ts.
 */
import { Attr, FINGERPRINT_XOR, HEADER_SIZE_BYTES, MAGIC_COOKIE, type MessageClassValue } from './constants.js';
import { StunDecodeError } from './errors.js';
import { crc32 } from 'node:zlib';

/** RFC 8489 §14: one attribute, located inside `StunMessage.raw`. */
export interface StunAttribute {
  readonly type: number;
  /** Offset of the attribute header (type) in raw. */
  readonly start: number;
  /** Offset of the value in raw. */
  readonly valueOffset: number;
  readonly length: number;
}

/** RFC 8489 §5: a decoded STUN message. Values stay in `raw` (no copies). */
export interface StunMessage {
  readonly method: number;
  readonly cls: MessageClassValue;
  /** 12 bytes (RFC 8489 §5), a view into raw. */
  readonly transactionId: Buffer;
  /** Exactly the message bytes (20 + length). */
  readonly raw: Buffer;
  readonly attributes: readonly StunAttribute[];
}

/** RFC 8489 §5: method and class are interleaved in the 14-bit type. */
function encodeMessageType(method: number, cls: MessageClassValue): number {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((cls & 0x1) << 4) | ((cls & 0x2) << 7);
}

function decodeMessageType(type: number): { method: number; cls: MessageClassValue } {
  const method = (type & 0x000f) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0f80);
  const cls = (((type >> 4) & 0x1) | ((type >> 7) & 0x2)) as MessageClassValue;
  return { method, cls };
}

/**
 * Decodes one STUN message. Throws StunDecodeError on anything malformed.
 * Attributes after MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT
 * are ignored (RFC 8489 §14.5); nothing after FINGERPRINT is kept (§14.7).
 */
export function decodeStun(buf: Buffer): StunMessage {
  if (buf.length < HEADER_SIZE_BYTES) throw new StunDecodeError('too-short', `${buf.length} bytes`);
  const type = buf.readUInt16BE(0);
  if ((type & 0xc000) !== 0) throw new StunDecodeError('not-stun', 'first two bits not zero');
  if (buf.readUInt32BE(4) !== MAGIC_COOKIE) throw new StunDecodeError('bad-cookie', 'magic cookie mismatch');
  const length = buf.readUInt16BE(2);
  if ((length & 3) !== 0) throw new StunDecodeError('bad-length', `length ${length} not a multiple of 4`);
  const total = HEADER_SIZE_BYTES + length;
  if (total !== buf.length) throw new StunDecodeError('length-mismatch', `header says ${total}, datagram is ${buf.length}`);
  const raw = buf;
  const attributes: StunAttribute[] = [];
  let off = HEADER_SIZE_BYTES;
  let sawIntegrity = false;
  while (off < total) {
    if (off + 4 > total) throw new StunDecodeError('attribute-overflow', `attribute header at ${off}`);
    const atype = raw.readUInt16BE(off);
    const alen = raw.readUInt16BE(off + 2);
    const valueOffset = off + 4;
    if (valueOffset + alen > total) {
      throw new StunDecodeError('attribute-overflow', `attribute 0x${atype.toString(16)} length ${alen}`);
    }
    const attr: StunAttribute = { type: atype, start: off, valueOffset, length: alen };
    off = valueOffset + ((alen + 3) & ~3);
    if (off > total) throw new StunDecodeError('attribute-overflow', 'padding past end');
    if (atype === Attr.Fingerprint) {
      if (alen !== 4) throw new StunDecodeError('bad-attribute', 'FINGERPRINT length');
      attributes.push(attr);
      const expected = (crc32(raw.subarray(0, attr.start)) ^ FINGERPRINT_XOR) >>> 0;
      if (raw.readUInt32BE(valueOffset) !== expected) throw new StunDecodeError('bad-fingerprint', 'CRC mismatch');
      break;
    }
    if (sawIntegrity && atype !== Attr.MessageIntegritySha256) continue;
    if (atype === Attr.MessageIntegrity || atype === Attr.MessageIntegritySha256) sawIntegrity = true;
    attributes.push(attr);
  }
  const { method, cls } = decodeMessageType(type);
  return { method, cls, transactionId: raw.subarray(8, 20), raw, attributes };
}

/** First attribute of a type, or undefined. */
export function findAttr(msg: StunMessage, type: number): StunAttribute | undefined {
  for (const a of msg.attributes) if (a.type === type) return a;
  return undefined;
}

/** All attributes of a type, in order. */
export function findAllAttrs(msg: StunMessage, type: number): StunAttribute[] {
  return msg.attributes.filter((a) => a.type === type);
}

/** A view of the attribute's value bytes. */
export function attrValue(msg: StunMessage, attr: StunAttribute): Buffer {
  return msg.raw.subarray(attr.valueOffset, attr.valueOffset + attr.length);
}

export interface WriterOptions {
  /** Byte used for attribute padding. RFC 8489 §14 allows any; RFC 5769 vectors use 0x20. */
  paddingByte?: number;
}

/** RFC 8489 §5, §14: builds one STUN message. */
export class StunWriter {
  private buf: Buffer;
  private len = HEADER_SIZE_BYTES;
  private readonly paddingByte: number;

  constructor(method: number, cls: MessageClassValue, transactionId: Uint8Array, opts: WriterOptions = {}) {
    if (transactionId.length !== 12) throw new RangeError('transaction ID must be 12 bytes');
    this.paddingByte = opts.paddingByte ?? 0;
    this.buf = Buffer.allocUnsafe(256);
    this.buf.writeUInt16BE(encodeMessageType(method, cls), 0);
    this.buf.writeUInt16BE(0, 2);
    this.buf.writeUInt32BE(MAGIC_COOKIE, 4);
    this.buf.set(transactionId, 8);
  }

  get transactionId(): Buffer {
    return this.buf.subarray(8, 20);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + extra));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Appends one TLV attribute with padding. */
  add(type: number, value: Uint8Array): this {
    if (value.length > 0xffff) throw new RangeError('attribute too long');
    const padded = (value.length + 3) & ~3;
    this.ensure(4 + padded);
    this.buf.writeUInt16BE(type, this.len);
    this.buf.writeUInt16BE(value.length, this.len + 2);
    this.buf.set(value, this.len + 4);
    this.buf.fill(this.paddingByte, this.len + 4 + value.length, this.len + 4 + padded);
    this.len += 4 + padded;
    return this;
  }

  addString(type: number, text: string): this {
    return this.add(type, Buffer.from(text, 'utf8'));
  }

  addUint32(type: number, v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(v >>> 0, 0);
    return this.add(type, b);
  }

  /**
   * Reserves the space of an attribute of `valueLength` bytes and sets the header length as
   * if the message ended after it. Returns the bytes to authenticate and where to write.
   * Used by MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT (RFC 8489 §14.5-14.7).
   */
  beginTrailer(type: number, valueLength: number): { covered: Buffer; write: (value: Uint8Array) => void } {
    const padded = (valueLength + 3) & ~3;
    this.ensure(4 + padded);
    const start = this.len;
    this.buf.writeUInt16BE(start + 4 + padded - HEADER_SIZE_BYTES, 2);
    const covered = this.buf.subarray(0, start);
    return {
      covered,
      write: (value: Uint8Array) => {
        this.buf.writeUInt16BE(type, start);
        this.buf.writeUInt16BE(valueLength, start + 2);
        this.buf.set(value.subarray(0, valueLength), start + 4);
        this.buf.fill(this.paddingByte, start + 4 + valueLength, start + 4 + padded);
        this.len = start + 4 + padded;
      },
    };
  }

  /** Returns a fresh Buffer holding the message (the writer may be reused no further). */
  build(): Buffer {
    this.buf.writeUInt16BE(this.len - HEADER_SIZE_BYTES, 2);
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}
