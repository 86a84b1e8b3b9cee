/**
 * callprobe RTP probe frames: what the page's sender transform writes into each
 * Opus frame of its audio track, and what the RTP reflector writes into each frame of its own
 * audio track back. Both travel as the payload of SRTP packets (RFC 3711 §3.1), so the
 * network sees ordinary voice packets; only the two ends read them.
 *
 * A probe frame: magic u16 ("CR"), version u8, kind u8 (=1), probeSeq u32, sendMs f64,
 * opusBytes u16, the original Opus frame, zeros up to `frameBytes`. Carrying the original
 * Opus frame lets the receiving end hand a valid frame to its decoder (NetEq and getStats
 * stay sane). Loss is counted by `probeSeq`, never by RTP sequence number: Chromium inserts
 * padding-only RTP packets (P bit, RFC 3550 §5.1) into the audio sequence space under loss.
 *
 * An echo frame (reflector -> page): the probe's seq and send time, the reflector's own echo
 * numbering, its receive and send times, the count of probe frames it has received, then the
 * (probeSeq, reflectorRecvMs) of up to RTP_RECENT_MAX probes before this one (so a lost echo
 * loses no upstream evidence), then the Opus frame it echoes, zeros up to `frameBytes`.
 *
 * All numbers big-endian; times are milliseconds as float64 on the sender's clock (the page's
 * main-thread clock for probes: the worker converts; the reflector's clock for its times).
 * Pure: neither DOM nor Node.
 */

import { CONSTANTS } from './defaults.js';
import { ProbeDecodeError, checkHeader as checkProbeHeader, readEchoFields, view, writeEchoFields, writeHeader, type Echo } from './wire.js';

const RTP_PROBE_MAGIC = 0x4352; // "CR"
const RTP_PROBE_VERSION = 1;
const RtpProbeKind = { Probe: 1, Echo: 2 } as const;

/** Probe header: magic u16, version u8, kind u8, probeSeq u32, sendMs f64, opusBytes u16. */
export const RTP_PROBE_HEADER_BYTES = 18;
/** Echo header: magic, version, kind, upSeq u32, clientSendMs f64, downSeq u32, reflectorRecvMs f64, reflectorSendMs f64, upReceived u32, recentCount u8. */
export const RTP_ECHO_HEADER_BYTES = 41;
/** One recent record in an echo: probeSeq u32, reflectorRecvMs f64. */
export const RTP_RECENT_RECORD_BYTES = 12;
/** At most this many recent records per echo (and so at most this many lost echoes in a row lose no upstream evidence). */
const RTP_RECENT_MAX = 8;
/** A frame is never larger than this: one SRTP packet stays under the 1280-byte IPv6 minimum MTU (RFC 8200 §5) with its headers. */
export const RTP_FRAME_BYTES_MAX = 1000;

export interface RtpProbe {
  probeSeq: number;
  /** When the frame passed the sender transform (page main-thread clock, ms). */
  sendMs: number;
  /** The original Opus frame (RFC 6716) the transform replaced. */
  opus: Uint8Array;
}

/** What the reflector knew of one earlier probe when it sent an echo. */
export interface RtpRecentRecord {
  probeSeq: number;
  reflectorRecvMs: number;
}

/**
 * An echo frame: the fields every echo carries (`upReceived` counts probe frames, duplicates
 * included: SRTP replay protection drops network duplicates before they count), then the recent
 * records and the Opus frame.
 */
export interface RtpEcho extends Echo {
  /** Up to RTP_RECENT_MAX earlier probes, newest first (the encoder reads them at once and keeps none). */
  recent: RtpRecentRecord[];
  /** The Opus frame echoed (the probe's own), for the page's decoder. */
  opus: Uint8Array;
}

/** The size of a probe frame carrying `opusBytes` of Opus: `frameBytes`, or more when the Opus frame needs it. */
function rtpProbeFrameBytes(opusBytes: number, frameBytes: number = CONSTANTS.rtp.frameBytes): number {
  return Math.max(frameBytes, RTP_PROBE_HEADER_BYTES + opusBytes);
}

/** The size of an echo frame with `recent` records and `opusBytes` of Opus. */
function rtpEchoFrameBytes(recent: number, opusBytes: number, frameBytes: number = CONSTANTS.rtp.frameBytes): number {
  return Math.max(frameBytes, RTP_ECHO_HEADER_BYTES + recent * RTP_RECENT_RECORD_BYTES + 2 + opusBytes);
}

function checkFrameSize(bytes: number): void {
  if (bytes > RTP_FRAME_BYTES_MAX) throw new ProbeDecodeError('bad-size', `an RTP probe frame of ${bytes} bytes exceeds ${RTP_FRAME_BYTES_MAX}`);
}

