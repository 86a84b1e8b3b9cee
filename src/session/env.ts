/**
 * The session's contract with where it runs: what it needs from its environment (SessionEnv:
 * the page, src/web/session-env.ts, or a Node client, bench/load/node-client.ts), what it is
 * asked (RunOptions) and what it tells on the way (RunEvents). Types only.
 */
import type { VideoSource } from './video/phase.js';
import type { LocateRotation } from '../protocol/page-url.js';
import type { ServerConfig, TurnServerEntry } from '../protocol/api.js';
import type { AnalysisInput, GradedPath, ProfileSelection, StatsSecondOpinion, TestMode } from '../analysis/schema/input.js';
import type { SuspectInterval } from '../analysis/measure/records.js';
import type { OutsideViews } from '../analysis/measure/views.js';
import type { NatGathering } from '../analysis/grade/nat.js';
import type { SimplePeerCtor, WrtcImpl } from './net/simple-peer.js';
import type { WebSocketCtor } from './net/signaling.js';
import type { PacerLike, PacerOptions } from './pacer/types.js';
import type { LiveFigures } from './collect/live.js';
import type { PortCheck } from './net/port-check.js';
import type { RtpLegSetup, RtpLegStart } from './rtp/leg.js';
import type { LoadTransport } from './load/transport.js';
import type { RelayRttEnv } from './locate/relay-rtt.js';

/** Which relay entry to test through (`?turn=`), null = UDP first. */
export type TurnPick = { transport: TurnServerEntry['transport']; port: number | null } | null;

export type AudioChoice = StatsSecondOpinion['audioSource'];

/** How RTP echo arrivals are timed: the frame's receiveTime when the browser gives one, or always the transform worker's clock. */
type ArrivalClock = 'receive-time' | 'worker';

/** An audio track for getStats' second opinion, opened by the environment. */
export interface AudioHandle {
  stream: MediaStream | null;
  source: AudioChoice;
  stop(): void;
  /** What the report should say about it (a fallback taken, a context the browser kept suspended). */
  notes?: string[];
}

/** Watches what can corrupt this side's evidence (page hidden, long tasks). */
export interface EvidenceWatch {
  readonly everHidden: boolean;
  start(): void;
  /** The suspect intervals so far, an open one up to now (for the provisional answers); absent: none are known before the end. */
  peek?(): SuspectInterval[];
  /** Stops watching; returns the suspect intervals on this side's clock. */
  stop(): SuspectInterval[];
}

/** getStats during a test (src/session/stats/sampler.ts in the page): the second opinion and the path. */
export interface StatsSource {
  start(): void;
  /** Stops polling after one last poll (the stream ended, its connection still open). */
  stop(): Promise<void>;
  /** After one last poll keeps the second opinion, the path and its changes as they are; polling goes on for the round-trip readings. */
  freezeOpinion(): Promise<void>;
  /** Stops polling at once, with no last poll: the session is ending on a throw. */
  halt(): void;
  /** When the selected candidate pair changed (this side's clock). */
  readonly pathChangeTimesMs: readonly number[];
  path(): GradedPath;
  opinion(reflectorInboundJitterMs: number | null): StatsSecondOpinion;
  /** The ICE and RTCP round trips with the page-clock time each was read (src/analysis/measure/views.ts). */
  rttViews(): Pick<OutsideViews, 'iceRttMs' | 'rtcpRttMs'>;
}

/**
 * What the session needs from where it runs: the page (src/web/session-env.ts, also what
 * the headless runner drives) or a Node client (bench/load/node-client.ts). Optional parts
 * a Node client leaves out: no audio track, no page watch, no port check, no getStats.
 */
