import { createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import type { ConsoleUser } from '../console/auth.js';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig, TurnServerEntry } from '../../src/protocol/api.js';
import { buildApp, buildMetricsApp, metricsTextOf } from '../http/app.js';
import { RelayStartError, startRelay, type Relay, type RelayQuotas } from '../turn/index.js';
import { BOUNDS, ConfigError, DEFAULTS, formatTurnUri, parseRelayIps, parseTurnUriParts, type DbTarget } from '../../src/protocol/defaults.js';
import { openStore, StoreError, type ResultStore } from '../store/index.js';
import { SiteAlerts } from '../alerts/index.js';
import type { AlertsConfig } from '../alerts/config.js';
import type { RelayEndpoints } from '../reflector/candidates.js';
import type { SignalLimits } from '../http/signal-limits.js';
import { callprobeVersion, packageRoot } from '../version.js';

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
  secret: string | null;
  credentialTtlS: number;
  advertise: { host: string; udpPorts: number[] | null } | null;
  allowPeers: string[];
  /** Hand out this relay (e.g. coturn) instead of the embedded one. */
  externalTurn: TurnServerEntry[] | null;
  /** Allocation quotas of the embedded relay (RFC 8656 §7.2: 486 per user/IP, 508 in total). */
  quotas: Pick<RelayQuotas, 'maxAllocationsPerUsername' | 'maxAllocationsPerSourceIp' | 'maxAllocationsTotal'>;
  reflector: boolean;
  /** The RTP probe leg of the reflector (werift, issue 13); absent: on. Off with --no-rtp. */
  rtp?: boolean;
  /** Per-source signalling limits (DEFAULTS.signalling). */
  signalLimits: SignalLimits;
  /** Origins allowed to open /api/signal; empty = same origin only. */
  allowedOrigins: string[];
  configPerMinutePerSource: number;
  /** Where /metrics is served (never on the public HTTP port); null = nowhere. */
  metricsListen: { host: string; port: number } | null;
  logLevel: LogLevel;
  webRoot?: string;
  /** The results store (issue 10): where, and for how long; null: --no-store. */
  results: { db: DbTarget; retainDays: number; retainIpDays: number } | null;
  /** Site alerts (--alerts FILE): rules and the webhook; null: none. */
  alerts: AlertsConfig | null;
  /** The operator token guarding listing, exports and site results; null: those are off. */
  adminToken: string | null;
  /** Reverse proxies whose X-Forwarded-For is believed. */
  trustProxy: string[];
  /** The help desk console's users (--users FILE); null: the console is closed. */
  users?: ConsoleUser[] | null;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug';

/** `callprobe serve`'s flags as commander parses them (cli.ts; every value already parsed). */
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
  /** --alerts FILE, read and checked. */
  alerts?: AlertsConfig;
  /** --users FILE, read and checked. */
  users?: ConsoleUser[];
  maxSessionsPerIp: number;
  sessionsPerMinute: number;
  configPerMinute: number;
  allowedOrigins: string[];
  metricsListen?: { host: string; port: number };
}

/** Checks the flags that only make sense together; throws ConfigError (a usage error). */
export function serveOptionsFromFlags(f: ServeFlags): ServeOptions {
  if (f.tlsPort !== undefined && (!f.tlsCert || !f.tlsKey)) throw new ConfigError('--tls-port needs --tls-cert and --tls-key', 'missing-option');
  if (f.users !== undefined && !f.store) throw new ConfigError('--users opens the help desk console over stored results: drop --no-store', 'missing-option');
  if (f.alerts !== undefined && !f.store)
    throw new ConfigError('--alerts needs the results store: alerts are fed by stored site results (drop --no-store)', 'missing-option');
  if ((f.host === '0.0.0.0' || f.host === '::') && !f.relayIp) {
    throw new ConfigError(`--host ${f.host} listens everywhere: give --relay-ip, the one address peers and the reflector use`, 'missing-option');
  }
  const relay = f.relayIp !== undefined ? parseRelayIps(f.relayIp) : { primary: f.host, ipv6: null };
  return {
    host: f.host,
    httpPort: f.httpPort,
    turnUdpPorts: f.turnPorts,
    tcpPorts: f.tcpPorts ?? [],
    tls: f.tlsPort !== undefined && f.tlsCert && f.tlsKey ? { port: f.tlsPort, certPath: f.tlsCert, keyPath: f.tlsKey } : null,
    relayIp: relay.primary,
    ...(relay.ipv6 !== null ? { relayIpV6: relay.ipv6 } : {}),
    relayPortRange: f.relayPorts,
    secret: f.secret ?? null,
    credentialTtlS: f.credentialTtl,
    advertise: f.advertise ?? null,
    allowPeers: f.allowPeers,
    externalTurn: f.externalTurn ?? null,
    quotas: { maxAllocationsPerUsername: f.maxAllocationsPerUser, maxAllocationsPerSourceIp: f.maxAllocationsPerIp, maxAllocationsTotal: f.maxAllocations },
    reflector: f.reflector,
    rtp: f.rtp,
    signalLimits: {
      ...DEFAULTS.signalling,
      maxSessionsPerSource: f.maxSessionsPerIp,
      newSessionsPerMinutePerSource: f.sessionsPerMinute,
    },
    allowedOrigins: f.allowedOrigins,
    configPerMinutePerSource: f.configPerMinute,
    metricsListen: f.metricsListen ?? null,
    logLevel: f.logLevel,
    results: f.store ? { db: f.db, retainDays: f.retainDays, retainIpDays: f.retainIpDays } : null,
    alerts: f.alerts ?? null,
    adminToken: f.adminToken ?? null,
    trustProxy: f.trustProxy ?? [],
    users: f.users ?? null,
  };
}

