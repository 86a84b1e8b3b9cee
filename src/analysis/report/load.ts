/**
 * The report's `load` section, from the probe records (which ran through the idle window and
 * the busy-line phase alike) and the phase's evidence. `separateLoad` first cuts the records at
 * the phase's start, so the idle grades never see a loaded probe; `loadSection` then measures
 * each loaded direction over its working window against the idle baseline, grades it, and
 * words the verdict. Suspect probes (a hidden page, a stalled sender: this device, not the
 * line) are left out of every figure; a direction where they are the most is not judged.
 */
import { BURST_WINDOW_MS, type ResolvedProfile } from '../grade/targets.js';
import {
  BLOAT_GRADE_SOURCE,
  TEAMS_BANDWIDTH_SOURCE,
  TEAMS_RECOMMENDED_KBPS,
  bloatGrade,
  deviceBusy,
  tooFewProbes,
  harmOf,
  loadTargets,
  loadVerdictKind,
  roomFor,
  type LoadedDirectionFacts,
} from '../grade/load.js';
import { analyzeDirection } from '../measure/direction.js';
import {
  goodputBitsPerS,
  p50p90,
  recordsWithin,
  reflectorClockOffsetMs,
  roundTripsWithin,
  transitsMs,
  withoutSuspect,
  type SendWindow,
} from '../measure/load.js';
import { percentile } from '../measure/percentile.js';
import type { DirectionRecords, RoundTripRecords } from '../measure/records.js';
import { loadMethodSentence, loadOutcomeSentence, loadVerdictText, mbps } from '../present/load.js';
import type { AnalysisInput } from '../schema/input.js';
import type { LoadDirectionEvidence, LoadEvidence } from '../schema/load-input.js';
import type { LoadDirectionReport, LoadReport } from '../schema/load-schema.js';
import { DEFAULTS } from '../../protocol/defaults.js';

/** The full records and the phase's evidence, kept for `loadSection` once the idle input is cut. */
export interface LoadContext {
  evidence: LoadEvidence;
  up: DirectionRecords | null;
  down: DirectionRecords | null;
  roundTrip: RoundTripRecords;
  lossTimeoutMs: number;
}

/** Whether the phase loaded the line at all (else nothing is cut). */
const ran = (e: LoadEvidence): boolean => e.up !== null || e.down !== null;

/**
 * The input the idle grades read (every record cut at the phase's start: the up direction and the
 * round trips on the client's clock, the down direction on the reflector's), and what the load
 * section needs. Without `input.load` the input is returned as it is.
 */
export function separateLoad(input: AnalysisInput): { idle: AnalysisInput; load: LoadContext | null } {
  const e = input.load ?? null;
  if (e === null) return { idle: input, load: null };
  const ctx: LoadContext = { evidence: e, up: input.up, down: input.down, roundTrip: input.roundTrip, lossTimeoutMs: input.lossTimeoutMs };
  if (!ran(e)) return { idle: input, load: ctx };
  const before = (d: DirectionRecords | null, offsetMs: number): DirectionRecords | null =>
    d === null ? null : recordsWithin(d, { fromMs: Number.NEGATIVE_INFINITY, toMs: e.startMs + offsetMs });
  const offset = input.up !== null ? reflectorClockOffsetMs(input.up, input.roundTrip) : null;
  const sent = input.roundTrip.sent.filter((s) => s.sendMs < e.startMs);
  return {
    idle: {
      ...input,
      up: before(input.up, 0),
      // Without a round trip to place the phase on the reflector's clock, no downstream probe is trusted as idle.
      down: input.down === null ? null : offset === null ? { ...input.down, sent: [], arrivals: [] } : before(input.down, offset),
      loop: before(input.loop, 0),
      roundTrip: { sent, samples: input.roundTrip.samples.filter((s) => s.sendMs < e.startMs) },
    },
    load: ctx,
  };
}

interface Measured {
  facts: LoadedDirectionFacts;
  report: LoadDirectionReport;
}

