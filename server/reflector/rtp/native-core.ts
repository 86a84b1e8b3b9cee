/**
 * The RTP probe core in the SRTP addon (./native/echo.c): the same probe core as RtpReflectorCore
 * (./core.ts: one echo per probe with the reflector's own numbering, the recent records, the
 * probe's Opus frame; a receipt per probe; duplicates, non-probes and probes after the final
 * counted), and on the short path (./short-path.ts) the page's whole SRTP packet in one call: its
 * SRTP opened, its header and padding read, the probe read, the echo written, given the
 * reflector's RTP header and sealed in the other direction. Its state lives in the addon, so the
 * short path and werift's path (`onFrame`, a payload werift decrypted) share one numbering.
 *
 * Why: the probe's own work in JavaScript (two calls into the SRTP addon, a DataView read and
 * write, a receipt object and a recent list per probe) cost the plane's main thread more than the
 * cryptography; here it is one call. RtpReflectorCore stays as what this is checked against
 * (test/server/reflector/rtp/native-core.test.ts) and for a benchmark's side-by-side run
 * (CALLPROBE_RTP_CORE=js).
 */
import { performance } from 'node:perf_hooks';
import type { ProbeDecodeReason } from '../../../src/protocol/wire.js';
import { ProbeKind, encodeReceipts, type ControlMessage, type ReceiptRecord } from '../../../src/protocol/wire.js';
import type { RtpCore, RtpFrameOutcome, RtpReflectorCoreOptions } from './core.js';
import { refused, SrtpError, type SrtpDirection } from './srtp.js';
import { nativeSrtp, refusalOfCode, type EchoHandle, type RtpRefusal, type SrtpAddon } from './srtp-crypto.js';

/** The addon's outcomes (echo.c OUTCOME_*). */
const Outcome = { Refused: 0, Padding: 1, NotProbe: 2, AfterFinal: 3, Echo: 4 } as const;
/** The addon's non-probe reasons, by code. */
const NOT_PROBE: Record<number, ProbeDecodeReason> = { 1: 'too-short', 2: 'bad-magic', 3: 'bad-version', 4: 'unexpected-kind', 5: 'bad-size' };
/** echo.c REFUSED_PADDING: more padding than payload. */
const REFUSED_PADDING = -5;

/** What became of one SRTP packet of the page's stream on the short path. */
export type RtpPacketOutcome =
  /** Its SRTP (or its padding) refused it. */
  | { kind: 'refused'; err: SrtpError }
  /** A padding-only packet: no payload. */
  | { kind: 'padding' }
  | { kind: 'not-probe'; reason: ProbeDecodeReason }
  | { kind: 'after-final' }
  /**
   * Echoed as `downSeq`: `packet` is the reflector's SRTP packet (when asked to seal it), or the
   * echo's frame alone (`sealed` false: the leg sends it through werift); null when the echo could
   * not be sealed (`err`).
   */
  | { kind: 'echo'; downSeq: number; packet: Buffer | null; sealed: boolean; err?: SrtpError };

/** What werift's receiver statistics read of the page's packet (StreamStatistics.add), for every outcome but `refused`. */
export interface RtpPacketFields {
  seq: number;
  timestamp: number;
  headerBytes: number;
  payloadBytes: number;
}

const RECEIPTS_AT_ONCE = 256;

export class NativeRtpCore implements RtpCore {
  private readonly addon: SrtpAddon = nativeSrtp();
  private readonly handle: EchoHandle;
  private readonly info = new Float64Array(10);
  private readonly counts = new Float64Array(5);
  private readonly receipts = new Float64Array(4 * RECEIPTS_AT_ONCE);
  private attached = false;

  constructor(opts: RtpReflectorCoreOptions) {
    this.handle = this.addon.echoCore(opts.recentRecords, opts.frameBytes, performance.now());
  }

  /** The core's totals: [upReceived, upDuplicates, downSent, notProbes, afterFinal]. */
  private readCounts(): Float64Array {
    this.addon.echoCounts(this.handle, this.counts);
    return this.counts;
  }

  get received(): number {
    return this.readCounts()[0] as number;
  }

  get notProbeCount(): number {
    return this.readCounts()[3] as number;
  }

  get afterFinalCount(): number {
    return this.readCounts()[4] as number;
  }

  /** Whether the short path's SRTP is attached (`attach`). */
  get isAttached(): boolean {
    return this.attached;
  }

