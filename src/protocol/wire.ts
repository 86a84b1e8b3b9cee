/**
 * callprobe probe protocol, version 1: the datagrams of the probe stream and the records
 * the reflector reports in its control messages (carried reliably, on the page's signalling socket).
 *
 * One probe per datagram, always `payloadBytes` long (160 by default, like a 20 ms G.711
 * audio frame), so that every datagram of the probe stream has the same size on the wire.
 * All numbers big-endian; times are milliseconds on the sender's monotonic clock as
 * float64. Sequence numbers are 32-bit and wrap (extend them with `src/protocol/rfc3550.ts`).
 */

import { BOUNDS, CONSTANTS, DEFAULTS } from './defaults.js';
import { TypedError } from './typed-error.js';

const PROBE_MAGIC = 0x4350; // "CP"
const PROBE_VERSION = 1;
export const DEFAULT_PAYLOAD_BYTES: number = DEFAULTS.payloadBytes;

export const ProbeKind = {
  /** client -> reflector (or pc1 -> pc2 in loopback mode). */
  Probe: 1,
  /** reflector -> client. */
  Echo: 2,
  /** reflector -> client, a control message: a batch of receipt records. */
  Receipts: 3,
  /** reflector -> client, a control message: a batch of receipt records of the RTP probe stream (src/protocol/rtp-probe.ts). */
  RtpReceipts: 4,
  /** reflector -> client, a control message: one flush's receipts of both streams in one message (the data channel's, then the RTP stream's). */
  BothReceipts: 5,
} as const;
export type ProbeKind = (typeof ProbeKind)[keyof typeof ProbeKind];

/** Probe header: magic u16, version u8, kind u8, seq u32, sendMs f64. */
const PROBE_HEADER_BYTES = 16;
/** Echo adds: downSeq u32, reflectorRecvMs f64, reflectorSendMs f64, upReceived u32. */
const ECHO_HEADER_BYTES = PROBE_HEADER_BYTES + 4 + 8 + 8 + 4;
const MIN_PAYLOAD_BYTES = ECHO_HEADER_BYTES;

export interface Probe {
  seq: number;
  sendMs: number;
}

export interface Echo {
  /** The probe's sequence number (client's numbering). */
  upSeq: number;
  /** The probe's send time, echoed (client clock). */
  clientSendMs: number;
  /** The reflector's own numbering of the echoes it sent (downstream stream). */
  downSeq: number;
  /** When the probe arrived at the reflector (reflector clock). */
  reflectorRecvMs: number;
  /** When this echo left the reflector (reflector clock). */
  reflectorSendMs: number;
  /** Datagrams of the probe stream the reflector has received so far, duplicates included. */
  upReceived: number;
}

export type ProbeDecodeReason = 'too-short' | 'bad-magic' | 'bad-version' | 'unexpected-kind' | 'bad-size' | 'bad-control';

export class ProbeDecodeError extends TypedError<ProbeDecodeReason> {
  override readonly name = 'ProbeDecodeError';
  constructor(reason: ProbeDecodeReason, detail: string) {
    super(reason, `probe decode failed (${reason}): ${detail}`);
  }
}

/** A DataView over exactly `bytes`. */
export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes the 4-byte header every callprobe datagram starts with (magic u16, version u8, kind u8). */
export function writeHeader(v: DataView, kind: number, magic: number = PROBE_MAGIC, version: number = PROBE_VERSION): void {
  v.setUint16(0, magic);
  v.setUint8(2, version);
  v.setUint8(3, kind);
}

/** Writes an echo's fields at bytes 4-39, the same in the data-channel and RTP formats. */
export function writeEchoFields(v: DataView, echo: Echo): void {
  v.setUint32(4, echo.upSeq >>> 0);
  v.setFloat64(8, echo.clientSendMs);
  v.setUint32(16, echo.downSeq >>> 0);
  v.setFloat64(20, echo.reflectorRecvMs);
  v.setFloat64(28, echo.reflectorSendMs);
  v.setUint32(36, echo.upReceived >>> 0);
}

