import { CONSTANTS } from '../protocol/defaults.js';
import type { VideoEvidence } from '../analysis/schema/video-input.js';
import { runVideoPhase } from './video/phase.js';
import { DEFAULTS } from '../protocol/defaults.js';
import type { EdgeIdentity, TurnServerEntry } from '../protocol/api.js';
import type { ClockFacts, ProfileSelection } from '../analysis/schema/input.js';
import { ladder } from '../analysis/grade/connectivity.js';
import { SessionTimeline, type SessionMark } from './timings.js';
import type { Locate, SiteEdge } from '../analysis/schema/locate-schema.js';
import type { LocateRotation } from '../protocol/page-url.js';
import { siteEdge, testOrder } from '../analysis/grade/locate.js';
import { movesOn, planEdges, withUnreachable } from './plan/edges.js';
import { edgeRelayFacts, edgesNow, noEdgeSide, noEdgeWords } from './plan/edge-side.js';
import { locateEdges, pathFamily } from './locate/locate.js';
import { planRegionLeg, type RegionLegPlan } from './plan/region-leg.js';
import { withRegionAnswer, type AskedRow } from '../analysis/report/region-answer.js';
import type { NatBehaviour, Report, ReportLeg } from '../analysis/schema/report-schema.js';
import { analyze } from '../analysis/report/analyze.js';
import { fetchServerConfig, iceServerFor } from './net/config.js';
import { errorLine, SetupError } from './net/errors.js';
import { anySignal } from './net/any-signal.js';
import type { SuspectInterval } from '../analysis/measure/records.js';
import { AfterStream } from './after-stream.js';
import { chooseEntry, chosenPath } from './relay-choice.js';
import { unsupportedMessage } from './browser-support.js';
import { clockFacts } from './clock.js';
import { connectLinks, dataChannelOf, wsUrl, type Links } from './connect.js';
import { settledPortCheck, type PortCheck } from './net/port-check.js';
import { startNatCheck } from './net/nat-gather.js';
import { resolveProfile, ProfileError, type ResolvedProfile } from '../analysis/grade/targets.js';
import { streamProbes, type StreamOutcome, type StreamSetup } from './probe-stream.js';
import { compareRungs, type CompareOutcome } from './compare-rungs.js';
import type { RtpLink } from './rtp/leg.js';
import { RtpCollector } from './collect/rtp-collector.js';
import type { LoadEvidence } from '../analysis/schema/load-input.js';
import type { LoadTransport } from './load/transport.js';
import { runLoadPhase } from './load/phase.js';
import { budgetSentence } from '../analysis/present/load.js';
import type { SimplePeerCtor } from './net/simple-peer.js';
import type { AudioHandle, SessionEnv, RunOptions, RunEvents } from './env.js';
import { relayOf, type RelayAccess, type TestConfig } from './plan/config.js';
import { planTest, type TestCapabilities, type TestPlan } from './plan/test-plan.js';
import { choosePath, type PathChoice, type RtpLegOutcome } from './plan/probe-path.js';
import { assembleInput, unconnectedInput } from './plan/input.js';
import { TestResources } from './resources.js';

const CONNECT_TIMEOUT_MS = DEFAULTS.connectTimeoutMs;

/** No audio track: what a session gets when its environment cannot open one. */
const NO_AUDIO: AudioHandle = { stream: null, source: 'none', stop: () => undefined };

/** What the conductor's steps share: the test's options, environment and plan, and the session's own records. */
interface Conduct {
  opts: RunOptions;
  env: SessionEnv;
  plan: TestPlan;
  relay: RelayAccess;
  events: RunEvents;
  timeline: SessionTimeline;
  mark(step: SessionMark): void;
  sessionNotes: string[];
  clock: ClockFacts;
  portChecks: Promise<PortCheck>[] | null;
  natCheck: Promise<NatBehaviour> | null;
}

