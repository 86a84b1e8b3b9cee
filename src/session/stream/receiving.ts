/**
 * The receiving side of the probe stream: echoes and receipts into the collectors (the
 * reflector's, or the in-page loop's), the RTP stream's batches, and the control messages
 * `final`, `rtp-final` and `rtp-stats` (on the signalling socket). It keeps the evidence and
 * builds the records from it.
 */
import { decodeBothReceipts, parseControlMessage, ProbeKind, type ControlMessage, type RelayWitness, type ServerLoopReading } from '../../protocol/wire.js';
import type { SuspectInterval } from '../../analysis/measure/records.js';
import { percentile } from '../../analysis/measure/percentile.js';
import { ReflectorCollector } from '../collect/reflector-collector.js';
import { LoopCollector } from '../collect/loop-collector.js';
import { noStreamViews, serverLoopSamples } from '../collect/outside-views.js';
import type { SentLog } from '../collect/sent-log.js';
import type { RtpCollector } from '../collect/rtp-collector.js';
import type { RtpStreamPart, StreamRecords, StreamSetup } from './types.js';

/**
 * More than two probes waiting in a sender's channel buffer means the sender's own SCTP
 * congestion control is queueing them: those stretches are suspect (see sender-queue.ts).
 */
const QUEUED_PROBES_SUSPECT = 2;

export class Receiving {
  readonly reflector: ReflectorCollector | null;
  readonly loop: LoopCollector | null;
  readonly collector: ReflectorCollector | LoopCollector;
  /** The RTP stream (reflector mode only). */
  readonly rtp: RtpStreamPart | null;
  /** The chart follows the graded stream. */
  readonly shown: ReflectorCollector | LoopCollector | RtpCollector;
  /** Resolve when the reflector's `final` and `rtp-final` arrive. */
  readonly final: Promise<void>;
  readonly rtpFinal: Promise<void>;
  /** What the relay saw of our RTP, from the reflector's `final`. */
  relayWitness: RelayWitness | null = null;
  private reflectorFrames: number | null = null;
  /** The DSCP the relay marked the RTP leg's datagrams to the page with, from the reflector's `final` (null: none). */
  echoDscp: number | null = null;
  /** The server's event-loop lateness over the session (server clock), from the reflector's `final`. */
  private serverLoop: ServerLoopReading | null = null;
  readonly rtpErrors: string[] = [];
  private resolveFinal: () => void = () => undefined;
  private resolveRtpFinal: () => void = () => undefined;
  // Set from the control messages' handler.
  private readonly reflectorRtp: { last: Extract<ControlMessage, { type: 'rtp-stats' }> | null } = { last: null };
  private readonly queueThreshold: number;

  constructor(
    private readonly s: StreamSetup,
    private readonly sent: SentLog,
  ) {
    this.reflector = s.mode === 'reflector' ? new ReflectorCollector(sent) : null;
    this.loop = s.mode === 'loopback' ? new LoopCollector(sent) : null;
    const collector = this.reflector ?? this.loop;
    if (!collector) throw new Error(`unknown mode ${s.mode}`);
    this.collector = collector;
    this.final = new Promise<void>((resolve) => {
      this.resolveFinal = resolve;
    });
    this.rtp = this.reflector ? (s.rtp ?? null) : null;
    this.rtpFinal = new Promise<void>((resolve) => {
      this.resolveRtpFinal = resolve;
    });
    this.shown = this.rtp ? this.rtp.collector : collector;
    this.queueThreshold = QUEUED_PROBES_SUSPECT * s.payloadBytes;
    const rtp = this.rtp;
    rtp?.link.setSink({
      sent: (probes) => rtp.collector.onSent(probes),
      echoes: (echoes) => {
        rtp.collector.onEchoes(echoes);
        s.mark('firstEcho');
      },
      error: (message) => this.rtpErrors.push(message),
    });
  }

  /** Listens for echoes, receipts and the control messages; what it could not read goes to `notes`. */
  listen(notes: string[]): void {
    const { s, reflector, loop, rtp } = this;
    if (reflector) {
      s.receiver?.peer.on('data', (chunk: Uint8Array) => {
        reflector.onEcho(chunk, performance.now());
        s.mark('firstEcho');
      });
      s.control?.onMessage((data) => {
        try {
          if (typeof data === 'string') this.onControl(parseControlMessage(data), notes);
          else {
            const recvMs = performance.now();
            // Byte 3 is the kind (wire.ts): RTP receipts go to the RTP stream's evidence.
            if (data[3] === ProbeKind.BothReceipts) this.onBothReceipts(decodeBothReceipts(data), recvMs, notes);
            else if (rtp && data[3] === ProbeKind.RtpReceipts) rtp.collector.onReceipts(data, recvMs);
            else reflector.onReceipts(data, recvMs);
          }
        } catch (err) {
          notes.push(`control messages: ${(err as Error).message}`);
        }
      });
    } else if (loop) {
      s.receiver?.peer.on('data', (chunk: Uint8Array) => {
        loop.onProbe(chunk, performance.now());
        s.mark('firstEcho');
      });
    }
  }

