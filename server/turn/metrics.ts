/**
 * Relay counters per listener (transport + port), and their families in a prom-client registry
 * (the process's one: `serve`'s data plane, `callprobe turn`), read from those counters at each
 * scrape. The hot path only increments plain number fields.
 */
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';
import type { ChallengeReason, DropReason, MalformedReason, RefusalReason } from './core/reasons.js';
import type { TlsFailureReason } from './transport/tls-refusals.js';
import type { DoorName, RefusalScope } from '../common/door.js';
import { CREDENTIAL_PEAK_BUCKETS, type CredentialOwner, type PeakHistogram } from './core/credential-peaks.js';

/** The relay's refusals at its two doors (allocations, TCP/TLS connections), by the reason it counts them under. */
const DOOR_REASONS: readonly (readonly [DoorName, RefusalScope, 'refusals' | 'dropped', RefusalReason | DropReason])[] = [
  ['relay-allocation', 'source', 'refusals', 'quota-source-ip'],
  ['relay-allocation', 'network', 'refusals', 'quota-network'],
  ['relay-allocation', 'total', 'refusals', 'quota-total'],
  ['relay-allocation', 'reserve', 'refusals', 'quota-reserve'],
  ['relay-allocation', 'ports', 'refusals', 'no-relay-port'],
  ['turn-connection', 'source', 'dropped', 'stream-connections-per-source'],
  ['turn-connection', 'network', 'dropped', 'stream-connections-per-network'],
  ['turn-connection', 'total', 'dropped', 'stream-connections-total'],
  ['turn-connection', 'reserve', 'dropped', 'stream-connections-reserve'],
];

export type TransportKind = 'udp' | 'tcp' | 'tls';

/** Counters of one listener port and transport (all listen hosts of that port share them). */
export class ListenerStats {
  allocationsActive = 0;
  allocationsTotal = 0;
  /** Client to peer (ChannelData and Send indications). */
  packetsToPeer = 0;
  bytesToPeer = 0;
  /** Peer to client (ChannelData and Data indications). */
  packetsToClient = 0;
  bytesToClient = 0;
  /** Client to peer, of packetsToPeer: handed to a peer or a relay socket in this process by a call, not sent on the wire. */
  packetsInProcess = 0;
  /** Error responses sent, by reason (a stable short label). */
  readonly refusals = new Map<RefusalReason, number>();
  /** 401/438 challenges that are a normal step of authentication (not refusals), by reason. */
  readonly challenges = new Map<ChallengeReason, number>();
  /** Datagrams or frames that could not be decoded, by reason. */
  readonly malformed = new Map<MalformedReason, number>();
  /** Well-formed input dropped on purpose (no permission, no allocation, bandwidth...), by reason. */
  readonly dropped = new Map<DropReason, number>();
  /** TLS handshakes that did not complete (TLS listeners only), by reason. */
  readonly tlsHandshakeFailures = new Map<TlsFailureReason, number>();

  constructor(
    readonly transport: TransportKind,
    readonly port: number,
  ) {}

  static bump<R extends string>(map: Map<R, number>, reason: R): void {
    map.set(reason, (map.get(reason) ?? 0) + 1);
  }

  /** Counts a datagram the kernel would not take under `stats` (never queued: ./transport/native-udp.ts SendFailure). */
  static sendFailed(stats: ListenerStats, why: 'full' | 'error'): void {
    ListenerStats.bump(stats.dropped, why === 'full' ? 'udp-send-buffer-full' : 'udp-send-failed');
  }
}

/** Process-wide relay counters. */
export class RelayMetrics {
  private readonly byListener = new Map<string, ListenerStats>();

  /** The (shared) stats object of a listener; created on first use. */
  listener(transport: TransportKind, port: number): ListenerStats {
    const key = `${transport}:${port}`;
    let s = this.byListener.get(key);
    if (!s) {
      s = new ListenerStats(transport, port);
      this.byListener.set(key, s);
    }
    return s;
  }

  all(): ListenerStats[] {
    return [...this.byListener.values()];
  }

  /** Datagrams relayed so far, both directions, over every listener. */
  packetsRelayed(): number {
    let n = 0;
    for (const s of this.byListener.values()) n += s.packetsToPeer + s.packetsToClient;
    return n;
  }

  /** Refusals at the relay's doors over every listener, for callprobe_refusals_total (server/common/door.ts). */
  doorRefusals(): [DoorName, RefusalScope, number][] {
    return DOOR_REASONS.map(([door, scope, map, reason]) => {
      let n = 0;
      for (const s of this.byListener.values()) n += (map === 'refusals' ? s.refusals.get(reason as RefusalReason) : s.dropped.get(reason as DropReason)) ?? 0;
      return [door, scope, n];
    });
  }
}

/** What the relay's families read at each scrape. */
export interface RelayMetricSources {
  /** Every listener's counters. */
  listeners: RelayMetrics;
  /** An owner's credential peaks now (TurnCore.credentialPeaks). */
  credentialPeaks(owner: CredentialOwner): { ended: PeakHistogram; followedMax: number };
  /** Relay log lines the per-source and total log budgets held back so far. */
  logLinesSuppressed(): number;
}

type Labels<L extends string> = Partial<Record<L, string | number>>;

/** A family read whole at each scrape: a gauge set, or a counter put, to each of `read`'s samples. */
function readFamily<L extends string>(
  registry: Registry,
  kind: 'gauge' | 'counter',
  spec: { name: string; help: string; labelNames: readonly L[] },
  read: () => Iterable<readonly [Labels<L>, number]>,
): void {
  const { name, help, labelNames } = spec;
  if (kind === 'gauge')
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [labels, v] of read()) this.set(labels, v);
      },
    });
  else
    new Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [labels, v] of read()) this.inc(labels, v);
      },
    });
}

