/**
 * The probe stream the cost bench's probe-echo floors are sent (./probe-echo.ts in Node,
 * ./c-probe-echo.c in C): real probes as the relay receives them (a probe frame in SRTP in
 * ChannelData), and each echo checked on its way back (its SRTP tag, its decryption, its frame),
 * so a floor that skipped the work would be seen.
 */
import { randomBytes } from 'node:crypto';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { decodeRtpEcho, encodeRtpProbe } from '../../src/protocol/rtp-probe.js';
import { RTP_HEADER_BYTES, SrtpDirection, deriveSessionKeys, writeRtpHeader } from '../../server/reflector/rtp/srtp.js';
import { CHANNEL_DATA_HEADER_BYTES, channelDataLength, channelDataNumber, encodeChannelData } from '../../server/turn/codec/channel-data.js';

/** The page's payload type and SSRC in the stream, and the echo's. */
const PROBE_PAYLOAD_TYPE = 111;
const PROBE_SSRC = 0x1234_5678;
export const ECHO_PAYLOAD_TYPE = 111;
export const ECHO_SSRC = 0x0bad_cafe;
/** The channel number the probes come on (RFC 8656 §12: 0x4000-0x4FFF). */
const CHANNEL = 0x4001;
/** An Opus frame of a 10 ms voice packet at a common bitrate; the probe frame pads it to CONSTANTS.rtp.frameBytes. */
const OPUS_BYTES = 60;

/** One direction's SRTP master key and salt (RFC 3711 §8.2). */
interface MasterKeys {
  key: Buffer;
  salt: Buffer;
}

export interface ProbeKeys {
  /** The probes' direction (the page's SRTP). */
  up: MasterKeys;
  /** The echoes' direction (the reflector's SRTP). */
  down: MasterKeys;
}

/** Fresh keys for one run. */
export function newProbeKeys(): ProbeKeys {
  return { up: { key: randomBytes(16), salt: randomBytes(14) }, down: { key: randomBytes(16), salt: randomBytes(14) } };
}

/** The Node echo's argument: the master keys, hex, `up key:up salt:down key:down salt`. */
export function probeKeysArg(k: ProbeKeys): string {
  return [k.up.key, k.up.salt, k.down.key, k.down.salt].map((b) => b.toString('hex')).join(':');
}

/** probeKeysArg read back; null when it is not four hex fields of 16, 14, 16 and 14 bytes. */
export function parseProbeKeys(arg: string): ProbeKeys | null {
  const parts = arg.split(':').map((h) => Buffer.from(h, 'hex'));
  const [uk, us, dk, ds] = parts;
  if (parts.length !== 4 || uk?.length !== 16 || us?.length !== 14 || dk?.length !== 16 || ds?.length !== 14) return null;
  return { up: { key: uk, salt: us }, down: { key: dk, salt: ds } };
}

/**
 * The C echo's argument: each direction's SRTP session keys (RFC 3711 §4.3, derived here once
 * with the reflector's own derivation), hex, `up key:up salt:up auth:down key:down salt:down auth`.
 */
export function sessionKeysArg(k: ProbeKeys): string {
  const up = deriveSessionKeys(k.up.key, k.up.salt);
  const down = deriveSessionKeys(k.down.key, k.down.salt);
  return [up.rtpKey, up.rtpSalt, up.rtpAuth, down.rtpKey, down.rtpSalt, down.rtpAuth].map((b) => b.toString('hex')).join(':');
}

/** The sender's side: probe datagrams out, echoes checked. */
export class ProbeStream {
  private readonly up: SrtpDirection;
  private readonly down: SrtpDirection;
  private readonly header = Buffer.alloc(RTP_HEADER_BYTES);
  private readonly opus = new Uint8Array(OPUS_BYTES).fill(0x5a);
  private readonly seen = new Set<number>();
  private nextSeq = 0;
  /** Echoes whose tag, decryption or frame was wrong, and the first one's reason. */
  bad = 0;
  firstBad: string | null = null;

  constructor(keys: ProbeKeys) {
    this.up = new SrtpDirection(keys.up.key, keys.up.salt);
    this.down = new SrtpDirection(keys.down.key, keys.down.salt);
  }

  /** The next probe as the relay receives it: ChannelData(SRTP(RTP(probe frame))). */
  next(nowMs: number): Buffer {
    const probeSeq = this.nextSeq++;
    writeRtpHeader(this.header, false, PROBE_PAYLOAD_TYPE, probeSeq & 0xffff, (probeSeq * 480) >>> 0, PROBE_SSRC);
    const srtp = this.up.protectRtpParts(this.header, encodeRtpProbe({ probeSeq, sendMs: nowMs, opus: this.opus }, CONSTANTS.rtp.frameBytes));
    return encodeChannelData(CHANNEL, srtp, 'datagram');
  }

  /** Whether the echo of probe `probeSeq` came back and passed the check. */
  echoed(probeSeq: number): boolean {
    return this.seen.has(probeSeq);
  }

  /** An echo came back: true when it is the echo of a probe sent and not seen before (its tag, its frame and its channel checked). */
  echo(datagram: Buffer): boolean {
    try {
      const length = channelDataLength(datagram);
      if (length < 0 || channelDataNumber(datagram) !== CHANNEL) throw new Error("not ChannelData on the probes' channel");
      const rtp = this.down.unprotectRtp(datagram.subarray(CHANNEL_DATA_HEADER_BYTES, CHANNEL_DATA_HEADER_BYTES + length));
      if (rtp.readUInt32BE(8) !== ECHO_SSRC) throw new Error('another SSRC');
      const e = decodeRtpEcho(rtp.subarray(RTP_HEADER_BYTES));
      if (e.upSeq >= this.nextSeq || this.seen.has(e.upSeq) || e.opus.length !== OPUS_BYTES) throw new Error(`echo of probe ${e.upSeq}`);
      this.seen.add(e.upSeq);
      return true;
    } catch (err) {
      // Counted, not thrown: the bench reports how many echoes were wrong, and why the first was.
      this.bad++;
      this.firstBad ??= (err as Error).message;
      return false;
    }
  }
}
