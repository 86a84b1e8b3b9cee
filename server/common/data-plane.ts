/**
 * The one channel between `serve`'s HTTP process and its data plane (the relay and both
 * reflector legs, server/dataplane/): every message either way, as TypeBox schemas. Today the two
 * are processes of one machine joined by Node's IPC (`child_process.fork`); the messages say
 * nothing of processes, so a hub and an edge elsewhere can speak them over another carrier.
 * Each end checks every message it receives against these schemas (server/dataplane/channel.ts)
 * and drops, logs and counts one that does not match.
 *
 * HTTP process -> data plane (`PlaneCommand`): the start configuration (the relay's listeners,
 * its secret and limits; the reflector's settings), a reflector session's start, the page's
 * signals of it and its end, and two questions (a metrics snapshot, the latest certificate
 * refusal from one address), each answered by the id it carries.
 *
 * Data plane -> HTTP process (`PlaneEvent`): ready (where the relay listens) or why it could not
 * start, a session's signals to the page, a page signal refused, candidates dropped, a session's
 * end with its tally, the answers, and every second how late its event loop ran (admission).
 *
 * Bounds: every string and list is bounded (the plane is ours, but a message is checked as any
 * input is); the signals themselves are the page's schema (src/protocol/api-signal.ts).
 */
import { type Static, Type } from '@sinclair/typebox';
import { SignalDataSchema } from '../../src/protocol/api-signal.js';
import { BOUNDS } from '../../src/protocol/defaults.js';

/** An IP address or host literal as the server's flags give it. */
const Address = Type.String({ minLength: 1, maxLength: 64 });
const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Count = Type.Integer({ minimum: 0 });
/** A sentence for the log or a person (a reason's words). */
const Words = Type.String({ maxLength: 2048 });
/** A session's id: 8 hex characters (server/http/signal.ts). */
const SessionId = Type.String({ minLength: 1, maxLength: 64 });
/** A question's id, echoed by its answer. */
const QueryId = Type.Integer({ minimum: 0 });
const Leg = Type.Optional(Type.Literal('rtp'));
const Range = Type.Object({ min: Port, max: Port }, { additionalProperties: false });
/** Every port list a start carries (UDP, TCP): the CLI's bound on one list, with room. */
const PortList = Type.Array(Port, { maxItems: BOUNDS.portListMaxPorts * 2 });
const Pem = Type.String({ maxLength: 256 * 1024 });

/** The embedded relay's configuration (server/turn/index.ts RelayConfig, without its logger and clocks). */
const RelayStartSchema = Type.Object(
  {
    listenHosts: Type.Array(Address, { minItems: 1, maxItems: 4 }),
    relayIp: Address,
    relayIpV6: Type.Optional(Address),
    udpPorts: PortList,
    tcpPorts: PortList,
    tls: Type.Union([Type.Object({ port: Port, certPem: Pem, keyPem: Pem }, { additionalProperties: false }), Type.Null()]),
    relayPortRange: Range,
    realm: Type.String({ maxLength: 256 }),
    secret: Type.String({ minLength: 1, maxLength: 1024 }),
    allowPeers: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 256 }),
    quotas: Type.Object({ maxAllocationsPerUsername: Count, maxAllocationsPerSourceIp: Count, maxAllocationsTotal: Count }, { additionalProperties: false }),
    maxCredentialLifetimeS: Type.Union([Count, Type.Null()]),
    /** Also listen on a loopback UDP port for the server's own reflector (Relay.internalUdp). */
    internalUdp: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type RelayStart = Static<typeof RelayStartSchema>;

