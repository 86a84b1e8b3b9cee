/**
 * The callprobe report, as a TypeBox schema (runtime JSON Schema + static type).
 *
 * Browser code imports only the TYPES from here (`import type { Report } ...`); the
 * analysis never imports this module at runtime. `report.schema.json` next to this file is
 * `JSON.stringify(ReportSchema, null, 2)` and `report.v1.schema.json` the same of
 * ReportV1Schema, kept equal by test/analysis/schema/schema.test.ts.
 * Units are in field names (ms, pct, bytes); percentages are 0..100.
 *
 * Versions: 2 (current) moved the relay path, the port checks and the timings out of `meta`
 * into top-level `path`, `connectivity` and `setupMs`/`timelineMs`, and added `outcome`,
 * `probe`, `compare`, `nat`, `hints`, `witness` and `meta.site`/`meta.ticket`. Version 1 is
 * kept (ReportV1Schema, sharing the unchanged sections) so stored reports stay readable:
 * `upgradeReport` in ./migrate.ts turns either into the current shape.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { SCHEMA_VERSION } from './version.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Obj = <P extends Parameters<typeof Type.Object>[0]>(props: P, description?: string) =>
  Type.Object(props, { additionalProperties: false, ...(description === undefined ? {} : { description }) });
const Int = (description?: string) => Type.Integer({ minimum: 0, ...(description === undefined ? {} : { description }) });
const Num = (description?: string) => Type.Number(description === undefined ? {} : { description });

export const VerdictSchema = Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('insufficient')]);
export const StatusSchema = VerdictSchema;
export const DirectionNameSchema = Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('loop')]);
export const GradeDirectionSchema = Type.Union([DirectionNameSchema, Type.Literal('round-trip')]);
export const TargetIdSchema = Type.Union([
  Type.Literal('latency-one-way'),
  Type.Literal('latency-rtt'),
  Type.Literal('burst-loss-200ms'),
  Type.Literal('loss-15s'),
  Type.Literal('jitter-15s'),
  Type.Literal('reorder'),
]);
export const ProfileIdSchema = Type.Union([Type.Literal('client-to-edge'), Type.Literal('edge-to-edge'), Type.Literal('azure-region')]);
export const InsufficientReasonSchema = Type.Union([
  Type.Literal('no-data'),
  Type.Literal('too-few-packets'),
  Type.Literal('window-not-filled'),
  Type.Literal('suspect-windows'),
  Type.Literal('not-resolvable'),
  Type.Literal('reliable-channel'),
]);

export const DistributionSchema = Obj(
  {
    count: Int(),
    min: Num(),
    p50: Num(),
    p90: Num(),
    p99: Num(),
    max: Num(),
    mean: Num(),
  },
  'Nearest-rank percentiles of a set of values (unit given by the field holding it).',
);

export const ConfidenceSchema = Obj({
  method: Type.Union([Type.Literal('clopper-pearson-95-two-sided'), Type.Literal('none')]),
  packetsEvaluated: Int('Probes (or RTT samples) the graded value rests on.'),
  events: Nullable(Int('Lost or reordered probes counted, for ratio targets.')),
  lowerPct: Nullable(Num('95 % lower bound of the ratio, percent.')),
  upperPct: Nullable(Num('95 % upper bound of the ratio, percent.')),
});

export const GradeEntrySchema = Obj({
  target: TargetIdSchema,
  label: Type.String(),
  statistic: Type.String({ description: "What was graded, e.g. 'p50 of round trip', 'worst 200 ms window'." }),
  direction: GradeDirectionSchema,
  value: Nullable(Num()),
  unit: Type.Union([Type.Literal('ms'), Type.Literal('%')]),
  threshold: Num(),
  comparator: Type.Literal('<'),
  worstWindow: Nullable(Obj({ startMs: Num('ms from the first probe of that direction.'), packets: Int(), suspect: Type.Boolean() })),
  status: StatusSchema,
  reason: Nullable(InsufficientReasonSchema),
  resolution: Nullable(Num('Smallest step of the value at this probe rate and length (same unit as value).')),
  confidence: ConfidenceSchema,
  sentence: Type.String(),
});

export const TargetMetaSchema = Obj({
  target: TargetIdSchema,
  label: Type.String(),
  threshold: Num(),
  unit: Type.Union([Type.Literal('ms'), Type.Literal('%')]),
  windowMs: Nullable(Num()),
  resolution: Nullable(Num('Nominal resolution at the rate and duration used, in the target unit.')),
  resolvable: Type.Boolean(),
  note: Type.String(),
});

export { SCHEMA_VERSION };

export const PathTransportSchema = Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls'), Type.Literal('unknown')]);

/** Report v1's meta (frozen). */
export const MetaV1Schema = Obj({
  schemaVersion: Type.Literal(1),
  callprobeVersion: Type.String(),
  browser: Type.String(),
  startedAt: Type.String({ description: 'ISO 8601 UTC.' }),
  server: Type.String(),
  mode: Type.Union([Type.Literal('reflector'), Type.Literal('loopback')]),
  profile: Obj({
    id: ProfileIdSchema,
    azureRegion: Nullable(Type.String()),
    from: Nullable(Type.Union([Type.Literal('site'), Type.Literal('edge')])),
    label: Type.String(),
    source: Type.String(),
  }),
  ratePps: Num(),
  payloadBytes: Int(),
  durationS: Num(),
  lossTimeoutMs: Num(),
  path: Obj({
    transport: PathTransportSchema,
    port: Nullable(Int()),
    candidateType: Nullable(Type.String()),
    changes: Int(),
  }),
  channel: Obj({ ordered: Type.Boolean(), maxRetransmits: Nullable(Int()) }),
  ports: Type.Array(
    Obj({
      transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')]),
      port: Int(),
      url: Type.String(),
      reachable: Type.Boolean(),
      allocateMs: Nullable(Num('Time to a relay candidate through this port.')),
      error: Nullable(Type.String()),
    }),
    { description: 'Which relay ports answered an allocation (seed 004: UDP 3478-3481, TCP/TLS 443).' },
  ),
  timingsMs: Obj({
    config: Nullable(Num('ms from the start of the test (click or autostart) to GET /api/config answered.')),
    relayChosen: Nullable(Num('... to a reachable relay port chosen.')),
    connected: Nullable(Num('... to the peer connection and both channels open.')),
    firstPacket: Nullable(Num('... to the first echo: the first live number.')),
    streamEnd: Nullable(Num('... to the last probe sent.')),
    verdict: Nullable(Num('... to the graded verdict.')),
  }),
  targets: Type.Array(TargetMetaSchema),
  methods: Type.Array(Type.String(), { description: 'How each figure is computed, one plain line each.' }),
});

