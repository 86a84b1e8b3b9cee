/**
 * Sender self-diagnostics and honesty warnings: what in the test itself (not the network)
 * could explain loss, delay or jitter, so the sender is never blamed on the network.
 * Warnings are data (a code and the figures behind it); their messages are built in
 * src/analysis/present/sentences.ts.
 */
import { percentile } from '../measure/percentile.js';
import type { SenderDiagnostics, SuspectInterval } from '../measure/records.js';
import type { GradedPath, ReportMeta } from '../schema/input.js';
import type { Diagnostics, DirectionName, WarningCode } from '../schema/report-schema.js';
import type { Disagreement } from './second-opinion.js';
import type { TargetResolution } from './resolution.js';

/** Warnings, most important first: what invalidates evidence, then what degrades calls. */
const WARNING_ORDER: readonly WarningCode[] = [
  'reliable-channel',
  'page-hidden-no-intervals',
  'page-hidden',
  'tcp-fallback',
  'path-changed',
  'dropped-at-sender',
  'timer-late',
  'missed-ticks',
  'send-buffer',
  'stats-disagree',
  'low-rate',
  'unknown-arrivals',
  'duplicates',
];

/** More than this many probes waiting in the channel buffer means local queueing. */
const SEND_BUFFER_PROBES = 10;

/** A warning and the figures its message states. */
export type WarningFacts =
  | { code: 'reliable-channel'; ordered: boolean; maxRetransmits: number | null }
  | { code: 'dropped-at-sender'; probes: number }
  | { code: 'timer-late'; timerErrorMsP99: number; intervalMs: number }
  | { code: 'missed-ticks'; ticks: number }
  | { code: 'send-buffer'; bytes: number; probes: number }
  | { code: 'page-hidden-no-intervals' }
  | { code: 'page-hidden' }
  | { code: 'path-changed'; changes: number }
  | { code: 'tcp-fallback'; transport: 'tcp' | 'tls' }
  | { code: 'unknown-arrivals'; packets: number }
  | { code: 'duplicates'; packets: number }
  | { code: 'stats-disagree'; disagreement: Disagreement; statsRttScale: number }
  | { code: 'low-rate'; target: TargetResolution };

/** The report's diagnostics without words: warnings as facts. */
export type DiagnosticsFacts = Omit<Diagnostics, 'warnings'> & { warnings: WarningFacts[] };

export interface DiagnosticsInput {
  meta: ReportMeta;
  /** The path the graded stream used. */
  path: GradedPath;
  sender: SenderDiagnostics;
  pageHidden: boolean;
  /** Suspect intervals per direction, relative to that direction's first probe. */
  suspect: ReadonlyArray<{ direction: DirectionName; interval: SuspectInterval }>;
  /** True when the page was hidden but the collector gave no page-hidden interval. */
  hiddenWithoutIntervals: boolean;
  /** Nominal probe interval of the client's sending direction. */
  clientIntervalMs: number;
  unknownArrivals: number;
  duplicates: number;
  secondOpinion: { statsRttScale: number; disagreements: readonly Disagreement[] };
  targets: readonly TargetResolution[];
  /** What the collectors noticed, passed through. */
  notes: readonly string[];
}

export function diagnose(input: DiagnosticsInput): DiagnosticsFacts {
  const { sender, meta } = input;
  const p50 = sender.timerErrorMs.length > 0 ? percentile(sender.timerErrorMs, 50) : null;
  const p99 = sender.timerErrorMs.length > 0 ? percentile(sender.timerErrorMs, 99) : null;
  const warnings: WarningFacts[] = [];

  if (!(meta.channel.ordered === false && meta.channel.maxRetransmits === 0)) {
    warnings.push({ code: 'reliable-channel', ordered: meta.channel.ordered, maxRetransmits: meta.channel.maxRetransmits });
  }
  if (sender.droppedAtSender > 0) warnings.push({ code: 'dropped-at-sender', probes: sender.droppedAtSender });
  if (p99 !== null && p99 > input.clientIntervalMs) {
    warnings.push({ code: 'timer-late', timerErrorMsP99: p99, intervalMs: input.clientIntervalMs });
  }
  if (sender.missedTicks > 0) warnings.push({ code: 'missed-ticks', ticks: sender.missedTicks });
  const payload = Math.max(1, meta.payloadBytes);
  if (sender.maxBufferedAmountBytes > SEND_BUFFER_PROBES * payload) {
    warnings.push({ code: 'send-buffer', bytes: sender.maxBufferedAmountBytes, probes: Math.round(sender.maxBufferedAmountBytes / payload) });
  }
  if (input.pageHidden) warnings.push({ code: input.hiddenWithoutIntervals ? 'page-hidden-no-intervals' : 'page-hidden' });
  if (input.path.changes > 0) warnings.push({ code: 'path-changed', changes: input.path.changes });
  if (input.path.transport === 'tcp' || input.path.transport === 'tls') warnings.push({ code: 'tcp-fallback', transport: input.path.transport });
  if (input.unknownArrivals > 0) warnings.push({ code: 'unknown-arrivals', packets: input.unknownArrivals });
  if (input.duplicates > 0) warnings.push({ code: 'duplicates', packets: input.duplicates });
  for (const d of input.secondOpinion.disagreements) {
    warnings.push({ code: 'stats-disagree', disagreement: d, statsRttScale: input.secondOpinion.statsRttScale });
  }
  for (const t of input.targets) {
    if (!t.resolvable && t.target !== 'reorder') warnings.push({ code: 'low-rate', target: t });
  }

  warnings.sort((a, b) => WARNING_ORDER.indexOf(a.code) - WARNING_ORDER.indexOf(b.code));
  return {
    sender: {
      timerErrorMsP50: p50,
      timerErrorMsP99: p99,
      timerSamples: sender.timerErrorMs.length,
      missedTicks: sender.missedTicks,
      maxBufferedAmountBytes: sender.maxBufferedAmountBytes,
      droppedAtSender: sender.droppedAtSender,
    },
    pageHidden: input.pageHidden,
    suspectIntervals: input.suspect.map((s) => ({
      direction: s.direction,
      startMs: s.interval.startMs,
      endMs: s.interval.endMs,
      reason: s.interval.reason,
    })),
    pathChanges: input.path.changes,
    transport: input.path.transport,
    warnings,
    notes: [...input.notes],
  };
}
