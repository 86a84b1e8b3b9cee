/**
 * The probe stream's short path through the RTP leg. werift takes each of the page's RTP packets
 * through its ICE, DTLS and RTP layers (a packet object made, cloned and handed through events),
 * and each echo back through its sender's promises: at 100 packets a second most of that code
 * runs unoptimized, and it cost more than the relay's own work. Once werift has set up the
 * page's stream, the short path does what those layers do for it, and no more:
 *
 * - a datagram that is an RTP packet (RFC 7983 §7: first byte 128-191; RFC 5761 §4: not an RTCP
 *   packet type) of the page's stream (an SSRC werift already keeps receiver statistics for, the
 *   negotiated Opus payload type) is unprotected by our SRTP (RFC 3711 §3.3), its header read
 *   (RFC 3550 §5.1: CSRCs, an extension, padding), counted in werift's receiver statistics (which
 *   its receiver reports carry, RFC 3550 §6.4.2), and its payload handed to the leg;
 * - an echo is given its 12-byte header (the reflector's SSRC and payload type, the leg's sequence
 *   number and timestamp), protected by our SRTP and sent to the nominated candidate pair's remote
 *   address, with werift's sender statistics (which its sender reports carry, RFC 3550 §6.4.1),
 *   its DTLS transport's and its pair's counters kept as werift keeps them.
 *
 * Everything else (STUN, DTLS, RTCP, a packet of another stream) goes to werift as before. werift
 * keeps these members out of its types: they are read at run time, and when one is missing the
 * short path is not made and the leg ends (./leg.ts shortPathOff: werift's RTP path is no runtime
 * fallback for the stream).
 */
