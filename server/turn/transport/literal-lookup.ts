/**
 * dgram `lookup` for sockets that only ever send to IP literals: answers synchronously with
 * the socket's own family and no parsing. Node's default runs dns.lookup(), which for a
 * literal still defers every send through process.nextTick with fresh closures; on the relay
 * hot path that was a measurable share of CPU per packet (docs/benchmarks/relay.md).
 *
 * Contract: every address these sockets send to comes from Node (`rinfo.address`) or from our
 * own IP formatter, so it is a literal of the socket's family. Anything else fails in the
 * native send (EINVAL), reported on the socket's 'error' event: nothing is resolved by name.
 */
type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;
type Lookup = (hostname: string, options: unknown, callback: LookupCallback) => void;

export function literalLookup(family: 4 | 6): Lookup {
  return (hostname, _options, callback) => callback(null, hostname, family);
}