/** Reads an echo's fields at bytes 4-39 (see writeEchoFields). */
export function readEchoFields(v: DataView): Echo {
  return {
    upSeq: v.getUint32(4),
    clientSendMs: v.getFloat64(8),
    downSeq: v.getUint32(16),
    reflectorRecvMs: v.getFloat64(20),
    reflectorSendMs: v.getFloat64(28),
    upReceived: v.getUint32(36),
  };
}

function checkPayloadBytes(payloadBytes: number): void {
  if (!Number.isInteger(payloadBytes) || payloadBytes < MIN_PAYLOAD_BYTES || payloadBytes > BOUNDS.payloadBytesMax) {
    throw new ProbeDecodeError('bad-size', `payload must be ${MIN_PAYLOAD_BYTES}..${BOUNDS.payloadBytesMax} bytes, got ${payloadBytes}`);
  }
}

/**
 * Decodes with `decode`, or returns null for a datagram that is not of that kind (the caller
 * counts it); any other error is a bug and is rethrown.
 */
export function decodeOrNull<T>(decode: (bytes: Uint8Array) => T, bytes: Uint8Array): T | null {
  try {
    return decode(bytes);
  } catch (err) {
    if (err instanceof ProbeDecodeError) return null;
    throw err;
  }
}

/** Writes a probe into `out` (allocated once by the sender and reused). */
export function encodeProbe(probe: Probe, out: Uint8Array): Uint8Array {
  checkPayloadBytes(out.byteLength);
  const v = view(out);
  writeHeader(v, ProbeKind.Probe);
  v.setUint32(4, probe.seq >>> 0);
  v.setFloat64(8, probe.sendMs);
  return out;
}

export function encodeEcho(echo: Echo, out: Uint8Array): Uint8Array {
  checkPayloadBytes(out.byteLength);
  const v = view(out);
  writeHeader(v, ProbeKind.Echo);
  writeEchoFields(v, echo);
  return out;
}

/**
 * Checks the 4-byte header every callprobe datagram starts with (magic u16, version u8, kind u8)
 * and the minimum length; the data-channel probes by default, the RTP probe frames
 * (src/protocol/rtp-probe.ts) with their own magic and version. Throws ProbeDecodeError.
 */
export function checkHeader(bytes: Uint8Array, kind: number, minBytes: number, magic: number = PROBE_MAGIC, version: number = PROBE_VERSION): DataView {
  if (bytes.byteLength < minBytes) {
    throw new ProbeDecodeError('too-short', `${bytes.byteLength} bytes, need at least ${minBytes}`);
  }
  const v = view(bytes);
  const m = v.getUint16(0);
  if (m !== magic) throw new ProbeDecodeError('bad-magic', `0x${m.toString(16)}`);
  const ver = v.getUint8(2);
  if (ver !== version) throw new ProbeDecodeError('bad-version', String(ver));
  const k = v.getUint8(3);
  if (k !== kind) throw new ProbeDecodeError('unexpected-kind', `expected ${kind}, got ${k}`);
  return v;
}

export function decodeProbe(bytes: Uint8Array): Probe {
  const v = checkHeader(bytes, ProbeKind.Probe, PROBE_HEADER_BYTES);
  return { seq: v.getUint32(4), sendMs: v.getFloat64(8) };
}

export function decodeEcho(bytes: Uint8Array): Echo {
  return readEchoFields(checkHeader(bytes, ProbeKind.Echo, ECHO_HEADER_BYTES));
}

/**
 * What the reflector did with one probe datagram, reported over the reliable control
 * channel in batches, so that lost echoes cannot hide upstream counts.
 * `downSeq` is -1 when no echo could be sent.
 */
export interface ReceiptRecord {
  upSeq: number;
  reflectorRecvMs: number;
  downSeq: number;
  reflectorSendMs: number;
  /** The probe channel's bufferedAmount just before the echo was sent (SCTP queue at the reflector). */
  reflectorBufferedBytes: number;
}

/**
 * Every control message (receipt batches and JSON alike) is at least this long, so that on
 * the wire no control datagram has a probe's or an echo's size: with payloads up to 400 bytes
 * a capture, or the impairment proxy's truth, tells probes from control by size alone. Without
 * it, a batch of 6-12 receipts (or the closing rtp-stats + final bundle) is exactly as long as
 * an echo with a bundled SACK, and a dropped one, which SCTP retransmits, looked like a lost probe.
 */
