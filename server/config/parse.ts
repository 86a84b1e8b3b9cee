/**
 * The value grammars only `callprobe serve`'s flags read: the relay's addresses as advertised
 * and as relayed, a listen address, trusted proxies (where results are stored:
 * server/store/target.ts; the console's user names and passwords:
 * server/console/credentials.ts). Each throws ConfigError (a usage error).
 */
import { BOUNDS } from '../../src/protocol/defaults.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { parseIntInRange, parsePortList } from '../../src/protocol/values.js';

/** Parses `--advertise HOST[:PORTS]`; IPv6 hosts in brackets: `[::1]:3478-3481`. */
export function parseAdvertise(text: string): { host: string; udpPorts: number[] | null } {
  const v6 = /^\[([^\]]+)\](?::(.+))?$/.exec(text);
  if (v6) return { host: v6[1] ?? '', udpPorts: v6[2] ? parsePortList(v6[2]) : null };
  const idx = text.lastIndexOf(':');
  if (idx > 0 && text.indexOf(':') === idx) {
    return { host: text.slice(0, idx), udpPorts: parsePortList(text.slice(idx + 1)) };
  }
  if (text.length === 0) throw new ConfigError('bad-value', 'empty --advertise');
  return { host: text, udpPorts: null };
}

/**
 * Parses `--relay-ip IP[,IP]`: the address put in XOR-RELAYED-ADDRESS, or one per family for
 * dual stack (RFC 8656 §7.2: IPv4 unless REQUESTED-ADDRESS-FAMILY asks for IPv6). `primary`
 * is the IPv4 one when both are given. The addresses themselves are checked by the relay.
 */
export function parseRelayIps(text: string): { primary: string; ipv6: string | null } {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const [first] = parts;
  if (parts.length === 1 && first !== undefined) return { primary: first, ipv6: null };
  const [v4] = parts.filter((p) => !p.includes(':'));
  const [v6] = parts.filter((p) => p.includes(':'));
  // Two parts, one of each family.
  if (parts.length === 2 && v4 !== undefined && v6 !== undefined) return { primary: v4, ipv6: v6 };
  throw new ConfigError('bad-value', `--relay-ip "${text}": give one address, or one IPv4 and one IPv6 address (e.g. 203.0.113.10,2001:db8::10)`);
}

/** Parses `HOST:PORT` or `[IPV6]:PORT` (e.g. --metrics-listen 127.0.0.1:9100); port 0..65535. */
export function parseHostPort(text: string, what: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (!m) throw new ConfigError('bad-value', `${what} must look like 127.0.0.1:9100 or [::1]:9100, not "${text}"`);
  return { host: m[1] ?? '', port: parseIntInRange(m[2] ?? '', what, BOUNDS.listenPort) };
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;
const IPV6_CIDR = /^([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(?:\/(\d{1,3}))?$/;

/** Parses `--trust-proxy` (comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is believed). */
export function parseTrustProxy(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new ConfigError('bad-value', "--trust-proxy is empty: give the proxies' addresses, e.g. 127.0.0.1,10.0.0.0/8");
  for (const item of list) {
    const v4 = IPV4_CIDR.exec(item);
    if (v4) {
      if (v4.slice(1, 5).some((o) => Number(o) > 255) || (v4[5] !== undefined && Number(v4[5]) > 32))
        throw new ConfigError('bad-value', `--trust-proxy: not an IPv4 address or CIDR: "${item}"`);
      continue;
    }
    const v6 = IPV6_CIDR.exec(item);
    if (v6 && (v6[2] === undefined || Number(v6[2]) <= 128)) continue;
    throw new ConfigError('bad-value', `--trust-proxy: not an IP address or CIDR: "${item}"`);
  }
  return list;
}

/**
 * Parses `--embed-origins` (comma-separated): the origins whose pages may frame the test page
 * (its CSP `frame-ancestors`, and where it posts its messages). Each is an exact origin,
 * `scheme://host[:port]` of http or https: no wildcard, path, query, fragment or credentials, so
 * the list means the same in the CSP (W3C CSP Level 3, §6.4.2 frame-ancestors) and in
 * postMessage's targetOrigin (HTML, §9.4.3), which takes no wildcard but `*`. Returns each
 * origin as the browser writes it (`HTTPS://A.example:443/` is `https://a.example`), once.
 */
export function parseEmbedOrigins(text: string): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0)
    throw new ConfigError('bad-value', '--embed-origins is empty: give the origins of the pages that may frame the test, e.g. https://help.example.com');
  const origins: string[] = [];
  for (const item of items) {
    const origin = embedOrigin(item);
    if (!origins.includes(origin)) origins.push(origin);
  }
  return origins;
}

function embedOrigin(item: string): string {
  const refuse = (why: string): ConfigError =>
    new ConfigError(
      'bad-value',
      `--embed-origins: "${item.slice(0, 100)}" ${why}; give an exact origin such as https://help.example.com or http://127.0.0.1:8081`,
    );
  if (item.includes('*')) throw refuse('has a wildcard');
  let u: URL;
  try {
    u = new URL(item);
  } catch {
    throw refuse('is not an origin');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw refuse('is not http or https');
  if (u.username !== '' || u.password !== '') throw refuse('has credentials');
  if (u.pathname !== '/' || u.search !== '' || u.hash !== '' || /[?#]/.test(item) || /^[a-z]+:\/\/[^/]*\/./i.test(item)) throw refuse('has a path');
  return u.origin;
}

/** Whether a URL's host is this machine's loopback (127.0.0.0/8, ::1, localhost). */
function loopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Parses `--hub URL` (an edge's hub) or `--public-url URL` (where pages reach an edge): an http(s)
 * origin without credentials, path, query or fragment; its origin. Plain http only on loopback:
 * an edge's beat carries its edge token and its relay's TURN secret (SECURITY.md).
 */
export function parseOriginUrl(text: string, what: '--hub' | '--public-url'): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ConfigError('bad-value', `${what} must be a URL such as https://callprobe.example.org, not "${text}"`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ConfigError('bad-value', `${what} must be an http(s) URL, not "${text}"`);
  if (u.username !== '' || u.password !== '' || (u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.hash !== '')
    throw new ConfigError('bad-value', `${what} is an origin only (scheme, host and port), not "${text}"`);
  if (u.protocol === 'http:' && !loopbackHost(u.hostname))
    throw new ConfigError(
      'bad-value',
      `${what} ${text}: use https (plain http only on loopback): ${what === '--hub' ? 'the edge token and the TURN secret travel in every beat' : 'a page of an https hub cannot open plain ws:'}`,
    );
  return u.origin;
}