/** The connected test: its links, the probe path taken and the RTP link when that path is RTP. */
interface Connected {
  links: Links;
  path: PathChoice;
  rtpLink: RtpLink | null;
  SimplePeer: SimplePeerCtor;
  /** The audio track was given to the RTP leg (whether or not that leg connected). */
  audioOnRtp: boolean;
}

/** What every attempt of one session shares: its options, environment, events and the facts read at its start. */
interface SessionBase {
  opts: RunOptions;
  env: SessionEnv;
  events: RunEvents;
  startedAt: string;
  clock: ClockFacts;
  sessionNotes: string[];
}

/**
 * Runs one test end to end and returns its graded report: config, plan (plan/test-plan.ts),
 * relay choice, connect, probe stream, analysis. The one session of the page (and so of
 * `callprobe run`) and of the load bench's Node clients; what differs between them comes in `env`.
 * A hub with edges (plan/edges.ts): the test runs on its one edge, or on the nearest of several
 * after a locate (locate/locate.ts), moving to the next when an edge does not serve it.
 * Throws SetupError when it cannot test.
 */
export async function runSession(opts: RunOptions, env: SessionEnv, given: RunEvents): Promise<Report> {
  // This browser lacks something the test cannot run without: say what, before anything is tried.
  const missing = env.missingApis?.() ?? [];
  if (missing.length > 0) throw new SetupError('browser-unsupported', unsupportedMessage(missing));
  const timeline = new SessionTimeline(() => performance.now());
  // Notes of our own (a progress display that failed, an audio source that stayed suspended) go into the report.
  const sessionNotes: string[] = [];
  const events = guardedEvents(given, sessionNotes);
  const base: SessionBase = { opts, env, events, startedAt: new Date().toISOString(), clock: clockFacts(), sessionNotes };
  events.phase('config', 'asking the server for a relay');
  const config: TestConfig = opts.override ? { kind: 'override', relay: opts.override } : { kind: 'server', server: await fetchServerConfig(opts.baseUrl) };
  timeline.mark('config');
  const where = planEdges(config, env.relayRtt !== undefined);
  if (where.kind === 'server') return testOn(base, config, timeline, null);
  let locate: Locate | null = null;
  const relayRtt = env.relayRtt;
  const rotation = opts.locate ?? null;
  if (where.locate && relayRtt !== undefined) {
    events.phase('config', locatePhrase(where.edges.length));
    const family = config.kind === 'server' ? pathFamily(config.server.clientAddress) : null;
    locate = await locateEdges(where.edges, relayRtt, DEFAULTS.locate, opts.signal, { family, rotation });
    if (opts.signal.aborted) throw new SetupError('cancelled', 'test cancelled');
  }
  // No edge answered the locate, neither its probes nor its first pass's relay allocation: the test does not land on
  // the first listed one; it says so, and whose side by the hub's word on them.
  if (locate !== null && locate.edges.every((e) => e.state !== 'ok' && e.allocateMs == null)) throw await noEdgeAnswered(opts.baseUrl, locate);
  // A scheduled site keeps its edge until another is clearly nearer on two samples in a row (siteEdge): that edge is tried first.
  const choice = locate !== null && rotation !== null ? siteEdge(locate.edges, rotation.keep, rotation.challenger) : null;
  const ids = locate ? testOrder(locate.edges) : where.edges.map((e) => e.id);
  const first = choice?.runOn ?? null;
  let order = (first === null ? ids : [first, ...ids.filter((id) => id !== first)]).flatMap((id) => where.edges.filter((e) => e.id === id));
  for (;;) {
    const [edge, ...rest] = order;
    if (edge === undefined) throw new SetupError('could-not-connect', 'no test server of this hub could be reached');
    const answered = locate?.edges.find((e) => e.id === edge.id)?.state === 'ok';
    const located = locate === null || rotation === null || choice === null ? locate : { ...locate, site: siteFacts(rotation, choice.challenger, edge.id) };
    const facts = { edge: { id: edge.id, azureRegion: edge.azureRegion }, locate: located, answered };
    // Asked about an Azure region whose edge is not this one: the region leg answers the row, this edge the client-to-edge targets.
    const legPlan = planRegionLeg(opts.profile, config.kind === 'server' ? (config.server.edges ?? []) : [], facts.edge, locate);
    const nearestBase: SessionBase = legPlan.kind === 'leg' ? { ...base, opts: { ...opts, profile: { id: 'client-to-edge' } } } : base;
    let report: Report;
    try {
      // After a locate or a failed attempt, the test's own setup times start now (the configuration came with the hub's).
      const t = locate === null && order.length === where.edges.length ? timeline : freshTimeline();
      report = await testOn(nearestBase, { kind: 'server', server: edge.config }, t, facts);
    } catch (err) {
      if (rest.length === 0 || !movesOn(err instanceof SetupError ? err.reason : null)) throw await onEdge(err, opts.baseUrl, edge.id);
      if (locate) locate = withUnreachable(locate, edge.id);
      events.phase('config', `the test server in ${edge.azureRegion} did not answer (${errorLine(err)}): trying ${rest[0]?.azureRegion ?? 'the next'}`);
      order = rest;
      continue;
    }
    return await withRegionLeg(base, report, legPlan, locate);
  }
}

