/**
 * The callprobe report, as a TypeBox schema (runtime JSON Schema + static type).
 *
 * Browser code imports only the TYPES from here (`import type { Report } ...`); the
 * analysis never imports this module at runtime. `report.schema.json` next to this file is
 * `JSON.stringify(ReportSchema, null, 2)`, kept equal by test/analysis/schema/schema.test.ts.
 * Units are in field names (ms, pct, bytes); percentages are 0..100.
 *
 * Versions: 3 (current) added `attribution` (whose time each window was: the network's, this
 * device's or the server's, measure/attribution.ts), `summary.insufficientCause`, and the grade
 * reasons `device-busy` and `server-busy`, and then, as optional fields (so that reports stored
 * before them stay valid), `probe.fallback`, `probe.attempts` (each opening of the RTP leg, when
 * the reflector asked for it again), `meta.edge` and `locate` (a hub's edges,
 * ./locate-schema.ts), `server` (the server's event-loop delay over the test,
 * measure/server-loop.ts), `devices` (the user's microphone, speaker and camera,
 * ./devices-schema.ts, never graded), `teamsReachability` (whether listed media relays answer,
 * ./reachability-schema.ts, never graded), `network` (the connection type and a split path,
 * ./network-schema.ts, never graded), `legs` (the region leg: a full report of a second test
 * on the edge in the profile's Azure region) and `qos` (whether the test's QoS mark survived each
 * way, ./qos-schema.ts, never graded). Version 2 (./report-v2-schema.ts) moved the relay
 * path, the port checks and the timings out of `meta`; version 1 is ./report-v1-schema.ts. Both
 * are frozen, so stored reports stay readable (`upgradeReport` in ../report/migrate.ts turns any
 * into the current shape); the sections version 3 did not change are defined there and used
 * here as they are.
 */
import { type Static, Type } from '@sinclair/typebox';
import { SCHEMA_VERSION } from './version.js';
import { SIDES } from '../../protocol/could-not-finish.js';
import { RESULT_CODE_PATTERN } from '../../protocol/result-code.js';
import {
  ConfidenceSchema,
  DiagnosticsSchema,
  DirectionDetailSchema,
  DirectionNameSchema,
  GradeDirectionSchema,
  GradeEntrySchema as GradeEntryV1Schema,
  InsufficientReasonSchema as InsufficientReasonV1Schema,
  Int,
  MosDirectionSchema,
  MosSchema,
  Nullable,
  Num,
  Obj,
  PathTransportSchema,
  ProfileIdSchema,
  RoundTripDetailSchema,
  StatusSchema,
  TargetIdSchema,
  TargetMetaSchema,
  TeamsPoorStreamSchema,
  VerdictSchema,
  WarningCodeSchema,
  WindowResultSchema,
} from './report-v1-schema.js';
import {
  type CompareSchema,
  type FamilySchema,
  type HintCodeSchema,
  type HintSchema,
  MetaV2Schema,
  type NatSchema,
  OutcomeSchema as OutcomeV2Schema,
  type PathSchema,
  ProbePathSchema as ProbePathV2Schema,
  type ProvisionalAnswerSchema,
  type ProvisionalClaimSchema,
  ReportV2Schema,
  type RungErrorSchema,
  type RungSchema,
  type SecondOpinionSchema,
  type SetupSchema,
  SummaryV2Schema,
  type TransportSchema,
  type WitnessSchema,
} from './report-v2-schema.js';
import { LoadSchema } from './load-schema.js';
import { VideoSchema } from './video-schema.js';
import { EdgeIdentitySchema, LocateSchema } from './locate-schema.js';
import { DevicesSchema } from './devices-schema.js';
import { ReachabilitySchema } from './reachability-schema.js';
import { NetworkSchema } from './network-schema.js';
import { QosSchema } from './qos-schema.js';
import { ATTRIBUTION_MAX_BINS, ATTRIBUTION_MAX_INTERVALS, SERVER_LOOP_MAX_DELAY_MS, SERVER_LOOP_MAX_WINDOWS } from './attribution-limits.js';

