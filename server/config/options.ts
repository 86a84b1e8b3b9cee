/**
 * The one shape `serve` is configured by: ServeOptions, every value resolved (flags given,
 * defaults for the rest, the flags that only make sense together checked). The command line
 * hands over ServeFlags as commander parsed them (the operator token may come from
 * CALLPROBE_ADMIN_TOKEN there); serveOptionsFromFlags is the only place `serve`'s defaults are
 * read (src/protocol/defaults.ts), so serve() itself reads none. defaultAppOptions is the same
 * for the HTTP app alone (tests build it from there): the app reads no default either.
 */
import { randomBytes } from 'node:crypto';
import { builtPageDir, callprobeVersion } from '../../host/package.js';
import { logFormatFor, type LogFormat } from '../logging.js';
import type { TurnServerEntry } from '../../src/protocol/api.js';
import { BOUNDS, DEFAULTS } from '../../src/protocol/defaults.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import type { RelayQuotas } from '../turn/index.js';
import type { AlertsConfig } from '../alerts/config.js';
import type { ResultWebhook } from '../alerts/result-webhook.js';
import { webhookOrigin } from '../alerts/receivers.js';
import type { ReachabilityTarget } from '../../src/protocol/reachability.js';
import type { DeliverySettings } from '../alerts/delivery.js';
import type { ServiceSettings } from '../alerts/index.js';
import type { EdgeRole } from '../edges/beats.js';
import type { FleetSettings } from '../fleet/loop.js';
import type { SiteSeriesSettings } from '../fleet/site-series.js';
import type { ConsoleUser } from '../console/auth.js';
import type { ConsoleOidcOptions, OidcGroups } from '../console/oidc-config.js';
import type { LoginThrottleSettings } from '../console/login-throttle.js';
import type { SignalLimits } from '../http/signal-limits.js';
import type { ConnectionLimits } from '../http/connections.js';
import type { LoadRoutesOptions } from '../http/load.js';
import { parseRelayIps } from './parse.js';
import type { DbTarget } from '../store/target.js';
import type { AppOptions } from '../http/app.js';
import type { DataPathChoice } from '../data-path.js';

type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug';

