/**
 * `callprobe serve` composed: the data plane (the relay and the reflector, in a process of their
 * own: server/dataplane/), the store, the HTTP app and the metrics listener started from one
 * ServeOptions (server/config/options.ts), and closed on one path.
 */
import { serverLogger } from './logging.js';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig, TurnServerEntry } from '../src/protocol/api.js';
import { BOUNDS, CONSTANTS } from '../src/protocol/defaults.js';
import { ConfigError } from '../src/protocol/config-error.js';
import { formatTurnUri, parseTurnUriParts } from '../src/protocol/turn-uri.js';
import { builtPageDir, callprobeVersion } from '../host/package.js';
import type { DbTarget } from './store/target.js';
import type { ServeOptions } from './config/options.js';
import { readTlsPair } from './config/tls.js';
import { Registry } from 'prom-client';
import { buildApp, stopTakingTests } from './http/app.js';
import { buildMetricsApp } from './http/metrics.js';
import { exposition, registerProcessMemory } from './metrics/registry.js';
import { RelayStartError } from './turn/index.js';
import { openStore, StoreError, type ResultStore } from './store/index.js';
import { SiteAlerts } from './alerts/index.js';
import { AlertDelivery } from './alerts/delivery.js';
import { ResultPosts } from './alerts/result-webhook.js';
import { FleetLoop } from './fleet/loop.js';
import type { RelayEndpoints } from './reflector/candidates.js';
import { hostAddressList, hostAddressOf, type NetworkInterfaces } from './reflector/host-address.js';
import { Teardown, TeardownError } from './teardown.js';
import { edgeBeats, hubEdges } from './edge-roles.js';
import type { DataPath, PlaneStart } from './common/data-plane.js';
import { PlaneStartError, startPlane, type PlaneListeners, type RunningPlane } from './dataplane/index.js';
import { LoopDelayMonitor, loopSamplerOn, registerLoopDelay } from './loop-delay.js';
import { chooseDataPath, registerDataPath } from './data-path.js';

export interface RunningServer {
  url: string;
  /** http://host:port/metrics when --metrics-listen was given. */
  metricsUrl: string | null;
  app: FastifyInstance;
  /** Where the embedded relay listens; null with --external-turn. */
  relayListeners: PlaneListeners | null;
  /** The data plane's process id (this process's with --workers 0); null while it is started again, or without a plane. */
  dataPlanePid(): number | null;
  /** How the data plane started, in a line for a person (its pid and nice); null when it runs in this process or there is none. */
  dataPlaneLine: string | null;
  /** What the data plane and the samplers run on (ServeOptions.dataPath, `auto` chosen at start: server/data-path.ts). */
  dataPath: DataPath;
  store: ResultStore | null;
  /**
   * An edge: resolves, with the hub's words, once its hub revoked its token and it replaced its
   * relay's secret and stopped taking tests (then close it: `serve` exits 3); null when not an
   * edge. Never rejects.
   */
  revoked: Promise<string> | null;
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
  if (opts.edge) return `edge ${opts.edge.id} (${opts.edge.azureRegion}) of hub ${opts.edge.hub}: results are stored by the hub`;
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
    if (err instanceof StoreError) throw new ConfigError('bad-db', `--db: ${err.message}`);
    throw err;
  }
}

