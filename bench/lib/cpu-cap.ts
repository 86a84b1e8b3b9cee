/**
 * A busy device as a seeded, repeatable impairment: a CPU cap on the processes of one cgroup,
 * through the kernel's CFS bandwidth control (Documentation/scheduler/sched-bwc.rst). A capped
 * cgroup may run `quota` µs of CPU time in every `period` µs; once it has used them, every task
 * in it waits for the next period. The period is set explicitly to 10 ms: at the kernel's
 * default of 100 ms, a 10 % cap alone stalls the browser for 90 ms at a time, which is a
 * different impairment (one long stall a period) from a slow device.
 *
 * - cgroup v1, the `cpu` controller: `cpu.cfs_period_us` first, then `cpu.cfs_quota_us`
 *   (Documentation/admin-guide/cgroup-v1/, sched-bwc.rst "Management").
 * - cgroup v2: `cpu.max`, "$MAX $PERIOD" in one write (Documentation/admin-guide/cgroup-v2.rst, "CPU").
 *
 * `createCpuCap` makes the cgroup, `wrap(executable)` a script that joins it and then execs the
 * executable (so `callprobe run --browser <wrapper>` caps only the browser and its children),
 * `remove()` takes it all away. Where the cgroup cannot be written here (not root, no cpu
 * controller), it skips with a typed reason; with CI or CALLPROBE_REQUIRE_ALL set it throws
 * instead (the rule of test/kit/requires.ts: a check skipped for a missing tool did not run).
 *
 * `ip netns exec` (scripts/netns-run.sh) mounts a fresh sysfs on /sys, which hides
 * /sys/fs/cgroup: there the cpu hierarchy is mounted again on a temporary directory, inside the
 * namespace's own mount namespace, and unmounted by `remove()`.
 *
 * The pure parts (the quota, the files to write, the mount found, the wrapper's text, cpu.stat)
 * are exported for the tests; the rest only writes what they planned.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { TypedError } from '../../src/protocol/typed-error.js';

/** The CFS period every cap uses, µs: 10 ms (the kernel's default is 100 ms). */
export const CAP_PERIOD_US = 10_000;
/** The kernel's smallest quota and period, µs (sched-bwc.rst: "The minimum quota allowed ... is 1ms"). */
const MIN_QUOTA_US = 1_000;
/** The kernel's largest period, µs (1 s). */
const MAX_PERIOD_US = 1_000_000;

export type CgroupVersion = 'v1' | 'v2';

type CpuCapSkipReason =
  /** Writing cgroups needs root. */
  | 'not-root'
  /** No cpu controller in any cgroup hierarchy here (none mounted, none mountable). */
  | 'no-cpu-controller'
  /** The cgroup could not be made or its files written. */
  | 'not-writable';

export type CpuCapErrorReason =
  | CpuCapSkipReason
  /** A cap the kernel refuses: below 1 ms of a 10 ms period (10 % of a core), or not a number. */
  | 'bad-cap';

/** Every failure of this helper: why, in words and as a reason. */
export class CpuCapError extends TypedError<CpuCapErrorReason> {
  override readonly name = 'CpuCapError';
}

/** A period and the CPU time allowed in it, µs. */
export interface CpuQuota {
  periodUs: number;
  quotaUs: number;
}

/**
 * `pctOfCore` % of one core as a quota of `periodUs`: 20 % of a 10 ms period is 2 ms. Above
 * 100 % the quota exceeds the period (200 % = two cores' worth). Throws 'bad-cap' below the
 * kernel's 1 ms minimum quota or for a period it refuses.
 */
export function cpuQuota(pctOfCore: number, periodUs: number = CAP_PERIOD_US): CpuQuota {
  if (!Number.isInteger(periodUs) || periodUs < MIN_QUOTA_US || periodUs > MAX_PERIOD_US) {
    throw new CpuCapError('bad-cap', `a CFS period of ${periodUs} µs is outside the kernel's ${MIN_QUOTA_US}-${MAX_PERIOD_US} µs`);
  }
  if (!Number.isFinite(pctOfCore) || pctOfCore <= 0) throw new CpuCapError('bad-cap', `a cap of ${pctOfCore} % of a core is not a cap`);
  const quotaUs = Math.round((periodUs * pctOfCore) / 100);
  if (quotaUs < MIN_QUOTA_US) {
    throw new CpuCapError(
      'bad-cap',
      `${pctOfCore} % of a ${periodUs} µs period is ${quotaUs} µs, below the kernel's minimum quota of ${MIN_QUOTA_US} µs (use a longer period)`,
    );
  }
  return { periodUs, quotaUs };
}

/** One write into a cgroup's directory: `text` into `file`, in the order given. */
export interface CgroupWrite {
  file: string;
  text: string;
}

/**
 * The files that set the cap, in order. v1: the period first (with the new cgroup's quota
 * still unlimited every period is accepted; the quota then applies to it), then the quota.
 * v2: `cpu.max` holds both.
 */