export const CONTROL_MIN_BYTES = 512;

/** Receipt batch: magic u16, version u8, kind u8 (=3), count u32, 28 bytes per record, zeros up to CONTROL_MIN_BYTES. */
const RECEIPT_HEADER_BYTES = 8;
const RECEIPT_RECORD_BYTES = 28;

function receiptBatchBytes(count: number): number {
  return Math.max(CONTROL_MIN_BYTES, RECEIPT_HEADER_BYTES + count * RECEIPT_RECORD_BYTES);
}

/** A receipt batch of the data-channel probe stream (`Receipts`) or of the RTP probe stream (`RtpReceipts`, where `upSeq` is the probe number and the buffered bytes are 0). */
export function encodeReceipts(
  records: readonly ReceiptRecord[],
  kind: typeof ProbeKind.Receipts | typeof ProbeKind.RtpReceipts = ProbeKind.Receipts,
): Uint8Array {
  const out = new Uint8Array(receiptBatchBytes(records.length));
  const v = view(out);
  writeBatchHeader(v, kind);
  v.setUint32(4, records.length);
  writeRecords(v, RECEIPT_HEADER_BYTES, records);
  return out;
}

export function decodeReceipts(bytes: Uint8Array, kind: typeof ProbeKind.Receipts | typeof ProbeKind.RtpReceipts = ProbeKind.Receipts): ReceiptRecord[] {
  const v = checkHeader(bytes, kind, RECEIPT_HEADER_BYTES);
  const count = v.getUint32(4);
  if (bytes.byteLength !== receiptBatchBytes(count)) {
    throw new ProbeDecodeError('bad-size', `receipt batch of ${count} records has ${bytes.byteLength} bytes`);
  }
  return readRecords(v, RECEIPT_HEADER_BYTES, count);
}

/** Both streams' batch: magic u16, version u8, kind u8 (=5), data-channel count u32, RTP count u32, their records in that order, zeros up to CONTROL_MIN_BYTES. */
const BOTH_RECEIPTS_HEADER_BYTES = 12;

function bothReceiptsBytes(count: number): number {
  return Math.max(CONTROL_MIN_BYTES, BOTH_RECEIPTS_HEADER_BYTES + count * RECEIPT_RECORD_BYTES);
}

/**
 * One flush's receipts of both probe streams in one control message (`BothReceipts`): the same
 * records as a `Receipts` and an `RtpReceipts` batch, in one control message instead of two.
 */
export function encodeBothReceipts(dataChannel: readonly ReceiptRecord[], rtp: readonly ReceiptRecord[]): Uint8Array {
  const out = new Uint8Array(bothReceiptsBytes(dataChannel.length + rtp.length));
  const v = view(out);
  writeBatchHeader(v, ProbeKind.BothReceipts);
  v.setUint32(4, dataChannel.length);
  v.setUint32(8, rtp.length);
  writeRecords(v, writeRecords(v, BOTH_RECEIPTS_HEADER_BYTES, dataChannel), rtp);
  return out;
}

export function decodeBothReceipts(bytes: Uint8Array): { dataChannel: ReceiptRecord[]; rtp: ReceiptRecord[] } {
  const v = checkHeader(bytes, ProbeKind.BothReceipts, BOTH_RECEIPTS_HEADER_BYTES);
  const dataChannelCount = v.getUint32(4);
  const rtpCount = v.getUint32(8);
  if (bytes.byteLength !== bothReceiptsBytes(dataChannelCount + rtpCount)) {
    throw new ProbeDecodeError('bad-size', `receipt batch of ${dataChannelCount} + ${rtpCount} records has ${bytes.byteLength} bytes`);
  }
  return {
    dataChannel: readRecords(v, BOTH_RECEIPTS_HEADER_BYTES, dataChannelCount),
    rtp: readRecords(v, BOTH_RECEIPTS_HEADER_BYTES + dataChannelCount * RECEIPT_RECORD_BYTES, rtpCount),
  };
}

function writeBatchHeader(v: DataView, kind: ProbeKind): void {
  v.setUint16(0, PROBE_MAGIC);
  v.setUint8(2, PROBE_VERSION);
  v.setUint8(3, kind);
}

