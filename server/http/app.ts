/**
 * The public HTTP app of `callprobe serve`: one Fastify instance with the page's headers and
 * files, the WebSocket and rate-limit plugins, TypeBox's check of every request
 * (./validate.ts), and one plugin per feature, each owning (and closing) its own state:
 *
 * - health (./health.ts): GET /healthz
 * - config (./page-config.ts): GET /api/config, GET /api/tls-check
 * - signal (./signal.ts): the signalling WebSocket and its reflector sessions
 * - results (./results.ts): POST /api/results, GET /api/r/:code, /r/:code, the operator's reads
 * - sites (./sites.ts): site reports and the overview
 * - console (./console.ts): the help desk console
 * - alerts (./alerts.ts): POST /api/alerts/test, a test event to the alert and result webhooks
 * - load (./load.ts): the busy-line phase's load sink and source (answers not-offered when off)
 * - edges (./edges.ts, ./edge-tokens.ts): a hub's edges (their beats, the list) and edge tokens
 *
 * A plugin's bounds (body size, rate) are options of its routes, given where it is registered.
 * The server's connections are bounded at its door (./connections.ts): in total, per source,
 * and in time.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import fastifyWebsocket from '@fastify/websocket';
import fastifyRateLimit from '@fastify/rate-limit';
import { Registry } from 'prom-client';
import { BOUNDS, CONSTANTS } from '../../src/protocol/defaults.js';
import type { ServiceSettings } from '../alerts/index.js';
import { DoorRefusals, type DoorName, type RefusalScope } from '../common/door.js';
import { addPageHeaders, servePageFiles } from '../../host/page.js';
// reply.sendFile (results.ts, console.ts) comes with @fastify/static, which servePageFiles registers: its types.
import type {} from '@fastify/static';
import { typeboxValidator } from './validate.js';
import { consoleAccess } from './access.js';
import type { ConsoleSessionsRepository } from '../store/console-sessions/types.js';
import { healthPlugin } from './health.js';
import { pageConfigPlugin, type PageConfigOptions } from './page-config.js';
import { signalling, type SignalOptions, type Signalling } from './signal.js';
import { resultsPlugin, type ResultsOptions } from './results.js';
import { sitesPlugin, type SitesOptions } from './sites.js';
import { siteTokensPlugin, type SiteTokensOptions } from './site-tokens.js';
import { consolePlugin, type ConsoleOptions } from './console.js';
import { alertsPlugin } from './alerts.js';
import { sourceKey } from './signal-limits.js';
import { ConnectionGate, serverTimeouts, type ConnectionLimits, type DescriptorCount } from './connections.js';
import { loadRoutes, type LoadRoutesOptions } from './load.js';
import { edgesPlugin, type EdgesOptions } from './edges.js';
import { edgeTokensPlugin } from './edge-tokens.js';
import { registerDoorRefusals } from './metrics.js';

/** The store's repositories the results, sites, site tokens and console plugins take (each only its own), and the console's sessions. */
type AppStore = NonNullable<ResultsOptions['store']> &
  NonNullable<SitesOptions['store']> &
  NonNullable<SiteTokensOptions['store']> &
  NonNullable<ConsoleOptions['store']> & { consoleSessions: ConsoleSessionsRepository } & EdgesOptions['store'];

export interface AppOptions extends SignalOptions, Omit<PageConfigOptions, 'reflector' | 'load' | 'edges'> {
  /** Folder holding the built page (vite build output). */
  webRoot: string;
  /** How the site reports and the overview tell our own outages from the sites' (ServeOptions.fleet's heartbeat grace and lookback). */
  service: ServiceSettings;
  /** One webhook POST of `callprobe alerts test` may take this long (ServeOptions.alertDelivery). */
  webhookTimeoutMs: number;
  /**
   * The process's metrics registry (server/metrics/registry.ts): the app's families go there
   * (connections, signalling, the busy line, callprobe_refusals_total); absent: one of its own.
   */
  metricsRegistry?: Registry;
  /** The embedded relay's refusals at its doors (allocations, TCP/TLS connections), counted in callprobe_refusals_total with the app's. */
  relayDoorRefusals?: () => Iterable<readonly [DoorName, RefusalScope, number]>;
  logLevel: string;
  /** serve's one log (server/logging.ts); absent: pino's JSON lines at logLevel, to logStream. */
  logger?: FastifyBaseLogger;
  /** Where the log lines (pino JSON, one a line) go when no logger is given; default stdout. Tests read them here. */
  logStream?: { write(line: string): void };
  /** The results store and its limits; absent: no results routes at all. */
  results?: Omit<ResultsOptions, 'pageBuilt' | 'webRoot' | 'consoleRole' | 'store'> & { store: AppStore | null };
  /** The help desk console (serve --users) and its sessions; users null: closed (404 with the reason). Needs `results`. */
  console: Omit<ConsoleOptions, 'store' | 'adminToken' | 'pageBuilt' | 'access'>;
  /** Reverse proxies (IPs/CIDRs) whose X-Forwarded-For gives the client's address; empty: none. */
  trustProxy?: string[];
  /** The server's connection bounds and timeouts. */
  connections: ConnectionLimits;
  /** Tests: the process's descriptors as the connection door sees them (default: read from /proc). */
  descriptors?: () => DescriptorCount | null;
  /** The busy-line phase's load sink and source (server/http/load.ts); offered false: every route answers `not-offered`. */
  load: Omit<LoadRoutesOptions, 'metricsRegistry'>;
  /**
   * A hub's edges (./edges.ts): the registry (server/edges/registry.ts) and the beats' bounds.
   * Served with a results store only; the page's configuration and CSP then carry the ready edges.
   */
  edges?: Omit<EdgesOptions, 'store' | 'nowMs'>;
}

