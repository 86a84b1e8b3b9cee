import { DEFAULTS } from '../protocol/defaults.js';
import { DEFAULT_PAYLOAD_BYTES } from '../protocol/wire.js';
import { SIGNAL_PROTOCOL_REFUSALS, serverProtocolRefusal, type ServerConfig, type TurnServerEntry } from '../protocol/api.js';
import type { AnalysisInput, ProfileSelection, TestMode } from '../analysis/schema/input.js';
import { ladder } from '../analysis/grade/connectivity.js';
import { SessionTimeline } from './timings.js';
import type { Report } from '../analysis/schema/report-schema.js';
import { analyze } from '../analysis/report/analyze.js';
import { fetchServerConfig, iceServerFor } from './net/config.js';
import { errorLine, SetupError } from './net/errors.js';
import { anySignal } from './net/any-signal.js';
import type { SuspectInterval } from '../analysis/measure/records.js';
import { crossCheckIntervalMs, probeCount, probeRatePps, rtpUnavailable } from './plan/rates.js';
import { AfterStream } from './after-stream.js';
import { chooseEntry, chosenPath, completePath, couldNotConnectInput } from './relay-choice.js';
import { unsupportedMessage } from './browser-support.js';
import { clockFacts } from './clock.js';
import { connectLinks, wsUrl, type Links } from './connect.js';
import { settledPortCheck, type PortCheck } from './net/port-check.js';
import { startNatCheck } from './net/nat-gather.js';
import { resolveProfile, ProfileError, type ResolvedProfile } from '../analysis/grade/targets.js';
import { streamProbes } from './probe-stream.js';
import { compareRungs, type CompareOutcome } from './compare-rungs.js';
import type { RtpLink } from './rtp/leg.js';
import { RtpCollector } from './collect/rtp-collector.js';
import type { ProbePath } from '../analysis/schema/report-schema.js';
import type { LoadEvidence } from '../analysis/schema/load-input.js';
import type { LoadTransport } from './load/transport.js';
import { runLoadPhase } from './load/phase.js';
import { busyOutcome, loadUnavailable } from './load/plan.js';
import { budgetSentence } from '../analysis/present/load.js';
import type { AudioHandle, EvidenceWatch, StatsSource, SessionEnv, RunOptions, RunEvents } from './env.js';

const CONNECT_TIMEOUT_MS = DEFAULTS.connectTimeoutMs;

/** No audio track: what a session gets when its environment cannot open one. */
const NO_AUDIO: AudioHandle = { stream: null, source: 'none', stop: () => undefined };

/**
 * Runs one test end to end and returns its graded report: config, relay choice, connect,
 * probe stream, analysis. The one session of the page (and so of `callprobe run`) and of
 * the load bench's Node clients; what differs between them comes in `env`.
 * Throws SetupError when it cannot test.
 */
