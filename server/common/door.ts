/**
 * One door's count: what anonymous callers hold of a bounded resource (relay allocations, TURN
 * TCP/TLS connections, HTTP connections, signalling sessions), per source (IPv4 address, IPv6
 * /64), per network (IPv4 address, IPv6 /48) and in total, with a reserve. Pure: the doors
 * (server/turn, server/http) call it as things open and close.
 *
 * - A network may hold `perNetwork` (CONSTANTS.doors: 4 sources' worth, at most an eighth of the
 *   total), a source `perSource` (never more than its network), the whole door `total`.
 * - The reserve: once the door holds `total - reserve` (the last quarter), the rest goes only to a
 *   network that holds nothing of the first three quarters (each within its eighth): however many
 *   networks fill the door, a newcomer still gets in while the reserve lasts, and at least eight
 *   networks are needed to fill it.
 */
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { networkKey, sourceKey } from './source-key.js';

/** Which bound refused: the source's, its network's, the total, or the reserve (kept for networks holding none of the rest). */
export type DoorScope = 'source' | 'network' | 'total' | 'reserve';
/** A door's refusals also count `ports`: the relay had no relayed port left to bind (--relay-ports), whatever the door held. */
export type RefusalScope = DoorScope | 'ports';
const DOOR_SCOPES: readonly DoorScope[] = ['source', 'network', 'total', 'reserve'];
/** The scopes each door's refusals are rendered under. */
const scopesOf = (door: DoorName): readonly RefusalScope[] => (door === 'relay-allocation' ? [...DOOR_SCOPES, 'ports'] : DOOR_SCOPES);

/** The doors whose refusals /metrics counts (callprobe_refusals_total{door,scope}). */
export type DoorName = 'relay-allocation' | 'turn-connection' | 'http-connection' | 'signal-session' | 'result-upload' | 'code-lookup';
const DOOR_NAMES: readonly DoorName[] = ['relay-allocation', 'turn-connection', 'http-connection', 'signal-session', 'result-upload', 'code-lookup'];

export interface DoorBounds {
  readonly total: number;
  readonly perSource: number;
  readonly perNetwork: number;
  /** The last this many of `total` go only to a network holding none of the rest. */
  readonly reserve: number;
}

export interface DoorFactors {
  readonly networkSourceMultiple: number;
  readonly networkShareOfTotal: number;
  readonly reservePct: number;
}

/**
 * The bounds of a door of `total` with `perSource`: a network may hold `perSource` x the multiple
 * but at most its share of the total (at least one), a source never more than its network, and
 * the reserve is the last `reservePct` % of the total.
 */
export function doorBounds(total: number, perSource: number, f: DoorFactors = CONSTANTS.doors): DoorBounds {
  const share = Math.max(1, Math.floor(total * f.networkShareOfTotal));
  const perNetwork = Math.min(perSource * f.networkSourceMultiple, share);
  const reserve = Math.floor((total * f.reservePct) / 100);
  return { total, perSource: Math.min(perSource, perNetwork), perNetwork, reserve };
}

/** A per-network bound for a budget with no total (bytes a day): the source's bound times the multiple. */
export function networkBound(perSource: number, f: DoorFactors = CONSTANTS.doors): number {
  return perSource * f.networkSourceMultiple;
}

/** What a network holds of one door: all of it, and how much of that it took before the door reached its reserve. */
interface NetworkHeld {
  held: number;
  /** Taken while the door held less than `total - reserve` (a network holding any may not take from the reserve). */
  shared: number;
}

/** What one door holds, by source, by network and in total. Memory: one entry per source and network holding something. */
export class DoorCount {
  private readonly bySource = new Map<string, number>();
  private readonly byNetwork = new Map<string, NetworkHeld>();
  private held = 0;

  constructor(readonly bounds: DoorBounds) {}

