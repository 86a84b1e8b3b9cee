/**
 * The busy-line phase's books on the server: grants (one per phase, with its byte budget per
 * direction), the flows open per source, per network and in total, the phases each source and
 * network started in the last hour, the bytes moved this hour (all sources, both directions),
 * the floor each phase's flows must move at to keep their slots, and the counters /metrics
 * shows. The hour's bytes are shared as every door is (server/common/door.ts): one network moves
 * at most an eighth of them, and the last quarter goes only to networks that moved none of the
 * rest this hour, so a few sources cannot spend the busy line's hour for everyone. A source is an IPv4 address or an IPv6 /64, a network an IPv6 /48 (an IPv4 address is
 * its own network; server/common/source-key.ts). Clock and randomness are injected; every map is
 * swept of expired grants and idle sources and networks, so memory is bounded by those active in
 * the last hour.
 */
import type { Registry } from 'prom-client';
import type { LoadGrant, LoadRefusalReason } from '../../src/protocol/api-load.js';
import { doorBounds, type DoorBounds } from '../common/door.js';
import { TypedError } from '../../src/protocol/typed-error.js';
import { readCounter, readGauge } from '../metrics/registry.js';

export interface LoadLimits {
  maxBytesPerDirection: number;
  maxFlowsPerSource: number;
  /** Flows one network (IPv6 /48; IPv4: the address) may hold open at once. */
  maxFlowsPerNetwork: number;
  maxFlows: number;
  /** The last this many of maxFlows go only to a network that holds no flow of another phase. */
  reserveFlows: number;
  phasesPerHourPerSource: number;
  phasesPerHourPerNetwork: number;
  grantTtlMs: number;
  requestBytesMax: number;
  /** Bytes moved (both directions, every source) per hour; beyond, grants and flows are refused (hour-budget). */
  maxBytesPerHour: number;
}

/** The floor a phase's flows must move at to keep their slots (DEFAULTS.load.floor*). */
export interface LoadFloor {
  /** Each flow a phase keeps in one direction is paid for by this rate of the phase's flows together. */
  bytesPerS: number;
  /** A flow is judged only once this old. */
  graceMs: number;
  /** A flow's rate is taken over the last this long (from its start while younger). */
  windowMs: number;
}

export type LoadDirection = 'up' | 'down';
/** Why a flow was cut before its bytes were moved: the floor, or its deadline (flowMaxMs). */
export type LoadCut = 'too-slow' | 'deadline';

/** A refusal with its reason; the routes turn it into a LoadRefusal answer. */
export class LoadRefused extends TypedError<LoadRefusalReason> {
  override readonly name = 'LoadRefused';
}

interface Grant {
  source: string;
  network: string;
  expiresAtMs: number;
  /** Bytes moved or reserved by requests in flight, per direction. */
  used: Record<LoadDirection, number>;
  /** Flows of this grant open now. */
  flows: number;
  /** Bytes its open flows reserved. */
  reservedOpen: number;
  /** The phase's flows in each direction as the floor sees them; null before its first flow. */
  judged: Record<LoadDirection, PhaseDirection | null>;
}

/** (time, bytes) samples, oldest first; the first is the start of the window. */
type Samples = { t: number; bytes: number }[];

/**
 * One phase's flows in one direction, for the floor: its grace runs from its first flow (a new
 * flow of a phase already judged gets none), its rate counts every byte its flows took, those
 * of flows since closed included.
 */
interface PhaseDirection {
  firstMs: number;
  /** Bytes taken by its flows that are closed now. */
  closedBytes: number;
  samples: Samples;
}

/** A source's or a network's flows open now and the start times of its phases in the last hour, oldest first. */
interface Holder {
  flows: number;
  phases: number[];
}

/** What a network moved or reserved of this hour's bytes, and whether any of it came before the hour's reserve. */
interface HourShare {
  bytes: number;
  /** It took bytes while the hour held less than its reserve mark: it takes none of the reserve. */
  shared: boolean;
}

