/**
 * The cost of a test to the server, measured the same way by every bench: the CPU seconds of
 * `callprobe serve` and every process it starts (its process tree from /proc: the HTTP process,
 * the data plane, anything else it forks; threads included, and the children it already reaped),
 * over the run, less the tree's idle rate over the same time, per full test.
 *
 * Reading /proc is here; the arithmetic (`costPerTest`, `statTicks`) is pure and tested against
 * hand-computed figures (test/bench/test-cost.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as pause } from 'node:timers/promises';
import { median } from './median.js';
import { processTree } from './process.js';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on every architecture Node runs on here. */
const TICKS_PER_S = 100;

/**
 * A process's CPU ticks from the text of /proc/<pid>/stat: utime + stime (its threads) + cutime +
 * cstime (children it waited for; proc(5) fields 14-17). The command name may hold spaces and
 * parentheses: the fields are read after its last ')'.
 */
export function statTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name, fields start at proc(5)'s field 3 (state): utime is field 14, index 11.
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
}

/** A reading of a process tree: its CPU seconds so far, its resident memory, on the monotonic clock. */
export interface TreeReading {
  cpuS: number;
  rssMiB: number;
  atMs: number;
  /** The processes read (serve and its children). */
  pids: number[];
}

/** The CPU seconds and resident memory of `pid` and every process below it, now. A process that exits meanwhile counts as 0. */
export function readTree(pid: number): TreeReading {
  let ticks = 0;
  let rssKb = 0;
  const pids = processTree(pid);
  for (const p of pids) {
    try {
      ticks += statTicks(readFileSync(`/proc/${p}/stat`, 'utf8'));
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // exited between the listing and the read: its time is its parent's once reaped
    }
  }
  return { cpuS: ticks / TICKS_PER_S, rssMiB: rssKb / 1024, atMs: performance.now(), pids };
}

/**
 * One process's CPU seconds to the nanosecond: the sum over its live threads of the time each
 * spent on a CPU (/proc/<pid>/task/<tid>/schedstat, first field, ns). For a process whose cost
 * per test is under /proc/<pid>/stat's 10 ms tick (the benches' floors); threads that already
 * exited are not counted.
 */
export function readProcessNs(pid: number): TreeReading {
  const ns = readThreads(pid)
    .filter((t) => t.pid === pid)
    .reduce((sum, t) => sum + t.ns, 0);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuS: ns / 1e9, rssMiB: rssKb / 1024, atMs: performance.now(), pids: [pid] };
}

/**
 * A process tree's CPU seconds to the nanosecond: the sum over every live thread of `pid` and the
 * processes below it (schedstat, as readProcessNs). Threads that exited are not counted, so it is
 * for an idle tree's rate (no thread ends while it does nothing); a test's own CPU is read with
 * readTree, which keeps what exited threads used.
 */
export function readTreeNs(pid: number): TreeReading {
  const threads = readThreads(pid);
  const ns = threads.reduce((sum, t) => sum + t.ns, 0);
  const pids = [...new Set(threads.map((t) => t.pid))];
  let rssKb = 0;
  for (const p of pids) {
    try {
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // exited between the reading of its threads and this one: its memory is gone with it
    }
  }
  return { cpuS: ns / 1e9, rssMiB: rssKb / 1024, atMs: performance.now(), pids };
}

/** The nanoseconds on a CPU in the text of a schedstat file ("<on cpu ns> <waiting ns> <timeslices>"). */
export function schedstatNs(text: string): number {
  const m = /^(\d+)\s/.exec(text.trim() + ' ');
  if (m === null) throw new Error(`not a schedstat line: ${JSON.stringify(text)}`);
  return Number(m[1]);
}

/**
 * The tree's idle CPU rate (CPU seconds per second) over `seconds` of doing nothing, and its idle
 * memory: read over `windows` equal windows, the median of their rates (windowedRate).
 */
export async function idleRate(
  pid: number,
  seconds: number,
  read: (pid: number) => TreeReading = readTree,
  windows = 1,
): Promise<{ cpuSPerS: number; rssMiB: number; windowsCpuSPerS: number[] }> {
  const readings = [read(pid)];
  for (let i = 0; i < windows; i++) {
    await pause((seconds * 1000) / windows);
    readings.push(read(pid));
  }
  return { ...windowedRate(readings), rssMiB: (readings[readings.length - 1] as TreeReading).rssMiB };
}

/**
 * The rate of each window between consecutive `readings` (at least two), and their median
 * (nearest rank, ./median.ts): over three windows, one window's burst (start-up's last work, a
 * collection, another process's) is not taken for the idle rate, as it would be in their mean.
 * Example: 0.3, 0.9 and 0.3 CPU-s over three 1 s windows: 0.3 CPU-s/s, where the mean is 0.5.
 */
export function windowedRate(readings: readonly TreeReading[]): { cpuSPerS: number; windowsCpuSPerS: number[] } {
  const windowsCpuSPerS = readings.slice(1).map((b, i) => cpuRate(readings[i] as TreeReading, b));
  const mid = median(windowsCpuSPerS);
  if (mid === null) throw new RangeError('a rate needs at least two readings');
  return { cpuSPerS: mid, windowsCpuSPerS };
}