  /** One flush's receipts of both streams: each to its stream's evidence (RTP records with no RTP stream here are noted, not read). */
  private onBothReceipts(batch: ReturnType<typeof decodeBothReceipts>, recvMs: number, notes: string[]): void {
    this.reflector?.onReceiptRecords(batch.dataChannel, recvMs);
    if (this.rtp) this.rtp.collector.onReceiptRecords(batch.rtp, recvMs);
    else if (batch.rtp.length > 0) notes.push(`control messages: ${batch.rtp.length} RTP receipts for a test without an RTP stream`);
  }

  private onControl(msg: ControlMessage, notes: string[]): void {
    if (msg.type === 'final') {
      this.reflector?.onFinal(msg);
      this.relayWitness = msg.relayWitness ?? null;
      this.echoDscp = msg.echoDscp ?? null;
      this.serverLoop = msg.serverLoop ?? null;
      this.resolveFinal();
    } else if (msg.type === 'rtp-final') {
      this.rtp?.collector.onFinal(msg);
      this.reflectorFrames = msg.upFrames ?? null;
      this.resolveRtpFinal();
    } else if (msg.type === 'rtp-stats') {
      this.reflectorRtp.last = msg;
    } else if (msg.type === 'channel' && (msg.ordered || msg.maxRetransmits !== 0)) {
      notes.push(`the reflector saw the probe channel as ordered=${msg.ordered} maxRetransmits=${msg.maxRetransmits}`);
    }
  }

  /** No RTP stream: no `rtp-final` is awaited. */
  rtpFinalArrived(): void {
    this.resolveRtpFinal();
  }

  /** The reflector's inbound-rtp jitter of our audio track (upstream), when it reported one. */
  get reflectorInboundJitterMs(): number | null {
    return this.reflectorRtp.last?.inboundJitterMs ?? null;
  }

  /** The RTP packets of the probe stream our reflector received (the probes and the audio frames around them), from its `rtp-final`; null when it did not say. */
  get reflectorPacketsReceived(): number | null {
    return this.reflectorFrames;
  }

  /** When the reflector was last heard from (an echo or a receipt, of either stream), on this side's clock; NaN before. */
  get lastHeardAtMs(): number {
    const heard = [this.reflector?.lastHeardAtMs ?? Number.NaN, this.rtp?.collector.lastHeardAtMs ?? Number.NaN].filter((t) => !Number.isNaN(t));
    return heard.length > 0 ? Math.max(...heard) : Number.NaN;
  }

  /** The round trips so far, of both streams. */
  rttValues(): number[] {
    return [...this.collector.rttValues(), ...(this.rtp?.collector.rttValues() ?? [])];
  }

  /** The last `count` round trips of each stream: the path as the probes still on their way find it (a busy line's phase is over by then). */
  recentRttValues(count: number): number[] {
    return [...this.collector.rttValues().slice(-count), ...(this.rtp?.collector.rttValues().slice(-count) ?? [])];
  }

  /** The records of the graded stream as they stand; `cut`: the connection was lost (see the collectors' build). */
  recordsNow(suspect: SuspectInterval[], cut: boolean): StreamRecords {
    const { reflector, rtp, s } = this;
    if (reflector) {
      // Graded on RTP when there is an RTP stream; either way its up arrivals place the server's loop readings.
      const graded = rtp ? rtp.collector.build(suspect, cut) : reflector.build(suspect, s.intervalMs, this.queueThreshold, cut);
      const serverLoopDelayMs = serverLoopSamples(this.serverLoop, graded.up.arrivals);
      return { ...graded, views: { ...graded.views, serverLoopDelayMs }, loop: null };
    }
    const b = (this.loop as LoopCollector).build(suspect, s.intervalMs, this.queueThreshold);
    // The in-page loop has no reflector and no echo frame: only getStats' views apply (plan/input.ts).
    return { up: null, down: null, ...b, views: noStreamViews() };
  }

  /**
   * Where this device fell behind (its warnings), suspect like a hidden page: never graded as the
   * network. The same intervals, as known so far, bound what a provisional answer may claim.
   */
  deviceSuspect(): SuspectInterval[] {
    const rtts = this.rttValues();
    const leadMs = rtts.length > 0 ? percentile(rtts, 50) : 0;
    return [...this.sent.stallIntervals(this.s.intervalMs, leadMs)];
  }

  /** The final records, `given` the session's suspect intervals; `tallyMissing`: no `final`; `rtpFinalCame`: the `rtp-final` arrived. */
  build(given: SuspectInterval[], tallyMissing: boolean, rtpFinalCame: boolean): StreamRecords {
    const suspect = [...given, ...this.deviceSuspect()];
    // Graded on RTP, its tally is the `rtp-final` too.
    return this.recordsNow(suspect, tallyMissing || (this.rtp !== null && !rtpFinalCame));
  }
}
