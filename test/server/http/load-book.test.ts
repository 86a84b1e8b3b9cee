/**
 * The busy-line books on their own (server/http/load-book.ts), on a clock the test moves: the
 * floor a phase's flows must move at (a trickle loses its slots at its first judgement, a real
 * slow line keeps what it needs, a reader that stops after a burst is cut within the window, a
 * phase under the floor cannot win its slots back by reopening), flows and phases per network
 * (IPv6 /48) beside those per source, the reserve kept for newcomers, and the byte budget per
 * hour with its one notice per hour.
 */
import { describe, expect, it } from 'vitest';
import { LoadBook, LoadRefused, type HourBudgetReached, type LoadDirection, type LoadFlow, type LoadLimits } from '../../../server/http/load-book.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';

const L = DEFAULTS.load;
const FLOOR = { bytesPerS: L.floorBytesPerS, graceMs: L.floorGraceMs, windowMs: L.floorWindowMs };

function book(limits: Partial<LoadLimits> = {}): { b: LoadBook; clock: { t: number }; notices: HourBudgetReached[] } {
  const clock = { t: 1_000_000 };
  const notices: HourBudgetReached[] = [];
  let n = 0;
  const b = new LoadBook(
    {
      maxBytesPerDirection: L.maxBytesPerDirection,
      maxFlowsPerSource: L.maxFlowsPerSource,
      maxFlowsPerNetwork: L.maxFlowsPerNetwork,
      maxFlows: L.maxFlows,
      reserveFlows: L.reserveFlows,
      phasesPerHourPerSource: L.phasesPerHourPerSource,
      phasesPerHourPerNetwork: L.phasesPerHourPerNetwork,
      grantTtlMs: 3_600_000,
      requestBytesMax: L.requestBytesMax,
      maxBytesPerHour: L.maxBytesPerHour,
      ...limits,
    },
    FLOOR,
    () => clock.t,
    () => `g${++n}`,
    (e) => notices.push(e),
  );
  return { b, clock, notices };
}

/** A flow under the floor whose client takes what the test says. */
interface Fake {
  flow: LoadFlow;
  taken: number;
  cut: boolean;
}

function openFlow(b: LoadBook, grant: string, source: string, direction: LoadDirection = 'up', bytes = 4_000_000): Fake {
  const f: Fake = { flow: b.open(grant, source, direction, bytes), taken: 0, cut: false };
  f.flow.watch(
    () => f.taken,
    () => {
      f.cut = true;
      f.flow.release();
    },
  );
  return f;
}

/** Runs the clock for `ms` in the floor's checks (DEFAULTS.load.floorCheckMs), each flow taking `rate(i)` bytes/s. */
function run(b: LoadBook, clock: { t: number }, flows: Fake[], ms: number, rate: (i: number) => number): void {
  for (let done = 0; done < ms; done += L.floorCheckMs) {
    clock.t += L.floorCheckMs;
    flows.forEach((f, i) => {
      if (!f.cut) f.taken += (rate(i) * L.floorCheckMs) / 1000;
    });
    b.judge();
  }
}

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof LoadRefused) return err.reason;
    throw err;
  }
  return 'none';
}

