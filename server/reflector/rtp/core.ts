import { CONSTANTS } from '../../../src/protocol/defaults.js';
import {
  RTP_ECHO_HEADER_BYTES,
  RTP_FRAME_BYTES_MAX,
  RTP_RECENT_RECORD_BYTES,
  decodeRtpProbe,
  encodeRtpEcho,
  type RtpRecentRecord,
} from '../../../src/protocol/rtp-probe.js';
import { ProbeDecodeError, ProbeKind, encodeReceipts, type ControlMessage, type ReceiptRecord } from '../../../src/protocol/wire.js';

export interface RtpReflectorCoreOptions {
  /** Earlier probes' records carried in each echo (CONSTANTS.rtp.recentRecords). */
  recentRecords: number;
  /** Echo frames are at least this long (CONSTANTS.rtp.frameBytes). */
  frameBytes: number;
}

/** What became of one decrypted RTP payload. */
export type RtpFrameOutcome =
  | { kind: 'echo'; payload: Uint8Array; downSeq: number }
  /** Not a probe frame (ProbeDecodeError's reason): counted, not echoed. */
  | { kind: 'not-probe'; reason: ProbeDecodeError['reason'] }
  /** A probe after `rtp-final` was sent: counted, not echoed (the page has its tally already). */
  | { kind: 'after-final' };

/**
 * What the RTP leg and its session need of a probe core, whichever runs it: RtpReflectorCore
 * (JavaScript, below) or NativeRtpCore (the addon, ./native-core.ts).
 */
export interface RtpCore {
  readonly received: number;
  readonly notProbeCount: number;
  readonly afterFinalCount: number;
  onFrame(payload: Uint8Array, recvMs: number, sendNowMs: () => number): RtpFrameOutcome;
  echoFailed(downSeq: number): boolean;
  flush(): Uint8Array | null;
  takeReceipts(): ReceiptRecord[];
  final(): ControlMessage;
}

/**
 * Sans-IO RTP reflector: takes the decrypted payload of each RTP packet of the
 * page's audio track (RFC 3550 §5.1, after SRTP, RFC 3711 §3.3) with its arrival time and
 * returns the echo frame to send back in the reflector's own RTP stream. No sockets, no
 * clock of its own: times are given.
 *
 * Every probe frame is echoed at once with the reflector's own downstream number (so
 * downstream loss is measured apart from upstream loss), the records of the last
 * `recentRecords` probes before it (a lost echo loses no upstream evidence), and the probe's
 * own Opus frame (the page's decoder gets a valid frame). Every probe (duplicates included)
 * becomes a receipt, flushed in `ProbeKind.RtpReceipts` batches in the control messages.
 */
export class RtpReflectorCore implements RtpCore {
  private downSeq = 0;
  private upReceived = 0;
  private upDuplicates = 0;
  private notProbes = 0;
  private afterFinal = 0;
  private finished = false;
  /** The last echo's send time: no echo is stamped before it (as the addon's core). */
  private lastSendMs = Number.NEGATIVE_INFINITY;
  private readonly seen = new Set<number>();
  private pending: ReceiptRecord[] = [];
  /**
   * The last `recentRecords` probes: a ring of records made once and overwritten in place
   * (`recentNext` is the slot the next probe takes), so an echo allocates no records. An echo
   * lists them newest first in `recentOut`, a list also made once: encodeRtpEcho reads both at
   * once and keeps neither.
   */
  private readonly recent: RtpRecentRecord[];
  private recentCount = 0;
  private recentNext = 0;
  private readonly recentOut: RtpRecentRecord[] = [];

  constructor(private readonly opts: RtpReflectorCoreOptions = { recentRecords: CONSTANTS.rtp.recentRecords, frameBytes: CONSTANTS.rtp.frameBytes }) {
    this.recent = Array.from({ length: Math.max(0, opts.recentRecords) }, () => ({ probeSeq: 0, reflectorRecvMs: 0 }));
  }

  /** Probes received before `final()` (duplicates included). */
  get received(): number {
    return this.upReceived;
  }

  /** Payloads that were not probe frames (padding-free non-probe audio, garbage). */
  get notProbeCount(): number {
    return this.notProbes;
  }

