/**
 * One RTP stream (one SSRC, one direction) as the relay sees it: counts by RTP sequence number
 * extended per RFC 3550 §A.1 (src/protocol/rfc3550.ts, the only copy), interarrival jitter per
 * §A.8 over media arrivals, and IPDV (RFC 5481 §4.2) over media pairs consecutive by sequence.
 * Pure: arrival times are arguments (ms on a monotonic clock). Memory is fixed: a ring of the
 * last `windowPackets` sequence numbers with their arrival time and RTP timestamp, which is
 * both the duplicate window and the IPDV pairing table.
 */
import { extendSeq, jitterStep } from '../../../src/protocol/rfc3550.js';
import type { DscpCounts, WitnessStream } from '../../../src/protocol/wire.js';

/** RTP timestamp difference b - a in ticks, as a signed 32-bit value (the field wraps, RFC 3550 §5.1). */
function tsDelta(a: number, b: number): number {
  return (b - a) | 0;
}

export class RtpStreamWitness {
  private media = 0;
  private padding = 0;
  private unique = 0;
  private dup = 0;
  private reorder = 0;
  private highest: number | null = null;
  private lowest = 0;
  /** Ring by extended sequence number mod window: which number the slot holds (NaN: none). */
  private readonly ringSeq: Float64Array;
  private readonly ringArrivalMs: Float64Array;
  private readonly ringTs: Uint32Array;
  /** 1: media (P = 0), 0: padding. */
  private readonly ringMedia: Uint8Array;
  private jitter = 0;
  private lastMediaArrivalMs = Number.NaN;
  private lastMediaTs = 0;
  private mediaArrivals = 0;
  private ipdvSumMs = 0;
  private ipdvPairs = 0;
  private ipdvMaxMs = 0;
  /** Packets by the DSCP they arrived with (RFC 2474 §3: the traffic class's upper six bits), made at the first one read. */
  private dscp: Uint32Array | null = null;
  private readonly msPerTick: number;

  constructor(
    readonly ssrc: number,
    private readonly windowPackets: number,
    clockRateHz: number,
  ) {
    this.ringSeq = new Float64Array(windowPackets).fill(Number.NaN);
    this.ringArrivalMs = new Float64Array(windowPackets);
    this.ringTs = new Uint32Array(windowPackets);
    this.ringMedia = new Uint8Array(windowPackets);
    this.msPerTick = 1000 / clockRateHz;
  }

  /** Packets seen (media and padding, duplicates included). */
  get packets(): number {
    return this.media + this.padding;
  }

  /** One relayed RTP packet: its wire sequence number, RTP timestamp, P bit, arrival time and traffic class (-1: not read). */
  observe(seq: number, timestamp: number, padding: boolean, arrivalMs: number, tos = -1): void {
    if (tos >= 0) {
      const counts = (this.dscp ??= new Uint32Array(64));
      const dscp = (tos >> 2) & 63;
      counts[dscp] = (counts[dscp] ?? 0) + 1;
    }
    const ext = extendSeq(seq, this.highest, 16);
    if (padding) this.padding++;
    else this.media++;
    const w = this.windowPackets;
    const slot = ((ext % w) + w) % w;
    if (this.ringSeq[slot] === ext) {
      this.dup++;
      return;
    }
    // Older than the window: it cannot be checked for duplication; counted as a late unique arrival.
    this.unique++;
    if (this.highest === null) {
      this.highest = ext;
      this.lowest = ext;
    } else if (ext > this.highest) this.highest = ext;
    else {
      this.reorder++;
      if (ext < this.lowest) this.lowest = ext;
    }
    const recorded = this.highest - ext < w;
    if (recorded) {
      this.ringSeq[slot] = ext;
      this.ringArrivalMs[slot] = arrivalMs;
      this.ringTs[slot] = timestamp;
      this.ringMedia[slot] = padding ? 0 : 1;
    }
    if (padding) return;
    // RFC 3550 §A.8: D between consecutive media arrivals (arrival order), RTP clock in ms.
    if (this.mediaArrivals > 0) {
      const dMs = arrivalMs - this.lastMediaArrivalMs - tsDelta(this.lastMediaTs, timestamp) * this.msPerTick;
      this.jitter = jitterStep(this.jitter, dMs);
    }
    this.mediaArrivals++;
    this.lastMediaArrivalMs = arrivalMs;
    this.lastMediaTs = timestamp;
    // RFC 5481 §4.2: pair with seq - 1 and seq + 1 when they are media and still in the window.
    if (recorded) {
      this.pair(ext - 1, slot);
      this.pair(ext + 1, slot);
    }
  }

  /** |IPDV| between the packet in `slot` and sequence number `other`, when that one is a media packet in the window. */
  private pair(other: number, slot: number): void {
    const w = this.windowPackets;
    const os = ((other % w) + w) % w;
    if (this.ringSeq[os] !== other || this.ringMedia[os] !== 1) return;
    const ipdvMs = (this.ringArrivalMs[slot] ?? 0) - (this.ringArrivalMs[os] ?? 0) - tsDelta(this.ringTs[os] ?? 0, this.ringTs[slot] ?? 0) * this.msPerTick;
    const abs = Math.abs(ipdvMs);
    this.ipdvSumMs += abs;
    this.ipdvPairs++;
    if (abs > this.ipdvMaxMs) this.ipdvMaxMs = abs;
  }

  /** Its packets (duplicates and padding included) by the DSCP they arrived with, the values seen only; null when no traffic class was read. */
  dscpCounts(): DscpCounts | null {
    if (this.dscp === null) return null;
    const out: DscpCounts = {};
    this.dscp.forEach((n, dscp) => {
      if (n > 0) out[String(dscp)] = n;
    });
    return out;
  }

  /** What was seen so far; `ssrcs` is the number of streams seen in this stream's direction. */
  summary(ssrcs: number): WitnessStream {
    const expected = this.highest === null ? 0 : this.highest - this.lowest + 1;
    const lost = Math.max(0, expected - this.unique);
    return {
      ssrc: this.ssrc,
      packets: this.media,
      paddingPackets: this.padding,
      expected,
      lost,
      lossPct: expected > 0 ? (100 * lost) / expected : null,
      duplicates: this.dup,
      reordered: this.reorder,
      jitterMs: this.mediaArrivals > 0 ? this.jitter : null,
      ipdvMeanAbsMs: this.ipdvPairs > 0 ? this.ipdvSumMs / this.ipdvPairs : null,
      maxIpdvMs: this.ipdvPairs > 0 ? this.ipdvMaxMs : null,
      ssrcs,
    };
  }
}
