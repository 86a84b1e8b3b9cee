/**
 * Abusive clients, shared by the security test
 * (test/server/turn/transport/security-stalled-readers.test.ts) and the `bench:load --soak`
 * mode: `count` TURN/TCP allocations whose clients stop reading, and UDP TURN allocations of
 * the same relay (peers the relay's policy allows: its own relayed addresses) that relay media-
 * sized datagrams to them, so the server's write queue for each stalled connection grows.
 * Run it where the kernel's TCP buffers are small (a namespace with low net.ipv4.tcp_rmem /
 * tcp_wmem), or the kernel absorbs megabytes per connection first.
 */
import { mintRestCredential } from '../../server/turn/credentials.js';
import { TurnClient } from '../../server/turn/client/turn-client.js';
import type { TransportAddress } from '../../server/turn/codec/attributes.js';

export interface StalledReadersOptions {
  host: string;
  turnPort: number;
  secret: string;
  /** Stalled TCP allocations. */
  count: number;
  /** Payload of each relayed datagram (media-like: 100-200 bytes costs the most per byte). */
  payloadBytes: number;
  /** Bytes sent towards each stalled allocation in all. */
  bytesPerTarget: number;
  /** Datagrams per second over all targets (the relay's per-allocation bandwidth cap is far above it per sender). */
  datagramsPerS: number;
  /** Progress lines (JSON) go here. */
  report?: (event: Record<string, unknown>) => void;
}

export interface StalledReaders {
  /** Resolves when every byte was sent. */
  readonly flooded: Promise<{ datagrams: number }>;
  close(): Promise<void>;
}

/** Channel numbers per sender: one per target (RFC 8656 §12: 0x4000-0x4FFF). */
const FIRST_CHANNEL = 0x4000;
/** Targets per sender allocation: below maxPermissionsPerAllocation and maxChannelsPerAllocation (64). */
const TARGETS_PER_SENDER = 25;
const TICK_MS = 5;

export async function openStalledReaders(opts: StalledReadersOptions): Promise<StalledReaders> {
  const clients: TurnClient[] = [];
  // One credential per sender and its targets (26 allocations, below maxAllocationsPerUsername, 64): the relay lets its
  // own relayed addresses exchange data only within one credential (a page's loopback mode), never across tests.
  // Minted once per group: a TURN REST username carries its expiry, so one minted a second later is another credential.
  const creds = new Map<number, ReturnType<typeof mintRestCredential>>();
  const connect = async (transport: 'udp' | 'tcp', group: number): Promise<TurnClient> => {
    const cred = creds.get(group) ?? mintRestCredential(opts.secret, `stall${group}-${process.pid}`, 3600, Date.now());
    creds.set(group, cred);
    const c = await TurnClient.connect({ host: opts.host, port: opts.turnPort, transport, username: cred.username, password: cred.credential, rtoMs: 500 });
    clients.push(c);
    return c;
  };
  const targets: { client: TurnClient; relayed: TransportAddress }[] = [];
  for (let i = 0; i < opts.count; i++) {
    const client = await connect('tcp', Math.floor(i / TARGETS_PER_SENDER));
    targets.push({ client, relayed: (await client.allocate()).relayed });
  }
  const senders: { client: TurnClient; relayed: TransportAddress; targets: number }[] = [];
  for (let i = 0; i < opts.count; i += TARGETS_PER_SENDER) {
    const client = await connect('udp', i / TARGETS_PER_SENDER);
    const relayed = (await client.allocate()).relayed;
    const mine = targets.slice(i, i + TARGETS_PER_SENDER);
    await client.createPermission(mine.map((t) => t.relayed));
    for (const [k, t] of mine.entries()) await client.channelBind(FIRST_CHANNEL + k, t.relayed);
    for (const t of mine) await t.client.createPermission([relayed]);
    senders.push({ client, relayed, targets: mine.length });
  }
  for (const t of targets) t.client.pauseReading();
  opts.report?.({ event: 'allocated', targets: targets.length, senders: senders.length });

  const payload = Buffer.alloc(opts.payloadBytes, 0x5a);
  const perTarget = Math.ceil(opts.bytesPerTarget / opts.payloadBytes);
  const total = perTarget * targets.length;
  const perTick = Math.max(1, Math.round((opts.datagramsPerS * TICK_MS) / 1000));
  let sent = 0;
  let timer: NodeJS.Timeout | null = null;
  const flooded = new Promise<{ datagrams: number }>((resolve) => {
    timer = setInterval(() => {
      for (let k = 0; k < perTick && sent < total; k++, sent++) {
        const targetIndex = sent % targets.length;
        const sender = senders[Math.floor(targetIndex / TARGETS_PER_SENDER)];
        sender?.client.sendChannelData(FIRST_CHANNEL + (targetIndex % TARGETS_PER_SENDER), payload);
      }
      if (sent >= total) {
        if (timer) clearInterval(timer);
        timer = null;
        opts.report?.({ event: 'flooded', datagrams: sent });
        resolve({ datagrams: sent });
      }
    }, TICK_MS);
  });
  return {
    flooded,
    async close() {
      if (timer) clearInterval(timer);
      timer = null;
      // UDP allocations outlive their socket: end them (RFC 8656 §7.3, lifetime 0); TCP ones end with the connection.
      await Promise.all(senders.map((sd) => sd.client.refresh(0)));
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