  /** The scope that refuses one more for the caller at `ip`, or null when it may have it. */
  check(ip: string): DoorScope | null {
    const b = this.bounds;
    if ((this.bySource.get(sourceKey(ip)) ?? 0) >= b.perSource) return 'source';
    const network = this.byNetwork.get(networkKey(ip));
    if ((network?.held ?? 0) >= b.perNetwork) return 'network';
    if (this.held >= b.total) return 'total';
    if ((network?.shared ?? 0) > 0 && this.held >= b.total - b.reserve) return 'reserve';
    return null;
  }

  /**
   * Counts one more for `ip` (whether or not `check` allowed it: a reservation handed on is
   * counted anyway); `inReserve`: the door had reached its reserve (by default, by what it holds).
   */
  add(ip: string, inReserve = this.held >= this.bounds.total - this.bounds.reserve): void {
    bump(this.bySource, sourceKey(ip), 1);
    const key = networkKey(ip);
    const network = this.byNetwork.get(key) ?? { held: 0, shared: 0 };
    network.held++;
    if (!inReserve) network.shared++;
    this.byNetwork.set(key, network);
    this.held++;
  }

  /** `check`, then `add` when allowed: the scope that refused, or null when counted. */
  take(ip: string): DoorScope | null {
    const refused = this.check(ip);
    if (refused === null) this.add(ip);
    return refused;
  }

  /** One counted for `ip` was released (what it took from the reserve first: its share of the rest is given back last). */
  release(ip: string): void {
    bump(this.bySource, sourceKey(ip), -1);
    const key = networkKey(ip);
    const network = this.byNetwork.get(key);
    if (network !== undefined) {
      network.held--;
      network.shared = Math.min(network.shared, network.held);
      if (network.held <= 0) this.byNetwork.delete(key);
    }
    this.held = Math.max(0, this.held - 1);
  }

  /** Held from the source of `ip`. */
  heldBySource(ip: string): number {
    return this.bySource.get(sourceKey(ip)) ?? 0;
  }

  /** Whether the network of `ip` holds any of what it took before the door reached its reserve (then it takes none of the reserve). */
  holdsShared(ip: string): boolean {
    return (this.byNetwork.get(networkKey(ip))?.shared ?? 0) > 0;
  }

  /** Held from the network of `ip`. */
  heldByNetwork(ip: string): number {
    return this.byNetwork.get(networkKey(ip))?.held ?? 0;
  }

  /** Held in all. */
  get size(): number {
    return this.held;
  }

  /** Sources holding something (the map holds nothing else). */
  get sources(): number {
    return this.bySource.size;
  }

  /** Networks holding something. */
  get networks(): number {
    return this.byNetwork.size;
  }
}

function bump(m: Map<string, number>, k: string, d: number): void {
  const n = (m.get(k) ?? 0) + d;
  if (n <= 0) m.delete(k);
  else m.set(k, n);
}

/** Refusals by door and scope: callprobe_refusals_total (server/metrics/registry.ts). */
export class DoorRefusals {
  private readonly counts = new Map<string, number>();
  private readonly derived: (() => Iterable<readonly [DoorName, RefusalScope, number]>)[] = [];

  count(door: DoorName, scope: RefusalScope): void {
    const k = `${door}|${scope}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  /** Counts kept elsewhere (the relay's, by its own refusal reasons), added when rendered. */
  include(counts: () => Iterable<readonly [DoorName, RefusalScope, number]>): void {
    this.derived.push(counts);
  }

  /** Refusals of `door` at `scope` so far. */
  get(door: DoorName, scope: RefusalScope): number {
    let n = this.counts.get(`${door}|${scope}`) ?? 0;
    for (const d of this.derived) for (const [dd, ss, m] of d()) if (dd === door && ss === scope) n += m;
    return n;
  }

  /** Every door and the scopes it refuses at, with their refusals so far: callprobe_refusals_total's samples. */
  all(): Array<[DoorName, RefusalScope, number]> {
    return DOOR_NAMES.flatMap((door) => scopesOf(door).map((scope): [DoorName, RefusalScope, number] => [door, scope, this.get(door, scope)]));
  }
}
