/**
 * The callprobe report, schema version 1, frozen: every field a schema-1 report has, as a
 * TypeBox schema (runtime JSON Schema + static type). It imports nothing but TypeBox, so no
 * change to a later version can change what a stored version-1 report must look like;
 * `report.v1.schema.json` next to this file is `JSON.stringify(ReportV1Schema, null, 2)`, kept
 * equal by test/analysis/schema/schema.test.ts. `upgradeV1` in ../report/migrate.ts turns a
 * version-1 report into the current shape.
 *
 * The current version (./report-schema.ts) builds on the sections defined here that it has not
 * changed: a section that changes gets its own definition there, never an edit here.
 * Units are in field names (ms, pct, bytes); percentages are 0..100.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Obj = <P extends Parameters<typeof Type.Object>[0]>(props: P, description?: string) =>
  Type.Object(props, { additionalProperties: false, ...(description === undefined ? {} : { description }) });
export const Int = (description?: string) => Type.Integer({ minimum: 0, ...(description === undefined ? {} : { description }) });
export const Num = (description?: string) => Type.Number(description === undefined ? {} : { description });

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
    { description: 'Which relay ports answered an allocation (Azure Communication Services network requirements: UDP 3478-3481, TCP/TLS 443).' },
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

export type ReportV1 = Static<typeof ReportV1Schema>;