export interface ServeOptions {
  host: string;
  httpPort: number;
  turnUdpPorts: number[];
  /** Extra TURN-over-TCP ports (TCP always listens on the first UDP port too). */
  tcpPorts: number[];
  tls: { port: number; certPath: string; keyPath: string } | null;
  /** Address put in XOR-RELAYED-ADDRESS (the IPv4 one with a dual-stack --relay-ip). */
  relayIp: string;
  /** With `--relay-ip IPV4,IPV6`: the IPv6 relayed address (REQUESTED-ADDRESS-FAMILY, RFC 8656 §7.2), and with --host :: the IPv6 TURN URIs. */
  relayIpV6?: string;
  relayPortRange: { min: number; max: number };
  /** The relay's realm (RFC 8489 §14.9). */
  realm: string;
  secret: string | null;
  credentialTtlS: number;
  /** Clock skew allowed on a credential's expiry beyond credentialTtlS before the relay refuses it. */
  credentialSkewS: number;
  advertise: { host: string; udpPorts: number[] | null } | null;
  allowPeers: string[];
  /** Hand out this relay (e.g. coturn) instead of the embedded one. */
  externalTurn: TurnServerEntry[] | null;
  /** Allocation quotas of the embedded relay (RFC 8656 §7.2: 486 per user/IP, 508 in total). */
  quotas: Pick<RelayQuotas, 'maxAllocationsPerUsername' | 'maxAllocationsPerSourceIp' | 'maxAllocationsTotal'>;
  reflector: boolean;
  /** The RTP probe leg of the reflector (werift); off with --no-rtp. */
  rtp: boolean;
  /** The data plane (relay and reflector): 1 = a process of its own beside the HTTP process, 0 = in the HTTP process (DEFAULTS.dataPlane). */
  workers: 0 | 1;
  /** When a data plane process that exited is started again. */
  dataPlaneRestart: { minMs: number; maxMs: number; stableMs: number };
  /** Nice steps the data plane's threads run ahead of the HTTP process, where the OS allows. */
  dataPlaneNiceAboveHttp: number;
  /** What the data plane runs on (server/data-path.ts): our C addons (`native`), Node alone (`portable`), or `auto`: native when both addons load. */
  dataPath: DataPathChoice;
  /** The reflector's sessions: how many at once, how long one may last, the probe size it echoes. */
  sessions: { max: number; maxMs: number; payloadBytes: number };
  /** A new test is refused (`server-busy`) while the data plane runs this late, ms (CONSTANTS.admission; `--refuse-late-ms`, 0: never for lateness). */
  refuseLateMs: number;
  /** Per-source signalling limits (DEFAULTS.signalling). */
  signalLimits: SignalLimits;
  /** Origins allowed to open /api/signal; empty = same origin only. */
  allowedOrigins: string[];
  configPerMinutePerSource: number;
  /** The HTTP server's connections: in total, per source, the descriptors kept for the rest, the timeouts (DEFAULTS.http). */
  connections: ConnectionLimits;
  /** How far back GET /api/tls-check looks for a certificate alert the relay saw. */
  tlsRefusalWindowMs: number;
  /** Where /metrics is served (never on the public HTTP port); null = nowhere. */
  metricsListen: { host: string; port: number } | null;
  /** Each site's quality on /metrics (with metricsListen and a store): how often, over what span, for how many sites. */
  siteSeries: SiteSeriesSettings;
  logLevel: LogLevel;
  /** JSON lines, or pino-pretty for a person at a terminal (server/logging.ts); absent: JSON. */
  logFormat?: LogFormat;
  /** The built page; absent: the package's (host/package.ts). */
  webRoot?: string;
  /** The results store: where, and for how long; null: --no-store. */
  results: {
    db: DbTarget;
    retainDays: number;
    retainIpDays: number;
    /** The retention purge runs at start and then this often. */
    purgeIntervalMs: number;
  } | null;
  /** The results routes' limits (they answer with or without a store). */
  resultsLimits: {
    bodyLimitBytes: number;
    postsPerMinutePerIp: number;
    readsPerMinutePerIp: number;
    storedBytesPerDayPerSource: number;
    failedLookupsPerMinute: number;
  };
  /** Site alerts (--alerts FILE): rules and the webhooks; null: none. */
  alerts: AlertsConfig | null;
  /** --result-webhook, repeatable: every stored result that passes a webhook's filter is posted to it (none: empty). */
  resultWebhooks: ResultWebhook[];
  /** --public-url: where people reach this server (an edge's pages; the share links of result posts); null: the address it listens on. */
  publicUrl: string | null;
  /** --teams-reachability FILE: the media relays pages try after their test (handed to them in /api/config, never contacted by the server); null: none. */
  teamsReachability: ReachabilityTarget[] | null;
  /** The webhook posts' delivery: retries, backoff, posts in flight. */
  alertDelivery: DeliverySettings;
  /** Heartbeats in the store, the alerts lease and the silence sweep. */
  fleet: FleetSettings & ServiceSettings;
  /** The operator token guarding listing, exports and site results; null: those are off. */
  adminToken: string | null;
  /** Reverse proxies whose X-Forwarded-For is believed. */
  trustProxy: string[];
  /** Origins whose pages may frame the test page (--embed-origins); empty: none (frame-ancestors 'none'). */
  embedOrigins: string[];
  /** The help desk console's users (--users FILE); null: the console is closed. */
  users: ConsoleUser[] | null;
  /** The console's sessions and login limits, and its sign-in through the company's identity provider (--oidc-issuer; null: none). */
  console: {
    idleMs: number;
    absoluteMs: number;
    loginsPerMinutePerAddress: number;
    loginThrottle: LoginThrottleSettings;
    oidc: ConsoleOidcOptions | null;
  };
  /** The busy-line phase's load sink and source and their limits (offered unless --no-load). */
  load: Omit<LoadRoutesOptions, 'metricsRegistry' | 'nowMs'>;
  /** This serve is an edge of a hub (--hub ...): it stores nothing and beats to its hub; null: an all-in-one server (or a hub). */
  edge: EdgeRole | null;
  /** A hub's registry of its edges and their beats (used with a store). */
  edges: HubEdgeSettings;
}

