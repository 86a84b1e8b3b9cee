/**
 * Relay counters per listener (transport + port), rendered in the Prometheus text exposition
 * format (version 0.0.4). The hot path only increments plain number fields.
 */
import type { ChallengeReason, DropReason, MalformedReason, RefusalReason } from './core/reasons.js';
import type { TlsFailureReason } from './transport/tls-refusals.js';
import type { DoorName, RefusalScope } from '../../src/protocol/door.js';
import type { CredentialOwner, PeakHistogram } from './core/credential-peaks.js';

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

  /** Refusals at the relay's doors over every listener, for callprobe_refusals_total (src/protocol/door.ts). */
  doorRefusals(): [DoorName, RefusalScope, number][] {
    return DOOR_REASONS.map(([door, scope, map, reason]) => {
      let n = 0;
      for (const s of this.byListener.values()) n += (map === 'refusals' ? s.refusals.get(reason as RefusalReason) : s.dropped.get(reason as DropReason)) ?? 0;
      return [door, scope, n];
    });
  }

  /** Prometheus text exposition of every counter. */
  render(): string {
    const lines: string[] = [];
    const stats = this.all();
    const labels = (s: ListenerStats, extra = ''): string => `{transport="${s.transport}",port="${s.port}"${extra}}`;
    const simple = (name: string, type: 'gauge' | 'counter', help: string, get: (s: ListenerStats) => number): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const s of stats) lines.push(`${name}${labels(s)} ${get(s)}`);
    };
    simple('callprobe_turn_allocations_active', 'gauge', 'TURN allocations currently active.', (s) => s.allocationsActive);
    simple('callprobe_turn_allocations_total', 'counter', 'TURN allocations created.', (s) => s.allocationsTotal);
    const dir = (name: string, help: string, toPeer: (s: ListenerStats) => number, toClient: (s: ListenerStats) => number): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const s of stats) {
        lines.push(`${name}${labels(s, ',direction="client_to_peer"')} ${toPeer(s)}`);
        lines.push(`${name}${labels(s, ',direction="peer_to_client"')} ${toClient(s)}`);
      }
    };
    dir(
      'callprobe_turn_relayed_packets_total',
      'Packets relayed.',
      (s) => s.packetsToPeer,
      (s) => s.packetsToClient,
    );
    dir(
      'callprobe_turn_relayed_bytes_total',
      'Payload bytes relayed.',
      (s) => s.bytesToPeer,
      (s) => s.bytesToClient,
    );
    simple(
      'callprobe_turn_in_process_packets_total',
      'counter',
      'Of the packets relayed client to peer, those handed to a peer or a relay socket in this process, not sent on the wire.',
      (s) => s.packetsInProcess,
    );
    const byReason = (name: string, help: string, get: (s: ListenerStats) => ReadonlyMap<string, number>): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const s of stats) {
        for (const [reason, n] of [...get(s)].sort(([a], [b]) => a.localeCompare(b))) {
          lines.push(`${name}${labels(s, `,reason="${escapeLabel(reason)}"`)} ${n}`);
        }
      }
    };
    byReason('callprobe_turn_refusals_total', 'Requests refused with an error response.', (s) => s.refusals);
    byReason('callprobe_turn_challenges_total', 'Authentication challenges (401 without credentials, 438).', (s) => s.challenges);
    byReason('callprobe_turn_malformed_total', 'Input that could not be decoded.', (s) => s.malformed);
    byReason('callprobe_turn_dropped_total', 'Well-formed input dropped by policy.', (s) => s.dropped);
    byReason(
      'callprobe_turn_tls_handshake_failures_total',
      'TLS handshakes that did not complete (certificate-refused: the client does not trust the certificate).',
      (s) => s.tlsHandshakeFailures,
    );
    return lines.join('\n') + '\n';
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * callprobe_turn_credential_peak_allocations: per credential that held nothing any more, the
 * most allocations (and EVEN-PORT reservations) it held at once, a page's and the reflector's
 * apart, observed once it held nothing for a minute (Prometheus histogram: cumulative buckets,
 * `le` inclusive); and callprobe_turn_credential_recent_peak_allocations, the largest such peak
 * among the credentials not observed yet (a gauge: the tests of the last minute, and any whose
 * allocations outlive them).
 */
export function renderCredentialPeaks(
  bounds: readonly number[],
  byOwner: readonly (readonly [CredentialOwner, { ended: PeakHistogram; followedMax: number }])[],
): string {
  const name = 'callprobe_turn_credential_peak_allocations';
  const recent = 'callprobe_turn_credential_recent_peak_allocations';
  const lines = [
    `# HELP ${name} Most allocations one credential held at once (one page test holds one credential), observed once it held nothing for a minute.`,
    `# TYPE ${name} histogram`,
  ];
  for (const [owner, { ended: h }] of byOwner) {
    let cumulative = 0;
    bounds.forEach((le, i) => {
      cumulative += h.buckets[i] ?? 0;
      lines.push(`${name}_bucket{owner="${owner}",le="${le}"} ${cumulative}`);
    });
    lines.push(`${name}_bucket{owner="${owner}",le="+Inf"} ${h.count}`);
    lines.push(`${name}_sum{owner="${owner}"} ${h.sum}`, `${name}_count{owner="${owner}"} ${h.count}`);
  }
  lines.push(`# HELP ${recent} The largest peak among credentials holding allocations or idle for less than a minute.`, `# TYPE ${recent} gauge`);
  for (const [owner, { followedMax }] of byOwner) lines.push(`${recent}{owner="${owner}"} ${followedMax}`);
  return lines.join('\n') + '\n';
}
