/**
 * analyze(input) -> Report: pure, total on valid input (empty records give
 * `insufficient` with reasons), linear or n log n in the number of probes.
 * Invalid input (non-finite numbers, wrong mode, unknown profile) is refused with an
 * AnalysisInputError listing every problem.
 *
 * Layers: measure (metrics) -> grade (rules, returning facts) -> present (the words) -> here,
 * where each section is graded and then described.
 */
import { gradeWithWitnessedLoss, silentDetail, witnessGaps, type WitnessGaps } from '../grade/witness-gap.js';
import { unfinishedVerdict } from '../grade/blocked-ports.js';
import { farRelayHint, networkHints } from '../grade/hints.js';
import { estimateMos } from '../grade/mos.js';
import { diagnose } from '../grade/diagnostics.js';
import { type GradedDirection, gradeTest, verdictOf } from '../grade/grade.js';
import { targetResolutions } from '../grade/resolution.js';
import { secondOpinion } from '../grade/second-opinion.js';
import { BURST_WINDOW_MS, ProfileError, type ResolvedProfile, resolveProfile, SUSTAINED_WINDOW_MS } from '../grade/targets.js';
import { teamsPoorStream } from '../grade/teams-tier.js';
import type { DirectionRecords, SuspectInterval } from '../measure/records.js';
import { analyzeRoundTrip } from '../measure/rtt.js';
import { insufficientCauseText } from '../present/cause-text.js';
import { explain } from '../present/explain.js';
import {
  describeDiagnostics,
  describeGrade,
  describeHints,
  describeMos,
  describePath,
  describeRung,
  describeSecondOpinion,
  describeTarget,
  describeTeams,
  withCaution,
} from '../present/sections.js';
import { methodSentences } from '../present/sentences.js';
import { withoutClientAddresses } from './client-addresses.js';
import { directionDetail, roundTripDetail, summarize } from './details.js';
import { provisionalHistory } from './provisional-history.js';
import type { AnalysisInput } from '../schema/input.js';
import type { DirectionName, Report } from '../schema/report-schema.js';
import { SCHEMA_VERSION } from '../schema/version.js';
import type { Locate } from '../schema/locate-schema.js';
import { pathChanged } from '../grade/locate.js';
import { AnalysisInputError, inputProblems } from './validate.js';
import { loadSection, separateLoad } from './load.js';
import { gradeVideo } from '../grade/video.js';
import { serverLoopFacts, type ServerLoopFacts } from '../measure/server-loop.js';
import { attributeTest, attributionFacts, attributionSection, causeOf, deviceTooBusyOf, roundTripSuspect } from './attribution.js';
import { qosOf } from '../grade/qos.js';

export { AnalysisInputError } from './validate.js';

/** A suspect interval covering a whole direction (page hidden but no times recorded). */
function wholeTest(d: DirectionRecords): SuspectInterval[] {
  const first = d.sent[0];
  const last = d.sent[d.sent.length - 1];
  if (first === undefined || last === undefined) return [];
  return [{ startMs: first.sendMs, endMs: last.sendMs + d.intervalMs, reason: 'page-hidden' }];
}

function resolve(input: AnalysisInput): ResolvedProfile {
  try {
    return resolveProfile(input.meta.profile);
  } catch (e) {
    if (e instanceof ProfileError) throw new AnalysisInputError('unknown-profile', [e.message]);
    throw e;
  }
}

/** The server's event-loop delay over the graded stream, from the first probe `client` sent to the last; null without readings. */
function serverSection(client: DirectionRecords | null, input: AnalysisInput): ServerLoopFacts | null {
  const first = client?.sent[0];
  const last = client?.sent.at(-1);
  return first === undefined || last === undefined ? null : serverLoopFacts(input.views?.serverLoopDelayMs ?? [], first.sendMs, last.sendMs);
}

/** The report's `meta`: what the test was, as the input said it, with the profile resolved and its targets. */
function reportMeta(input: AnalysisInput, profile: ReturnType<typeof resolve>, targets: Report['meta']['targets']): Report['meta'] {
  const meta = input.meta;
  return {
    schemaVersion: SCHEMA_VERSION,
    callprobeVersion: meta.callprobeVersion,
    browser: meta.browser,
    startedAt: meta.startedAt,
    server: meta.server,
    mode: meta.mode,
    profile: { id: profile.id, azureRegion: profile.azureRegion, from: profile.from, label: profile.label, source: profile.source },
    ratePps: meta.ratePps,
    payloadBytes: meta.payloadBytes,
    durationS: meta.durationS,
    lossTimeoutMs: input.lossTimeoutMs,
    channel: { ordered: meta.channel.ordered, maxRetransmits: meta.channel.maxRetransmits },
    site: meta.site,
    ...(input.clock ? { clock: { resolutionMs: input.clock.resolutionMs, crossOriginIsolated: input.clock.crossOriginIsolated } } : {}),
    ticket: meta.ticket,
    targets,
    methods: methodSentences(input.lossTimeoutMs),
    ...(meta.edge ? { edge: { id: meta.edge.id, azureRegion: meta.edge.azureRegion } } : {}),
  };
}

