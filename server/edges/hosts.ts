/**
 * The hosts an edge token binds (`edge-token create --host`): what the edge advertises in its
 * URLs and TURN entries, so a stolen token cannot point the hub's pages anywhere else. A host is
 * a DNS name (RFC 1123 §2.1 labels) or an IP literal; a token names at most one DNS name and one
 * address per family. A special-purpose address (IANA's registries: private, loopback,
 * link-local, CGNAT, documentation, multicast, and their IPv6 embeddings) and the names
 * RFC 6761 §6.3 keeps for this machine (`localhost`, `*.localhost`) are no place for pages on the
 * Internet to go: refused unless the hub itself stands on one (a lab).
 */
import { canonicalIp, tryParseIp } from '../../src/protocol/ip.js';
import { BOUNDS } from '../../src/protocol/defaults.js';
import { TypedError } from '../../src/protocol/typed-error.js';
import { embeddedIpv4, normalizeEmbeddedIpv4, specialRangeOf } from '../turn/policy/special-purpose.js';

/** Why a host list was refused: `bad-host` (not a host, or too many of a kind), `special-address`. */
export class EdgeHostError extends TypedError<'bad-host' | 'special-address'> {
  override readonly name = 'EdgeHostError';
}

/** RFC 1123 §2.1: letters, digits and hyphens, a label 1-63 long not starting or ending with a hyphen; at least two labels. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** A host as compared: an IP literal in canonical text (no brackets), a DNS name in lower case without its final dot; null when it is neither. */
export function canonicalHost(text: string): string | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (tryParseIp(bare) !== null) return canonicalIp(bare);
  const name = bare.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || DNS_NAME.test(name) ? name : null;
}

/** Whether `host` (canonical) is a special-purpose address, or a name RFC 6761 keeps for this machine. */
export function isSpecialHost(host: string): boolean {
  const ip = tryParseIp(host);
  if (ip === null) return host === 'localhost' || host.endsWith('.localhost');
  const main = normalizeEmbeddedIpv4(ip);
  return specialRangeOf(main) !== undefined || embeddedIpv4(main).some((e) => specialRangeOf(e) !== undefined);
}

/**
 * The `--host` values of a token, checked and canonical: 1 to BOUNDS.edgeHostsMax hosts, at most
 * one DNS name and one address per family, none special-purpose unless `lab`. Throws EdgeHostError.
 */
export function edgeHosts(values: readonly string[], lab: boolean): string[] {
  if (values.length === 0 || values.length > BOUNDS.edgeHostsMax)
    throw new EdgeHostError('bad-host', `give the edge's host once or more (at most ${BOUNDS.edgeHostsMax}): a DNS name, or one address per family`);
  const hosts: string[] = [];
  const kinds = new Set<string>();
  for (const v of values) {
    const host = canonicalHost(v.trim());
    if (host === null) throw new EdgeHostError('bad-host', `"${v.slice(0, 64)}" is neither a DNS name nor an IP address`);
    const kind = tryParseIp(host)?.family.toString() ?? 'name';
    if (kinds.has(kind))
      throw new EdgeHostError(
        'bad-host',
        `give at most one DNS name and one address per family, not two ${kind === 'name' ? 'names' : `IPv${kind} addresses`}`,
      );
    kinds.add(kind);
    if (!lab && isSpecialHost(host))
      throw new EdgeHostError(
        'special-address',
        `${host} is a special-purpose address (private, loopback, link-local, documentation, ...): pages on the Internet cannot reach an edge there`,
      );
    hosts.push(host);
  }
  return hosts;
}
