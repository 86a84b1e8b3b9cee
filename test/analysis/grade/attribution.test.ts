/**
 * The verdict with the attribution (grade/grade.ts, report/attribution.ts): a target fails only on
 * the network's windows; proven up loss counts in a mostly suspect test; latency fails only on
 * half its round trips clean and no contradicting network-thread round trip. Hand-computed
 * fixtures: 10 ms probes, the down direction sent from 5000 ms on a reflector clock 4980 ms ahead
 * (page time t is down send time t + 4980).
 */
import { describe, expect, it } from 'vitest';
import { answerView } from '../../../src/analysis/present/answer.js';
import { keyFigures } from '../../../src/analysis/present/view.js';
import { noOutsideViews, type OutsideViews, type ViewSample } from '../../../src/analysis/measure/views.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { GradeEntry, Report } from '../../../src/analysis/schema/report-schema.js';
import type { AnalysisInput, StatsSecondOpinion } from '../../../src/analysis/schema/input.js';
import { reflectorInput, type ReflectorSpec, upUnsent } from '../report/inputs.js';

function grade(r: Report, target: GradeEntry['target'], direction: GradeEntry['direction']): GradeEntry {
  const g = r.grades.find((x) => x.target === target && x.direction === direction);
  if (g === undefined) throw new Error(`no grade ${target} ${direction}`);
  return g;
}

const input = (spec: ReflectorSpec, views?: Partial<OutsideViews>): AnalysisInput => ({
  ...reflectorInput({ ...spec, down: { startMs: 5000, ...spec.down } }),
  ...(views === undefined ? {} : { views: { ...noOutsideViews(), ...views } }),
});

/** A reading every 100 ms from 0 to `toMs` (page clock). */
const every100 = (toMs: number, valueMs: number): ViewSample[] => Array.from({ length: toMs / 100 + 1 }, (_, k) => ({ atMs: k * 100, valueMs }));

const stats = (iceRttMs: number[]): StatsSecondOpinion => ({
  iceRttMs,
  rtcpRttMs: [],
  rtcpFractionLost: null,
  inboundJitterMs: [],
  inboundJitterDirection: null,
  concealedRatio: null,
  audioSource: 'none',
});

describe('a burst loss just after this device stalled', () => {
  it("is not graded as the network: the second of recovery after the stall is the device's", () => {
    // Down receiver stall 10,000-10,400 ms (down clock), recovery to 11,400; probes 550-552
    // (sent 10,500-10,520) lost: 3 of 20 in every window holding them, all inside the device's time.
    const r = analyze(
      input({ count: 2000, down: { suspect: [{ startMs: 10_000, endMs: 10_400, reason: 'receiver-stall' }], lost: (i) => i >= 550 && i <= 552 } }),
    );
    expect(grade(r, 'burst-loss-200ms', 'down')).toMatchObject({ status: 'insufficient', reason: 'suspect-windows' });
    expect(r.summary.verdict).toBe('insufficient');
    expect(r.summary.insufficientCause).toBe('device-busy');
    // Windows starting in (9800, 11,400]: 160 of 1981 are the device's.
    expect(r.attribution?.directions.find((d) => d.direction === 'down')?.windows200ms).toEqual({ network: 1821, device: 160, server: 0 });
    expect(r.attribution?.directions.find((d) => d.direction === 'down')?.intervals).toEqual([
      { startMs: 5000, endMs: 5400, who: 'device', reason: 'receiver-stall' },
      { startMs: 5400, endMs: 6400, who: 'device', reason: 'recovery' },
    ]);
  });

  it("fails when the loss comes after the recovery: probes 700-702 (12,000 ms) lie in the network's time", () => {
    const r = analyze(
      input({ count: 2000, down: { suspect: [{ startMs: 10_000, endMs: 10_400, reason: 'receiver-stall' }], lost: (i) => i >= 700 && i <= 702 } }),
    );
    expect(grade(r, 'burst-loss-200ms', 'down')).toMatchObject({ status: 'fail', value: 15 });
    expect(r.summary.insufficientCause).toBeNull();
  });
});

