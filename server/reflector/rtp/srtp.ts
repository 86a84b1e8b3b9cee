/**
 * SRTP and SRTCP with AES_CM_128_HMAC_SHA1_80 (RFC 3711; the profile's name from RFC 5764 §4.1.2),
 * for the RTP leg's probe stream: the session keys derived once per direction (RFC 3711 §4.3),
 * then per packet a header read straight from the bytes and one call each way for the AES-CM
 * keystream (§4.1.1) and the HMAC-SHA1 tag (§4.2), from contexts made once per key
 * (./srtp-crypto.ts: the native addon, or the same in JavaScript on the portable data path). werift
 * makes a new cipher and a new HMAC per packet, which in the running plane costs far more than the
 * work itself (docs/benchmarks/load-cost.md, "SRTP contexts kept per session"); ./werift-srtp.ts puts this
 * in its place.
 *
 * Not here: MKIs, a key derivation rate other than 0 (DTLS-SRTP uses neither, RFC 5764 §4.1.2),
 * and replay lists (RFC 3711 §3.3.2): werift keeps none either, and the leg hears only our relay.
 */
import { createCipheriv } from 'node:crypto';
import { TypedError } from '../../../src/protocol/typed-error.js';
import {
  MAX_SRTP_STREAMS,
  NativeRtpDirection,
  SRTP_TAG_BYTES,
  srtpCrypto,
  type RtpDirectionHandle,
  type RtpRefusal,
  type SrtpCrypto,
  type SrtpCryptoKind,
} from './srtp-crypto.js';

/**
 * Why a packet was refused: too short for its own header and tag, its tag does not match, its
 * index falls before its stream began, or it is of one SSRC more than a direction keeps
 * (MAX_SRTP_STREAMS); or a master key of the wrong length.
 */
export class SrtpError extends TypedError<RtpRefusal | 'bad-key'> {
  override readonly name = 'SrtpError';
}

/** RFC 3711 §4.3.1 key derivation labels. */
const LABEL = { rtpKey: 0, rtpAuth: 1, rtpSalt: 2, rtcpKey: 3, rtcpAuth: 4, rtcpSalt: 5 } as const;

const KEY_BYTES = 16;
const SALT_BYTES = 14;
const AUTH_KEY_BYTES = 20;
/** The E flag and the 31-bit SRTCP index (RFC 3711 §3.4). */
const SRTCP_INDEX_BYTES = 4;
/** The fixed part of an RTP header (RFC 3550 §5.1). */
export const RTP_HEADER_BYTES = 12;
const RTCP_HEADER_BYTES = 8;
const MAX_SRTCP_INDEX = 0x7fff_ffff;

/** One direction's session keys (RFC 3711 §4.3): encryption key, salt and authentication key for SRTP and for SRTCP. */
export interface SrtpSessionKeys {
  rtpKey: Buffer;
  rtpSalt: Buffer;
  rtpAuth: Buffer;
  rtcpKey: Buffer;
  rtcpSalt: Buffer;
  rtcpAuth: Buffer;
}

/**
 * The AES-CM counter block (RFC 3711 §4.1.1): the salt shifted left 16 bits, XOR the SSRC shifted
 * left 64, XOR the 48-bit index shifted left 16. Written into `out` (16 bytes).
 */