/** The reflector's settings: what every session of it is given (server/reflector/session.ts). */
const ReflectorStartSchema = Type.Object(
  {
    /** The one address its RTP leg offers candidates on (--relay-ip). */
    address: Address,
    /** The only endpoints page candidates may point at: the relay's relayed addresses and port range. */
    relayEndpoints: Type.Object({ addresses: Type.Array(Address, { maxItems: 64 }), portRange: Range }, { additionalProperties: false }),
    /**
     * Where its data-channel leg takes its one candidate when the relay is not embedded
     * (--external-turn's first UDP entry); null: the embedded relay's loopback listener.
     */
    externalTurnUdpUrl: Type.Union([Type.String({ maxLength: 1024 }), Type.Null()]),
    /** The secret its per-session credential is minted under, and how long one may last at most. */
    secret: Type.String({ minLength: 1, maxLength: 1024 }),
    credentialTtlS: Count,
    payloadBytes: Type.Integer({ minimum: 1, maximum: BOUNDS.payloadBytesMax }),
    maxSessionMs: Count,
    /** Whether sessions answer the RTP probe leg (werift). */
    rtp: Type.Boolean(),
    /** Tests: the no-ICE-traffic timeout after the answer (absent: CONSTANTS.signalling's). */
    iceTrafficTimeoutMs: Type.Optional(Count),
  },
  { additionalProperties: false },
);
export type ReflectorStart = Static<typeof ReflectorStartSchema>;

const LogLevel = Type.Union([
  Type.Literal('fatal'),
  Type.Literal('error'),
  Type.Literal('warn'),
  Type.Literal('info'),
  Type.Literal('debug'),
  Type.Literal('silent'),
]);

/**
 * What the plane's packets run on (`serve --data-path`): `native`, our C addons (the relay's UDP
 * sockets with their fast path and event-loop sampler; SRTP and the probe core in C); `portable`,
 * what runs wherever Node 20 runs (Node's dgram sockets, SRTP over node:crypto and the probe core
 * in JavaScript, the sampler on a JavaScript timer).
 */
const DataPathSchema = Type.Union([Type.Literal('native'), Type.Literal('portable')]);
export type DataPath = Static<typeof DataPathSchema>;

/** Everything the data plane runs, sent once when it starts (again, as it was, when it is started again). */
const StartSchema = Type.Object(
  {
    type: Type.Literal('start'),
    relay: Type.Union([RelayStartSchema, Type.Null()]),
    reflector: Type.Union([ReflectorStartSchema, Type.Null()]),
    dataPath: DataPathSchema,
    log: Type.Object({ level: LogLevel, format: Type.Union([Type.Literal('json'), Type.Literal('pretty')]) }, { additionalProperties: false }),
    /** Nice steps the plane's threads run ahead of the HTTP process, where the OS allows (0: none). */
    niceAboveHttp: Type.Integer({ minimum: 0, maximum: 39 }),
  },
  { additionalProperties: false },
);
export type PlaneStart = Static<typeof StartSchema>;

/** The page opened a reflector session (its signalling socket passed the HTTP side's doors). */
/**
 * A session opens: a test's (its RTP leg, or its data-channel leg where that cannot run), or with
 * `kind` 'echo' the echo test's (the RTP leg alone, src/protocol/api.ts SIGNAL_KIND_PARAM).
 */
const OpenSchema = Type.Object(
  { type: Type.Literal('open'), session: SessionId, kind: Type.Optional(Type.Union([Type.Literal('echo'), Type.Literal('video')])) },
  { additionalProperties: false },
);
/** A page signal of an open session (checked against the signalling contract already). */
const SignalSchema = Type.Object({ type: Type.Literal('signal'), session: SessionId, data: SignalDataSchema, leg: Leg }, { additionalProperties: false });
/** The page's `stop` of an open session: its probe stream is over, the reflector sends the rest (its last receipts, the finals). */
const StreamEndSchema = Type.Object({ type: Type.Literal('stream-end'), session: SessionId }, { additionalProperties: false });
/** The page's side of a session ended (its socket closed, the server shuts down). */
const CloseSchema = Type.Object({ type: Type.Literal('close'), session: SessionId, reason: Words }, { additionalProperties: false });
/** Questions, answered by the id they carry: a metrics snapshot; the latest certificate alert from one address. */
const MetricsQuerySchema = Type.Object({ type: Type.Literal('metrics?'), id: QueryId }, { additionalProperties: false });
const TlsRefusalQuerySchema = Type.Object({ type: Type.Literal('tls-refusal?'), id: QueryId, ip: Address, windowMs: Count }, { additionalProperties: false });
/**
 * The relay's TURN REST secret replaced (a hub revoked this edge): credentials minted with the old
 * one are refused from now on, and the reflector mints its own with the new one.
 */