/**
 * Every edge the locate measured was unreachable: the hub is asked again what it says of them
 * (plan/edge-side.ts), and the test ends there, its side by the hub's word: none offered any more
 * is ours, every one offered with its relay's own check passed is the network's.
 */
async function noEdgeAnswered(baseUrl: string, locate: Locate): Promise<SetupError> {
  const now = edgesNow(
    await fetchServerConfig(baseUrl),
    locate.edges.map((e) => e.id),
  );
  const side = noEdgeSide(now);
  return new SetupError('could-not-connect', noEdgeWords(now, side), { side, ...(now[0] !== undefined ? { edge: now[0].id } : {}) });
}

/**
 * A test that could not run on edge `id`, the last it tried: the edge named, and when the hub no
 * longer offers it (its beats stopped, its relay failed its own check), our side. A failure this
 * browser or the user caused (movesOn says none) is as it was.
 */
async function onEdge(err: unknown, baseUrl: string, id: string): Promise<unknown> {
  if (!(err instanceof SetupError) || !movesOn(err.reason)) return err;
  const { ours } = edgeRelayFacts(await fetchServerConfig(baseUrl).catch(() => null), id);
  return new SetupError(err.reason, ours ? `${err.message} (the hub no longer offers this test server: our side, not your network)` : err.message, {
    ...(ours ? { side: 'server' as const } : err.side !== null ? { side: err.side } : {}),
    edge: id,
    cause: err,
  });
}

/**
 * The nearest edge's report, with the region leg when the plan has one (plan/region-leg.ts): a
 * second full test on the edge in the asked Azure region, graded on that row, and the answer the
 * worse of the two (analysis/report/region-answer.ts). A leg that could not run, or whose edge the
 * locate found down, leaves the row ungraded, said so, never passed by omission.
 */
