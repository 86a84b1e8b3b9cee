/**
 * The reflector's stream to the page in the video phase: the rates of CONSTANTS.video.downStepsKbps,
 * one step per stepMs, the last held, and the bytes owed by each moment. When the page's receiver
 * reports loss (its RTCP receiver reports, RFC 3550 §6.4.2), the climb stops: the stream holds the
 * step below the one that lost, so a slow line is filled for a second or two, not for the rest of
 * the phase. Pure: the caller says the time.
 */
import { scheduledKbps } from '../../../src/analysis/grade/video.js';

/** At most this many bytes owed and not sent carry over between ticks: a late tick does not burst to catch up. */
const MAX_CARRY_PACKETS = 8;

export class DownSchedule {
  private heldKbps: number | null = null;
  private owed = 0;
  private lastMs: number;

  constructor(
    private readonly stepsKbps: readonly number[],
    private readonly stepMs: number,
    private readonly startMs: number,
    private readonly packetBytes: number,
  ) {
    this.lastMs = startMs;
  }

  /** The rate now, kbit/s: the schedule's, or the step it holds. */
  rateKbps(nowMs: number): number {
    const scheduled = scheduledKbps(this.stepsKbps, this.stepMs, nowMs - this.startMs);
    return this.heldKbps === null ? scheduled : Math.min(scheduled, this.heldKbps);
  }

  /** The page lost packets at the rate sent now: hold the step below it for the rest of the phase (once). */
  hold(nowMs: number): void {
    if (this.heldKbps !== null) return;
    const now = this.rateKbps(nowMs);
    this.heldKbps = [...this.stepsKbps].reverse().find((s) => s < now) ?? this.stepsKbps[0] ?? 0;
  }

  get held(): number | null {
    return this.heldKbps;
  }

  /** Whole packets to send now, given `sentBytes` sent so far. */
  packetsDue(nowMs: number, sentBytes: number): number {
    if (nowMs > this.lastMs) this.owed += (this.rateKbps(this.lastMs) * (nowMs - this.lastMs)) / 8;
    this.lastMs = Math.max(this.lastMs, nowMs);
    this.owed = Math.min(this.owed, sentBytes + MAX_CARRY_PACKETS * this.packetBytes);
    return Math.max(0, Math.floor((this.owed - sentBytes) / this.packetBytes));
  }
}