export function counterBlock(salt: Uint8Array, ssrc: number, index: number, out: Buffer = Buffer.alloc(16)): Buffer {
  out.fill(0);
  out.set(salt.subarray(0, SALT_BYTES), 0);
  out.writeUInt32BE((out.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  // The index is at most 48 bits: its high 16 bits at bytes 8-9, its low 32 at 10-13.
  const high = Math.floor(index / 0x1_0000_0000);
  out.writeUInt16BE(out.readUInt16BE(8) ^ high, 8);
  out.writeUInt32BE((out.readUInt32BE(10) ^ index) >>> 0, 10);
  return out;
}

/** AES-128 in counter mode from `iv` over `data` (the keystream XOR the data). */
function aesCm(key: Buffer, iv: Buffer, data: Uint8Array): Buffer {
  return createCipheriv('aes-128-ctr', key, iv).update(data);
}

/** RFC 3711 §4.3.1: the AES-CM PRF keyed by the master key, at the label's key_id XOR the master salt, `bytes` long (kdr 0, so r = 0). */
function derive(masterKey: Buffer, masterSalt: Buffer, label: number, bytes: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.set(masterSalt, 0);
  iv[7] = (iv[7] as number) ^ label; // key_id = label || r (48 zero bits), aligned to the salt's right end
  return aesCm(masterKey, iv, Buffer.alloc(bytes));
}

/** One direction's session keys from its master key (16 bytes) and master salt (14), RFC 3711 §4.3. */
export function deriveSessionKeys(masterKey: Uint8Array, masterSalt: Uint8Array): SrtpSessionKeys {
  if (masterKey.length !== KEY_BYTES || masterSalt.length !== SALT_BYTES) {
    throw new SrtpError('bad-key', `AES_CM_128_HMAC_SHA1_80 takes a 16-byte master key and a 14-byte salt, not ${masterKey.length} and ${masterSalt.length}`);
  }
  const key = Buffer.from(masterKey);
  const salt = Buffer.from(masterSalt);
  return {
    rtpKey: derive(key, salt, LABEL.rtpKey, KEY_BYTES),
    rtpAuth: derive(key, salt, LABEL.rtpAuth, AUTH_KEY_BYTES),
    rtpSalt: derive(key, salt, LABEL.rtpSalt, SALT_BYTES),
    rtcpKey: derive(key, salt, LABEL.rtcpKey, KEY_BYTES),
    rtcpAuth: derive(key, salt, LABEL.rtcpAuth, AUTH_KEY_BYTES),
    rtcpSalt: derive(key, salt, LABEL.rtcpSalt, SALT_BYTES),
  };
}

/** Where one SSRC's packets are: the highest sequence number taken (s_l) and the rollover counter (RFC 3711 §3.3.1). */
export interface RocState {
  lastSeq: number;
  roc: number;
}

/**
 * The rollover counter a packet with sequence number `seq` belongs to (RFC 3711 §3.3.1 and
 * Appendix A): the one that puts its index nearest the highest index taken so far. Pure.
 */
export function guessRoc(seq: number, s: RocState): number {
  if (s.lastSeq < 0x8000) return seq - s.lastSeq > 0x8000 ? s.roc - 1 : s.roc;
  return s.lastSeq - 0x8000 > seq ? s.roc + 1 : s.roc;
}

/** After a packet at (`seq`, `roc`) was authenticated: s_l and the ROC move forward only (RFC 3711 §3.3.1). Pure. */
export function advanceRoc(seq: number, roc: number, s: RocState): void {
  if (roc > s.roc) {
    s.roc = roc;
    s.lastSeq = seq;
  } else if (roc === s.roc && seq > s.lastSeq) {
    s.lastSeq = seq;
  }
}

/**
 * Writes an RTP header with no padding, extension or CSRC (RFC 3550 §5.1: version 2) into the
 * first 12 bytes of `out`, and returns `out`.
 */
export function writeRtpHeader(out: Buffer, marker: boolean, payloadType: number, seq: number, timestamp: number, ssrc: number): Buffer {
  out[0] = 0x80;
  out[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  out.writeUInt16BE(seq & 0xffff, 2);
  out.writeUInt32BE(timestamp >>> 0, 4);
  out.writeUInt32BE(ssrc >>> 0, 8);
  return out;
}

/** The length of an RTP header (fixed part, CSRCs, header extension: RFC 3550 §5.1, §5.3.1), or -1 when `packet` is shorter than it. */
export function rtpHeaderLength(packet: Uint8Array, end: number): number {
  if (end < RTP_HEADER_BYTES) return -1;
  const first = packet[0] as number;
  let length = RTP_HEADER_BYTES + 4 * (first & 0x0f);
  if ((first & 0x10) !== 0) {
    if (end < length + 4) return -1;
    length += 4 + 4 * (((packet[length + 2] as number) << 8) | (packet[length + 3] as number));
  }
  return length <= end ? length : -1;
}

/** The SrtpError of a refused `what` (SRTP or SRTCP) packet of `bytes` bytes. */
export function refused(reason: RtpRefusal, what: string, bytes: number): SrtpError {
  const why: Record<RtpRefusal, string> = {
    'short-packet': 'is shorter than its header and tag',
    'auth-failed': 'has an authentication tag that does not match',
    'before-stream': 'falls before its stream began (its index cannot be formed)',
    'too-many-streams': `is of one SSRC more than the ${MAX_SRTP_STREAMS} a direction keeps`,
  };
  return new SrtpError(reason, `an ${what} packet of ${bytes} bytes ${why[reason]}`);
}

/**
 * One direction of an SRTP session (RFC 3711 §3.1): it either protects what we send or
 * unprotects what we receive, with that direction's keys, and keeps each SSRC's rollover
 * counter (SRTP) and index (SRTCP). Packets are whole datagrams in and out; the input is not changed.
 */
export class SrtpDirection {
  private readonly keys: SrtpSessionKeys;
  /**
   * RTP: in the native making the whole packet in one call of the addon (it keeps the rollover
   * counters); in the `js` making the cryptography here, each SSRC's rollover counter in `rocs`.
   */
  private readonly rtp: { native: NativeRtpDirection } | { crypto: SrtpCrypto; rocs: Map<number, RocState> };
  private readonly rtcpCrypto: SrtpCrypto;
  private readonly rtcpIndex = new Map<number, number>();
  private readonly iv = Buffer.alloc(16);

  /**
   * `crypto`: `native` (what runs), each RTP packet whole in one call of the addon and SRTCP's
   * cryptography in it; or `js`, the same in JavaScript (./srtp-crypto.ts).
   */
  constructor(masterKey: Uint8Array, masterSalt: Uint8Array, crypto: SrtpCryptoKind = 'native') {
    this.keys = deriveSessionKeys(masterKey, masterSalt);
    this.rtp =
      crypto === 'native'
        ? { native: new NativeRtpDirection(this.keys.rtpKey, this.keys.rtpAuth, this.keys.rtpSalt) }
        : { crypto: srtpCrypto('js', this.keys.rtpKey, this.keys.rtpAuth), rocs: new Map() };
    this.rtcpCrypto = srtpCrypto(crypto, this.keys.rtcpKey, this.keys.rtcpAuth);
  }

  /** The addon's handle of this direction's RTP (what the native probe echo runs through), or null in the `js` making. */
  get nativeRtp(): RtpDirectionHandle | null {
    return 'native' in this.rtp ? this.rtp.native.handle : null;
  }

  /** An RTP packet (header and payload) -> its SRTP packet: the payload encrypted, the tag appended. */
  protectRtp(packet: Uint8Array): Buffer {
    const headerBytes = rtpHeaderLength(packet, packet.length);
    if (headerBytes < 0) throw new SrtpError('short-packet', `an RTP packet of ${packet.length} bytes is shorter than its header`);
    return this.protectRtpParts(packet.subarray(0, headerBytes), packet.subarray(headerBytes));
  }

  /** The same, from an RTP header (its whole length: RFC 3550 §5.1) and a payload apart, so neither is copied into a packet first. */
  protectRtpParts(header: Uint8Array, payload: Uint8Array): Buffer {
    if (header.length < RTP_HEADER_BYTES) throw new SrtpError('short-packet', `an RTP header of ${header.length} bytes`);
    const rtp = this.rtp;
    if ('native' in rtp) {
      const r = rtp.native.protect(header, payload);
      if (typeof r === 'string') throw refused(r, 'RTP', header.length + payload.length);
      return r;
    }
    const view = Buffer.from(header.buffer, header.byteOffset, header.byteLength);
    const seq = view.readUInt16BE(2);
    const ssrc = view.readUInt32BE(8);
    const state = rtp.rocs.get(ssrc);
    let roc = 0;
    if (state === undefined) {
      if (rtp.rocs.size >= MAX_SRTP_STREAMS) throw refused('too-many-streams', 'RTP', header.length + payload.length);
      rtp.rocs.set(ssrc, { lastSeq: seq, roc: 0 });
    } else {
      roc = guessRoc(seq, state);
      if (roc < 0) throw refused('before-stream', 'RTP', header.length + payload.length);
      advanceRoc(seq, roc, state);
    }
    const end = header.length + payload.length;
    const out = Buffer.allocUnsafe(end + SRTP_TAG_BYTES);
    out.set(header, 0);
    out.set(payload, header.length);
    rtp.crypto.seal(out, header.length, end, end, roc >>> 0, counterBlock(this.keys.rtpSalt, ssrc, roc * 0x1_0000 + seq, this.iv));
    return out;
  }

  /** An SRTP packet -> the RTP packet (header and decrypted payload), or SrtpError with why it was refused (short, its tag, before its stream, one SSRC too many). */
  unprotectRtp(packet: Uint8Array): Buffer {
    const rtp = this.rtp;
    if ('native' in rtp) {
      const r = rtp.native.unprotect(packet);
      if (typeof r === 'string') throw refused(r, 'SRTP', packet.length);
      return r;
    }
    const end = packet.length - SRTP_TAG_BYTES;
    const headerBytes = end < 0 ? -1 : rtpHeaderLength(packet, end);
    if (headerBytes < 0) throw refused('short-packet', 'SRTP', packet.length);
    const view = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
    const seq = view.readUInt16BE(2);
    const ssrc = view.readUInt32BE(8);
    const state = rtp.rocs.get(ssrc);
    const roc = state === undefined ? 0 : guessRoc(seq, state);
    // A guess below zero belongs to a packet from before the first one seen: its index cannot be formed.
    if (roc < 0) throw refused('before-stream', 'SRTP', packet.length);
    const out = Buffer.allocUnsafe(end);
    if (!rtp.crypto.open(view, out, headerBytes, end, end, roc >>> 0, counterBlock(this.keys.rtpSalt, ssrc, roc * 0x1_0000 + seq, this.iv)))
      throw refused('auth-failed', 'SRTP', packet.length);
    if (state !== undefined) advanceRoc(seq, roc, state);
    else if (rtp.rocs.size >= MAX_SRTP_STREAMS) throw refused('too-many-streams', 'SRTP', packet.length);
    else rtp.rocs.set(ssrc, { lastSeq: seq, roc: 0 });
    return out;
  }

  /** A compound RTCP packet -> its SRTCP packet: encrypted after the first header, E flag and index, tag (RFC 3711 §3.4). */
  protectRtcp(packet: Uint8Array): Buffer {
    if (packet.length < RTCP_HEADER_BYTES) throw new SrtpError('short-packet', `an RTCP packet of ${packet.length} bytes is shorter than its header`);
    const view = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
    const ssrc = view.readUInt32BE(4);
    const prev = this.rtcpIndex.get(ssrc) ?? 0;
    const index = prev >= MAX_SRTCP_INDEX ? 0 : prev + 1;
    this.rtcpIndex.set(ssrc, index);
    const end = packet.length + SRTCP_INDEX_BYTES;
    const out = Buffer.allocUnsafe(end + SRTP_TAG_BYTES);
    out.set(view, 0);
    out.writeUInt32BE((0x8000_0000 | index) >>> 0, packet.length);
    this.rtcpCrypto.seal(out, RTCP_HEADER_BYTES, packet.length, end, -1, counterBlock(this.keys.rtcpSalt, ssrc, index, this.iv));
    return out;
  }

  /** An SRTCP packet -> the compound RTCP packet, or SrtpError when it is too short or its tag does not match. */
  unprotectRtcp(packet: Uint8Array): Buffer {
    const end = packet.length - SRTP_TAG_BYTES;
    const body = end - SRTCP_INDEX_BYTES;
    if (body < RTCP_HEADER_BYTES) throw new SrtpError('short-packet', `an SRTCP packet of ${packet.length} bytes is shorter than its header, index and tag`);
    const view = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
    const word = view.readUInt32BE(body);
    const out = Buffer.allocUnsafe(body);
    // E flag clear: sent unencrypted, so nothing to decrypt after the tag is checked.
    const encTo = (word & 0x8000_0000) === 0 ? RTCP_HEADER_BYTES : body;
    const iv = counterBlock(this.keys.rtcpSalt, view.readUInt32BE(4), word & MAX_SRTCP_INDEX, this.iv);
    if (!this.rtcpCrypto.open(view, out, RTCP_HEADER_BYTES, encTo, end, -1, iv))
      throw new SrtpError('auth-failed', 'SRTCP: the authentication tag does not match');
    if (encTo < body) out.set(view.subarray(encTo, body), encTo);
    return out;
  }
}