async function withRegionLeg(base: SessionBase, report: Report, plan: RegionLegPlan, locate: Locate | null): Promise<Report> {
  if (plan.kind !== 'leg' || base.opts.signal.aborted) return report;
  const { events } = base;
  const edge = { id: plan.edge.id, azureRegion: plan.edge.azureRegion };
  const asked: AskedRow = { id: 'azure-region', azureRegion: plan.azureRegion, from: base.opts.profile.from ?? 'site' };
  const answered = (leg: ReportLeg): Report => {
    const r = withRegionAnswer(report, asked, leg);
    events.phase('done', r.summary.verdict);
    return r;
  };
  // The locate found the region's edge down: nothing to try, the row has no verdict.
  if (locate?.edges.find((e) => e.id === edge.id)?.state === 'unreachable') {
    return answered({
      role: 'region',
      edge,
      report: null,
      couldNotRun: { reason: 'edge-down', message: `the test server in ${plan.azureRegion} did not answer the locate` },
    });
  }
  const where = `the test server in ${plan.azureRegion}`;
  events.phase('config', `a second test, on ${where}: the Azure region your profile is graded against`);
  // The leg's own events: its phases said as the region test's, no live figures or evidence over the first test's, no second 'done'.
  const legEvents: RunEvents = {
    phase: (p, d) => events.phase(p === 'done' ? 'analyzing' : p, `region test (${plan.azureRegion}): ${d}`),
    live: () => undefined,
  };
  const legBase: SessionBase = {
    ...base,
    opts: { ...base.opts, compare: null, load: false, video: false },
    events: legEvents,
    startedAt: new Date().toISOString(),
    sessionNotes: [],
  };
  try {
    // This network just carried the nearest edge's test: a leg that connects on no port is its edge's failure, never graded as the network (answered).
    const leg = await testOn(legBase, { kind: 'server', server: plan.edge.config }, freshTimeline(), { edge, locate: null, answered: true });
    return answered({ role: 'region', edge, report: leg });
  } catch (err) {
    // Only what the leg could not do is noted; a fault of our own code is not hidden in a note.
    if (!(err instanceof SetupError) || err.reason === 'cancelled') throw err;
    return answered({ role: 'region', edge, report: null, couldNotRun: { reason: err.reason, message: errorLine(err).slice(0, 1024) } });
  }
}

/** The progress line of the locate: how many edges, and how many of them the probes measure. */
function locatePhrase(edges: number): string {
  const l = DEFAULTS.locate;
  const within = `at most ${l.budgetMs / 1000} s`;
  return edges <= l.maxEdges
    ? `finding the nearest test server: ${edges} measured at once, ${within}`
    : `finding the nearest test server: ${edges} reached at once, the ${l.maxEdges} nearest of them measured, ${within}`;
}

/** A scheduled sample's site edge as the report keeps it, for a test on `ranOn`: the edge it had, the challenger the next sample carries, whether it moved. */
function siteFacts(rotation: LocateRotation, challenger: string | null, ranOn: string): SiteEdge {
  return { kept: rotation.keep, challenger: challenger === ranOn ? null : challenger, moved: rotation.keep !== null && rotation.keep !== ranOn };
}

/** A timeline whose test starts now, its configuration in hand. */
function freshTimeline(): SessionTimeline {
  const t = new SessionTimeline(() => performance.now());
  t.mark('config');
  return t;
}

/** The edge a test runs on, the locate that chose it, and whether that edge answered the locate (then no rung connecting is the edge's failure, not the network's). */
interface EdgeFacts {
  edge: EdgeIdentity;
  locate: Locate | null;
  answered: boolean;
}

