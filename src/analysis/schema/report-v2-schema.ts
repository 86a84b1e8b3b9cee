/**
 * The callprobe report of schema version 2, frozen so stored version-2 reports stay readable
 * (`upgradeReport` in ../report/migrate.ts turns them into the current shape, ./report-schema.ts,
 * which is built from the sections here that version 3 did not change). `report.v2.schema.json`
 * next to this file is `JSON.stringify(ReportV2Schema, null, 2)` (test/analysis/schema/schema.test.ts).
 *
 * Version 2 moved the relay path, the port checks and the timings out of `meta`
 * into top-level `path`, `connectivity` and `setupMs`/`timelineMs`, and added `outcome`,
 * `probe`, `compare`, `nat`, `hints`, `witness` and `meta.site`/`meta.ticket`. Version 1 is
 * frozen in ./report-v1-schema.ts (so stored reports stay readable: `upgradeReport` in
 * ../report/migrate.ts turns either into the current shape); the sections version 2 did not
 * change are defined there and used here as they are.
 */
import { type Static, Type } from '@sinclair/typebox';
import {
  GradeDirectionSchema,
  Int,
  MetaV1Schema,
  Nullable,
  Num,
  Obj,
  PathTransportSchema,
  ReportV1Schema,
  SecondOpinionSchema as SecondOpinionV1Schema,
  SummarySchema as SummaryV1Schema,
  TargetIdSchema,
} from './report-v1-schema.js';
import { CLAIM_EVIDENCE_MAX_CHARS, PROVISIONAL_MAX_ANSWERS, PROVISIONAL_MAX_CLAIMS } from './provisional-limits.js';
import { LoadV2Schema } from './load-v2-schema.js';