const SecretSchema = Type.Object({ type: Type.Literal('secret'), secret: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });

/** Close everything and exit. */
const StopSchema = Type.Object({ type: Type.Literal('stop') }, { additionalProperties: false });

export const PlaneCommandSchema = Type.Union([
  StartSchema,
  OpenSchema,
  SignalSchema,
  StreamEndSchema,
  CloseSchema,
  MetricsQuerySchema,
  TlsRefusalQuerySchema,
  SecretSchema,
  StopSchema,
]);
export type PlaneCommand = Static<typeof PlaneCommandSchema>;

const ListenerSchema = Type.Object(
  { transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')]), address: Address, port: Port },
  { additionalProperties: false },
);

/** Started: where the relay listens (empty without an embedded relay), and the nice its threads run at. */
const ReadySchema = Type.Object(
  {
    type: Type.Literal('ready'),
    pid: Count,
    /** The plane's threads' nice value, and whether it is ahead of the HTTP process's (the OS may not allow it). */
    nice: Type.Integer({ minimum: -20, maximum: 19 }),
    niceRaised: Type.Boolean(),
    listeners: Type.Array(ListenerSchema, { maxItems: 1024 }),
    internalUdp: Type.Union([Type.Object({ address: Address, port: Port }, { additionalProperties: false }), Type.Null()]),
  },
  { additionalProperties: false },
);

/**
 * Could not start: `bad-config` (a value the relay refuses), `bind-failed` (a listener that
 * would not bind: `errno` says which and why, as Node gave it), `failed` (anything else).
 */
const StartFailedSchema = Type.Object(
  {
    type: Type.Literal('start-failed'),
    reason: Type.Union([Type.Literal('bad-config'), Type.Literal('bind-failed'), Type.Literal('failed')]),
    message: Words,
    errno: Type.Union([
      Type.Object({ code: Type.String({ maxLength: 64 }), address: Type.Optional(Address), port: Type.Optional(Port) }, { additionalProperties: false }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);

/** A signal of our stack for the page. */
const PageSignalSchema = Type.Object({ type: Type.Literal('signal'), session: SessionId, data: SignalDataSchema, leg: Leg }, { additionalProperties: false });
/**
 * A control message of a session for the page (src/protocol/wire.ts): a JSON one as its text, or a
 * binary one (a batch of receipts) in base64 (`binary`), carried to the page on its signalling socket.
 */
const PageControlSchema = Type.Object(
  { type: Type.Literal('control'), session: SessionId, text: Type.String({ maxLength: BOUNDS.controlMessageBytesMax }), binary: Type.Boolean() },
  { additionalProperties: false },
);
/** A page signal the session refused: the reason and words the page is told. */
const RefusedSchema = Type.Object(
  { type: Type.Literal('refused'), session: SessionId, reason: Type.String({ maxLength: 64 }), message: Words },
  { additionalProperties: false },
);
/** Page candidates dropped because they do not point at the relay. */
const DroppedSchema = Type.Object({ type: Type.Literal('dropped'), session: SessionId, count: Count }, { additionalProperties: false });

/** What a session echoed, for /metrics: probes on each path, and those that were not probes. */
const TallySchema = Type.Object({ probes: Count, rtpProbes: Count, badProbes: Count, witnessed: Type.Boolean() }, { additionalProperties: false });
export type SessionTally = Static<typeof TallySchema>;

/** A session ended; `code` says why in a word the page is told (`no-ice`), when there is one. */
const ClosedSchema = Type.Object(
  { type: Type.Literal('closed'), session: SessionId, reason: Words, code: Type.Optional(Type.Literal('no-ice')), tally: TallySchema },
  { additionalProperties: false },
);

/**
 * Every CONSTANTS.admission.reportMs: the worst lateness of the plane's event loop in each bin of
 * its last windowMs (server/reflector/loop-lateness.ts), oldest first, which the HTTP side's
 * admission reads (server/dataplane/admission.ts).
 */
const LoopLateSchema = Type.Object(
  {
    type: Type.Literal('loop-late'),
    lateMs: Type.Array(Type.Number({ minimum: 0 }), { maxItems: 64 }),
    /** The plane process's CPU time (user and system, every thread) since its last report, ms (/metrics). */
    cpuMs: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** A metric's or label's name (the Prometheus data model: [a-zA-Z_:][a-zA-Z0-9_:]*, labels without the colon). */
const MetricName = Type.String({ pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$', maxLength: 128 });
const LabelName = Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$', maxLength: 128 });

/**
 * One metric family of a plane's registry, as prom-client's getMetricsAsJSON() gives it
 * (server/metrics/registry.ts): its name, help, type, how processes' samples of it merge
 * (`aggregator`), and its samples (a histogram's `_bucket`, `_sum` and `_count` by `metricName`).
 */
const MetricFamilySchema = Type.Object(
  {
    name: MetricName,
    help: Type.String({ maxLength: 1024 }),
    type: Type.Union([Type.Literal('counter'), Type.Literal('gauge'), Type.Literal('histogram'), Type.Literal('summary')]),
    aggregator: Type.Union([
      Type.Literal('sum'),
      Type.Literal('first'),
      Type.Literal('min'),
      Type.Literal('max'),
      Type.Literal('average'),
      Type.Literal('omit'),
    ]),
    values: Type.Array(
      Type.Object(
        {
          value: Type.Number(),
          labels: Type.Record(LabelName, Type.Union([Type.String({ maxLength: 1024 }), Type.Number()]), { maxProperties: 16 }),
          metricName: Type.Optional(MetricName),
        },
        { additionalProperties: false },
      ),
      { maxItems: 16_384 },
    ),
  },
  { additionalProperties: false },
);
export type MetricFamily = Static<typeof MetricFamilySchema>;

/** The answer to `metrics?`: the plane's registry (its relay's counters, its process's memory and event-loop delay) and the relay's door refusals. */
const MetricsSchema = Type.Object(
  {
    type: Type.Literal('metrics'),
    id: QueryId,
    families: Type.Array(MetricFamilySchema, { maxItems: 256 }),
    doorRefusals: Type.Array(
      Type.Tuple([
        Type.Union([Type.Literal('relay-allocation'), Type.Literal('turn-connection')]),
        Type.Union([Type.Literal('source'), Type.Literal('network'), Type.Literal('total'), Type.Literal('reserve'), Type.Literal('ports')]),
        Count,
      ]),
      { maxItems: 64 },
    ),
  },
  { additionalProperties: false },
);
export type PlaneMetrics = Static<typeof MetricsSchema>;

/** The answer to `tls-refusal?`. */
const TlsRefusalSchema = Type.Object(
  {
    type: Type.Literal('tls-refusal'),
    id: QueryId,
    refusal: Type.Union([Type.Object({ alert: Type.String({ maxLength: 64 }) }, { additionalProperties: false }), Type.Null()]),
  },
  { additionalProperties: false },
);

export const PlaneEventSchema = Type.Union([
  ReadySchema,
  StartFailedSchema,
  PageSignalSchema,
  PageControlSchema,
  RefusedSchema,
  DroppedSchema,
  ClosedSchema,
  MetricsSchema,
  TlsRefusalSchema,
  LoopLateSchema,
]);
export type PlaneEvent = Static<typeof PlaneEventSchema>;