  /** Probes that arrived after `final()`. */
  get afterFinalCount(): number {
    return this.afterFinal;
  }

  /**
   * One RTP payload arrived at `recvMs`. `sendNowMs` is read just before the echo is
   * encoded, so the reflector's hold time is honest; echoes go in the order they are numbered,
   * so none is stamped before the one numbered before it.
   */
  onFrame(payload: Uint8Array, recvMs: number, sendNowMs: () => number): RtpFrameOutcome {
    let probe;
    try {
      probe = decodeRtpProbe(payload);
    } catch (err) {
      if (!(err instanceof ProbeDecodeError)) throw err;
      this.notProbes++;
      return { kind: 'not-probe', reason: err.reason };
    }
    if (this.finished) {
      this.afterFinal++;
      return { kind: 'after-final' };
    }
    this.upReceived++;
    if (this.seen.has(probe.probeSeq)) this.upDuplicates++;
    else this.seen.add(probe.probeSeq);
    const downSeq = this.downSeq++;
    // The Opus frame goes back whole; recent records fill what room the frame-size bound leaves.
    const room = Math.floor((RTP_FRAME_BYTES_MAX - RTP_ECHO_HEADER_BYTES - 2 - probe.opus.byteLength) / RTP_RECENT_RECORD_BYTES);
    const opus = room >= 0 ? probe.opus : new Uint8Array(0);
    const recent = this.newestRecent(Math.max(0, Math.min(room, this.recentCount)));
    const reflectorSendMs = Math.max(sendNowMs(), this.lastSendMs);
    this.lastSendMs = reflectorSendMs;
    const out = encodeRtpEcho(
      { upSeq: probe.probeSeq, clientSendMs: probe.sendMs, downSeq, reflectorRecvMs: recvMs, reflectorSendMs, upReceived: this.upReceived, recent, opus },
      this.opts.frameBytes,
    );
    this.pending.push({ upSeq: probe.probeSeq, reflectorRecvMs: recvMs, downSeq, reflectorSendMs, reflectorBufferedBytes: 0 });
    this.remember(probe.probeSeq, recvMs);
    return { kind: 'echo', payload: out, downSeq };
  }

  /** The newest `n` recent records, newest first, in the reused `recentOut`. */
  private newestRecent(n: number): RtpRecentRecord[] {
    const size = this.recent.length;
    this.recentOut.length = n;
    for (let i = 0; i < n; i++) this.recentOut[i] = this.recent[(this.recentNext - 1 - i + size) % size] as RtpRecentRecord;
    return this.recentOut;
  }

  /** The probe becomes the newest recent record, in the slot of the oldest. */
  private remember(probeSeq: number, reflectorRecvMs: number): void {
    const slot = this.recent[this.recentNext];
    if (slot === undefined) return; // recentRecords is 0: echoes carry none
    slot.probeSeq = probeSeq;
    slot.reflectorRecvMs = reflectorRecvMs;
    this.recentNext = (this.recentNext + 1) % this.recent.length;
    this.recentCount = Math.min(this.recentCount + 1, this.recent.length);
  }

  /** The echo numbered `downSeq` could not be sent: its receipt says so (downSeq -1), if not flushed yet. Returns whether it was found. */
  echoFailed(downSeq: number): boolean {
    const r = this.pending.find((p) => p.downSeq === downSeq);
    if (r) r.downSeq = -1;
    return r !== undefined;
  }

  /** RTP receipts gathered since the last flush, encoded, or null when there are none. */
  flush(): Uint8Array | null {
    const records = this.takeReceipts();
    return records.length === 0 ? null : encodeReceipts(records, ProbeKind.RtpReceipts);
  }

  /** Receipt records gathered since the last flush or take, handed over (the caller encodes them). */
  takeReceipts(): ReceiptRecord[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** Totals, sent after the last flush; later probes are no longer echoed. */
  final(): ControlMessage {
    this.finished = true;
    return {
      type: 'rtp-final',
      upReceived: this.upReceived,
      upDuplicates: this.upDuplicates,
      downSent: this.downSeq,
      upFrames: this.upReceived + this.notProbes,
    };
  }
}