const METRICS = new WeakMap<FastifyInstance, Registry>();
const SESSIONS = new WeakMap<FastifyInstance, Pick<Signalling, 'sessionsOpen' | 'sessionsStarted' | 'stopTaking'>>();

function sessionsOf(app: FastifyInstance): Pick<Signalling, 'sessionsOpen' | 'sessionsStarted' | 'stopTaking'> {
  const s = SESSIONS.get(app);
  if (!s) throw new Error('not an app from buildApp');
  return s;
}

/** The reflector sessions open now in an app built by buildApp (an edge's load in its beats). */
export function sessionsOpenOf(app: FastifyInstance): number {
  return sessionsOf(app).sessionsOpen();
}

/** The reflector sessions an app built by buildApp started (an edge's tests started, in its beats). */
export function sessionsStartedOf(app: FastifyInstance): number {
  return sessionsOf(app).sessionsStarted();
}

/** An app built by buildApp takes no new test from now on: each is refused `busy` with `words` (a revoked edge stopping). */
export function stopTakingTests(app: FastifyInstance, words: string): void {
  sessionsOf(app).stopTaking(words);
}

/** One route of an app and the request parts its schema checks. */
export interface RouteSchemaParts {
  /** e.g. "GET" or "GET,HEAD". */
  method: string;
  url: string;
  parts: ('params' | 'querystring' | 'body')[];
  /** The schema of each part checked. */
  schemas: Partial<Record<'params' | 'querystring' | 'body', TSchema>>;
  /** The largest body the route reads whole (bytes). */
  bodyLimitBytes: number;
}

const ROUTES = new WeakMap<FastifyInstance, RouteSchemaParts[]>();

/** Every route of an app built by buildApp, with the request parts its schema checks. */
export function routesOf(app: FastifyInstance): readonly RouteSchemaParts[] {
  const routes = ROUTES.get(app);
  if (!routes) throw new Error('not an app from buildApp');
  return routes;
}

/** The Prometheus text of the registry an app built by buildApp put its families in (the relay's too, where it runs in this process). */
export function metricsTextOf(app: FastifyInstance): Promise<string> {
  const registry = METRICS.get(app);
  if (!registry) throw new Error('not an app from buildApp');
  return registry.metrics();
}

