/**
 * NAT mapping behaviour (RFC 4787 §4.1) from server-reflexive candidates: one local socket asks
 * two server ports for its mapped address (STUN Binding, RFC 8489 §6.3.1); the same mapped
 * address and port for both is endpoint-independent, a different one endpoint-dependent
 * ("symmetric"). Only where the evidence supports it: anything less is 'unknown' with why.
 *
 * What the browser reports (libwebrtc): one srflx candidate per new mapped address of a socket
 * (a second server answering with the same mapping adds none), its base as raddr/rport (hidden
 * as 0.0.0.0:0 while mDNS obfuscation is on; then the network-id names the socket, one shared
 * UDP socket per network), and end-of-candidates once every server has answered or failed.
 */
import type { NatBehaviour } from '../schema/report-schema.js';

/** One ICE candidate line as the browser emitted it, with the STUN/TURN URL it came from (null when not given). */
export interface GatheredCandidate {
  candidate: string;
  url: string | null;
}

/** What the page saw while gathering towards two STUN server ports from one peer connection. */
export interface NatGathering {
  /** The STUN server ports asked (two different ports of the same host). */
  serverPorts: readonly number[];
  candidates: readonly GatheredCandidate[];
  /** icecandidateerror events: the server URL and the error code (701: no answer). */
  errors: ReadonlyArray<{ url: string; errorCode: number }>;
  /** Whether gathering finished (end-of-candidates) before the timeout. */
  complete: boolean;
  timeoutMs: number;
}

/** The parts of an RFC 8839 §5.1 candidate attribute the classification needs. */
export interface ParsedCandidate {
  component: number;
  protocol: string;
  address: string;
  port: number;
  type: string;
  relatedAddress: string | null;
  relatedPort: number | null;
  networkId: string | null;
}

/** Parses `candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> [raddr <a> rport <p>] ...` (RFC 8839 §5.1); null when malformed. */
export function parseCandidate(line: string): ParsedCandidate | null {
  const parts = line
    .trim()
    .replace(/^a=/, '')
    .replace(/^candidate:/, '')
    .split(/\s+/);
  if (parts.length < 8 || parts[6] !== 'typ') return null;
  const component = Number(parts[1]);
  const port = Number(parts[5]);
  if (!Number.isInteger(component) || !Number.isInteger(port) || port < 0 || port > 65535) return null;
  const ext = new Map<string, string>();
  for (let i = 8; i + 1 < parts.length; i += 2) ext.set(parts[i] ?? '', parts[i + 1] ?? '');
  const rport = ext.has('rport') ? Number(ext.get('rport')) : null;
  return {
    component,
    protocol: (parts[2] ?? '').toLowerCase(),
    address: parts[4] ?? '',
    port,
    type: parts[7] ?? '',
    relatedAddress: ext.get('raddr') ?? null,
    relatedPort: rport !== null && Number.isInteger(rport) ? rport : null,
    networkId: ext.get('network-id') ?? null,
  };
}

/** The server port of a `stun:host:port` URL (RFC 7064 §3.1), null when absent. */
function urlPort(url: string | null): number | null {
  const m = url === null ? null : /:(\d{1,5})(?:\?.*)?$/.exec(url);
  return m ? Number(m[1]) : null;
}

const hiddenBase = (c: ParsedCandidate): boolean =>
  c.relatedAddress === null || c.relatedPort === null || c.relatedPort === 0 || c.relatedAddress === '0.0.0.0' || c.relatedAddress === '::';

interface Reflexive {
  mapped: string;
  address: string;
  port: number;
  serverPort: number | null;
  base: string | null;
}

/** The address of an "address:port" base (IPv6 addresses hold colons too). */
const baseAddress = (base: string): string => base.slice(0, base.lastIndexOf(':'));

/** 127.0.0.0/8 or ::1: an address no NAT maps to. */
const isLoopbackAddress = (a: string): boolean => /^127\.\d+\.\d+\.\d+$/.test(a) || a === '::1';