export async function runSession(opts: RunOptions, env: SessionEnv, given: RunEvents): Promise<Report> {
  // This browser lacks something the test cannot run without: say what, before anything is tried.
  const missing = env.missingApis?.() ?? [];
  if (missing.length > 0) throw new SetupError('browser-unsupported', unsupportedMessage(missing));
  const startedAt = new Date().toISOString();
  const clock = clockFacts();
  const timeline = new SessionTimeline(() => performance.now());
  const mark = (step: Parameters<SessionTimeline['mark']>[0]): void => timeline.mark(step);
  // Notes of our own (a progress display that failed, an audio source that stayed suspended) go into the report.
  const sessionNotes: string[] = [];
  const events = guardedEvents(given, sessionNotes);
  events.phase('config', 'asking the server for a relay');
  const cfg = opts.override ?? (await fetchServerConfig(opts.baseUrl));
  mark('config');
  const checkPort = env.checkPort;
  let portChecks: Promise<PortCheck>[] | null = null;
  if (checkPort) {
    events.phase(
      'config',
      `checking which ways to the test server this network lets through (${cfg.turn.map((t) => `${t.transport.toUpperCase()} ${t.port}`).join(', ')})`,
    );
    portChecks = cfg.turn.map((t) => settledPortCheck(t, checkPort(t, cfg)));
  }
  // In parallel with the port checks, awaited only when the report is built: it never delays the verdict.
  const natCheck = opts.override ? null : startNatCheck(cfg.turn, env.gatherNat);
  const reflectorPath = opts.override ? null : (cfg as ServerConfig).reflectorPath;
  const mode: TestMode = opts.mode === 'loopback' || !reflectorPath ? 'loopback' : 'reflector';
  if (opts.mode === 'reflector' && mode !== 'reflector') throw new SetupError('reflector-error', 'this server has no reflector');
  if (mode === 'reflector') {
    // A page and a server of different releases would not agree on the control channel: say so now, in words.
    const refusal = serverProtocolRefusal((cfg as ServerConfig).signalProtocol);
    if (refusal !== null) throw new SetupError('version-mismatch', SIGNAL_PROTOCOL_REFUSALS[refusal]);
  }
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

  // The busy-line phase: planned only when asked, and only where it can run; else why not, for the report.
  const busyWhyNot = opts.load === true ? loadUnavailable(opts, mode, cfg, env) : null;
  const busyPlanned = opts.load === true && busyWhyNot === null;
  let busyEvidence: LoadEvidence | null = busyWhyNot;
  const streamS = opts.durationS + (busyPlanned ? Math.ceil(DEFAULTS.load.phaseMaxMs / 1000) + 1 : 0);
  // Before anything is loaded: the most the phase can move (what this server grants).
  const offer = opts.override ? null : ((cfg as ServerConfig).load ?? null);
  if (busyPlanned && offer) events.phase('config', budgetSentence(offer.maxBytesPerDirection));

  let entry: TurnServerEntry;
  try {
    entry = await chooseEntry(cfg.turn, portChecks, opts.turnPick);
  } catch (err) {
    // No rung connected: that is an answer about the network (the ladder says which and why), not a tool error.
    if (!(err instanceof SetupError) || err.reason !== 'relay-unreachable' || !portChecks || opts.turnPick) throw err;
    const rungs = ladder(await Promise.all(portChecks));
    events.phase('analyzing', 'no relay port connected');
    const report = analyze({
      ...couldNotConnectInput(meta({ ordered: false, maxRetransmits: 0 }, opts.baseUrl, false), rungs, timeline),
      nat: await natCheck,
      clock,
      ...(opts.load === true ? { load: busyOutcome(busyWhyNot, busyPlanned, false) } : {}),
    });
    events.phase('done', report.summary.verdict);
    return report;
  }
  mark('allocation');

  const payloadBytes = DEFAULT_PAYLOAD_BYTES;
  const iceServers = [iceServerFor(entry, cfg)];

  events.phase(
    'connecting',
    `${mode === 'reflector' ? 'to the test server' : 'a loop inside this page'} through its relay (${entry.transport.toUpperCase()} ${entry.port})`,
  );
  const [SimplePeer, audio] = await Promise.all([env.loadSimplePeer(), env.openAudio ? env.openAudio(opts.audio) : NO_AUDIO]);
  sessionNotes.push(...(audio.notes ?? []));
  const audioStream = audio.stream;
  const openRtpLeg = env.openRtpLeg;
  // The audio track rides the RTP leg when there is one (its frames are the probes), else the data-channel leg.
  const rtpPlanned = rtpWhyNot === null && audioStream !== null && openRtpLeg !== undefined;
  const stream = rtpPlanned ? undefined : (audioStream ?? undefined);
  let links: Links | null = null;
  let rtpLink: RtpLink | null = null;
  let stats: StatsSource | null = null;
  let watch: EvidenceWatch | null = null;
  let audioStopped = false;
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
        ? (sendSignal) =>
            openRtpLeg({
              iceServers,
              stream: audioStream,
              sendSignal,
              timeoutMs: CONNECT_TIMEOUT_MS,
              signal: opts.signal,
              arrivals: opts.arrivals ?? 'receive-time',
            })
        : undefined,
    });
    const { sender, receiver } = links;
    mark('channelOpen');
    let probePath: ProbePath;
    if (rtpWhyNot !== null) probePath = { path: 'datachannel', reason: rtpWhyNot };
    else if (audioStream === null) probePath = { path: 'datachannel', reason: 'no audio track (audio: none): the RTP probes ride an audio track' };
    else if (!links.rtp) probePath = { path: 'datachannel', reason: 'this client cannot open an RTP probe leg' };
    else {
      events.phase('connecting', 'starting the call-like audio stream');
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
    const count = probeCount(streamS, streamRatePps);
    const intervalMs = rtpGraded ? crossCheckIntervalMs(streamS, count) : 1000 / streamRatePps;
    const statsPc = rtpLink?.pc ?? sender.pc;
    // The audio track was given to the RTP leg: when that leg is not graded, the data-channel leg carries no audio.
    const statsAudio = rtpPlanned && !rtpGraded ? 'none' : audio.source;
    stats = env.createStats?.(statsPc, statsAudio, mode === 'loopback' ? receiver.pc : null) ?? null;
    stats?.start();
    let statsStopped: Promise<void> | null = null;
    watch = env.createWatch?.() ?? null;
    watch?.start();
    // A change of the selected path marks one second either side of it.
    const aroundPathChanges = (timesMs: readonly number[]): SuspectInterval[] =>
      timesMs.map((t) => ({ startMs: t - 1000, endMs: t + 1000, reason: 'path-change' as const }));
    const pathChanges = (): SuspectInterval[] => aroundPathChanges(stats?.pathChangeTimesMs ?? []);
    const profile = profileOrNull(opts.profile);

    // Before the last probe is sent and the reflector's tally closes, a throw ends the test as it always did.
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
      rtp: rtpLink ? { link: rtpLink, collector: new RtpCollector(probeCount(streamS, DEFAULTS.rtp.maxFramesPerS), DEFAULTS.rtp.ptimeMs) } : null,
      provisional:
        profile === null
          ? null
          : {
              setting: {
                profile,
                ratePps: rtpLink ? ratePps : dataChannelRatePps,
                channelOk: !sender.probe.ordered && sender.probe.maxRetransmits === 0,
                durationS: opts.durationS,
                intervalMs: rtpLink ? DEFAULTS.rtp.ptimeMs : intervalMs,
                likelyClaims: rtpLink !== null,
              },
              testStartMs: timeline.startMs,
              path: { transport: entry.transport, port: entry.port },
            },
      suspectSoFar: () => [...(watch?.peek?.() ?? []), ...pathChanges()],
      busy: busyPlanned
        ? {
            afterMs: opts.durationS * 1000 + DEFAULTS.sendMarginMs,
            run: async (rttSince, signal) => {
              // getStats' second opinion is of the idle window: it stops where the load starts.
              statsStopped ??= stats?.stop() ?? Promise.resolve();
              const both = anySignal([signal, opts.signal]);
              busyEvidence = await runLoadPhase({
                baseUrl: opts.baseUrl,
                transport: env.loadTransport as LoadTransport,
                signal: both,
                now: () => performance.now(),
                wallMs: (t) => performance.timeOrigin + t,
                rttSince,
                phase: (detail) => events.phase('streaming', `busy line: ${detail}`),
              });
            },
          }
        : null,
    });

    // From here the evidence is measured: nothing that fails later throws it away (after-stream.ts).
    const after = new AfterStream();
    const sampled = stats;
    // Stopped already if the busy-line phase ran (its second opinion is of the idle window).
    if (sampled) await after.step("the browser's statistics (getStats)", () => statsStopped ?? sampled.stop(), undefined);
    stats = null;
    const watched = watch;
    const watchSuspect = watched ? await after.step('the page watch', () => watched.stop(), []) : [];
    watch = null;
    const pathChangeTimesMs = sampled ? await after.step('the path changes from getStats', () => [...sampled.pathChangeTimesMs], []) : [];
    const suspect = [...watchSuspect, ...aroundPathChanges(pathChangeTimesMs)];

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
      const compareOpts = opts.compare;
      compared = await after.step(
        'compare mode',
        () =>
          compareRungs({
            entries: cfg.turn.filter((t, i) => checks[i]?.reachable === true),
            secondsPerRung: compareOpts.secondsPerRung,
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
          }),
        null,
      );
    }
    events.phase('analyzing', 'grading');
    for (const failed of closeAll()) after.notes.push(`${failed} after the stream`);
    const chosen = chosenPath(entry);
    const statsPath = sampled ? await after.step('the path from getStats', () => sampled.path(), null) : null;
    const opinion = sampled ? await after.step("the browser's second opinion", () => sampled.opinion(outcome.reflectorInboundJitterMs), null) : null;
    const input: AnalysisInput = {
      meta: meta({ ordered: sender.probe.ordered, maxRetransmits: sender.probe.maxRetransmits }, opts.override ? entry.url : opts.baseUrl, rtpGraded),
      connectivity: ladder(checks.map((c) => ({ ...c, connectMs: c.url === entry.url ? connectMs : (compared?.connectMsByUrl.get(c.url) ?? null) }))),
      path: completePath(statsPath, entry),
      setupMs: timeline.setup(),
      lastProbeMs: timeline.get('lastProbe'),
      outcome: outcome.connectionLost,
      probe: probePath,
      compare: compared?.compare ?? null,
      nat: natCheck ? await after.step('the NAT check', () => natCheck, null) : null,
      witness: outcome.relayWitness,
      up: records.up,
      down: records.down,
      loop: records.loop,
      roundTrip: records.roundTrip,
      lossTimeoutMs: outcome.lossTimeoutMs,
      sender: outcome.sender,
      stats: opinion,
      pageHidden: watched?.everHidden ?? false,
      notes: [...outcome.notes, ...records.notes, ...sessionNotes],
      clock,
      provisional: outcome.provisional,
      ...(opts.load === true ? { load: busyOutcome(busyEvidence, busyPlanned, outcome.connectionLost !== null) } : {}),
    };
    const report = after.report(input, chosen);
    mark('verdict');
    report.timelineMs = { lastProbe: timeline.get('lastProbe'), verdict: timeline.get('verdict') };
    events.phase('done', report.summary.verdict);
    return report;
  } finally {
    // Whatever ended the test: no getStats poll, page watch, connection or audio outlives it.
    // On a throw the test's own error is what the page shows; a close that failed too goes to the console.
    for (const failed of closeAll()) console.warn(`callprobe: ${failed} while the test ended`);
  }

  /** Stops and closes everything the test opened, once; returns what failed, in words. */
  function closeAll(): string[] {
    const failed: string[] = [];
    const close = (what: string, f: () => void): void => {
      try {
        f();
      } catch (err) {
        failed.push(`${what} failed (${errorLine(err)})`);
      }
    };
    const [s, w, l] = [stats, watch, links];
    [stats, watch, links] = [null, null, null];
    if (s) close("stopping the browser's statistics", () => s.halt());
    if (w) close('stopping the page watch', () => w.stop());
    if (l) close('closing the connections', () => l.close());
    if (!audioStopped) close('stopping the audio source', () => audio.stop());
    audioStopped = true;
    return failed;
  }
}

/** The page's progress callbacks, guarded: a display that throws never ends a measurement (said once in the notes). */
function guardedEvents(events: RunEvents, notes: string[]): RunEvents {
  let failed = false;
  const guard = (f: () => void): void => {
    try {
      f();
    } catch (err) {
      if (!failed) notes.push(`the page's progress display failed (${errorLine(err)}); the measurement went on`);
      failed = true;
    }
  };
  return { phase: (p, d) => guard(() => events.phase(p, d)), live: (f) => guard(() => events.live(f)) };
}

/** The profile's targets for the provisional answers; null for a profile the analysis will refuse with its own error. */
function profileOrNull(selection: ProfileSelection): ResolvedProfile | null {
  try {
    return resolveProfile(selection);
  } catch (err) {
    if (err instanceof ProfileError) return null;
    throw err;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