describe('a mostly suspect test', () => {
  // The page read every echo 80 ms late (page time 0-19,980 ms: down send 4940-25,000 with one
  // 40 ms round trip of slack): all 1981 down windows are the device's; the sender stalled at
  // 19,500-19,990 ms: 50 up windows (starting 19,310-19,800). 2031 of 3962 windows: mostly suspect.
  const views = { receiveLagMs: every100(19_900, 80) };
  const spec = (upLost: (i: number) => boolean): ReflectorSpec => ({
    count: 2000,
    up: { suspect: [{ startMs: 19_500, endMs: 19_990, reason: 'sender-stall' }], lost: upLost },
    down: { lost: (i) => i >= 1000 && i <= 1002 },
  });

  it('fails nothing but up loss the server proves: the page sent on time and the server never received the probes', () => {
    const r = analyze(
      input(
        spec((i) => i >= 500 && i <= 502),
        views,
      ),
    );
    expect(r.attribution?.mostlySuspect).toBe(true);
    expect(grade(r, 'burst-loss-200ms', 'up')).toMatchObject({ status: 'fail', value: 15, worstWindow: { startMs: 4830, packets: 20, suspect: false } });
    // The down burst lies in the device's time: not graded.
    expect(grade(r, 'burst-loss-200ms', 'down')).toMatchObject({ status: 'insufficient', reason: 'device-busy' });
    expect(r.summary.verdict).toBe('fail');
    expect(r.summary.insufficientCause).toBeNull();
  });

  it('is insufficient with its cause and its figure in words when the up direction lost nothing', () => {
    // The stalled page skipped the 49 probes due in the stall: up windows around it miss them.
    const r = analyze(
      upUnsent(
        input(
          spec(() => false),
          views,
        ),
        19_505,
        19_985,
      ),
    );
    expect(grade(r, 'burst-loss-200ms', 'up')).toMatchObject({ status: 'insufficient', reason: 'device-busy' });
    expect(r.summary).toMatchObject({ verdict: 'insufficient', insufficientCause: 'device-busy' });
    expect(r.attribution?.device).toEqual({ timerLateMsP99: 0.3, receiveLagMsMax: 80 });
    const sentence = 'No verdict: this device was too busy to measure the network (it read arrivals up to 80.0 ms after they came in).';
    expect(answerView(r).sentence).toBe(sentence);
    expect(r.explanation[1]).toBe(sentence);
    expect(
      keyFigures(r)
        .find((l) => l.id === 'busy')
        ?.parts.map((p) => p.text),
    ).toEqual(['This device: longest receive lag ', '80.0 ms']);
  });

  it('names the server when its hold made the windows suspect, and never fails up loss in its time', () => {
    // A 30 ms hold for probes sent every 100 ms: server time 0-19,930 ms, every window of both directions.
    const r = analyze(input({ count: 2000, up: { lost: (i) => i >= 500 && i <= 502 } }, { reflectorHoldMs: every100(19_900, 30) }));
    expect(r.attribution?.busy).toBe('server-busy');
    expect(r.attribution?.directions.map((d) => d.windows200ms)).toEqual([
      { network: 0, device: 0, server: 1981 },
      { network: 0, device: 0, server: 1981 },
    ]);
    expect(grade(r, 'burst-loss-200ms', 'up')).toMatchObject({ status: 'insufficient', reason: 'server-busy' });
    expect(r.summary).toMatchObject({ verdict: 'insufficient', insufficientCause: 'server-busy' });
    expect(answerView(r).sentence).toBe('No verdict: the test server was too busy to measure the network (it held probes up to 30.0 ms before echoing them).');
  });
});