/** The test's settings and what it ran on (v2: the path, ports and timings moved to the top level). */
export const MetaSchema = Obj({
  schemaVersion: Type.Literal(SCHEMA_VERSION),
  callprobeVersion: MetaV1Schema.properties.callprobeVersion,
  browser: MetaV1Schema.properties.browser,
  startedAt: MetaV1Schema.properties.startedAt,
  server: MetaV1Schema.properties.server,
  mode: MetaV1Schema.properties.mode,
  profile: MetaV1Schema.properties.profile,
  ratePps: Num(),
  payloadBytes: Int(),
  durationS: Num(),
  lossTimeoutMs: Num(),
  channel: MetaV1Schema.properties.channel,
  site: Nullable(Type.String({ maxLength: 128, description: 'The site this test was run for (page ?site=, run --site); accepted only from the operator.' })),
  ticket: Nullable(Type.String({ maxLength: 128, description: 'A help-desk ticket reference (page ?ticket=, run --ticket).' })),
  targets: MetaV1Schema.properties.targets,
  methods: MetaV1Schema.properties.methods,
});

export const TransportSchema = Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')]);
export const FamilySchema = Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')]);

/**
 * Why a rung of the connectivity ladder failed, as a machine code: `timeout` (no answer),
 * `not-offered` (the server does not offer it), `turn-NNN` (the relay answered with STUN
 * ERROR-CODE NNN, RFC 8489 §14.8), `tls-handshake`, `loopback-refused` (a relay on loopback
 * and a browser that refuses loopback candidates), `gather-failed` (the browser could not
 * gather at all), `not-tried` (the ladder stopped before it).
 */
