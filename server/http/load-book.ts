/**
 * The busy-line phase's books on the server: grants (one per phase, with its byte budget per
 * direction), the flows open per source and in total, the phases each source started in the
 * last hour, and the counters /metrics shows. A source is an IPv4 address or an IPv6 /64
 * (src/protocol/source-key.ts). Clock and randomness are injected; every map is swept of
 * expired grants and idle sources, so memory is bounded by the sources active in the last hour.
 */
import type { LoadGrant, LoadRefusalReason } from '../../src/protocol/api-load.js';
import { TypedError } from '../../src/protocol/typed-error.js';

export interface LoadLimits {
  maxBytesPerDirection: number;
  maxFlowsPerSource: number;
  maxFlows: number;
  phasesPerHourPerSource: number;
  grantTtlMs: number;
  requestBytesMax: number;
}

export type LoadDirection = 'up' | 'down';

/** A refusal with its reason; the routes turn it into a LoadRefusal answer. */
export class LoadRefused extends TypedError<LoadRefusalReason> {
  override readonly name = 'LoadRefused';
}

interface Grant {
  source: string;
  expiresAtMs: number;
  /** Bytes moved or reserved by requests in flight, per direction. */
  used: Record<LoadDirection, number>;
}

interface Source {
  flows: number;
  /** Start times of this source's phases in the last hour, oldest first. */
  phases: number[];
}

/** One open flow: report what it moved, then release it exactly once. */
export interface LoadFlow {
  readonly direction: LoadDirection;
  /** Bytes the flow may still move (its reservation). */
  readonly reservedBytes: number;
  /** Bytes moved so far; beyond reservedBytes the caller must stop. */
  moved(bytes: number): void;
  release(): void;
}

const HOUR_MS = 3_600_000;

export class LoadBook {
  private readonly grants = new Map<string, Grant>();
  private readonly sources = new Map<string, Source>();
  private flowsOpen = 0;
  private lastSweepMs: number;
  readonly counters = { grants: 0, flows: 0, bytes: { up: 0, down: 0 }, refused: new Map<LoadRefusalReason, number>() };

  constructor(
    readonly limits: LoadLimits,
    private readonly now: () => number,
    private readonly newGrantId: () => string,
  ) {
    this.lastSweepMs = now();
  }

  /** Flows open now (every source). */
  get openFlows(): number {
    return this.flowsOpen;
  }

  /** Grants and sources kept now (bounded by the sources active in the last hour). */
  get size(): { grants: number; sources: number } {
    return { grants: this.grants.size, sources: this.sources.size };
  }

  private refuse(reason: LoadRefusalReason, message: string): never {
    this.counters.refused.set(reason, (this.counters.refused.get(reason) ?? 0) + 1);
    throw new LoadRefused(reason, message);
  }

  private source(key: string): Source {
    let s = this.sources.get(key);
    if (!s) {
      s = { flows: 0, phases: [] };
      this.sources.set(key, s);
    }
    return s;
  }

  private sweep(t: number): void {
    if (t - this.lastSweepMs < 10_000) return;
    this.lastSweepMs = t;
    for (const [id, g] of this.grants) if (g.expiresAtMs <= t) this.grants.delete(id);
    for (const [k, s] of this.sources) {
      while (s.phases.length > 0 && t - (s.phases[0] ?? 0) >= HOUR_MS) s.phases.shift();
      if (s.flows === 0 && s.phases.length === 0) this.sources.delete(k);
    }
  }

  /** A new phase for `source`: its grant, or LoadRefused (too many phases this hour). */
  grant(source: string): LoadGrant {
    const t = this.now();
    this.sweep(t);
    const s = this.source(source);
    while (s.phases.length > 0 && t - (s.phases[0] ?? 0) >= HOUR_MS) s.phases.shift();
    if (s.phases.length >= this.limits.phasesPerHourPerSource) {
      this.refuse(
        'too-many-phases',
        `this address started ${s.phases.length} busy-line tests in the last hour (the most is ${this.limits.phasesPerHourPerSource})`,
      );
    }
    s.phases.push(t);
    const id = this.newGrantId();
    const expiresAtMs = t + this.limits.grantTtlMs;
    this.grants.set(id, { source, expiresAtMs, used: { up: 0, down: 0 } });
    this.counters.grants++;
    return { grant: id, maxBytesPerDirection: this.limits.maxBytesPerDirection, maxFlowsPerSource: this.limits.maxFlowsPerSource, expiresAtMs };
  }

  /**
   * Opens one flow of `bytes` in `direction` under grant `id` from `source`, reserving the
   * bytes against the grant's budget; or LoadRefused with the reason.
   */
  open(id: string, source: string, direction: LoadDirection, bytes: number): LoadFlow {
    const t = this.now();
    this.sweep(t);
    const g = this.grants.get(id);
    if (!g || g.expiresAtMs <= t || g.source !== source) this.refuse('bad-grant', 'no such busy-line grant for this address, or it expired');
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > this.limits.requestBytesMax) {
      this.refuse('over-budget', `one request moves 1..${this.limits.requestBytesMax} bytes, not ${bytes}`);
    }
    const left = this.limits.maxBytesPerDirection - g.used[direction];
    if (bytes > left) this.refuse('over-budget', `the grant has ${Math.max(0, left)} bytes left ${direction === 'up' ? 'up' : 'down'}, not ${bytes}`);
    const s = this.source(source);
    if (s.flows >= this.limits.maxFlowsPerSource)
      this.refuse('too-many-flows', `this address has ${s.flows} load flows open (the most is ${this.limits.maxFlowsPerSource})`);
    if (this.flowsOpen >= this.limits.maxFlows)
      this.refuse('server-busy', `the server has ${this.flowsOpen} load flows open (the most is ${this.limits.maxFlows})`);
    g.used[direction] += bytes;
    s.flows++;
    this.flowsOpen++;
    this.counters.flows++;
    let moved = 0;
    let open = true;
    return {
      direction,
      reservedBytes: bytes,
      moved: (n) => {
        moved += n;
        this.counters.bytes[direction] += n;
      },
      release: () => {
        if (!open) return;
        open = false;
        // What was reserved but not moved goes back to the grant.
        g.used[direction] -= Math.max(0, bytes - Math.min(moved, bytes));
        s.flows--;
        this.flowsOpen--;
      },
    };
  }

  /** Prometheus text of the counters. */
  metricsText(): string {
    const c = this.counters;
    return (
      `# HELP callprobe_load_flows Busy-line load flows open now.\n# TYPE callprobe_load_flows gauge\ncallprobe_load_flows ${this.flowsOpen}\n` +
      `# HELP callprobe_load_grants_total Busy-line phases granted.\n# TYPE callprobe_load_grants_total counter\ncallprobe_load_grants_total ${c.grants}\n` +
      `# HELP callprobe_load_flows_total Busy-line load flows opened.\n# TYPE callprobe_load_flows_total counter\ncallprobe_load_flows_total ${c.flows}\n` +
      `# HELP callprobe_load_bytes_total Bytes the load sink read (up) and the source sent (down).\n# TYPE callprobe_load_bytes_total counter\n` +
      `callprobe_load_bytes_total{direction="up"} ${c.bytes.up}\ncallprobe_load_bytes_total{direction="down"} ${c.bytes.down}\n` +
      `# HELP callprobe_load_refused_total Busy-line grants and flows refused, by reason.\n# TYPE callprobe_load_refused_total counter\n` +
      [...c.refused].map(([reason, n]) => `callprobe_load_refused_total{reason="${reason}"} ${n}\n`).join('')
    );
  }
}
