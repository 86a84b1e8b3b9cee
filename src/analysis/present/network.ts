/** The network the user is on, in words: the connection the browser names and a split path. Pure. */
import type { NetworkContext } from '../schema/network-schema.js';

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

/** The connection's sentence, then the split path's. */
export function networkLines(n: NetworkContext): string[] {
  const type =
    n.connectionType === null
      ? 'This browser does not tell which kind of connection it is on.'
      : `The browser says it is on ${TYPE_WORDS[n.connectionType] ?? n.connectionType}.`;
  const speed = n.effectiveType === null ? '' : ` It rates the connection as ${n.effectiveType}-class (its own rough estimate, not this test's measurement).`;
  return [`${type}${speed}`, SPLIT[n.splitPath]];
}