/** Writes `records` from byte `o`; returns the offset after them. */
function writeRecords(v: DataView, o: number, records: readonly ReceiptRecord[]): number {
  for (const r of records) {
    v.setUint32(o, r.upSeq >>> 0);
    v.setFloat64(o + 4, r.reflectorRecvMs);
    v.setInt32(o + 12, r.downSeq);
    v.setFloat64(o + 16, r.reflectorSendMs);
    v.setUint32(o + 24, Math.min(0xffffffff, Math.max(0, Math.round(r.reflectorBufferedBytes))));
    o += RECEIPT_RECORD_BYTES;
  }
  return o;
}

function readRecords(v: DataView, o: number, count: number): ReceiptRecord[] {
  const records: ReceiptRecord[] = new Array<ReceiptRecord>(count);
  for (let i = 0; i < count; i++) {
    records[i] = {
      upSeq: v.getUint32(o),
      reflectorRecvMs: v.getFloat64(o + 4),
      downSeq: v.getInt32(o + 12),
      reflectorSendMs: v.getFloat64(o + 16),
      reflectorBufferedBytes: v.getUint32(o + 24),
    };
    o += RECEIPT_RECORD_BYTES;
  }
  return records;
}

/**
 * One direction's main RTP stream (the SSRC with the most packets) as the TURN relay saw it,
 * headers only (RFC 7983 demux, RFC 3550 §5.1): sequence extended per RFC 3550 §A.1, jitter
 * per §A.8, IPDV per RFC 5481 §4.2. Padding-only packets (P bit) keep their place in the
 * sequence space but are not media: `lost = expected - (packets + paddingPackets - duplicates)`.
 */
export interface WitnessStream {
  ssrc: number | null;
  /** Media RTP packets relayed (P = 0), duplicates included. */
  packets: number;
  /** Padding-only RTP packets relayed (P = 1), duplicates included. */
  paddingPackets: number;
  /** Highest minus lowest extended sequence number, plus one. */
  expected: number;
  lost: number;
  lossPct: number | null;
  /** Arrivals of a sequence number already seen (within the witness window). */
  duplicates: number;
  /** Arrivals below the highest sequence number seen so far. */
  reordered: number;
  /** RFC 3550 §A.8 J after the last media arrival, ms (RTP clock CONSTANTS.relayWitness.clockRateHz). */
  jitterMs: number | null;
  /** Mean |IPDV| over media pairs consecutive by sequence number, ms. */
  ipdvMeanAbsMs: number | null;
  maxIpdvMs: number | null;
  /** SSRCs seen in this direction (only the main one is described above). */
  ssrcs: number;
}

/**
 * Packets by DSCP (RFC 2474 §3: the upper six bits of the IPv4 TOS byte or the IPv6 traffic
 * class), keyed by the value 0-63 in decimal, the values seen only.
 */
export type DscpCounts = Record<string, number>;

/** The relay as an independent witness of the RTP it relayed between the page and one peer endpoint. */
export interface RelayWitness {
  source: 'relay';
  /** Page -> peer (ChannelData and Send indications from the client). */
  upstream: WitnessStream;
  /** Peer -> page, or null when the relay saw no RTP that way. */
  downstream: WitnessStream | null;
  /**
   * The upstream stream's packets by the DSCP they reached the relay with (the page's QoS mark,
   * as its network left it); absent when the relay read no traffic class (Node's dgram, TCP, TLS,
   * an older server). Not kept in the report's `witness`: the report's `qos` says it.
   */
  upstreamDscp?: DscpCounts;
}

const DSCP_KEY = /^(?:[0-9]|[1-5][0-9]|6[0-3])$/;

/** Checks DSCP counts received as JSON; throws ProbeDecodeError('bad-control'). */
function parseDscpCounts(v: unknown, what: string): DscpCounts {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProbeDecodeError('bad-control', `${what} is not an object`);
  const out: DscpCounts = {};
  for (const [k, n] of Object.entries(v)) {
    if (!DSCP_KEY.test(k) || !isCount(n)) throw new ProbeDecodeError('bad-control', `${what}: each key a DSCP 0-63, each value a count`);
    out[k] = n;
  }
  return out;
}

