/**
 * What a test will do, decided before anything connects: from the run options, the
 * configuration and what the environment can do, the mode, the probe rates, whether the RTP
 * path can be graded (and why not), the busy-line phase, the report's meta and the phases the
 * test goes through. Pure: the conductor (run-session.ts) reads the clock and the environment
 * and hands in what they said.
 */
import type { AnalysisInput, TestMode } from '../../analysis/schema/input.js';
import { SIGNAL_PROTOCOL_REFUSALS, serverProtocolRefusal } from '../../protocol/api.js';
import { CONSTANTS } from '../../protocol/defaults.js';
import { DEFAULT_PAYLOAD_BYTES } from '../../protocol/wire.js';
import type { RunOptions } from '../env.js';
import { planLoad, type LoadPlan } from '../load/plan.js';
import { SetupError } from '../net/errors.js';
import type { TestConfig } from './config.js';
import type { EdgeIdentity } from '../../protocol/api.js';
import type { Locate } from '../../analysis/schema/locate-schema.js';
import { crossCheckIntervalMs, probeCount, probeRatePps } from './rates.js';

/** What the environment can do, as the conductor found it (SessionEnv's optional parts, the browser's globals). */
export interface TestCapabilities {
  /** It checks which relay ports answer (SessionEnv.checkPort). */
  portChecks: boolean;
  /** It opens the RTP probe leg (SessionEnv.openRtpLeg). */
  rtpLeg: boolean;
  /** The browser has RTP transforms (RTCRtpScriptTransform). */
  rtpTransforms: boolean;
  /** It loads the line for the busy-line phase (SessionEnv.loadTransport). */
  loadTransport: boolean;
}

/**
 * The phases a test goes through, in order: 'locate' when the nearest of a hub's edges was
 * measured first. 'devices' is a name later work adds; no plan includes it yet.
 */
type TestPhase = 'config' | 'locate' | 'devices' | 'connect' | 'stream' | 'load' | 'compare' | 'analyze';

/** A probe stream as planned: its rate, its pacing interval, how many probes and of what size. */
export interface StreamPlan {
  ratePps: number;
  intervalMs: number;
  count: number;
  payloadBytes: number;
}

/** What the report's meta says of the graded stream: its rate and probe size. */
export type GradedStream = Pick<StreamPlan, 'ratePps' | 'intervalMs' | 'payloadBytes'>;

/**
 * The RTP probe path: why it cannot be graded, or, when it can, its frames and the
 * pacer that then ticks beside it at a low rate (sending nothing: it times this device).
 */
type RtpPlan =
  | { planned: false; whyNot: string }
  | {
      planned: true;
      /** The graded stream: one probe per audio frame. */
      graded: GradedStream;
      /** How many frames the RTP collector keeps room for (the most the audio clock can send). */
      capacity: number;
      /** The pacer beside it: its ticks send nothing (no data channel opens beside RTP), they time this device. */
      crossCheck: StreamPlan;
      /** How long the RTP leg, opened first, may take to connect before the data channel is opened in its place. */
      connectGraceMs: number;
    };

/** The report's meta as far as the plan knows it; the channel, the rate and the probe size come with the path taken. */
export type MetaTemplate = Omit<AnalysisInput['meta'], 'channel' | 'ratePps' | 'payloadBytes'>;

export interface TestPlan {
  config: TestConfig;
  mode: TestMode;
  /** The server's reflector signaling path (null: it has none, or it is not callprobe's), the signaling URL of the test and of compare mode. */
  reflectorPath: string | null;
  /** Seconds the probe stream runs: the test's duration, and room for the busy-line phase when it is planned. */
  streamS: number;
  /** The data-channel stream graded alone: at the profile's rate. */
  dataChannel: StreamPlan;
  rtp: RtpPlan;
  load: LoadPlan;
  /** Compare mode, when asked and the relay's ports are checked: a short stream per reachable rung at this rate. */
  compare: { secondsPerRung: number; ratePps: number } | null;
  /** `server` is the server asked (baseUrl); a test through another TURN server reports the relay's URI instead. */
  meta: MetaTemplate;
  phases: TestPhase[];
  /** The locate before the test (a hub's edges measured, the nearest named); null when there was none. */
  locate: Locate | null;
}

/** The facts the plan cannot read itself: when the test started, the client's name, and the hub's edge it runs on (with the locate that chose it). */
export interface PlanFacts {
  startedAt: string;
  userAgent: string;
  edge?: { edge: EdgeIdentity; locate: Locate | null } | null;
}