  /**
   * The leg's SRTP (the page's direction and ours, in the native making) and the reflector's SSRC
   * and payload type, for `packet`. False when a direction is not the addon's (the `js` making):
   * then the short path is not made.
   */
  attach(from: SrtpDirection, out: SrtpDirection, ssrc: number, payloadType: number): boolean {
    const a = from.nativeRtp;
    const b = out.nativeRtp;
    if (a === null || b === null || this.attached) return false;
    this.addon.echoAttach(this.handle, a, b, ssrc, payloadType);
    this.attached = true;
    return true;
  }

  /**
   * The page's SRTP packet `data`, arrived at `recvMs`: its outcome, and its fields in `fields`
   * (every outcome but `refused`). An echo is sealed as the reflector's packet numbered `seq` at
   * `timestamp` when `seal`; its send time is read by the addon just before it is written (this
   * process's performance.now() clock), or is `sendMs` when given (tests).
   */
  packet(data: Uint8Array, recvMs: number, seq: number, timestamp: number, seal: boolean, fields: RtpPacketFields, sendMs = Number.NaN): RtpPacketOutcome {
    const info = this.info;
    const out = this.addon.echoPacket(this.handle, data, recvMs, sendMs, seq, timestamp, seal, info);
    const kind = info[0] as number;
    if (kind === Outcome.Refused) {
      const code = info[6] as number;
      if (code === REFUSED_PADDING)
        return { kind: 'refused', err: new SrtpError('short-packet', `an RTP packet of ${data.length} bytes with more padding than payload`) };
      return { kind: 'refused', err: refused(this.refusal(code), 'SRTP', data.length) };
    }
    fields.seq = info[1] as number;
    fields.timestamp = info[2] as number;
    fields.headerBytes = info[3] as number;
    fields.payloadBytes = info[4] as number;
    if (kind === Outcome.Padding) return { kind: 'padding' };
    if (kind !== Outcome.Echo) return this.notEchoed(kind);
    const downSeq = info[5] as number;
    const code = info[6] as number;
    if (out === null) return { kind: 'echo', downSeq, packet: null, sealed: seal, err: refused(this.refusal(code), 'RTP', 0) };
    return { kind: 'echo', downSeq, packet: out, sealed: seal };
  }

  private refusal(code: number): RtpRefusal {
    const reason = refusalOfCode(code);
    if (reason === undefined) throw new Error(`the SRTP addon answered ${code}, which this version does not know: run npm run build again`);
    return reason;
  }

  private notEchoed(kind: number): Extract<RtpFrameOutcome, { kind: 'not-probe' | 'after-final' }> {
    if (kind === Outcome.AfterFinal) return { kind: 'after-final' };
    const reason = NOT_PROBE[this.info[6] as number];
    if (kind !== Outcome.NotProbe || reason === undefined) throw new Error(`the SRTP addon answered outcome ${kind}, which this version does not know`);
    return { kind: 'not-probe', reason };
  }

  /** A payload werift decrypted (its RTP path): as RtpReflectorCore.onFrame, the send time read just before the call (the probe's decoding, a few microseconds, falls after it). */
  onFrame(payload: Uint8Array, recvMs: number, sendNowMs: () => number): RtpFrameOutcome {
    const out = this.addon.echoFrame(this.handle, payload, recvMs, sendNowMs(), this.info);
    const kind = this.info[0] as number;
    if (kind !== Outcome.Echo || out === null) return this.notEchoed(kind);
    return { kind: 'echo', payload: out, downSeq: this.info[5] as number };
  }

  echoFailed(downSeq: number): boolean {
    return this.addon.echoFailed(this.handle, downSeq);
  }

  flush(): Uint8Array | null {
    const records = this.takeReceipts();
    return records.length === 0 ? null : encodeReceipts(records, ProbeKind.RtpReceipts);
  }

  takeReceipts(): ReceiptRecord[] {
    const out: ReceiptRecord[] = [];
    const r = this.receipts;
    for (let n = this.addon.echoTake(this.handle, r); n > 0; n = this.addon.echoTake(this.handle, r)) {
      for (let i = 0; i < n; i++) {
        out.push({
          upSeq: r[4 * i] as number,
          reflectorRecvMs: r[4 * i + 1] as number,
          downSeq: r[4 * i + 2] as number,
          reflectorSendMs: r[4 * i + 3] as number,
          reflectorBufferedBytes: 0,
        });
      }
    }
    return out;
  }

  final(): ControlMessage {
    this.addon.echoFinal(this.handle);
    const c = this.readCounts();
    return { type: 'rtp-final', upReceived: c[0] as number, upDuplicates: c[1] as number, downSent: c[2] as number };
  }
}