/** The retention purge: once now, then every `intervalMs` (the timer never keeps the process alive); returns its stop. */
function startPurge(store: ResultStore, intervalMs: number, log: (msg: string) => void): () => void {
  const purge = (): void => {
    store.purge(Date.now()).then(
      (p) => {
        if (p.addressesDeleted > 0 || p.resultsDeleted > 0)
          log(`results: purged ${p.addressesDeleted} client addresses and ${p.resultsDeleted} reports past retention`);
        if (!p.wiped)
          log('results: purged rows are still in the database write-ahead log (another process reads the file): wiped at the next purge, in an hour');
      },
      (err: Error) => log(`results: retention purge failed (retried in an hour): ${err.message}`),
    );
  };
  purge();
  const timer = setInterval(purge, intervalMs);
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
export function turnEntries(opts: ServeOptions, bound: PlaneListeners): TurnServerEntry[] {
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

function uniquePorts(bound: PlaneListeners, transport: 'udp' | 'tcp' | 'tls'): number[] {
  return [...new Set(bound.filter((l) => l.transport === transport).map((l) => l.port))];
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
  return new ConfigError('cannot-listen', `${what}: ${text}${address !== undefined ? ` (${address}${port !== undefined ? `:${port}` : ''})` : ''}`);
}

/**
 * This process's event loop (HTTP, signalling, the store): /metrics beside the data plane's;
 * sampled more finely while a test is open (every 10 ms when the plane runs here, else 50 ms).
 */
function startHttpLoop(p: RunningPlane | null, path: DataPath, metrics: Registry, opened: Teardown): void {
  const httpLoop = new LoopDelayMonitor(
    () => (p?.sessionsOpen() ?? 0) > 0,
    p !== null && p.startedAs !== null ? CONSTANTS.serverLoop.httpPeriodMs : CONSTANTS.serverLoop.periodMs,
    loopSamplerOn(path),
  );
  opened.add('the event-loop delay sampler', () => httpLoop.stop());
  registerLoopDelay(metrics, 'http', () => httpLoop.reading());
}

/**
 * The relay's start errors are the user's to fix (a port in use, a bad --allow-peers): usage
 * errors, whether the plane runs in a process of its own (PlaneStartError, with Node's errno of
 * the listener that would not bind) or in this one (RelayStartError, with it as its cause).
 */
function planeStartError(err: unknown): unknown {
  if (err instanceof PlaneStartError) {
    if (err.reason === 'bind-failed' && err.errno !== null) {
      const bind = listenError(err.errno, 'TURN relay');
      if (bind instanceof ConfigError) return bind;
    }
    return err.reason === 'bad-config' || err.reason === 'bind-failed' ? new ConfigError('bad-value', `TURN relay: ${err.message}`) : err;
  }
  if (!(err instanceof RelayStartError)) return err;
  const bind = listenError((err as { cause?: unknown }).cause, 'TURN relay');
  return bind instanceof ConfigError ? bind : new ConfigError('bad-value', `TURN relay: ${err.message}`);
}

/**
 * The relay's quotas, its total allocations lowered to the relayed ports pages allocate in
 * (`--relay-ports`), said in one line: past the ports every Allocate would be refused for want of a
 * port (508 no-relay-port) before the doors' shares and reserve could apply (server/common/door.ts).
 */
export function relayQuotas(opts: Pick<ServeOptions, 'quotas' | 'relayPortRange'>, log: (msg: string) => void): ServeOptions['quotas'] {
  const range = opts.relayPortRange;
  // {0, 0}: the OS picks each port (tests): no range to fit.
  if (range.min === 0 && range.max === 0) return opts.quotas;
  const ports = range.max - range.min + 1;
  if (opts.quotas.maxAllocationsTotal <= ports) return opts.quotas;
  log(
    `--max-allocations ${opts.quotas.maxAllocationsTotal} is more than the ${ports} relay ports pages allocate in (--relay-ports ${range.min}-${range.max}): lowered to ${ports}`,
  );
  return { ...opts.quotas, maxAllocationsTotal: ports, maxAllocationsPerSourceIp: Math.min(opts.quotas.maxAllocationsPerSourceIp, ports) };
}

/**
 * What the data plane runs: the embedded relay (unless --external-turn) and the reflector
 * (unless --no-reflector), as the start message carries them (server/common/data-plane.ts). The
 * reflector's data-channel leg takes its one candidate on the embedded relay's loopback listener,
 * or with --external-turn on that relay's first UDP entry (none: a usage error).
 */
function planeStart(opts: ServeOptions, dataPath: DataPath, secret: string, log: (msg: string) => void): PlaneStart {
  let relay: PlaneStart['relay'] = null;
  if (!opts.externalTurn) {
    const tls = opts.tls ? { port: opts.tls.port, ...readTlsPair(opts.tls.certPath, opts.tls.keyPath, Date.now(), log) } : null;
    const [firstUdp] = opts.turnUdpPorts;
    if (firstUdp === undefined) throw new ConfigError('bad-port', '--turn-ports is empty');
    relay = {
      // HTTP on '::' answers IPv4 too (dual stack): so does TURN, with an IPv4 socket of its own.
      listenHosts: opts.host === '::' ? ['::', '0.0.0.0'] : [opts.host],
      relayIp: opts.relayIp,
      ...(opts.relayIpV6 !== undefined ? { relayIpV6: opts.relayIpV6 } : {}),
      udpPorts: opts.turnUdpPorts,
      tcpPorts: [...new Set([firstUdp, ...opts.tcpPorts])],
      tls: tls ? { port: tls.port, certPem: tls.certPem, keyPem: tls.keyPem } : null,
      relayPortRange: opts.relayPortRange,
      realm: opts.realm,
      secret,
      allowPeers: opts.allowPeers,
      quotas: relayQuotas(opts, log),
      maxCredentialLifetimeS: opts.credentialTtlS + opts.credentialSkewS,
      internalUdp: opts.reflector,
    };
  }
  const externalUdp = opts.externalTurn?.find((e) => e.transport === 'udp')?.url ?? null;
  if (opts.reflector && opts.externalTurn && externalUdp === null)
    throw new ConfigError('bad-port', 'the reflector needs a UDP TURN entry for its data-channel leg');
  const reflector: PlaneStart['reflector'] = opts.reflector
    ? {
        address: opts.relayIp,
        relayEndpoints: relayEndpoints(opts),
        externalTurnUdpUrl: opts.externalTurn ? externalUdp : null,
        secret,
        credentialTtlS: opts.credentialTtlS,
        payloadBytes: opts.sessions.payloadBytes,
        maxSessionMs: opts.sessions.maxMs,
        // The RTP leg needs our own relay (it is where the page's relay-only RTP path ends), or an
        // edge's coturn told to relay to the reflector (coturn-config --allow-peers).
        rtp: opts.rtp && (!opts.externalTurn || opts.edge !== null),
      }
    : null;
  return {
    type: 'start',
    relay,
    reflector,
    dataPath,
    log: { level: opts.logLevel, format: opts.logFormat ?? 'json' },
    niceAboveHttp: opts.dataPlaneNiceAboveHttp,
  };
}

function relayEndpoints(opts: ServeOptions): RelayEndpoints {
  if (!opts.externalTurn) return { addresses: [opts.relayIp, ...(opts.relayIpV6 !== undefined ? [opts.relayIpV6] : [])], portRange: opts.relayPortRange };
  const addresses = opts.externalTurn.map((e) => parseTurnUriParts(e.url).host).filter((h) => isIP(h) !== 0);
  return { addresses, portRange: { min: BOUNDS.port.min, max: BOUNDS.port.max } };
}

/**
 * Refuses, before anything binds, an address this host does not have: --host (unless it is
 * 0.0.0.0 or ::, everywhere) and the --relay-ip addresses, which the relay binds its relayed
 * sockets to and the reflector speaks from. Any address of the loopback prefix counts (Linux
 * delivers all of 127.0.0.0/8 locally; see host-address.ts).
 */
export function checkHostAddresses(opts: ServeOptions, interfaces?: NetworkInterfaces): void {
  const wanted: [flag: string, address: string][] = [];
  if (opts.host !== '0.0.0.0' && opts.host !== '::') wanted.push(['--host', opts.host]);
  if (!opts.externalTurn || opts.reflector) {
    wanted.push(['--relay-ip', opts.relayIp]);
    if (opts.relayIpV6 !== undefined) wanted.push(['--relay-ip', opts.relayIpV6]);
  }
  for (const [flag, address] of wanted) {
    if (hostAddressOf(address, interfaces) === null) {
      throw new ConfigError(
        'cannot-listen',
        `${flag} ${address}: this host has no such address (its interfaces have ${hostAddressList(interfaces).join(', ')})`,
      );
    }
  }
}

/**
 * Starts everything `serve` runs, from one resolved ServeOptions: the data plane (the relay
 * unless external, the reflector unless --no-reflector), the results store and its retention
 * purge, the HTTP app, the metrics listener. Each is
 * recorded as it opens; a start that fails anywhere closes what it opened, newest first, and
 * throws its error, and close() takes the same path.
 */
export async function serve(opts: ServeOptions, log: (msg: string) => void): Promise<RunningServer> {
  checkHostAddresses(opts);
  const opened = new Teardown();
  try {
    return await start(opts, log, opened);
  } catch (err) {
    for (const f of await opened.close()) log(`after the failed start, closing ${f.what} failed too: ${(f.error as Error).message}`);
    throw err;
  }
}

/**
 * What an edge does when its hub revoked its token: it takes no new test, its embedded relay's
 * secret is replaced (credentials minted before are refused), and `revoked` resolves with the
 * hub's words then, which tells whoever runs it to stop (the command line exits 3).
 */
function onEdgeRevoked(
  app: FastifyInstance,
  plane: Pick<RunningPlane, 'setSecret'> | null,
  log: (msg: string) => void,
): { revoked: Promise<string>; onRevoked: (words: string) => void } {
  let revokedBy: (words: string) => void = () => undefined;
  const revoked = new Promise<string>((resolve) => (revokedBy = resolve));
  const onRevoked = (words: string): void => {
    stopTakingTests(app, 'this test server is stopping: its hub revoked it');
    const replaced = plane !== null ? plane.setSecret(randomBytes(24).toString('base64url')) : Promise.resolve();
    replaced.then(
      () => revokedBy(words),
      (err: Error) => {
        log(`edge: the relay's secret could not be replaced (${err.message}): it stops anyway`);
        revokedBy(words);
      },
    );
  };
  return { revoked, onRevoked };
}

async function start(opts: ServeOptions, log: (msg: string) => void, opened: Teardown): Promise<RunningServer> {
  // Chosen once, before anything starts (`auto`: native when both addons load), and said once it serves (a start that fails says only why).
  const dataPath = chooseDataPath(opts.dataPath);
  const logger = serverLogger(opts.logLevel, opts.logFormat ?? 'json');
  const secret = opts.secret ?? randomBytes(24).toString('base64url');
  if (!opts.secret) log('TURN secret: random for this run (pass --secret to share it with another relay)');
  const version = callprobeVersion();
  const notOffered: ServerConfig['notOffered'] = [];
  // This process's one registry: every part registers its families here; the data plane's come with each scrape.
  const metrics = new Registry();
  registerDataPath(metrics, dataPath.path);
  registerProcessMemory(metrics);
  let plane: RunningPlane | null = null;
  const start = planeStart(opts, dataPath.path, secret, log);
  if (start.relay !== null || start.reflector !== null) {
    try {
      plane = await startPlane(start, { workers: opts.workers, restart: opts.dataPlaneRestart, log, logger, metricsRegistry: metrics });
    } catch (err) {
      throw planeStartError(err);
    }
    const p = plane;
    opened.add('the data plane', () => p.close());
  }
  const turn: TurnServerEntry[] = opts.externalTurn ?? turnEntries(opts, plane?.listeners ?? []);
  if (!opts.externalTurn && !opts.tls) notOffered.push({ transport: 'tls', reason: 'no certificate: start with --tls-port, --tls-cert and --tls-key' });
  const store = await openResults(opts, log);
  let fleet: FleetLoop | null = null;
  let alerts: SiteAlerts | null = null;
  let resultPosts: ResultPosts | null = null;
  // The share links of result posts: --public-url, else the address the HTTP app listens on (known once it listens).
  let listening = '';
  const shareBase = (): string => opts.publicUrl ?? listening;
  if (store && opts.results) {
    opened.add('the results store', () => store.close());
    opened.add('the retention purge', startPurge(store, opts.results.purgeIntervalMs, log));
    // Alert and delivery events go to the JSON log (pino), each with its event as `alert`.
    const said = logger.child({ name: 'alerts' });
    const a = opts.alerts;
    alerts = a ? new SiteAlerts(a, store, said, opts.fleet, () => fleet?.kick()) : null;
    const hooks = opts.resultWebhooks;
    resultPosts = hooks.length > 0 ? new ResultPosts(hooks, shareBase, () => fleet?.kick()) : null;
    const delivery = a || resultPosts ? new AlertDelivery(store, { alerts: a?.webhooks ?? [], results: hooks, shareBase }, said, opts.alertDelivery) : null;
    const loop = new FleetLoop({
      store,
      alerts,
      delivery,
      log: logger.child({ name: 'fleet' }),
      nowMs: () => Date.now(),
      settings: opts.fleet,
      // Each site's quality, computed only where /metrics is served.
      ...(opts.metricsListen !== null ? { siteSeries: opts.siteSeries } : {}),
    });
    await loop.start();
    loop.registerMetrics(metrics);
    fleet = loop;
    opened.add('the heartbeat', () => loop.stop());
  }
  // A serve with a store is a hub: it lists the edges that beat to it (none: nothing changes).
  const hub = store ? await hubEdges(store, opts, log) : null;
  if (hub) opened.add("the edges' registry", hub.close);
  const p = plane;
  const relayEmbedded = p !== null && start.relay !== null;
  // The RTP leg runs where the data plane was told to run it (planeStart): an edge under coturn keeps its RTP probe path.
  const rtpLeg = p !== null && start.reflector?.rtp === true;
  startHttpLoop(p, dataPath.path, metrics, opened);
  const app = await buildApp({
    webRoot: opts.webRoot ?? builtPageDir(),
    service: opts.fleet,
    webhookTimeoutMs: opts.alertDelivery.webhookTimeoutMs,
    version,
    secret,
    credentialTtlS: opts.credentialTtlS,
    turn,
    notOffered,
    relay: relayEmbedded ? 'embedded' : 'external',
    reflector: p?.sessions ?? null,
    rtpReflector: rtpLeg,
    maxSessions: opts.sessions.max,
    refuseLateMs: opts.refuseLateMs,
    ...(p ? { relayDoorRefusals: () => p.doorRefusals() } : {}),
    signalLimits: opts.signalLimits,
    allowedOrigins: opts.allowedOrigins,
    configPerMinutePerSource: opts.configPerMinutePerSource,
    ...(opts.teamsReachability !== null ? { teamsReachability: opts.teamsReachability } : {}),
    connections: opts.connections,
    metricsRegistry: metrics,
    logLevel: opts.logLevel,
    logger,
    trustProxy: opts.trustProxy,
    embedOrigins: opts.embedOrigins,
    ...(p !== null && relayEmbedded && opts.tls ? { certificateRefusal: (ip: string) => p.tlsRefusal(ip, opts.tlsRefusalWindowMs) } : {}),
    results: {
      store,
      adminToken: opts.adminToken,
      ...opts.resultsLimits,
      alerts,
      resultPosts,
    },
    console: { users: opts.users, nowMs: () => Date.now(), ...opts.console },
    load: opts.load,
    ...(hub ? { edges: hub.app } : {}),
  });
  opened.add('the HTTP app', () => app.close());
  try {
    await app.listen({ host: opts.host, port: opts.httpPort });
  } catch (err) {
    throw listenError(err, `--http-port ${opts.httpPort}`);
  }
  log(dataPath.line);
  log(resultsLine(opts));
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.httpPort;
  const url = `http://${hostForUri(opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host === '::' ? '::1' : opts.host)}:${port}`;
  listening = url;
  let metricsUrl: string | null = null;
  if (opts.metricsListen) {
    const m = opts.metricsListen;
    // The plane's families first: its answer also brings the relay's door refusals this process counts.
    const metricsApp = buildMetricsApp(async () => exposition(metrics, p ? await p.metrics() : []));
    opened.add('the metrics listener', () => metricsApp.close());
    try {
      await metricsApp.listen({ host: m.host, port: m.port });
    } catch (err) {
      throw listenError(err, `--metrics-listen ${m.host}:${m.port}`);
    }
    const ma = metricsApp.server.address();
    metricsUrl = `http://${hostForUri(m.host)}:${typeof ma === 'object' && ma ? ma.port : m.port}/metrics`;
  }
  // An edge beats to its hub from now on; its last beat (draining) goes out first when it stops.
  const { revoked, onRevoked } = onEdgeRevoked(app, p !== null && relayEmbedded ? p : null, log);
  const beats = edgeBeats(
    opts,
    app,
    url,
    { version, turn, notOffered, relay: relayEmbedded ? 'embedded' : 'external', secret, rtpReflector: rtpLeg },
    log,
    onRevoked,
  );
  if (beats) opened.add('the beats to the hub', () => beats.stop());
  return {
    url,
    metricsUrl,
    app,
    relayListeners: p !== null && relayEmbedded ? p.listeners : null,
    dataPlanePid: () => p?.pid() ?? null,
    dataPlaneLine: p?.startedAs ?? null,
    dataPath: dataPath.path,
    store,
    revoked: beats === null ? null : revoked,
    close: async () => {
      const failures = await opened.close();
      if (failures.length > 0) throw new TeardownError(failures);
    },
  };
}