/** One open flow as the floor sees it. */
interface Watched {
  phase: PhaseDirection;
  /** What the client took so far, as the route reads it. */
  taken: () => number;
  cut: () => void;
  /** (time, bytes taken) samples, to find a phase's slowest flows. */
  samples: Samples;
}

/** One open flow: report what it moved, then release it exactly once. */
export interface LoadFlow {
  readonly direction: LoadDirection;
  /** Bytes the flow may still move (its reservation). */
  readonly reservedBytes: number;
  /** Bytes moved so far; beyond reservedBytes the caller must stop. */
  moved(bytes: number): void;
  /**
   * Puts the flow under the floor: `taken` reads the bytes its client took so far (an upload's
   * bytes read, a download's bytes the socket drained), `cut` ends it when the floor says so.
   */
  watch(taken: () => number, cut: () => void): void;
  release(): void;
}

/** What the book says when the hour's byte budget is first reached in an hour (one log line). */
export interface HourBudgetReached {
  maxBytesPerHour: number;
  /** Bytes moved or reserved this hour. */
  usedBytes: number;
  /** When the hour ends (ms from now). */
  resetsInMs: number;
}

const HOUR_MS = 3_600_000;

export class LoadBook {
  private readonly grants = new Map<string, Grant>();
  private readonly sources = new Map<string, Holder>();
  private readonly networks = new Map<string, Holder>();
  private readonly watched = new Set<Watched>();
  private flowsOpen = 0;
  /** Bytes reserved by the flows open now (their whole requests). */
  private reservedOpen = 0;
  private hour: { startMs: number; usedBytes: number; reached: boolean };
  /** This hour's bytes by network (IPv6 /48; an IPv4 address): bounded by the networks active this hour. */
  private hourByNetwork = new Map<string, HourShare>();
  /** Each network's eighth of the hour and the last quarter kept for networks that moved none of the rest (CONSTANTS.doors). */
  private readonly hourShares: DoorBounds;
  private lastSweepMs: number;
  readonly counters = {
    grants: 0,
    flows: 0,
    bytes: { up: 0, down: 0 },
    refused: new Map<LoadRefusalReason, number>(),
    cut: new Map<LoadCut, number>(),
    hoursBudgetReached: 0,
  };

  constructor(
    readonly limits: LoadLimits,
    readonly floor: LoadFloor,
    private readonly now: () => number,
    private readonly newGrantId: () => string,
    private readonly onHourBudget: (e: HourBudgetReached) => void = () => undefined,
  ) {
    this.lastSweepMs = now();
    this.hour = { startMs: this.lastSweepMs, usedBytes: 0, reached: false };
    this.hourShares = doorBounds(limits.maxBytesPerHour, limits.maxBytesPerHour);
  }

  /** Flows open now (every source). */
  get openFlows(): number {
    return this.flowsOpen;
  }

  /** Grants, sources and networks kept now (bounded by those active in the last hour). */
  get size(): { grants: number; sources: number; networks: number } {
    return { grants: this.grants.size, sources: this.sources.size, networks: this.networks.size };
  }

  /** Bytes moved or reserved in the current hour (both directions). */
  get hourBytes(): number {
    return this.hour.usedBytes;
  }

  /** Counts a flow cut by the routes (its deadline); the floor's cuts are counted here. */
  countCut(why: LoadCut): void {
    this.counters.cut.set(why, (this.counters.cut.get(why) ?? 0) + 1);
  }

  private refuse(reason: LoadRefusalReason, message: string): never {
    this.counters.refused.set(reason, (this.counters.refused.get(reason) ?? 0) + 1);
    throw new LoadRefused(reason, message);
  }

  private holder(map: Map<string, Holder>, key: string): Holder {
    let h = map.get(key);
    if (!h) {
      h = { flows: 0, phases: [] };
      map.set(key, h);
    }
    return h;
  }

  private static forget(h: Holder, t: number): void {
    while (h.phases.length > 0 && t - (h.phases[0] ?? 0) >= HOUR_MS) h.phases.shift();
  }

