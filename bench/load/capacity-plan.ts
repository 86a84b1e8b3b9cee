/**
 * The capacity bench's decisions, pure (./capacity.ts conducts): the ladder of concurrent tests,
 * what a level's result means (within tolerance, past the server's limit, or limited by the
 * client rather than the server), and the run's result: tests per core, what bounds it, and
 * whether the client did.
 */

/** The next number of concurrent tests after `n`: 1, 2, 3, 4, 6, 8, 11, 15, 21, 29, ... (about x1.4, at least +1). */
export function nextN(n: number): number {
  return Math.max(n + 1, Math.round(n * 1.4));
}

/** A client process at or above this share of its core is taken to limit the run (its one thread saturates first). */
const CLIENT_LIMIT_CORES = 0.8;
/** The client's core with less idle time than this share limits the run. */
const CLIENT_CORE_IDLE_MIN = 0.05;
/**
 * The client's event loop later than this at its p99 limits the run: an echo that waits for the
 * client's loop is read late, which is the client's jitter, not the server's. 5 ms: half a probe
 * interval; an idle client's timers already wake 1-2 ms late at the p99 here (a 1 ms timer's
 * granularity and the collector).
 */
const CLIENT_LOOP_LIMIT_MS = 5;

/** What the bench saw at one level. */
export interface LevelFacts {
  n: number;
  /** Tests outside bench:load's tolerance, each in words (refusals excluded). */
  failures: string[];
  /** Tests refused with server-busy before they measured. */
  refusedBusy: number;
  /** Of the failures, those that were the client's own missed pacing ticks. */
  clientTickFailures: number;
  /** The client process's CPU seconds per wall second while every test streamed. */
  clientCores: number;
  /** The client's pacing loop's lateness p99 while the tests streamed, ms. */
  clientLoopMsP99: number;
  /** The client's core's idle share over the level (from /proc/stat). */
  clientCoreIdle: number;
}

export type LevelOutcome =
  /** Every test within tolerance: the server held N. */
  | 'held'
  /** A test out of tolerance, or refused as busy, with the client not the limit: the server's limit. */
  | 'server-limit'
  /** The client ran out first: not the server's capacity. */
  | 'client-limited';

/** Whether the client limited a level: its thread or its core saturated, or its loop ran late. */
export function clientSaturated(f: Pick<LevelFacts, 'clientCores' | 'clientLoopMsP99' | 'clientCoreIdle'>): boolean {
  return f.clientCores >= CLIENT_LIMIT_CORES || f.clientCoreIdle < CLIENT_CORE_IDLE_MIN || f.clientLoopMsP99 > CLIENT_LOOP_LIMIT_MS;
}

/** What one level means. A failing level whose client was saturated, or whose failures were all the client's ticks, is the client's. */
export function levelOutcome(f: LevelFacts): LevelOutcome {
  if (f.failures.length === 0 && f.refusedBusy === 0) return 'held';
  const onlyTicks = f.failures.length > 0 && f.clientTickFailures === f.failures.length && f.refusedBusy === 0;
  return clientSaturated(f) || onlyTicks ? 'client-limited' : 'server-limit';
}

/** What bounds the capacity: the server's first failure at the level past the limit, or why the ladder stopped short of it. */
type BoundBy = 'refused server-busy' | 'round trip' | 'jitter' | 'loss' | 'tests failed' | 'client' | 'time' | 'max-n';

/** The kind of one tolerance failure (./load-kit.ts withinTolerance's words). */
function failureKind(words: string): BoundBy {
  if (words.startsWith('RTT p50') || words === 'no RTT') return 'round trip';
  if (words.startsWith('jitter')) return 'jitter';
  if (words.startsWith('loss')) return 'loss';
  if (words.includes('missed pacing ticks')) return 'client';
  return 'tests failed';
}

/** The run's result: tests per core (the server on one whole core), what bounds it, and whether the client did. */
export type LadderResult =
  | { kind: 'capacity'; testsPerCore: number; boundBy: BoundBy; clientBound: false }
  /** The one-test baseline itself was out of tolerance (or failed): nothing to compare a load with. */
  | { kind: 'too-busy'; why: string; boundBy: BoundBy; clientBound: false }
  /** The ladder stopped on the client, or ran out of time or N, before the server's limit: at least `largestN`, never published as capacity. */
  | { kind: 'not-reached'; largestN: number; boundBy: 'client' | 'time' | 'max-n'; clientBound: boolean };

/** The result from the levels in order, the last possibly failing; `stoppedBy` when the ladder ended on a held level. */
export function ladderResult(
  levels: ReadonlyArray<{ n: number; outcome: LevelOutcome; failures: readonly string[]; refusedBusy: number }>,
  stoppedBy: 'time' | 'max-n',
): LadderResult {
  const largestN = levels.filter((l) => l.outcome === 'held').reduce((m, l) => Math.max(m, l.n), 0);
  const last = levels.at(-1);
  if (last?.outcome === 'client-limited') return { kind: 'not-reached', largestN, boundBy: 'client', clientBound: true };
  if (last?.outcome === 'server-limit') {
    const first = last.failures[0];
    const boundBy: BoundBy = last.refusedBusy > 0 ? 'refused server-busy' : first === undefined ? 'tests failed' : failureKind(first);
    if (largestN === 0) return { kind: 'too-busy', why: `no level held, the first at N=${last.n}`, boundBy, clientBound: false };
    return { kind: 'capacity', testsPerCore: largestN, boundBy, clientBound: false };
  }
  return { kind: 'not-reached', largestN, boundBy: stoppedBy, clientBound: false };
}

/** One CPU's idle share from two readings of /proc/stat: the line of `cpu` ("cpu" all of them, "cpu1" one; user nice system idle iowait ...). */
export function idleShare(before: string, after: string, cpu = 'cpu'): number {
  const parse = (s: string): number[] => (s.split('\n').find((l) => l.startsWith(`${cpu} `)) ?? '').trim().split(/\s+/).slice(1).map(Number);
  const a = parse(before);
  const b = parse(after);
  const total = b.reduce((s, v, i) => s + v - (a[i] ?? 0), 0);
  const idle = (b[3] ?? 0) - (a[3] ?? 0) + ((b[4] ?? 0) - (a[4] ?? 0));
  return total > 0 ? idle / total : 0;
}

/** The rate of a cumulative CPU counter over [fromMs, toMs] from timed samples: the first and last sample inside the span; null with fewer than two. */
export function rateWithin(samples: ReadonlyArray<{ atMs: number; cpuS: number }>, fromMs: number, toMs: number): number | null {
  const inside = samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
  const a = inside[0];
  const b = inside.at(-1);
  if (!a || !b || b.atMs <= a.atMs) return null;
  return (b.cpuS - a.cpuS) / ((b.atMs - a.atMs) / 1000);
}
