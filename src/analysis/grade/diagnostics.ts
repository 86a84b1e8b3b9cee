/**
 * Sender self-diagnostics and honesty warnings: what in the test itself (not the network)
 * could explain loss, delay or jitter, so the sender is never blamed on the network.
 */
import { percentile } from '../measure/percentile.js';
import type { SenderDiagnostics, SuspectInterval } from '../measure/records.js';
import type { ReportMeta } from '../schema/input.js';
import type { DiagnosticWarning, Diagnostics, DirectionName, SecondOpinion, TargetMeta } from '../schema/report-schema.js';
import { count, ms, plural } from '../present/format.js';

/** Warnings, most important first: what invalidates evidence, then what degrades calls. */
const WARNING_ORDER: readonly DiagnosticWarning['code'][] = [
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
export const SEND_BUFFER_PROBES = 10;

export interface DiagnosticsInput {
  meta: ReportMeta;
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
  secondOpinion: SecondOpinion;
  targets: readonly TargetMeta[];
  /** What the collectors noticed, passed through. */
  notes: readonly string[];
}

export function diagnose(input: DiagnosticsInput): Diagnostics {
  const { sender, meta } = input;
  const p50 = sender.timerErrorMs.length > 0 ? percentile(sender.timerErrorMs, 50) : null;
  const p99 = sender.timerErrorMs.length > 0 ? percentile(sender.timerErrorMs, 99) : null;
  const warnings: DiagnosticWarning[] = [];
  const warn = (code: DiagnosticWarning['code'], message: string): void => {
    warnings.push({ code, message });
  };

  if (!(meta.channel.ordered === false && meta.channel.maxRetransmits === 0)) {
    warn('reliable-channel', `The probe channel was not unordered with no retransmissions (ordered: ${String(meta.channel.ordered)}, maxRetransmits: ${String(meta.channel.maxRetransmits)}): lost probes may have been resent, hiding loss, so loss, jitter and reorder were not graded.`);
  }
  if (sender.droppedAtSender > 0) {
    warn('dropped-at-sender', `${plural(sender.droppedAtSender, 'probe')} were never sent because the browser's send buffer was full; this device or its uplink could not keep up (they are not counted as network loss).`);
  }
  if (p99 !== null && p99 > input.clientIntervalMs) {
    warn('timer-late', `The sender's timer ran late (99th percentile ${ms(p99)}, more than one probe interval of ${ms(input.clientIntervalMs)}): a busy device sends probes in bunches, which can add jitter.`);
  }
  if (sender.missedTicks > 0) {
    warn('missed-ticks', `The sender skipped ${plural(sender.missedTicks, 'tick')} because it fell behind; the device was busy or throttled.`);
  }
  if (sender.maxBufferedAmountBytes > SEND_BUFFER_PROBES * Math.max(1, meta.payloadBytes)) {
    warn('send-buffer', `Up to ${count(sender.maxBufferedAmountBytes)} bytes waited in the browser before leaving (about ${count(Math.round(sender.maxBufferedAmountBytes / Math.max(1, meta.payloadBytes)))} probes): delay and jitter include queueing on this device.`);
  }
  if (input.pageHidden) {
    if (input.hiddenWithoutIntervals) {
      warn('page-hidden-no-intervals', 'The page was hidden during the test but the times were not recorded, so the whole test is treated as suspect: browsers slow down hidden pages.');
    } else {
      warn('page-hidden', 'The page was hidden during part of the test; browsers slow down hidden pages, so windows overlapping those times cannot pass.');
    }
  }
  if (meta.path.changes > 0) {
    warn('path-changed', `The network path changed ${plural(meta.path.changes, 'time')} during the test (for example a NAT rebinding or a switch of relay candidate); real calls may drop or glitch when that happens.`);
  }
  if (meta.path.transport === 'tcp' || meta.path.transport === 'tls') {
    warn('tcp-fallback', `Media went to the relay over ${meta.path.transport.toUpperCase()} instead of UDP (UDP 3478-3481 may be blocked). It works, but adds delay: open UDP for the best experience.`);
  }
  if (input.unknownArrivals > 0) {
    warn('unknown-arrivals', `${plural(input.unknownArrivals, 'packet')} arrived with sequence numbers that were never sent; they were ignored.`);
  }
  if (input.duplicates > 0) {
    warn('duplicates', `${plural(input.duplicates, 'duplicate packet')} arrived; duplicates are counted apart and never as received twice.`);
  }
  for (const d of input.secondOpinion.disagreements) warn('stats-disagree', d.sentence);
  for (const t of input.targets) {
    if (!t.resolvable && t.target !== 'reorder') warn('low-rate', `${t.label}: ${t.note}.`);
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
    pathChanges: meta.path.changes,
    transport: meta.path.transport,
    warnings,
    notes: [...input.notes],
  };
}