/** Classifies the NAT mapping from one gathering; see the file comment for what counts as evidence. */
export function classifyNat(g: NatGathering): NatBehaviour {
  const seconds = `${String(Math.round(g.timeoutMs / 100) / 10)} s`;
  const asked = [...new Set(g.serverPorts)];
  const unknown = (reason: string, observations: NatBehaviour['observations'] = []): NatBehaviour => ({ mapping: 'unknown', reason, observations });
  if (asked.length < 2) return unknown('fewer than two STUN server ports were offered, so no second mapping could be compared');

  const srflx: Array<Reflexive & { key: string }> = [];
  for (const gc of g.candidates) {
    const c = parseCandidate(gc.candidate);
    if (c?.type !== 'srflx' || c.protocol !== 'udp' || c.component !== 1) continue;
    const base = hiddenBase(c) ? null : `${c.relatedAddress ?? ''}:${String(c.relatedPort)}`;
    const key = base ?? `network-id ${c.networkId ?? '?'}`;
    const serverPort = urlPort(gc.url);
    srflx.push({
      mapped: `${c.address}:${String(c.port)}`,
      address: c.address,
      port: c.port,
      serverPort: serverPort !== null && asked.includes(serverPort) ? serverPort : null,
      base,
      key,
    });
  }
  const failed = asked.filter((p) => g.errors.some((e) => urlPort(e.url) === p));
  if (srflx.length === 0) {
    const why = failed.length > 0 ? `STUN port${failed.length > 1 ? 's' : ''} ${failed.join(' and ')} reported no answer` : `none arrived within ${seconds}`;
    return unknown(`no server-reflexive candidate (${why}), so the mapping could not be observed`);
  }

  // The socket with the most evidence (the first one seen on a tie): one local socket, never mappings of two.
  const byKey = new Map<string, typeof srflx>();
  for (const r of srflx) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const group = [...byKey.values()].reduce((best, x) => (x.length > best.length ? x : best));
  const first = group[0];
  if (first === undefined) return unknown('no server-reflexive candidate from one socket');
  const observe = (r: Reflexive, serverPort: number): NatBehaviour['observations'][number] => ({
    serverPort,
    mappedPort: r.port,
    sameAddress: r.address === first.address,
  });
  const distinct = [...new Map(group.map((r) => [r.mapped, r])).values()];

  if (distinct.length >= 2) {
    const observations = distinct.map((r, i) => observe(r, r.serverPort ?? asked[i] ?? 0));
    // Ports that differ while the address was never translated (a loopback address, or the
    // socket's own) come from a proxy or relay in front of the test server, not from a NAT: a
    // NAT translates the address too. That says nothing about this network's NAT.
    if (distinct.every((r) => isLoopbackAddress(r.address) || (r.base !== null && r.address === baseAddress(r.base)))) {
      return unknown(
        "each server port saw a different port but an address no NAT gives (a loopback address, or the socket's own): a proxy or relay in front of the test server remapped the ports, so the NAT on the way could not be observed",
        observations,
      );
    }
    const what = distinct.every((r) => r.address === first.address) ? 'port' : 'address';
    return {
      mapping: 'endpoint-dependent',
      // Never the socket's address: a report carries no client address (the base only tells sockets apart).
      reason: `one local socket got a different mapped ${what} from each server port (${distinct.length} mappings from one local socket): the NAT maps per destination`,
      observations,
    };
  }

  if (first.base !== null && first.base === first.mapped) {
    return {
      mapping: 'no-nat',
      reason: "the mapped address and port equal the local socket's: no address translation on the way",
      observations: [observe(first, first.serverPort ?? asked[0] ?? 0)],
    };
  }

  // One mapping: it is endpoint-independent only if the other server port answered too.
  const seenPorts = new Set(group.map((r) => r.serverPort).filter((p): p is number => p !== null));
  const confirmed = asked.filter((p) => seenPorts.has(p) || (g.complete && !failed.includes(p)));
  const observations = asked.filter((p) => confirmed.includes(p)).map((p) => observe(first, p));
  if (confirmed.length < 2) {
    const missing = asked.filter((p) => !confirmed.includes(p));
    const why = missing.some((p) => failed.includes(p))
      ? `STUN port ${missing.filter((p) => failed.includes(p)).join(' and ')} reported no answer`
      : `gathering did not finish within ${seconds}, so an answer from port ${missing.join(' and ')} is not confirmed (the browser reports a repeated mapping only by finishing)`;
    return unknown(`only one mapping was seen and ${why}`, observations);
  }
  const hidden = first.base === null ? '; the browser hid the local address, so no NAT at all would look the same' : '';
  return {
    mapping: 'endpoint-independent',
    reason: `both server ports (${asked.join(', ')}) answered one local socket with the same mapped address and port${hidden}`,
    observations,
  };
}
