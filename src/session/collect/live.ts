import { jitterStep } from '../../protocol/rfc3550.js';
import { percentile } from '../../analysis/measure/percentile.js';
import { hasFail, provisionalFrom, type ProvisionalEvidence, type ProvisionalSetting } from '../../analysis/grade/provisional.js';
import { FIRST_ANSWER_S, provisionalView, saysGood, type ProvisionalContext, type ProvisionalView } from '../../analysis/present/provisional.js';
import type { ProvisionalFacts } from '../../analysis/schema/provisional-facts.js';
import { PROVISIONAL_MAX_ANSWERS } from '../../analysis/schema/provisional-limits.js';
import type { SentLog } from './sent-log.js';

/** The chart's figures over the recent past (not graded): updated packet by packet. */
export interface ChartFigures {
  /** Seconds since the first probe. */
  elapsedS: number;
  /** Median round trip over the last two seconds, null before the first echo. */
  rttMs: number | null;
  /** RFC 3550 running jitter estimate of the receiving direction. */
  jitterMs: number | null;
  sent: number;
  received: number;
}

/** What the page shows while a test runs: the chart's figures and the latest provisional answer. */
export interface LiveFigures extends ChartFigures {
  /** The latest provisional answer shown, in English; null before the first (3 s after the probes started, or a settled fail). */
  provisional: ProvisionalView | null;
  /** What that answer was worded from, so the page can word it in its own language (provisionalView); null with `provisional`. */
  provisionalFrom: { facts: ProvisionalFacts; context: ProvisionalContext } | null;
  /** How the probes are sent, in technical words (the expert layer). */
  method: string;
  /**
   * The graded probes are sent from the page's main thread (the data channel): any long piece of
   * the page's own work there (drawing the chart) delays them, so the page keeps it for the end.
   */
  mainThreadSender: boolean;
}

/** Running figures for the chart, in O(1) per packet (the full analysis runs at the end). */
export class LiveMeter {
  private recentRtt: { atMs: number; rttMs: number }[] = [];
  private jitterMs: number | null = null;
  private lastTransitMs: number | null = null;

  constructor(private readonly sent: SentLog) {}

  figures(nowMs: number, startMs: number, received: number): ChartFigures {
    return {
      elapsedS: (nowMs - startMs) / 1000,
      rttMs: this.rttMedian(nowMs),
      jitterMs: this.jitterMs,
      sent: this.sent.sentCount,
      received,
    };
  }

  /** One round-trip sample at local time `atMs`. */
  addRtt(atMs: number, rttMs: number): void {
    this.recentRtt.push({ atMs, rttMs });
  }

  /** RFC 3550 §6.4.1 running estimate over transit times in arrival order (jitterStep; the first arrival has J = 0). */
  addTransit(transitMs: number): void {
    this.jitterMs = this.lastTransitMs === null ? 0 : jitterStep(this.jitterMs ?? 0, transitMs - this.lastTransitMs);
    this.lastTransitMs = transitMs;
  }

  /** Median (nearest rank) round trip over the last `windowMs` before `nowMs`. */
  rttMedian(nowMs: number, windowMs = 2000): number | null {
    this.recentRtt = this.recentRtt.filter((s) => s.atMs >= nowMs - windowMs);
    if (this.recentRtt.length === 0) return null;
    return percentile(
      this.recentRtt.map((s) => s.rttMs),
      50,
    );
  }
}

/** How a running test is read for its provisional answers. */
export interface ProvisionalPlan {
  setting: Omit<ProvisionalSetting, 'failedBefore'>;
  /** The relay path connected through. */
  path: ProvisionalContext['path'];
}

/** The provisional answers are read every half second, aligned on the start of the probes. */
const PROVISIONAL_TICK_MS = 500;
/** Timers may fire a little before their time on performance.now()'s clock (Chromium: up to about 1 ms): such a tick still counts. */
const TICK_EARLY_MS = 5;
/**
 * The first answer, 3 s after the probes started (what the page promises: FIRST_ANSWER_S), not
 * after the click: connecting takes from a fraction of a second to several, and an answer timed
 * from the click would come with nothing measured after a slow connection. Then every second
 * to 8 s (a likely claim needs 5 whole seconds judged: it comes at 6-7 s, and is shown when it
 * does), then every 2 s.
 */
