import { DEFAULTS } from '../protocol/defaults.js';
import { DEFAULT_PAYLOAD_BYTES } from '../protocol/wire.js';
import type { ServerConfig, TurnServerEntry } from '../protocol/api.js';
import type { AnalysisInput, GradedPath, ProfileSelection, TestMode } from '../analysis/schema/input.js';
import { familyOf, ladder, type RungFacts } from '../analysis/grade/connectivity.js';
import { SessionTimeline } from './timings.js';
import type { Report } from '../analysis/schema/report-schema.js';
import { analyze } from '../analysis/report/analyze.js';
import { fetchServerConfig, iceServerFor } from './net/config.js';
import { SetupError } from './net/errors.js';
import type { SimplePeerCtor, WrtcImpl } from './net/simple-peer.js';
import type { WebSocketCtor } from './net/signaling.js';
import type { PacerLike, PacerOptions } from './pacer/types.js';
import type { DirectionRecords, SuspectInterval } from '../analysis/measure/records.js';
import type { LiveFigures } from './collect/live.js';
import { crossCheckIntervalMs, pickTurnEntry, probeCount, probeRatePps } from './plan.js';
import { connectLinks, wsUrl, type Links } from './connect.js';
import type { PortCheck } from './net/port-check.js';
import { natStunUrls } from './net/nat-gather.js';
import { classifyNat, type NatGathering } from '../analysis/grade/nat.js';
import type { NatBehaviour } from '../analysis/schema/report-schema.js';
import type { StatsSecondOpinion } from '../analysis/schema/input.js';
import { streamProbes } from './probe-stream.js';
import { compareRungs, type CompareOutcome } from './compare-rungs.js';
import type { RtpLegSetup, RtpLegStart, RtpLink } from './rtp/leg.js';
import { RtpCollector } from './collect/rtp-collector.js';
import type { ProbePath } from '../analysis/schema/report-schema.js';

export type AudioChoice = StatsSecondOpinion['audioSource'];

/** An audio track for getStats' second opinion, opened by the environment. */
export interface AudioHandle {
  stream: MediaStream | null;
  source: AudioChoice;
  stop(): void;
}

/** Watches what can corrupt this side's evidence (page hidden, long tasks). */
export interface EvidenceWatch {
  readonly everHidden: boolean;
  start(): void;
  /** Stops watching; returns the suspect intervals on this side's clock. */
  stop(): SuspectInterval[];
}

/** getStats during a test (src/session/stats/sampler.ts in the page): the second opinion and the path. */
export interface StatsSource {
  start(): void;
  stop(): Promise<void>;
  /** When the selected candidate pair changed (this side's clock). */
  readonly pathChangeTimesMs: readonly number[];
  path(): GradedPath;
  opinion(reflectorInboundJitterMs: number | null): StatsSecondOpinion;
}

/**
 * What the session needs from where it runs: the page (src/web/session-env.ts, also what
 * the headless runner drives) or a Node client (bench/load/node-client.ts). Optional parts
 * a Node client leaves out: no audio track, no page watch, no port check, no getStats.
 */
export interface SessionEnv {
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
   * transform worker stamps, issue 13). Without it the probes ride the data channel only.
   */
  openRtpLeg?(setup: RtpLegSetup): RtpLegStart;
}

export type Phase = 'config' | 'connecting' | 'streaming' | 'draining' | 'analyzing' | 'done';

export interface RunOptions {
  /** Origin of the callprobe server (the page's own origin by default). */
  baseUrl: string;
  durationS: number;
  profile: ProfileSelection;
  mode: 'auto' | TestMode;
  /** Relay transport/port to test through (`?turn=udp:3479`), null = UDP first. */
  turnPick: { transport: TurnServerEntry['transport']; port: number | null } | null;
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
}

export interface RunEvents {
  phase(phase: Phase, detail: string): void;
  live(figures: LiveFigures): void;
}

const CONNECT_TIMEOUT_MS = DEFAULTS.connectTimeoutMs;