const WITNESS_COUNTS = ['packets', 'paddingPackets', 'expected', 'lost', 'duplicates', 'reordered', 'ssrcs'] as const;
const WITNESS_NUMBERS = ['lossPct', 'jitterMs', 'ipdvMeanAbsMs', 'maxIpdvMs'] as const;

function parseWitnessStream(v: unknown, what: string): WitnessStream {
  if (typeof v !== 'object' || v === null) throw new ProbeDecodeError('bad-control', `relayWitness.${what} is not an object`);
  const m = v as Record<string, unknown>;
  const out: Record<string, number | null> = {};
  for (const k of WITNESS_COUNTS) {
    if (!isCount(m[k])) throw new ProbeDecodeError('bad-control', `relayWitness.${what}.${k} must be a count`);
    out[k] = m[k];
  }
  for (const k of WITNESS_NUMBERS) {
    const x = m[k];
    if (!(x === null || (typeof x === 'number' && Number.isFinite(x) && x >= 0))) {
      throw new ProbeDecodeError('bad-control', `relayWitness.${what}.${k} must be a non-negative number or null`);
    }
    out[k] = x;
  }
  const ssrc = m['ssrc'];
  if (!(ssrc === null || (isCount(ssrc) && ssrc <= 0xffffffff)))
    throw new ProbeDecodeError('bad-control', `relayWitness.${what}.ssrc must be a 32-bit SSRC or null`);
  return { ...(out as unknown as WitnessStream), ssrc };
}

/** Checks a relay witness received as JSON (the reflector's `final`); throws ProbeDecodeError('bad-control'). */
function parseRelayWitness(v: unknown): RelayWitness {
  if (typeof v !== 'object' || v === null) throw new ProbeDecodeError('bad-control', 'relayWitness is not an object');
  const m = v as Record<string, unknown>;
  if (m['source'] !== 'relay') throw new ProbeDecodeError('bad-control', 'relayWitness.source must be "relay"');
  return {
    source: 'relay',
    upstream: parseWitnessStream(m['upstream'], 'upstream'),
    downstream: m['downstream'] === null || m['downstream'] === undefined ? null : parseWitnessStream(m['downstream'], 'downstream'),
    ...(m['upstreamDscp'] === undefined ? {} : { upstreamDscp: parseDscpCounts(m['upstreamDscp'], 'relayWitness.upstreamDscp') }),
  };
}

/**
 * The server's event-loop lateness over one session (server/reflector/loop-lateness.ts): for each
 * bin of `binMs` of the server's clock in which its timer fired, `[startMs, lateMs]`: the worst
 * late stretch of the bin began at `startMs` (the server's clock, that of the reflector's receive
 * stamps) and lasted `lateMs` (0: the loop was on time). Bins in time order, at most
 * CONSTANTS.serverLoop.bins.
 */
export interface ServerLoopReading {
  binMs: number;
  bins: Array<[number, number]>;
}

/** Checks a server-loop reading received as JSON (the reflector's `final`); throws ProbeDecodeError('bad-control'). */
function parseServerLoop(v: unknown): ServerLoopReading {
  if (typeof v !== 'object' || v === null) throw new ProbeDecodeError('bad-control', 'serverLoop is not an object');
  const m = v as Record<string, unknown>;
  const binMs = m['binMs'];
  if (!(typeof binMs === 'number' && Number.isFinite(binMs) && binMs > 0))
    throw new ProbeDecodeError('bad-control', 'serverLoop.binMs must be a positive number');
  const bins = m['bins'];
  if (!Array.isArray(bins) || bins.length > CONSTANTS.serverLoop.bins) {
    throw new ProbeDecodeError('bad-control', `serverLoop.bins must be a list of at most ${CONSTANTS.serverLoop.bins} bins`);
  }
  const out: Array<[number, number]> = [];
  for (const b of bins as unknown[]) {
    if (!Array.isArray(b) || b.length !== 2) throw new ProbeDecodeError('bad-control', 'serverLoop.bins: each bin is [startMs, lateMs]');
    const [startMs, lateMs] = b as unknown[];
    if (!(typeof startMs === 'number' && Number.isFinite(startMs) && typeof lateMs === 'number' && Number.isFinite(lateMs) && lateMs >= 0)) {
      throw new ProbeDecodeError('bad-control', 'serverLoop.bins: startMs must be a number and lateMs a non-negative number');
    }
    out.push([startMs, lateMs]);
  }
  return { binMs, bins: out };
}