/** The hub's side: how long a silent edge stays listed, how often the registry is read, the beats' rate. */
interface HubEdgeSettings {
  heartbeatMs: number;
  silentAfterMs: number;
  /** Pages are offered an edge heard within this only. */
  offeredWithinMs: number;
  refreshMs: number;
  heartbeatsPerMinutePerToken: number;
  refusedBeats: { perMinutePerSource: number; sourcesMax: number };
  listPerMinutePerSource: number;
  /**
   * Where pages reach the hub itself: its --public-url's host, else --host (null when that listens
   * everywhere). On a special-purpose address (a lab) its edges may advertise one too.
   */
  ownHost: string | null;
}

/** `callprobe serve`'s flags as commander parses them (cli/serve.ts; every value already parsed). */
export interface ServeFlags {
  host: string;
  httpPort: number;
  turnPorts: number[];
  tcpPorts?: number[];
  tlsPort?: number;
  tlsCert?: string;
  tlsKey?: string;
  relayIp?: string;
  relayPorts: { min: number; max: number };
  secret?: string;
  credentialTtl: number;
  advertise?: { host: string; udpPorts: number[] | null };
  allowPeers: string[];
  externalTurn?: TurnServerEntry[];
  reflector: boolean;
  /** false with --no-rtp. */
  rtp: boolean;
  /** --workers: 1 (the data plane in a process of its own) or 0 (in the HTTP process). */
  workers: 0 | 1;
  /** --data-path: auto, native or portable. */
  dataPath: DataPathChoice;
  logLevel: LogLevel;
  maxAllocationsPerUser: number;
  maxAllocationsPerIp: number;
  maxAllocations: number;
  db: DbTarget;
  /** false with --no-store. */
  store: boolean;
  adminToken?: string;
  retainDays: number;
  retainIpDays: number;
  trustProxy?: string[];
  /** --embed-origins, parsed (server/config/parse.ts parseEmbedOrigins). */
  embedOrigins?: string[];
  /** --alerts FILE, read and checked. */
  alerts?: AlertsConfig;
  /** --result-webhook, each parsed (server/alerts/result-webhook.ts). */
  resultWebhook?: ResultWebhook[];
  /** --teams-reachability FILE, read and checked. */
  teamsReachability?: ReachabilityTarget[];
  /** --users FILE, read and checked. */
  users?: ConsoleUser[];
  /** --oidc-issuer URL, --oidc-client-id ID (checked), --oidc-secret-file FILE (the secret it holds), --oidc-groups FILE (read and checked). */
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcSecretFile?: string;
  oidcGroups?: OidcGroups;
  /** --max-tests: tests at once (DEFAULTS.maxSessions). */
  maxTests: number;
  /** --refuse-late-ms: the data plane's lateness that refuses new tests (CONSTANTS.admission.busyLateMs; 0: never). */
  refuseLateMs: number;
  maxSessionsPerIp: number;
  sessionsPerMinute: number;
  configPerMinute: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  fdReserve: number;
  uploadBytesPerDay: number;
  allowedOrigins: string[];
  metricsListen?: { host: string; port: number };
  /** --metrics-max-sites: sites with series of their own on /metrics. */
  metricsMaxSites: number;
  /** false with --no-load. */
  load: boolean;
  loadMaxBytes: number;
  loadMaxFlowsPerSource: number;
  loadMaxFlows: number;
  loadTestsPerHour: number;
  loadBytesPerHour: number;
  /** An edge's flags, all four or none (the values already parsed). */
  hub?: string;
  edgeId?: string;
  azureRegion?: string;
  edgeToken?: string;
  publicUrl?: string;
}