const OWNERS: readonly CredentialOwner[] = ['page', 'reflector'];

/**
 * callprobe_turn_credential_peak_allocations: a histogram whose buckets the core counts
 * (core/credential-peaks.ts), read whole at each scrape; prom-client's Histogram counts only
 * observations of its own, so this is the registry's other shape of a metric: a name and `get()`.
 */
class CredentialPeakHistogram {
  readonly name = 'callprobe_turn_credential_peak_allocations';
  readonly help = 'Most allocations one credential held at once (one page test holds one credential), observed once it held nothing for a minute.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(private readonly src: RelayMetricSources) {}

  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: Array<{ value: number; labels: Labels<'owner' | 'le'>; metricName: string }>;
  }> {
    const values = OWNERS.flatMap((owner): Array<{ value: number; labels: Labels<'owner' | 'le'>; metricName: string }> => {
      const h = this.src.credentialPeaks(owner).ended;
      let cumulative = 0;
      return [
        ...CREDENTIAL_PEAK_BUCKETS.map((le, i) => {
          cumulative += h.buckets[i] ?? 0;
          return { value: cumulative, labels: { owner, le }, metricName: `${this.name}_bucket` };
        }),
        { value: h.count, labels: { owner, le: '+Inf' }, metricName: `${this.name}_bucket` },
        { value: h.sum, labels: { owner }, metricName: `${this.name}_sum` },
        { value: h.count, labels: { owner }, metricName: `${this.name}_count` },
      ];
    });
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** Nothing of its own to reset (Registry.resetMetrics). */
  reset(): void {}
}

/**
 * Registers the relay's families in `registry`: per listener (transport and port) its
 * allocations, the packets and bytes it relayed, its refusals, challenges, malformed and dropped
 * input and TLS handshake failures by reason; the credentials' peaks; the log lines held back.
 */
export function registerRelayMetrics(registry: Registry, src: RelayMetricSources): void {
  const at = (s: ListenerStats): Labels<'transport' | 'port'> => ({ transport: s.transport, port: s.port });
  const perListener = (kind: 'gauge' | 'counter', name: string, help: string, get: (s: ListenerStats) => number): void =>
    readFamily(registry, kind, { name, help, labelNames: ['transport', 'port'] }, () => src.listeners.all().map((s) => [at(s), get(s)] as const));
  perListener('gauge', 'callprobe_turn_allocations_active', 'TURN allocations currently active.', (s) => s.allocationsActive);
  perListener('counter', 'callprobe_turn_allocations_total', 'TURN allocations created.', (s) => s.allocationsTotal);
  const perDirection = (name: string, help: string, toPeer: (s: ListenerStats) => number, toClient: (s: ListenerStats) => number): void =>
    readFamily(registry, 'counter', { name, help, labelNames: ['transport', 'port', 'direction'] }, () =>
      src.listeners
        .all()
        .flatMap((s) => [[{ ...at(s), direction: 'client_to_peer' }, toPeer(s)] as const, [{ ...at(s), direction: 'peer_to_client' }, toClient(s)] as const]),
    );
  perDirection(
    'callprobe_turn_relayed_packets_total',
    'Packets relayed.',
    (s) => s.packetsToPeer,
    (s) => s.packetsToClient,
  );
  perDirection(
    'callprobe_turn_relayed_bytes_total',
    'Payload bytes relayed.',
    (s) => s.bytesToPeer,
    (s) => s.bytesToClient,
  );
  perListener(
    'counter',
    'callprobe_turn_in_process_packets_total',
    'Of the packets relayed client to peer, those handed to a peer or a relay socket in this process, not sent on the wire.',
    (s) => s.packetsInProcess,
  );
  const byReason = (name: string, help: string, get: (s: ListenerStats) => ReadonlyMap<string, number>): void =>
    readFamily(registry, 'counter', { name, help, labelNames: ['transport', 'port', 'reason'] }, () =>
      src.listeners.all().flatMap((s) => [...get(s)].sort(([a], [b]) => a.localeCompare(b)).map(([reason, n]) => [{ ...at(s), reason }, n] as const)),
    );
  byReason('callprobe_turn_refusals_total', 'Requests refused with an error response.', (s) => s.refusals);
  byReason('callprobe_turn_challenges_total', 'Authentication challenges (401 without credentials, 438).', (s) => s.challenges);
  byReason('callprobe_turn_malformed_total', 'Input that could not be decoded.', (s) => s.malformed);
  byReason('callprobe_turn_dropped_total', 'Well-formed input dropped by policy.', (s) => s.dropped);
  byReason(
    'callprobe_turn_tls_handshake_failures_total',
    'TLS handshakes that did not complete (certificate-refused: the client does not trust the certificate).',
    (s) => s.tlsHandshakeFailures,
  );
  // prom-client's types name its four classes; its registry takes any metric with a name and get().
  registry.registerMetric(new CredentialPeakHistogram(src) as unknown as Metric);
  readFamily(
    registry,
    'gauge',
    {
      name: 'callprobe_turn_credential_recent_peak_allocations',
      help: 'The largest peak among credentials holding allocations or idle for less than a minute.',
      labelNames: ['owner'],
    },
    () => OWNERS.map((owner) => [{ owner }, src.credentialPeaks(owner).followedMax] as const),
  );
  readFamily(
    registry,
    'counter',
    { name: 'callprobe_turn_log_lines_suppressed_total', help: 'Relay log lines held back by the per-source and total log budgets.', labelNames: [] },
    () => [[{}, src.logLinesSuppressed()]],
  );
}
