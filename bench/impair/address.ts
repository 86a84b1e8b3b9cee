/**
 * Listen/target addresses. Traffic rule: the proxy only ever listens on, and sends to,
 * loopback (127.0.0.0/8, ::1); anything else is refused before a socket is opened.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ImpairConfigError } from './errors.js';

export interface HostPort {
  /** IP literal ("localhost" is normalized to 127.0.0.1). */
  host: string;
  port: number;
}

export interface ListenTarget {
  listen: HostPort;
  target: HostPort;
}

export function isLoopback(host: string): boolean {
  if (isIPv4(host)) return host.split('.')[0] === '127';
  if (isIPv6(host)) {
    const lower = host.toLowerCase();
    if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    return mapped?.[1] !== undefined && isLoopback(mapped[1]);
  }
  return false;
}

export function family(host: string): 'udp4' | 'udp6' {
  return isIPv6(host) ? 'udp6' : 'udp4';
}

export function formatHostPort(hp: HostPort): string {
  return isIPv6(hp.host) ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

/**
 * Throws unless `hp` is loopback, or one of `made`: addresses of interfaces the test itself made
 * inside its own network namespace (a veth pair, bench/lib/veth.ts); `role` names it in the message.
 */
export function assertLoopback(hp: HostPort, role: string, made: ReadonlySet<string> = new Set()): void {
  if (!isLoopback(hp.host) && !made.has(hp.host)) {
    throw new ImpairConfigError(
      'not-loopback',
      `${role} ${formatHostPort(hp)} is not loopback: the impairment proxy only listens on and forwards to 127.0.0.0/8 and ::1`,
    );
  }
}

/**
 * Parse "host:port", "host:first-last" (inclusive range), "[v6]:port" or ":port"
 * (127.0.0.1). Returns one HostPort per port.
 */
export function parseHostPorts(text: string): HostPort[] {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!match) throw new ImpairConfigError('bad-address', `"${text}" is not host:port or host:first-last`);
  const rawHost = match[1] ?? match[2] ?? '';
  const host = rawHost === '' || rawHost === 'localhost' ? '127.0.0.1' : rawHost;
  if (!isIPv4(host) && !isIPv6(host)) {
    throw new ImpairConfigError('bad-address', `"${rawHost}" in "${text}" is not an IP address (use 127.0.0.1 or ::1)`);
  }
  const first = Number(match[3]);
  const last = match[4] === undefined ? first : Number(match[4]);
  if (first > 65535 || last > 65535 || last < first || last - first > 1023) {
    throw new ImpairConfigError('bad-address', `bad port or port range in "${text}" (0-65535, first <= last, at most 1024 ports)`);
  }
  if (first === 0 && last !== 0) throw new ImpairConfigError('bad-address', `port range "${text}" cannot start at 0`);
  return Array.from({ length: last - first + 1 }, (_, i) => ({ host, port: first + i }));
}

/** Pair --listen and --target values in order; ranges expand and must have equal lengths. */
export function pairListenTargets(listens: readonly string[], targets: readonly string[]): ListenTarget[] {
  const l = listens.flatMap(parseHostPorts);
  const t = targets.flatMap(parseHostPorts);
  if (l.length === 0 || l.length !== t.length) {
    throw new ImpairConfigError(
      'listen-target-mismatch',
      `${l.length} listen port(s) but ${t.length} target port(s): give one --target per --listen (ranges of equal length)`,
    );
  }
  return l.map((listen, i) => {
    const target = t[i];
    if (target === undefined) throw new ImpairConfigError('listen-target-mismatch', 'unpaired listen address');
    assertLoopback(listen, 'listen address');
    assertLoopback(target, 'target');
    if (target.port === 0) throw new ImpairConfigError('bad-address', `target ${formatHostPort(target)} needs a port`);
    return { listen, target };
  });
}
