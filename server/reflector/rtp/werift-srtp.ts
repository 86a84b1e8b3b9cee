/**
 * Our SRTP (./srtp.ts) in place of werift's for one of its DTLS transports. werift derives its
 * SRTP session once DTLS has its keys (RTCDtlsTransport.updateSrtpSession, run once before its
 * first packet) and then calls `srtp.decrypt`, `srtp.encrypt`, `srtcp.decrypt` and
 * `srtcp.encrypt` per packet; after it ran, the same four calls go to ours, with the same master
 * keys. The transport offers AES_CM_128_HMAC_SHA1_80 alone in its DTLS handshake (werift would
 * prefer AEAD_AES_128_GCM, which a werift peer takes): the profile every WebRTC browser supports,
 * defined with DTLS-SRTP itself (RFC 5764 §4.1.2). werift keeps these members out of its types,
 * so they are read at run time: when werift moves them, or another profile is negotiated, its own
 * SRTP stays, and the leg says which one runs in its log.
 */
import { ProtectionProfileAes128CmHmacSha1_80, SrtpAuthenticationError, type RtpHeader } from 'werift';
import { RTP_HEADER_BYTES, SrtpDirection, SrtpError, writeRtpHeader } from './srtp.js';
import type { SrtpCryptoKind } from './srtp-crypto.js';

/** Whose SRTP a transport runs: ours, werift's (its profile, or its internals, left it), or none yet (DTLS not done). */
export type SrtpOwner = 'ours' | 'werift' | 'none';

/** Our two directions of a transport's SRTP session: what we receive (`from`) and what we send (`out`). */
export interface OwnSrtp {
  from: SrtpDirection;
  out: SrtpDirection;
}

/** A transport whose SRTP we offered to take over: whose runs, and ours once it does. */
export interface SrtpTakeover {
  owner(): SrtpOwner;
  /** Our directions once ours runs; null before DTLS is done, or when werift's stayed. */
  own(): OwnSrtp | null;
}

interface WeriftKeys {
  localMasterKey: Buffer;
  localMasterSalt: Buffer;
  remoteMasterKey: Buffer;
  remoteMasterSalt: Buffer;
}

/** werift's RTCDtlsTransport as far as its SRTP goes. */
interface WeriftSrtpHolder {
  srtp: unknown;
  srtcp: unknown;
  updateSrtpSession: () => void;
  /** The profiles its DTLS handshake offers, in its order of preference (read when DTLS starts). */
  srtpProfiles?: unknown;
}

const isHolder = (t: unknown): t is WeriftSrtpHolder =>
  typeof t === 'object' && t !== null && typeof (t as { updateSrtpSession?: unknown }).updateSrtpSession === 'function';

const isKeys = (k: unknown): k is WeriftKeys => {
  if (typeof k !== 'object' || k === null) return false;
  const o = k as Record<string, unknown>;
  return ['localMasterKey', 'localMasterSalt', 'remoteMasterKey', 'remoteMasterSalt'].every((f) => Buffer.isBuffer(o[f]));
};

/** The master keys and profile werift's new session was made with (SrtpSession.config), or null when it has none we can read. */
function sessionConfig(srtp: unknown): { keys: WeriftKeys; profile: unknown } | null {
  const config = typeof srtp === 'object' && srtp !== null ? (srtp as { config?: unknown }).config : undefined;
  if (typeof config !== 'object' || config === null) return null;
  const { keys, profile } = config as { keys?: unknown; profile?: unknown };
  return isKeys(keys) ? { keys, profile } : null;
}

/** A werift RTP header with no CSRC, extension or padding as its 12 bytes (RFC 3550 §5.1), or werift's own serialization otherwise. */
function headerBytes(header: RtpHeader): Buffer {
  if (header.csrc.length > 0 || header.extension || header.extensions.length > 0 || header.padding) return header.serialize(header.serializeSize);
  return writeRtpHeader(Buffer.allocUnsafe(RTP_HEADER_BYTES), header.marker, header.payloadType, header.sequenceNumber, header.timestamp, header.ssrc);
}

/** Our refusal as werift's, which werift drops without a word (RTCDtlsTransport.startSrtp), told to `onRefused` first; anything else as it was. */
function asWerift(err: unknown, onRefused: (err: SrtpError) => void): unknown {
  if (!(err instanceof SrtpError)) return err;
  onRefused(err);
  return new SrtpAuthenticationError(err.message);
}

/**
 * werift's SrtpSession or SrtcpSession as werift calls it per packet (`decrypt`, `encrypt`), ours
 * underneath: methods on the prototype, so no function is made per session or per packet.
 */
abstract class OwnSession {
  constructor(
    readonly config: { keys: WeriftKeys; profile: unknown },
    protected readonly from: SrtpDirection,
    protected readonly out: SrtpDirection,
    private readonly onRefused: (err: SrtpError) => void,
  ) {}

  protected abstract unprotect(packet: Buffer): Buffer;

  decrypt(packet: Buffer): Buffer {
    try {
      return this.unprotect(packet);
    } catch (err) {
      throw asWerift(err, this.onRefused);
    }
  }
}

class OwnSrtpSession extends OwnSession {
  protected unprotect(packet: Buffer): Buffer {
    return this.from.unprotectRtp(packet);
  }

  encrypt(payload: Buffer, header: RtpHeader): Buffer {
    return this.out.protectRtpParts(headerBytes(header), payload);
  }
}

class OwnSrtcpSession extends OwnSession {
  protected unprotect(packet: Buffer): Buffer {
    return this.from.unprotectRtcp(packet);
  }

  encrypt(packet: Buffer): Buffer {
    return this.out.protectRtcp(packet);
  }
}

/**
 * Puts our SRTP in werift's DTLS transport `transport`, from its SRTP start on. Returns a reading
 * of whose SRTP runs (`none` until DTLS is done) and of our directions, or null when `transport`
 * is not the werift transport this was written against (werift's own stays). `onRefused` hears
 * each packet ours dropped; `crypto` says whose per-packet cryptography ours runs (./srtp-crypto.ts).
 */
export function useOwnSrtp(transport: unknown, onRefused: (err: SrtpError) => void, crypto: SrtpCryptoKind = 'native'): SrtpTakeover | null {
  if (!isHolder(transport)) return null;
  if (Array.isArray(transport.srtpProfiles)) transport.srtpProfiles = [ProtectionProfileAes128CmHmacSha1_80];
  let owner: SrtpOwner = 'none';
  let own: OwnSrtp | null = null;
  const start = transport.updateSrtpSession.bind(transport);
  transport.updateSrtpSession = () => {
    start();
    const config = sessionConfig(transport.srtp);
    if (config === null || config.profile !== ProtectionProfileAes128CmHmacSha1_80) {
      owner = 'werift';
      return;
    }
    const { keys } = config;
    const out = new SrtpDirection(keys.localMasterKey, keys.localMasterSalt, crypto);
    const from = new SrtpDirection(keys.remoteMasterKey, keys.remoteMasterSalt, crypto);
    const session = { keys, profile: config.profile };
    transport.srtp = new OwnSrtpSession(session, from, out, onRefused);
    transport.srtcp = new OwnSrtcpSession(session, from, out, onRefused);
    owner = 'ours';
    own = { from, out };
  };
  return { owner: () => owner, own: () => own };
}
