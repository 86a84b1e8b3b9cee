/**
 * The probe stream's progress: what the status line says, the live figures every half second of
 * the test, and the provisional answers read from the records so far (collect/live.ts).
 */
import { CONSTANTS } from '../../protocol/defaults.js';
import type { ProvisionalEvidence } from '../../analysis/grade/provisional.js';
import type { ProvisionalFacts } from '../../analysis/schema/provisional-facts.js';
import { ProvisionalTracker, type LiveFigures } from '../collect/live.js';
import { lossTimeoutMs } from '../plan/rates.js';
import type { Receiving } from './receiving.js';
import type { StreamSetup } from './types.js';

export class Progress {
  private tracker: ProvisionalTracker | null = null;
  private readonly method: string;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private streamStartMs = Number.NaN;
  /** Provisional answers speak of the idle line only: none is read once a busy-line phase may have loaded it. */
  private idleEndMs = Infinity;

  /** `onTick`: called on every tick, with its time, after the figures went out. */
  constructor(
    private readonly s: StreamSetup,
    private readonly rx: Receiving,
    private readonly onTick: (nowMs: number) => void,
  ) {
    const seconds = Math.round((s.count * s.intervalMs) / 1000);
    const dcRate = Math.round(1000 / s.intervalMs);
    const rtp = rx.rtp;
    // Plain words on the status line; the technical line sits in the live panel's expert layer.
    this.method = rtp
      ? `${Math.round(1000 / rtp.collector.intervalMs)} RTP probes/s (audio frames of ${CONSTANTS.rtp.frameBytes} bytes) for ${seconds} s`
      : `${dcRate} probes/s of ${s.payloadBytes} bytes on an unordered, no-retransmit data channel for ${seconds} s`;
    s.phase('streaming', `sending packets like a call's audio through the relay and back for ${seconds} s`);
  }

  /** Ticks from the stream's start until stopped; the provisional answers are timed from it. */
  start(streamStartMs: number): void {
    this.streamStartMs = streamStartMs;
    this.tracker = this.s.provisional ? new ProvisionalTracker(this.s.provisional, streamStartMs) : null;
    if (this.s.busy) this.idleEndMs = streamStartMs + this.s.busy.afterMs;
    const first = this.tracker ? this.tracker.nextTickMs(streamStartMs) : streamStartMs + 500;
    this.timer = setTimeout(() => this.tick(), Math.max(0, first - performance.now()));
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** Stops ticking and shows the figures as they end. */
  last(): void {
    clearTimeout(this.timer);
    this.s.live(this.liveNow(performance.now()));
  }

  /** The provisional answers shown, oldest first. */
  history(): ProvisionalFacts[] {
    return this.tracker?.history() ?? [];
  }

  private tick(): void {
    const { s, tracker } = this;
    const nowMs = performance.now();
    if (tracker && nowMs < this.idleEndMs) tracker.tick(this.evidenceAt(tracker, tracker.tickAt(nowMs)));
    s.live(this.liveNow(nowMs));
    this.onTick(nowMs);
    // Ticks keep to the half seconds of the test (provisional answers are read as of those moments).
    const next = tracker ? tracker.nextTickMs(performance.now()) : performance.now() + 500;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - performance.now()));
  }

  private liveNow(nowMs: number): LiveFigures {
    return {
      ...this.rx.shown.liveFigures(nowMs, this.streamStartMs),
      provisional: this.tracker?.view ?? null,
      provisionalFrom: this.tracker?.from ?? null,
      method: this.method,
      mainThreadSender: this.rx.rtp === null,
    };
  }

  private evidenceAt(tracker: ProvisionalTracker, atMs: number): ProvisionalEvidence {
    const { rx } = this;
    const r = rx.recordsNow([...(this.s.suspectSoFar?.() ?? []), ...rx.deviceSuspect()], false);
    // Windows are placed from the start of the probes (the report's `provisional` times, like outcome.atMs).
    const startMs = tracker.streamStartMs;
    // As of the tick, never ahead of now: a timer a few ms early must not judge probes whose echo may still come.
    const clientNow = Math.min(performance.now(), startMs + atMs);
    const ahead = rx.shown.clockOffsetMs();
    const rtts = rx.rttValues();
    return {
      atMs,
      views: r.views,
      lossTimeoutMs: lossTimeoutMs(rtts),
      directions: [
        ...(r.up ? [{ name: 'up' as const, records: r.up, senderNowMs: clientNow, testStartMs: startMs }] : []),
        ...(r.down ? [{ name: 'down' as const, records: r.down, senderNowMs: clientNow + ahead, testStartMs: startMs + ahead }] : []),
        ...(r.loop ? [{ name: 'loop' as const, records: r.loop, senderNowMs: clientNow, testStartMs: startMs }] : []),
      ],
      roundTrip: { samples: r.roundTrip.samples },
    };
  }
}