/** The resolved options of `serve` from its flags; throws ConfigError (a usage error) for flags that do not go together. */
export function serveOptionsFromFlags(f: ServeFlags): ServeOptions {
  if (f.tlsPort !== undefined && (!f.tlsCert || !f.tlsKey)) throw new ConfigError('missing-option', '--tls-port needs --tls-cert and --tls-key');
  if (f.users !== undefined && !f.store) throw new ConfigError('missing-option', '--users opens the help desk console over stored results: drop --no-store');
  const oidc = oidcSettings(f);
  if (f.alerts !== undefined && !f.store)
    throw new ConfigError('missing-option', '--alerts needs the results store: alerts are fed by stored site results (drop --no-store)');
  const resultWebhooks = resultWebhooksOf(f);
  if ((f.host === '0.0.0.0' || f.host === '::') && !f.relayIp) {
    throw new ConfigError('missing-option', `--host ${f.host} listens everywhere: give --relay-ip, the one address peers and the reflector use`);
  }
  const relay = f.relayIp !== undefined ? parseRelayIps(f.relayIp) : { primary: f.host, ipv6: null };
  const r = DEFAULTS.results;
  const edge = edgeRole(f);
  const store = f.store && edge === null;
  // An edge signals only with its hub's pages (and any origin given beside).
  const allowedOrigins = edge === null ? f.allowedOrigins : [edge.hub, ...f.allowedOrigins.filter((o) => o !== edge.hub)];
  return {
    host: f.host,
    httpPort: f.httpPort,
    turnUdpPorts: f.turnPorts,
    tcpPorts: f.tcpPorts ?? [],
    tls: f.tlsPort !== undefined && f.tlsCert && f.tlsKey ? { port: f.tlsPort, certPath: f.tlsCert, keyPath: f.tlsKey } : null,
    relayIp: relay.primary,
    ...(relay.ipv6 !== null ? { relayIpV6: relay.ipv6 } : {}),
    relayPortRange: f.relayPorts,
    realm: DEFAULTS.realm,
    secret: f.secret ?? null,
    credentialTtlS: f.credentialTtl,
    credentialSkewS: DEFAULTS.credentialSkewS,
    advertise: f.advertise ?? null,
    allowPeers: f.allowPeers,
    externalTurn: f.externalTurn ?? null,
    quotas: { maxAllocationsPerUsername: f.maxAllocationsPerUser, maxAllocationsPerSourceIp: f.maxAllocationsPerIp, maxAllocationsTotal: f.maxAllocations },
    reflector: f.reflector,
    rtp: f.rtp,
    workers: f.workers,
    dataPlaneRestart: { minMs: DEFAULTS.dataPlane.restartMinMs, maxMs: DEFAULTS.dataPlane.restartMaxMs, stableMs: DEFAULTS.dataPlane.restartStableMs },
    dataPlaneNiceAboveHttp: DEFAULTS.dataPlane.niceAboveHttp,
    dataPath: f.dataPath,
    sessions: { max: f.maxTests, maxMs: DEFAULTS.maxSessionMs, payloadBytes: DEFAULTS.payloadBytes },
    refuseLateMs: f.refuseLateMs,
    signalLimits: {
      ...DEFAULTS.signalling,
      maxSessionsPerSource: f.maxSessionsPerIp,
      newSessionsPerMinutePerSource: f.sessionsPerMinute,
    },
    allowedOrigins,
    configPerMinutePerSource: f.configPerMinute,
    connections: { ...DEFAULTS.http, maxConnections: f.maxConnections, maxConnectionsPerSource: f.maxConnectionsPerIp, fdReserve: f.fdReserve },
    tlsRefusalWindowMs: DEFAULTS.tlsRefusalWindowMs,
    metricsListen: f.metricsListen ?? null,
    siteSeries: { intervalMs: DEFAULTS.siteSeries.intervalMs, spanMs: DEFAULTS.siteSeries.spanMs, maxSites: f.metricsMaxSites },
    logLevel: f.logLevel,
    // A person at a terminal reads the log: pretty there, JSON lines anywhere else.
    logFormat: logFormatFor(process.stdout),
    results: store ? { db: f.db, retainDays: f.retainDays, retainIpDays: f.retainIpDays, purgeIntervalMs: r.purgeIntervalMs } : null,
    resultsLimits: {
      bodyLimitBytes: r.bodyLimitBytes,
      postsPerMinutePerIp: r.postsPerMinutePerIp,
      readsPerMinutePerIp: r.readsPerMinutePerIp,
      storedBytesPerDayPerSource: f.uploadBytesPerDay,
      failedLookupsPerMinute: r.failedLookupsPerMinute,
    },
    alerts: f.alerts ?? null,
    resultWebhooks,
    publicUrl: f.publicUrl ?? null,
    teamsReachability: f.teamsReachability ?? null,
    alertDelivery: {
      retryBaseMs: DEFAULTS.alerts.retryBaseMs,
      retryMaxMs: DEFAULTS.alerts.retryMaxMs,
      retryForMs: DEFAULTS.alerts.retryForMs,
      postsPerPass: DEFAULTS.alerts.postsPerPass,
      webhookTimeoutMs: DEFAULTS.alerts.webhookTimeoutMs,
      maxInFlight: DEFAULTS.alerts.maxInFlight,
    },
    fleet: {
      heartbeatMs: DEFAULTS.fleet.heartbeatMs,
      heartbeatGraceMs: DEFAULTS.fleet.heartbeatGraceMs,
      leaseTtlMs: DEFAULTS.fleet.leaseTtlMs,
      lookbackMs: DEFAULTS.fleet.lookbackMs,
      sweepIntervalMs: DEFAULTS.alerts.sweepIntervalMs,
    },
    adminToken: f.adminToken ?? null,
    trustProxy: f.trustProxy ?? [],
    embedOrigins: f.embedOrigins ?? [],
    users: f.users ?? null,
    console: { ...consoleSettings(), oidc },
    load: loadSettings(
      f.load,
      {
        maxBytesPerDirection: f.loadMaxBytes,
        maxFlowsPerSource: f.loadMaxFlowsPerSource,
        maxFlows: f.loadMaxFlows,
        phasesPerHourPerSource: f.loadTestsPerHour,
        maxBytesPerHour: f.loadBytesPerHour,
      },
      allowedOrigins,
    ),
    edge,
    edges: {
      heartbeatMs: DEFAULTS.edges.heartbeatMs,
      silentAfterMs: DEFAULTS.edges.silentAfterMs,
      offeredWithinMs: DEFAULTS.edges.offeredWithinMs,
      refreshMs: DEFAULTS.edges.registryRefreshMs,
      heartbeatsPerMinutePerToken: DEFAULTS.edges.heartbeatsPerMinutePerToken,
      refusedBeats: { perMinutePerSource: DEFAULTS.edges.refusedBeatsPerMinutePerSource, sourcesMax: DEFAULTS.edges.refusedBeatSourcesMax },
      listPerMinutePerSource: DEFAULTS.edges.listPerMinutePerSource,
      ownHost: edge === null && f.publicUrl !== undefined ? new URL(f.publicUrl).hostname : f.host === '0.0.0.0' || f.host === '::' ? null : f.host,
    },
  };
}