/** One test on one server (the server asked, or one of its edges), from its configuration on. */
async function testOn(base: SessionBase, config: TestConfig, timeline: SessionTimeline, edge: EdgeFacts | null): Promise<Report> {
  const { opts, env, events, clock, sessionNotes } = base;
  const mark = (step: SessionMark): void => timeline.mark(step);
  const relay = relayOf(config);
  const checkPort = env.checkPort;
  let portChecks: Promise<PortCheck>[] | null = null;
  if (checkPort) {
    events.phase(
      'config',
      // Plain words on the status line: how many ways, not their protocol names (those are in Details for IT).
      `checking which ways to the test server this network lets through (${relay.turn.length === 1 ? 'one way' : `${relay.turn.length} ways`})`,
    );
    portChecks = relay.turn.map((t) => settledPortCheck(t, checkPort(t, relay)));
  }
  // In parallel with the port checks, awaited only when the report is built: it never delays the verdict.
  const natCheck = config.kind === 'server' ? startNatCheck(relay.turn, env.gatherNat) : null;
  const plan = planTest(opts, config, capabilitiesOf(env), {
    startedAt: base.startedAt,
    userAgent: env.userAgent,
    edge: edge === null ? null : { edge: edge.edge, locate: edge.locate },
  });
  // Before anything is loaded: the most the phase can move (what this server grants).
  if (plan.load.kind === 'planned') {
    events.phase('config', budgetSentence(plan.load.offer.maxBytesPerDirection));
    events.budget?.(plan.load.offer.maxBytesPerDirection);
  }
  const c: Conduct = { opts, env, plan, relay, events, timeline, mark, sessionNotes, clock, portChecks, natCheck };

  let entry: TurnServerEntry;
  try {
    entry = await chooseEntry(relay.turn, portChecks, opts.turnPick);
  } catch (err) {
    // No rung connected: that is an answer about the network (the ladder says which and why), not a tool error,
    // unless the edge answered the locate moments ago: then it is the edge that stopped answering.
    if (!(err instanceof SetupError) || err.reason !== 'could-not-connect' || !portChecks || opts.turnPick || edge?.answered === true) throw err;
    // A server that stopped answering meanwhile is no answer about the network: it fails here (config-unavailable). One that
    // answers says, now, whether its relay answered other tests; a hub, whether it still offers this edge and its relay's own check.
    const fresh = config.kind === 'server' ? await fetchServerConfig(opts.baseUrl) : null;
    const rungs = ladder(await Promise.all(portChecks));
    events.phase('analyzing', 'no relay port connected');
    const facts = edge === null ? { ours: false, evidence: fresh?.relayEvidence ?? null } : edgeRelayFacts(fresh, edge.edge.id);
    const report = analyze(unconnectedInput(plan, rungs, timeline, await natCheck, clock, facts.evidence, facts.ours));
    events.phase('done', report.summary.verdict);
    return report;
  }
  mark('allocation');

  events.phase(
    'connecting',
    `${plan.mode === 'reflector' ? `to the test server${edge === null ? '' : ` in ${edge.edge.azureRegion}`}` : 'a loop inside this page'} through its relay (${entry.transport === 'udp' ? '' : 'over a fallback path, '}port ${entry.port})`,
  );
  const [SimplePeer, audio] = await Promise.all([env.loadSimplePeer(), env.openAudio ? env.openAudio(opts.audio) : NO_AUDIO]);
  sessionNotes.push(...(audio.notes ?? []));
  const opened = new TestResources(audio);
  try {
    const connected = await connect(c, entry, SimplePeer, audio, opened);
    return await streamAndGrade(c, entry, connected, audio, opened);
  } finally {
    // Whatever ended the test: no getStats poll, page watch, connection or audio outlives it.
    // On a throw the test's own error is what the page shows; a close that failed too goes to the console.
    for (const failed of opened.closeAll()) console.warn(`callprobe: ${failed} while the test ended`);
  }
}

/** What the environment can do, for the plan: its optional parts, and the browser's RTP transforms. */
function capabilitiesOf(env: SessionEnv): TestCapabilities {
  return {
    portChecks: env.checkPort !== undefined,
    rtpLeg: env.openRtpLeg !== undefined,
    rtpTransforms: typeof RTCRtpScriptTransform !== 'undefined',
    loadTransport: env.loadTransport !== undefined,
  };
}

