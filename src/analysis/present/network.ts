/** The network the user is on, in words: the connection the browser names, a split path, and each address family to the relay. Pure. */
import type { Families, FamilyFigures, NetworkContext } from '../schema/network-schema.js';
import { ms, pct } from './format.js';

const TYPE_WORDS: Readonly<Record<string, string>> = {
  bluetooth: 'Bluetooth',
  cellular: 'mobile data',
  ethernet: 'a cable (Ethernet)',
  none: 'no connection',
  wifi: 'Wi-Fi',
  wimax: 'WiMAX',
  other: 'another kind of connection',
  unknown: 'a connection it could not name',
};

const SPLIT: Record<NetworkContext['splitPath'], string> = {
  split:
    'Your web traffic and your call traffic left from different addresses: a VPN, a proxy or a second connection carries one and not the other. Calls may then take another, often longer, route than this page did; a VPN that carries calls adds a detour. Ask IT whether call media should bypass the VPN or proxy.',
  same: 'Your web traffic and your call traffic left from the same address: no split path.',
  'not-compared': 'Whether your web and call traffic take the same path could not be compared here.',
};

const NAME = { ipv4: 'IPv4', ipv6: 'IPv6' } as const;

function familyFigures(f: FamilyFigures): string {
  const rtt = f.rttMsP50 === null ? 'no round trip' : `round trip ${ms(f.rttMsP50)} (median)`;
  return f.lossPct === null ? rtt : `${rtt}, ${pct(f.lossPct)} of ${f.probesJudged} probes lost`;
}

/** What IT can do about a much worse family. */
const WORSE_ADVICE = {
  ipv6: 'The browser may carry a call over either and often prefers IPv6: ask IT to check the IPv6 route (a tunnel or another provider often carries it) or, until it is fixed, to let calls prefer IPv4.',
  ipv4: 'The browser may carry a call over either: ask IT to check the IPv4 route (a VPN, a proxy or a carrier-grade NAT often sits on IPv4 only) or, until it is fixed, to let calls prefer IPv6.',
} as const;

/** Each family's figures, then the one much worse (with what to do) or the one that did not get through. */
function familyLines(f: Families): string[] {
  const { ipv4: v4, ipv6: v6 } = f;
  if (v4.state !== 'ok' && v6.state !== 'ok') return ['Neither IPv4 nor IPv6 brought a round trip back from the relay in this short check.'];
  if (v4.state !== 'ok' || v6.state !== 'ok') {
    const [ok, not] = v4.state === 'ok' ? (['ipv4', 'ipv6'] as const) : (['ipv6', 'ipv4'] as const);
    return [
      `This device reached the relay over ${NAME[ok]} only (${familyFigures(f[ok])}): ${NAME[not]} did not get through (this network has no ${NAME[not]}, or it is blocked on the way).`,
    ];
  }
  const figures = `To the relay over IPv4: ${familyFigures(v4)}; over IPv6: ${familyFigures(v6)}.`;
  if (f.worse === null) return [`${figures} Neither family is much worse than the other.`];
  const other = f.worse === 'ipv4' ? 'ipv6' : 'ipv4';
  return [figures, `${NAME[f.worse]} is much worse than ${NAME[other]} on the way to the relay. ${WORSE_ADVICE[f.worse]}`];
}

/** The connection's sentence, then the split path's, then each address family's. */
export function networkLines(n: NetworkContext): string[] {
  const type =
    n.connectionType === null
      ? 'This browser does not tell which kind of connection it is on.'
      : `The browser says it is on ${TYPE_WORDS[n.connectionType] ?? n.connectionType}.`;
  const speed = n.effectiveType === null ? '' : ` It rates the connection as ${n.effectiveType}-class (its own rough estimate, not this test's measurement).`;
  return [`${type}${speed}`, SPLIT[n.splitPath], ...(n.families === undefined ? [] : familyLines(n.families))];
}
