/**
 * The reachability of listed media relays in words: a heading that says it tests reachability,
 * not quality, then one line per target and port. Pure.
 */
import type { Reachability } from '../schema/reachability-schema.js';
import { ms, num } from './format.js';

const TRANSPORT = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' } as const;

function answerText(a: Reachability['answers'][number], timeoutMs: number): string {
  const fast = a.ms === null ? '' : a.msUntil === 'gathering-end' ? ` within ${ms(a.ms)}` : ` in ${ms(a.ms)}`;
  switch (a.answer) {
    case 'reflexive':
      return a.msUntil === 'gathering-end'
        ? `answered${fast} (it told this device its address, the one the device already has: no address translation on the way): reachable`
        : `answered${fast} (it told this device its public address): reachable`;
    case 'challenge':
      return `answered${fast} (the relay asked for credentials): reachable`;
    case 'answered':
      return `answered${fast}: reachable`;
    case 'blocked':
      return `no answer within ${num(timeoutMs / 1000)} s: blocked (a firewall drops it, or nothing answers there)`;
    case 'refused':
      return 'refused: the port is closed or a firewall refused the connection';
    case 'unresolved':
      return 'the name did not resolve: not tested';
    case 'failed':
      return 'the connection broke before an answer (for TLS: the handshake failed)';
  }
}

/** The heading and one line per target and port. */
export function reachabilityLines(r: Reachability): string[] {
  const by = r.triedBy === 'page' ? ' from this browser' : '';
  return [
    `Reachability of the listed media relays${by} (whether each port answers; it says nothing of a call's quality):`,
    ...r.answers.map((a) => `${TRANSPORT[a.transport]} ${a.port} ${a.url}: ${answerText(a, r.timeoutMs)}`),
  ];
}