export const RungErrorSchema = Type.String({ pattern: '^(timeout|not-offered|tls-handshake|loopback-refused|gather-failed|not-tried|turn-[0-9]{3})$' });

/** One rung of the connectivity ladder: a transport and port of the relay, and what it took to use it. */
export const RungSchema = Obj({
  transport: TransportSchema,
  port: Nullable(Int('Relay port (the standard port for a standard rung the server does not offer); null when unknown.')),
  family: FamilySchema,
  url: Nullable(Type.String({ description: 'The TURN URI (RFC 7065) tried, null when not offered.' })),
  reachable: Type.Boolean(),
  allocateMs: Nullable(Num('Time to a relay candidate (TURN Allocate) through this rung.')),
  connectMs: Nullable(Num('Time to a connected media path through this rung (only for the rung the test used, and in compare mode).')),
  error: Nullable(RungErrorSchema),
  errorText: Nullable(Type.String({ description: 'One sentence a help desk understands.' })),
});

/** The path the graded stream used (the selected ICE candidate pair). */
export const PathSchema = Obj({
  transport: PathTransportSchema,
  port: Nullable(Int('Relay port the client used.')),
  family: Nullable(FamilySchema),
  relayed: Type.Boolean({ description: "Whether the local candidate was a relay candidate (always, for callprobe's own tests)." }),
  candidateType: Nullable(Type.String()),
  changes: Int('How many times the selected candidate pair changed during the test.'),
  changed: Type.Boolean(),
});

/** Connection setup, step by step, in ms from the start of the test (click or autostart); null when never reached. */
export const SetupSchema = Obj({
  config: Nullable(Num('GET /api/config answered.')),
  allocation: Nullable(Num('A relay allocation through the chosen rung (a reachable rung chosen).')),
  iceConnected: Nullable(Num('ICE connected through the relay.')),
  dtls: Nullable(Num('DTLS handshake done.')),
  channelOpen: Nullable(Num('The probe (and control) channels open.')),
  firstEcho: Nullable(Num('The first echo arrived: the first live number.')),
});

/** After the setup: when the stream ended and the verdict was ready, ms from the start of the test. */
export const TimelineSchema = Obj({
  lastProbe: Nullable(Num('The last probe was sent.')),
  verdict: Nullable(Num('The graded verdict was ready.')),
});

/** A test that could not connect, or lost its connection: our failure or the path's, never graded as loss after `atMs`. */
export const OutcomeSchema = Obj({
  reason: Type.Union([Type.Literal('could-not-connect'), Type.Literal('connection-lost')]),
  atMs: Nullable(Num('ms from the start of the test.')),
  detail: Type.String({ description: 'What was seen, for the record (the page words it).' }),
});

/** Which probe stream the grades rest on. */
export const ProbePathSchema = Obj({
  path: Type.Union([Type.Literal('rtp'), Type.Literal('datachannel')]),
  reason: Type.String(),
});

