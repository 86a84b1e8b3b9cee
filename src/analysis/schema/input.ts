import type { DirectionRecords, RoundTripRecords, SenderDiagnostics } from '../measure/records.js';
import type { ProvisionalFacts } from './provisional-facts.js';
import type { CompareResult, NatBehaviour, Outcome, ProbePath, Rung, SetupTimings, Witness } from './report-schema.js';
import type { LoadEvidence } from './load-input.js';
import type { VideoEvidence } from './video-input.js';
import type { OutsideViews } from '../measure/views.js';
import type { EdgeIdentity } from '../../protocol/api.js';
import type { Locate } from './locate-schema.js';
import type { DscpCounts } from '../../protocol/wire.js';

/** How the test ran: against the server's reflector, or a two-peer loop inside the page. */
export type TestMode = 'reflector' | 'loopback';

export type ProfileId = 'client-to-edge' | 'edge-to-edge' | 'azure-region';

/** Which targets to grade against (URL parameters `profile`, `azureRegion`, `from`). */
export interface ProfileSelection {
  id: ProfileId;
  /** Only for `azure-region`: the Azure region name as Microsoft names it, e.g. "West Europe". */
  azureRegion?: string;
  /** Only for `azure-region`: `site` (site-RTT column) or `edge` (edge-RTT column). */
  from?: 'site' | 'edge';
}

/**
 * A second opinion this browser cannot give: the getStats object was there but never the field
 * (W3C webrtc-stats): 'ice-rtt' candidate-pair currentRoundTripTime (Firefox), 'rtcp-rtt'
 * remote-inbound-rtp roundTripTime, 'concealment' inbound-rtp concealedSamples.
 */
export type StatsGap = 'ice-rtt' | 'rtcp-rtt' | 'concealment';

/** getStats figures, already converted to milliseconds by the adapter (src/stats). */
export interface StatsSecondOpinion {
  /** candidate-pair currentRoundTripTime samples, ms. */
  iceRttMs: number[];
  /** remote-inbound-rtp roundTripTime samples (RTCP), ms. */
  rtcpRttMs: number[];
  /** remote-inbound-rtp fractionLost, last value (0..1), null when never reported. */
  rtcpFractionLost: number | null;
  /** inbound-rtp jitter samples of the audio track, ms. */
  inboundJitterMs: number[];
  /**
   * Which probe direction the audio jitter describes: 'loop' (pc2's inbound audio, loopback
   * mode), 'up' (the reflector's inbound audio, reported at the end), null when none.
   */
  inboundJitterDirection: 'up' | 'down' | 'loop' | null;
  /** concealedSamples / totalSamplesReceived at the end, null when not reported. */
  concealedRatio: number | null;
  audioSource: 'fake-device' | 'webaudio' | 'none';
  /** What this browser's getStats never reported although the object carrying it was there. */
  lacks?: StatsGap[];
}

/** The clock every probe time was read from (performance.now()), as the session found it. */
export interface ClockFacts {
  /** Its step, ms (src/analysis/measure/clock.ts); null when it could not be read. */
  resolutionMs: number | null;
  /** Whether the page was cross-origin isolated (browsers give such pages a finer clock); null outside a browser. */
  crossOriginIsolated: boolean | null;
}

/** The graded path: what the selected ICE candidate pair used. */
export interface GradedPath {
  /** Relay protocol between client and relay. */
  transport: 'udp' | 'tcp' | 'tls' | 'unknown';
  /** Relay server port the client used. */
  port: number | null;
  candidateType: string | null;
  /** Address family of the relay server address used (null when unknown). */
  family: 'ipv4' | 'ipv6' | null;
  /** How many times the selected pair changed during the test (0 = stable). */
  changes: number;
}

/** One relay transport/port and whether a relay candidate could be gathered through it. */
export interface PortReachability {
  transport: 'udp' | 'tcp' | 'tls';
  port: number;
  url: string;
  reachable: boolean;
  allocateMs: number | null;
  error: string | null;
}