/** The test's settings and what it ran on (v2: the path, ports and timings moved to the top level). */
export const MetaV2Schema = Obj({
  schemaVersion: Type.Literal(2),
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
  clock: Type.Optional(
    Obj(
      {
        resolutionMs: Nullable(Num('The step of performance.now() in this browser, ms: each delay figure is uncertain by it.')),
        crossOriginIsolated: Nullable(Type.Boolean({ description: 'Whether the page was cross-origin isolated (a finer clock and Atomics pacing).' })),
      },
      'The clock the probe times were read from (absent in reports written before it was recorded).',
    ),
  ),
  ticket: Nullable(Type.String({ maxLength: 128, description: 'A help-desk ticket reference (page ?ticket=, run --ticket).' })),
  siteUnverified: Type.Optional(
    Type.String({
      maxLength: 128,
      description:
        'A site the upload named without the operator token (a ?site= link anyone may open): kept for the help desk, never counted as the site (site reports, alerts, by-site exports). The server sets it and meta.site to null.',
    }),
  ),
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
 * gather at all), `not-tried` (the ladder stopped before it), `server-busy` (the test server
 * refused the rung's stream at its capacity: the server's side, never the network's).
 */
export const RungErrorSchema = Type.String({
  pattern: '^(timeout|not-offered|tls-handshake|loopback-refused|gather-failed|not-tried|server-busy|turn-[0-9]{3})$',
});

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

/** A moment of the test: ms from its start (click or autostart), null when never reached. */
const At = (description: string) => Nullable(Num(description));

/** Connection setup, step by step, in ms from the start of the test (click or autostart); null when never reached. */
export const SetupSchema = Obj({
  config: At('GET /api/config answered.'),
  allocation: At('A relay allocation through the chosen rung (a reachable rung chosen).'),
  iceConnected: At('ICE connected through the relay.'),
  dtls: At('DTLS handshake done.'),
  channelOpen: At('The probe (and control) channels open.'),
  firstEcho: At('The first echo arrived: the first live number.'),
});

/** After the setup: when the stream ended and the verdict was ready, ms from the start of the test. */
const TimelineSchema = Obj({
  lastProbe: At('The last probe was sent.'),
  verdict: At('The graded verdict was ready.'),
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
  Type.Literal('relay-silent'),
]);

/** A network hint: only where the evidence supports it, one sentence on what it means for a call. */
export const HintSchema = Obj({ code: HintCodeSchema, sentence: Type.String() });

/** The relay as an independent witness of the upstream RTP stream (RTP headers inside ChannelData, RFC 7983 demux). */
const WitnessStreamSchema = Obj(
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
  reflectorPackets: Type.Optional(
    Int(
      "The upstream RTP packets our reflector received on the probe leg (the probes and the audio frames around them, duplicates and padding-only packets included, as the relay counts them), counted just after the relay's figures were read: what the relay carried less this was lost between the relay and our reflector. Absent from servers that do not report it.",
    ),
  ),
});

/** The getStats second opinions (v2: which of them this browser cannot give). */
export const SecondOpinionSchema = Obj({
  ...SecondOpinionV1Schema.properties,
  unavailable: Type.Optional(
    Type.Array(
      Obj({
        source: Type.Union([Type.Literal('ice-rtt'), Type.Literal('rtcp-rtt'), Type.Literal('concealment')]),
        sentence: Type.String(),
      }),
      { description: 'Second opinions this browser cannot give: its getStats never reported the field (absent in older reports).' },
    ),
  ),
});

const { schemaVersion: _v1, meta: _metaV1, ...measured } = ReportV1Schema.properties;

/**
 * Why a pass comes with a caution, as a code. `fallback-path`: media got through only over a
 * fallback (every UDP port tried timed out, TCP or TLS connected), so calls work here at a cost.
 */
const CautionSchema = Type.Union([Type.Literal('fallback-path')], {
  description: 'Why a pass comes with a caution; absent when there is none.',
});

/** Version 1's summary and, in version 2, `caution`. */
export const SummaryV2Schema = Obj({ ...SummaryV1Schema.properties, caution: Type.Optional(CautionSchema) });

/** Kinds of provisional claim: see src/analysis/grade/provisional.ts. */
export const ClaimKindSchema = Type.Union([Type.Literal('settled-fail'), Type.Literal('likely-fail'), Type.Literal('likely-pass'), Type.Literal('so-far')]);

export const ProvisionalClaimSchema = Obj({
  metric: TargetIdSchema,
  direction: GradeDirectionSchema,
  kind: ClaimKindSchema,
  evidence: Type.String({ maxLength: CLAIM_EVIDENCE_MAX_CHARS, description: 'The figures the claim rests on, in words.' }),
  held: Nullable(
    Type.Boolean({
      description:
        'Against the final grade of the same target and direction: a likely pass held if it passed, a fail if it failed (a settled fail also needs its window clean of every suspect interval found). Null for so-far figures.',
    }),
  ),
});

/** One provisional answer shown while the test ran. */
export const ProvisionalAnswerSchema = Obj({
  atMs: Num('ms from the start of the probe stream (when the first answer is timed from), like outcome.atMs.'),
  claims: Type.Array(ProvisionalClaimSchema, { maxItems: PROVISIONAL_MAX_CLAIMS }),
});

export const ReportV2Schema = Obj(
  {
    schemaVersion: Type.Literal(2),
    meta: MetaV2Schema,
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
    // The measurement and its grades, as in version 1: summary, grades, directions, mos,
    // teamsPoorStream, secondOpinion (in its place, with what the browser cannot give), diagnostics, explanation.
    ...measured,
    summary: SummaryV2Schema,
    secondOpinion: SecondOpinionSchema,
    provisional: Type.Optional(
      Type.Array(ProvisionalAnswerSchema, {
        maxItems: PROVISIONAL_MAX_ANSWERS,
        description: 'The provisional answers shown while the test ran, oldest first (absent in reports from before they existed).',
      }),
    ),
    load: Type.Optional(LoadV2Schema),
  },
  'callprobe report, schema version 2.',
);

export type ReportV2 = Static<typeof ReportV2Schema>;