export function capWrites(version: CgroupVersion, q: CpuQuota): CgroupWrite[] {
  if (version === 'v1') {
    return [
      { file: 'cpu.cfs_period_us', text: String(q.periodUs) },
      { file: 'cpu.cfs_quota_us', text: String(q.quotaUs) },
    ];
  }
  return [{ file: 'cpu.max', text: `${q.quotaUs} ${q.periodUs}` }];
}

/** Where the cpu controller is: a v1 hierarchy with `cpu` among its options, or v2 with `cpu` enabled for children. */
export interface CpuMount {
  version: CgroupVersion;
  /** The hierarchy's root directory. */
  root: string;
}

/**
 * The cpu controller's mount from /proc/self/mounts: a `cgroup` mount whose options hold
 * `cpu` (v1, preferred: a controller is in one version only), else a `cgroup2` mount whose
 * `cgroup.subtree_control` (read through `subtreeControl`) enables `cpu` for its children.
 */
export function findCpuMount(mounts: string, subtreeControl: (root: string) => string | null): CpuMount | null {
  const entries = mounts
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map(([, dir = '', type = '', opts = '']) => ({ dir: dir.replace(/\\040/g, ' '), type, opts: opts.split(',') }));
  const v1 = entries.find((e) => e.type === 'cgroup' && e.opts.includes('cpu'));
  if (v1) return { version: 'v1', root: v1.dir };
  for (const e of entries.filter((x) => x.type === 'cgroup2')) {
    if ((subtreeControl(e.dir) ?? '').split(/\s+/).includes('cpu')) return { version: 'v2', root: e.dir };
  }
  return null;
}

/**
 * Which version holds the cpu controller, from /proc/cgroups: a v1 hierarchy number above 0,
 * or 0 (it is on the v2 hierarchy, or unused); null when the kernel has no enabled cpu controller.
 */
export function cpuHierarchy(procCgroups: string): CgroupVersion | null {
  for (const line of procCgroups.split('\n')) {
    const [name, hierarchy, , enabled] = line.trim().split(/\s+/);
    if (name !== 'cpu') continue;
    if (enabled !== '1') return null;
    return Number(hierarchy) > 0 ? 'v1' : 'v2';
  }
  return null;
}

/** A POSIX shell word: single-quoted, each ' closed, escaped and reopened. */
const shellWord = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A script that moves itself into the cgroup (its `cgroup.procs`) and becomes `executable` with its arguments. */
export function wrapperScript(procsFile: string, executable: string): string {
  return ['#!/bin/sh', `echo $$ > ${shellWord(procsFile)} || exit 125`, `exec ${shellWord(executable)} "$@"`, ''].join('\n');
}

/** CFS throttling counters (v1 and v2 cpu.stat): how often the cap held the cgroup back, and for how long. */
export interface CpuCapUsage {
  periods: number;
  throttledPeriods: number;
  throttledMs: number;
  /** CPU time used, ms: v2 only (v1 keeps it in the cpuacct controller). */
  usageMs: number | null;
}

/** cpu.stat: v1 `nr_periods`, `nr_throttled`, `throttled_time` (ns); v2 the same counts, `throttled_usec`, `usage_usec`. */
export function parseCpuStat(version: CgroupVersion, text: string): CpuCapUsage {
  const v = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, n] = line.trim().split(/\s+/);
    if (k && n !== undefined) v.set(k, Number(n));
  }
  return {
    periods: v.get('nr_periods') ?? 0,
    throttledPeriods: v.get('nr_throttled') ?? 0,
    throttledMs: version === 'v1' ? (v.get('throttled_time') ?? 0) / 1e6 : (v.get('throttled_usec') ?? 0) / 1e3,
    usageMs: version === 'v2' && v.has('usage_usec') ? (v.get('usage_usec') ?? 0) / 1e3 : null,
  };
}

/** Whether a failure to cap must fail the run: CI or CALLPROBE_REQUIRE_ALL set (and not "0" or "false"), as test/kit/requires.ts. */
export function capRequired(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const set = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
  return set(env['CALLPROBE_REQUIRE_ALL']) || set(env['CI']);
}

export interface CpuCap {
  readonly version: CgroupVersion;
  /** The cgroup's directory. */
  readonly dir: string;
  readonly quota: CpuQuota;
  /** A script that joins the cgroup and then execs `executable` with its arguments; removed by remove(). */
  wrap(executable: string): string;
  /** Moves a running process (all its threads) into the cgroup. */
  addPid(pid: number): void;
  /** The throttling counters so far. */
  usage(): CpuCapUsage;
  /** Moves what is left back to the hierarchy's root, removes the cgroup, the wrappers and a mount of its own. */
  remove(): Promise<void>;
}

export type CpuCapResult = { ok: true; cap: CpuCap } | { ok: false; reason: CpuCapSkipReason; detail: string };

