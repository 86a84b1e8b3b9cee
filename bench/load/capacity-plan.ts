/**
 * The capacity bench's decisions, pure (./capacity.ts conducts): the ladder of concurrent tests,
 * what a level's result means (within tolerance, past the limit, limited by the client or the
 * machine rather than the server, or too busy to measure at all), the CFS period a cap needs,
 * the capacity per core with whether the capped fractions agree, and whether two cores hold what
 * they should against one.
 */
import { CAP_PERIOD_US } from '../lib/cpu-cap.js';

/** The kernel's smallest CFS quota, µs (sched-bwc.rst). */
const MIN_QUOTA_US = 1_000;

/**
 * The CFS period a cap of `pctOfCore` runs at: the bench's explicit 10 ms, unless its quota would
 * fall below the kernel's 1 ms minimum (5 % of 10 ms is 0.5 ms), then the shortest period that
 * gives 1 ms (20 ms for 5 %).
 */
export function capPeriodUs(pctOfCore: number): number {
  const quotaUs = (CAP_PERIOD_US * pctOfCore) / 100;
  return quotaUs >= MIN_QUOTA_US ? CAP_PERIOD_US : Math.ceil((MIN_QUOTA_US * 100) / pctOfCore);
}

/** The next number of concurrent tests after `n`: 1, 2, 3, 4, 6, 8, 11, 16, 22, 32, ... (about x1.4, at least +1). */
export function nextN(n: number): number {
  return Math.max(n + 1, Math.round(n * 1.4));
}

/** A client process at or above this share of one core is taken to limit the run (its main thread saturates first). */
const CLIENT_LIMIT_CORES = 0.8;
/** The machine with less idle CPU than this share of all its cores limits the run: the server's cap no longer decides. */
const MACHINE_IDLE_MIN = 0.05;

/** What the bench saw at one level. */
export interface LevelFacts {
  n: number;
  /** Tests outside bench:load's tolerance, each in words (refusals excluded). */
  failures: string[];
  /** Tests refused with server-busy before they measured. */
  refusedBusy: number;
  /** Of the failures, those that were the client's own missed pacing ticks. */
  clientTickFailures: number;
  /** The client process's CPU seconds per wall second. */
  clientCores: number;
  /** The machine's idle share of all its cores over the level (from /proc/stat). */
  machineIdle: number;
}

export type LevelOutcome =
  /** Every test within tolerance: the server held N. */
  | 'held'
  /** A test out of tolerance, or refused as busy, with the client and the machine not the limit: the server's limit. */
  | 'server-limit'
  /** The client process or the machine ran out first: not the server's capacity. */
  | 'client-limited';

/** What one level means. A failing level whose client or machine was saturated, or whose failures were all the client's ticks, is the client's. */
export function levelOutcome(f: LevelFacts): LevelOutcome {
  if (f.failures.length === 0 && f.refusedBusy === 0) return 'held';
  const clientSaturated = f.clientCores >= CLIENT_LIMIT_CORES || f.machineIdle < MACHINE_IDLE_MIN;
  const onlyTicks = f.failures.length > 0 && f.clientTickFailures === f.failures.length && f.refusedBusy === 0;
  return clientSaturated || onlyTicks ? 'client-limited' : 'server-limit';
}

/** One cap's result: the largest N held below the server's limit, or why there is none. */
export type FractionResult =
  | { kind: 'capacity'; pctOfCore: number; largestN: number; perCore: number }
  /** The one-test baseline itself was out of tolerance (or failed): nothing to compare a load with. */
  | { kind: 'too-busy'; pctOfCore: number; why: string }
  /** The ladder stopped on the client or the machine, or ran out of time, before the server's limit: at least `largestN`, never published as capacity. */
  | { kind: 'not-reached'; pctOfCore: number; largestN: number; why: 'client-limited' | 'time' | 'max-n' };

/** A fraction's result from its levels in order, the last possibly failing; `stoppedBy` when the ladder ended without a failing level. */
export function fractionResult(pctOfCore: number, levels: ReadonlyArray<{ n: number; outcome: LevelOutcome }>, stoppedBy: 'time' | 'max-n'): FractionResult {
  const held = levels.filter((l) => l.outcome === 'held');
  const largestN = held.reduce((m, l) => Math.max(m, l.n), 0);
  const last = levels.at(-1);
  if (last?.outcome === 'client-limited') return { kind: 'not-reached', pctOfCore, largestN, why: 'client-limited' };
  if (last?.outcome === 'server-limit') {
    if (largestN === 0) return { kind: 'too-busy', pctOfCore, why: `no level held, the first at N=${last.n}` };
    return { kind: 'capacity', pctOfCore, largestN, perCore: largestN / (pctOfCore / 100) };
  }
  return { kind: 'not-reached', pctOfCore, largestN, why: stoppedBy };
}

/** Capacity per core from the fractions that measured it: their median, and whether they agree (the largest at most 1.5x the smallest). */
export function capacityPerCore(results: readonly FractionResult[]): { perCore: number | null; agree: boolean | null; spread: number | null } {
  const per = results.flatMap((r) => (r.kind === 'capacity' ? [r.perCore] : [])).sort((a, b) => a - b);
  if (per.length === 0) return { perCore: null, agree: null, spread: null };
  const mid = Math.floor(per.length / 2);
  const median = per.length % 2 === 1 ? (per[mid] ?? 0) : ((per[mid - 1] ?? 0) + (per[mid] ?? 0)) / 2;
  const spread = (per.at(-1) ?? 0) / (per[0] ?? 1);
  return { perCore: median, agree: per.length < 2 ? null : spread <= 1.5, spread };
}

/** The machine's idle share from two readings of /proc/stat's first line ("cpu  user nice system idle iowait ..."). */
export function idleShare(before: string, after: string): number {
  const parse = (s: string): number[] => (s.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const a = parse(before);
  const b = parse(after);
  const total = b.reduce((s, v, i) => s + v - (a[i] ?? 0), 0);
  const idle = (b[3] ?? 0) - (a[3] ?? 0) + ((b[4] ?? 0) - (a[4] ?? 0));
  return total > 0 ? idle / total : 0;
}

/** Two cores must hold at least this many times the tests one core holds. */
export const BOTH_CORES_MIN_RATIO = 1.8;

/**
 * The both-cores check on a machine of 2 CPUs, where the client needs one of them: each core of
 * the server is a CPU cgroup of this % of a core (10 ms CFS period), one for `serve --workers 1`
 * (its whole tree), two for `serve --workers 2` (the HTTP process and the relay's plane in one,
 * the second plane in the other). 20 %: the capacity bench's largest cap, where one core held
 * 3-4 tests, so two hold a number the client can still drive.
 */
export const BOTH_CORES_CORE_PCT = 20;

/**
 * Two cores against one: the largest N held with two cores of `corePct` % each (the result of
 * `pctOfCore` 2 x corePct) over the largest with one (`corePct`), and whether it reaches
 * BOTH_CORES_MIN_RATIO. Null (not known) unless both measured a capacity.
 */
export function bothCores(results: readonly FractionResult[], corePct: number): { ratio: number | null; holds: boolean | null } {
  const at = (pct: number): number | null => {
    const r = results.find((x) => x.pctOfCore === pct);
    return r?.kind === 'capacity' ? r.largestN : null;
  };
  const one = at(corePct);
  const two = at(2 * corePct);
  if (one === null || two === null) return { ratio: null, holds: null };
  const ratio = two / one;
  return { ratio, holds: ratio >= BOTH_CORES_MIN_RATIO };
}