/** Opens the test's links (and the RTP leg when planned), waits for the RTP leg, and takes the probe path. */
async function connect(c: Conduct, entry: TurnServerEntry, SimplePeer: SimplePeerCtor, audio: AudioHandle, opened: TestResources): Promise<Connected> {
  const { opts, env, plan } = c;
  const iceServers = [iceServerFor(entry, c.relay)];
  const audioStream = audio.stream;
  const openRtpLeg = env.openRtpLeg;
  // The audio track rides the RTP leg when there is one (its frames are the probes), else the data-channel leg.
  const rtpPlanned = plan.rtp.planned && audioStream !== null && openRtpLeg !== undefined;
  const links = await connectLinks({
    mode: plan.mode,
    SimplePeer,
    iceServers,
    signalingUrl: plan.reflectorPath ? wsUrl(opts.baseUrl, plan.reflectorPath) : null,
    stream: rtpPlanned ? undefined : (audioStream ?? undefined),
    timeoutMs: CONNECT_TIMEOUT_MS,
    signal: opts.signal,
    wrtc: env.wrtc,
    WebSocketImpl: env.WebSocketImpl,
    onStep: c.mark,
    openRtp: rtpPlanned
      ? (sendSignal) =>
          openRtpLeg({
            iceServers,
            stream: audioStream,
            sendSignal,
            timeoutMs: CONNECT_TIMEOUT_MS,
            signal: opts.signal,
            arrivals: opts.arrivals ?? 'receive-time',
            onStep: c.mark,
          })
      : undefined,
    ...(plan.rtp.planned ? { rtpGraceMs: plan.rtp.connectGraceMs } : {}),
  });
  opened.links = links;
  c.mark('channelOpen');
  return { links, path: choosePath(plan, rtpOutcome(c, links, audioStream !== null)), rtpLink: links.rtp, SimplePeer, audioOnRtp: rtpPlanned };
}

/** What became of the RTP leg, when the plan has one (connectLinks opened it first, and waited its grace). */
function rtpOutcome(c: Conduct, links: Links, hasAudio: boolean): RtpLegOutcome {
  // Without an RTP plan the path is the data channel whatever the leg: choosePath says why.
  if (!c.plan.rtp.planned) return { leg: 'absent', because: 'no-rtp-leg' };
  if (!hasAudio) return { leg: 'absent', because: 'no-audio-track' };
  return links.rtpOutcome ?? { leg: 'absent', because: 'no-rtp-leg' };
}

/**
 * What the report says of the graded probe path's delivery: the data channel's probe channel as
 * it was opened, or the RTP stream's (each frame sent once, in no order but the network's: no
 * retransmission is negotiated for the audio, and RTP has no transport ordering).
 */
function channelFacts(links: Links): { ordered: boolean; maxRetransmits: number | null } {
  const dc = dataChannelOf(links);
  return dc ? { ordered: dc.sender.probe.ordered, maxRetransmits: dc.sender.probe.maxRetransmits } : { ordered: false, maxRetransmits: 0 };
}

/** The probe path hides no loss and no reordering (the analysis' own test of the report's channel facts). */
function isLossyChannel(c: { ordered: boolean; maxRetransmits: number | null }): boolean {
  return !c.ordered && c.maxRetransmits === 0;
}