/** Control messages on the reliable, ordered channel (JSON text). */
export type ControlMessage =
  /** client -> reflector: the probe stream is over and the loss timeout has passed; send the rest. */
  | { type: 'stop' }
  /**
   * reflector -> client: every receipt has been sent before this message. `echoDscp`: the DSCP
   * the relay put on each datagram of the RTP leg to the page (absent: none, it could not).
   */
  | {
      type: 'final';
      upReceived: number;
      upDuplicates: number;
      downSent: number;
      relayWitness?: RelayWitness;
      serverLoop?: ServerLoopReading;
      echoDscp?: number;
    }
  /** reflector -> client: every RTP receipt (ProbeKind.RtpReceipts) has been sent before this message. */
  | {
      type: 'rtp-final';
      upReceived: number;
      upDuplicates: number;
      downSent: number;
      /** Every RTP payload the probe leg handed the reflector before this: the probes and the audio frames around them (absent from older servers). */
      upFrames?: number;
    }
  /** reflector -> client, before `final`: its WebRTC stack's view of our audio track (upstream). */
  | { type: 'rtp-stats'; inboundJitterMs: number | null; packetsReceived: number | null; packetsLost: number | null }
  /** reflector -> client: the probe channel as the reflector sees it. */
  | { type: 'channel'; ordered: boolean; maxRetransmits: number | null; label: string }
  /** reflector -> client: the RTP leg received the page's first RTP after its DTLS handshake: it carries the page's stream. */
  | { type: 'rtp-live' }
  /**
   * reflector -> client: the RTP leg ended with none of the page's RTP after its DTLS handshake
   * (CONSTANTS.rtp.mediaAfterDtlsMs), or could not take it (`reason` in the reflector's words): the
   * page offers it again on the same signalling socket while it has attempts left
   * (CONSTANTS.rtp.legAttempts), else falls back to the data channel.
   */
  | { type: 'rtp-retry'; reason: string }
  /**
   * reflector -> client, after the page's `stop` of a video session (src/protocol/api.ts
   * SignalKind): what arrived of the page's video (every RTP packet of its one SSRC: header,
   * payload and padding bytes; `upExpected` by sequence number, so `upExpected - upPackets` were
   * lost), its bytes per `binMs` from the first packet on, and what the reflector sent.
   */
  | VideoTally;

/** The video session's tally (ControlMessage `video-tally`). */
export interface VideoTally {
  type: 'video-tally';
  binMs: number;
  upPackets: number;
  upExpected: number;
  upBytes: number;
  /** Bytes that arrived in each bin of binMs, from the first packet's arrival on (at most CONSTANTS.video.maxBins). */
  upBins: number[];
  /** Packets that arrived in each bin, and those sent by sequence number (the highest number's progress): each bin's loss. */
  upBinPackets: number[];
  upBinExpected: number[];
  /** Bytes the reflector sent the page in each bin from its stream's start (its schedule, held steps included). */
  downBins: number[];
  downPackets: number;
  downBytes: number;
}

/** A control message as sent: JSON padded with trailing spaces (which JSON.parse ignores) to CONTROL_MIN_BYTES. */
export function encodeControlMessage(msg: ControlMessage): string {
  return JSON.stringify(msg).padEnd(CONTROL_MIN_BYTES, ' ');
}

