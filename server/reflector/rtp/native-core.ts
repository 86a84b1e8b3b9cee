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
 * cryptography; here it is one call. RtpReflectorCore stays as the portable data path's core
 * (`serve --data-path portable`, ../../data-path.ts) and as what this is checked against
 * (test/server/reflector/rtp/native-core.test.ts).
 */
import type { ProbeDecodeReason } from '../../../src/protocol/wire.js';
import { ProbeKind, encodeReceipts, type ControlMessage, type ReceiptRecord } from '../../../src/protocol/wire.js';
import type { RtpCore, RtpFrameOutcome, RtpReflectorCoreOptions } from './core.js';
import { refused, SrtpError, type SrtpDirection } from './srtp.js';
import { nativeSrtp, refusalOfCode, type EchoHandle, type RtpRefusal, type SrtpAddon } from './srtp-crypto.js';
import type { FastPeer } from '../../turn/transport/native-udp.js';
import { monotonicOriginMs } from '../../turn/transport/monotonic-origin.js';

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
   * not be sealed (`err`). `seq` and `timestamp`: the RTP number it took (the one `packet` was
   * given, or the core's own once it numbers: `numbering`); for an echo not sealed, -1.
   */
  | { kind: 'echo'; downSeq: number; packet: Buffer | null; sealed: boolean; seq: number; timestamp: number; err?: SrtpError };

/** What werift's receiver statistics read of the page's packet (StreamStatistics.add), for every outcome but `refused`. */
export interface RtpPacketFields {
  seq: number;
  timestamp: number;
  headerBytes: number;
  payloadBytes: number;
}

const RECEIPTS_AT_ONCE = 256;

/** Numbers a record of what the fast path took holds (echo.c TAKEN_SLOTS), and records taken at once. */
const TAKEN_SLOTS = 12;
const TAKEN_AT_ONCE = 128;

/**
 * What the relay's fast path took of the page's stream (./native/echo.c `echo_answer`), as the
 * short path would have seen it: never refused (the fast path leaves those to JavaScript).
 * `out-of-memory`: the addon could not grow its state, and the packet is lost to the test.
 */
type FastTakenKind = 'padding' | 'not-probe' | 'after-final' | 'echo' | 'out-of-memory';

/** One packet the fast path took (reused between calls: copy what is kept). */
export interface FastTaken {
  kind: FastTakenKind;
  recvMs: number;
  /** The page's packet, as werift's receiver statistics read it. */
  fields: RtpPacketFields;
  /** With `not-probe`: why. */
  notProbe: ProbeDecodeReason | null;
  /** With `echo`: its number in the reflector's stream. */
  downSeq: number;
  /** With `echo`: the sealed echo's bytes, its RTP sequence number and timestamp, and when it was stamped (ms, performance.now()); `sealFailed` when our SRTP would not seal it (then nothing was sent). */
  echoBytes: number;
  echoSeq: number;
  echoTimestamp: number;
  sendMs: number;
  sealFailed: RtpRefusal | null;
}

const FAST_KIND: Record<number, FastTakenKind> = {
  [-1]: 'out-of-memory',
  [Outcome.Padding]: 'padding',
  [Outcome.NotProbe]: 'not-probe',
  [Outcome.AfterFinal]: 'after-final',
  [Outcome.Echo]: 'echo',
};

export class NativeRtpCore implements RtpCore {
  private readonly addon: SrtpAddon = nativeSrtp();
  private readonly handle: EchoHandle;
  private readonly info = new Float64Array(12);
  private readonly counts = new Float64Array(5);
  private readonly receipts = new Float64Array(4 * RECEIPTS_AT_ONCE);
  private attached = false;
  private numbered = false;
  private readonly numbersOut = new Float64Array(2);
  private readonly takenOut = new Float64Array(TAKEN_SLOTS * TAKEN_AT_ONCE);
  private readonly taken: FastTaken = {
    kind: 'padding',
    recvMs: 0,
    fields: { seq: 0, timestamp: 0, headerBytes: 0, payloadBytes: 0 },
    notProbe: null,
    downSeq: 0,
    echoBytes: 0,
    echoSeq: 0,
    echoTimestamp: 0,
    sendMs: 0,
    sealFailed: null,
  };

  constructor(opts: RtpReflectorCoreOptions) {
    this.handle = this.addon.echoCore(opts.recentRecords, opts.frameBytes, monotonicOriginMs);
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
   * `timestamp` when `seal` (the core's own next number once it numbers: `numbering`); its send
   * time is read by the addon just before it is written (this process's performance.now()
   * clock), or is `sendMs` when given (tests).
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
    if (out === null) return { kind: 'echo', downSeq, packet: null, sealed: seal, seq: -1, timestamp: -1, err: refused(this.refusal(code), 'RTP', 0) };
    return { kind: 'echo', downSeq, packet: out, sealed: seal, seq: info[9] as number, timestamp: info[10] as number };
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

  /** This core as the relay's fast peer (its C function and its state), once `attach`ed. */
  fastPeer(): FastPeer {
    if (!this.attached) throw new Error('fastPeer: the core has no SRTP attached');
    return { functions: this.addon.echoFastPeer(), state: this.handle };
  }

  /**
   * From now on the core numbers every echo itself (the relay's fast path may take packets only
   * then), from `seq` at `timestamp`, each `timestampStep` after the last.
   */
  numbering(seq: number, timestamp: number, timestampStep: number): void {
    this.addon.echoNumbering(this.handle, seq, timestamp, timestampStep);
    this.numbered = true;
  }

  /** Whether the core numbers the echoes (`numbering`). */
  get numbers(): boolean {
    return this.numbered;
  }

  /** Once the core numbers: the RTP number of an echo sent another way (werift's sender); the core numbers on past it. */
  nextNumber(): { seq: number; timestamp: number } {
    this.addon.echoNextNumber(this.handle, this.numbersOut);
    return { seq: this.numbersOut[0] as number, timestamp: this.numbersOut[1] as number };
  }

  /** Hands `each` every packet the fast path took since the last call, oldest first; returns how many. */
  drainTaken(each: (t: Readonly<FastTaken>) => void): number {
    const o = this.takenOut;
    const t = this.taken;
    let total = 0;
    for (let n = this.addon.echoTakenRecords(this.handle, o); n > 0; n = this.addon.echoTakenRecords(this.handle, o)) {
      for (let i = 0; i < n; i++) {
        const b = i * TAKEN_SLOTS;
        const code = o[b + 1] as number;
        const kind = FAST_KIND[code];
        if (kind === undefined)
          throw new Error(`the SRTP addon's fast path answered outcome ${code}, which this version does not know: run npm run build again`);
        t.kind = kind;
        t.recvMs = o[b] as number;
        t.fields.seq = o[b + 2] as number;
        t.fields.timestamp = o[b + 3] as number;
        t.fields.headerBytes = o[b + 4] as number;
        t.fields.payloadBytes = o[b + 5] as number;
        t.downSeq = o[b + 6] as number;
        const reason = o[b + 7] as number;
        t.notProbe = kind === 'not-probe' ? (NOT_PROBE[reason] ?? null) : null;
        t.echoBytes = o[b + 8] as number;
        t.echoSeq = o[b + 9] as number;
        t.echoTimestamp = o[b + 10] as number;
        t.sendMs = o[b + 11] as number;
        t.sealFailed = kind === 'echo' && t.echoBytes === 0 ? this.refusal(reason) : null;
        each(t);
      }
      total += n;
    }
    return total;
  }

  final(): ControlMessage {
    this.addon.echoFinal(this.handle);
    const c = this.readCounts();
    return {
      type: 'rtp-final',
      upReceived: c[0] as number,
      upDuplicates: c[1] as number,
      downSent: c[2] as number,
      upFrames: (c[0] as number) + (c[3] as number),
    };
  }
}
