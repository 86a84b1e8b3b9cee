/**
 * dgram `lookup` for sockets that only ever send to IP literals: answers synchronously.
 * Node's default path runs dns.lookup(), which for a literal still defers the send through
 * process.nextTick and allocates closures on every datagram; on the relay hot path that was
 * a measurable share of the CPU per packet (see docs/benchmarks-relay.md).
 */
import net from 'node:net';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

export function literalLookup(hostname: string, _options: unknown, callback: LookupCallback): void {
  const family = net.isIP(hostname);
  if (family === 0) {
    const err: NodeJS.ErrnoException = new Error(`not an IP literal: ${hostname}`);
    err.code = 'EINVAL';
    callback(err, '', 0);
    return;
  }
  callback(null, hostname, family);
}