/** No audio track: what a session gets when its environment cannot open one. */
const NO_AUDIO: AudioHandle = { stream: null, source: 'none', stop: () => undefined };

/**
 * Runs one test end to end and returns its graded report: config, relay choice, connect,
 * probe stream, analysis. The one session of the page (and so of `callprobe run`) and of
 * the load bench's Node clients; what differs between them comes in `env`.
 * Throws SetupError when it cannot test.
 */
export async function runSession(opts: RunOptions, env: SessionEnv, events: RunEvents): Promise<Report> {
  const startedAt = new Date().toISOString();
  const timeline = new SessionTimeline(() => performance.now());
  const mark = (step: Parameters<SessionTimeline['mark']>[0]): void => timeline.mark(step);
  events.phase('config', 'asking the server for a relay');
  const cfg = opts.override ?? (await fetchServerConfig(opts.baseUrl));
  mark('config');
  const checkPort = env.checkPort;
  let portChecks: Promise<PortCheck>[] | null = null;
  if (checkPort) {
    events.phase('config', `checking relay ports ${cfg.turn.map((t) => `${t.transport}/${t.port}`).join(', ')}`);
    portChecks = cfg.turn.map((t) => checkPort(t, cfg));
  }
  // In parallel with the port checks, awaited only when the report is built: it never delays the verdict.
  const natCheck = opts.override ? null : startNatCheck(cfg.turn, env);
  const reflectorPath = opts.override ? null : (cfg as ServerConfig).reflectorPath;
  const mode: TestMode = opts.mode === 'loopback' || !reflectorPath ? 'loopback' : 'reflector';
  if (opts.mode === 'reflector' && mode !== 'reflector') throw new SetupError('reflector-error', 'this server has no reflector');
  const dataChannelRatePps = probeRatePps(opts.profile);
  const rtpWhyNot = rtpUnavailable(opts, mode, cfg, dataChannelRatePps, env);
  // The RTP stream is graded when it can run; the data-channel stream then runs beside it at a low rate as cross-check.
  const ratePps = rtpWhyNot === null ? 1000 / DEFAULTS.rtp.ptimeMs : dataChannelRatePps;
  const meta = (channel: AnalysisInput['meta']['channel'], server: string, rtpGraded: boolean): AnalysisInput['meta'] => ({
    callprobeVersion: opts.version,
    browser: env.userAgent,
    startedAt,
    server,
    mode,
    profile: opts.profile,
    ratePps: rtpGraded ? ratePps : dataChannelRatePps,
    payloadBytes: rtpGraded ? DEFAULTS.rtp.frameBytes : DEFAULT_PAYLOAD_BYTES,
    durationS: opts.durationS,
    channel,
    site: opts.site ?? null,
    ticket: opts.ticket ?? null,
  });

  let entry: TurnServerEntry;
  try {
    entry = await chooseEntry(cfg.turn, portChecks, opts.turnPick);
  } catch (err) {
    // No rung connected: that is an answer about the network (the ladder says which and why), not a tool error.
    if (!(err instanceof SetupError) || err.reason !== 'relay-unreachable' || !portChecks || opts.turnPick) throw err;
    const rungs = ladder(await Promise.all(portChecks));
    events.phase('analyzing', 'no relay port connected');
    const report = analyze({ ...couldNotConnectInput(meta({ ordered: false, maxRetransmits: 0 }, opts.baseUrl, false), rungs, timeline), nat: await natCheck });
    events.phase('done', report.summary.verdict);
    return report;
  }
  mark('allocation');

  const payloadBytes = DEFAULT_PAYLOAD_BYTES;
  const iceServers = [iceServerFor(entry, cfg)];

  events.phase('connecting', `${mode === 'reflector' ? 'reflector' : 'in-page loop'} via ${entry.url}`);
  const [SimplePeer, audio] = await Promise.all([env.loadSimplePeer(), env.openAudio ? env.openAudio(opts.audio) : NO_AUDIO]);
  const audioStream = audio.stream;
  const openRtpLeg = env.openRtpLeg;
  // The audio track rides the RTP leg when there is one (its frames are the probes), else the data-channel leg.
  const rtpPlanned = rtpWhyNot === null && audioStream !== null && openRtpLeg !== undefined;
  const stream = rtpPlanned ? undefined : (audioStream ?? undefined);
  let links: Links | null = null;
  let rtpLink: RtpLink | null = null;
  try {
    links = await connectLinks({
      mode,
      SimplePeer,
      iceServers,
      signalingUrl: reflectorPath ? wsUrl(opts.baseUrl, reflectorPath) : null,
      stream,
      timeoutMs: CONNECT_TIMEOUT_MS,
      signal: opts.signal,
      wrtc: env.wrtc,
      WebSocketImpl: env.WebSocketImpl,
      onStep: mark,
      openRtp: rtpPlanned
        ? (sendSignal) => openRtpLeg({ iceServers, stream: audioStream, sendSignal, timeoutMs: CONNECT_TIMEOUT_MS, signal: opts.signal })
        : undefined,
    });
    const { sender, receiver } = links;
    mark('channelOpen');
    let probePath: ProbePath;
    if (rtpWhyNot !== null) probePath = { path: 'datachannel', reason: rtpWhyNot };
    else if (audioStream === null) probePath = { path: 'datachannel', reason: 'no audio track (audio: none): the RTP probes ride an audio track' };
    else if (!links.rtp) probePath = { path: 'datachannel', reason: 'this client cannot open an RTP probe leg' };
    else {
      events.phase('connecting', 'RTP probe leg');
      const leg = await Promise.race([links.rtp, delay(DEFAULTS.rtp.connectGraceMs).then(() => null)]);
      if (opts.signal.aborted) throw new SetupError('cancelled', 'test cancelled');
      if (leg === null) probePath = { path: 'datachannel', reason: `the RTP leg did not connect within ${DEFAULTS.rtp.connectGraceMs} ms of the data channel` };
      else if (leg instanceof SetupError) probePath = { path: 'datachannel', reason: `the RTP leg failed: ${leg.message}` };
      else {
        rtpLink = leg;
        probePath = { path: 'rtp', reason: 'probes ride the audio track as RTP over SRTP, like a call' };
      }
    }
    const rtpGraded = rtpLink !== null;
    const streamRatePps = rtpGraded ? DEFAULTS.rtp.crossCheckRatePps : dataChannelRatePps;
    const count = probeCount(opts.durationS, streamRatePps);
    const intervalMs = rtpGraded ? crossCheckIntervalMs(opts.durationS, count) : 1000 / streamRatePps;
    const statsPc = rtpLink?.pc ?? sender.pc;
    // The audio track was given to the RTP leg: when that leg is not graded, the data-channel leg carries no audio.
    const statsAudio = rtpPlanned && !rtpGraded ? 'none' : audio.source;
    const stats = env.createStats?.(statsPc, statsAudio, mode === 'loopback' ? receiver.pc : null) ?? null;
    stats?.start();
    const watch = env.createWatch?.() ?? null;
    watch?.start();

    const outcome = await streamProbes({
      mode,
      sender,
      receiver,
      count,
      intervalMs,
      payloadBytes,
      createPacer: (o) => env.createPacer(o),
      signal: opts.signal,
      phase: (p, d) => events.phase(p, d),
      live: (f) => events.live(f),
      mark,
      signalingClosed: links.signalingClosed,
      rtp: rtpLink ? { link: rtpLink, collector: new RtpCollector(probeCount(opts.durationS, DEFAULTS.rtp.maxFramesPerS), DEFAULTS.rtp.ptimeMs) } : null,
    });
    await stats?.stop();
    // A change of the selected path marks one second either side of it.
    const suspect = [
      ...(watch?.stop() ?? []),
      ...(stats?.pathChangeTimesMs ?? []).map((t) => ({ startMs: t - 1000, endMs: t + 1000, reason: 'path-change' as const })),
    ];

    const records = outcome.build(suspect);
    // Time from the relay chosen to the channels open: what connecting through this rung took.
    const chosenAt = timeline.get('allocation');
    const openAt = timeline.get('channelOpen');
    const connectMs = chosenAt !== null && openAt !== null ? openAt - chosenAt : null;
    let compared: CompareOutcome | null = null;
    const checks = portChecks ? await Promise.all(portChecks) : [];
    if (opts.compare && checks.length > 0 && outcome.connectionLost === null) {
      // The graded stream's connection is closed first: each rung gets the path to itself.
      links.close();
      links = null;
      compared = await compareRungs({
        entries: cfg.turn.filter((t, i) => checks[i]?.reachable === true),
        secondsPerRung: opts.compare.secondsPerRung,
        mode,
        ratePps,
        payloadBytes,
        cfg,
        signalingUrl: reflectorPath ? wsUrl(opts.baseUrl, reflectorPath) : null,
        SimplePeer,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        signal: opts.signal,
        createPacer: (o) => env.createPacer(o),
        wrtc: env.wrtc,
        WebSocketImpl: env.WebSocketImpl,
        phase: (detail) => events.phase('streaming', detail),
        now: () => performance.now(),
      });
    }
    events.phase('analyzing', 'grading');
    const input: AnalysisInput = {
      meta: meta({ ordered: sender.probe.ordered, maxRetransmits: sender.probe.maxRetransmits }, opts.override ? entry.url : opts.baseUrl, rtpGraded),
      connectivity: ladder(checks.map((c) => ({ ...c, connectMs: c.url === entry.url ? connectMs : (compared?.connectMsByUrl.get(c.url) ?? null) }))),
      path: stats?.path() ?? chosenPath(entry),
      setupMs: timeline.setup(),
      lastProbeMs: timeline.get('lastProbe'),
      outcome: outcome.connectionLost,
      probe: probePath,
      compare: compared?.compare ?? null,
      nat: await natCheck,
      witness: outcome.relayWitness,
      up: records.up,
      down: records.down,
      loop: records.loop,
      roundTrip: records.roundTrip,
      lossTimeoutMs: outcome.lossTimeoutMs,
      sender: outcome.sender,
      stats: stats?.opinion(outcome.reflectorInboundJitterMs) ?? null,
      pageHidden: watch?.everHidden ?? false,
      notes: [...outcome.notes, ...records.notes],
    };
    const report = analyze(input);
    mark('verdict');
    report.timelineMs = { lastProbe: timeline.get('lastProbe'), verdict: timeline.get('verdict') };
    events.phase('done', report.summary.verdict);
    return report;
  } finally {
    links?.close();
    audio.stop();
  }
}