describe("a pass across the views' time", () => {
  it('passes where the server held probes but every window still meets its target (its time only adds delay and loss)', () => {
    // A 30 ms hold for the first 2 s of a 20 s test: every 15 s window from the start touches it.
    const r = analyze(input({ count: 2000 }, { reflectorHoldMs: every100(1_900, 30) }));
    const up = r.attribution?.directions.find((d) => d.direction === 'up');
    expect(up?.windows15s.server).toBeGreaterThan(0);
    for (const target of ['burst-loss-200ms', 'loss-15s', 'jitter-15s'] as const) expect(grade(r, target, 'up').status).toBe('pass');
    expect(r.summary).toMatchObject({ verdict: 'pass', insufficientCause: null });
  });

  it('does not fail a loss in the server time, nor pass on it: insufficient, the server named', () => {
    const r = analyze(input({ count: 2000, up: { lost: (i) => i >= 100 && i <= 102 } }, { reflectorHoldMs: every100(1_900, 30) }));
    expect(grade(r, 'burst-loss-200ms', 'up')).toMatchObject({ status: 'insufficient' });
    expect(r.grades.filter((g) => g.status === 'fail')).toEqual([]);
  });
});

describe('a loss window touching suspect time (15 s test, one 15 s window)', () => {
  // 1500 probes at 10 ms; every 33rd lost: 46 of 1500. A 20 ms stall at 5000 ms and its second
  // of recovery hold probes 500-602, of which 528, 561 and 594 were lost: counting them as arrived
  // leaves 43 of 1500 (2.87 %), still at or above the 1 % target.
  const every33 = (i: number): boolean => i % 33 === 0;

  it('fails up loss on the probes lost outside a sender stall and its recovery', () => {
    const r = analyze(input({ count: 1500, up: { suspect: [{ startMs: 5000, endMs: 5020, reason: 'sender-stall' }], lost: every33 } }));
    const g = grade(r, 'loss-15s', 'up');
    // The value is what the window measured (46 of 1500); the fail rests on the 43 lost outside the stall.
    expect(g).toMatchObject({ status: 'fail', worstWindow: { startMs: 0, packets: 1500, suspect: true } });
    expect(g.value).toBeCloseTo((46 / 1500) * 100, 9);
    expect(g.sentence).toContain(
      'lost 46 of 1,500 probes (3.07%). Even counting every probe sent while the evidence was in doubt as arrived, it lost at least 43 (2.87%); the target is below 1%, so this fails.',
    );
    expect(r.summary.verdict).toBe('fail');
  });

  it('fails down loss the same way after a receiver stall, the test not mostly suspect', () => {
    // Down probes sent from 5000 ms: the stall at 10,000 ms (down clock) holds probes 500-602 with its recovery.
    const r = analyze(input({ count: 1500, down: { suspect: [{ startMs: 10_000, endMs: 10_020, reason: 'receiver-stall' }], lost: every33 } }));
    expect(r.attribution?.mostlySuspect).toBe(false);
    const g = grade(r, 'loss-15s', 'down');
    expect(g).toMatchObject({ status: 'fail', worstWindow: { suspect: true } });
    expect(g.value).toBeCloseTo((46 / 1500) * 100, 9);
    expect(g.sentence).toContain('it lost at least 43 (2.87%)');
  });

  it('is insufficient when the loss outside suspect time alone stays under the target', () => {
    // 10 lost outside (1000, 1050, ..., 1450: 0.67 %) and 10 inside (510-519): 1.33 % in all, only the suspect ones tip it.
    const lost = (i: number): boolean => (i >= 1000 && i % 50 === 0) || (i >= 510 && i < 520);
    const r = analyze(input({ count: 1500, up: { suspect: [{ startMs: 5000, endMs: 5020, reason: 'sender-stall' }], lost } }));
    expect(grade(r, 'loss-15s', 'up')).toMatchObject({ status: 'insufficient', reason: 'suspect-windows' });
    expect(r.grades.filter((g) => g.status === 'fail')).toEqual([]);
  });
});