/** --result-webhook's webhooks, checked against the flags they need (a store, an address people reach); none: empty. */
function resultWebhooksOf(f: ServeFlags): ResultWebhook[] {
  const hooks = f.resultWebhook ?? [];
  if (hooks.length === 0) return [];
  if (!f.store) throw new ConfigError('missing-option', '--result-webhook posts stored results: drop --no-store');
  if (f.hub !== undefined) throw new ConfigError('missing-option', 'an edge stores nothing: its hub posts the results (drop --result-webhook)');
  if (hooks.length > BOUNDS.resultWebhooks)
    throw new ConfigError('bad-value', `--result-webhook is given ${hooks.length} times: at most ${BOUNDS.resultWebhooks}`);
  const twice = hooks.find((h, i) => hooks.findIndex((x) => x.url === h.url) !== i);
  if (twice !== undefined) throw new ConfigError('bad-value', `--result-webhook names ${webhookOrigin(twice.url)}... twice: one flag per URL`);
  if ((f.host === '0.0.0.0' || f.host === '::') && f.publicUrl === undefined)
    throw new ConfigError('missing-option', `--result-webhook posts share links: with --host ${f.host} give --public-url, where people reach this server`);
  return hooks;
}

/** The edge's role from --hub, --edge-id, --azure-region and --edge-token (all four or none); null without them. */
function edgeRole(f: ServeFlags): EdgeRole | null {
  const given = { '--hub': f.hub, '--edge-id': f.edgeId, '--azure-region': f.azureRegion, '--edge-token': f.edgeToken };
  const missing = Object.entries(given).filter(([, v]) => v === undefined);
  // Not an edge: --public-url says where pages reach this server (a hub's own origin, whether it is a lab: server/edges/hosts.ts; the share links of --result-webhook posts).
  if (missing.length === 4) return null;
  if (missing.length > 0)
    throw new ConfigError('missing-option', `an edge needs --hub, --edge-id, --azure-region and --edge-token: give ${missing.map(([k]) => k).join(', ')}`);
  if (f.users !== undefined || f.alerts !== undefined || f.oidcIssuer !== undefined)
    throw new ConfigError('missing-option', 'an edge stores nothing: its hub serves the console and the alerts (drop --users, --oidc-issuer and --alerts)');
  if ((f.host === '0.0.0.0' || f.host === '::') && f.publicUrl === undefined)
    throw new ConfigError('missing-option', `an edge on --host ${f.host} listens everywhere: give --public-url, where pages reach it`);
  return {
    hub: f.hub ?? '',
    id: f.edgeId ?? '',
    azureRegion: f.azureRegion ?? '',
    token: f.edgeToken ?? '',
    publicUrl: f.publicUrl ?? null,
    heartbeatMs: DEFAULTS.edges.heartbeatMs,
    heartbeatTimeoutMs: DEFAULTS.edges.heartbeatTimeoutMs,
    relayCheckMs: DEFAULTS.edges.relayCheckMs,
    relayCheckTimeoutMs: DEFAULTS.edges.relayCheckTimeoutMs,
  };
}

