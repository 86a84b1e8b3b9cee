/**
 * An allocation flood from many addresses of one source (an IPv6 /64 holds 2^64 of them, all
 * free to whoever holds it), shared by the relay's live quota test
 * (test/server/turn/transport/source-quota-live.test.ts) and `bench:load --soak`: from each
 * local address in turn, allocations (one socket each, a fresh credential every few) until the
 * relay refuses one or `maxPerAddress` are held; all are held until the flood ends, then
 * released. Bounded: every request has a timeout and the flood ends by itself.
 */
import { mintRestCredential } from '../../server/turn/credentials.js';
import { TurnClient, TurnClientError } from '../../server/turn/client/turn-client.js';

export interface AllocationFloodOptions {
  /**
   * The relay's address, or null: each client sends to the relay at its own local address (a
   * relay listening on a wildcard address, all of it on one loopback). A UDP relay on a
   * wildcard address answers from the address the kernel picks for the destination, which for a
   * local destination is that destination itself (RFC 6724 §5, rule 1); a client whose socket
   * is connected to another address of the host would drop the answer.
   */
  host: string | null;
  port: number;
  secret: string;
  transport: 'udp' | 'tcp';
  /** Local addresses to send from, in turn. */
  localAddresses: readonly string[];
  /** Allocations tried from each address at most. */
  maxPerAddress: number;
  /** Allocations started per second at most (null: as fast as the relay answers). */
  perSecond: number | null;
}

interface AddressTally {
  address: string;
  granted: number;
  /** How the first refused attempt ended: a STUN error code, 'closed' (the server closed the connection) or 'timeout'; null when none was refused. */
  refusal: number | 'closed' | 'timeout' | null;
}

export interface AllocationFloodResult {
  granted: number;
  byAddress: AddressTally[];
}

/** Allocations per credential: below the relay's per-credential quota (64). */
const ALLOCATIONS_PER_CREDENTIAL = 5;

function refusalOf(err: unknown): AddressTally['refusal'] {
  // A connection the server closed at once can also end in a reset on our side.
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'closed';
  if (!(err instanceof TurnClientError)) throw err;
  if (err.code !== 0) return err.code;
  return err.message === 'no response' ? 'timeout' : 'closed';
}

/** Runs the flood; resolves once every allocation it got is released. */
export async function floodAllocations(o: AllocationFloodOptions): Promise<AllocationFloodResult> {
  const held: TurnClient[] = [];
  const byAddress: AddressTally[] = [];
  let attempts = 0;
  try {
    for (const address of o.localAddresses) {
      const tally: AddressTally = { address, granted: 0, refusal: null };
      byAddress.push(tally);
      while (tally.granted < o.maxPerAddress && tally.refusal === null) {
        const perSecond = o.perSecond;
        if (perSecond !== null) await new Promise((resolve) => setTimeout(resolve, 1000 / perSecond));
        const cred = mintRestCredential(o.secret, `flood${Math.floor(attempts++ / ALLOCATIONS_PER_CREDENTIAL)}-${process.pid}`, 600, Date.now());
        let client: TurnClient | null = null;
        try {
          client = await TurnClient.connect({
            host: o.host ?? address,
            port: o.port,
            transport: o.transport,
            localAddress: address,
            username: cred.username,
            password: cred.credential,
            rtoMs: 200,
          });
          await client.allocate();
          held.push(client);
          tally.granted++;
        } catch (err) {
          tally.refusal = refusalOf(err);
          await client?.close();
        }
      }
    }
  } finally {
    // UDP allocations outlive their socket: end them (RFC 8656 §7.3, lifetime 0); TCP ones end with the connection.
    await Promise.all(held.map((c) => (o.transport === 'udp' ? c.refresh(0).catch(refusalOf) : undefined)));
    await Promise.all(held.map((c) => c.close()));
  }
  return { granted: byAddress.reduce((n, a) => n + a.granted, 0), byAddress };
}