/** Compare mode: a short stream on every reachable rung. Informs; never changes the verdict. */
export const CompareSchema = Obj({
  secondsPerRung: Num(),
  rungs: Type.Array(
    Obj({
      transport: TransportSchema,
      port: Int(),
      family: FamilySchema,
      reachable: Type.Boolean(),
      rttMsP50: Nullable(Num()),
      jitterMs: Nullable(Num()),
      lossPct: Nullable(Num()),
      reorderPct: Nullable(Num()),
      packetsSent: Int(),
      packetsReceived: Int(),
      error: Nullable(RungErrorSchema),
    }),
  ),
  worst: Nullable(Obj({ transport: TransportSchema, port: Int(), family: FamilySchema, reason: Type.String() })),
});

/** NAT mapping behaviour (RFC 4787 §4.1), from server-reflexive candidates of one local socket to two server ports. No addresses. */
export const NatSchema = Obj({
  mapping: Type.Union([Type.Literal('endpoint-independent'), Type.Literal('endpoint-dependent'), Type.Literal('no-nat'), Type.Literal('unknown')]),
  reason: Type.String({ description: 'Why this classification (for unknown: what evidence was missing).' }),
  observations: Type.Array(
    Obj({
      serverPort: Int(),
      mappedPort: Nullable(Int()),
      sameAddress: Nullable(Type.Boolean({ description: "Whether the mapped address equals the first observation's." })),
    }),
  ),
});

export const HintCodeSchema = Type.Union([
  Type.Literal('udp-blocked'),
  Type.Literal('udp-port-blocked'),
  Type.Literal('tcp-fallback'),
  Type.Literal('tls-not-offered'),
  Type.Literal('tls-blocked'),
  Type.Literal('path-changed'),
  Type.Literal('far-relay'),
  Type.Literal('symmetric-nat'),
  Type.Literal('loopback-refused'),
]);

/** A network hint: only where the evidence supports it, one sentence on what it means for a call. */
export const HintSchema = Obj({ code: HintCodeSchema, sentence: Type.String() });

/** The relay as an independent witness of the upstream RTP stream (RTP headers inside ChannelData, RFC 7983 demux). */
export const WitnessStreamSchema = Obj(
  {
    ssrc: Nullable(Int()),
    packets: Int('Media RTP packets relayed (P bit clear), duplicates included.'),
    paddingPackets: Int('Padding-only RTP packets relayed (P bit set: the only padding SRTP leaves readable), duplicates included.'),
    expected: Int('Highest minus lowest RTP sequence number (RFC 3550 §A.1 extension), plus one.'),
    lost: Int('expected - (packets + paddingPackets - duplicates): by RTP sequence number, padding-only packets keep their place.'),
    lossPct: Nullable(Num()),
    duplicates: Int('Network duplicates: visible here only (SRTP replay protection drops them before any receiver).'),
    reordered: Int('Arrivals below the highest sequence number seen so far.'),
    jitterMs: Nullable(Num('RFC 3550 §A.8 J after the last media arrival, 48 kHz RTP clock.')),
    ipdvMeanAbsMs: Nullable(Num('Mean |IPDV| (RFC 5481 §4.2) over media pairs consecutive by sequence number.')),
    maxIpdvMs: Nullable(Num()),
    ssrcs: Int('SSRCs seen in this direction; the figures describe the one with the most packets.'),
  },
  'One direction of the RTP the relay carried, read from the headers only.',
);

export const WitnessSchema = Obj({
  source: Type.Literal('relay'),
  upstream: WitnessStreamSchema,
  downstream: Nullable(WitnessStreamSchema),
});

export const DirectionSummarySchema = Obj({
  lossPct: Nullable(Num()),
  jitterMs: Nullable(Num()),
  reorderPct: Nullable(Num()),
  packetsLost: Int(),
});