  private sweep(t: number): void {
    if (t - this.hour.startMs >= HOUR_MS) {
      this.hour = { startMs: t, usedBytes: this.reservedOpen, reached: false };
      // What open flows reserved stays on their networks in the new hour.
      const carried = new Map<string, HourShare>();
      for (const g of this.grants.values()) {
        const open = g.reservedOpen;
        if (open > 0) carried.set(g.network, { bytes: (carried.get(g.network)?.bytes ?? 0) + open, shared: true });
      }
      this.hourByNetwork = carried;
    }
    if (t - this.lastSweepMs < 10_000) return;
    this.lastSweepMs = t;
    for (const [id, g] of this.grants) if (g.expiresAtMs <= t && g.flows === 0) this.grants.delete(id);
    for (const map of [this.sources, this.networks]) {
      for (const [k, h] of map) {
        LoadBook.forget(h, t);
        if (h.flows === 0 && h.phases.length === 0) map.delete(k);
      }
    }
  }

  private hourSpent(t: number): never {
    if (!this.hour.reached) {
      this.hour.reached = true;
      this.counters.hoursBudgetReached++;
      this.onHourBudget({ maxBytesPerHour: this.limits.maxBytesPerHour, usedBytes: this.hour.usedBytes, resetsInMs: this.hour.startMs + HOUR_MS - t });
    }
    this.refuse(
      'hour-budget',
      `the server moved its most busy-line bytes this hour (${this.limits.maxBytesPerHour} bytes); it takes busy-line tests again in ${this.minutesLeft(t)} min`,
    );
  }

  private minutesLeft(t: number): number {
    return Math.max(1, Math.ceil((this.hour.startMs + HOUR_MS - t) / 60_000));
  }

  /**
   * Refuses `network` one more request of `bytes` (0: a grant) when its eighth of the hour would
   * be passed, or when it took some of the rest and the request would reach into the reserve.
   */
  private checkHourShare(network: string, bytes: number, t: number): void {
    const h = this.hourByNetwork.get(network);
    const s = this.hourShares;
    const used = h?.bytes ?? 0;
    if (used + Math.max(1, bytes) > s.perNetwork)
      this.refuse(
        'hour-budget',
        `your network moved its share of this hour's busy-line bytes (${s.perNetwork} bytes, an eighth of the server's); it takes busy-line tests again in ${this.minutesLeft(t)} min`,
      );
    if (h?.shared === true && this.hour.usedBytes + Math.max(1, bytes) > s.total - s.reserve)
      this.refuse(
        'hour-budget',
        `the server's last busy-line bytes this hour are kept for networks that moved none yet; yours takes busy-line tests again in ${this.minutesLeft(t)} min`,
      );
  }

  /** A new phase for `source` of `network`: its grant, or LoadRefused (too many phases this hour, the hour's bytes spent, its network's share of them). */
  grant(source: string, network: string): LoadGrant {
    const t = this.now();
    this.sweep(t);
    if (this.hour.reached || this.hour.usedBytes >= this.limits.maxBytesPerHour) this.hourSpent(t);
    this.checkHourShare(network, 0, t);
    const s = this.holder(this.sources, source);
    const n = this.holder(this.networks, network);
    LoadBook.forget(s, t);
    LoadBook.forget(n, t);
    if (s.phases.length >= this.limits.phasesPerHourPerSource) {
      this.refuse(
        'too-many-phases',
        `this address started ${s.phases.length} busy-line tests in the last hour (the most is ${this.limits.phasesPerHourPerSource})`,
      );
    }
    if (n.phases.length >= this.limits.phasesPerHourPerNetwork) {
      this.refuse(
        'too-many-phases',
        `this network (IPv6 /48) started ${n.phases.length} busy-line tests in the last hour (the most is ${this.limits.phasesPerHourPerNetwork})`,
      );
    }
    s.phases.push(t);
    n.phases.push(t);
    const id = this.newGrantId();
    const expiresAtMs = t + this.limits.grantTtlMs;
    this.grants.set(id, { source, network, expiresAtMs, used: { up: 0, down: 0 }, flows: 0, reservedOpen: 0, judged: { up: null, down: null } });
    this.counters.grants++;
    return { grant: id, maxBytesPerDirection: this.limits.maxBytesPerDirection, maxFlowsPerSource: this.limits.maxFlowsPerSource, expiresAtMs };
  }