export interface SessionEnv {
  /** The APIs this client lacks that the test cannot run without (src/session/browser-support.ts); none when absent. */
  missingApis?(): string[];
  loadSimplePeer(): Promise<SimplePeerCtor>;
  createPacer(opts: PacerOptions): PacerLike;
  /** The client's name for the report (navigator.userAgent in the page). */
  userAgent: string;
  /** Node only: a WebRTC implementation (@roamhq/wrtc); the page uses its own globals. */
  wrtc?: WrtcImpl;
  /** Node only: the `ws` WebSocket for the reflector's signaling. */
  WebSocketImpl?: WebSocketCtor;
  /** Opens the audio track asked for; without it the test sends no audio (source 'none'). */
  openAudio?(choice: AudioChoice): Promise<AudioHandle>;
  /** Watches this side's evidence; without it nothing is marked suspect and the page never counts as hidden. */
  createWatch?(): EvidenceWatch;
  /**
   * Whether the relay answers on one entry (RFC 8656 Allocate through a relay-only peer
   * connection). Without it no port is checked, the report lists none, and the relay pick
   * is taken as reachable.
   */
  checkPort?(entry: TurnServerEntry, credentials: Pick<ServerConfig, 'username' | 'credential'>): Promise<PortCheck>;
  /**
   * getStats sampling of the sender (and, in loopback mode, the receiver). Without it the
   * report has no second opinion and its path is the chosen relay entry.
   */
  createStats?(pc: RTCPeerConnection, audioSource: AudioChoice, inboundPc: RTCPeerConnection | null): StatsSource;
  /**
   * Server-reflexive candidates of one peer connection towards two STUN ports of the relay
   * (src/session/net/nat-gather.ts), bounded by its own timeout. Without it the report has no
   * NAT classification (nat: null).
   */
  gatherNat?(stun: { urls: string[]; ports: number[] }): Promise<NatGathering>;
  /**
   * Opens the RTP probe leg (src/session/rtp/leg.ts: an audio transceiver whose frames a
   * transform worker stamps). Without it the probes ride the data channel only.
   */
  openRtpLeg?(setup: RtpLegSetup): RtpLegStart;
  /** Moves the busy-line phase's load bytes (src/session/load/transport.ts); without it no phase runs. */
  loadTransport?: LoadTransport;
  /**
   * A synthetic video track and peer connections for the video phase (./video/phase.ts); without
   * it no video phase runs (a Node client).
   */
  video?: { openSource(): VideoSource; createPeerConnection(config: RTCConfiguration): RTCPeerConnection };
  /**
   * Peer connections and a clock for measuring the round trip through a relay (src/session/locate/):
   * with it a hub's edges are located and the test runs on the nearest; without it, on the first listed.
   */
  relayRtt?: RelayRttEnv;
}

export type Phase = 'config' | 'connecting' | 'streaming' | 'draining' | 'analyzing' | 'done';

export interface RunOptions {
  /** Origin of the callprobe server (the page's own origin by default). */
  baseUrl: string;
  durationS: number;
  profile: ProfileSelection;
  mode: 'auto' | TestMode;
  /** Relay transport/port to test through (`?turn=udp:3479`), null = UDP first. */
  turnPick: TurnPick;
  /** A TURN server that is not callprobe's (`callprobe run --turn`): loopback mode. */
  override: Pick<ServerConfig, 'turn' | 'username' | 'credential'> | null;
  audio: AudioChoice;
  signal: AbortSignal;
  /** callprobe's version for the report ('node-client' for the load bench's clients). */
  version: string;
  /** The site this test is run for and a help-desk ticket reference (`?site=`, `?ticket=`). */
  site?: string | null;
  ticket?: string | null;
  /** Compare mode: after the graded stream, a short stream on every reachable rung. */
  compare?: { secondsPerRung: number } | null;
  /** How RTP echo arrivals are timed (default: receiveTime where the browser gives one). */
  arrivals?: ArrivalClock;
  /** The busy-line phase after the idle window (`?load=1`, `run --load`): never without being asked. */
  load?: boolean;
  /** After the probes, the video phase (./video/phase.ts): how much video fits through the relay each way. */
  video?: boolean;
  /** A scheduled sample's turn among a hub's edges (plan/edges.ts locateSet); absent: the first the hub lists. */
  locate?: LocateRotation | null;
}

export interface RunEvents {
  phase(phase: Phase, detail: string): void;
  live(figures: LiveFigures): void;
  /** Right after the busy-line budget's phase detail: the most the phase may move each way, bytes (for a page that says it in another language). */
  budget?(bytesPerDirection: number): void;
  /** The evidence the report is graded from, once measured (the page keeps it for tools: `window.__callprobeEvidence`). */
  evidence?(input: AnalysisInput): void;
}