export interface RunningServer {
  url: string;
  /** http://host:port/metrics when --metrics-listen was given. */
  metricsUrl: string | null;
  app: FastifyInstance;
  relay: Relay | null;
  store: ResultStore | null;
  close(): Promise<void>;
}

function describeDb(db: DbTarget): string {
  if (db.kind === 'sqlite') return `SQLite ${db.path}`;
  try {
    const u = new URL(db.url);
    return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** What serve prints about the store once it listens. */
function resultsLine(opts: ServeOptions): string {
  const r = opts.results;
  return r ? `results: ${describeDb(r.db)} (reports kept ${r.retainDays} days, client addresses ${r.retainIpDays} days)` : 'results: not stored (--no-store)';
}

/** Opens the store; a database that cannot be opened is the operator's to fix (a usage error). */
async function openResults(opts: ServeOptions, log: (msg: string) => void): Promise<ResultStore | null> {
  if (!opts.results) return null;
  const r = opts.results;
  try {
    const store = await openStore(r.db, {
      nowMs: () => Date.now(),
      randomBytes: (n) => randomBytes(n),
      retainDays: r.retainDays,
      retainIpDays: r.retainIpDays,
      warn: log,
    });
    return store;
  } catch (err) {
    if (err instanceof StoreError) throw new ConfigError(`--db: ${err.message}`, 'bad-db');
    throw err;
  }
}

/** The retention purge: once now, then every purgeIntervalMs (the timer never keeps the process alive). */
function startPurge(store: ResultStore, log: (msg: string) => void): () => void {
  const purge = (): void => {
    store.purge(Date.now()).then(
      (p) => {
        if (p.addressesDeleted > 0 || p.resultsDeleted > 0)
          log(`results: purged ${p.addressesDeleted} client addresses and ${p.resultsDeleted} reports past retention`);
      },
      (err: Error) => log(`results: retention purge failed (retried in an hour): ${err.message}`),
    );
  };
  purge();
  const timer = setInterval(purge, DEFAULTS.results.purgeIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

function hostForUri(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * RFC 7065 TURN URIs the page receives, for where clients reach the relay. Dual stack (`--host
 * ::` listens on both families, `--relay-ip IPV4,IPV6`): every entry for the IPv4 address,
 * then every entry again for the IPv6 one (the ladder's IPv6 rungs; the test itself uses the
 * first UDP entry, IPv4).
 */
export function turnEntries(opts: ServeOptions, bound: Relay['listeners']): TurnServerEntry[] {
  const wildcard = opts.host === '0.0.0.0' || opts.host === '::';
  const hosts = opts.advertise
    ? [opts.advertise.host]
    : wildcard
      ? [opts.relayIp, ...(opts.host === '::' && opts.relayIpV6 !== undefined ? [opts.relayIpV6] : [])]
      : [opts.host];
  const udpPorts = opts.advertise?.udpPorts ?? uniquePorts(bound, 'udp');
  return hosts.flatMap((h) => {
    const host = hostForUri(h);
    const entry = (transport: TurnServerEntry['transport'], port: number): TurnServerEntry => ({ url: formatTurnUri(host, port, transport), transport, port });
    return [
      ...udpPorts.map((p) => entry('udp', p)),
      ...uniquePorts(bound, 'tcp').map((p) => entry('tcp', p)),
      ...uniquePorts(bound, 'tls').map((p) => entry('tls', p)),
    ];
  });
}

function uniquePorts(bound: Relay['listeners'], transport: 'udp' | 'tcp' | 'tls'): number[] {
  return [...new Set(bound.filter((l) => l.transport === transport).map((l) => l.port))];
}

function readPem(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${flag} ${path}: cannot read it (${code ?? (err as Error).message})`, 'bad-file');
  }
}

/**
 * The TLS certificate and key, read and checked before anything listens: a certificate file
 * that is not PEM, a key that is not one, or a key that is not the certificate's is a usage
 * error naming both files (exit 3), not a relay that "could not bind". The certificate file
 * may hold a chain: the first certificate is the server's (RFC 8446 §4.4.2). A certificate
 * outside its validity is only warned about: clients will refuse it, but the other rungs work.
 */
export function readTlsPair(certPath: string, keyPath: string, nowMs: number, warn: (msg: string) => void): { certPem: string; keyPem: string } {
  const certPem = readPem(certPath, '--tls-cert');
  const keyPem = readPem(keyPath, '--tls-key');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new ConfigError(`--tls-cert ${certPath}: not a PEM certificate (${(err as Error).message})`, 'bad-file');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new ConfigError(`--tls-key ${keyPath}: not a PEM private key (${(err as Error).message})`, 'bad-file');
  }
  if (!cert.checkPrivateKey(key)) {
    throw new ConfigError(`--tls-cert ${certPath} and --tls-key ${keyPath} do not match: the key is not the certificate's`, 'bad-file');
  }
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (nowMs < from || nowMs > to) warn(`--tls-cert ${certPath} is valid only from ${cert.validFrom} to ${cert.validTo}: TLS clients will refuse it`);
  return { certPem, keyPem };
}

const LISTEN_ERRORS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this host',
  EACCES: 'permission denied (ports below 1024 need privileges)',
};

/** A listen/bind failure the user can fix (port in use, address not here) as a usage error; anything else as is. */
function listenError(err: unknown, what: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const text = code === undefined ? undefined : LISTEN_ERRORS[code];
  if (text === undefined) return err;
  const address = (err as { address?: string; port?: number }).address;
  const port = (err as { port?: number }).port;
  return new ConfigError(`${what}: ${text}${address !== undefined ? ` (${address}${port !== undefined ? `:${port}` : ''})` : ''}`, 'cannot-listen');
}

/** The relay's start errors are the user's to fix (a port in use, a bad --allow-peers): usage errors. */
async function relayOrUsageError(config: Parameters<typeof startRelay>[0]): Promise<Relay> {
  try {
    return await startRelay(config);
  } catch (err) {
    if (!(err instanceof RelayStartError)) throw err;
    const cause = (err as { cause?: unknown }).cause;
    const bind = listenError(cause, 'TURN relay');
    throw bind instanceof ConfigError ? bind : new ConfigError(`TURN relay: ${err.message}`, 'bad-value');
  }
}

/**
 * Where page candidates may point (issue 14, finding 2): the embedded relay's relayed address
 * and port range, or the --external-turn relays' addresses (IP literals; any port: their
 * range is theirs).
 */
export function relayEndpoints(opts: ServeOptions): RelayEndpoints {
  if (!opts.externalTurn) return { addresses: [opts.relayIp, ...(opts.relayIpV6 !== undefined ? [opts.relayIpV6] : [])], portRange: opts.relayPortRange };
  const addresses = opts.externalTurn.map((e) => parseTurnUriParts(e.url).host).filter((h) => isIP(h) !== 0);
  return { addresses, portRange: { min: BOUNDS.port.min, max: BOUNDS.port.max } };
}

export async function serve(opts: ServeOptions, log: (msg: string) => void): Promise<RunningServer> {
  const secret = opts.secret ?? randomBytes(24).toString('base64url');
  if (!opts.secret) log('TURN secret: random for this run (pass --secret to share it with another relay)');
  const version = callprobeVersion();
  let relay: Relay | null = null;
  let turn: TurnServerEntry[];
  const notOffered: ServerConfig['notOffered'] = [];
  const appLogger = { level: opts.logLevel };

  if (opts.externalTurn) {
    turn = opts.externalTurn;
  } else {
    const tls = opts.tls ? { port: opts.tls.port, ...readTlsPair(opts.tls.certPath, opts.tls.keyPath, Date.now(), log) } : null;
    const [firstUdp] = opts.turnUdpPorts;
    if (firstUdp === undefined) throw new ConfigError('--turn-ports is empty', 'bad-port');
    const { default: pino } = await import('pino');
    relay = await relayOrUsageError({
      // HTTP on '::' answers IPv4 too (dual stack): so does TURN, with an IPv4 socket of its own (issue 14).
      listenHosts: opts.host === '::' ? ['::', '0.0.0.0'] : [opts.host],
      relayIp: opts.relayIp,
      ...(opts.relayIpV6 !== undefined ? { relayIpV6: opts.relayIpV6 } : {}),
      udpPorts: opts.turnUdpPorts,
      tcpPorts: [...new Set([firstUdp, ...opts.tcpPorts])],
      tls,
      relayPortRange: opts.relayPortRange,
      realm: DEFAULTS.realm,
      secret,
      allowPeers: opts.allowPeers,
      quotas: opts.quotas,
      maxCredentialLifetimeS: opts.credentialTtlS + DEFAULTS.credentialSkewS,
      logger: pino({ level: opts.logLevel, name: 'turn' }),
    });
    turn = turnEntries(opts, relay.listeners);
    if (!tls) notOffered.push({ transport: 'tls', reason: 'no certificate: start with --tls-port, --tls-cert and --tls-key' });
  }
  let store: ResultStore | null;
  try {
    store = await openResults(opts, log);
  } catch (err) {
    await relay?.close();
    throw err;
  }
  const stopPurge = store ? startPurge(store, log) : () => undefined;
  const r = relay;
  const app = await buildApp({
    webRoot: opts.webRoot ?? join(packageRoot(), 'dist', 'web'),
    version,
    secret,
    credentialTtlS: opts.credentialTtlS,
    turn,
    notOffered,
    relay: r ? 'embedded' : 'external',
    reflectorAddress: opts.reflector ? opts.relayIp : null,
    // The RTP leg needs our own relay: it is where the page's relay-only RTP path ends (issue 13).
    rtpReflector: opts.reflector && opts.rtp !== false && r !== null,
    relayEndpoints: relayEndpoints(opts),
    maxSessions: DEFAULTS.maxSessions,
    maxSessionMs: DEFAULTS.maxSessionMs,
    payloadBytes: DEFAULTS.payloadBytes,
    allowEndpoint: (ip, port) => (r ? r.allowPeerEndpoint(ip, port) : () => undefined),
    ...(r ? { relayWitness: (ip: string, port: number) => r.relayWitness(ip, port) } : {}),
    signalLimits: opts.signalLimits,
    allowedOrigins: opts.allowedOrigins,
    configPerMinutePerSource: opts.configPerMinutePerSource,
    metricsText: () => (r ? r.metricsText() : ''),
    logLevel: appLogger.level,
    trustProxy: opts.trustProxy,
    ...(r && opts.tls ? { certificateRefusal: (ip: string) => r.certificateRefusal(ip, DEFAULTS.tlsRefusalWindowMs) } : {}),
    results: {
      store,
      adminToken: opts.adminToken,
      bodyLimitBytes: DEFAULTS.results.bodyLimitBytes,
      postsPerMinutePerIp: DEFAULTS.results.postsPerMinutePerIp,
      readsPerMinutePerIp: DEFAULTS.results.readsPerMinutePerIp,
      alerts: opts.alerts && store ? new SiteAlerts(opts.alerts, store, { info: (_o, msg) => log(msg), warn: (_o, msg) => log(msg) }) : null,
    },
    console: {
      users: opts.users ?? null,
      nowMs: () => Date.now(),
      idleMs: DEFAULTS.console.sessionIdleMs,
      absoluteMs: DEFAULTS.console.sessionAbsoluteMs,
      loginsPerMinutePerAddress: DEFAULTS.console.loginsPerMinutePerAddress,
      loginsPerMinutePerUser: DEFAULTS.console.loginsPerMinutePerUser,
    },
  });
  const closeStore = async (): Promise<void> => {
    stopPurge();
    await store?.close();
  };
  try {
    await app.listen({ host: opts.host, port: opts.httpPort });
  } catch (err) {
    await relay?.close();
    await closeStore();
    throw listenError(err, `--http-port ${opts.httpPort}`);
  }
  log(resultsLine(opts));
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.httpPort;
  const url = `http://${hostForUri(opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host === '::' ? '::1' : opts.host)}:${port}`;
  let metricsApp: FastifyInstance | null = null;
  let metricsUrl: string | null = null;
  if (opts.metricsListen) {
    const m = opts.metricsListen;
    metricsApp = buildMetricsApp(() => metricsTextOf(app));
    try {
      await metricsApp.listen({ host: m.host, port: m.port });
    } catch (err) {
      await app.close();
      await relay?.close();
      throw listenError(err, `--metrics-listen ${m.host}:${m.port}`);
    }
    const ma = metricsApp.server.address();
    metricsUrl = `http://${hostForUri(m.host)}:${typeof ma === 'object' && ma ? ma.port : m.port}/metrics`;
  }
  const ownMetrics = metricsApp;
  return {
    url,
    metricsUrl,
    app,
    relay,
    store,
    close: async () => {
      await ownMetrics?.close();
      await app.close();
      await relay?.close();
      await closeStore();
    },
  };
}