export { ClaimKindSchema } from './report-v2-schema.js';
export { GradeDirectionSchema, ProfileIdSchema, StatusSchema, TargetIdSchema, VerdictSchema };
export { SCHEMA_VERSION };

/**
 * The test's settings and what it ran on (as in version 2), the edge of a hub it ran on (absent:
 * none), and the stored result this test was run again from (absent: none).
 */
const MetaSchema = Obj({
  ...MetaV2Schema.properties,
  schemaVersion: Type.Literal(SCHEMA_VERSION),
  edge: Type.Optional(EdgeIdentitySchema),
  asked: Type.Optional(
    Obj(
      {
        id: Type.Literal('azure-region'),
        azureRegion: Type.String(),
        from: Type.Union([Type.Literal('site'), Type.Literal('edge')]),
      },
      "The profile the test was asked for, when a region leg answers its Azure row (`legs`): the nearest edge's test, this report's own grades, is then graded on Microsoft's client-to-edge targets (`profile`), and the verdict is the worse of the two (docs/regions.md). Absent otherwise.",
    ),
  ),
  previousCode: Type.Optional(
    Type.String({
      pattern: RESULT_CODE_PATTERN,
      description:
        "The result code of an earlier test this browser ran it again from (its result page's link): the browser's claim, kept by the server only for a result it stored within the last 30 days.",
    }),
  ),
});

/**
 * Why a target could not be judged: version 1's reasons, and (version 3) `device-busy` /
 * `server-busy`: the evidence was mostly this device's or the server's time, or the probes' round
 * trip was contradicted by the browser's network thread (measure/attribution.ts); `server-missed`:
 * a loss that failed was partly our reflector's, past the relay (grade/witness-gap.ts).
 */
const InsufficientReasonSchema = Type.Union([
  ...InsufficientReasonV1Schema.anyOf,
  Type.Literal('device-busy'),
  Type.Literal('server-busy'),
  Type.Literal('server-missed'),
]);

const GradeEntrySchema = Obj({ ...GradeEntryV1Schema.properties, reason: Nullable(InsufficientReasonSchema) });

/**
 * Why the verdict is `insufficient`, as one code (null for any other verdict):
 * `could-not-finish` (the test could not connect or lost its connection), `page-hidden` (the page
 * was in the background), `device-busy` (this device fell behind: a late timer, stalls, receive
 * lag), `server-busy` (the server held probes or its loop ran late), `path-changed` (the
 * connection's path changed during the windows that matter), `reliable-channel` (the probe
 * channel retransmitted, hiding loss), `too-few-probes` (too few probes came back), `too-short`
 * (no full window), `not-resolvable` (the rate or the browser's clock too coarse for a target),
 * `region-not-tested` (asked about an Azure region, the test on its edge could not run or could
 * not judge it: `legs`), `server-missed` (a loss that failed was partly our reflector's, past the
 * relay: grade/witness-gap.ts).
 */
const InsufficientCauseSchema = Type.Union(
  [
    Type.Literal('could-not-finish'),
    Type.Literal('page-hidden'),
    Type.Literal('device-busy'),
    Type.Literal('server-busy'),
    Type.Literal('path-changed'),
    Type.Literal('reliable-channel'),
    Type.Literal('too-few-probes'),
    Type.Literal('too-short'),
    Type.Literal('not-resolvable'),
    Type.Literal('region-not-tested'),
    Type.Literal('server-missed'),
  ],
  { description: 'Why the verdict is insufficient; null unless it is.' },
);

/**
 * Why an RTP path that was planned fell back to the data channel: `relay-refused` (the test
 * server's relay refused the RTP leg's allocations, its quota or its capacity: the server's fact),
 * `not-connected` (the leg did not connect within its grace, nothing refused), `failed` (the leg
 * failed: the server refused it, or ICE failed). Absent or null when the path is the one planned.
 */
const ProbeFallbackSchema = Type.Union([Type.Literal('relay-refused'), Type.Literal('not-connected'), Type.Literal('failed')], {
  description: 'Why a planned RTP path fell back to the data channel; absent or null when it did not.',
});

