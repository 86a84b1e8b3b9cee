/**
 * The CPU cap (bench/lib/cpu-cap.ts): the quota arithmetic, the files each cgroup version
 * writes, the mount it finds, the wrapper script and cpu.stat, on hand-written fixtures; and one
 * real cgroup made and removed where this machine allows it (root and a cpu controller), with
 * no timing asserted. The hogs (bench/lib/cpu-hogs.ts) end by themselves.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CAP_PERIOD_US,
  capRequired,
  capWrites,
  cpuHierarchy,
  cpuQuota,
  createCpuCap,
  CpuCapError,
  findCpuMount,
  parseCpuStat,
  wrapperScript,
} from '../../../bench/lib/cpu-cap.js';
import { hogProgram, startCpuHogs } from '../../../bench/lib/cpu-hogs.js';

describe('cpuQuota: % of one core as CPU time per period', () => {
  it('takes pct % of a 10 ms period', () => {
    expect(CAP_PERIOD_US).toBe(10_000);
    expect(cpuQuota(20)).toEqual({ periodUs: 10_000, quotaUs: 2_000 });
    expect(cpuQuota(35)).toEqual({ periodUs: 10_000, quotaUs: 3_500 });
    // The smallest cap at 10 ms: the kernel's 1 ms minimum quota.
    expect(cpuQuota(10)).toEqual({ periodUs: 10_000, quotaUs: 1_000 });
    // Two cores' worth: the quota exceeds the period.
    expect(cpuQuota(200)).toEqual({ periodUs: 10_000, quotaUs: 20_000 });
    expect(cpuQuota(5, 100_000)).toEqual({ periodUs: 100_000, quotaUs: 5_000 });
  });

  it('refuses what the kernel refuses: a quota below 1 ms, a period out of range, no cap at all', () => {
    for (const [pct, period] of [
      [9, 10_000],
      [0, 10_000],
      [-5, 10_000],
      [Number.NaN, 10_000],
      [20, 999],
      [20, 1_000_001],
    ] as const) {
      expect(() => cpuQuota(pct, period), `${pct} % of ${period}`).toThrow(CpuCapError);
    }
    try {
      cpuQuota(5);
    } catch (err) {
      expect((err as CpuCapError).reason).toBe('bad-cap');
      expect((err as Error).message).toContain('500 µs');
    }
  });
});

describe('capWrites: the files that set the cap', () => {
  it('v1: the period first, then the quota', () => {
    expect(capWrites('v1', { periodUs: 10_000, quotaUs: 2_000 })).toEqual([
      { file: 'cpu.cfs_period_us', text: '10000' },
      { file: 'cpu.cfs_quota_us', text: '2000' },
    ]);
  });

  it('v2: cpu.max, "quota period" in one write', () => {
    expect(capWrites('v2', { periodUs: 10_000, quotaUs: 3_500 })).toEqual([{ file: 'cpu.max', text: '3500 10000' }]);
  });
});

const MOUNTS_V1 = [
  'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0',
  'cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0',
  'cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0',
  'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0',
].join('\n');
const MOUNTS_V2 = ['proc /proc proc rw 0 0', 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0'].join('\n');

describe('findCpuMount and cpuHierarchy: where the cpu controller is', () => {
  it('v1: the cgroup mount whose options hold cpu (not cpuacct), before any cgroup2', () => {
    expect(findCpuMount(MOUNTS_V1, () => 'cpu memory')).toEqual({ version: 'v1', root: '/sys/fs/cgroup/cpu' });
    // A combined cpu,cpuacct hierarchy, as many distributions mount it.
    expect(findCpuMount('cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0', () => null)).toEqual({
      version: 'v1',
      root: '/sys/fs/cgroup/cpu,cpuacct',
    });
  });

  it('v2: only where cgroup.subtree_control enables cpu for the children', () => {
    expect(findCpuMount(MOUNTS_V2, () => 'cpuset cpu io memory pids\n')).toEqual({ version: 'v2', root: '/sys/fs/cgroup' });
    expect(findCpuMount(MOUNTS_V2, () => 'memory pids\n')).toBeNull();
    // This machine's unified hierarchy: no controllers (cpu is on v1).
    expect(
      findCpuMount(
        MOUNTS_V1.split('\n')
          .filter((l) => !l.includes('/cpu '))
          .join('\n'),
        () => '',
      ),
    ).toBeNull();
    // Inside `ip netns exec`: sysfs mounted again, nothing under /sys/fs/cgroup.
    expect(findCpuMount('sysfs /sys sysfs rw 0 0', () => null)).toBeNull();
  });

  it('/proc/cgroups: a hierarchy above 0 is v1, 0 is v2, disabled is none', () => {
    const table = (line: string): string => `#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpuset\t3\t1\t1\n${line}\ncpuacct\t2\t1\t1\n`;
    expect(cpuHierarchy(table('cpu\t1\t2\t1'))).toBe('v1');
    expect(cpuHierarchy(table('cpu\t0\t80\t1'))).toBe('v2');
    expect(cpuHierarchy(table('cpu\t0\t1\t0'))).toBeNull();
    expect(cpuHierarchy('#subsys_name\thierarchy\tnum_cgroups\tenabled\n')).toBeNull();
  });
});

describe('wrapperScript, parseCpuStat, capRequired', () => {
  it('the wrapper joins the cgroup, then becomes the executable with its arguments', () => {
    expect(wrapperScript('/sys/fs/cgroup/cpu/cp20/cgroup.procs', '/usr/bin/chromium')).toBe(
      "#!/bin/sh\necho $$ > '/sys/fs/cgroup/cpu/cp20/cgroup.procs' || exit 125\nexec '/usr/bin/chromium' \"$@\"\n",
    );
    expect(wrapperScript('/tmp/a b/cgroup.procs', "/opt/it's/chrome")).toContain(`exec '/opt/it'\\''s/chrome' "$@"`);
  });

  it('cpu.stat: v1 throttled_time in ns, v2 throttled_usec and usage_usec in µs', () => {
    expect(parseCpuStat('v1', 'nr_periods 1500\nnr_throttled 1200\nthrottled_time 9000000000\nnr_bursts 0\nburst_time 0\n')).toEqual({
      periods: 1500,
      throttledPeriods: 1200,
      throttledMs: 9000,
      usageMs: null,
    });
    expect(parseCpuStat('v2', 'usage_usec 300000\nuser_usec 250000\nsystem_usec 50000\nnr_periods 1500\nnr_throttled 1200\nthrottled_usec 9000000\n')).toEqual({
      periods: 1500,
      throttledPeriods: 1200,
      throttledMs: 9000,
      usageMs: 300,
    });
  });

  it('a cap that cannot be made fails the run with CI or CALLPROBE_REQUIRE_ALL set', () => {
    expect(capRequired({})).toBe(false);
    expect(capRequired({ CI: 'true' })).toBe(true);
    expect(capRequired({ CALLPROBE_REQUIRE_ALL: '1' })).toBe(true);
    for (const off of ['', '0', 'false']) expect(capRequired({ CI: off }), `"${off}"`).toBe(false);
  });
});

describe('createCpuCap on this machine: a real cgroup made and removed', () => {
  it('caps a wrapped command, counts its periods, and leaves nothing behind; or says why it cannot here', async () => {
    const r = createCpuCap({ name: `callprobe-test-${process.pid}`, pctOfCore: 20, env: {} });
    if (!r.ok) {
      // Not root, or no cpu controller: a typed reason, never a throw (CI is not set here).
      expect(['not-root', 'no-cpu-controller', 'not-writable']).toContain(r.reason);
      return;
    }
    const { cap } = r;
    try {
      if (cap.version === 'v1') {
        expect(readFileSync(`${cap.dir}/cpu.cfs_period_us`, 'utf8').trim()).toBe('10000');
        expect(readFileSync(`${cap.dir}/cpu.cfs_quota_us`, 'utf8').trim()).toBe('2000');
      } else {
        expect(readFileSync(`${cap.dir}/cpu.max`, 'utf8').trim()).toBe('2000 10000');
      }
      // The wrapper runs the command inside the cgroup: it reads its own cgroup membership.
      const inside = execFileSync(cap.wrap('/bin/cat'), ['/proc/self/cgroup'], { encoding: 'utf8' });
      expect(inside).toContain(cap.dir.split('/').pop());
      expect(cap.usage().periods).toBeGreaterThanOrEqual(0);
    } finally {
      await cap.remove();
    }
    expect(existsSync(cap.dir)).toBe(false);
  });
});

describe('startCpuHogs: bounded CPU-bound processes', () => {
  it('the program spins until its end and exits 0', () => {
    expect(hogProgram(1500)).toContain('Date.now() + 1500');
    expect(() => execFileSync(process.execPath, ['-e', hogProgram(0)])).not.toThrow();
  });

  it('starts one per count, each ending by itself', async () => {
    const hogs = startCpuHogs(2, { maxMs: 100 });
    expect(hogs.pids).toHaveLength(2);
    await hogs.stop();
  });
});