/** CPU seconds per wall second between two readings. */
export function cpuRate(a: TreeReading, b: TreeReading): number {
  const wallS = (b.atMs - a.atMs) / 1000;
  return wallS > 0 ? (b.cpuS - a.cpuS) / wallS : 0;
}

/**
 * CPU seconds per full test: the tree's CPU between `before` and `after`, less `idleCpuSPerS`
 * over the same wall time, over `tests` tests that ran to their end in it. Null without a test.
 * Example: 4.0 CPU-s over 20 s at an idle 0.01 CPU-s/s for 8 tests: (4.0 - 0.2) / 8 = 0.475.
 */
export function costPerTest(before: TreeReading, after: TreeReading, idleCpuSPerS: number, tests: number): number | null {
  if (tests <= 0) return null;
  const wallS = (after.atMs - before.atMs) / 1000;
  return (after.cpuS - before.cpuS - idleCpuSPerS * wallS) / tests;
}

/** This process's own CPU seconds so far (user + system, every thread: a load client's native WebRTC threads included). */
export function ownCpuS(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** One thread's time on a CPU so far (schedstat, ns), with its process and name. */
export interface ThreadReading {
  pid: number;
  tid: number;
  /** The thread's name (/proc/<pid>/task/<tid>/comm). */
  comm: string;
  ns: number;
}

/** Every thread of `pid`'s process tree now; a thread or process that exits meanwhile is left out. */
export function readThreads(pid: number): ThreadReading[] {
  const out: ThreadReading[] = [];
  for (const p of processTree(pid)) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      continue; // exited
    }
    for (const t of tids) {
      try {
        const comm = readFileSync(`/proc/${p}/task/${t}/comm`, 'utf8').trim();
        out.push({ pid: p, tid: Number(t), comm, ns: schedstatNs(readFileSync(`/proc/${p}/task/${t}/schedstat`, 'utf8')) });
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  return out;
}

/**
 * Where a process tree's CPU went between two readings of its threads, in ms of CPU a second of
 * `wallS`, by group, largest first: `<root>`'s main thread is "HTTP process", another process's
 * main thread "data plane, main thread", a thread named `node` beside it "… Node's helper threads"
 * (V8's compiler and collector, libuv's pool), any other thread by its own name (@roamhq/wrtc
 * names its threads). A thread that started in between counts from zero; one that ended is lost.
 */
export function threadShares(
  root: number,
  before: readonly ThreadReading[],
  after: readonly ThreadReading[],
  wallS: number,
): [group: string, msPerS: number][] {
  const was = new Map(before.map((t) => [t.tid, t.ns]));
  const groups = new Map<string, number>();
  for (const t of after) {
    const key = threadGroup(root, t);
    groups.set(key, (groups.get(key) ?? 0) + (t.ns - (was.get(t.tid) ?? 0)));
  }
  return [...groups].map(([g, ns]): [string, number] => [g, wallS > 0 ? ns / 1e6 / wallS : 0]).sort((a, b) => b[1] - a[1]);
}

/** The group a thread of `root`'s tree counts in (threadShares' groups). */
function threadGroup(root: number, t: ThreadReading): string {
  const where = t.pid === root ? 'HTTP process' : 'data plane';
  const what = t.tid === t.pid ? 'main thread' : t.comm === 'node' ? "Node's helper threads" : `${t.comm.replace(/[-_ ]?\d+$/, '')} threads`;
  return `${where}, ${what}`;
}

/**
 * Every thread's CPU over a span, kept when the thread ends (a reading of the tree forgets an
 * ended thread, and wrtc's threads end with its factory, after a test): read the tree often
 * (`see`), and each thread counts from its first reading (0 for one that started after the
 * span's first reading) to its last. A thread that started and ended between two readings is
 * not seen: compare the sum with the tree's own CPU (readTree, which keeps ended threads').
 */
export class ThreadLedger {
  private readonly from = new Map<number, number>();
  private readonly latest = new Map<number, { group: string; ns: number }>();

  constructor(
    private readonly root: number,
    start: readonly ThreadReading[],
  ) {
    for (const t of start) this.from.set(t.tid, t.ns);
    this.see(start);
  }

  see(threads: readonly ThreadReading[]): void {
    for (const t of threads) {
      if (!this.from.has(t.tid)) this.from.set(t.tid, 0);
      this.latest.set(t.tid, { group: threadGroup(this.root, t), ns: t.ns });
    }
  }

  /** CPU seconds of each group over the span, largest first. */
  cpuSByGroup(): [group: string, cpuS: number][] {
    const groups = new Map<string, number>();
    for (const [tid, { group, ns }] of this.latest) groups.set(group, (groups.get(group) ?? 0) + (ns - (this.from.get(tid) ?? 0)) / 1e9);
    return [...groups].sort((a, b) => b[1] - a[1]);
  }
}