const FIRST_ANSWER_MS = FIRST_ANSWER_S * 1000;
const EVERY_SECOND_UNTIL_MS = 8000;
const THEN_EVERY_MS = 2000;
/** Answers on the schedule kept in the report; a settled fail is always shown and kept, up to PROVISIONAL_MAX_ANSWERS in all. */
const SCHEDULED_KEPT = 12;

/** The next scheduled answer after one at `atMs`. */
function nextScheduled(atMs: number): number {
  return atMs < EVERY_SECOND_UNTIL_MS ? atMs + 1000 : atMs + THEN_EVERY_MS;
}

const claimKey = (c: ProvisionalFacts['claims'][number]): string => `${c.metric} ${c.direction}`;

/**
 * Decides, tick by tick, when a provisional answer is shown (3 s after the probes started, then
 * every 1-2 s, and at once when a fail settles), and keeps what was shown for the report. The
 * first settled fail shown stays the headline to the end. Pure but for the clock it is given.
 */
export class ProvisionalTracker {
  private readonly shown: ProvisionalFacts[] = [];
  private scheduledKept = 0;
  private due = FIRST_ANSWER_MS;
  private failed = false;
  private readonly settled = new Set<string>();
  private latestView: ProvisionalView | null = null;
  private latestFrom: LiveFigures['provisionalFrom'] = null;
  private pinned: ProvisionalContext['pinned'] = null;
  /** When the last answer shown said "Good so far" (ms of the test); null before one did. */
  private goodAtMs: number | null = null;

  /** `streamStartMs`: when the probes started, on this side's clock (performance.now()); answers are timed from it. */
  constructor(
    private readonly plan: ProvisionalPlan,
    readonly streamStartMs: number,
  ) {}

  /** The tick at or before `nowMs` (this side's clock; a few ms early counts), in ms from the start of the probes. */
  tickAt(nowMs: number): number {
    return Math.floor((nowMs - this.streamStartMs + TICK_EARLY_MS) / PROVISIONAL_TICK_MS) * PROVISIONAL_TICK_MS;
  }

  /** This side's clock time of the tick after `nowMs`. */
  nextTickMs(nowMs: number): number {
    return this.streamStartMs + this.tickAt(nowMs) + PROVISIONAL_TICK_MS;
  }

  /**
   * Reads the evidence as of one tick; returns true when a new answer is shown (a scheduled one
   * is due, or a fail has just settled).
   */
  tick(evidence: ProvisionalEvidence): boolean {
    const { facts, directions } = provisionalFrom(evidence, { ...this.plan.setting, failedBefore: this.failed });
    if (hasFail(facts)) this.failed = true;
    const fresh = facts.claims.filter((c) => c.kind === 'settled-fail' && !this.settled.has(claimKey(c)));
    for (const c of fresh) this.settled.add(claimKey(c));
    const scheduled = facts.atMs >= this.due;
    if (scheduled) while (this.due <= facts.atMs) this.due = nextScheduled(this.due);
    if (!scheduled && fresh.length === 0) return false;
    const keep = fresh.length > 0 ? this.shown.length < PROVISIONAL_MAX_ANSWERS : this.scheduledKept < SCHEDULED_KEPT;
    if (keep) {
      this.shown.push(facts);
      if (fresh.length === 0) this.scheduledKept++;
    }
    // A headline that gets worse than "Good so far" says so, with its reason (provisionalView).
    const good = this.pinned === null && saysGood(facts.claims);
    if (good) this.goodAtMs = facts.atMs;
    const context: ProvisionalContext = {
      path: this.plan.path,
      quiet: directions.filter((d) => d.quiet).map((d) => d.name),
      pinned: this.pinned,
      goodUntilS: good || this.goodAtMs === null ? null : this.goodAtMs / 1000,
    };
    const view = provisionalView(facts, context);
    // The first settled fail's answer: its headline stays for the rest of the test.
    if (this.pinned === null && facts.claims.some((c) => c.kind === 'settled-fail')) this.pinned = facts;
    this.latestView = view;
    this.latestFrom = { facts, context };
    return true;
  }

  /** What the latest answer was worded from, null before the first. */
  get from(): LiveFigures['provisionalFrom'] {
    return this.latestFrom;
  }

  /** The latest answer shown, null before the first. */
  get view(): ProvisionalView | null {
    return this.latestView;
  }

  /** Every answer shown, oldest first, for the report. */
  history(): ProvisionalFacts[] {
    return this.shown.slice();
  }
}