/** Streams the probes on the connected test, then gathers what the parts returned and grades it. */
async function streamAndGrade(c: Conduct, entry: TurnServerEntry, connected: Connected, audio: AudioHandle, opened: TestResources): Promise<Report> {
  const { env, plan } = c;
  const { links, path, rtpLink } = connected;
  const dc = dataChannelOf(links);
  const statsPc = rtpLink?.pc ?? dc?.sender.pc;
  if (statsPc === undefined) throw new Error('connected with neither an RTP leg nor a data channel');
  // The audio track was given to the RTP leg: when that leg is not graded, the data-channel leg carries no audio.
  const statsAudio = connected.audioOnRtp && !path.rtp ? 'none' : audio.source;
  opened.stats = env.createStats?.(statsPc, statsAudio, plan.mode === 'loopback' ? (dc?.receiver.pc ?? null) : null) ?? null;
  opened.stats?.start();
  opened.watch = env.createWatch?.() ?? null;
  opened.watch?.start();
  const busy: { evidence: LoadEvidence | null } = { evidence: null };

  // Before the last probe is sent and the reflector's tally closes, a throw ends the test as it always did.
  const outcome = await streamProbes(streamSetup(c, entry, connected, opened, busy));

  // From here the evidence is measured: nothing that fails later throws it away (after-stream.ts).
  const after = new AfterStream();
  const sampled = opened.stats;
  // The busy-line phase, if it ran, froze the second opinion at its start (it is of the idle window).
  if (sampled) await after.step("the browser's statistics (getStats)", () => opened.stopStats(), undefined);
  opened.stats = null;
  const watched = opened.watch;
  const watchSuspect = watched ? await after.step('the page watch', () => watched.stop(), []) : [];
  opened.watch = null;
  const pathChangeTimesMs = sampled ? await after.step('the path changes from getStats', () => [...sampled.pathChangeTimesMs], []) : [];
  const records = outcome.build([...watchSuspect, ...aroundPathChanges(pathChangeTimesMs)]);
  const checks = c.portChecks ? await Promise.all(c.portChecks) : [];
  const compared = await compareMode(c, connected, checks, outcome, opened, after);
  const video = await videoMode(c, connected, entry, outcome, opened, after);
  c.events.phase('analyzing', 'grading');
  for (const failed of opened.closeAll()) after.notes.push(`${failed} after the stream`);
  const chosen = chosenPath(entry);
  const statsPath = sampled ? await after.step('the path from getStats', () => sampled.path(), null) : null;
  const opinion = sampled ? await after.step("the browser's second opinion", () => sampled.opinion(outcome.reflectorInboundJitterMs), null) : null;
  const rttViews = sampled ? await after.step("the browser's round trips", () => sampled.rttViews(), null) : null;
  const { timeline } = c;
  const times = {
    setup: timeline.setup(),
    allocation: timeline.get('allocation'),
    channelOpen: timeline.get('channelOpen'),
    lastProbe: timeline.get('lastProbe'),
  };
  const natCheck = c.natCheck;
  const nat = natCheck ? await after.step('the NAT check', () => natCheck, null) : null;
  const input = assembleInput({
    plan,
    path,
    channel: channelFacts(connected.links),
    entry,
    checks,
    stream: outcome,
    records,
    compared,
    statsPath,
    opinion,
    rttViews,
    nat,
    pageHidden: watched?.everHidden ?? false,
    sessionNotes: c.sessionNotes,
    clock: c.clock,
    times,
    load: busy.evidence,
    video,
  });
  c.events.evidence?.(input);
  const report = after.report(input, chosen);
  c.mark('verdict');
  report.timelineMs = { lastProbe: timeline.get('lastProbe'), verdict: timeline.get('verdict') };
  c.events.phase('done', report.summary.verdict);
  return report;
}