export interface CpuCapOptions {
  /** The cgroup's name under the hierarchy's root (letters, digits, - and _). */
  name: string;
  /** The cap in % of one core: 20 = 2 ms of every 10 ms period. */
  pctOfCore: number;
  periodUs?: number;
  env?: Readonly<Record<string, string | undefined>>;
}

const readOrNull = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** The cpu controller here, mounting it on a temporary directory when /sys/fs/cgroup is hidden (a netns). */
function locate(): { mount: CpuMount; ownMount: string | null } | { reason: CpuCapSkipReason; detail: string } {
  const found = findCpuMount(readOrNull('/proc/self/mounts') ?? '', (root) => readOrNull(join(root, 'cgroup.subtree_control')));
  if (found) return { mount: found, ownMount: null };
  const version = cpuHierarchy(readOrNull('/proc/cgroups') ?? '');
  if (version === null) return { reason: 'no-cpu-controller', detail: 'the kernel lists no enabled cpu controller in /proc/cgroups' };
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-cpu-'));
  try {
    if (version === 'v1') execFileSync('mount', ['-t', 'cgroup', '-o', 'cpu', 'cgroup', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    else execFileSync('mount', ['-t', 'cgroup2', 'cgroup2', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    rmdirSync(dir);
    return {
      reason: 'no-cpu-controller',
      detail: `no cpu controller mounted, and mounting the ${version} hierarchy failed: ${(err as Error).message.split('\n')[0]}`,
    };
  }
  if (version === 'v2' && !(readOrNull(join(dir, 'cgroup.subtree_control')) ?? '').split(/\s+/).includes('cpu')) {
    execFileSync('umount', [dir]);
    rmdirSync(dir);
    return { reason: 'no-cpu-controller', detail: "cgroup v2 does not enable cpu for its children (add it to the root's cgroup.subtree_control)" };
  }
  return { mount: { version, root: dir }, ownMount: dir };
}

/**
 * Makes the cgroup `name` with the cap, or says why it cannot here. In CI (capRequired) a
 * cgroup that cannot be made throws CpuCapError instead of skipping; a bad cap always throws.
 */
export function createCpuCap(o: CpuCapOptions): CpuCapResult {
  const quota = cpuQuota(o.pctOfCore, o.periodUs);
  if (!/^[A-Za-z0-9_-]+$/.test(o.name)) throw new CpuCapError('bad-cap', `cgroup name ${JSON.stringify(o.name)}: letters, digits, - and _ only`);
  const skip = (reason: CpuCapSkipReason, detail: string): CpuCapResult => {
    if (capRequired(o.env)) throw new CpuCapError(reason, `cannot cap the CPU here (${detail}); this run requires it (CI or CALLPROBE_REQUIRE_ALL)`);
    return { ok: false, reason, detail };
  };
  if (process.getuid?.() !== 0) return skip('not-root', 'writing cgroups needs root');
  const where = locate();
  if ('reason' in where) return skip(where.reason, where.detail);
  const { mount, ownMount } = where;
  const dir = join(mount.root, o.name);
  const unmount = (): void => {
    if (ownMount === null) return;
    execFileSync('umount', [ownMount]);
    rmdirSync(ownMount);
  };
  try {
    if (!existsSync(dir)) mkdirSync(dir);
    for (const w of capWrites(mount.version, quota)) writeFileSync(join(dir, w.file), w.text);
  } catch (err) {
    try {
      if (existsSync(dir)) rmdirSync(dir);
    } finally {
      unmount();
    }
    return skip('not-writable', `${dir}: ${(err as Error).message.split('\n')[0]}`);
  }
  const procs = join(dir, 'cgroup.procs');
  const wrappers = mkdtempSync(join(tmpdir(), 'callprobe-cpu-wrap-'));
  let wrapped = 0;
  const cap: CpuCap = {
    version: mount.version,
    dir,
    quota,
    wrap(executable) {
      const file = join(wrappers, `wrap-${wrapped++}.sh`);
      writeFileSync(file, wrapperScript(procs, executable));
      chmodSync(file, 0o755);
      return file;
    },
    addPid(pid) {
      writeFileSync(procs, String(pid));
    },
    usage() {
      return parseCpuStat(mount.version, readFileSync(join(dir, 'cpu.stat'), 'utf8'));
    },
    async remove() {
      rmSync(wrappers, { recursive: true, force: true });
      // A process left inside (a browser still exiting) keeps the cgroup busy: move it out first.
      for (let attempt = 0; ; attempt++) {
        for (const pid of (readOrNull(procs) ?? '').split('\n').filter((p) => p !== '')) {
          try {
            writeFileSync(join(mount.root, 'cgroup.procs'), pid);
          } catch {
            // It exited meanwhile.
          }
        }
        try {
          rmdirSync(dir);
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || attempt >= 20) throw err;
          await pause(50);
        }
      }
      unmount();
    },
  };
  return { ok: true, cap };
}
