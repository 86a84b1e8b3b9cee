/**
 * The per-packet cryptography of our SRTP (AES_CM_128_HMAC_SHA1_80, RFC 3711): for one session
 * key and its authentication key, an AES-CM keystream XORed in (§4.1.1) and an HMAC-SHA1 tag
 * truncated to 80 bits (§4.2), one call per packet each way (SRTCP's, and the `js` making's
 * SRTP); and in the addon, one direction's whole RTP packet in one call (`NativeRtpDirection`:
 * what the probe stream runs). ./srtp.ts keeps the rest (the key derivation, SRTCP's indexes, and
 * in the `js` making the rollover counter and where in a packet each part is).
 *
 * Two makings of the same calls:
 * - `native` (the native data path): the addon ./native/srtp.c, over the OpenSSL Node links in,
 *   with the AES context and the key's HMAC pad states made once per key; built by `npm run build`
 *   into dist/native/callprobe-srtp.node.
 * - `js` (the portable data path, `serve --data-path portable`, and wherever the addon is not
 *   built): the same in JavaScript over node:crypto (an AES-ECB context kept, the keystream XORed
 *   byte by byte, and ./hmac-sha1.ts); and the second making the tests hold the addon to.
 */
import { createCipheriv, timingSafeEqual, type Cipher } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { nativeAddonPath } from '../../../host/package.js';
import { TypedError } from '../../../src/protocol/typed-error.js';
import { HmacSha1 } from './hmac-sha1.js';
import type { FastPeerFunctions, FastPeerState } from '../../turn/transport/native-udp.js';

export type SrtpCryptoKind = 'native' | 'js';

/** HMAC-SHA1 truncated to 80 bits (RFC 3711 §5.2). */
export const SRTP_TAG_BYTES = 10;

/**
 * One session key pair's per-packet work. `roc` is the 32-bit word the tag covers after the
 * bytes (SRTP's rollover counter, RFC 3711 §4.2), or -1 for none (SRTCP). `iv` is the packet's
 * 16-byte counter block (./srtp.ts counterBlock).
 */
export interface SrtpCrypto {
  /** buf[encFrom, encTo) XOR the keystream, in place; then the tag of buf[0, tagAt) (and `roc`) into buf[tagAt, tagAt + 10). */
  seal(buf: Uint8Array, encFrom: number, encTo: number, tagAt: number, roc: number, iv: Uint8Array): void;
  /**
   * False when src[tagAt, tagAt + 10) is not the tag of src[0, tagAt) (and `roc`), compared in
   * constant time; else dst[0, encFrom) = src[0, encFrom), dst[encFrom, encTo) = src[encFrom,
   * encTo) XOR the keystream, and true. `dst` is a buffer of its own (not a part of `src`).
   */
  open(src: Uint8Array, dst: Uint8Array, encFrom: number, encTo: number, tagAt: number, roc: number, iv: Uint8Array): boolean;
}

/** The cryptography for encryption key `encKey` (16 bytes) and authentication key `authKey` (20). */
export function srtpCrypto(kind: SrtpCryptoKind, encKey: Buffer, authKey: Buffer): SrtpCrypto {
  return kind === 'native' ? new NativeSrtpCrypto(encKey, authKey) : new JsSrtpCrypto(encKey, authKey);
}

/**
 * AES-CM under one session key (RFC 3711 §4.1.1) with one AES context kept for the session: the
 * counter blocks of a packet (the IV with the block number in its low 16 bits, which the IV leaves
 * zero) go through AES-ECB in one call, and the keystream is XORed in.
 */
class AesCm {
  private readonly ecb: Cipher;
  private counters = Buffer.alloc(16 * 96);

  constructor(key: Buffer) {
    this.ecb = createCipheriv('aes-128-ecb', key, null);
    this.ecb.setAutoPadding(false);
  }

  /** `data` XOR the keystream from counter block `iv`, into `out` at `at`. */
  xorInto(iv: Uint8Array, data: Uint8Array, out: Uint8Array, at: number): void {
    const blocks = Math.ceil(data.length / 16);
    if (blocks === 0) return;
    if (this.counters.length < blocks * 16) this.counters = Buffer.alloc(blocks * 16);
    const c = this.counters;
    for (let b = 0; b < blocks; b++) {
      c.set(iv, b * 16);
      c[b * 16 + 14] = b >>> 8;
      c[b * 16 + 15] = b & 0xff;
    }
    const keystream = this.ecb.update(c.subarray(0, blocks * 16));
    for (let i = 0; i < data.length; i++) out[at + i] = (data[i] as number) ^ (keystream[i] as number);
  }
}