/** The probe stream's setup: the path taken, the provisional answers' setting, the busy-line phase when planned. */
function streamSetup(c: Conduct, entry: TurnServerEntry, connected: Connected, opened: TestResources, busy: { evidence: LoadEvidence | null }): StreamSetup {
  const { opts, env, plan, events } = c;
  const { links, path, rtpLink } = connected;
  const { sender, receiver, control } = links;
  const profile = profileOrNull(opts.profile);
  const pathChanges = (): SuspectInterval[] => aroundPathChanges(opened.stats?.pathChangeTimesMs ?? []);
  const load = plan.load;
  return {
    mode: plan.mode,
    sender,
    receiver,
    control,
    count: path.dataChannel.count,
    intervalMs: path.dataChannel.intervalMs,
    payloadBytes: path.dataChannel.payloadBytes,
    createPacer: (o) => env.createPacer(o),
    signal: opts.signal,
    phase: (p, d) => events.phase(p, d),
    live: (f) => events.live(f),
    mark: c.mark,
    signalingClosed: links.signalingClosed,
    rtp: rtpLink && plan.rtp.planned ? { link: rtpLink, collector: new RtpCollector(plan.rtp.capacity, plan.rtp.graded.intervalMs) } : null,
    provisional:
      profile === null
        ? null
        : {
            setting: {
              profile,
              ratePps: path.graded.ratePps,
              channelOk: isLossyChannel(channelFacts(links)),
              durationS: opts.durationS,
              intervalMs: path.graded.intervalMs,
              likelyClaims: rtpLink !== null,
            },
            path: { transport: entry.transport, port: entry.port },
          },
    suspectSoFar: () => [...(opened.watch?.peek?.() ?? []), ...pathChanges()],
    busy:
      load.kind === 'planned'
        ? {
            afterMs: load.afterMs,
            run: async (rttSince, signal) => {
              // getStats' second opinion is of the idle window: it stays as it is where the load starts (the round-trip readings go on).
              void opened.stats?.freezeOpinion();
              const both = anySignal([signal, opts.signal]);
              busy.evidence = await runLoadPhase({
                // A hub's edge serves its own load sink and source: load and probes share the path the test measures.
                baseUrl: load.offer.url ?? opts.baseUrl,
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
  };
}

/** Compare mode, when asked and the stream's connection held: a short stream per reachable rung, each with the path to itself. */
async function compareMode(
  c: Conduct,
  connected: Connected,
  checks: PortCheck[],
  outcome: StreamOutcome,
  opened: TestResources,
  after: AfterStream,
): Promise<CompareOutcome | null> {
  const { opts, env, plan } = c;
  const compare = plan.compare;
  if (!compare || checks.length === 0 || outcome.connectionLost !== null) return null;
  // The graded stream's connection is closed first: each rung gets the path to itself.
  connected.links.close();
  opened.links = null;
  return await after.step(
    'compare mode',
    () =>
      compareRungs({
        entries: c.relay.turn.filter((t, i) => checks[i]?.reachable === true),
        secondsPerRung: compare.secondsPerRung,
        mode: plan.mode,
        ratePps: compare.ratePps,
        payloadBytes: plan.dataChannel.payloadBytes,
        cfg: c.relay,
        signalingUrl: plan.reflectorPath ? wsUrl(opts.baseUrl, plan.reflectorPath) : null,
        SimplePeer: connected.SimplePeer,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        signal: opts.signal,
        createPacer: (o) => env.createPacer(o),
        wrtc: env.wrtc,
        WebSocketImpl: env.WebSocketImpl,
        phase: (detail) => c.events.phase('streaming', detail),
        now: () => performance.now(),
      }),
    null,
  );
}

/**
 * The video phase, when asked for and where the client can make video: after the probes (and
 * compare mode), on the test's own relay entry, with the graded stream's connection closed first
 * so the phase has the path to itself. A phase that cannot measure is a note; the voice verdict
 * stands as it is.
 */
async function videoMode(
  c: Conduct,
  connected: Connected,
  entry: TurnServerEntry,
  outcome: StreamOutcome,
  opened: TestResources,
  after: AfterStream,
): Promise<VideoEvidence | null> {
  const { opts, env, plan } = c;
  const video = env.video;
  if (opts.video !== true || video === undefined || plan.reflectorPath === null || outcome.connectionLost !== null) return null;
  connected.links.close();
  opened.links = null;
  c.events.phase('streaming', `sending video through the relay for ${CONSTANTS.video.seconds} s`);
  return await after.step(
    'the video phase',
    () =>
      runVideoPhase({
        signalingUrl: wsUrl(opts.baseUrl, plan.reflectorPath as string),
        iceServer: iceServerFor(entry, c.relay),
        openSource: () => video.openSource(),
        createPeerConnection: (config) => video.createPeerConnection(config),
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        signal: opts.signal,
        now: () => performance.now(),
        ...(env.WebSocketImpl ? { WebSocketImpl: env.WebSocketImpl } : {}),
      }),
    null,
  );
}

/** A change of the selected path marks one second either side of it. */
function aroundPathChanges(timesMs: readonly number[]): SuspectInterval[] {
  return timesMs.map((t) => ({ startMs: t - 1000, endMs: t + 1000, reason: 'path-change' as const }));
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
  return {
    phase: (p, d) => guard(() => events.phase(p, d)),
    live: (f) => guard(() => events.live(f)),
    evidence: (input) => guard(() => events.evidence?.(input)),
  };
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