/**
 * The locate as the report keeps it, with `pathChanged` when the test's round-trip median (the
 * graded round trips) says the path to the edge it ran on changed after the locate (grade/locate.ts pathChanged).
 */
function locateSection(locate: Locate, ranOn: string | null, rttMsP50: number | null): Locate {
  const { pathChanged: _given, ...rest } = locate;
  const out: Locate = { ...rest, edges: locate.edges.map((e) => ({ ...e })) };
  const p90 = locate.edges.find((e) => e.id === ranOn && e.state === 'ok')?.rttMsP90 ?? null;
  return rttMsP50 !== null && p90 !== null && pathChanged(rttMsP50, p90) ? { ...out, pathChanged: { rttMsP50, locateRttMsP90: p90 } } : out;
}

export function analyze(given: AnalysisInput): Report {
  const { reason, problems } = inputProblems(given);
  if (problems.length > 0) throw new AnalysisInputError(reason, problems);
  // The busy-line phase rides the same probe stream: the idle grades read only what came before it.
  const { idle: input, load } = separateLoad(given);
  const profile = resolve(input);
  const meta = input.meta;

  // The page was hidden but no hidden interval was recorded: distrust the whole test.
  const recorded = [input.up, input.down, input.loop].some((d) => d?.suspect.some((s) => s.reason === 'page-hidden') === true);
  const hiddenWithoutIntervals = input.pageHidden && !recorded;
  const withSuspect = (d: DirectionRecords): DirectionRecords => (hiddenWithoutIntervals ? { ...d, suspect: [...d.suspect, ...wholeTest(d)] } : d);

  const named: Array<{ name: DirectionName; records: DirectionRecords }> = [];
  if (meta.mode === 'reflector') {
    if (input.up !== null) named.push({ name: 'up', records: withSuspect(input.up) });
    if (input.down !== null) named.push({ name: 'down', records: withSuspect(input.down) });
  } else if (input.loop !== null) {
    named.push({ name: 'loop', records: withSuspect(input.loop) });
  }
  const lengths = { burstMs: BURST_WINDOW_MS, sustainedMs: SUSTAINED_WINDOW_MS };
  // Whose time each stretch was (measure/attribution.ts): a window in the device's or the server's is suspect too.
  const counted = attributeTest(named, input, lengths);
  const directions: GradedDirection[] = counted.map((c) => ({ name: c.attribution.name, analysis: c.analysis }));

  // Round trips are timed on the client clock, the clock of the up (or loop) sender.
  const client = named.find((d) => d.name === 'up' || d.name === 'loop');
  const server = serverSection(client?.records ?? null, input);
  const roundTrip = analyzeRoundTrip(input.roundTrip, roundTripSuspect(client?.records ?? null, input));

  const channelOk = meta.channel.ordered === false && meta.channel.maxRetransmits === 0;
  const clockResolutionMs = input.clock?.resolutionMs ?? null;
  const attribution = attributionFacts(counted, input);
  // What the relay saw beside what our reflector counted (grade/witness-gap.ts): our own loss is never the network's.
  const gaps = witnessGaps(input.probe.path, input.witness, directionFacts(directions, 'up'), directionFacts(directions, 'down'));
  const grades = gradeTest({ profile, ratePps: meta.ratePps, directions, roundTrip, channelOk, clockResolutionMs, attribution })
    .map((g) => gradeWithWitnessedLoss(g, gaps))
    .map(describeGrade);
  const outcome = input.outcome ?? silentOutcome(gaps);
  // A test that could not finish is never graded as the user's network, unless that network blocked every port calls use (blocked-ports.ts).
  const verdict = outcome !== null ? unfinishedVerdict(outcome, input.connectivity) : verdictOf(grades);
  const attributionOut = attributionSection({
    counted,
    facts: attribution,
    roundTrips: { measured: roundTrip.rttMs?.count ?? 0, clean: roundTrip.gradedRttMs?.count ?? 0 },
    input,
  });
  const cause = causeOf(verdict, grades, named, attributionOut, { ...input, outcome });
  const targetFacts = targetResolutions(profile, meta.ratePps, meta.durationS, clockResolutionMs);
  const targets = targetFacts.map(describeTarget);

  const rttP50 = roundTrip.gradedRttMs?.p50 ?? null;
  const mosFacts = estimateMos(rttP50, directions);
  const mos = describeMos(mosFacts, verdict);
  const worse = (vals: Array<number | null>): number | null => vals.reduce<number | null>((a, v) => (v === null ? a : a === null || v > a ? v : a), null);
  // A direction whose loss was partly or wholly our reflector's, or never left this device, is no evidence of a poor stream (grade/witness-gap.ts).
  const oursDir = (name: string): boolean =>
    (gaps.silent !== null && name === 'up') || gaps.ours.some((o) => o.direction === name) || (gaps.unsent !== null && name === 'up');
  const teams = describeTeams(
    teamsPoorStream({
      degradationMos: worse(mosFacts.perDirection.filter((m) => !oursDir(m.direction)).map((m) => m.degradation)),
      rttMsMean: roundTrip.gradedRttMs?.mean ?? null,
      lossPct: worse(directions.filter((d) => !oursDir(d.name)).map((d) => d.analysis.loss.lossPct)),
      jitterMs: worse(directions.map((d) => d.analysis.reportedJitter.meanMs)),
      concealedRatio: input.stats?.concealedRatio ?? null,
    }),
  );
  const audioDirection = directions.find((d) => d.name === input.stats?.inboundJitterDirection);
  const secondFacts = secondOpinion({
    mode: meta.mode,
    stats: input.stats,
    probeRttMsP50: rttP50,
    probeJitterMs: audioDirection?.analysis.reportedJitter.meanMs ?? null,
  });
  const second = describeSecondOpinion(secondFacts);
  const diagnostics = describeDiagnostics(
    diagnose({
      meta,
      path: input.path,
      sender: input.sender,
      pageHidden: input.pageHidden,
      suspect: directions.flatMap((d) =>
        d.analysis.suspect.map((s) => ({
          direction: d.name,
          interval: { ...s, startMs: s.startMs - (d.analysis.originMs ?? 0), endMs: s.endMs - (d.analysis.originMs ?? 0) },
        })),
      ),
      hiddenWithoutIntervals,
      clientIntervalMs: client?.records.intervalMs ?? 1000 / meta.ratePps,
      unknownArrivals: directions.reduce((acc, d) => acc + d.analysis.classified.unknownArrivals, 0),
      duplicates: directions.reduce((acc, d) => acc + d.analysis.classified.duplicates, 0),
      secondOpinion: secondFacts,
      targets: targetFacts,
      notes: input.notes,
    }),
  );

  const detail = (n: DirectionName) => {
    const d = directions.find((x) => x.name === n);
    return d === undefined ? null : directionDetail(n, d.analysis);
  };

  const path = input.path;
  const far = farRelayHint(meta.profile, grades);
  const hints = describeHints([...networkHints(input.connectivity, path, input.nat, meta.browser), ...(far ? [far] : [])]);
  const summary = withCaution(
    summarize({ mode: meta.mode, ratePps: meta.ratePps, directions, roundTrip, mos: mos.value, verdict, insufficientCause: cause }),
    hints,
    path.transport,
    // A test that could not finish carries no caution: its outcome is the answer.
    input.outcome === null && deviceTooBusyOf(counted),
  );
  const provisional = provisionalHistory(input.provisional, grades, directions);
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    meta: reportMeta(input, profile, targets),
    connectivity: input.connectivity.map(describeRung),
    path: describePath(path, path.family),
    setupMs: { ...input.setupMs },
    timelineMs: { lastProbe: input.lastProbeMs, verdict: null },
    outcome: outcome === null ? null : { ...outcome },
    probe: { ...input.probe },
    compare: input.compare,
    nat: input.nat,
    hints,
    witness: input.witness,
    summary,
    grades,
    directions: { up: detail('up'), down: detail('down'), loop: detail('loop'), roundTrip: roundTripDetail(roundTrip) },
    mos,
    teamsPoorStream: teams,
    secondOpinion: second,
    diagnostics,
    explanation: explain({
      verdict,
      profileLabel: profile.label,
      grades,
      mos,
      teams,
      diagnostics,
      outcome,
      hints,
      connectivity: input.connectivity,
      caution: summary.caution ?? null,
      path,
      userAgent: meta.browser,
      causeText: insufficientCauseText({ summary, outcome, attribution: attributionOut, meta: { ratePps: meta.ratePps }, probe: input.probe }),
    }),
    ...(provisional === undefined ? {} : { provisional }),
    ...(load !== null ? { load: loadSection(load, input, profile) } : {}),
    ...(input.video ? { video: gradeVideo(input.video) } : {}),
    attribution: attributionOut,
    ...(input.locate ? { locate: locateSection(input.locate, input.meta.edge?.id ?? null, roundTrip.gradedRttMs?.p50 ?? null) } : {}),
    ...(server === null ? {} : { server }),
    ...(input.qos ? { qos: qosOf(input.qos) } : {}),
  };
  // Free texts from elsewhere (browser and ICE errors, the reflector's messages, notes) may name the client.
  return withoutClientAddresses(report).value;
}

/** A direction's probe figures as the witness compares them (grade/witness-gap.ts); null when the test has no such direction. */
function directionFacts(
  directions: readonly GradedDirection[],
  name: 'up' | 'down',
): { packetsSent: number; packetsReceived: number; neverArrived: number; lossPct: number | null } | null {
  const d = directions.find((x) => x.name === name);
  if (d === undefined) return null;
  return {
    packetsSent: d.analysis.classified.n,
    packetsReceived: d.analysis.received,
    neverArrived: d.analysis.classified.missing,
    lossPct: d.analysis.loss.lossPct,
  };
}

/** The outcome of a test whose reflector counted none of the probes the relay carried: ours (grade/witness-gap.ts). */
function silentOutcome(gaps: WitnessGaps): NonNullable<AnalysisInput['outcome']> | null {
  const s = gaps.silent;
  if (s === null) return null;
  return {
    reason: 'reflector-silent',
    atMs: null,
    detail: silentDetail(s),
    side: 'server',
  };
}