/** The console's sessions and login limits (DEFAULTS.console). */
function consoleSettings(): Omit<ServeOptions['console'], 'oidc'> {
  const c = DEFAULTS.console;
  return { idleMs: c.sessionIdleMs, absoluteMs: c.sessionAbsoluteMs, loginsPerMinutePerAddress: c.loginsPerMinutePerAddress, loginThrottle: c.loginThrottle };
}

/** The console's sign-in through the company's identity provider: --oidc-issuer with --oidc-client-id and --oidc-groups, or none of them; null without. */
function oidcSettings(f: ServeFlags): ConsoleOidcOptions | null {
  if (f.oidcIssuer === undefined) {
    const stray = [
      ['--oidc-client-id', f.oidcClientId],
      ['--oidc-secret-file', f.oidcSecretFile],
      ['--oidc-groups', f.oidcGroups],
    ].find(([, v]) => v !== undefined);
    if (stray !== undefined) throw new ConfigError('missing-option', `${String(stray[0])} belongs to --oidc-issuer: give the issuer too`);
    return null;
  }
  if (f.oidcClientId === undefined || f.oidcGroups === undefined)
    throw new ConfigError('missing-option', '--oidc-issuer needs --oidc-client-id and --oidc-groups (which groups open the console at which tier)');
  if (!f.store) throw new ConfigError('missing-option', '--oidc-issuer opens the help desk console over stored results: drop --no-store');
  const d = DEFAULTS.console.oidc;
  return {
    issuer: f.oidcIssuer,
    clientId: f.oidcClientId,
    clientSecret: f.oidcSecretFile ?? null,
    groups: f.oidcGroups,
    pendingTtlMs: d.pendingTtlMs,
    pendingMax: d.pendingMax,
    checkEveryMs: d.checkEveryMs,
    recheckDownMs: d.recheckDownMs,
    checkTimeoutS: d.checkTimeoutS,
    exchangeTimeoutS: d.exchangeTimeoutS,
    statusPerMinutePerAddress: d.statusPerMinutePerAddress,
  };
}