  /**
   * Opens one flow of `bytes` in `direction` under grant `id` from `source`, reserving the
   * bytes against the grant's budget and the hour's; or LoadRefused with the reason.
   */
  open(id: string, source: string, direction: LoadDirection, bytes: number): LoadFlow {
    const t = this.now();
    this.sweep(t);
    const L = this.limits;
    const g = this.grants.get(id);
    if (!g || g.expiresAtMs <= t || g.source !== source) this.refuse('bad-grant', 'no such busy-line grant for this address, or it expired');
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > L.requestBytesMax) {
      this.refuse('over-budget', `one request moves 1..${L.requestBytesMax} bytes, not ${bytes}`);
    }
    const left = L.maxBytesPerDirection - g.used[direction];
    if (bytes > left) this.refuse('over-budget', `the grant has ${Math.max(0, left)} bytes left ${direction === 'up' ? 'up' : 'down'}, not ${bytes}`);
    const s = this.holder(this.sources, source);
    const n = this.holder(this.networks, g.network);
    if (s.flows >= L.maxFlowsPerSource) this.refuse('too-many-flows', `this address has ${s.flows} load flows open (the most is ${L.maxFlowsPerSource})`);
    if (n.flows >= L.maxFlowsPerNetwork)
      this.refuse('too-many-flows', `this network (IPv6 /48) has ${n.flows} load flows open (the most is ${L.maxFlowsPerNetwork})`);
    if (this.flowsOpen >= L.maxFlows) this.refuse('server-busy', `the server has ${this.flowsOpen} load flows open (the most is ${L.maxFlows})`);
    // The reserve: only a network running this one phase (no flow of another) may take the last flows.
    if (this.flowsOpen >= L.maxFlows - L.reserveFlows && n.flows > g.flows) {
      this.refuse(
        'server-busy',
        `the server has ${this.flowsOpen} load flows open; its last ${L.reserveFlows} are kept for networks running no other busy-line test`,
      );
    }
    if (this.hour.reached || this.hour.usedBytes + bytes > L.maxBytesPerHour) this.hourSpent(t);
    this.checkHourShare(g.network, bytes, t);
    const share = this.hourByNetwork.get(g.network) ?? { bytes: 0, shared: false };
    // Taken wholly before the hour's reserve: this network takes none of the reserve from now on.
    if (this.hour.usedBytes + bytes <= this.hourShares.total - this.hourShares.reserve) share.shared = true;
    share.bytes += bytes;
    this.hourByNetwork.set(g.network, share);
    g.used[direction] += bytes;
    g.reservedOpen += bytes;
    g.flows++;
    s.flows++;
    n.flows++;
    this.flowsOpen++;
    this.reservedOpen += bytes;
    this.hour.usedBytes += bytes;
    this.counters.flows++;
    let moved = 0;
    let open = true;
    const phase = (g.judged[direction] ??= { firstMs: t, closedBytes: 0, samples: [{ t, bytes: 0 }] });
    let w: Watched | null = null;
    return {
      direction,
      reservedBytes: bytes,
      moved: (m) => {
        moved += m;
        this.counters.bytes[direction] += m;
      },
      watch: (taken, cut) => {
        if (!open || w !== null) return;
        w = { phase, taken, cut, samples: [{ t, bytes: 0 }] };
        this.watched.add(w);
      },
      release: () => {
        if (!open) return;
        open = false;
        if (w !== null) {
          this.watched.delete(w);
          phase.closedBytes += w.taken();
        }
        // What was reserved but not moved goes back to the grant and to the hour.
        const unmoved = Math.max(0, bytes - Math.min(moved, bytes));
        g.used[direction] -= unmoved;
        g.reservedOpen -= bytes;
        this.hour.usedBytes = Math.max(0, this.hour.usedBytes - unmoved);
        const netShare = this.hourByNetwork.get(g.network);
        if (netShare !== undefined) netShare.bytes = Math.max(0, netShare.bytes - unmoved);
        this.reservedOpen -= bytes;
        g.flows--;
        s.flows--;
        n.flows--;
        this.flowsOpen--;
      },
    };
  }

  /** Adds (t, bytes) to `samples` and returns the rate over the window (bytes/s), from the first sample while it is younger. */
  private rateOver(samples: Samples, t: number, bytes: number): number {
    samples.push({ t, bytes });
    while (samples.length > 2 && t - (samples[1]?.t ?? t) >= this.floor.windowMs) samples.shift();
    const base = samples[0] ?? { t, bytes };
    return ((bytes - base.bytes) * 1000) / Math.max(1, t - base.t);
  }

  /**
   * The floor: reads what every watched flow's client took, and in each phase's direction keeps
   * as many of its open flows as the phase's rate pays for (floor.bytesPerS each), cutting the
   * slowest of the rest (too-slow). A phase's direction is judged once floor.graceMs after its
   * first flow opened (so a flow reopened by a phase under the floor is cut at once), by what
   * all its flows took over the last floor.windowMs. Returns how many flows it cut.
   */
  judge(): number {
    const t = this.now();
    const phases = new Map<PhaseDirection, { rate: number; bytes: number; w: Watched }[]>();
    for (const w of this.watched) {
      const bytes = w.taken();
      const list = phases.get(w.phase) ?? [];
      list.push({ rate: this.rateOver(w.samples, t, bytes), bytes, w });
      phases.set(w.phase, list);
    }
    let cut = 0;
    for (const [phase, list] of phases) {
      const rate = this.rateOver(phase.samples, t, phase.closedBytes + list.reduce((a, f) => a + f.bytes, 0));
      if (t - phase.firstMs < this.floor.graceMs) continue;
      const paid = Math.floor(rate / this.floor.bytesPerS);
      if (list.length <= paid) continue;
      list.sort((a, b) => a.rate - b.rate);
      for (const f of list.slice(0, list.length - paid)) {
        this.countCut('too-slow');
        this.watched.delete(f.w);
        f.w.cut();
        cut++;
      }
    }
    return cut;
  }

  /** Registers its families in `registry`: flows open, grants, flows, bytes, the hour's budget, flows cut and refusals by reason. */
  registerMetrics(registry: Registry): void {
    const c = this.counters;
    readGauge(registry, { name: 'callprobe_load_flows', help: 'Busy-line load flows open now.', read: () => this.flowsOpen });
    readCounter(registry, { name: 'callprobe_load_grants_total', help: 'Busy-line phases granted.', read: () => c.grants });
    readCounter(registry, { name: 'callprobe_load_flows_total', help: 'Busy-line load flows opened.', read: () => c.flows });
    readCounter(registry, {
      name: 'callprobe_load_bytes_total',
      help: 'Bytes the load sink read (up) and the source sent (down).',
      labelNames: ['direction'],
      read: () => [
        [{ direction: 'up' }, c.bytes.up],
        [{ direction: 'down' }, c.bytes.down],
      ],
    });
    readGauge(registry, {
      name: 'callprobe_load_hour_bytes',
      help: `Busy-line bytes moved or reserved this hour, both directions (the budget is ${this.limits.maxBytesPerHour}).`,
      read: () => this.hour.usedBytes,
    });
    readCounter(registry, {
      name: 'callprobe_load_hour_budget_reached_total',
      help: 'Hours in which the busy-line byte budget was reached (then grants and flows refused, hour-budget).',
      read: () => c.hoursBudgetReached,
    });
    readCounter(registry, {
      name: 'callprobe_load_flows_cut_total',
      help: 'Busy-line load flows cut before their bytes were moved, by reason (too-slow: under the floor; deadline).',
      labelNames: ['reason'],
      read: () => (['too-slow', 'deadline'] as const).map((why) => [{ reason: why }, c.cut.get(why) ?? 0] as const),
    });
    readCounter(registry, {
      name: 'callprobe_load_refused_total',
      help: 'Busy-line grants and flows refused, by reason.',
      labelNames: ['reason'],
      read: () => [...c.refused].map(([reason, n]) => [{ reason }, n] as const),
    });
  }
}