describe("up loss across the page's own time: passes on its upper bound", () => {
  // A 20 s test; the page stalled 9000-9300 ms. A probe it never sent was never exposed to the
  // network: counted lost, the worst window still has to meet the target.
  const stall = { suspect: [{ startMs: 9000, endMs: 9300, reason: 'sender-stall' as const }] };

  it('passes when the page sent every probe, however late: nothing was hidden from the network', () => {
    const r = analyze(input({ count: 2000, up: stall }));
    const g = grade(r, 'loss-15s', 'up');
    expect(g).toMatchObject({ status: 'pass', value: 0 });
    expect(g.sentence).toContain('lost 0 of 1,500 probes (0%). This device was busy in it but sent every probe due, so no loss can have hidden there');
    expect(grade(r, 'burst-loss-200ms', 'up').status).toBe('pass');
    // Jitter passes on its bound: the late probes came at the path's own delay, so none could have hidden jitter.
    const j = grade(r, 'jitter-15s', 'up');
    expect(j).toMatchObject({ status: 'pass', value: 0 });
    expect(j.sentence).toContain(
      'For moments in it the sender stalled; whatever the network did with the probes of those moments, jitter there was at most 0 ms',
    );
  });

  it('passes jitter on its bound when the stall delayed its probes a little, and not when a lot', () => {
    // The stalled probes (sent 9000-9290 ms) took 8 ms more: J 0.01 ms measured, at most about 0.17 ms.
    const little = analyze(input({ count: 2000, up: { ...stall, extraDelayMs: (i) => (i >= 900 && i < 930 ? 8 : 0) } }));
    const g = grade(little, 'jitter-15s', 'up');
    expect(g.status).toBe('pass');
    expect(g.value).toBeLessThan(0.02);
    expect(g.sentence).toMatch(/jitter there was at most 0\.1\d ms; the target is below 30 ms, so this passes/);
    // 3 s of stall (probes 900-1199) adding 9 ms each: the network may have swung 9 ms at every
    // one of those 300 arrivals, J near 9 ms for 3 s of a 15 s window: over 1.7 ms, still a pass;
    // a 400 ms hold is not bounded under 30 ms: the measured 0.5 ms is no basis for a pass.
    const long = { suspect: [{ startMs: 9000, endMs: 11_990, reason: 'sender-stall' as const }] };
    const swing = analyze(input({ count: 2000, up: { ...long, extraDelayMs: (i) => (i >= 900 && i < 1200 ? 9 : 0) } }));
    expect(grade(swing, 'jitter-15s', 'up').status).toBe('pass');
    const held = analyze(input({ count: 2000, intervalMs: 10, up: { ...long, extraDelayMs: (i) => (i >= 900 && i < 1200 ? 400 - (i - 900) * 0.01 : 0) } }));
    const h = grade(held, 'jitter-15s', 'up');
    expect(h).toMatchObject({ status: 'insufficient', reason: 'suspect-windows' });
  });

  it('leaves jitter unbounded when a probe sent in the stall was lost: it may have crossed at any delay', () => {
    const r = analyze(input({ count: 2000, up: { ...stall, lost: (i) => i === 910 } }));
    expect(grade(r, 'jitter-15s', 'up')).toMatchObject({ status: 'insufficient', reason: 'suspect-windows' });
  });

  it('passes a test whose page stalled for 20 ms and sent three probes late, in a bunch: the whole answer is the network', () => {
    // A busy device's usual moment: probes 905-907 (due 9050-9070 ms) left at 9071-9072 ms and took
    // 1.5 ms more, inside the page's stall [9049, 9082]. Nothing was skipped or lost:
    // the burst-loss bound is the loss measured (0), and jitter's is under 1 ms.
    const r0 = input({ count: 2000, up: { suspect: [{ startMs: 9049, endMs: 9082, reason: 'sender-stall' }] } });
    const up = r0.up as NonNullable<typeof r0.up>;
    const bunch = (seq: number): boolean => seq >= 905 && seq <= 907;
    const moved = (x: { seq: number; sendMs: number }) => (bunch(x.seq) ? { ...x, sendMs: 9071 + (x.seq - 905) * 0.5 } : x);
    const arrivals = up.arrivals.map((a) => ({ ...moved(a), recvMs: a.recvMs + (moved(a).sendMs - a.sendMs) + (bunch(a.seq) ? 1.5 : 0) }));
    const r = analyze({ ...r0, up: { ...up, sent: up.sent.map(moved), arrivals } });
    expect(grade(r, 'burst-loss-200ms', 'up')).toMatchObject({ status: 'pass', value: 0 });
    expect(grade(r, 'burst-loss-200ms', 'up').sentence).toContain('This device was busy in it but sent every probe due, so no loss can have hidden there');
    const j = grade(r, 'jitter-15s', 'up');
    expect(j.status).toBe('pass');
    expect(j.sentence).toMatch(/jitter there was at most 0\.\d+ ms; the target is below 30 ms, so this passes/);
    expect(r.summary.verdict).toBe('pass');
  });

  it('stays insufficient when the probes the page skipped could have been a loss over the target', () => {
    // 29 probes due 9010-9290 ms never sent: 29 of 1500 (1.93 %) in every 15 s window, 20 of 20 in a 200 ms one.
    const r = analyze(upUnsent(input({ count: 2000, up: stall }), 9005, 9295));
    expect(grade(r, 'loss-15s', 'up')).toMatchObject({ status: 'insufficient', reason: 'suspect-windows' });
    expect(grade(r, 'burst-loss-200ms', 'up')).toMatchObject({ status: 'insufficient', reason: 'suspect-windows' });
  });

  it('passes with a few skipped probes that cannot reach the target: 4 of 1500 is at most 0.27 %', () => {
    const r = analyze(upUnsent(input({ count: 2000, up: stall }), 9005, 9045));
    const g = grade(r, 'loss-15s', 'up');
    // Measured: none lost of the 1496 sent; the pass rests on at most 4 of 1500.
    expect(g).toMatchObject({ status: 'pass', value: 0, worstWindow: { packets: 1496 } });
    expect(g.sentence).toContain(
      'Even counting as lost the 4 probes this device should have sent but did not while it was busy, it lost at most 4 of 1,500 (0.27%)',
    );
    expect(g.confidence.upperPct).toBeGreaterThan((4 / 1500) * 100);
  });

  it('does not pass across a path change', () => {
    const r = analyze(input({ count: 2000, up: { suspect: [{ startMs: 9000, endMs: 9300, reason: 'path-change' }] } }));
    expect(grade(r, 'loss-15s', 'up')).toMatchObject({ status: 'insufficient', reason: 'suspect-windows' });
  });
});

