/**
 * Structural checks of an AnalysisInput, O(n). `analyze` refuses input that fails them
 * with a typed error listing every problem (the input itself is untouched, nothing is
 * lost); valid input, even with empty records, always gives a report.
 */
import type { DirectionRecords, RoundTripRecords } from '../measure/records.js';
import type { AnalysisInput } from '../schema/input.js';
import { PROVISIONAL_MAX_ANSWERS, PROVISIONAL_MAX_CLAIMS } from '../schema/provisional-limits.js';
import { TypedError } from '../../protocol/typed-error.js';

export type InputErrorReason = 'invalid-input' | 'mode-mismatch' | 'unknown-profile';

/** Typed error: the input cannot be analysed, with every problem found. */
export class AnalysisInputError extends TypedError<InputErrorReason> {
  override readonly name = 'AnalysisInputError';
  constructor(
    reason: InputErrorReason,
    readonly problems: readonly string[],
  ) {
    super(reason, `${reason}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${String(problems.length - 5)} more)` : ''}`);
  }
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const MAX_PER_LIST = 3;

function checkSent(where: string, sent: RoundTripRecords['sent'], problems: string[]): void {
  let reported = 0;
  for (let i = 0; i < sent.length && reported < MAX_PER_LIST; i++) {
    const s = sent[i];
    const prev = i > 0 ? sent[i - 1] : undefined;
    if (s === undefined || !Number.isInteger(s.seq) || !finite(s.sendMs)) {
      problems.push(`${where}.sent[${String(i)}] needs an integer seq and a finite sendMs`);
      reported++;
    } else if (prev !== undefined && (s.seq <= prev.seq || s.sendMs < prev.sendMs)) {
      problems.push(`${where}.sent[${String(i)}] must follow sent[${String(i - 1)}]: increasing seq, non-decreasing sendMs`);
      reported++;
    }
  }
}

function checkDirection(where: string, d: DirectionRecords, problems: string[]): void {
  if (!finite(d.intervalMs) || d.intervalMs <= 0) problems.push(`${where}.intervalMs must be a positive number`);
  checkSent(where, d.sent, problems);
  let reported = 0;
  for (let i = 0; i < d.arrivals.length && reported < MAX_PER_LIST; i++) {
    const a = d.arrivals[i];
    if (a === undefined || !Number.isInteger(a.seq) || !finite(a.recvMs) || !finite(a.sendMs)) {
      problems.push(`${where}.arrivals[${String(i)}] needs an integer seq and finite sendMs/recvMs`);
      reported++;
    }
  }
  for (const [i, s] of d.suspect.entries()) {
    if (!finite(s.startMs) || !finite(s.endMs) || s.endMs < s.startMs) {
      problems.push(`${where}.suspect[${String(i)}] needs finite startMs <= endMs`);
    }
  }
}

/** Every structural problem of the input (empty list when valid). */
export function inputProblems(input: AnalysisInput): { reason: InputErrorReason; problems: string[] } {
  const problems: string[] = [];
  const m = input.meta;
  if (typeof m.startedAt !== 'string' || !m.startedAt.endsWith('Z') || !Number.isFinite(Date.parse(m.startedAt))) {
    problems.push('meta.startedAt must be an ISO 8601 UTC time (ending in Z)');
  }
  if (!finite(m.ratePps) || m.ratePps <= 0) problems.push('meta.ratePps must be a positive number');
  if (!Number.isInteger(m.payloadBytes) || m.payloadBytes < 0) problems.push('meta.payloadBytes must be a non-negative integer');
  if (!finite(m.durationS) || m.durationS < 0) problems.push('meta.durationS must be a non-negative number');
  if (!finite(input.lossTimeoutMs) || input.lossTimeoutMs <= 0) problems.push('lossTimeoutMs must be a positive number');
  if (!Number.isInteger(input.path.changes) || input.path.changes < 0) problems.push('path.changes must be a non-negative integer');
  if (input.path.port !== null && (!Number.isInteger(input.path.port) || input.path.port < 0))
    problems.push('path.port must be a non-negative integer or null');
  for (const [i, r] of input.connectivity.entries()) {
    if (r.port !== null && (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535)) problems.push(`connectivity[${String(i)}].port must be a port or null`);
  }
  if (input.outcome !== null && input.outcome.atMs !== null && !finite(input.outcome.atMs)) problems.push('outcome.atMs must be finite or null');
  if (m.channel.maxRetransmits !== null && (!Number.isInteger(m.channel.maxRetransmits) || m.channel.maxRetransmits < 0)) {
    problems.push('meta.channel.maxRetransmits must be a non-negative integer or null');
  }

  let reason: InputErrorReason = 'invalid-input';
  if (m.mode === 'reflector' && (input.up === null || input.down === null || input.loop !== null)) {
    problems.push('reflector mode needs up and down records and loop = null');
    reason = 'mode-mismatch';
  }
  if (m.mode === 'loopback' && (input.loop === null || input.up !== null || input.down !== null)) {
    problems.push('loopback mode needs loop records and up = down = null');
    reason = 'mode-mismatch';
  }
  if (input.up !== null) checkDirection('up', input.up, problems);
  if (input.down !== null) checkDirection('down', input.down, problems);
  if (input.loop !== null) checkDirection('loop', input.loop, problems);

  checkSent('roundTrip', input.roundTrip.sent, problems);
  let reported = 0;
  for (let i = 0; i < input.roundTrip.samples.length && reported < MAX_PER_LIST; i++) {
    const s = input.roundTrip.samples[i];
    if (s === undefined || !Number.isInteger(s.seq) || !finite(s.sendMs) || !finite(s.rttMs) || s.rttMs < 0) {
      problems.push(`roundTrip.samples[${String(i)}] needs an integer seq, finite sendMs and a finite rttMs >= 0`);
      reported++;
    }
  }

  const prov = input.provisional ?? [];
  if (prov.length > PROVISIONAL_MAX_ANSWERS) problems.push(`provisional holds at most ${String(PROVISIONAL_MAX_ANSWERS)} answers`);
  for (const [i, p] of prov.entries()) {
    if (!finite(p.atMs) || p.atMs < 0) problems.push(`provisional[${String(i)}].atMs must be a finite number >= 0`);
    if (p.claims.length > PROVISIONAL_MAX_CLAIMS) problems.push(`provisional[${String(i)}] holds at most ${String(PROVISIONAL_MAX_CLAIMS)} claims`);
  }

  const snd = input.sender;
  if (!snd.timerErrorMs.every(finite)) problems.push('sender.timerErrorMs must hold finite numbers');
  for (const k of ['missedTicks', 'maxBufferedAmountBytes', 'droppedAtSender'] as const) {
    if (!Number.isInteger(snd[k]) || snd[k] < 0) problems.push(`sender.${k} must be a non-negative integer`);
  }
  const st = input.stats;
  if (st !== null) {
    for (const k of ['iceRttMs', 'rtcpRttMs', 'inboundJitterMs'] as const) {
      if (!st[k].every(finite)) problems.push(`stats.${k} must hold finite numbers`);
    }
    if (st.rtcpFractionLost !== null && !(finite(st.rtcpFractionLost) && st.rtcpFractionLost >= 0 && st.rtcpFractionLost <= 1)) {
      problems.push('stats.rtcpFractionLost must be in 0..1 or null');
    }
    if (st.concealedRatio !== null && !(finite(st.concealedRatio) && st.concealedRatio >= 0)) {
      problems.push('stats.concealedRatio must be >= 0 or null');
    }
  }
  return { reason, problems };
}
