/**
 * HMAC-SHA1 (RFC 2104 over FIPS 180-4's SHA-1) for one key, with the key's inner and outer pad
 * states computed once: a tag then costs the message's blocks and one more, with no object made
 * per message. SRTP authenticates every packet with one key for the whole session (RFC 3711
 * §4.2), and Node's `createHmac` makes a new OpenSSL context per call.
 */

const BLOCK_BYTES = 64;

/** The SHA-1 compression function over one 64-byte block of `data` at `at`, into `h` (five words). */
function compress(h: Uint32Array, w: Uint32Array, data: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + 4 * i;
    w[i] = (((data[j] as number) << 24) | ((data[j + 1] as number) << 16) | ((data[j + 2] as number) << 8) | (data[j + 3] as number)) >>> 0;
  }
  for (let i = 16; i < 80; i++) {
    const x = (w[i - 3] as number) ^ (w[i - 8] as number) ^ (w[i - 14] as number) ^ (w[i - 16] as number);
    w[i] = (x << 1) | (x >>> 31);
  }
  let a = h[0] as number;
  let b = h[1] as number;
  let c = h[2] as number;
  let d = h[3] as number;
  let e = h[4] as number;
  for (let i = 0; i < 80; i++) {
    let f: number;
    let k: number;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + (w[i] as number)) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  h[0] = ((h[0] as number) + a) | 0;
  h[1] = ((h[1] as number) + b) | 0;
  h[2] = ((h[2] as number) + c) | 0;
  h[3] = ((h[3] as number) + d) | 0;
  h[4] = ((h[4] as number) + e) | 0;
}

const SHA1_INIT = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];

/** HMAC-SHA1 under one key (RFC 2104 §2); keys longer than a block are hashed first. */
export class HmacSha1 {
  private readonly inner = new Uint32Array(5);
  private readonly outer = new Uint32Array(5);
  private readonly h = new Uint32Array(5);
  private readonly w = new Uint32Array(80);
  private readonly tail = new Uint8Array(2 * BLOCK_BYTES);
  private readonly innerDigest = new Uint8Array(20);
  private readonly outerDigest = new Uint8Array(20);

  constructor(key: Uint8Array) {
    let k = key;
    if (k.length > BLOCK_BYTES) {
      const digest = new Uint8Array(20);
      this.h.set(SHA1_INIT);
      this.hash(this.h, k, null, 0, digest);
      k = digest;
    }
    const pad = new Uint8Array(BLOCK_BYTES);
    for (const [state, byte] of [
      [this.inner, 0x36],
      [this.outer, 0x5c],
    ] as const) {
      pad.fill(byte);
      for (let i = 0; i < k.length; i++) pad[i] = (pad[i] as number) ^ (k[i] as number);
      state.set(SHA1_INIT);
      compress(state, this.w, pad, 0);
    }
  }

  /**
   * SHA-1 from state `h` (which has taken `doneBytes` already) over `data`, then `extra` (a
   * 32-bit big-endian word, or null); the digest into `out`.
   */
  private hash(h: Uint32Array, data: Uint8Array, extra: number | null, doneBytes: number, out: Uint8Array): void {
    const full = data.length - (data.length % BLOCK_BYTES);
    for (let at = 0; at < full; at += BLOCK_BYTES) compress(h, this.w, data, at);
    const tail = this.tail;
    tail.fill(0);
    let n = data.length - full;
    tail.set(data.subarray(full), 0);
    if (extra !== null) {
      tail[n] = extra >>> 24;
      tail[n + 1] = (extra >>> 16) & 0xff;
      tail[n + 2] = (extra >>> 8) & 0xff;
      tail[n + 3] = extra & 0xff;
      n += 4;
    }
    tail[n] = 0x80;
    const blocks = n + 9 > BLOCK_BYTES ? 2 : 1;
    const bits = (doneBytes + data.length + (extra !== null ? 4 : 0)) * 8;
    const end = blocks * BLOCK_BYTES;
    // The message length in bits, big-endian in the last 8 bytes (under 2^53 here).
    const high = Math.floor(bits / 0x1_0000_0000);
    tail[end - 8] = high >>> 24;
    tail[end - 7] = (high >>> 16) & 0xff;
    tail[end - 6] = (high >>> 8) & 0xff;
    tail[end - 5] = high & 0xff;
    tail[end - 4] = bits >>> 24;
    tail[end - 3] = (bits >>> 16) & 0xff;
    tail[end - 2] = (bits >>> 8) & 0xff;
    tail[end - 1] = bits & 0xff;
    for (let b = 0; b < blocks; b++) compress(h, this.w, tail, b * BLOCK_BYTES);
    for (let i = 0; i < 5; i++) {
      const v = h[i] as number;
      out[4 * i] = v >>> 24;
      out[4 * i + 1] = (v >>> 16) & 0xff;
      out[4 * i + 2] = (v >>> 8) & 0xff;
      out[4 * i + 3] = v & 0xff;
    }
  }

  /** The tag of `data` followed by the 32-bit word `extra` when given (SRTP's ROC), its first `bytes` bytes into `out` at `at`. */
  tagInto(data: Uint8Array, extra: number | null, out: Uint8Array, at: number, bytes: number): void {
    this.h.set(this.inner);
    this.hash(this.h, data, extra, BLOCK_BYTES, this.innerDigest);
    this.h.set(this.outer);
    this.hash(this.h, this.innerDigest, null, BLOCK_BYTES, this.outerDigest);
    out.set(this.outerDigest.subarray(0, bytes), at);
  }

  /** The whole 20-byte tag of `data`. */
  digest(data: Uint8Array): Buffer {
    const out = Buffer.alloc(20);
    this.tagInto(data, null, out, 0, 20);
    return out;
  }
}
