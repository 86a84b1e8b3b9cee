import type { DirectionRecords, RoundTripRecords, SenderDiagnostics } from '../measure/records.js';

/** How the test ran: against the server's reflector, or a two-peer loop inside the page. */
export type TestMode = 'reflector' | 'loopback';

export type ProfileId = 'client-to-edge' | 'edge-to-edge' | 'azure-region';

/** Which targets to grade against (URL parameters `profile`, `azureRegion`, `from`). */
export interface ProfileSelection {
  id: ProfileId;
  /** Only for `azure-region`: the Azure region name as in targets.md, e.g. "West Europe". */
  azureRegion?: string;
  /** Only for `azure-region`: `site` (site-RTT column) or `edge` (edge-RTT column). */
  from?: 'site' | 'edge';
}

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
}

/** The graded path: what the selected ICE candidate pair used. */
export interface GradedPath {
  /** Relay protocol between client and relay. */
  transport: 'udp' | 'tcp' | 'tls' | 'unknown';
  /** Relay server port the client used. */
  port: number | null;
  candidateType: string | null;
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

export interface TestTimings {
  /** GET /api/config answered. */
  config: number | null;
  /** A reachable relay port was chosen (port check). */
  relayChosen: number | null;
  /** Peer connection and both channels open. */
  connected: number | null;
  /** The first echo (or loopback probe) arrived: the first live number. */
  firstPacket: number | null;
  /** The last probe was sent. */
  streamEnd: number | null;
  /** The graded verdict was ready. */
  verdict: number | null;
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
  path: GradedPath;
  /** Which relay ports answered an allocation (seed 004: UDP 3478-3481, TCP/TLS 443). */
  ports: PortReachability[];
  /** Milliseconds from the start of the test (click or autostart) to each step; null if never reached. */
  timingsMs: TestTimings;
  /** Whether the probe channel really was unordered with maxRetransmits 0 (both ends). */
  channel: { ordered: boolean; maxRetransmits: number | null };
}

/**
 * Everything the pure analysis needs. Built by the page from its collectors; nothing in it
 * refers to I/O, so the same input always gives the same report.
 */
export interface AnalysisInput {
  meta: ReportMeta;
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
}