describe("down loss across the page's own time", () => {
  // The page stalled at 10,000 ms (down clock) for 20 ms; nothing was lost. Every down probe was
  // sent by the server, so the page's stall could only have added loss: the loss targets pass.
  it('passes: a stalled, hidden or busy page only adds loss to what the server sent', () => {
    for (const reason of ['sender-stall', 'receiver-stall', 'page-hidden'] as const) {
      const r = analyze(input({ count: 1500, down: { suspect: [{ startMs: 10_000, endMs: 10_020, reason }] } }));
      expect(grade(r, 'loss-15s', 'down').status, reason).toBe('pass');
      expect(grade(r, 'burst-loss-200ms', 'down').status, reason).toBe('pass');
      // Jitter passes on its bound: the page can only have added delay, and these probes had none added.
      expect(grade(r, 'jitter-15s', 'down'), reason).toMatchObject({ status: 'pass', value: 0 });
    }
  });

  it('does not pass across a path change: the windows would mix two paths', () => {
    const r = analyze(input({ count: 1500, down: { suspect: [{ startMs: 10_000, endMs: 10_020, reason: 'path-change' }] } }));
    expect(grade(r, 'loss-15s', 'down')).toMatchObject({ status: 'insufficient', reason: 'suspect-windows' });
  });
});

