/** The cost of a test (bench/lib/test-cost.ts): /proc/<pid>/stat's CPU fields and the per-test arithmetic, against hand-computed figures. */
import { describe, expect, it } from 'vitest';
import {
  costPerTest,
  cpuRate,
  readTreeNs,
  schedstatNs,
  statTicks,
  ThreadLedger,
  threadShares,
  type ThreadReading,
  type TreeReading,
  windowedRate,
} from '../../../bench/lib/test-cost.js';

const reading = (cpuS: number, atMs: number): TreeReading => ({ cpuS, rssMiB: 0, atMs, pids: [] });

describe('statTicks', () => {
  it('adds utime, stime, cutime and cstime (proc(5) fields 14-17), reading after the last ")" of the name', () => {
    // A name with a space and a ')' in it; fields 3..17 then: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime.
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 900 0 0 0 1234 56 7 8 20 0 11 0';
    expect(statTicks(stat)).toBe(1234 + 56 + 7 + 8);
  });
});

describe('schedstatNs', () => {
  it('reads the first field of a schedstat line, nanoseconds on a CPU', () => {
    expect(schedstatNs('253185184 63585475 1159\n')).toBe(253_185_184);
    expect(() => schedstatNs('')).toThrow(/not a schedstat line/);
  });
});

describe('readTreeNs', () => {
  it("counts this process's own work to the nanosecond: 50 ms of CPU spent between two readings shows as at least that", () => {
    const before = readTreeNs(process.pid);
    const start = process.cpuUsage();
    let spin = 0;
    while (process.cpuUsage(start).user < 50_000) spin++; // until this process has run 50 ms more in user mode
    const after = readTreeNs(process.pid);
    expect(spin).toBeGreaterThan(0);
    expect(after.pids).toContain(process.pid);
    expect(after.cpuS - before.cpuS).toBeGreaterThanOrEqual(0.05);
    expect(after.rssMiB).toBeGreaterThan(0);
  });
});

describe('costPerTest', () => {
  it('takes the idle rate over the same time off, per test', () => {
    // 4.0 CPU-s over 20 s at an idle 0.01 CPU-s/s for 8 tests: (4.0 - 0.2) / 8 = 0.475.
    expect(costPerTest(reading(10, 1_000), reading(14, 21_000), 0.01, 8)).toBeCloseTo(0.475, 12);
    expect(costPerTest(reading(10, 1_000), reading(14, 21_000), 0.01, 0)).toBeNull();
  });

  it('gives the rate of CPU seconds per wall second between two readings', () => {
    expect(cpuRate(reading(1, 0), reading(1.5, 2_000))).toBeCloseTo(0.25, 12);
    expect(cpuRate(reading(1, 5), reading(2, 5))).toBe(0);
  });
});

describe('windowedRate', () => {
  it("takes the median window's rate, so one window's burst is not the idle rate", () => {
    // 0.3, 0.9 and 0.3 CPU-s over three 1 s windows: 0.3 CPU-s/s (the mean would be 0.5).
    const r = windowedRate([reading(10, 0), reading(10.3, 1_000), reading(11.2, 2_000), reading(11.5, 3_000)]);
    expect(r.cpuSPerS).toBeCloseTo(0.3, 12);
    expect(r.windowsCpuSPerS.map((v) => Number(v.toFixed(12)))).toEqual([0.3, 0.9, 0.3]);
    // One window: its own rate; two: the lower (nearest rank).
    expect(windowedRate([reading(1, 0), reading(1.5, 2_000)]).cpuSPerS).toBeCloseTo(0.25, 12);
    expect(windowedRate([reading(0, 0), reading(0.2, 1_000), reading(0.8, 2_000)]).cpuSPerS).toBeCloseTo(0.2, 12);
  });

  it('refuses a single reading', () => {
    expect(() => windowedRate([reading(1, 0)])).toThrow(RangeError);
  });
});

describe('threadShares', () => {
  it('groups the threads of serve and its plane, in ms of CPU a second, largest first', () => {
    const t = (pid: number, tid: number, comm: string, ms: number): ThreadReading => ({ pid, tid, comm, ns: ms * 1e6 });
    const before = [
      t(10, 10, 'node', 100),
      t(10, 11, 'node', 5),
      t(20, 20, 'callprobe-datap', 300),
      t(20, 21, 'node', 40),
      t(20, 22, 'node', 40),
      t(20, 30, 'TestAudioDevice', 7),
    ];
    // Over 2 s: HTTP main +8 ms, its helper +0; plane main +90, helpers +10 and +6, the audio device +5, and a new PeerConnectionF thread with 4.
    const after = [
      t(10, 10, 'node', 108),
      t(10, 11, 'node', 5),
      t(20, 20, 'callprobe-datap', 390),
      t(20, 21, 'node', 50),
      t(20, 22, 'node', 46),
      t(20, 30, 'TestAudioDevice', 12),
      t(20, 31, 'PeerConnectionF', 4),
    ];
    expect(threadShares(10, before, after, 2)).toEqual([
      ['data plane, main thread', 45],
      ["data plane, Node's helper threads", 8],
      ['HTTP process, main thread', 4],
      ['data plane, TestAudioDevice threads', 2.5],
      ['data plane, PeerConnectionF threads', 2],
      ["HTTP process, Node's helper threads", 0],
    ]);
  });
});

describe('ThreadLedger', () => {
  const t = (pid: number, tid: number, comm: string, ms: number): ThreadReading => ({ pid, tid, comm, ns: ms * 1e6 });

  it('keeps a thread that ended at its last reading, and counts one that began during the span from zero', () => {
    const ledger = new ThreadLedger(10, [t(10, 10, 'node', 100), t(20, 20, 'callprobe-datap', 300)]);
    // A wrtc thread begins (4 ms by the first reading, 9 by the second), then ends with its factory.
    ledger.see([t(10, 10, 'node', 103), t(20, 20, 'callprobe-datap', 350), t(20, 31, 'PeerConnectionF', 4)]);
    ledger.see([t(10, 10, 'node', 104), t(20, 20, 'callprobe-datap', 380), t(20, 31, 'PeerConnectionF', 9)]);
    ledger.see([t(10, 10, 'node', 106), t(20, 20, 'callprobe-datap', 390)]);
    const got = ledger.cpuSByGroup();
    expect(got.map(([g]) => g)).toEqual(['data plane, main thread', 'data plane, PeerConnectionF threads', 'HTTP process, main thread']);
    expect(got[0]?.[1]).toBeCloseTo(0.09, 12);
    expect(got[1]?.[1]).toBeCloseTo(0.009, 12);
    expect(got[2]?.[1]).toBeCloseTo(0.006, 12);
  });
});
