/**
 * The analysis input of a test, assembled from what its parts returned: the plan, the path
 * taken, the stream's outcome and records, the port checks, compare mode, getStats, the NAT
 * check and the busy-line phase. Pure: everything that had to be awaited or read from a clock
 * comes in as a value.
 */
import type { AnalysisInput, ClockFacts, GradedPath, StatsSecondOpinion } from '../../analysis/schema/input.js';
import type { LoadEvidence } from '../../analysis/schema/load-input.js';
import type { VideoEvidence } from '../../analysis/schema/video-input.js';
import { noOutsideViews, type OutsideViews } from '../../analysis/measure/views.js';
import { ladder, type RungFacts } from '../../analysis/grade/connectivity.js';
import type { NatBehaviour, SetupTimings, Witness } from '../../analysis/schema/report-schema.js';
import type { RelayWitness } from '../../protocol/wire.js';
import type { TurnServerEntry } from '../../protocol/api.js';
import type { CompareOutcome } from '../compare-rungs.js';
import { busyOutcome } from '../load/plan.js';
import type { PortCheck } from '../net/port-check.js';
import type { StreamOutcome } from '../probe-stream.js';
import type { StreamViews } from '../collect/outside-views.js';
import { completePath, couldNotConnectInput } from '../relay-choice.js';
import type { RelayEvidence } from '../../protocol/could-not-finish.js';
import type { SessionTimeline } from '../timings.js';
import type { PathChoice } from './probe-path.js';
import { metaFor, type TestPlan } from './test-plan.js';

/** The moments of the session the input reports, in ms from the start of the test. */
interface InputTimes {
  setup: SetupTimings;
  /** When the relay was chosen and when the channels opened: connecting through the rung took the difference. */
  allocation: number | null;
  channelOpen: number | null;
  lastProbe: number | null;
}

/** What the test's parts returned, for its analysis input. */
export interface TestEvidence {
  plan: TestPlan;
  path: PathChoice;
  /** The probe channel as it was opened. */
  channel: AnalysisInput['meta']['channel'];
  entry: TurnServerEntry;
  checks: readonly PortCheck[];
  stream: Pick<StreamOutcome, 'connectionLost' | 'relayWitness' | 'reflectorPacketsReceived' | 'qos' | 'lossTimeoutMs' | 'sender' | 'notes' | 'provisional'>;
  records: ReturnType<StreamOutcome['build']>;
  compared: CompareOutcome | null;
  statsPath: GradedPath | null;
  opinion: StatsSecondOpinion | null;
  /** getStats' ICE and RTCP round trips with their page-clock times; null when nothing sampled getStats. */
  rttViews: Pick<OutsideViews, 'iceRttMs' | 'rtcpRttMs'> | null;
  nat: NatBehaviour | null;
  pageHidden: boolean;
  /** The session's own notes (a progress display that failed, the audio source's). */
  sessionNotes: readonly string[];
  clock: ClockFacts;
  times: InputTimes;
  /** What the busy-line phase measured; null when it did not run. */
  load: LoadEvidence | null;
  /** The video phase's evidence, when it ran and measured. */
  video?: VideoEvidence | null;
}

export function assembleInput(e: TestEvidence): AnalysisInput {
  const { plan, stream, records, compared } = e;
  // Time from the relay chosen to the channels open: what connecting through this rung took.
  const connectMs = e.times.allocation !== null && e.times.channelOpen !== null ? e.times.channelOpen - e.times.allocation : null;
  return {
    meta: metaFor(plan.meta, e.channel, plan.config.kind === 'override' ? e.entry.url : plan.meta.server, e.path.graded),
    connectivity: ladder(e.checks.map((c) => ({ ...c, connectMs: c.url === e.entry.url ? connectMs : (compared?.connectMsByUrl.get(c.url) ?? null) }))),
    path: completePath(e.statsPath, e.entry),
    setupMs: e.times.setup,
    lastProbeMs: e.times.lastProbe,
    outcome: stream.connectionLost,
    probe: e.path.probe,
    compare: compared?.compare ?? null,
    nat: e.nat,
    witness: reportedWitness(stream.relayWitness, stream.reflectorPacketsReceived),
    up: records.up,
    down: records.down,
    loop: records.loop,
    roundTrip: records.roundTrip,
    lossTimeoutMs: stream.lossTimeoutMs,
    sender: stream.sender,
    stats: e.opinion,
    pageHidden: e.pageHidden,
    notes: [...stream.notes, ...records.notes, ...e.sessionNotes],
    clock: e.clock,
    provisional: stream.provisional,
    views: outsideViews(records.views, e.rttViews),
    ...loadPart(plan, e.load, stream.connectionLost !== null),
    ...(e.video ? { video: e.video } : {}),
    ...(plan.locate !== null ? { locate: plan.locate } : {}),
    ...(stream.qos !== null ? { qos: stream.qos } : {}),
  };
}

/**
 * The relay's witness as the report keeps it: its DSCP counts are the report's `qos`, not its
 * witness; beside it, what our reflector received of the stream the relay carried to it.
 */
function reportedWitness(w: RelayWitness | null, reflectorPackets: number | null): Witness | null {
  if (w === null) return null;
  return { source: w.source, upstream: w.upstream, downstream: w.downstream, ...(reflectorPackets !== null ? { reflectorPackets } : {}) };
}

/**
 * The views outside the page's JavaScript: the probe stream's (the RTP echoes' receive lag, the
 * reflector's hold, its arrivals and the server's event-loop lateness from its `final`; none in
 * the in-page loop) and getStats' round trips.
 */
function outsideViews(stream: StreamViews, rtt: TestEvidence['rttViews']): OutsideViews {
  return { ...noOutsideViews(), ...stream, ...(rtt ?? {}) };
}

/** The input of a test that connected through no rung: the ladder is the evidence (relay-choice.ts); `ours`: a hub's edge the hub no longer offers. */
export function unconnectedInput(
  plan: TestPlan,
  rungs: RungFacts[],
  timeline: SessionTimeline,
  nat: NatBehaviour | null,
  clock: ClockFacts,
  relayEvidence: RelayEvidence | null,
  ours = false,
): AnalysisInput {
  return {
    ...couldNotConnectInput(
      metaFor(plan.meta, { ordered: false, maxRetransmits: 0 }, plan.meta.server, plan.dataChannel),
      rungs,
      timeline,
      relayEvidence,
      ours,
    ),
    nat,
    clock,
    ...loadPart(plan, null, false),
    ...(plan.locate !== null ? { locate: plan.locate } : {}),
  };
}

/** The busy-line evidence, only when the phase was asked for: what ran, or why nothing did. */
function loadPart(plan: TestPlan, measured: LoadEvidence | null, connectionLost: boolean): Pick<AnalysisInput, 'load'> {
  switch (plan.load.kind) {
    case 'not-asked':
      return {};
    case 'unavailable':
      return { load: busyOutcome(plan.load.evidence, false, connectionLost) };
    case 'planned':
      return { load: busyOutcome(measured, true, connectionLost) };
  }
}