describe('latency', () => {
  it("is not graded when the network thread's round trip contradicts it (ICE median 26 ms against probes at 300 ms)", () => {
    // 26 < 100 ms and 26 < 300 - (5 + 0.25 x 300) = 220 ms.
    const ice = [26, 25, 27].map((valueMs, k) => ({ atMs: 1000 + 2500 * k, valueMs }));
    const r = analyze(input({ count: 1500, rttMs: () => 300 }, { iceRttMs: ice }));
    expect(grade(r, 'latency-rtt', 'round-trip')).toMatchObject({ status: 'insufficient', reason: 'device-busy', value: 300 });
    expect(grade(r, 'latency-rtt', 'round-trip').sentence).toBe(
      "Round-trip time was 300 ms on the probes, but it is not graded: the browser's own ICE round trip, timed outside the page, was 26 ms, so the extra delay was this device's, not the network's.",
    );
    expect(r.attribution?.networkRttMs).toEqual({ ice: 26, rtcp: null });
    expect(r.summary.insufficientCause).toBe('device-busy');
  });

  it('reads the getStats medians when no view was recorded', () => {
    const r = analyze(input({ count: 1500, rttMs: () => 300, stats: stats([26, 25, 27]) }));
    expect(grade(r, 'latency-rtt', 'round-trip')).toMatchObject({ status: 'insufficient', reason: 'device-busy' });
  });

  it('fails when the network thread agrees (ICE 290 ms is within 5 ms + 25 % of 300 ms)', () => {
    const r = analyze(input({ count: 1500, rttMs: () => 300, stats: stats([290]) }));
    expect(grade(r, 'latency-rtt', 'round-trip').status).toBe('fail');
    expect(r.summary.verdict).toBe('fail');
  });

  it('is not graded on fewer than half its round trips clean', () => {
    // Sender stall 0-6000 ms, recovery to 7000: round trips sent up to 7000 ms left out (701 of
    // 1000); 299 clean. Up windows 701 of 981 the device's, down none: not mostly suspect.
    const r = analyze(input({ count: 1000, rttMs: () => 300, up: { suspect: [{ startMs: 0, endMs: 6000, reason: 'sender-stall' }] } }));
    expect(r.attribution?.mostlySuspect).toBe(false);
    expect(r.attribution?.roundTrips).toEqual({ measured: 1000, clean: 299 });
    expect(grade(r, 'latency-rtt', 'round-trip')).toMatchObject({ status: 'insufficient', reason: 'device-busy' });
    expect(grade(r, 'latency-rtt', 'round-trip').sentence).toBe(
      'Round-trip time was 300 ms on the probes, but it is not graded: only 299 of 1,000 round trips were sent while this device kept up, fewer than half.',
    );
  });

  describe('a pass on the clean round trips alone', () => {
    // The shape of a data channel behind a full bottleneck queue: its congestion control queued
    // and dropped probes at the sender (sender stall 0-6000 ms, recovery to 7000) while the queue
    // held them 150 ms; after it, 30 ms. Clean: the 299 sent from 7010 ms on, all at 30 ms; every
    // round trip: 701 at 150 ms and 299 at 30 ms, median 150 ms.
    const queued = (slowMs: number) => (i: number) => (i <= 700 ? slowMs : 30);
    const stalled = { suspect: [{ startMs: 0, endMs: 6000, reason: 'sender-stall' as const }] };

    it('is not graded when the median of every round trip fails: the clean moments may be the quiet ones', () => {
      const r = analyze(input({ count: 1000, rttMs: queued(150), up: stalled }));
      expect(r.attribution?.roundTrips).toEqual({ measured: 1000, clean: 299 });
      expect(grade(r, 'latency-rtt', 'round-trip')).toMatchObject({ status: 'insufficient', reason: 'device-busy', value: 30 });
      expect(grade(r, 'latency-rtt', 'round-trip').sentence).toBe(
        "Round-trip time was 30 ms on the probes sent while this device kept up, but it is not graded: only 299 of 1,000 round trips were sent while this device kept up, and those moments may have been the path's quiet ones; the median of every round trip that came back is 150 ms.",
      );
      // One way: 15 ms against 50 ms, half of 150 ms is 75 ms.
      expect(grade(r, 'latency-one-way', 'round-trip')).toMatchObject({ status: 'insufficient', reason: 'device-busy', value: 15 });
      expect(grade(r, 'latency-one-way', 'round-trip').sentence).toBe(
        "One-way delay was 15 ms on the probes sent while this device kept up, but it is not graded: only 299 of 1,000 round trips were sent while this device kept up, and those moments may have been the path's quiet ones; half the median of every round trip that came back is 75 ms.",
      );
    });

    it('passes when the median of every round trip passes too (80 ms < 100 ms): a suspect round trip only adds delay', () => {
      const r = analyze(input({ count: 1000, rttMs: queued(80), up: stalled }));
      expect(grade(r, 'latency-rtt', 'round-trip')).toMatchObject({ status: 'pass', value: 30 });
      expect(grade(r, 'latency-one-way', 'round-trip')).toMatchObject({ status: 'pass', value: 15 });
    });

    it("is not graded even when the network thread's round trip is under the target (ICE 40 ms): it need not cross the probes' queue", () => {
      const r = analyze(input({ count: 1000, rttMs: queued(150), up: stalled, stats: stats([40]) }));
      expect(grade(r, 'latency-rtt', 'round-trip')).toMatchObject({ status: 'insufficient', reason: 'device-busy', value: 30 });
    });

    it('is not graded in a mostly suspect test whose every round trip fails, and says whose time it was', () => {
      // The receiver stalled through the whole down stream (all its windows the device's) and the
      // sender as above: mostly suspect. Round trips left out: the 701 sent up to 7000 ms, at 150 ms.
      // Clean: 600 more at 150 ms (7010-13,000 ms), then 699 at 30 ms: median 30 ms (rank 650 of
      // 1299). Every round trip: 1301 at 150 ms of 2000, median 150 ms.
      const receiverStalled = { suspect: [{ startMs: 5000, endMs: 25_000, reason: 'receiver-stall' as const }] };
      const r = analyze(input({ count: 2000, rttMs: (i) => (i <= 1300 ? 150 : 30), up: stalled, down: receiverStalled }));
      expect(r.attribution?.roundTrips).toEqual({ measured: 2000, clean: 1299 });
      expect(r.attribution?.mostlySuspect).toBe(true);
      expect(grade(r, 'latency-rtt', 'round-trip')).toMatchObject({ status: 'insufficient', reason: 'device-busy', value: 30 });
      expect(grade(r, 'latency-rtt', 'round-trip').sentence).toBe(
        "Round-trip time was 30 ms on the probes sent while this device kept up, but it is not graded: this device was busy or queueing for most of the test, and those moments may have been the path's quiet ones; the median of every round trip that came back is 150 ms.",
      );
    });

    it('passes on the clean round trips when they are at least half (stall 0-3000 ms): unchanged', () => {
      // Left out: sent up to 4000 ms (401, at 150 ms); clean: the 599 from 4010 ms on, at 30 ms.
      const r = analyze(input({ count: 1000, rttMs: (i) => (i <= 400 ? 150 : 30), up: { suspect: [{ startMs: 0, endMs: 3000, reason: 'sender-stall' }] } }));
      expect(r.attribution?.roundTrips).toEqual({ measured: 1000, clean: 599 });
      expect(grade(r, 'latency-rtt', 'round-trip')).toMatchObject({ status: 'pass', value: 30 });
    });
  });
});