class JsSrtpCrypto implements SrtpCrypto {
  private readonly aes: AesCm;
  private readonly hmac: HmacSha1;
  private readonly expected = new Uint8Array(SRTP_TAG_BYTES);

  constructor(encKey: Buffer, authKey: Buffer) {
    this.aes = new AesCm(encKey);
    this.hmac = new HmacSha1(authKey);
  }

  seal(buf: Uint8Array, encFrom: number, encTo: number, tagAt: number, roc: number, iv: Uint8Array): void {
    this.aes.xorInto(iv, buf.subarray(encFrom, encTo), buf, encFrom);
    this.hmac.tagInto(buf.subarray(0, tagAt), roc < 0 ? null : roc, buf, tagAt, SRTP_TAG_BYTES);
  }

  open(src: Uint8Array, dst: Uint8Array, encFrom: number, encTo: number, tagAt: number, roc: number, iv: Uint8Array): boolean {
    this.hmac.tagInto(src.subarray(0, tagAt), roc < 0 ? null : roc, this.expected, 0, SRTP_TAG_BYTES);
    const actual = src.subarray(tagAt, tagAt + SRTP_TAG_BYTES);
    if (actual.length !== SRTP_TAG_BYTES || !timingSafeEqual(this.expected, actual)) return false;
    dst.set(src.subarray(0, encFrom), 0);
    this.aes.xorInto(iv, src.subarray(encFrom, encTo), dst, encFrom);
    return true;
  }
}

/** The addon's functions (./native/srtp.c, and the probe echo's, ./native/echo.c). */
export interface SrtpAddon {
  context(encKey: Uint8Array, authKey: Uint8Array): SrtpHandle;
  seal(handle: SrtpHandle, buf: Uint8Array, encFrom: number, encTo: number, tagAt: number, roc: number, iv: Uint8Array): void;
  open(handle: SrtpHandle, src: Uint8Array, dst: Uint8Array, encFrom: number, encTo: number, tagAt: number, roc: number, iv: Uint8Array): boolean;
  direction(encKey: Uint8Array, authKey: Uint8Array, salt: Uint8Array): RtpDirectionHandle;
  protectRtp(handle: RtpDirectionHandle, header: Uint8Array, payload: Uint8Array): Buffer | number;
  unprotectRtp(handle: RtpDirectionHandle, packet: Uint8Array): Buffer | number;
  /** `originMs`: CLOCK_MONOTONIC in ms where performance.now() reads 0 (monotonic-origin.ts). */
  echoCore(recentRecords: number, frameBytes: number, originMs: number): EchoHandle;
  echoAttach(handle: EchoHandle, from: RtpDirectionHandle, out: RtpDirectionHandle, ssrc: number, payloadType: number): void;
  echoPacket(
    handle: EchoHandle,
    packet: Uint8Array,
    recvMs: number,
    sendMs: number,
    seq: number,
    timestamp: number,
    protect: boolean,
    info: Float64Array,
  ): Buffer | null;
  echoFrame(handle: EchoHandle, payload: Uint8Array, recvMs: number, sendMs: number, info: Float64Array): Buffer | null;
  echoFailed(handle: EchoHandle, downSeq: number): boolean;
  echoTake(handle: EchoHandle, out: Float64Array): number;
  echoCounts(handle: EchoHandle, out: Float64Array): void;
  echoFinal(handle: EchoHandle): void;
  echoFastPeer(): FastPeerFunctions;
  echoNumbering(handle: EchoHandle, seq: number, timestamp: number, timestampStep: number): void;
  echoNextNumber(handle: EchoHandle, out: Float64Array): void;
  echoTakenRecords(handle: EchoHandle, out: Float64Array): number;
}

const SRTP_FUNCTIONS = ['context', 'seal', 'open', 'direction', 'protectRtp', 'unprotectRtp'] as const;
const ECHO_FUNCTIONS = [
  'echoCore',
  'echoAttach',
  'echoPacket',
  'echoFrame',
  'echoFailed',
  'echoTake',
  'echoCounts',
  'echoFinal',
  'echoFastPeer',
  'echoNumbering',
  'echoNextNumber',
  'echoTakenRecords',
] as const;

/** An opaque probe echo core of the addon (./native/echo.c); the state its fast-path function works on (the relay's fast path). */
declare const echoHandle: unique symbol;
export type EchoHandle = FastPeerState & { readonly [echoHandle]: true };

/** An opaque context of the addon (its AES context and HMAC pad states, freed when collected). */
declare const srtpHandle: unique symbol;
type SrtpHandle = { readonly [srtpHandle]: true };

