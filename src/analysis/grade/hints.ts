/**
 * Network hints as facts: what the connectivity ladder and the graded path show about the
 * network, only where the evidence supports it. The words are in present/ (hintSentence).
 * A rung the server did not offer (url null) is no evidence about the network.
 */
import type { GradedPath } from '../schema/input.js';
import { tryParseTurnUriParts } from '../../protocol/turn-uri.js';
import type { GradeEntry, NatBehaviour } from '../schema/report-schema.js';
import type { RungFacts } from './connectivity.js';
import { browserEngine, loopbackRelayPolicy, type LoopbackRelayPolicy } from './engine.js';

export type HintFacts =
  /** Every offered UDP rung timed out while TCP or TLS connected: UDP is filtered on the way. */
  | { code: 'udp-blocked'; udpPorts: number[] }
  /** Some UDP rungs answered, these timed out: a firewall filters by port. */
  | { code: 'udp-port-blocked'; blockedPorts: number[]; openPorts: number[] }
  /** The graded stream ran over TCP or TLS (a fallback from UDP). */
  | { code: 'tcp-fallback'; transport: 'tcp' | 'tls' }
  /** The server offered no TLS relay (no certificate): TLS was not tested, not blocked. */
  | { code: 'tls-not-offered' }
  /** TLS was offered and timed out or failed its handshake while plain TCP connected. */
  | { code: 'tls-blocked'; error: string }
  /** The selected candidate pair changed during the test. */
  | { code: 'path-changed'; changes: number }
  /**
   * The browser refused a relay on a loopback address: a rung's error said so, or every rung on a
   * loopback address timed out in an engine that refuses one whatever its settings (Firefox). `policy`:
   * what its engine does with one.
   */
  | { code: 'loopback-refused'; policy: LoopbackRelayPolicy }
  /**
   * No rung the server offered answered at all (every one timed out): the relay was not heard
   * from. A firewall dropping every port, a relay that is down and a browser that silently
   * refuses a relay on a local address all look like this; nothing in the ladder tells them
   * apart, so this is all it says. `loopback`: the relay is on a loopback address.
   */
  | { code: 'relay-silent'; loopback: boolean }
  /** Azure-region profile: the round trip to the relay is above the region's target. */
  | { code: 'far-relay'; region: string; rttMsP50: number; thresholdMs: number }
  /** The NAT maps each destination to its own public port (endpoint-dependent, "symmetric"). */
  | { code: 'symmetric-nat' };

/** Whether a TURN URI's host is a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopbackUri(url: string): boolean {
  const host = (tryParseTurnUriParts(url)?.host ?? '').replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const offered = (r: RungFacts): boolean => r.url !== null && r.error !== 'not-offered';

/** The hints the evidence supports, most important first; `userAgent` (the report's meta.browser) says which engine refused what. */
export function networkHints(
  connectivity: readonly RungFacts[],
  path: Pick<GradedPath, 'transport' | 'changes'>,
  nat: Pick<NatBehaviour, 'mapping'> | null = null,
  userAgent = '',
): HintFacts[] {
  const out: HintFacts[] = [];
  const rungs = connectivity.filter(offered);
  const udp = rungs.filter((r) => r.transport === 'udp');
  const stream = rungs.filter((r) => r.transport !== 'udp');
  const timedOut = (r: RungFacts): boolean => !r.reachable && r.error === 'timeout';
  const ports = (rs: RungFacts[]): number[] => rs.map((r) => r.port ?? 0).sort((a, b) => a - b);
  const policy = loopbackRelayPolicy(browserEngine(userAgent));
  if (rungs.some((r) => r.error === 'loopback-refused')) {
    out.push({ code: 'loopback-refused', policy });
    return out;
  }
  // Every rung silent: one cause, the relay was not heard from. A browser refusing a relay on a
  // loopback address times out exactly like that (Chromium without its flag), but so does a
  // relay that is not running, in a browser that allows it: the timeouts alone cannot say which.
  // An engine that refuses a loopback relay whatever its settings (Firefox) tells them apart: it refused.
  if (rungs.length > 0 && rungs.every(timedOut)) {
    const loopback = rungs.every((r) => isLoopbackUri(r.url ?? ''));
    out.push(loopback && policy === 'refused' ? { code: 'loopback-refused', policy } : { code: 'relay-silent', loopback });
    return out;
  }
  if (udp.length > 0 && udp.every(timedOut) && stream.some((r) => r.reachable)) {
    out.push({ code: 'udp-blocked', udpPorts: ports(udp) });
  } else if (udp.some((r) => r.reachable) && udp.some(timedOut)) {
    out.push({ code: 'udp-port-blocked', blockedPorts: ports(udp.filter(timedOut)), openPorts: ports(udp.filter((r) => r.reachable)) });
  }
  if (path.transport === 'tcp' || path.transport === 'tls') out.push({ code: 'tcp-fallback', transport: path.transport });
  const tls = connectivity.filter((r) => r.transport === 'tls');
  const tcpWorks = rungs.some((r) => r.transport === 'tcp' && r.reachable);
  if (rungs.length > 0 && tls.length > 0 && tls.every((r) => !offered(r))) out.push({ code: 'tls-not-offered' });
  const tlsFailed = tls.filter(offered).find((r) => !r.reachable && (r.error === 'timeout' || r.error === 'tls-handshake'));
  if (tlsFailed && tcpWorks) out.push({ code: 'tls-blocked', error: tlsFailed.error ?? 'timeout' });
  if (path.changes > 0) out.push({ code: 'path-changed', changes: path.changes });
  if (nat?.mapping === 'endpoint-dependent') out.push({ code: 'symmetric-nat' });
  return out;
}

/**
 * With the Azure-region profile, a round trip above the region's target means the relay (or
 * the route to it) is far from this site: a network fact worth its own hint beside the grade.
 */
export function farRelayHint(
  profile: { id: string; azureRegion?: string },
  grades: ReadonlyArray<Pick<GradeEntry, 'target' | 'status' | 'value' | 'threshold'>>,
): HintFacts | null {
  if (profile.id !== 'azure-region' || profile.azureRegion === undefined) return null;
  const rtt = grades.find((g) => g.target === 'latency-rtt' && g.status === 'fail');
  if (!rtt || rtt.value === null) return null;
  return { code: 'far-relay', region: profile.azureRegion, rttMsP50: rtt.value, thresholdMs: rtt.threshold };
}
