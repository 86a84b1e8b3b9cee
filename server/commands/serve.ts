import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig, TurnServerEntry } from '../../src/protocol/api.js';
import { buildApp } from '../http/app.js';
import { startRelay, type Relay } from '../turn/index.js';
import { ConfigError, DEFAULTS } from '../../src/protocol/defaults.js';
import { callprobeVersion, packageRoot } from '../version.js';

export interface ServeOptions {
  host: string;
  httpPort: number;
  turnUdpPorts: number[];
  /** Extra TURN-over-TCP ports (TCP always listens on the first UDP port too). */
  tcpPorts: number[];
  tls: { port: number; certPath: string; keyPath: string } | null;
  relayIp: string;
  relayPortRange: { min: number; max: number };
  secret: string | null;
  credentialTtlS: number;
  advertise: { host: string; udpPorts: number[] | null } | null;
  allowPeers: string[];
  /** Use this relay (e.g. coturn) instead of the embedded one: TURN URIs, comma-separated. */
  externalTurn: string[] | null;
  reflector: boolean;
  logLevel: string;
  webRoot?: string;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  relay: Relay | null;
  close(): Promise<void>;
}

function hostForUri(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** RFC 7065 TURN URIs the page receives, for where clients reach the relay. */
export function turnEntries(opts: ServeOptions, bound: Relay['listeners']): TurnServerEntry[] {
  const host = hostForUri(opts.advertise?.host ?? (opts.host === '0.0.0.0' || opts.host === '::' ? opts.relayIp : opts.host));
  const udpPorts = opts.advertise?.udpPorts ?? uniquePorts(bound, 'udp');
  const entries: TurnServerEntry[] = udpPorts.map((port) => ({ url: `turn:${host}:${port}?transport=udp`, transport: 'udp', port }));
  for (const port of uniquePorts(bound, 'tcp')) entries.push({ url: `turn:${host}:${port}?transport=tcp`, transport: 'tcp', port });
  for (const port of uniquePorts(bound, 'tls')) entries.push({ url: `turns:${host}:${port}?transport=tcp`, transport: 'tls', port });
  return entries;
}

function uniquePorts(bound: Relay['listeners'], transport: 'udp' | 'tcp' | 'tls'): number[] {
  return [...new Set(bound.filter((l) => l.transport === transport).map((l) => l.port))];
}

/** Parses "turn:host:port?transport=udp" / "turns:host:port" into an entry. */
export function parseTurnUri(uri: string): TurnServerEntry {
  const m = /^(turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/.exec(uri.trim());
  if (!m) throw new ConfigError(`not a TURN URI (RFC 7065): "${uri}"`);
  const secure = m[1] === 'turns';
  const port = m[3] ? Number(m[3]) : secure ? 5349 : 3478;
  const transport: TurnServerEntry['transport'] = secure ? 'tls' : m[4] === 'tcp' ? 'tcp' : 'udp';
  return { url: uri.trim(), transport, port };
}

function readPem(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
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
    turn = opts.externalTurn.map(parseTurnUri);
  } else {
    const tls = opts.tls ? { port: opts.tls.port, certPem: readPem(opts.tls.certPath, '--tls-cert'), keyPem: readPem(opts.tls.keyPath, '--tls-key') } : null;
    const [firstUdp] = opts.turnUdpPorts;
    if (firstUdp === undefined) throw new ConfigError('--turn-ports is empty');
    const { default: pino } = await import('pino');
    relay = await startRelay({
      listenHosts: [opts.host],
      relayIp: opts.relayIp,
      udpPorts: opts.turnUdpPorts,
      tcpPorts: [...new Set([firstUdp, ...opts.tcpPorts])],
      tls,
      relayPortRange: opts.relayPortRange,
      realm: DEFAULTS.realm,
      secret,
      allowPeers: opts.allowPeers,
      logger: pino({ level: opts.logLevel, name: 'turn' }),
    });
    turn = turnEntries(opts, relay.listeners);
    if (!tls) notOffered.push({ transport: 'tls', reason: 'no certificate: start with --tls-port, --tls-cert and --tls-key' });
  }
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
    maxSessions: DEFAULTS.maxSessions,
    maxSessionMs: DEFAULTS.maxSessionMs,
    payloadBytes: DEFAULTS.payloadBytes,
    allowEndpoint: (ip, port) => (r ? r.allowPeerEndpoint(ip, port) : () => undefined),
    metricsText: () => (r ? r.metricsText() : ''),
    logLevel: appLogger.level,
  });
  try {
    await app.listen({ host: opts.host, port: opts.httpPort });
  } catch (err) {
    await relay?.close();
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.httpPort;
  const url = `http://${hostForUri(opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host === '::' ? '::1' : opts.host)}:${port}`;
  return {
    url,
    app,
    relay,
    close: async () => {
      await app.close();
      await relay?.close();
    },
  };
}
