/** Builders for AnalysisInput fixtures. */
import type { DirectionRecords, RoundTripRecords, SenderDiagnostics } from '../../../src/analysis/measure/records.js';
import type { ProvisionalEvidence } from '../../../src/analysis/grade/provisional.js';
import type { AnalysisInput, GradedPath, ReportMeta, StatsSecondOpinion } from '../../../src/analysis/schema/input.js';
import { ladder } from '../../../src/analysis/grade/connectivity.js';
import { stream, type StreamSpec } from '../measure/fixtures.js';

export function meta(over: Partial<ReportMeta> = {}): ReportMeta {
  return {
    callprobeVersion: '0.1.0',
    browser: 'Chromium 156',
    startedAt: '2025-01-01T00:00:00.000Z',
    server: 'relay.example.test',
    mode: 'reflector',
    profile: { id: 'client-to-edge' },
    ratePps: 100,
    payloadBytes: 160,
    durationS: 15,
    channel: { ordered: false, maxRetransmits: 0 },
    site: null,
    ticket: null,
    ...over,
  };
}

/** The relay path of a fixture test: UDP 3478 unless said otherwise. */
export function path(over: Partial<GradedPath> = {}): GradedPath {
  return { transport: 'udp', port: 3478, candidateType: 'relay', family: 'ipv4', changes: 0, ...over };
}

/** Everything of an input besides the records and meta: the ladder, the path, the timings, no outcome. */
export function context(
  over: { path?: Partial<GradedPath> } = {},
): Pick<AnalysisInput, 'connectivity' | 'path' | 'setupMs' | 'lastProbeMs' | 'outcome' | 'probe' | 'compare' | 'nat' | 'witness'> {
  return {
    connectivity: ladder([{ transport: 'udp', port: 3478, url: 'turn:relay.example.test:3478?transport=udp', reachable: true, allocateMs: 12, error: null }]),
    path: path(over.path),
    setupMs: { config: 10, allocation: 30, iceConnected: null, dtls: null, channelOpen: 200, firstEcho: 260 },
    lastProbeMs: 15_250,
    outcome: null,
    probe: { path: 'datachannel', reason: 'probes ride an unordered, no-retransmit data channel (SCTP over DTLS)' },
    compare: null,
    nat: null,
    witness: null,
  };
}

export const quietSender = (): SenderDiagnostics => ({ timerErrorMs: [0.1, 0.2, 0.3], missedTicks: 0, maxBufferedAmountBytes: 160, droppedAtSender: 0 });

/** Round trips: one per probe of `up`, rtt = f(i), missing when lost(i). */
export function roundTrips(up: DirectionRecords, rttMs: (i: number) => number, lost: (i: number) => boolean = () => false): RoundTripRecords {
  return {
    sent: up.sent.map((s) => ({ ...s })),
    samples: up.sent.flatMap((s, i) => (lost(i) ? [] : [{ seq: s.seq, sendMs: s.sendMs, rttMs: rttMs(i) }])),
  };
}

export interface ReflectorSpec {
  count: number;
  intervalMs?: number;
  up?: Partial<StreamSpec>;
  down?: Partial<StreamSpec>;
  rttMs?: (i: number) => number;
  rttLost?: (i: number) => boolean;
  meta?: Partial<ReportMeta>;
  path?: Partial<GradedPath>;
  stats?: StatsSecondOpinion | null;
  pageHidden?: boolean;
}

export function reflectorInput(spec: ReflectorSpec): AnalysisInput {
  const intervalMs = spec.intervalMs ?? 10;
  const up = stream({ count: spec.count, intervalMs, clockOffsetMs: 5000, baseDelayMs: 20, ...spec.up });
  const down = stream({ count: spec.count, intervalMs, startMs: 100_000, clockOffsetMs: -5000, baseDelayMs: 20, ...spec.down });
  return {
    meta: meta({ ratePps: 1000 / intervalMs, durationS: (spec.count * intervalMs) / 1000, ...spec.meta }),
    ...context(spec.path === undefined ? {} : { path: spec.path }),
    up,
    down,
    loop: null,
    roundTrip: roundTrips(up, spec.rttMs ?? (() => 40), spec.rttLost),
    lossTimeoutMs: 1000,
    sender: quietSender(),
    stats: spec.stats ?? null,
    pageHidden: spec.pageHidden ?? false,
    notes: [],
  };
}

/**
 * The input with the up probes due in [fromMs, toMs] never sent (a stalled or throttled page
 * skipped them): gone from the sent log, the arrivals and the round trips, as a real sender leaves them.
 */
export function upUnsent(input: AnalysisInput, fromMs: number, toMs: number): AnalysisInput {
  const keep = (r: { sendMs: number }): boolean => r.sendMs < fromMs || r.sendMs > toMs;
  const up = input.up as DirectionRecords;
  return {
    ...input,
    up: { ...up, sent: up.sent.filter(keep), arrivals: up.arrivals.filter(keep) },
    roundTrip: { sent: input.roundTrip.sent.filter(keep), samples: input.roundTrip.samples.filter(keep) },
  };
}

/** Reflector clock = client clock + 4980 ms (down probes sent at 5000 ms reach the client at 20 ms). */
const REFLECTOR_AHEAD_MS = 4980;

/** What the collectors of a reflectorInput test hold `nowMs` into it (client clock): receipts lag 40 ms, echoes arrive on the client's clock. */
export function provisionalMoment(input: AnalysisInput, nowMs: number): ProvisionalEvidence {
  const up = input.up as DirectionRecords;
  const down = input.down as DirectionRecords;
  const downNow = nowMs + REFLECTOR_AHEAD_MS;
  return {
    atMs: nowMs,
    lossTimeoutMs: 1000,
    directions: [
      {
        name: 'up',
        records: { ...up, sent: up.sent.filter((s) => s.sendMs <= nowMs), arrivals: up.arrivals.filter((a) => a.sendMs <= nowMs - 40) },
        senderNowMs: nowMs,
        testStartMs: 0,
      },
      {
        name: 'down',
        records: { ...down, sent: down.sent.filter((s) => s.sendMs <= downNow - 40), arrivals: down.arrivals.filter((a) => a.recvMs <= nowMs) },
        senderNowMs: downNow,
        testStartMs: REFLECTOR_AHEAD_MS,
      },
    ],
    roundTrip: { samples: input.roundTrip.samples.filter((s) => s.sendMs + s.rttMs <= nowMs) },
    // The views as they stood: readings up to now (the server's loop delay comes only with its final tally).
    views:
      input.views === undefined || input.views === null
        ? null
        : {
            receiveLagMs: input.views.receiveLagMs.filter((v) => v.atMs <= nowMs),
            reflectorHoldMs: input.views.reflectorHoldMs.filter((v) => v.atMs <= nowMs),
            serverLoopDelayMs: [],
          },
  };
}