export const SummarySchema = Obj({
  rttMsP50: Nullable(Num()),
  rttMsP90: Nullable(Num()),
  jitterMs: Nullable(Num('Mean RFC 3550 J over the whole test, worse direction.')),
  jitterMsMax15s: Nullable(Num()),
  lossPct: Nullable(Num()),
  lossPctMax15s: Nullable(Num()),
  burstLossPctMax200ms: Nullable(Num()),
  reorderPct: Nullable(Num()),
  rttLossPct: Nullable(Num('Round-trip echo loss, apart from one-way loss.')),
  duplicates: Int('Duplicate copies received, all directions.'),
  packetsSent: Int('Probes sent in the direction with the higher loss.'),
  packetsReceived: Int('Probes received in time in that same direction.'),
  ratePps: Num(),
  mos: Nullable(Num()),
  upstream: Nullable(DirectionSummarySchema),
  downstream: Nullable(DirectionSummarySchema),
  verdict: VerdictSchema,
});

export const WindowStatSchema = Obj({
  startMs: Num('ms from the first probe of the direction.'),
  packets: Int(),
  lost: Int(),
  received: Int(),
  value: Num(),
  suspect: Type.Boolean(),
});

export const WindowResultSchema = Obj({
  windowMs: Num(),
  unit: Type.Union([Type.Literal('ms'), Type.Literal('%')]),
  evaluableWindows: Int(),
  suspectWindows: Int(),
  worst: Nullable(WindowStatSchema),
  worstIncludingSuspect: Nullable(WindowStatSchema),
});

export const SuspectSchema = Obj({
  startMs: Num('ms from the first probe of the direction.'),
  endMs: Num(),
  reason: Type.Union([
    Type.Literal('page-hidden'),
    Type.Literal('sender-stall'),
    Type.Literal('sender-queue'),
    Type.Literal('receiver-stall'),
    Type.Literal('path-change'),
  ]),
});

export const DirectionDetailSchema = Obj({
  direction: DirectionNameSchema,
  intervalMs: Num(),
  packetsSent: Int(),
  packetsReceived: Int('Unique probes received in time.'),
  packetsLost: Int(),
  lostNeverArrived: Int(),
  lostLate: Int('Arrived later than lossTimeoutMs (relative one-way delay).'),
  duplicates: Int(),
  unknownArrivals: Int(),
  lossPct: Nullable(Num()),
  lossConfidence: ConfidenceSchema,
  delayVariationMs: Nullable(DistributionSchema),
  jitter: Obj({ meanMs: Nullable(Num()), finalMs: Nullable(Num()), maxMs: Nullable(Num()), samples: Int() }),
  ipdv: Obj({ meanAbsMs: Nullable(Num()), pairs: Int() }),
  lossPeriods: Obj({ count: Int(), meanLength: Nullable(Num()), maxLength: Int() }),
  lossDistance: Obj({ count: Int(), meanPackets: Nullable(Num()), minPackets: Nullable(Num()) }),
  markov: Obj({ p: Nullable(Num()), q: Nullable(Num()), burstRatio: Num() }),
  windows: Obj({ burst200ms: WindowResultSchema, loss15s: WindowResultSchema, jitter15s: WindowResultSchema }),
  reorder: Obj({
    packets: Int(),
    reordered: Int(),
    ratioPct: Nullable(Num()),
    extentMax: Nullable(Int()),
    extentMean: Nullable(Num()),
  }),
  suspect: Type.Array(SuspectSchema),
});

export const RoundTripDetailSchema = Obj({
  probesSent: Int(),
  echoes: Int(),
  echoesLost: Int(),
  lossPct: Nullable(Num()),
  rttMs: Nullable(DistributionSchema),
  gradedRttMs: Nullable(DistributionSchema),
  oneWayEstimateMs: Nullable(DistributionSchema),
});

export const MosDirectionSchema = Obj({
  direction: DirectionNameSchema,
  rFactor: Num(),
  mos: Num(),
  taMs: Num(),
  jitterBufferMs: Num(),
  pplPct: Num(),
  burstRatio: Num(),
  ieEff: Num(),
  id: Num(),
  degradation: Num('MOS lost to loss and jitter buffering (MOS without them minus MOS).'),
});