/** The app of `opts`, which it reads as given (no defaults of its own: server/config/options.ts gives them). */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const limits = opts.connections;
  const app = Fastify({
    ...serverTimeouts(limits),
    // Every body but a result upload's (its route sets its own bound): a login, a logout.
    bodyLimit: BOUNDS.requestBodyBytesMax,
    ...(opts.logger !== undefined
      ? { loggerInstance: opts.logger }
      : { logger: { level: opts.logLevel, ...(opts.logStream !== undefined ? { stream: opts.logStream } : {}) } }),
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: opts.trustProxy !== undefined && opts.trustProxy.length > 0 ? opts.trustProxy : false,
    // A path parameter as sent (percent-encoded): a site name of BOUNDS.siteChars characters,
    // each up to 4 UTF-8 bytes of 3 characters (%XX) each (/api/sites/:site/report); every route checks its own.
    routerOptions: { maxParamLength: BOUNDS.siteChars * 12 },
  });
  // Every door's refusals by scope, the relay's included: callprobe_refusals_total.
  const doorRefusals = new DoorRefusals();
  if (opts.relayDoorRefusals) doorRefusals.include(opts.relayDoorRefusals);
  const gate = new ConnectionGate({
    limits,
    refusals: doorRefusals,
    ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}),
    ...(opts.descriptors !== undefined ? { descriptors: opts.descriptors } : {}),
  });
  gate.attach(app.server);
  app.setValidatorCompiler(typeboxValidator);
  const routes: RouteSchemaParts[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    const parts = (['params', 'querystring', 'body'] as const).filter((p) => r.schema?.[p] !== undefined);
    const schemas = Object.fromEntries(parts.map((p) => [p, r.schema?.[p] as TSchema]));
    routes.push({ method: [r.method].flat().join(','), url: r.url, parts, schemas, bodyLimitBytes: r.bodyLimit ?? BOUNDS.requestBodyBytesMax });
  });
  const registry = opts.results?.store ? opts.edges?.registry : undefined;
  addPageHeaders(app, opts.webRoot, {
    ...(registry ? { connectSources: () => registry.connectSources() } : {}),
    ...(opts.embedOrigins !== undefined ? { embedOrigins: opts.embedOrigins } : {}),
  });

  const signal = signalling(opts, doorRefusals);
  await app.register(fastifyWebsocket, { options: { maxPayload: BOUNDS.signalMessageBytesMax }, errorHandler: signal.socketError });
  // Every route limit counts per source (an IPv4 address, an IPv6 /64), by the relay's own key.
  await app.register(fastifyRateLimit, { global: false, keyGenerator: (req) => sourceKey(req.ip) });

  const pageBuilt = await servePageFiles(app, opts.webRoot);
  if (!pageBuilt) app.log.warn({ webRoot: opts.webRoot }, 'page not built: run `npm run build`');

  await app.register(signal.plugin);
  SESSIONS.set(app, signal);
  await app.register(healthPlugin, { sessionsOpen: signal.sessionsOpen });
  await app.register(pageConfigPlugin, {
    version: opts.version,
    secret: opts.secret,
    credentialTtlS: opts.credentialTtlS,
    turn: opts.turn,
    notOffered: opts.notOffered,
    relay: opts.relay,
    reflector: opts.reflector !== null,
    rtpReflector: opts.rtpReflector,
    configPerMinutePerSource: opts.configPerMinutePerSource,
    ...(opts.teamsReachability ? { teamsReachability: opts.teamsReachability } : {}),
    ...(opts.embedOrigins !== undefined && opts.embedOrigins.length > 0 ? { embedOrigins: opts.embedOrigins } : {}),
    load: opts.load.offered ? { maxBytesPerDirection: opts.load.limits.maxBytesPerDirection, maxFlowsPerSource: opts.load.limits.maxFlowsPerSource } : null,
    ...(opts.certificateRefusal ? { certificateRefusal: opts.certificateRefusal } : {}),
    ...(registry ? { edges: () => registry.offers() } : {}),
    ...(opts.reflector !== null ? { relayEvidence: signal.relayEvidence } : {}),
  });

  if (opts.results) {
    const c = opts.console;
    const { store, adminToken } = opts.results;
    const access = consoleAccess({ ...c, adminToken, sessionsStore: store?.consoleSessions ?? null });
    // A console cookie is looked up in the store once per request, before any route asks who it is.
    if (access.sessions !== null) app.addHook('onRequest', access.resolve);
    // Without --users the operator endpoints answer as before (404 without a token configured).
    const consoleRole = access.sessions !== null ? { consoleRole: access.roleOf } : {};
    await app.register(resultsPlugin, { ...opts.results, pageBuilt, webRoot: opts.webRoot, ...consoleRole, doorRefusals });
    await app.register(sitesPlugin, { store, adminToken, ...consoleRole, alerts: opts.results.alerts?.config ?? null, service: opts.service });
    await app.register(siteTokensPlugin, { store, adminToken, nowMs: c.nowMs });
    await app.register(consolePlugin, { ...c, store, adminToken, access, pageBuilt: pageBuilt && existsSync(join(opts.webRoot, 'console.html')) });
    const alerts = opts.results.alerts?.config ?? null;
    const resultPosts = opts.results.resultPosts ?? null;
    await app.register(alertsPlugin, {
      adminToken,
      webhooks: alerts === null ? null : alerts.webhooks,
      resultWebhooks: resultPosts?.hooks ?? [],
      shareBase: resultPosts?.shareBase ?? (() => ''),
      webhookTimeoutMs: opts.webhookTimeoutMs,
      testsPerMinute: CONSTANTS.alerts.testsPerMinutePerSource,
      nowMs: c.nowMs,
    });
    if (store && opts.edges) {
      await app.register(edgesPlugin, { ...opts.edges, store, nowMs: c.nowMs });
      await app.register(edgeTokensPlugin, { store, registry: opts.edges.registry, adminToken, labAddresses: opts.edges.labAddresses, nowMs: c.nowMs });
    }
  }

  // Not a route of the public app: `callprobe serve --metrics-listen` serves the registry on its own address (./metrics.ts).
  const metrics = opts.metricsRegistry ?? new Registry();
  await app.register(loadRoutes, { ...opts.load, metricsRegistry: metrics });
  signal.registerMetrics(metrics);
  gate.registerMetrics(metrics);
  registerDoorRefusals(metrics, doorRefusals);
  registry?.registerMetrics(metrics);
  METRICS.set(app, metrics);
  return app;
}