type LoadFlagLimits = Pick<
  ServeOptions['load']['limits'],
  'maxBytesPerDirection' | 'maxFlowsPerSource' | 'maxFlows' | 'phasesPerHourPerSource' | 'maxBytesPerHour'
>;

/**
 * The busy-line routes' options: offered or not, the limits `serve` has flags for, DEFAULTS.load
 * for the rest; a network's limits follow its sources' (DEFAULTS.load.sourcesPerNetwork of
 * them), the reserve the total (DEFAULTS.load.reserveShare of it).
 */
function loadSettings(offered: boolean, limits: LoadFlagLimits, allowedOrigins: string[]): ServeOptions['load'] {
  const l = DEFAULTS.load;
  return {
    offered,
    limits: {
      ...limits,
      maxFlowsPerNetwork: limits.maxFlowsPerSource * l.sourcesPerNetwork,
      phasesPerHourPerNetwork: limits.phasesPerHourPerSource * l.sourcesPerNetwork,
      reserveFlows: Math.floor(limits.maxFlows * l.reserveShare),
      grantTtlMs: l.grantTtlMs,
      requestBytesMax: l.requestBytesMax,
    },
    flowMaxMs: l.flowMaxMs,
    floor: { bytesPerS: l.floorBytesPerS, graceMs: l.floorGraceMs, windowMs: l.floorWindowMs, checkMs: l.floorCheckMs },
    sourceChunkBytes: l.sourceChunkBytes,
    requestsPerMinutePerSource: l.requestsPerMinutePerSource,
    allowedOrigins,
  };
}

/**
 * Complete options of the HTTP app (server/http/app.ts) from DEFAULTS: the package's built page
 * and version, a random TURN secret (as serve without --secret), no relay and no reflector, no
 * results store, the console closed, the busy-line phase not offered, the default limits.
 * serve() builds its own from ServeOptions; a test starts here and overrides what it tests.
 */
export function defaultAppOptions(): AppOptions {
  const l = DEFAULTS.load;
  return {
    webRoot: builtPageDir(),
    service: { heartbeatGraceMs: DEFAULTS.fleet.heartbeatGraceMs, lookbackMs: DEFAULTS.fleet.lookbackMs },
    webhookTimeoutMs: DEFAULTS.alerts.webhookTimeoutMs,
    version: callprobeVersion(),
    secret: randomBytes(24).toString('base64url'),
    credentialTtlS: DEFAULTS.credentialTtlS,
    turn: [],
    notOffered: [],
    relay: 'external',
    reflector: null,
    rtpReflector: false,
    maxSessions: DEFAULTS.maxSessions,
    signalLimits: DEFAULTS.signalling,
    allowedOrigins: [],
    configPerMinutePerSource: DEFAULTS.signalling.configPerMinutePerSource,
    connections: DEFAULTS.http,
    logLevel: DEFAULTS.logLevel,
    trustProxy: [],
    console: { users: null, nowMs: () => Date.now(), ...consoleSettings(), oidc: null },
    load: loadSettings(
      false,
      {
        maxBytesPerDirection: l.maxBytesPerDirection,
        maxFlowsPerSource: l.maxFlowsPerSource,
        maxFlows: l.maxFlows,
        phasesPerHourPerSource: l.phasesPerHourPerSource,
        maxBytesPerHour: l.maxBytesPerHour,
      },
      [],
    ),
  };
}