/**
 * Why the RTP probe stream cannot be graded before anything connects (issue 13), or null when
 * it can: the data channel is then the fallback, and the report says why.
 */
function rtpUnavailable(opts: RunOptions, mode: TestMode, cfg: Pick<ServerConfig, 'turn'>, dataChannelRatePps: number, env: SessionEnv): string | null {
  if (opts.override) return "a TURN server that is not callprobe's (--external-turn) has no RTP reflector behind it";
  if (mode === 'loopback') return 'loopback mode: the in-page loop has no RTP reflector';
  if (dataChannelRatePps > 1000 / DEFAULTS.rtp.ptimeMs) {
    return `this profile needs ${dataChannelRatePps} probes/s; RTP runs at ${1000 / DEFAULTS.rtp.ptimeMs}/s, so the data channel is graded`;
  }
  if (!('rtpReflector' in cfg) || cfg.rtpReflector !== true) return 'the server has no RTP reflector';
  if (!env.openRtpLeg) return 'this client cannot open an RTP probe leg';
  if (typeof RTCRtpScriptTransform === 'undefined') return 'this browser has no RTP transforms (RTCRtpScriptTransform)';
  return null;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A test that could not connect through any rung: no probe was sent, the ladder is the
 * evidence, and the outcome says in words what that means for calls.
 */
function couldNotConnectInput(meta: AnalysisInput['meta'], rungs: RungFacts[], timeline: SessionTimeline): AnalysisInput {
  const empty = (): DirectionRecords => ({ sent: [], arrivals: [], intervalMs: 1000 / meta.ratePps, suspect: [] });
  const offered = rungs.filter((r) => r.error !== 'not-offered');
  const seen = offered.map((r) => `${r.transport.toUpperCase()}${r.port === null ? '' : ` ${String(r.port)}`}: ${r.error ?? 'failed'}`).join(', ');
  return {
    meta,
    connectivity: rungs,
    path: { transport: 'unknown', port: null, candidateType: null, family: null, changes: 0 },
    setupMs: timeline.setup(),
    lastProbeMs: null,
    outcome: { reason: 'could-not-connect', atMs: null, detail: `no relay port connected (${seen})` },
    probe: { path: 'datachannel', reason: 'no probe was sent: no relay port connected' },
    compare: null,
    nat: null,
    witness: null,
    up: meta.mode === 'reflector' ? empty() : null,
    down: meta.mode === 'reflector' ? empty() : null,
    loop: meta.mode === 'loopback' ? empty() : null,
    roundTrip: { sent: [], samples: [] },
    lossTimeoutMs: 1000,
    sender: { timerErrorMs: [], missedTicks: 0, maxBufferedAmountBytes: 0, droppedAtSender: 0 },
    stats: null,
    pageHidden: false,
    notes: [],
  };
}

/**
 * Starts the NAT classification when the environment can gather (the page); null otherwise.
 * A gathering that fails is an 'unknown' classification with the browser's reason.
 */
function startNatCheck(entries: readonly TurnServerEntry[], env: SessionEnv): Promise<NatBehaviour> | null {
  const gather = env.gatherNat;
  if (!gather) return null;
  const stun = natStunUrls(entries);
  if (stun === null) {
    return Promise.resolve({
      mapping: 'unknown',
      reason: 'the server offers fewer than two UDP ports on one host, so no second mapping could be compared',
      observations: [],
    });
  }
  return gather(stun).then(classifyNat, (err: unknown) => ({
    mapping: 'unknown',
    reason: `the browser could not gather candidates: ${err instanceof Error ? err.message : String(err)}`,
    observations: [],
  }));
}

/** The path when nothing samples getStats: the relay entry the peers were told to use (relay-only). */
function chosenPath(entry: TurnServerEntry): GradedPath {
  return { transport: entry.transport, port: entry.port, candidateType: 'relay', family: familyOf(entry.url), changes: 0 };
}

/**
 * The relay entry to test through: the one asked for, else the first reachable of UDP, TCP,
 * TLS in that order. Waits only as long as needed: a reachable UDP port ends the wait.
 * Without port checks: the one asked for, else the first of UDP, TCP, TLS offered.
 */
async function chooseEntry(entries: readonly TurnServerEntry[], checks: Promise<PortCheck>[] | null, wanted: RunOptions['turnPick']): Promise<TurnServerEntry> {
  const picked = pickTurnEntry(entries, wanted);
  if (!checks) {
    if (!picked)
      throw new SetupError('relay-unreachable', `the server offers no relay${wanted ? ` on ${wanted.transport}${wanted.port ? `/${wanted.port}` : ''}` : ''}`);
    return picked;
  }
  if (wanted) {
    if (!picked) throw new SetupError('relay-unreachable', `the server offers no relay on ${wanted.transport}${wanted.port ? `/${wanted.port}` : ''}`);
    const check = await checks[entries.indexOf(picked)];
    if (check && !check.reachable) throw new SetupError('relay-unreachable', `the relay on ${picked.url} is not reachable: ${check.error}`);
    return picked;
  }
  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e?.transport !== transport) continue;
      const check = await checks[i];
      if (check?.reachable) return e;
    }
  }
  const results = await Promise.all(checks);
  throw new SetupError('relay-unreachable', `no relay port answered: ${results.map((r) => `${r.transport}/${r.port} ${r.error}`).join('; ')}`);
}