/**
 * One opening of the RTP leg: `carried` (the reflector said it received the page's audio),
 * `unconfirmed` (connected; the server said nothing either way: an older release), `no-media`
 * (connected, and the reflector ended it with none of the page's audio after DTLS: our failure,
 * opened again), `not-connected` (not within its grace) or `failed`; `tookMs` from its offer to
 * that end.
 */
const RtpAttemptSchema = Obj(
  {
    outcome: Type.Union([
      Type.Literal('carried'),
      Type.Literal('unconfirmed'),
      Type.Literal('no-media'),
      Type.Literal('not-connected'),
      Type.Literal('failed'),
    ]),
    tookMs: Num('ms from the attempt’s offer to its outcome.'),
  },
  'One opening of the RTP leg.',
);

/**
 * Version 2's probe path and, in version 3 (optional: reports stored before them lack them),
 * `fallback` and `attempts` (each opening of the RTP leg, in order, when it was opened more than
 * once: the reflector asked for it again).
 */
const ProbePathSchema = Obj({
  ...ProbePathV2Schema.properties,
  fallback: Type.Optional(Nullable(ProbeFallbackSchema)),
  attempts: Type.Optional(Type.Array(RtpAttemptSchema, { maxItems: 2, description: 'Each opening of the RTP leg when it was opened more than once.' })),
});

/**
 * Why a verdict comes with a caution (grade/caution.ts): `fallback-path` (version 2: a pass only
 * over TCP or TLS, UDP silent) and, in version 3, `device-busy` (this computer was too busy during
 * the test: the network's verdict stands, calls break up on a busy computer too). Absent when
 * there is none.
 */
const CautionSchema = Type.Union([Type.Literal('fallback-path'), Type.Literal('device-busy')], {
  description:
    "Why a verdict comes with a caution: `fallback-path` (a pass only over a fallback path) or `device-busy` (this computer was too busy during the test; the verdict is the network's all the same). Absent when there is none.",
});

/** Version 2's summary and, in version 3, `insufficientCause` and the caution `device-busy`. */
const SummarySchema = Obj({ ...SummaryV2Schema.properties, caution: Type.Optional(CautionSchema), insufficientCause: Nullable(InsufficientCauseSchema) });

const WindowCountsSchema = Obj(
  {
    network: Int("Windows touching none of the device's or the server's time: evidence about the network."),
    device: Int('Windows touching a device interval (or its recovery).'),
    server: Int('Windows touching a server interval and no device interval.'),
  },
  'Evaluable windows (the ones the grades scan) by whose time they were.',
);

const WhoSchema = Type.Union([Type.Literal('device'), Type.Literal('server')]);

const AttributionReasonSchema = Type.Union([
  Type.Literal('page-hidden'),
  Type.Literal('sender-stall'),
  Type.Literal('sender-queue'),
  Type.Literal('receiver-stall'),
  Type.Literal('receive-lag'),
  Type.Literal('recovery'),
  Type.Literal('server-hold'),
  Type.Literal('server-loop'),
]);

const AttributionDirectionSchema = Obj({
  direction: DirectionNameSchema,
  windows200ms: WindowCountsSchema,
  windows15s: WindowCountsSchema,
  intervals: Type.Array(
    Obj({
      startMs: Num('ms from the first probe of this direction (its send clock).'),
      endMs: Num(),
      who: WhoSchema,
      reason: AttributionReasonSchema,
    }),
    { maxItems: ATTRIBUTION_MAX_INTERVALS, description: "The device's and the server's time, by start." },
  ),
  intervalsLeftOut: Int('Intervals after the first listed ones, not listed (the windows count them).'),
  jitter: Type.Optional(
    Obj(
      {
        allArrivalsMs: Nullable(Num('RFC 3550 jitter (mean J) over every arrival of the direction.')),
        reportedMs: Nullable(
          Num(
            "The jitter the direction reports: over the network's time alone (this device's and the server's stretches left out), or every arrival's where too few were the network's.",
          ),
        ),
        device: Type.Boolean({
          description:
            "This device's or the server's timing is part of the figure: leaving their time out moved the jitter by more than 30 % and 1 ms, too few arrivals (under 100) were the network's to leave it out, or 10 % or more of the direction's evaluable 200 ms windows were theirs (the figure over 1 ms). The page and `run` mark the figure so.",
        }),
      },
      "The direction's jitter beside this device's and the server's time; absent where the direction had none.",
    ),
  ),
  lineShown: Type.Optional(
    Int(
      "Stretches of the device's or the server's time whose probes were delayed more than their lateness excuses (rules.excuseFactor, rules.excuseMarginMs) while a view of the line showed the rest: counted as the network's, not listed. Absent when none.",
    ),
  ),
});

