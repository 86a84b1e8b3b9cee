/**
 * The HTTP server's connection door: how many connections it holds at once, in total and per
 * source (an IPv4 address, an IPv6 /64: server/common/source-key.ts) and per network (an IPv6 /48:
 * at most a quarter of the total, server/common/door.ts), with the last 10 % of the total kept for
 * sources that hold no connection yet, and how long a connection
 * may sit without sending a request. Every connection costs a file descriptor, and the process
 * shares its descriptors with the relay (its UDP sockets, TCP/TLS clients), the reflector and
 * the store: the total is kept below the process's open-file limit minus a reserve for them, so
 * no flood of HTTP connections can leave the relay without sockets.
 *
 * A refused connection is closed as soon as it is accepted (no bytes are read or written) and
 * counted by reason in /metrics. Connections from a trusted reverse proxy (--trust-proxy) carry
 * many clients each: they count toward the total only.
 *
 * Node's own timeouts cover a request once it started (headers, whole request, keep-alive);
 * a connection that never sends a first byte is not timed out by Node (its header timer starts
 * with the first byte), so the door closes it after `firstRequestTimeoutMs` itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Registry } from 'prom-client';
import { parsePrefix, prefixContains, tryParseIp, type IpPrefix } from '../../src/protocol/ip.js';
import { DoorCount, doorBounds, type DoorBounds, type DoorRefusals, type DoorScope } from '../common/door.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { readCounter, readGauge } from '../metrics/registry.js';

export interface ConnectionLimits {
  /** Connections open at once, all sources together (lowered to fit the descriptors there are). */
  maxConnections: number;
  /** Connections open at once from one source (IPv4 address, IPv6 /64). */
  maxConnectionsPerSource: number;
  /** File descriptors kept free for everything else the process opens (relay, reflector, store). */
  fdReserve: number;
  /** A connection that has sent no request this long after it opened is closed. */
  firstRequestTimeoutMs: number;
  /** A request's headers must have arrived this long after its first byte (Node: headersTimeout). */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must have arrived this long after its first byte (Node: requestTimeout). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed this long after its last response (Node: keepAliveTimeout). */
  keepAliveTimeoutMs: number;
  /** A connection with a request under way but no bytes moving either way this long is closed (Node: server.timeout). */
  idleTimeoutMs: number;
}

/** Why a connection was refused or cut, as counted in /metrics. */
export type ConnectionRefusal = 'total' | 'per-source' | 'per-network' | 'reserve' | 'no-request';

const REFUSAL_OF_SCOPE: Record<DoorScope, ConnectionRefusal> = { source: 'per-source', network: 'per-network', total: 'total', reserve: 'reserve' };

/** The process's open-file limit and the descriptors open now; null where the platform does not say (not Linux). */
export interface DescriptorCount {
  limit: number;
  open: number;
}

/** Linux: the soft "Max open files" of /proc/self/limits and the entries of /proc/self/fd; null elsewhere. */
export function descriptorCount(): DescriptorCount | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line === undefined ? null : /^Max open files\s+(\d+|unlimited)/.exec(line)?.[1];
    if (soft === undefined || soft === null) return null;
    const limit = soft === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(soft);
    return { limit, open: readdirSync('/proc/self/fd').length };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * How many HTTP connections may be open at once: `maxConnections`, lowered so that the
 * descriptors open now, the reserve and the connections together stay within the open-file
 * limit. Throws ConfigError when not even one connection fits (raise `ulimit -n` or lower the
 * reserve).
 */
export function connectionCap(limits: Pick<ConnectionLimits, 'maxConnections' | 'fdReserve'>, fds: DescriptorCount | null): number {
  if (fds === null) return limits.maxConnections;
  const fit = fds.limit - fds.open - limits.fdReserve;
  if (fit < 1) {
    throw new ConfigError(
      'bad-value',
      `this process may open ${fds.limit} files (ulimit -n) and has ${fds.open} open: --fd-reserve ${limits.fdReserve} leaves no room for HTTP connections (raise ulimit -n or lower --fd-reserve)`,
    );
  }
  return Math.min(limits.maxConnections, fit);
}

/** How often Node looks for requests past their header or request timeout (its default, 30 s, would let a slow header linger 40 s). */
const TIMEOUT_CHECK_MS = 1_000;

/** Fastify's options for Node's own timeouts: headers, whole request, keep-alive, idle. */
export function serverTimeouts(l: ConnectionLimits): {
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number };
} {
  return {
    keepAliveTimeout: l.keepAliveTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    connectionTimeout: l.idleTimeoutMs,
    http: {
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      keepAliveTimeout: l.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, l.headersTimeoutMs),
    },
  };
}

/** The first-request timer of each admitted socket, until its first request or upgrade. */
const FIRST_REQUEST = new WeakMap<Socket, NodeJS.Timeout>();

export interface ConnectionGateOptions {
  limits: ConnectionLimits;
  /** Reverse proxies (IPs or CIDRs, as --trust-proxy): their connections skip the per-source bound. */
  trustProxy?: readonly string[];
  /** The descriptors of the process; default descriptorCount(). */
  descriptors?: () => DescriptorCount | null;
  /** Where refusals are counted by scope (callprobe_refusals_total{door="http-connection"}). */
  refusals?: DoorRefusals;
}

