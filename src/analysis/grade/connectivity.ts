/**
 * The connectivity ladder as data: which relay rungs (transport and port) were offered, which
 * answered an allocation, and why the others did not, as machine codes. The words for a help
 * desk are in present/ (rungErrorText).
 */
import { STANDARD_RUNGS } from '../../protocol/defaults.js';
import { tryParseTurnUriParts } from '../../protocol/turn-uri.js';
import type { Family, Rung, RungError, Transport } from '../schema/report-schema.js';

/** A rung as measured, before it is worded (errorText comes from present/). */
export type RungFacts = Omit<Rung, 'errorText'>;

/** What a port check saw through one offered relay entry (the browser's view). */
export interface RungCheck {
  transport: Transport;
  port: number;
  url: string;
  reachable: boolean;
  allocateMs: number | null;
  /** The browser's error: 'timeout', 'NNN text' (a TURN error code, RFC 8489 §14.8), or free text. */
  error: string | null;
  /** Time to a connected media path through this rung (the rung the test used), when known. */
  connectMs?: number | null;
}

/** Machine code of a check's error (null when the rung is reachable). */
export function rungError(check: Pick<RungCheck, 'reachable' | 'error'>): RungError | null {
  if (check.reachable) return null;
  const raw = (check.error ?? 'timeout').trim();
  if (raw === 'timeout' || raw.startsWith('701')) return 'timeout';
  const code = /^(\d{3})\b/.exec(raw)?.[1];
  if (code !== undefined && Number(code) >= 300 && Number(code) < 700) return `turn-${code}`;
  if (/tls|certificate|handshake/i.test(raw)) return 'tls-handshake';
  if (/loopback/i.test(raw)) return 'loopback-refused';
  return 'gather-failed';
}

/**
 * Rung errors that are the test server's own limits, never a fact about the network on the way:
 * `server-busy` (admission refused the stream), TURN 486 Allocation Quota Reached and 508
 * Insufficient Capacity (RFC 8656 §7.2, RFC 8489 §14.8): the port answered.
 */
export function isServerSideRungError(error: RungError | string | null): boolean {
  return error === 'server-busy' || error === 'turn-486' || error === 'turn-508';
}

/** Address family of a TURN URI's host (an IPv6 literal or not). */
export function familyOf(url: string): Family {
  const host = tryParseTurnUriParts(url)?.host ?? '';
  return host.includes(':') ? 'ipv6' : 'ipv4';
}

function fromCheck(c: RungCheck): RungFacts {
  return {
    transport: c.transport,
    port: c.port,
    family: familyOf(c.url),
    url: c.url,
    reachable: c.reachable,
    allocateMs: c.allocateMs,
    connectMs: c.connectMs ?? null,
    error: rungError(c),
  };
}

/**
 * The full ladder: every standard rung (a UDP rung by its port, TCP and TLS by transport),
 * filled from the checks of what the server offered (an IPv4 entry first: a dual-stack
 * server's IPv6 entries are rungs of their own), `not-offered` where it offered nothing,
 * then every other offered entry. Checks are listed in the order the server offered them.
 */
export function ladder(checks: readonly RungCheck[]): RungFacts[] {
  const used = new Set<RungCheck>();
  const out: RungFacts[] = [];
  for (const std of STANDARD_RUNGS) {
    const fits = (c: RungCheck): boolean => !used.has(c) && c.transport === std.transport && (std.transport !== 'udp' || c.port === std.port);
    const match = checks.find((c) => fits(c) && familyOf(c.url) === 'ipv4') ?? checks.find(fits);
    if (match) {
      used.add(match);
      out.push(fromCheck(match));
    } else {
      out.push({
        transport: std.transport,
        port: std.port,
        family: 'ipv4',
        url: null,
        reachable: false,
        allocateMs: null,
        connectMs: null,
        error: 'not-offered',
      });
    }
  }
  for (const c of checks) if (!used.has(c)) out.push(fromCheck(c));
  return out;
}