const ArrivalBinSchema = Obj({
  fromSendMs: Num('Send time of the first probe that arrived in the bin, ms from the first up probe.'),
  toSendMs: Num(),
  packets: Int(),
  maxGapMs: Num('The longest gap between arrivals at the server.'),
  maxSendGapMs: Num("The longest gap between the same probes' send stamps."),
});

const AttributionSchema = Obj(
  {
    views: Obj(
      {
        receiveLag: Type.Boolean({ description: "The frame's receiveTime beside the worker's clock, per echo (RTP path)." }),
        iceRtt: Type.Boolean({ description: 'ICE candidate-pair currentRoundTripTime readings.' }),
        rtcpRtt: Type.Boolean({ description: 'RTCP (remote-inbound-rtp) roundTripTime readings.' }),
        reflectorHold: Type.Boolean({ description: "The reflector's hold time per probe." }),
        upArrivals: Type.Boolean({ description: "The server's 200 ms bins of up arrivals." }),
        serverLoop: Type.Boolean({ description: "The server's event-loop delay readings." }),
      },
      "Which views outside the page's JavaScript the test had; without any, only the page's own suspect intervals were used.",
    ),
    rules: Obj(
      {
        receiveLagMs: Num('Receive lag above this marks the device busy.'),
        recoveryMs: Num("Time after each device interval still counted as the device's."),
        serverHoldMs: Num('Reflector hold above this marks the server busy.'),
        serverLoopMs: Num('Event-loop delay above this marks the server busy.'),
        excuseFactor: Type.Optional(Num("The device's or the server's time excuses at most this many times its measured lateness...")),
        excuseMarginMs: Type.Optional(Num("...plus this many ms of an added delay; the rest is the line's where a view of the line shows it.")),
      },
      'The thresholds this report was attributed with.',
    ),
    directions: Type.Array(AttributionDirectionSchema, { maxItems: 3 }),
    mostlySuspect: Type.Boolean({
      description: "More than half the evaluable 200 ms windows were the device's or the server's: no target fails, but for loss the server proves.",
    }),
    busy: Nullable(
      Type.Union([Type.Literal('device-busy'), Type.Literal('server-busy')], { description: 'Whose time most suspect windows were; null when none was.' }),
    ),
    deviceTooBusy: Type.Optional(
      Type.Boolean({
        description:
          'This computer was too busy during the test: in a direction, 10 % or more of the evaluable 200 ms windows were its busy time (a hidden page apart), or one stretch of it lasted 200 ms or more (summary.caution `device-busy`, said on top). Absent in reports made before it.',
      }),
    ),
    roundTrips: Obj({
      measured: Int('Round trips that came back.'),
      clean: Int("Of those, sent away from the device's and the server's time: what latency is graded on."),
    }),
    networkRttMs: Obj(
      {
        ice: Nullable(Num("Median ICE round trip, on the probes' scale (halved in loopback).")),
        rtcp: Nullable(Num("Median RTCP round trip, on the probes' scale.")),
      },
      "The browser's network thread's round trip: a latency fail it contradicts is not graded.",
    ),
    device: Obj({
      timerLateMsP99: Nullable(Num("How late the sender's timer ran, 99th percentile.")),
      receiveLagMsMax: Nullable(Num('The longest receive lag.')),
    }),
    server: Obj({
      holdMsMax: Nullable(Num('The longest reflector hold.')),
      loopDelayMsMax: Nullable(Num('The longest event-loop delay.')),
    }),
    upArrivals: Nullable(
      Obj(
        {
          bins: Int('200 ms bins the server reported.'),
          gaps: Type.Array(ArrivalBinSchema, { maxItems: ATTRIBUTION_MAX_BINS, description: 'The bins with the longest arrival gaps, by time.' }),
        },
        "The server's view of the up probes' arrivals; null without it.",
      ),
    ),
  },
  "Whose time each window was: the network's, this device's or the server's (docs/read-a-report.md).",
);