/** A DSCP 0-63 received as JSON; throws ProbeDecodeError('bad-control'). */
function parseDscp(v: unknown): number {
  if (!isCount(v) || v > 63) throw new ProbeDecodeError('bad-control', 'final.echoDscp must be a DSCP 0-63');
  return v;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function parseVideoTally(m: Record<string, unknown>): VideoTally {
  const counts = ['upPackets', 'upExpected', 'upBytes', 'downPackets', 'downBytes'] as const;
  for (const k of counts) if (!isCount(m[k])) throw new ProbeDecodeError('bad-control', `video-tally ${k} must be a count`);
  const binMs = m['binMs'];
  if (!(typeof binMs === 'number' && Number.isFinite(binMs) && binMs > 0))
    throw new ProbeDecodeError('bad-control', 'video-tally binMs must be a positive number');
  const list = (k: 'upBins' | 'upBinPackets' | 'upBinExpected' | 'downBins'): number[] => {
    const v = m[k];
    if (!Array.isArray(v) || v.length > CONSTANTS.video.maxBins || !v.every(isCount)) {
      throw new ProbeDecodeError('bad-control', `video-tally ${k} must be a list of at most ${CONSTANTS.video.maxBins} counts`);
    }
    return v;
  };
  const n = (k: (typeof counts)[number]): number => m[k] as number;
  return {
    type: 'video-tally',
    binMs,
    upPackets: n('upPackets'),
    upExpected: n('upExpected'),
    upBytes: n('upBytes'),
    upBins: list('upBins'),
    upBinPackets: list('upBinPackets'),
    upBinExpected: list('upBinExpected'),
    downBins: list('downBins'),
    downPackets: n('downPackets'),
    downBytes: n('downBytes'),
  };
}

export function parseControlMessage(text: string): ControlMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProbeDecodeError('bad-control', `control message is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null) {
    throw new ProbeDecodeError('bad-control', 'control message is not an object');
  }
  const m = value as Record<string, unknown>;
  switch (m['type']) {
    case 'stop':
      return { type: 'stop' };
    case 'final':
    case 'rtp-final':
      if (isCount(m['upReceived']) && isCount(m['upDuplicates']) && isCount(m['downSent'])) {
        if (m['type'] === 'rtp-final') {
          const frames = m['upFrames'];
          if (frames !== undefined && !isCount(frames)) throw new ProbeDecodeError('bad-control', 'rtp-final upFrames must be a count');
          return {
            type: 'rtp-final',
            upReceived: m['upReceived'],
            upDuplicates: m['upDuplicates'],
            downSent: m['downSent'],
            ...(frames === undefined ? {} : { upFrames: frames }),
          };
        }
        const tally = { type: 'final', upReceived: m['upReceived'], upDuplicates: m['upDuplicates'], downSent: m['downSent'] } as const;
        return {
          ...tally,
          ...(m['relayWitness'] === undefined ? {} : { relayWitness: parseRelayWitness(m['relayWitness']) }),
          ...(m['serverLoop'] === undefined ? {} : { serverLoop: parseServerLoop(m['serverLoop']) }),
          ...(m['echoDscp'] === undefined ? {} : { echoDscp: parseDscp(m['echoDscp']) }),
        };
      }
      throw new ProbeDecodeError('bad-control', `${m['type']} message needs upReceived, upDuplicates, downSent counts`);
    case 'channel': {
      const mr = m['maxRetransmits'];
      if (typeof m['ordered'] === 'boolean' && typeof m['label'] === 'string' && (mr === null || isCount(mr))) {
        return { type: 'channel', ordered: m['ordered'], maxRetransmits: mr, label: m['label'] };
      }
      throw new ProbeDecodeError('bad-control', 'channel message needs ordered, maxRetransmits, label');
    }
    case 'rtp-stats': {
      const nullableNumber = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v));
      const j = m['inboundJitterMs'];
      const r = m['packetsReceived'];
      const l = m['packetsLost'];
      if (nullableNumber(j) && nullableNumber(r) && nullableNumber(l)) return { type: 'rtp-stats', inboundJitterMs: j, packetsReceived: r, packetsLost: l };
      throw new ProbeDecodeError('bad-control', 'rtp-stats message needs inboundJitterMs, packetsReceived, packetsLost (numbers or null)');
    }
    case 'rtp-live':
      return { type: 'rtp-live' };
    case 'video-tally':
      return parseVideoTally(m);
    case 'rtp-retry':
      if (typeof m['reason'] === 'string') return { type: 'rtp-retry', reason: m['reason'] };
      throw new ProbeDecodeError('bad-control', 'rtp-retry message needs a reason');
    default:
      throw new ProbeDecodeError('bad-control', `unknown control message type ${JSON.stringify(m['type'])}`);
  }
}
