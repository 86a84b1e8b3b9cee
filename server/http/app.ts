import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import type { ServerConfig, ServerSignalMessage, TlsCheck, TurnServerEntry } from '../../src/protocol/api.js';
import { BOUNDS, DEFAULTS } from '../../src/protocol/defaults.js';
import { mintRestCredential } from '../turn/credentials.js';
import type { RelayEndpoints } from '../reflector/candidates.js';
import { ReflectorSession, ReflectorSessionError } from '../reflector/session.js';
import { parseClientSignal } from './signal-message.js';
import { registerResults, type ResultsOptions } from './results.js';
import { consoleAccess, registerConsole, type ConsoleOptions } from './console.js';
import { MessageBucket, SourceLimiter, originAllowed, sourceKey, type SignalLimits } from './signal-limits.js';
import fastifyRateLimit from '@fastify/rate-limit';
import { unmapIpv4 } from '../store/address.js';
import type { RelayWitness } from '../../src/protocol/wire.js';

export interface AppOptions {
  /** Folder holding the built page (vite build output). */
  webRoot: string;
  version: string;
  secret: string;
  credentialTtlS: number;
  turn: TurnServerEntry[];
  notOffered: ServerConfig['notOffered'];
  relay: ServerConfig['relay'];
  /** The reflector's one address, or null to run without a reflector. */
  reflectorAddress: string | null;
  /** Whether sessions answer the RTP probe leg (werift, issue 13); needs `reflectorAddress`. */
  rtpReflector: boolean;
  /** The only endpoints page candidates may point at (the relay's relayed addresses and ports). */
  relayEndpoints: RelayEndpoints;
  maxSessions: number;
  maxSessionMs: number;
  payloadBytes: number;
  /** Let the relay reach one reflector endpoint; returns the undo function. */
  allowEndpoint(ip: string, port: number): () => void;
  /** What the embedded relay saw of the RTP towards one reflector endpoint; absent: no embedded relay. */
  relayWitness?: (ip: string, port: number) => RelayWitness | null;
  /** Per-source signalling limits (DEFAULTS.signalling; flags of `callprobe serve`). */
  signalLimits: SignalLimits;
  /** Origins allowed to open /api/signal; empty = same origin only. */
  allowedOrigins: string[];
  /** /api/config answers per minute per source (IPv4 address or IPv6 /64). */
  configPerMinutePerSource: number;
  /** Prometheus text of the relay and server counters. */
  metricsText(): string;
  logLevel: string;
  /** The results store and its limits (issue 10); absent: no results routes at all. */
  results?: Omit<ResultsOptions, 'pageBuilt'>;
  /** The help desk console (serve --users); absent or users null: closed (404 with the reason). Needs `results`. */
  console?: Omit<ConsoleOptions, 'store' | 'adminToken' | 'pageBuilt'>;
  /** Reverse proxies (IPs/CIDRs) whose X-Forwarded-For gives the client's address; empty: none. */
  trustProxy?: string[];
  /** The latest certificate alert the relay's TLS listeners got from this address (IPv4-mapped unwrapped), or null; absent: no TLS relay. */
  certificateRefusal?: (ip: string) => { alert: string } | null;
}

/**
 * Content-Security-Policy of the page (issue 14): its own scripts, worker, styles and API only;
 * the inline <style> blocks of the built index.html by their hashes. WebRTC to the relay is not
 * governed by CSP; connect-src 'self' covers /api/config and the same-origin WebSocket.
 */