export const MosSchema = Obj({
  value: Nullable(Num()),
  rFactor: Nullable(Num()),
  perDirection: Type.Array(MosDirectionSchema),
  assumptions: Type.Array(Type.String()),
  sentence: Type.String(),
});

export const TeamsPoorStreamSchema = Obj({
  classification: Type.Union([Type.Literal('poor'), Type.Literal('not-poor'), Type.Literal('unclassified')]),
  checks: Type.Array(
    Obj({
      metric: Type.String(),
      value: Nullable(Num()),
      threshold: Num(),
      unit: Type.String(),
      poor: Nullable(Type.Boolean()),
      note: Type.String(),
    }),
  ),
  sentence: Type.String(),
});

export const SecondOpinionSchema = Obj({
  available: Type.Boolean(),
  probeRttMsP50: Nullable(Num()),
  iceRttMsMedian: Nullable(Num()),
  iceSamples: Int(),
  rtcpRttMsMedian: Nullable(Num()),
  rtcpSamples: Int(),
  statsRttScale: Num('Factor applied to getStats round trips before comparing (0.5 in loopback: they cross the relay twice).'),
  probeJitterMs: Nullable(Num()),
  inboundJitterMsMedian: Nullable(Num()),
  inboundJitterSamples: Int(),
  rtcpFractionLost: Nullable(Num()),
  concealedRatio: Nullable(Num()),
  audioSource: Nullable(Type.Union([Type.Literal('fake-device'), Type.Literal('webaudio'), Type.Literal('none')])),
  tolerance: Type.String(),
  disagreements: Type.Array(
    Obj({
      source: Type.Union([Type.Literal('ice-rtt'), Type.Literal('rtcp-rtt'), Type.Literal('inbound-jitter')]),
      probeValue: Num(),
      statsValue: Num(),
      differenceMs: Num(),
      toleranceMs: Num(),
      samples: Int(),
      sentence: Type.String(),
    }),
  ),
  notes: Type.Array(Type.String()),
});

export const WarningCodeSchema = Type.Union([
  Type.Literal('dropped-at-sender'),
  Type.Literal('timer-late'),
  Type.Literal('missed-ticks'),
  Type.Literal('send-buffer'),
  Type.Literal('page-hidden'),
  Type.Literal('page-hidden-no-intervals'),
  Type.Literal('path-changed'),
  Type.Literal('tcp-fallback'),
  Type.Literal('reliable-channel'),
  Type.Literal('unknown-arrivals'),
  Type.Literal('duplicates'),
  Type.Literal('stats-disagree'),
  Type.Literal('low-rate'),
]);

export const DiagnosticsSchema = Obj({
  sender: Obj({
    timerErrorMsP50: Nullable(Num()),
    timerErrorMsP99: Nullable(Num()),
    timerSamples: Int(),
    missedTicks: Int(),
    maxBufferedAmountBytes: Int(),
    droppedAtSender: Int(),
  }),
  pageHidden: Type.Boolean(),
  suspectIntervals: Type.Array(
    Obj({
      direction: DirectionNameSchema,
      startMs: Num(),
      endMs: Num(),
      reason: SuspectSchema.properties.reason,
    }),
  ),
  pathChanges: Int(),
  transport: PathTransportSchema,
  warnings: Type.Array(Obj({ code: WarningCodeSchema, message: Type.String() })),
  notes: Type.Array(Type.String(), { description: 'What the collectors noticed (pacing method, incomplete tallies...).' }),
});