/** An opaque RTP direction of the addon (a context, the salt, each SSRC's rollover counter). */
declare const rtpDirectionHandle: unique symbol;
/** An opaque direction of the addon (`direction`): the probe echo (./native-core.ts) runs through two of them. */
export type RtpDirectionHandle = { readonly [rtpDirectionHandle]: true };

/** At most this many SSRCs a direction keeps a rollover counter for; a packet of one more is refused (both makings). */
export const MAX_SRTP_STREAMS = 16;

/** Why the addon refused an RTP packet, by its code. */
export type RtpRefusal = 'short-packet' | 'auth-failed' | 'before-stream' | 'too-many-streams';

const REFUSALS: Record<number, RtpRefusal> = { [-1]: 'short-packet', [-2]: 'auth-failed', [-3]: 'before-stream', [-4]: 'too-many-streams' };

/** The refusal an addon's code stands for, or undefined for a code this version does not know. */
export function refusalOfCode(code: number): RtpRefusal | undefined {
  return REFUSALS[code];
}

/**
 * One direction's whole RTP packet in one call of the addon (./native/srtp.c `direction`): the
 * header read, the rollover counter kept (RFC 3711 §3.3.1, the rules of ./srtp.ts guessRoc and
 * advanceRoc), the counter block formed, the payload encrypted or decrypted and the tag made or
 * checked. A refusal comes back as its reason.
 */
export class NativeRtpDirection {
  private readonly addon = nativeSrtp();
  readonly handle: RtpDirectionHandle;

  constructor(encKey: Buffer, authKey: Buffer, salt: Buffer) {
    this.handle = this.addon.direction(encKey, authKey, salt);
  }

  /** The SRTP packet of an RTP header (its whole length) and payload. */
  protect(header: Uint8Array, payload: Uint8Array): Buffer | RtpRefusal {
    return refusalOf(this.addon.protectRtp(this.handle, header, payload));
  }

  /** The RTP packet of an SRTP packet. */
  unprotect(packet: Uint8Array): Buffer | RtpRefusal {
    return refusalOf(this.addon.unprotectRtp(this.handle, packet));
  }
}

function refusalOf(r: Buffer | number): Buffer | RtpRefusal {
  if (typeof r !== 'number') return r;
  const reason = REFUSALS[r];
  if (reason === undefined)
    throw new NativeSrtpError('not-loadable', `the SRTP addon answered ${r}, which this version does not know: run npm run build again`);
  return reason;
}

/** The addon is missing or could not be loaded (the message says which file and how to build it). */
export class NativeSrtpError extends TypedError<'not-built' | 'not-loadable'> {}

let addon: SrtpAddon | null = null;

/** The addon, loaded once; a NativeSrtpError saying how to build it when it is not there. `serve` loads it before it starts on the native data path. */
export function nativeSrtp(): SrtpAddon {
  if (addon !== null) return addon;
  const path = nativeAddonPath('callprobe-srtp.node');
  if (!existsSync(path))
    throw new NativeSrtpError(
      'not-built',
      `the RTP leg's SRTP addon is not built (${path}): run npm run build with a C compiler (Debian's gcc) and OpenSSL's headers`,
    );
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(path);
  } catch (err) {
    throw new NativeSrtpError('not-loadable', `the RTP leg's SRTP addon ${path} could not be loaded (${(err as Error).message}): run npm run build again`, {
      cause: err,
    });
  }
  const fns = loaded as Record<string, unknown>;
  if (typeof loaded !== 'object' || loaded === null || [...SRTP_FUNCTIONS, ...ECHO_FUNCTIONS].some((f) => typeof fns[f] !== 'function'))
    throw new NativeSrtpError('not-loadable', `${path} is not this version's SRTP addon: run npm run build again`);
  addon = loaded as SrtpAddon;
  return addon;
}

class NativeSrtpCrypto implements SrtpCrypto {
  private readonly addon = nativeSrtp();
  private readonly handle: SrtpHandle;

  constructor(encKey: Buffer, authKey: Buffer) {
    this.handle = this.addon.context(encKey, authKey);
  }

  seal(buf: Uint8Array, encFrom: number, encTo: number, tagAt: number, roc: number, iv: Uint8Array): void {
    this.addon.seal(this.handle, buf, encFrom, encTo, tagAt, roc, iv);
  }

  open(src: Uint8Array, dst: Uint8Array, encFrom: number, encTo: number, tagAt: number, roc: number, iv: Uint8Array): boolean {
    return this.addon.open(this.handle, src, dst, encFrom, encTo, tagAt, roc, iv);
  }
}