export function contentSecurityPolicy(indexHtml: string): string {
  const hashes = [...indexHtml.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (m) =>
      `'sha256-${createHash('sha256')
        .update(m[1] ?? '', 'utf8')
        .digest('base64')}'`,
  );
  return [
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    `style-src 'self' ${hashes.join(' ')}`.trim(),
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Cross-origin isolation: lets the pacing worker use Atomics.wait and sharpens performance.now(). */
const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
} as const;

const METRICS = new WeakMap<FastifyInstance, () => string>();

/** The Prometheus text of an app built by buildApp: the relay's counters and the server's own. */
export function metricsTextOf(app: FastifyInstance): string {
  const text = METRICS.get(app);
  if (!text) throw new Error('not an app from buildApp');
  return text();
}

/**
 * The process's memory as gauges, named as Prometheus' Node.js client names them, so the usual
 * dashboards read them: resident set, V8 heap (total and used), memory outside the heap held by
 * JS objects (`external`, ArrayBuffers included) and ArrayBuffers alone. What RSS holds beyond
 * heap total + external is native: the WebRTC stacks, their threads' malloc arenas, code.
 */
export function processMemoryMetrics(m: NodeJS.MemoryUsage = process.memoryUsage()): string {
  const gauge = (name: string, help: string, bytes: number): string => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${bytes}\n`;
  return (
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', m.rss) +
    gauge('nodejs_heap_size_total_bytes', 'V8 heap size in bytes.', m.heapTotal) +
    gauge('nodejs_heap_size_used_bytes', 'V8 heap used in bytes.', m.heapUsed) +
    gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JS objects, ArrayBuffers included, in bytes.', m.external) +
    gauge('nodejs_array_buffers_bytes', 'Memory of ArrayBuffers and SharedArrayBuffers in bytes.', m.arrayBuffers)
  );
}

/** The metrics endpoint on its own listener (--metrics-listen): GET /metrics and nothing else. */
export function buildMetricsApp(text: () => string): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_req, reply) => {
    reply.type('text/plain; version=0.0.4');
    return text() + processMemoryMetrics();
  });
  return app;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: opts.logLevel },
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: opts.trustProxy !== undefined && opts.trustProxy.length > 0 ? opts.trustProxy : false,
    // A path parameter as sent (percent-encoded): a site name of BOUNDS.siteChars characters,
    // each up to 4 UTF-8 bytes of 3 characters (%XX) each (/api/sites/:site/report); every route checks its own.
    routerOptions: { maxParamLength: BOUNDS.siteChars * 12 },
  });
  const sessions = new Map<string, ReflectorSession>();
  let sessionsTotal = 0;
  let candidatesDropped = 0;
  const limiter = new SourceLimiter(opts.signalLimits, () => performance.now());
  /** Refused signalling by reason (sessions and messages), for /metrics. */
  const refused = new Map<string, number>();
  let logLinesSuppressed = 0;
  /** Counts a refusal and logs it unless its source used up its log budget. */
  const refuse = (key: string, reason: string, fields: object, msg: string): void => {
    refused.set(reason, (refused.get(reason) ?? 0) + 1);
    if (limiter.mayLog(key)) app.log.warn({ ...fields, source: key, reason }, msg);
    else logLinesSuppressed++;
  };

  const indexPath = join(opts.webRoot, 'index.html');
  const csp = contentSecurityPolicy(existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : '');
  app.addHook('onSend', async (_req, reply) => {
    reply.headers(ISOLATION_HEADERS);
    reply.header('content-security-policy', csp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  await app.register(fastifyWebsocket, { options: { maxPayload: BOUNDS.signalMessageBytesMax } });
  // keyGenerator default: the IP, IPv4-mapped unwrapped, IPv6 by /64 (ipv6Subnet 64).
  await app.register(fastifyRateLimit, { global: false });

  const pageBuilt = existsSync(opts.webRoot);
  if (pageBuilt) {
    await app.register(fastifyStatic, { root: opts.webRoot, index: 'index.html' });
  } else {
    app.log.warn({ webRoot: opts.webRoot }, 'page not built: run `npm run build`');
  }
  if (opts.results) {
    const c = opts.console ?? {
      users: null,
      nowMs: () => Date.now(),
      idleMs: DEFAULTS.console.sessionIdleMs,
      absoluteMs: DEFAULTS.console.sessionAbsoluteMs,
      loginsPerMinutePerAddress: DEFAULTS.console.loginsPerMinutePerAddress,
      loginsPerMinutePerUser: DEFAULTS.console.loginsPerMinutePerUser,
    };
    const access = consoleAccess({ ...c, adminToken: opts.results.adminToken });
    // Without --users the operator endpoints answer as before (404 without a token configured).
    await registerResults(app, {
      ...opts.results,
      pageBuilt,
      ...(access.sessions !== null ? { consoleRole: (req: FastifyRequest) => access.roleOf(req) } : {}),
    });
    await registerConsole(
      app,
      { ...c, store: opts.results.store, adminToken: opts.results.adminToken, pageBuilt: pageBuilt && existsSync(join(opts.webRoot, 'console.html')) },
      access,
    );
  }

  app.get('/healthz', async () => ({ status: 'ok', sessions: sessions.size }));

  app.get('/api/config', { config: { rateLimit: { max: opts.configPerMinutePerSource, timeWindow: 60_000 } } }, async (): Promise<ServerConfig> => {
    const cred = mintRestCredential(opts.secret, randomUUID().slice(0, 8), opts.credentialTtlS, Date.now());
    return {
      callprobeVersion: opts.version,
      username: cred.username,
      credential: cred.credential,
      credentialExpiresAtMs: cred.expiresAtMs,
      turn: opts.turn,
      notOffered: opts.notOffered,
      reflectorPath: opts.reflectorAddress ? '/api/signal' : null,
      rtpReflector: opts.reflectorAddress !== null && opts.rtpReflector,
      relay: opts.relay,
    };
  });

  app.get('/api/tls-check', { config: { rateLimit: { max: opts.configPerMinutePerSource, timeWindow: 60_000 } } }, async (req): Promise<TlsCheck> => {
    const refusal = opts.certificateRefusal?.(unmapIpv4(req.ip)) ?? null;
    return { certificateRefused: refusal ? { alert: refusal.alert } : null };
  });

  // Not a route of the public app: `callprobe serve --metrics-listen` serves it on its own address (issue 14).
  METRICS.set(
    app,
    () =>
      opts.metricsText() +
      `# HELP callprobe_reflector_sessions Reflector sessions open now.\n# TYPE callprobe_reflector_sessions gauge\ncallprobe_reflector_sessions ${sessions.size}\n` +
      `# HELP callprobe_reflector_sessions_total Reflector sessions started.\n# TYPE callprobe_reflector_sessions_total counter\ncallprobe_reflector_sessions_total ${sessionsTotal}\n` +
      `# HELP callprobe_reflector_candidates_dropped_total Page candidates dropped because they do not point at the relay.\n# TYPE callprobe_reflector_candidates_dropped_total counter\ncallprobe_reflector_candidates_dropped_total ${candidatesDropped}\n` +
      `# HELP callprobe_signal_refused_total Signalling sessions and messages refused, by reason.\n# TYPE callprobe_signal_refused_total counter\n` +
      [...refused].map(([reason, n]) => `callprobe_signal_refused_total{reason="${reason}"} ${n}\n`).join('') +
      `# HELP callprobe_signal_log_lines_suppressed_total Refusal log lines held back by the per-source log budget.\n# TYPE callprobe_signal_log_lines_suppressed_total counter\ncallprobe_signal_log_lines_suppressed_total ${logLinesSuppressed}\n`,
  );

  app.get('/api/signal', { websocket: true }, (socket: WebSocket, req) => {
    const send = (msg: ServerSignalMessage): void => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
    };
    const key = sourceKey(req.ip);
    if (!originAllowed(req.headers.origin, req.headers.host, opts.allowedOrigins)) {
      refuse(key, 'bad-origin', { origin: req.headers.origin }, 'signalling from another origin refused');
      send({ type: 'error', reason: 'bad-origin', message: 'this origin may not use the reflector (see --allowed-origins)' });
      socket.close(1008, 'origin');
      return;
    }
    if (!opts.reflectorAddress) {
      send({ type: 'error', reason: 'no-reflector', message: 'this server runs without a reflector' });
      socket.close(1008, 'no reflector');
      return;
    }
    if (sessions.size >= opts.maxSessions) {
      send({ type: 'error', reason: 'busy', message: `server busy: ${sessions.size} tests running` });
      socket.close(1013, 'busy');
      return;
    }
    const limited = limiter.tryOpen(key);
    if (limited !== null) {
      refuse(key, limited, {}, 'signalling session refused by the per-source limit');
      send({ type: 'error', reason: 'busy', message: `too many tests from your address (${limited})` });
      socket.close(1013, 'busy');
      return;
    }
    const id = randomUUID().slice(0, 8);
    sessionsTotal++;
    const bucket = new MessageBucket(opts.signalLimits.messagesPerSecond, opts.signalLimits.messageBurst, () => performance.now());
    const session = new ReflectorSession({
      id,
      peerAddress: opts.reflectorAddress,
      payloadBytes: opts.payloadBytes,
      receiptIntervalMs: 250,
      maxSessionMs: opts.maxSessionMs,
      offerTimeoutMs: DEFAULTS.signalling.offerTimeoutMs,
      connectTimeoutMs: DEFAULTS.signalling.connectTimeoutMs,
      maxCandidates: DEFAULTS.signalling.maxCandidatesPerSession,
      relay: opts.relayEndpoints,
      onCandidateDropped: (n) => {
        candidatesDropped += n;
      },
      logger: app.log,
      rtp: opts.rtpReflector,
      sendSignal: (data, leg) => send(leg ? { type: 'signal', data, leg } : { type: 'signal', data }),
      allowEndpoint: opts.allowEndpoint,
      ...(opts.relayWitness ? { relayWitness: opts.relayWitness } : {}),
      onClose: () => {
        sessions.delete(id);
        limiter.release(key);
        if (socket.readyState === socket.OPEN) socket.close(1000, 'session over');
      },
    });
    sessions.set(id, session);
    socket.on('message', (raw: Buffer) => {
      if (!bucket.take()) {
        refuse(key, 'message-rate', { session: id }, 'signal message over the rate dropped');
        return;
      }
      try {
        const msg = parseClientSignal(raw.toString('utf8'));
        session.signal(msg.data, msg.leg);
      } catch (err) {
        const reason = err instanceof ReflectorSessionError ? err.reason : 'bad-message';
        refuse(key, reason, { session: id, err: (err as Error).message }, 'signal message refused');
        send({ type: 'error', reason, message: (err as Error).message });
      }
    });
    socket.on('close', () => session.close('signaling closed'));
  });

  app.addHook('onClose', async () => {
    for (const s of sessions.values()) s.close('server shutting down');
  });

  return app;
}