import type { RtpFrameOutcome } from './core.js';
import type { FastTaken, NativeRtpCore, RtpPacketFields } from './native-core.js';
import { RTP_HEADER_BYTES, SrtpError, rtpHeaderLength, writeRtpHeader } from './srtp.js';
import { SRTP_TAG_BYTES } from './srtp-crypto.js';
import type { OwnSrtp } from './werift-srtp.js';

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (RFC 868's table; RFC 3550 §4). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;
const TWO_POW_32 = 0x1_0000_0000;

/**
 * The 64-bit NTP timestamp (RFC 3550 §4: seconds since 1900 in the high 32 bits, the fraction of a
 * second in the low 32) of `unixMs`, milliseconds since 1970 on the wall clock.
 */
export function ntpTimestamp(unixMs: number): bigint {
  const unixS = Math.floor(unixMs / 1000);
  const fraction = Math.floor(((unixMs - unixS * 1000) / 1000) * TWO_POW_32);
  return (BigInt((unixS + NTP_UNIX_OFFSET_S) >>> 0) << 32n) | BigInt(Math.min(fraction, TWO_POW_32 - 1));
}

/** A packet as werift's receiver statistics read it (StreamStatistics.add). */
interface StatsPacket {
  header: { sequenceNumber: number; timestamp: number; serializeSize: number };
  payload: { length: number };
}

/** werift's per-stream receiver statistics (`nowS`: the packet's arrival, seconds on the wall clock; werift reads Date.now() when not given). */
interface WeriftStreamStats {
  add(packet: StatsPacket, nowS?: number): void;
}

/** werift's RTCRtpReceiver, as far as the short path reads and keeps it. */
interface WeriftReceiver {
  stopped: boolean;
  remoteStreams: Record<number, WeriftStreamStats | undefined>;
  codecs: Record<number, { name: string } | undefined>;
}

/** werift's RTCRtpSender, as far as its sender reports read it. */
interface WeriftSender {
  ssrc: number;
  codec?: { payloadType: number } | undefined;
  sequenceNumber?: number;
  timestamp?: number;
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  runRtcp(): Promise<void>;
}

/** werift's candidate pair, its counters and the address it sends to. */
interface WeriftPair {
  readonly remoteAddr: [string, number];
  packetsSent: number;
  bytesSent: number;
}

/** werift's ICE connection: may it send (nominated, consent fresh: RFC 7675), and to which pair. */
interface WeriftIce {
  nominated?: WeriftPair | undefined;
  canSendApplicationData(): boolean;
}

/** werift's RTCDtlsTransport, its state and counters, and its ICE connection. */
interface WeriftDtls {
  state: string;
  bytesSent: number;
  packetsSent: number;
  iceTransport: { connection: WeriftIce };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isFn = (o: Record<string, unknown>, k: string): boolean => typeof o[k] === 'function';
const areNumbers = (o: Record<string, unknown>, ...keys: string[]): boolean => keys.every((k) => typeof o[k] === 'number');

function isReceiver(v: unknown): v is WeriftReceiver {
  return isObject(v) && typeof v['stopped'] === 'boolean' && isObject(v['remoteStreams']) && isObject(v['codecs']);
}
function isSender(v: unknown): v is WeriftSender {
  return (
    isObject(v) &&
    typeof v['ntpTimestamp'] === 'bigint' &&
    areNumbers(v, 'ssrc', 'rtpTimestamp', 'octetCount', 'packetCount', 'headerBytesSent') &&
    isFn(v, 'runRtcp')
  );
}
function isDtls(v: unknown): v is WeriftDtls {
  if (!isObject(v) || typeof v['state'] !== 'string' || !areNumbers(v, 'bytesSent', 'packetsSent')) return false;
  const ice = v['iceTransport'];
  return isObject(ice) && isObject(ice['connection']) && isFn(ice['connection'], 'canSendApplicationData');
}

/**
 * What the short path works with: our SRTP, werift's receiver, sender and DTLS transport of the
 * leg (read at run time), and the leg's probe core when it is the addon's (NativeRtpCore): then
 * each packet of the page's stream is taken whole by the core in one call (`attach`ed here).
 */
export interface ShortPathParts {
  srtp: OwnSrtp;
  receiver: unknown;
  sender: unknown;
  dtls: unknown;
  core?: NativeRtpCore | undefined;
}

/**
 * What became of a packet the addon's core took whole: its outcome, and for an echo the frame
 * werift's sender must send (null: sent, or not to be sent) with the RTP number the core gave it.
 */
export type NativeTake =
  | Exclude<RtpFrameOutcome, { kind: 'echo' }>
  | { kind: 'padding' }
  | { kind: 'echo'; downSeq: number; unsent: { frame: Buffer; seq: number; timestamp: number } | null; failed?: SrtpError };

export interface ShortPathHooks {
  /** The leg's clock (ms), read as a packet arrives. */
  nowMs(): number;
  /** A payload of the page's stream (padding removed; empty for a padding-only packet) and when it arrived. */
  onPayload(payload: Buffer, recvMs: number): void;
  /** Our SRTP dropped a packet (werift drops them without a word). */
  onRefused(err: SrtpError): void;
  /** Sends a protected echo to `ip`:`port` from the leg's socket; `downSeq` is the one `send` was given, so a failed send can be told. */
  send(packet: Buffer, ip: string, port: number, downSeq: number): void;
  /** With the addon's core: what became of a packet of the page's stream it took (the leg counts it, and sends `unsent` through werift). */
  onTaken(out: NativeTake): void;
  /**
   * With the addon's core: an echo of the page's stream `ssrc` (payload type `payloadType`) was
   * sealed and sent to the nominated pair's remote address `answerTo`: the relay's fast path could
   * take this stream from here (told once).
   */
  onFastPossible(ssrc: number, payloadType: number, answerTo: readonly [string, number]): void;
}

/** The short path of one leg, or the reason it could not be made (werift's path then stays). */
export type ShortPathOrReason = { path: RtpShortPath } | { reason: string };

export function shortPath(parts: ShortPathParts, hooks: ShortPathHooks): ShortPathOrReason {
  if (!isReceiver(parts.receiver)) return { reason: "werift's receiver is not the one this was written against" };
  if (!isSender(parts.sender)) return { reason: "werift's sender is not the one this was written against" };
  if (!isDtls(parts.dtls)) return { reason: "werift's DTLS transport is not the one this was written against" };
  const sender = parts.sender;
  const core = parts.core;
  // The addon's core takes the page's packets whole once it has our SRTP (the native making) and the sender's payload type.
  const engine =
    core !== undefined && sender.codec !== undefined && (core.isAttached || core.attach(parts.srtp.from, parts.srtp.out, sender.ssrc, sender.codec.payloadType))
      ? core
      : null;
  return { path: new RtpShortPath(parts.srtp, parts.receiver, sender, parts.dtls, hooks, engine) };
}

export class RtpShortPath {
  private readonly header = Buffer.alloc(RTP_HEADER_BYTES);
  private readonly statsPacket: StatsPacket = { header: { sequenceNumber: 0, timestamp: 0, serializeSize: 0 }, payload: { length: 0 } };
  /** Payload types of the page's stream the short path takes: Opus only (werift handles RED, RTX or anything else). */
  private readonly opusPt = new Map<number, boolean>();
  private readonly fields: RtpPacketFields = { seq: 0, timestamp: 0, headerBytes: 0, payloadBytes: 0 };
  private rtcpStarted = false;
  private taken = 0;
  private sent = 0;
  private fastTold = false;

  constructor(
    private readonly srtp: OwnSrtp,
    private readonly receiver: WeriftReceiver,
    private readonly sender: WeriftSender,
    private readonly dtls: WeriftDtls,
    private readonly hooks: ShortPathHooks,
    /** The addon's core, when it takes each packet whole (null: our SRTP and the leg's core, one step at a time). */
    private readonly engine: NativeRtpCore | null = null,
  ) {}

  /** Whether the addon's core takes the page's packets whole. */
  get native(): boolean {
    return this.engine !== null;
  }

  /** Packets of the page's stream the short path took (refused ones included). */
  get takenCount(): number {
    return this.taken;
  }

  /** Echoes it sent. */
  get sentCount(): number {
    return this.sent;
  }

  private isOpus(pt: number): boolean {
    let known = this.opusPt.get(pt);
    if (known === undefined) {
      known = this.receiver.codecs[pt]?.name.toLowerCase() === 'opus';
      this.opusPt.set(pt, known);
    }
    return known;
  }

  /** Takes `data` when it is an RTP packet of the page's stream (true), or leaves it to werift (false). */
  take(data: Buffer): boolean {
    if (data.length < RTP_HEADER_BYTES || ((data[0] as number) & 0xc0) !== 0x80) return false;
    const pt = (data[1] as number) & 0x7f;
    if (pt >= 64 && pt <= 95) return false; // RTCP: packet types 192-223 (RFC 5761 §4)
    const stats = this.receiver.remoteStreams[data.readUInt32BE(8)];
    if (stats === undefined || this.receiver.stopped || !this.isOpus(pt)) return false;
    const recvMs = this.hooks.nowMs();
    this.taken++;
    if (this.engine !== null) return this.takeWhole(this.engine, data, recvMs, stats);
    let plain: Buffer;
    try {
      plain = this.srtp.from.unprotectRtp(data);
    } catch (err) {
      if (!(err instanceof SrtpError)) throw err;
      this.hooks.onRefused(err);
      return true;
    }
    const headerBytes = rtpHeaderLength(plain, plain.length);
    // Padding (RFC 3550 §5.1 P bit): its last byte counts the padding bytes, itself included.
    const end = ((plain[0] as number) & 0x20) !== 0 ? plain.length - (plain[plain.length - 1] as number) : plain.length;
    if (end < headerBytes) {
      this.hooks.onRefused(new SrtpError('short-packet', `an RTP packet of ${plain.length} bytes with more padding than payload`));
      return true;
    }
    const p = this.statsPacket;
    p.header.sequenceNumber = plain.readUInt16BE(2);
    p.header.timestamp = plain.readUInt32BE(4);
    p.header.serializeSize = headerBytes;
    p.payload.length = end - headerBytes;
    stats.add(p);
    this.hooks.onPayload(plain.subarray(headerBytes, end), recvMs);
    return true;
  }

  /**
   * The page's packet `data`, taken whole by the addon's core: SRTP opened, the probe read, the
   * echo written and sealed when werift may send now (else handed back unsealed for werift's
   * sender), counted in werift's receiver statistics as werift's path counts it.
   */
  private takeWhole(engine: NativeRtpCore, data: Buffer, recvMs: number, stats: WeriftStreamStats): boolean {
    const pair = this.sendablePair();
    const f = this.fields;
    // The core numbers its echoes itself (the leg handed it the numbering): the number given here is not read.
    const out = engine.packet(data, recvMs, 0, 0, pair !== null, f);
    if (out.kind === 'refused') {
      this.hooks.onRefused(out.err);
      return true;
    }
    this.countReceived(stats, f);
    if (out.kind !== 'echo') {
      this.hooks.onTaken(out);
      return true;
    }
    if (out.packet === null) {
      this.hooks.onTaken({ kind: 'echo', downSeq: out.downSeq, unsent: null, ...(out.err ? { failed: out.err } : {}) });
      return true;
    }
    if (!out.sealed || pair === null) {
      this.hooks.onTaken({ kind: 'echo', downSeq: out.downSeq, unsent: { frame: out.packet, seq: out.seq, timestamp: out.timestamp } });
      return true;
    }
    this.hooks.onTaken({ kind: 'echo', downSeq: out.downSeq, unsent: null });
    this.sendSealed(out.packet, out.packet.length - RTP_HEADER_BYTES - SRTP_TAG_BYTES, out.seq, out.timestamp, out.downSeq, pair);
    if (!this.fastTold) {
      this.fastTold = true;
      this.hooks.onFastPossible(data.readUInt32BE(8), (data[1] as number) & 0x7f, pair.remoteAddr);
    }
    return true;
  }

  /** The page's packet, counted in werift's receiver statistics as werift's path counts it (arrived at `arrivalS`, wall-clock seconds; now when not given). */
  private countReceived(stats: WeriftStreamStats, f: RtpPacketFields, arrivalS?: number): void {
    const p = this.statsPacket;
    p.header.sequenceNumber = f.seq;
    p.header.timestamp = f.timestamp;
    p.header.serializeSize = f.headerBytes;
    p.payload.length = f.payloadBytes;
    if (arrivalS === undefined) stats.add(p);
    else stats.add(p, arrivalS);
  }

  /**
   * A packet of the page's stream `ssrc` the relay's fast path took (the addon's core answered it
   * in C): counted as `takeWhole` counts one it takes, its echo as `sendSealed` counts one it
   * sends, at the times the addon read.
   */
  countFastTaken(t: Readonly<FastTaken>, ssrc: number): void {
    this.taken++;
    const stats = this.receiver.remoteStreams[ssrc];
    if (stats !== undefined && t.kind !== 'out-of-memory') this.countReceived(stats, t.fields, (performance.timeOrigin + t.recvMs) / 1000);
    if (t.kind !== 'echo' || t.echoBytes === 0) return;
    this.countSent(
      t.echoBytes,
      t.echoBytes - RTP_HEADER_BYTES - SRTP_TAG_BYTES,
      t.echoSeq,
      t.echoTimestamp,
      t.sendMs,
      this.dtls.iceTransport.connection.nominated,
    );
  }

  /** The relay's fast path was withdrawn (no consent, another pair): the next echo sealed here offers it again (`onFastPossible`). */
  fastWithdrawn(): void {
    this.fastTold = false;
  }

  /** The remote address of the nominated pair when werift may send now (./leg.ts checks its fast path's offer against it), else null. */
  nominatedSendable(): readonly [string, number] | null {
    return this.sendablePair()?.remoteAddr ?? null;
  }

  /** The nominated pair, when werift may send now (DTLS connected, a codec, a nominated pair with consent); else null. */
  private sendablePair(): WeriftPair | null {
    const ice = this.dtls.iceTransport.connection;
    const pair = ice.nominated;
    if (this.dtls.state !== 'connected' || this.sender.codec === undefined || pair === undefined || !ice.canSendApplicationData()) return null;
    return pair;
  }

  /**
   * Sends `payload`, the echo numbered `downSeq`, as the reflector's RTP packet numbered `seq` at
   * `timestamp`. False when werift may not send now (DTLS not connected, no codec, no nominated
   * pair or no consent): werift's sender, which then drops it as well, is left to say so.
   */
  send(payload: Uint8Array, seq: number, timestamp: number, downSeq: number): boolean {
    const s = this.sender;
    const pair = this.sendablePair();
    if (pair === null || s.codec === undefined) return false;
    const packet = this.srtp.out.protectRtpParts(writeRtpHeader(this.header, false, s.codec.payloadType, seq, timestamp, s.ssrc), payload);
    this.sendSealed(packet, payload.byteLength, seq, timestamp, downSeq, pair);
    return true;
  }

  /** Sends the sealed echo `packet` (`payloadBytes` of frame in it), counted as werift's sender, DTLS transport and pair count theirs. */
  private sendSealed(packet: Buffer, payloadBytes: number, seq: number, timestamp: number, downSeq: number, pair: WeriftPair): void {
    this.countSent(packet.length, payloadBytes, seq, timestamp, performance.now(), pair);
    const [ip, port] = pair.remoteAddr;
    this.hooks.send(packet, ip, port, downSeq);
  }

  /** An echo of `packetBytes` (`payloadBytes` of frame) numbered `seq` at `timestamp`, sent at `sendMs` (performance.now()): counted as werift's sender, DTLS transport and pair count theirs. */
  private countSent(packetBytes: number, payloadBytes: number, seq: number, timestamp: number, sendMs: number, pair: WeriftPair | undefined): void {
    const s = this.sender;
    s.sequenceNumber = seq;
    s.timestamp = timestamp;
    s.ntpTimestamp = ntpTimestamp(performance.timeOrigin + sendMs);
    s.rtpTimestamp = timestamp;
    s.octetCount += payloadBytes;
    s.headerBytesSent += RTP_HEADER_BYTES;
    s.packetCount = (s.packetCount + 1) >>> 0;
    this.dtls.bytesSent += packetBytes;
    this.dtls.packetsSent++;
    if (pair !== undefined) {
      pair.packetsSent++;
      pair.bytesSent += packetBytes;
    }
    this.sent++;
    if (!this.rtcpStarted) {
      this.rtcpStarted = true;
      // werift's sender reports begin with its first packet sent; its loop ends with the sender.
      void s.runRtcp();
    }
  }
}
