/**
 * A test that reached the test server but none of its relay ports: whose side that is, and when
 * it is a verdict of its own.
 *
 * Microsoft's "Prepare your organization's network for Microsoft Teams" and Azure Communication
 * Services' "Network recommendations" (firewall configuration) list the ports calls need: UDP
 * 3478-3481, and TCP 443 as the fallback. A firewall that drops them all is the most common reason
 * calls fail to connect. The rule:
 *
 * - A rung is blocked when it timed out, could not be gathered, or failed its TLS handshake: the
 *   way to our relay did not carry it. A rung our relay answered with a TURN error (it refused,
 *   it is full) is the server's; a relay on a loopback address the browser refused is neither.
 * - Every rung the server offered blocked, and the server's evidence that its relay answers other
 *   tests (src/protocol/could-not-finish.ts RelayEvidence): the caller's `network`. Without the
 *   evidence, `network-or-server`: the relay may be down.
 * - The network blocked every port Teams uses (UDP 3478-3481 and TCP or TLS on 443, each offered by
 *   the server and each blocked): the verdict is `fail`, calls cannot connect from there. Any
 *   other blocked set (a server that offers other ports, or no 443) is no verdict: what was not
 *   tried is not known.
 * Pure.
 */
import type { RelayEvidence, Side } from '../../protocol/could-not-finish.js';
import { STANDARD_RUNGS } from '../../protocol/defaults.js';
import type { Rung, Verdict } from '../schema/report-schema.js';

type RungFacts = Pick<Rung, 'transport' | 'port' | 'error' | 'reachable'>;

const BLOCKED_ERRORS: ReadonlySet<string> = new Set(['timeout', 'gather-failed', 'tls-handshake']);

/** The way to our relay did not carry this rung (never a rung our relay answered). */
const isBlocked = (r: RungFacts): boolean => !r.reachable && r.error !== null && BLOCKED_ERRORS.has(r.error);

const offered = (rungs: readonly RungFacts[]): RungFacts[] => rungs.filter((r) => r.error !== 'not-offered');

/** Every rung the server offered was blocked (and it offered one). */
export function everyOfferedBlocked(rungs: readonly RungFacts[]): boolean {
  const o = offered(rungs);
  return o.length > 0 && o.every(isBlocked);
}

/** Whose side a test that connected through no rung is: the network's only with the relay's evidence. */
export function couldNotConnectSide(rungs: readonly RungFacts[], evidence: RelayEvidence | null): Side {
  if (rungs.some((r) => r.error === 'loopback-refused')) return 'browser';
  return everyOfferedBlocked(rungs) && evidence !== null ? 'network' : 'network-or-server';
}

/** What the blocked rungs were, for the words: the blocked ones, and the ports Teams uses (UDP 3478-3481, TCP and TLS 443) the server did not offer. */
export interface BlockedPorts {
  blocked: ReadonlyArray<Pick<Rung, 'transport' | 'port'>>;
  notOffered: ReadonlyArray<Pick<Rung, 'transport' | 'port'>>;
  /** Every port Teams uses was offered and blocked: UDP 3478-3481 and TCP or TLS on 443. */
  everyTeamsPort: boolean;
}

/** The blocked and the not-offered rungs of a test that connected through none. */
export function blockedPorts(rungs: readonly RungFacts[]): BlockedPorts {
  const blocked = rungs.filter(isBlocked).map((r) => ({ transport: r.transport, port: r.port }));
  // A Teams port is untried when no offered rung has its transport and port (the ladder files TCP 3478 under the TCP rung: 443 stays untried).
  const notOffered = STANDARD_RUNGS.filter((s) => !offered(rungs).some((r) => r.transport === s.transport && r.port === s.port)).map((s) => ({
    transport: s.transport,
    port: s.port,
  }));
  const blockedStd = (t: string, p: number): boolean => rungs.some((r) => r.transport === t && r.port === p && isBlocked(r));
  const udp = STANDARD_RUNGS.filter((s) => s.transport === 'udp').every((s) => blockedStd('udp', s.port));
  const on443 = blockedStd('tcp', 443) || blockedStd('tls', 443);
  return { blocked, notOffered, everyTeamsPort: everyOfferedBlocked(rungs) && udp && on443 };
}

/**
 * The verdict of a test that could not finish: `fail` when it could not connect because the
 * caller's network blocked every port Teams uses, else no verdict (a test our side could not
 * finish is never graded as the user's network).
 */
export function unfinishedVerdict(outcome: { reason: string; side?: Side | undefined }, rungs: readonly RungFacts[]): Verdict {
  return outcome.reason === 'could-not-connect' && outcome.side === 'network' && blockedPorts(rungs).everyTeamsPort ? 'fail' : 'insufficient';
}
