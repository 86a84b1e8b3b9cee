/**
 * The reachability list of `run --teams-reachability FILE`: which media relays (Microsoft's,
 * from its published endpoints: docs/operate.md) to try on which ports, its one grammar, and
 * the answer each port gave. It tests whether a port answers, never the quality of a call.
 * Pure.
 *
 * One target per line, `#` starts a comment:
 *
 *     udp worldaz.tr.teams.microsoft.com 3478-3481
 *     tcp worldaz.tr.teams.microsoft.com 443
 *     tls worldaz.tr.teams.microsoft.com 443
 *     udp 52.112.0.1 3478,3479
 *
 * `udp`: a STUN Binding request (RFC 8489 §6.2.1); the answer is the reflexive address.
 * `tcp`/`tls`: a TURN Allocate without credentials (RFC 8656 §7.2); the answer is a 401
 * challenge, which proves the port open without any account.
 */
import { BOUNDS } from './defaults.js';
import { ConfigError } from './config-error.js';

export type ReachabilityTransport = 'udp' | 'tcp' | 'tls';

export interface ReachabilityTarget {
  transport: ReachabilityTransport;
  /** A DNS name or an IP address literal. */
  host: string;
  ports: number[];
}

/**
 * What one port answered: `reflexive` (a STUN Binding success with the reflexive address),
 * `challenge` (a TURN 401: the relay asked for credentials), `answered` (another STUN answer:
 * the port is open), `blocked` (no answer within the timeout: a firewall dropping it, or no
 * server), `refused` (the connection was refused or reset, or ICMP said the port is closed),
 * `unresolved` (the name did not resolve), `failed` (the connection broke otherwise, e.g. TLS).
 */
export type ReachabilityOutcome = 'reflexive' | 'challenge' | 'answered' | 'blocked' | 'refused' | 'unresolved' | 'failed';

export interface ReachabilityAnswer {
  /** The target as a STUN/TURN URI (RFC 7064, RFC 7065): `stun:host:3478`, `turn:host:443?transport=tcp`, `turns:host:443?transport=tcp`. */
  url: string;
  transport: ReachabilityTransport;
  port: number;
  answer: ReachabilityOutcome;
  /** From the first request sent to its answer, ms; null without an answer. */
  ms: number | null;
  /**
   * `gathering-end`: the page's browser answered without showing the reflexive address (it equals
   * the device's own, which Chromium does not repeat), so `ms` is until its gathering ended, an
   * upper bound. Absent: until the answer itself.
   */
  msUntil?: 'gathering-end';
}

const NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

/** A host as a URI writes it: an IPv6 literal in brackets. */
function uriHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The STUN/TURN URI of one target's port. */
export function reachabilityUrl(transport: ReachabilityTransport, host: string, port: number): string {
  const h = uriHost(host);
  if (transport === 'udp') return `stun:${h}:${port}`;
  return `${transport === 'tls' ? 'turns' : 'turn'}:${h}:${port}?transport=tcp`;
}

function parsePorts(text: string, where: string): number[] {
  const ports: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (!m) throw new ConfigError('bad-value', `${where}: ports must look like 3478, 3478-3481 or 443,3478, not "${text}"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < BOUNDS.port.min || to > BOUNDS.port.max || to < from)
      throw new ConfigError('bad-port', `${where}: "${part}" is not a port or an ascending range of ports`);
    for (let p = from; p <= to; p++) if (!ports.includes(p)) ports.push(p);
    if (ports.length > BOUNDS.teamsReachability.portsPerTarget)
      throw new ConfigError('bad-value', `${where}: at most ${BOUNDS.teamsReachability.portsPerTarget} ports per target`);
  }
  return ports;
}

/** Reads a reachability list; throws ConfigError('bad-file' or 'bad-value'...) naming the line. */
export function parseReachabilityList(text: string, file: string): ReachabilityTarget[] {
  const targets: ReachabilityTarget[] = [];
  let probes = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const where = `${file} line ${i + 1}`;
    const [transport, host, ports, ...rest] = line.split(/\s+/);
    if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls')
      throw new ConfigError('bad-value', `${where}: a target starts with udp, tcp or tls, not "${transport ?? ''}"`);
    if (host === undefined || ports === undefined || rest.length > 0) throw new ConfigError('bad-value', `${where}: a target is "transport host ports"`);
    const bare = host.replace(/^\[|\]$/g, '');
    if (!NAME.test(bare) && !(bare.includes(':') && IPV6.test(bare)))
      throw new ConfigError('bad-value', `${where}: "${host}" is not a host name or an address`);
    const list = parsePorts(ports, where);
    probes += list.length;
    targets.push({ transport, host: bare, ports: list });
  });
  if (targets.length === 0) throw new ConfigError('bad-file', `${file} names no target (one per line: "udp host 3478-3481")`);
  if (targets.length > BOUNDS.teamsReachability.targets) throw new ConfigError('bad-file', `${file}: at most ${BOUNDS.teamsReachability.targets} targets`);
  if (probes > BOUNDS.teamsReachability.probes) throw new ConfigError('bad-file', `${file}: at most ${BOUNDS.teamsReachability.probes} ports in all`);
  return targets;
}