const LoopDelayMs = (description: string) => Type.Number({ minimum: 0, maximum: SERVER_LOOP_MAX_DELAY_MS, description });

/**
 * The server's event-loop delay over the graded stream (version 3, optional: absent from reports
 * without the server's readings and from those made before it), from the data plane's 200 ms
 * readings (measure/server-loop.ts).
 */
const ServerSchema = Obj(
  {
    eventLoopDelayMsP50: LoopDelayMs("The median 200 ms window's worst event-loop delay of the server's data plane, ms."),
    eventLoopDelayMsP99: LoopDelayMs("The 99th percentile of the 200 ms windows' worst event-loop delay, ms."),
    busyWindows: Type.Integer({ minimum: 0, maximum: SERVER_LOOP_MAX_WINDOWS, description: '200 ms windows whose worst delay marked the server busy.' }),
    windows: Type.Integer({ minimum: 1, maximum: SERVER_LOOP_MAX_WINDOWS, description: '200 ms windows read.' }),
  },
  "The server's event-loop delay over the test (its data plane: the relay and the reflector).",
);

/**
 * How a test that could not finish ended (version 2's outcome), and (version 3, optional: absent
 * from reports stored before) whose side it points to and the evidence that decided it.
 */
const OutcomeSchema = Obj({
  ...OutcomeV2Schema.properties,
  reason: Type.Union([...OutcomeV2Schema.properties.reason.anyOf, Type.Literal('reflector-silent')], {
    description:
      '`could-not-connect`, `connection-lost`, or (version 3) `reflector-silent`: the relay carried the probes upstream and our reflector counted none (grade/witness-gap.ts).',
  }),
  side: Type.Optional(
    Type.Union(
      SIDES.map((s) => Type.Literal(s)),
      {
        description:
          "Whose side (src/protocol/could-not-finish.ts): `network` only for a test that reached the server but none of its relay ports while the relay was seen answering (relayEvidence); `server` for a hub's edge that stopped beating or failed its own relay check; absent: the reason's own side.",
      },
    ),
  ),
  relayEvidence: Type.Optional(
    Nullable(
      Obj(
        {
          kind: Type.Union(
            [
              Type.Literal('recent-test', { description: 'A test connected through this relay (within the 10 minutes before this one).' }),
              Type.Literal('relay-check', {
                description: "A hub's edge allocated on every TURN port it advertises, from outside its relay's process (within the 75 s before this test).",
              }),
            ],
            { description: 'What the evidence is.' },
          ),
          atMs: Int("When, ms since the Unix epoch (the server's clock; a hub's for an edge's check)."),
        },
        "The server's evidence that its relay answered, by other tests or by its own check; null: it had none.",
      ),
    ),
  ),
});

/** Every field of a version 3 report but its legs: a leg's own report is this (a leg has no legs of its own). */
const ReportCoreProperties = {
  ...ReportV2Schema.properties,
  schemaVersion: Type.Literal(SCHEMA_VERSION),
  meta: MetaSchema,
  summary: SummarySchema,
  outcome: Nullable(OutcomeSchema),
  probe: ProbePathSchema,
  grades: Type.Array(GradeEntrySchema),
  load: Type.Optional(LoadSchema),
  video: Type.Optional(VideoSchema),
  attribution: Nullable(AttributionSchema),
  locate: Type.Optional(LocateSchema),
  server: Type.Optional(ServerSchema),
  devices: Type.Optional(DevicesSchema),
  teamsReachability: Type.Optional(ReachabilitySchema),
  network: Type.Optional(NetworkSchema),
  qos: Type.Optional(QosSchema),
};