describe('the floor', () => {
  it('cuts every flow of a phase trickling 1 byte/s at its first judgement after the grace', () => {
    const { b, clock } = book();
    const g = b.grant('2001:db8:a:1::', '2001:db8:a::');
    const flows = Array.from({ length: 12 }, () => openFlow(b, g.grant, '2001:db8:a:1::'));
    run(b, clock, flows, L.floorGraceMs - L.floorCheckMs, () => 1);
    expect(flows.filter((f) => f.cut)).toHaveLength(0);
    run(b, clock, flows, L.floorCheckMs, () => 1);
    expect(flows.filter((f) => f.cut)).toHaveLength(12);
    expect(b.openFlows).toBe(0);
    expect(b.metricsText()).toContain('callprobe_load_flows_cut_total{reason="too-slow"} 12');
  });

  it('leaves a real phase on a 1 Mbit/s line alone, its 6 flows sharing ~125 KB/s unevenly', () => {
    const { b, clock } = book();
    const g = b.grant('192.0.2.10', '192.0.2.10');
    const flows = Array.from({ length: 6 }, () => openFlow(b, g.grant, '192.0.2.10'));
    // TCP's uneven shares: two flows far under the 20 KB/s average, one stalled for a while.
    const shares = [45_000, 35_000, 25_000, 12_000, 5_000, 3_000];
    run(b, clock, flows, 4_000, (i) => shares[i] ?? 0);
    run(b, clock, flows, 4_000, (i) => (i === 5 ? 0 : (shares[i] ?? 0) + 600));
    expect(flows.filter((f) => f.cut)).toHaveLength(0);
  });

  it('keeps as many flows of a 256 kbit/s line as its rate pays for, its slowest cut', () => {
    const { b, clock } = book();
    const g = b.grant('192.0.2.11', '192.0.2.11');
    const flows = Array.from({ length: 6 }, () => openFlow(b, g.grant, '192.0.2.11'));
    // 32,000 bytes/s together pay for 3 flows of 8 KiB/s.
    run(b, clock, flows, 3_000, (i) => 32_000 / 6 + (i - 2.5) * 100);
    expect(flows.map((f) => f.cut)).toEqual([true, true, true, false, false, false]);
  });

  it('cuts a download whose client stops reading after the kernel took a burst, within the window', () => {
    const { b, clock } = book();
    const g = b.grant('192.0.2.12', '192.0.2.12');
    const f = openFlow(b, g.grant, '192.0.2.12', 'down', 16_000_000);
    f.taken = 6_000_000;
    run(b, clock, [f], L.floorGraceMs, () => 0);
    expect(f.cut).toBe(false);
    run(b, clock, [f], L.floorWindowMs, () => 0);
    expect(f.cut).toBe(true);
  });

  it('gives no new grace to a flow a phase under the floor reopens', () => {
    const { b, clock } = book();
    const g = b.grant('192.0.2.13', '192.0.2.13');
    const first = openFlow(b, g.grant, '192.0.2.13');
    run(b, clock, [first], L.floorGraceMs, () => 1);
    expect(first.cut).toBe(true);
    const again = openFlow(b, g.grant, '192.0.2.13');
    run(b, clock, [again], L.floorCheckMs, () => 1);
    expect(again.cut).toBe(true);
    // The other direction of the same phase has its own grace.
    const down = openFlow(b, g.grant, '192.0.2.13', 'down');
    run(b, clock, [down], L.floorCheckMs, () => 1);
    expect(down.cut).toBe(false);
  });
});

describe('networks and the reserve', () => {
  it('counts flows per /48 beside per /64: four /64s of one /48 hold 24 flows, not 48; an IPv4 address keeps its 12', () => {
    const { b } = book();
    const got: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const source = `2001:db8:a:${i}::`;
      const g = b.grant(source, '2001:db8:a::');
      for (let k = 0; k < 12; k++) got.push(reasonOf(() => openFlow(b, g.grant, source)));
    }
    expect(got.filter((r) => r === 'none')).toHaveLength(L.maxFlowsPerNetwork);
    expect(got.filter((r) => r === 'too-many-flows')).toHaveLength(48 - L.maxFlowsPerNetwork);
    const v4 = b.grant('198.51.100.7', '198.51.100.7');
    const v4got = Array.from({ length: 13 }, () => reasonOf(() => openFlow(b, v4.grant, '198.51.100.7', 'up', 1_000_000)));
    expect(v4got.filter((r) => r === 'none')).toHaveLength(L.maxFlowsPerSource);
    expect(v4got.at(-1)).toBe('too-many-flows');
  });

  it('counts phases per /48 beside per /64', () => {
    const { b } = book();
    let granted = 0;
    let refused = 0;
    for (let i = 1; i <= 4; i++) {
      for (let k = 0; k < L.phasesPerHourPerSource; k++) {
        if (reasonOf(() => b.grant(`2001:db8:a:${i}::`, '2001:db8:a::')) === 'none') granted++;
        else refused++;
      }
    }
    expect(granted).toBe(L.phasesPerHourPerNetwork);
    expect(refused).toBe(4 * L.phasesPerHourPerSource - L.phasesPerHourPerNetwork);
    expect(reasonOf(() => b.grant('2001:db8:b:1::', '2001:db8:b::'))).toBe('none');
  });

  it('keeps the last flows for a network running no other phase', () => {
    const { b } = book({ maxFlows: 8, reserveFlows: 2, maxFlowsPerSource: 12, maxFlowsPerNetwork: 24 });
    // Network a: two phases, 6 flows; the 7th would enter the reserve.
    const a1 = b.grant('2001:db8:a:1::', '2001:db8:a::');
    const a2 = b.grant('2001:db8:a:2::', '2001:db8:a::');
    for (let k = 0; k < 3; k++) openFlow(b, a1.grant, '2001:db8:a:1::');
    for (let k = 0; k < 3; k++) openFlow(b, a2.grant, '2001:db8:a:2::');
    expect(reasonOf(() => openFlow(b, a1.grant, '2001:db8:a:1::'))).toBe('server-busy');
    // Network b, one phase: both reserved flows are its.
    const g = b.grant('2001:db8:b:1::', '2001:db8:b::');
    expect(reasonOf(() => openFlow(b, g.grant, '2001:db8:b:1::'))).toBe('none');
    expect(reasonOf(() => openFlow(b, g.grant, '2001:db8:b:1::'))).toBe('none');
    expect(reasonOf(() => openFlow(b, g.grant, '2001:db8:b:1::'))).toBe('server-busy');
    expect(b.openFlows).toBe(8);
  });
});

