/**
 * Who the relay may exchange data with (RFC 8656 §9: "the server MAY impose restrictions on
 * the IP address ... allowed in a permission", §21.2 security: no open relay).
 *
 * A peer is allowed when it is (a) an endpoint registered with allowEndpoint (exact ip:port),
 * (b) one of the relay's own relayed addresses (decided by the core, which knows them), or
 * (c) inside an operator CIDR. For (c) a special-purpose address is allowed only by a CIDR that
 * lies inside its special range: 0.0.0.0/0 never opens 127/8, but 127.0.0.1/32 does.
 */
import { formatIp, parsePrefix, prefixContains, type IpAddress, type IpPrefix } from '../../../src/protocol/ip.js';
import { embeddedIpv4, normalizeEmbeddedIpv4, specialRangeOf } from './special-purpose.js';

/** Why a peer was refused, used as a log field and metrics label. */
export type PeerRefusal = 'special-purpose' | 'not-allowed' | 'embedded-special-purpose';

export type PeerIpDecision =
  { readonly allowed: true; readonly via: 'endpoint' | 'cidr' } | { readonly allowed: false; readonly reason: PeerRefusal; readonly range?: string };

/** RFC 8656 §9 peer restrictions, injected into the core. */
export interface PeerPolicy {
  /** Bumped whenever a decision may change (endpoints added/removed). */
  readonly generation: number;
  /** IP-level decision for CreatePermission and ChannelBind. `ipText` is formatIp(ip). */
  checkIp(ip: IpAddress, ipText: string): PeerIpDecision;
  /** Exact-endpoint decision used when data is relayed (called rarely: results are cached per generation). */
  endpointRegistered(ipText: string, port: number): boolean;
}

function cidrDecision(allow: readonly IpPrefix[], ip: IpAddress): PeerIpDecision {
  const main = normalizeEmbeddedIpv4(ip);
  const toCheck: { addr: IpAddress; embedded: boolean }[] = [{ addr: main, embedded: false }];
  for (const e of embeddedIpv4(main)) toCheck.push({ addr: e, embedded: true });
  for (const { addr, embedded } of toCheck) {
    const special = specialRangeOf(addr);
    if (special) {
      const opened = allow.some((p) => p.prefixLen >= special.prefix.prefixLen && prefixContains(p, addr));
      if (!opened) {
        return { allowed: false, reason: embedded ? 'embedded-special-purpose' : 'special-purpose', range: special.name };
      }
    } else if (!embedded && !allow.some((p) => prefixContains(p, addr))) {
      return { allowed: false, reason: 'not-allowed' };
    }
  }
  return { allowed: true, via: 'cidr' };
}

/** The default PeerPolicy: static CIDRs plus a refcounted registry of exact endpoints. */
export class StaticPeerPolicy implements PeerPolicy {
  private gen = 0;
  private readonly allow: IpPrefix[];
  private readonly endpoints = new Map<string, number>();
  private readonly endpointIps = new Map<string, number>();

  /** `allowPeers`: CIDRs (IPv4 or IPv6); throws IpParseError on a malformed entry. */
  constructor(allowPeers: readonly string[]) {
    this.allow = allowPeers.map((c) => parsePrefix(c));
  }

  get generation(): number {
    return this.gen;
  }

  /** Registers one exact endpoint; returns an idempotent undo. */
  allowEndpoint(ip: IpAddress, port: number): () => void {
    const ipText = formatIp(normalizeEmbeddedIpv4(ip));
    const key = `${ipText}|${port}`;
    this.endpoints.set(key, (this.endpoints.get(key) ?? 0) + 1);
    this.endpointIps.set(ipText, (this.endpointIps.get(ipText) ?? 0) + 1);
    this.gen++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.endpoints.get(key) ?? 1) - 1;
      if (n <= 0) this.endpoints.delete(key);
      else this.endpoints.set(key, n);
      const m = (this.endpointIps.get(ipText) ?? 1) - 1;
      if (m <= 0) this.endpointIps.delete(ipText);
      else this.endpointIps.set(ipText, m);
      this.gen++;
    };
  }

  checkIp(ip: IpAddress, ipText: string): PeerIpDecision {
    if (this.endpointIps.has(ipText)) return { allowed: true, via: 'endpoint' };
    const norm = normalizeEmbeddedIpv4(ip);
    if (norm !== ip && this.endpointIps.has(formatIp(norm))) return { allowed: true, via: 'endpoint' };
    return cidrDecision(this.allow, ip);
  }

  endpointRegistered(ipText: string, port: number): boolean {
    return this.endpoints.has(`${ipText}|${port}`);
  }
}