/** Writes a probe frame (`frameBytes` long, or longer for a large Opus frame). Throws ProbeDecodeError('bad-size') past RTP_FRAME_BYTES_MAX. */
export function encodeRtpProbe(probe: RtpProbe, frameBytes: number = CONSTANTS.rtp.frameBytes): Uint8Array {
  const size = rtpProbeFrameBytes(probe.opus.byteLength, frameBytes);
  checkFrameSize(size);
  const out = new Uint8Array(size);
  const v = view(out);
  writeHeader(v, RtpProbeKind.Probe, RTP_PROBE_MAGIC, RTP_PROBE_VERSION);
  v.setUint32(4, probe.probeSeq >>> 0);
  v.setFloat64(8, probe.sendMs);
  v.setUint16(16, probe.opus.byteLength);
  out.set(probe.opus, RTP_PROBE_HEADER_BYTES);
  return out;
}

function checkHeader(bytes: Uint8Array, kind: number, minBytes: number): DataView {
  return checkProbeHeader(bytes, kind, minBytes, RTP_PROBE_MAGIC, RTP_PROBE_VERSION);
}

/** Reads a probe frame; the Opus frame is a view into `bytes`. Throws ProbeDecodeError. */
export function decodeRtpProbe(bytes: Uint8Array): RtpProbe {
  const v = checkHeader(bytes, RtpProbeKind.Probe, RTP_PROBE_HEADER_BYTES);
  const opusBytes = v.getUint16(16);
  if (RTP_PROBE_HEADER_BYTES + opusBytes > bytes.byteLength) {
    throw new ProbeDecodeError('bad-size', `probe frame of ${bytes.byteLength} bytes claims ${opusBytes} bytes of Opus`);
  }
  return {
    probeSeq: v.getUint32(4),
    sendMs: v.getFloat64(8),
    opus: bytes.subarray(RTP_PROBE_HEADER_BYTES, RTP_PROBE_HEADER_BYTES + opusBytes),
  };
}

/** Writes an echo frame. At most RTP_RECENT_MAX recent records are written (the first ones given). */
export function encodeRtpEcho(echo: RtpEcho, frameBytes: number = CONSTANTS.rtp.frameBytes): Uint8Array {
  const count = Math.min(echo.recent.length, RTP_RECENT_MAX);
  const size = rtpEchoFrameBytes(count, echo.opus.byteLength, frameBytes);
  checkFrameSize(size);
  const out = new Uint8Array(size);
  const v = view(out);
  writeHeader(v, RtpProbeKind.Echo, RTP_PROBE_MAGIC, RTP_PROBE_VERSION);
  writeEchoFields(v, echo);
  v.setUint8(40, count);
  let o = RTP_ECHO_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const r = echo.recent[i] as RtpRecentRecord;
    v.setUint32(o, r.probeSeq >>> 0);
    v.setFloat64(o + 4, r.reflectorRecvMs);
    o += RTP_RECENT_RECORD_BYTES;
  }
  v.setUint16(o, echo.opus.byteLength);
  out.set(echo.opus, o + 2);
  return out;
}

/** Reads an echo frame; the Opus frame is a view into `bytes`. Throws ProbeDecodeError. */
export function decodeRtpEcho(bytes: Uint8Array): RtpEcho {
  const v = checkHeader(bytes, RtpProbeKind.Echo, RTP_ECHO_HEADER_BYTES + 2);
  const count = v.getUint8(40);
  if (count > RTP_RECENT_MAX) throw new ProbeDecodeError('bad-size', `echo frame claims ${count} recent records, at most ${RTP_RECENT_MAX}`);
  const opusAt = RTP_ECHO_HEADER_BYTES + count * RTP_RECENT_RECORD_BYTES;
  if (opusAt + 2 > bytes.byteLength) throw new ProbeDecodeError('too-short', `echo frame of ${bytes.byteLength} bytes cannot hold ${count} recent records`);
  const opusBytes = v.getUint16(opusAt);
  if (opusAt + 2 + opusBytes > bytes.byteLength) {
    throw new ProbeDecodeError('bad-size', `echo frame of ${bytes.byteLength} bytes claims ${opusBytes} bytes of Opus`);
  }
  const recent: RtpRecentRecord[] = [];
  for (let i = 0, o = RTP_ECHO_HEADER_BYTES; i < count; i++, o += RTP_RECENT_RECORD_BYTES) {
    recent.push({ probeSeq: v.getUint32(o), reflectorRecvMs: v.getFloat64(o + 4) });
  }
  return {
    ...readEchoFields(v),
    recent,
    opus: bytes.subarray(opusAt + 2, opusAt + 2 + opusBytes),
  };
}