function measureDirection(
  direction: 'up' | 'down',
  ev: LoadDirectionEvidence,
  ctx: LoadContext,
  idle: DirectionRecords | null,
  idleRtt: number[],
  offsetMs: number | null,
  profile: ResolvedProfile,
): Measured {
  const e = ctx.evidence;
  const window: SendWindow = { fromMs: Math.max(ev.startMs, ev.endMs - DEFAULTS.load.workingWindowMs), toMs: ev.endMs };
  const full = direction === 'up' ? ctx.up : ctx.down;
  const shift = direction === 'up' ? 0 : offsetMs;
  const loaded = full === null || shift === null ? null : withoutSuspect(recordsWithin(full, { fromMs: window.fromMs + shift, toMs: window.toMs + shift }));
  const idleClean = idle === null ? null : withoutSuspect(idle).records;
  const idleTransit = idleClean === null ? null : p50p90(transitsMs(idleClean, ctx.lossTimeoutMs));
  const loadedTransit = loaded === null ? null : p50p90(transitsMs(loaded.records, ctx.lossTimeoutMs));
  const a =
    loaded === null || loaded.records.sent.length === 0
      ? null
      : analyzeDirection(loaded.records, ctx.lossTimeoutMs, { burstMs: BURST_WINDOW_MS, sustainedMs: window.toMs - window.fromMs });
  const loadedRtt = roundTripsWithin(ctx.roundTrip, window);
  const goodput = goodputBitsPerS(ev.progress, window);
  const added = idleTransit !== null && loadedTransit !== null ? loadedTransit.p50 - idleTransit.p50 : null;
  const addedP90 = idleTransit !== null && loadedTransit !== null ? loadedTransit.p90 - idleTransit.p50 : null;
  const facts: LoadedDirectionFacts = {
    direction,
    stop: ev.stop,
    saturated: ev.stop === 'stable',
    goodputBitsPerS: goodput,
    addedDelayMs: added,
    loadedRttMs: loadedRtt.length > 0 ? percentile(loadedRtt, 50) : null,
    jitterMs: a?.jitter.meanMs ?? null,
    lossPct: a?.loss.lossPct ?? null,
    burstLossPctMax200ms: a?.windows.burst.worstAny?.value ?? null,
    probesJudged: loaded?.records.sent.length ?? 0,
    probesSuspect: loaded?.suspectProbes ?? 0,
  };
  const bytes = ev.progress.at(-1)?.bytes ?? 0;
  return {
    facts,
    report: {
      goodputMbps: goodput === null ? null : goodput / 1e6,
      bytes: Math.round(bytes),
      saturated: facts.saturated,
      stop: ev.stop,
      durationMs: ev.endMs - ev.startMs,
      windowMs: { fromMs: window.fromMs - e.startMs, toMs: window.toMs - e.startMs },
      addedDelayMs: added,
      addedDelayMsP90: addedP90,
      idleRttMs: idleRtt.length > 0 ? percentile(idleRtt, 50) : null,
      loadedRttMs: facts.loadedRttMs,
      jitterMs: facts.jitterMs,
      lossPct: facts.lossPct,
      burstLossPctMax200ms: facts.burstLossPctMax200ms,
      probes: { sent: facts.probesJudged, received: a?.received ?? 0, suspect: facts.probesSuspect },
      targets: loadTargets(facts, profile.targets),
      grade: deviceBusy(facts) || tooFewProbes(facts) ? null : bloatGrade(added),
      flows: ev.flows,
      errors: ev.errors.slice(0, 4).map((x) => x.slice(0, 300)),
    },
  };
}

/** The `load` section of the report (idle: the records `separateLoad` cut for the idle grades). */
export function loadSection(ctx: LoadContext, idle: Pick<AnalysisInput, 'up' | 'down' | 'roundTrip'>, profile: ResolvedProfile): LoadReport {
  const e = ctx.evidence;
  const base = {
    budgetBytesPerDirection: e.budgetBytes,
    startedAt: e.startedAt,
    bytes: 0,
    durationMs: Math.max(0, e.endMs - e.startMs),
    up: null,
    down: null,
    capacity: null,
    gradeSource: BLOAT_GRADE_SOURCE,
    method: loadMethodSentence(),
  };
  const idleRtt = idle.roundTrip.samples.map((s) => s.rttMs);
  const offset = ctx.up !== null ? reflectorClockOffsetMs(ctx.up, ctx.roundTrip) : null;
  const up = e.up === null ? null : measureDirection('up', e.up, ctx, idle.up, idleRtt, offset, profile);
  const down = e.down === null ? null : measureDirection('down', e.down, ctx, idle.down, idleRtt, offset, profile);
  const measured = [up, down].filter((m): m is Measured => m !== null);
  const facts = measured.map((m) => m.facts);
  const bytes = measured.reduce((acc, m) => acc + m.report.bytes, 0);
  const withFigures = { ...base, bytes, up: up?.report ?? null, down: down?.report ?? null };
  const kind = e.outcome === null ? loadVerdictKind(facts, profile.targets) : null;
  if (e.outcome !== null || kind === null) {
    const reason = e.outcome?.reason ?? 'device-busy';
    const detail = e.outcome?.detail ?? 'most probes of every loaded direction were sent while this device was busy (suspect intervals)';
    return { ...withFigures, outcome: { reason, detail: detail.slice(0, 400), sentence: loadOutcomeSentence(reason) } };
  }
  const harms = facts.flatMap((f) => {
    const h = harmOf(f, profile.targets);
    return h === null ? [] : [h];
  });
  // Worst first: delay harm by its size, then loss.
  harms.sort(
    (a, b) => (facts.find((f) => f.direction === b.direction)?.addedDelayMs ?? 0) - (facts.find((f) => f.direction === a.direction)?.addedDelayMs ?? 0),
  );
  const upFacts = facts.find((f) => f.direction === 'up') ?? null;
  const downFacts = facts.find((f) => f.direction === 'down') ?? null;
  const items = TEAMS_RECOMMENDED_KBPS.map((need) => ({ ...need, room: roomFor(need, upFacts, downFacts) }));
  const yes = items.filter((i) => i.room === 'yes').map((i) => i.label);
  const no = items.filter((i) => i.room === 'no').map((i) => i.label);
  const rates = facts.filter((f) => f.goodputBitsPerS !== null).map((f) => `${mbps(f.goodputBitsPerS ?? 0)} ${f.direction === 'up' ? 'up' : 'down'}`);
  const sentence =
    (yes.length > 0 ? `The line has room for ${yes.join(', ')}` : 'The line has no room measured for a call') +
    (no.length > 0 ? `, but not for ${no.join(' or ')}` : '') +
    (rates.length > 0
      ? ` (it carried ${rates.join(' and ')}; Microsoft recommends 58 kbit/s for audio and 1.5 Mbit/s for video or screen sharing each way).`
      : '.');
  const report: LoadReport = {
    ...withFigures,
    verdict: { kind, text: loadVerdictText(kind, facts, harms), directions: harms.map((h) => h.direction) },
    capacity: {
      items: items.map(({ use, label, upKbps, downKbps, room }) => ({ use, label, upKbps, downKbps, room })),
      sentence,
      source: TEAMS_BANDWIDTH_SOURCE,
    },
  };
  return report;
}