export const ReportSchema = Obj(
  {
    schemaVersion: Type.Literal(SCHEMA_VERSION),
    meta: MetaSchema,
    connectivity: Type.Array(RungSchema, { description: 'The ladder: every standard rung (UDP 3478-3481, TCP, TLS) and any other the server offers.' }),
    path: PathSchema,
    setupMs: SetupSchema,
    timelineMs: TimelineSchema,
    outcome: Nullable(OutcomeSchema),
    probe: ProbePathSchema,
    compare: Nullable(CompareSchema),
    nat: Nullable(NatSchema),
    hints: Type.Array(HintSchema),
    witness: Nullable(WitnessSchema),
    summary: SummarySchema,
    grades: Type.Array(GradeEntrySchema),
    directions: Obj({
      up: Nullable(DirectionDetailSchema),
      down: Nullable(DirectionDetailSchema),
      loop: Nullable(DirectionDetailSchema),
      roundTrip: RoundTripDetailSchema,
    }),
    mos: MosSchema,
    teamsPoorStream: TeamsPoorStreamSchema,
    secondOpinion: SecondOpinionSchema,
    diagnostics: DiagnosticsSchema,
    explanation: Type.Array(Type.String()),
  },
  'callprobe report, schema version 2.',
);

/** Report v1 (frozen): every field of a schema-1 report. */
export const ReportV1Schema = Obj(
  {
    schemaVersion: Type.Literal(1),
    meta: MetaV1Schema,
    summary: SummarySchema,
    grades: Type.Array(GradeEntrySchema),
    directions: Obj({
      up: Nullable(DirectionDetailSchema),
      down: Nullable(DirectionDetailSchema),
      loop: Nullable(DirectionDetailSchema),
      roundTrip: RoundTripDetailSchema,
    }),
    mos: MosSchema,
    teamsPoorStream: TeamsPoorStreamSchema,
    secondOpinion: SecondOpinionSchema,
    diagnostics: DiagnosticsSchema,
    explanation: Type.Array(Type.String()),
  },
  'callprobe report, schema version 1.',
);

export type Report = Static<typeof ReportSchema>;
export type ReportV1 = Static<typeof ReportV1Schema>;
export type Rung = Static<typeof RungSchema>;
export type RungError = Static<typeof RungErrorSchema>;
export type GradedPathOut = Static<typeof PathSchema>;
export type SetupTimings = Static<typeof SetupSchema>;
export type Timeline = Static<typeof TimelineSchema>;
export type Outcome = Static<typeof OutcomeSchema>;
export type ProbePath = Static<typeof ProbePathSchema>;
export type CompareResult = Static<typeof CompareSchema>;
export type NatBehaviour = Static<typeof NatSchema>;
export type Hint = Static<typeof HintSchema>;
export type HintCode = Static<typeof HintCodeSchema>;
export type Witness = Static<typeof WitnessSchema>;
export type Transport = Static<typeof TransportSchema>;
export type Family = Static<typeof FamilySchema>;
export type Verdict = Static<typeof VerdictSchema>;
export type GradeEntry = Static<typeof GradeEntrySchema>;
export type GradeDirection = Static<typeof GradeDirectionSchema>;
export type DirectionName = Static<typeof DirectionNameSchema>;
export type TargetId = Static<typeof TargetIdSchema>;
export type InsufficientReason = Static<typeof InsufficientReasonSchema>;
export type Confidence = Static<typeof ConfidenceSchema>;
export type TargetMeta = Static<typeof TargetMetaSchema>;
export type ReportMetaOut = Static<typeof MetaSchema>;
export type Summary = Static<typeof SummarySchema>;
export type DirectionDetail = Static<typeof DirectionDetailSchema>;
export type RoundTripDetail = Static<typeof RoundTripDetailSchema>;
export type WindowResult = Static<typeof WindowResultSchema>;
export type MosReport = Static<typeof MosSchema>;
export type MosDirection = Static<typeof MosDirectionSchema>;
export type TeamsPoorStream = Static<typeof TeamsPoorStreamSchema>;
export type SecondOpinion = Static<typeof SecondOpinionSchema>;
export type Diagnostics = Static<typeof DiagnosticsSchema>;
export type WarningCode = Static<typeof WarningCodeSchema>;
export type DiagnosticWarning = Diagnostics['warnings'][number];