describe('the byte budget per hour, in shares', () => {
  /** A phase of `network` (an IPv4 address: its own network) that moves `bytes` up, all of it. */
  const move = (b: LoadBook, network: string, bytes: number): string => {
    const reason = reasonOf(() => {
      const g = b.grant(network, network);
      const f = openFlow(b, g.grant, network, 'up', bytes);
      f.flow.moved(bytes);
      f.flow.release();
    });
    return reason;
  };

  it('one network moves at most an eighth of the hour; the others keep theirs', () => {
    const { b } = book({ maxBytesPerHour: 8_000_000 });
    expect(move(b, '192.0.2.1', 1_000_000)).toBe('none');
    const g = b.grant('192.0.2.2', '192.0.2.2');
    expect(reasonOf(() => openFlow(b, g.grant, '192.0.2.2', 'up', 1_000_001))).toBe('hour-budget');
    expect(move(b, '192.0.2.1', 1)).toBe('hour-budget');
    expect(reasonOf(() => b.grant('192.0.2.1', '192.0.2.1'))).toBe('hour-budget');
    // The /64s of one /48 share one eighth.
    const v6 = b.grant('2001:db8:7:1::1', '2001:db8:7::');
    expect(reasonOf(() => openFlow(b, v6.grant, '2001:db8:7:1::1', 'up', 600_000))).toBe('none');
    const other = b.grant('2001:db8:7:2::1', '2001:db8:7::');
    expect(reasonOf(() => openFlow(b, other.grant, '2001:db8:7:2::1', 'up', 600_000))).toBe('hour-budget');
    expect(move(b, '192.0.2.3', 1_000_000)).toBe('none');
  });

  it('keeps the last quarter for networks that moved none of the rest: eight networks at least spend the hour', () => {
    const { b, notices } = book({ maxBytesPerHour: 8_000_000 });
    for (let n = 1; n <= 5; n++) expect(move(b, `192.0.2.${n}`, 1_000_000)).toBe('none');
    expect(move(b, '192.0.2.6', 500_000)).toBe('none');
    expect(move(b, '192.0.2.7', 500_000)).toBe('none');
    // 6,000,000 moved: the reserve begins. A network with some of its share left but some of the rest moved is refused...
    expect(move(b, '192.0.2.6', 100_000)).toBe('hour-budget');
    expect(reasonOf(() => b.grant('192.0.2.7', '192.0.2.7'))).toBe('hour-budget');
    // ...a newcomer is served its eighth, and another; then the hour is spent for everyone, with one notice.
    expect(move(b, '198.51.100.1', 1_000_000)).toBe('none');
    expect(move(b, '198.51.100.2', 1_000_000)).toBe('none');
    expect(b.hourBytes).toBe(8_000_000);
    expect(move(b, '198.51.100.3', 1)).toBe('hour-budget');
    expect(notices).toHaveLength(1);
  });

  it('refuses grants and flows once reached, with one notice, and starts again an hour later', () => {
    const { b, clock, notices } = book({ maxBytesPerHour: 8_000_000 });
    for (let n = 1; n <= 7; n++) expect(move(b, `192.0.2.${n}`, 1_000_000)).toBe('none');
    const g = b.grant('192.0.2.20', '192.0.2.20');
    const down = openFlow(b, g.grant, '192.0.2.20', 'down', 1_000_000);
    // Reserved, not yet moved: it counts against the hour while open.
    expect(reasonOf(() => openFlow(b, g.grant, '192.0.2.20', 'up', 1_000))).toBe('hour-budget');
    expect(reasonOf(() => b.grant('192.0.2.21', '192.0.2.21'))).toBe('hour-budget');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ maxBytesPerHour: 8_000_000, usedBytes: 8_000_000 });
    expect(b.metricsText()).toContain('callprobe_load_hour_budget_reached_total 1');
    expect(b.metricsText()).toContain('callprobe_load_refused_total{reason="hour-budget"} 2');
    // Half of it moved: the rest goes back to the hour.
    down.flow.moved(500_000);
    down.flow.release();
    expect(b.hourBytes).toBe(7_500_000);
    clock.t += 3_600_000;
    expect(reasonOf(() => b.grant('192.0.2.21', '192.0.2.21'))).toBe('none');
    expect(move(b, '192.0.2.1', 1_000_000)).toBe('none');
    expect(notices).toHaveLength(1);
  });
});