export interface ReportMeta {
  callprobeVersion: string;
  browser: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  server: string;
  mode: TestMode;
  profile: ProfileSelection;
  ratePps: number;
  payloadBytes: number;
  durationS: number;
  /** The site the test was run for and a help-desk ticket reference (null when not given). */
  site: string | null;
  ticket: string | null;
  /** Whether the probe channel really was unordered with maxRetransmits 0 (both ends). */
  channel: { ordered: boolean; maxRetransmits: number | null };
  /** The edge of a hub the test ran on; absent or null: the server itself (an all-in-one server, or a hub without edges). */
  edge?: EdgeIdentity | null;
}

/**
 * Everything the pure analysis needs. Built by the page from its collectors; nothing in it
 * refers to I/O, so the same input always gives the same report.
 */
export interface AnalysisInput {
  meta: ReportMeta;
  /** The connectivity ladder as tried (every standard rung, not-offered ones included). */
  connectivity: Array<Omit<Rung, 'errorText'>>;
  /** The path the graded stream used. */
  path: GradedPath;
  /** Setup steps, ms from the start of the test. */
  setupMs: SetupTimings;
  /** When the last probe was sent, ms from the start of the test (null when none was). */
  lastProbeMs: number | null;
  /** Set when the session could not connect or lost its connection (never graded as network loss after atMs). */
  outcome: Outcome | null;
  /** Which probe stream the records come from. */
  probe: ProbePath;
  compare: CompareResult | null;
  nat: NatBehaviour | null;
  witness: Witness | null;
  /**
   * reflector mode: client -> reflector (up) and reflector -> client (down), null in loopback.
   */
  up: DirectionRecords | null;
  down: DirectionRecords | null;
  /** loopback mode: pc1 -> pc2 one-way stream on one clock; null in reflector mode. */
  loop: DirectionRecords | null;
  /** Round trips measured by the client (reflector mode) or pc1->pc2 transit (loopback). */
  roundTrip: RoundTripRecords;
  /** A packet not arrived within this long after its send counts as lost: max(1 s, 4 x RTT p99). */
  lossTimeoutMs: number;
  sender: SenderDiagnostics;
  stats: StatsSecondOpinion | null;
  /** Page hidden at any time during the test. */
  pageHidden: boolean;
  /** What the collectors noticed that a reader should know (pacing method, missing tallies...). */
  notes: string[];
  /** The clock the probe times were read from; absent or null when unknown (delay figures then carry no resolution). */
  clock?: ClockFacts | null;
  /**
   * The provisional answers shown while the test ran, oldest first (src/analysis/grade/provisional.ts);
   * absent or empty when none was (a test shorter than 3 s, a Node client).
   */
  provisional?: ProvisionalFacts[];
  /** The busy-line phase, when the test was asked to load the line: the records above then run through it too. */
  load?: LoadEvidence | null;
  /** The video phase, when the test was asked for video (after the probes: it never changes their verdict). */
  video?: VideoEvidence | null;
  /**
   * What the clocks outside the page's JavaScript saw (the network thread's, the server's), for
   * attributing each window's delay and gaps; absent or null: none recorded (only the page's own
   * stamps, as in a report from before they were).
   */
  views?: OutsideViews | null;
  /** The edges the page measured before the test (src/session/locate/), and the nearest; absent or null: no locate step. */
  locate?: Locate | null;
  /** The QoS marks of the RTP stream (../grade/qos.ts); absent or null: the test did not run on it. */
  qos?: QosEvidence | null;
}

/** What a test knows of its QoS marks (the page's RTP stream marked EF, the relay's echoes too). */
export interface QosEvidence {
  /** Whether the browser took the page's ask to mark its RTP stream (`networkPriority: 'high'`, which Chromium marks EF). */
  pageMarked: boolean;
  /** The page's stream's packets by the DSCP they reached the relay with; null: the relay read none. */
  upstream: DscpCounts | null;
  /** The DSCP the relay put on its echoes to the page; null: none (it could not mark). */
  echoDscp: number | null;
}

/** The parts of an input where nothing was measured: no round trip, a sender that never fell behind, no getStats, the page never hidden, no notes. */
export function nothingMeasured(): Pick<AnalysisInput, 'roundTrip' | 'sender' | 'stats' | 'pageHidden' | 'notes'> {
  return {
    roundTrip: { sent: [], samples: [] },
    sender: { timerErrorMs: [], missedTicks: 0, maxBufferedAmountBytes: 0, droppedAtSender: 0 },
    stats: null,
    pageHidden: false,
    notes: [],
  };
}