/** The test's plan; throws the SetupError of a test that cannot run against this server (no reflector, another release). */
export function planTest(opts: RunOptions, config: TestConfig, caps: TestCapabilities, facts: PlanFacts): TestPlan {
  const reflectorPath = config.kind === 'server' ? config.server.reflectorPath : null;
  const mode: TestMode = opts.mode === 'loopback' || !reflectorPath ? 'loopback' : 'reflector';
  if (opts.mode === 'reflector' && mode !== 'reflector') throw new SetupError('reflector-error', 'this server has no reflector');
  if (config.kind === 'server' && mode === 'reflector') {
    // A page and a server of different releases would not agree on where the control messages go: say so now, in words.
    const refusal = serverProtocolRefusal(config.server.signalProtocol);
    if (refusal !== null) throw new SetupError('version-mismatch', SIGNAL_PROTOCOL_REFUSALS[refusal]);
  }
  const dataChannelPps = probeRatePps(opts.profile);
  const load = planLoad(opts.load === true, opts.durationS, mode, config, caps.loadTransport, facts.edge?.edge ?? null);
  const streamS = opts.durationS + (load.kind === 'planned' ? load.extraS : 0);
  const dataChannel = streamPlan(streamS, dataChannelPps, 1000 / dataChannelPps);
  const rtp = planRtp(rtpUnavailable(config, mode, dataChannelPps, caps), streamS);
  const compare =
    opts.compare && caps.portChecks ? { secondsPerRung: opts.compare.secondsPerRung, ratePps: rtp.planned ? rtp.graded.ratePps : dataChannelPps } : null;
  const locate = facts.edge?.locate ?? null;
  const phases: TestPhase[] = [
    'config',
    ...(locate !== null ? (['locate'] as const) : []),
    'connect',
    'stream',
    ...(load.kind === 'planned' ? (['load'] as const) : []),
    ...(compare ? (['compare'] as const) : []),
    'analyze',
  ];
  const meta: MetaTemplate = {
    callprobeVersion: opts.version,
    browser: facts.userAgent,
    startedAt: facts.startedAt,
    server: opts.baseUrl,
    mode,
    profile: opts.profile,
    durationS: opts.durationS,
    site: opts.site ?? null,
    ticket: opts.ticket ?? null,
    ...(facts.edge ? { edge: facts.edge.edge } : {}),
  };
  return { config, mode, reflectorPath, streamS, dataChannel, rtp, load, compare, meta, phases, locate };
}

/** The report's meta for the stream graded, its channel and the server named. */
export function metaFor(template: MetaTemplate, channel: AnalysisInput['meta']['channel'], server: string, graded: GradedStream): AnalysisInput['meta'] {
  return {
    callprobeVersion: template.callprobeVersion,
    browser: template.browser,
    startedAt: template.startedAt,
    server,
    mode: template.mode,
    profile: template.profile,
    ratePps: graded.ratePps,
    payloadBytes: graded.payloadBytes,
    durationS: template.durationS,
    channel,
    site: template.site,
    ticket: template.ticket,
    ...(template.edge ? { edge: template.edge } : {}),
  };
}

/**
 * Why the RTP probe stream cannot be graded before anything connects, or null when
 * it can: the data channel is then the fallback, and the report says why.
 */
function rtpUnavailable(config: TestConfig, mode: TestMode, dataChannelPps: number, caps: TestCapabilities): string | null {
  if (config.kind === 'override') return "a TURN server that is not callprobe's (--external-turn) has no RTP reflector behind it";
  if (mode === 'loopback') return 'loopback mode: the in-page loop has no RTP reflector';
  if (dataChannelPps > 1000 / CONSTANTS.rtp.ptimeMs) {
    return `this profile needs ${dataChannelPps} probes/s; RTP runs at ${1000 / CONSTANTS.rtp.ptimeMs}/s, so the data channel is graded`;
  }
  if (config.server.rtpReflector !== true) return 'the server has no RTP reflector';
  if (!caps.rtpLeg) return 'this client cannot open an RTP probe leg';
  if (!caps.rtpTransforms) return 'this browser has no RTP transforms (RTCRtpScriptTransform)';
  return null;
}

/** The RTP stream is graded when it can run; the pacer then ticks beside it at a low rate, timing this device. */
function planRtp(whyNot: string | null, streamS: number): RtpPlan {
  if (whyNot !== null) return { planned: false, whyNot };
  const count = probeCount(streamS, CONSTANTS.rtp.crossCheckRatePps);
  return {
    planned: true,
    graded: { ratePps: 1000 / CONSTANTS.rtp.ptimeMs, intervalMs: CONSTANTS.rtp.ptimeMs, payloadBytes: CONSTANTS.rtp.frameBytes },
    capacity: probeCount(streamS, CONSTANTS.rtp.maxFramesPerS),
    crossCheck: { ratePps: CONSTANTS.rtp.crossCheckRatePps, intervalMs: crossCheckIntervalMs(streamS, count), count, payloadBytes: DEFAULT_PAYLOAD_BYTES },
    connectGraceMs: CONSTANTS.rtp.connectGraceMs,
  };
}

function streamPlan(streamS: number, ratePps: number, intervalMs: number): StreamPlan {
  return { ratePps, intervalMs, count: probeCount(streamS, ratePps), payloadBytes: DEFAULT_PAYLOAD_BYTES };
}