/**
 * A second test of the same session on another edge (version 3, optional): `region`, the edge in
 * the Azure region of the asked profile's table row (`meta.asked`), when that edge is not the
 * nearest. Its report is complete and graded on its own against that row; the report's verdict is
 * the worse of the nearest edge's and this one's. A leg that could not run has no report, and
 * says why (`couldNotRun`): the row is then not graded (`insufficient`), never passed by omission.
 */
const LegSchema = Obj(
  {
    role: Type.Literal('region', { description: "`region`: the edge in the Azure region of the profile's table row (docs/regions.md)." }),
    edge: EdgeIdentitySchema,
    report: Nullable(Obj(ReportCoreProperties, "The leg's own full report (same schema version, without legs); null when it could not run.")),
    couldNotRun: Type.Optional(
      Obj(
        {
          reason: Type.String({ maxLength: 64, description: 'Why (src/protocol/could-not-finish.ts), or `edge-down`: the locate found the edge unreachable.' }),
          message: Type.String({ maxLength: 1024 }),
        },
        'Why the leg has no report; absent when it has one.',
      ),
    ),
  },
  'A further test of the same session on another edge of the hub.',
);

export const ReportSchema = Obj(
  {
    ...ReportCoreProperties,
    legs: Type.Optional(Type.Array(LegSchema, { maxItems: 1, description: 'Further tests of the session on other edges: at most one, the region leg.' })),
  },
  'callprobe report, schema version 3.',
);

export type Report = Static<typeof ReportSchema>;
export type ReportLeg = Static<typeof LegSchema>;
export type Attribution = Static<typeof AttributionSchema>;
export type InsufficientCause = Static<typeof InsufficientCauseSchema>;
export type ProvisionalAnswer = Static<typeof ProvisionalAnswerSchema>;
export type ProvisionalClaim = Static<typeof ProvisionalClaimSchema>;
export type Rung = Static<typeof RungSchema>;
export type RungError = Static<typeof RungErrorSchema>;
export type GradedPathOut = Static<typeof PathSchema>;
export type SetupTimings = Static<typeof SetupSchema>;
export type Outcome = Static<typeof OutcomeSchema>;
export type ProbePath = Static<typeof ProbePathSchema>;
export type ProbeFallback = Static<typeof ProbeFallbackSchema>;
export type RtpAttempt = Static<typeof RtpAttemptSchema>;
export type CompareResult = Static<typeof CompareSchema>;
export type NatBehaviour = Static<typeof NatSchema>;
export type Hint = Static<typeof HintSchema>;
export type HintCode = Static<typeof HintCodeSchema>;
export type Witness = Static<typeof WitnessSchema>;
export type Transport = Static<typeof TransportSchema>;
export type PathTransport = Static<typeof PathTransportSchema>;
export type Family = Static<typeof FamilySchema>;
export type Verdict = Static<typeof VerdictSchema>;
export type GradeEntry = Static<typeof GradeEntrySchema>;
export type GradeDirection = Static<typeof GradeDirectionSchema>;
export type DirectionName = Static<typeof DirectionNameSchema>;
export type TargetId = Static<typeof TargetIdSchema>;
export type InsufficientReason = Static<typeof InsufficientReasonSchema>;
export type Confidence = Static<typeof ConfidenceSchema>;
export type TargetMeta = Static<typeof TargetMetaSchema>;
export type Summary = Static<typeof SummarySchema>;
export type Caution = Static<typeof CautionSchema>;
export type DirectionDetail = Static<typeof DirectionDetailSchema>;
export type RoundTripDetail = Static<typeof RoundTripDetailSchema>;
export type WindowResult = Static<typeof WindowResultSchema>;
export type MosReport = Static<typeof MosSchema>;
export type MosDirection = Static<typeof MosDirectionSchema>;
export type TeamsPoorStream = Static<typeof TeamsPoorStreamSchema>;
export type SecondOpinion = Static<typeof SecondOpinionSchema>;
export type Diagnostics = Static<typeof DiagnosticsSchema>;
export type WarningCode = Static<typeof WarningCodeSchema>;