/** Counts and bounds the connections of one HTTP server (attach it before the server listens). */
export class ConnectionGate {
  /** The total bound in force (maxConnections, lowered to the descriptors there are). */
  readonly cap: number;
  /** The per-source and per-network bounds and the reserve of `cap` (server/common/door.ts). */
  readonly bounds: DoorBounds;
  /** Connections by source and network (a trusted proxy's are not in it: they count toward the total only). */
  private readonly door: DoorCount;
  private readonly proxies: IpPrefix[];
  private readonly refused = new Map<ConnectionRefusal, number>();
  private openNow = 0;
  private acceptedTotal = 0;

  constructor(private readonly opts: ConnectionGateOptions) {
    this.cap = connectionCap(opts.limits, (opts.descriptors ?? descriptorCount)());
    this.bounds = doorBounds(this.cap, Math.min(opts.limits.maxConnectionsPerSource, this.cap));
    this.door = new DoorCount(this.bounds);
    this.proxies = (opts.trustProxy ?? []).map((p) => parsePrefix(p));
  }

  /** Connections open now. */
  get open(): number {
    return this.openNow;
  }

  /** Sources with a connection open (the map holds nothing else). */
  get sources(): number {
    return this.door.sources;
  }

  private count(reason: ConnectionRefusal): void {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
    const scope = (Object.keys(REFUSAL_OF_SCOPE) as DoorScope[]).find((k) => REFUSAL_OF_SCOPE[k] === reason);
    if (scope !== undefined) this.opts.refusals?.count('http-connection', scope);
  }

  /**
   * The bound that refuses one more connection from `ip` now, or null when the door lets it in:
   * the total; then, unless `ip` is a trusted proxy, its source's, its network's and the reserve
   * (the last of the total go only to a network that holds none of the rest).
   */
  refusal(ip: string): DoorScope | null {
    if (this.openNow >= this.cap) return 'total';
    if (this.trusted(ip)) return null;
    const own = this.door.heldBySource(ip);
    if (own >= this.bounds.perSource) return 'source';
    if (this.door.heldByNetwork(ip) >= this.bounds.perNetwork) return 'network';
    if (this.door.holdsShared(ip) && this.inReserve()) return 'reserve';
    return null;
  }

  /** The door holds `cap - reserve` or more (a trusted proxy's connections counted too). */
  private inReserve(): boolean {
    return this.openNow >= this.cap - this.bounds.reserve;
  }

  private trusted(ip: string): boolean {
    if (this.proxies.length === 0) return false;
    const a = tryParseIp(ip);
    return a !== null && this.proxies.some((p) => prefixContains(p, a));
  }

  /** Applies the bounds to `server` (its timeouts come from serverTimeouts): call once, before it listens. */
  attach(server: Server): void {
    // Node counts against maxConnections before any listener runs; the door counts the same
    // connections itself (to tell the reasons apart), so Node's bound is one above it, a backstop.
    server.maxConnections = this.cap + 1;
    server.on('drop', () => this.count('total'));
    // First, before Node's HTTP parser takes the socket: a refused one is never parsed.
    server.prependListener('connection', (socket: Socket) => this.admit(socket));
    // A request or an upgrade (the signalling WebSocket) is what the first-request timer waits for.
    const started = (req: { socket: Socket }): void => {
      const timer = FIRST_REQUEST.get(req.socket);
      if (timer !== undefined) {
        clearTimeout(timer);
        FIRST_REQUEST.delete(req.socket);
      }
    };
    server.prependListener('request', started);
    server.prependListener('upgrade', started);
  }

  private admit(socket: Socket): void {
    const ip = socket.remoteAddress ?? '';
    const refused = this.refusal(ip);
    if (refused !== null) {
      this.count(REFUSAL_OF_SCOPE[refused]);
      socket.destroy();
      return;
    }
    const counted = !this.trusted(ip);
    if (counted) this.door.add(ip, this.inReserve());
    this.openNow++;
    this.acceptedTotal++;
    const timer = setTimeout(() => {
      FIRST_REQUEST.delete(socket);
      this.count('no-request');
      socket.destroy();
    }, this.opts.limits.firstRequestTimeoutMs);
    timer.unref();
    FIRST_REQUEST.set(socket, timer);
    socket.once('close', () => {
      clearTimeout(timer);
      FIRST_REQUEST.delete(socket);
      this.openNow--;
      if (counted) this.door.release(ip);
    });
  }

  /** Registers its families in `registry`: connections open, the bound in force, accepted and refused (by reason). */
  registerMetrics(registry: Registry): void {
    const reasons: ConnectionRefusal[] = ['total', 'per-source', 'per-network', 'reserve', 'no-request'];
    readGauge(registry, { name: 'callprobe_http_connections', help: 'HTTP connections open now.', read: () => this.openNow });
    readGauge(registry, {
      name: 'callprobe_http_connections_max',
      help: 'HTTP connections allowed at once (--max-connections, lowered to the open-file limit minus --fd-reserve).',
      read: () => this.cap,
    });
    readCounter(registry, { name: 'callprobe_http_connections_total', help: 'HTTP connections accepted.', read: () => this.acceptedTotal });
    readCounter(registry, {
      name: 'callprobe_http_connections_refused_total',
      help: 'HTTP connections closed by the door: over the total bound, the per-source bound (IPv6 /64), the per-network bound (IPv6 /48), into the reserve kept for new sources, or no request in time.',
      labelNames: ['reason'],
      read: () => reasons.map((r) => [{ reason: r }, this.refused.get(r) ?? 0] as const),
    });
  }
}
