import { describe, expect, it } from 'vitest';
import { gradeTest, MIN_RTT_SAMPLES, verdictOf } from '../../../src/analysis/grade/grade.js';
import { windowResolutionPct } from '../../../src/analysis/grade/resolution.js';
import { resolveProfile } from '../../../src/analysis/grade/targets.js';
import { analyzeDirection } from '../../../src/analysis/measure/direction.js';
import { analyzeRoundTrip } from '../../../src/analysis/measure/rtt.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { GradeEntry, Report } from '../../../src/analysis/schema/report-schema.js';
import { stream } from '../measure/fixtures.js';
import { reflectorInput } from '../report/inputs.js';

function grade(r: Report, target: GradeEntry['target'], direction: GradeEntry['direction']): GradeEntry {
  const g = r.grades.find((x) => x.target === target && x.direction === direction);
  if (g === undefined) throw new Error(`no grade ${target}/${direction}`);
  return g;
}

describe('grade boundaries (strict "<")', () => {
  it.each([
    [99.999, 'pass'],
    [100, 'fail'],
    [100.001, 'fail'],
  ])('RTT p50 %d ms against 100 ms is %s', (rtt, status) => {
    const r = analyze(reflectorInput({ count: 1500, rttMs: () => rtt }));
    expect(grade(r, 'latency-rtt', 'round-trip').status).toBe(status);
  });

  it('one-way latency is RTT p50 / 2 with the same boundary', () => {
    expect(grade(analyze(reflectorInput({ count: 1500, rttMs: () => 100 })), 'latency-one-way', 'round-trip')).toMatchObject({ value: 50, status: 'fail' });
    expect(grade(analyze(reflectorInput({ count: 1500, rttMs: () => 99.998 })), 'latency-one-way', 'round-trip')).toMatchObject({
      value: 49.999,
      status: 'pass',
    });
  });

  it('leaves no value between pass and fail for window ratios', () => {
    // 100/s: a 200 ms window holds 20 probes. 1 lost = 5 % (pass), 2 lost = 10 % = target (fail).
    const one = analyze(reflectorInput({ count: 1500, up: { lost: (i) => i === 700 } }));
    const two = analyze(reflectorInput({ count: 1500, up: { lost: (i) => i === 700 || i === 701 } }));
    expect(grade(one, 'burst-loss-200ms', 'up')).toMatchObject({ value: 5, status: 'pass' });
    expect(grade(two, 'burst-loss-200ms', 'up')).toMatchObject({ value: 10, status: 'fail' });
    // 15 loss in 1500 probes = 1 % = target: fail; 14 = 0.933 %: pass.
    const at = analyze(reflectorInput({ count: 1500, up: { lost: (i) => i % 100 === 0 } }));
    const below = analyze(reflectorInput({ count: 1500, up: { lost: (i) => i % 100 === 0 && i > 0 } }));
    expect(grade(at, 'loss-15s', 'up')).toMatchObject({ value: 1, status: 'fail' });
    expect(grade(below, 'loss-15s', 'up').status).toBe('pass');
  });

  it.each([
    [29.999, 'pass'],
    [30, 'fail'],
  ])('grades a worst 15 s jitter window of %d ms against 30 ms as %s', (jitterMs, status) => {
    const dir = analyzeDirection(stream({ count: 1500, intervalMs: 10 }), 1000, { burstMs: 200, sustainedMs: 15_000 });
    const worst = dir.windows.jitterSustained.worstClean;
    if (worst === null) throw new Error('a 15 s test has one 15 s window');
    const forced = { ...dir, windows: { ...dir.windows, jitterSustained: { ...dir.windows.jitterSustained, worstClean: { ...worst, value: jitterMs } } } };
    const grades = gradeTest({
      profile: resolveProfile({ id: 'client-to-edge' }),
      ratePps: 100,
      directions: [{ name: 'loop', analysis: forced }],
      roundTrip: analyzeRoundTrip({ sent: [], samples: [] }, []),
      channelOk: true,
    });
    expect(grades.find((g) => g.target === 'jitter-15s')).toMatchObject({ value: jitterMs, status });
  });

  it('combines statuses into a verdict', () => {
    expect(verdictOf([{ status: 'pass' }, { status: 'insufficient' }])).toBe('insufficient');
    expect(verdictOf([{ status: 'insufficient' }, { status: 'fail' }])).toBe('fail');
    expect(verdictOf([])).toBe('insufficient');
  });
});

describe('clean tests', () => {
  it('a clean 15 s test at 100/s passes and its loss grade states its 95 % upper bound', () => {
    const r = analyze(reflectorInput({ count: 1500 }));
    expect(r.summary.verdict).toBe('pass');
    expect(r.grades.every((g) => g.status === 'pass')).toBe(true);
    const loss = grade(r, 'loss-15s', 'up');
    const upper = (1 - 0.025 ** (1 / 1500)) * 100; // 0.2456 %
    expect(loss.value).toBe(0);
    expect(loss.confidence.method).toBe('clopper-pearson-95-two-sided');
    expect(loss.confidence.upperPct).toBeCloseTo(upper, 8);
    expect(loss.sentence).toContain('below 0.25%');
    expect(loss.worstWindow).toEqual({ startMs: 0, packets: 1500, suspect: false });
  });

  it('a clean 10 s test cannot evaluate any 15 s window', () => {
    const r = analyze(reflectorInput({ count: 1000 }));
    for (const dir of ['up', 'down'] as const) {
      expect(grade(r, 'loss-15s', dir)).toMatchObject({ status: 'insufficient', reason: 'window-not-filled', value: null });
      expect(grade(r, 'jitter-15s', dir)).toMatchObject({ status: 'insufficient', reason: 'window-not-filled' });
      expect(grade(r, 'burst-loss-200ms', dir).status).toBe('pass');
    }
    expect(grade(r, 'loss-15s', 'up').sentence).toContain('the test ran 10 s');
    expect(r.summary.verdict).toBe('insufficient');
  });
});

describe('evidence rules', () => {
  it('counts late probes beyond lossTimeoutMs as lost', () => {
    // Probes 200..214 of 1500 arrive 1.5 s late (> 1000 ms): 15 lost = 1 % in the 15 s window.
    const r = analyze(reflectorInput({ count: 1500, up: { extraDelayMs: (i) => (i >= 200 && i < 215 ? 1500 : 0) } }));
    expect(r.directions.up?.lostLate).toBe(15);
    expect(r.directions.up?.lostNeverArrived).toBe(0);
    expect(grade(r, 'loss-15s', 'up')).toMatchObject({ value: 1, status: 'fail' });
    // A late probe is not "received" for reorder either.
    expect(r.directions.up?.reorder.reordered).toBe(0);
  });

  it('grades windows touching a suspect (page-hidden) interval on their bounds', () => {
    // 20 s test; the page was hidden 9.0-9.5 s: every 15 s window (starts 0..5 s) touches it.
    const r = analyze(
      reflectorInput({
        count: 2000,
        pageHidden: true,
        up: { suspect: [{ startMs: 9000, endMs: 9500, reason: 'page-hidden' }] },
      }),
    );
    // Jitter: a hidden page can only have added delay to the probes of that time, and none was
    // added: at most what was measured (measure/windows.ts: Upper bound, jitter).
    expect(grade(r, 'jitter-15s', 'up')).toMatchObject({ status: 'pass', value: 0 });
    expect(grade(r, 'jitter-15s', 'up').sentence).toContain(
      'For moments in it the page was hidden; whatever the network did with the probes of those moments, jitter there was at most 0 ms',
    );
    // Loss: the page sent every probe while hidden and none was lost, so no loss can have hidden
    // there (measure/windows.ts: Upper bound); with probes it skipped it would not pass.
    expect(grade(r, 'loss-15s', 'up')).toMatchObject({ status: 'pass', value: 0 });
    expect(grade(r, 'burst-loss-200ms', 'up')).toMatchObject({ status: 'pass', value: 0 });
    // The downstream windows are clean.
    expect(grade(r, 'loss-15s', 'down').status).toBe('pass');
    // Round trips sent while hidden, or within the horizon (the 90th-percentile round trip, 40 ms)
    // before it, or in the second of recovery after it, are left out of the latency grade: the 51
    // probes sent 9000..9500 ms, the 4 sent 8960..8990 ms and the 100 sent 9510..10,500 ms.
    expect(grade(r, 'latency-rtt', 'round-trip').confidence.packetsEvaluated).toBe(2000 - 51 - 4 - 100);
    // Every target met, the hidden time included: a pass, with the hidden page in the warnings.
    expect(r.summary.verdict).toBe('pass');
    expect(r.diagnostics.warnings.map((w) => w.code)).toContain('page-hidden');
  });

  it('still fails on a clean window when suspect windows exist', () => {
    const r = analyze(
      reflectorInput({
        count: 2000,
        up: { suspect: [{ startMs: 19000, endMs: 19500, reason: 'sender-stall' }], lost: (i) => i >= 300 && i < 305 },
      }),
    );
    expect(grade(r, 'burst-loss-200ms', 'up')).toMatchObject({ status: 'fail', value: 25, worstWindow: { startMs: 2850, packets: 20, suspect: false } });
  });

  it('treats the whole test as suspect when the page was hidden at unknown times', () => {
    const r = analyze(reflectorInput({ count: 2000, pageHidden: true }));
    // Every window is this device's: a mostly suspect test, whose cause is the hidden page. Jitter
    // still passes on its bound (the fixture's delays never vary, so no probe can have varied more).
    expect(grade(r, 'jitter-15s', 'up')).toMatchObject({ status: 'pass', value: 0 });
    expect(r.summary.verdict).toBe('insufficient');
    expect(r.summary.insufficientCause).toBe('page-hidden');
    // Every round trip came back in the device's time: left out, and that time is why latency is not graded.
    expect(grade(r, 'latency-rtt', 'round-trip')).toMatchObject({ status: 'insufficient', reason: 'suspect-windows' });
    expect(grade(r, 'latency-rtt', 'round-trip').sentence).toContain(
      'could not be judged: every round trip that came back (2,000) was sent while the evidence was suspect',
    );
    expect(r.diagnostics.warnings.map((w) => w.code)).toContain('page-hidden-no-intervals');
  });

  it('says a target is not resolvable at the rate used', () => {
    // edge-to-edge burst target 1 %: at 100/s one loss in 200 ms is 5 %.
    expect(windowResolutionPct(100, 200)).toBe(5);
    const r = analyze(reflectorInput({ count: 1500, meta: { profile: { id: 'edge-to-edge' } } }));
    const g = grade(r, 'burst-loss-200ms', 'up');
    expect(g).toMatchObject({ status: 'insufficient', reason: 'not-resolvable', resolution: 5 });
    expect(g.sentence).toContain('501 probes per second');
    const meta = r.meta.targets.find((t) => t.target === 'burst-loss-200ms');
    expect(meta).toMatchObject({ resolution: 5, resolvable: false });
    // At 1000/s it resolves (0.5 %).
    const fast = analyze(reflectorInput({ count: 15_000, intervalMs: 1, meta: { profile: { id: 'edge-to-edge' } } }));
    expect(grade(fast, 'burst-loss-200ms', 'up')).toMatchObject({ status: 'pass', resolution: 0.5 });
  });

  it('grades reorder with its resolution and confidence', () => {
    // Probe k arrives 25 ms late (after k+1 and k+2): one reordered probe each.
    const late = (ks: number[]) => (i: number) => (ks.includes(i) ? 25 : 0);
    // 1 of 1500 = 0.067 % >= 0.05 %, but 1500 probes cannot resolve 0.05 %: insufficient.
    const one = analyze(reflectorInput({ count: 1500, up: { extraDelayMs: late([700]) } }));
    expect(grade(one, 'reorder', 'up')).toMatchObject({ status: 'insufficient', reason: 'too-few-packets' });
    // 30 of 1500 = 2 %: the 95 % lower bound is above 0.05 %: fail.
    const many = analyze(reflectorInput({ count: 1500, up: { extraDelayMs: late(Array.from({ length: 30 }, (_, k) => 100 + k * 40)) } }));
    expect(grade(many, 'reorder', 'up')).toMatchObject({ status: 'fail', value: 2 });
    // 1 of 3000 = 0.033 %: resolvable, passes.
    const long = analyze(reflectorInput({ count: 3000, up: { extraDelayMs: late([700]) } }));
    expect(grade(long, 'reorder', 'up')).toMatchObject({ status: 'pass', confidence: { events: 1, packetsEvaluated: 3000 } });
    expect(long.directions.up?.reorder).toMatchObject({ reordered: 1, extentMax: 2 });
  });

  it('refuses to grade loss, jitter and reorder on a reliable channel', () => {
    const r = analyze(reflectorInput({ count: 1500, meta: { channel: { ordered: true, maxRetransmits: null } } }));
    for (const t of ['burst-loss-200ms', 'loss-15s', 'jitter-15s', 'reorder'] as const) {
      expect(grade(r, t, 'up')).toMatchObject({ status: 'insufficient', reason: 'reliable-channel' });
    }
    expect(grade(r, 'latency-rtt', 'round-trip').status).toBe('pass');
    expect(r.diagnostics.warnings.map((w) => w.code)).toContain('reliable-channel');
  });

  it('needs enough round trips for a latency grade', () => {
    const r = analyze(reflectorInput({ count: 1500, rttLost: (i) => i >= MIN_RTT_SAMPLES - 1 }));
    expect(grade(r, 'latency-rtt', 'round-trip')).toMatchObject({ status: 'insufficient', reason: 'too-few-packets' });
    expect(r.summary.rttLossPct).toBeCloseTo(((1500 - 19) / 1500) * 100, 10);
  });

  it('grades an Azure region profile against its RTT column', () => {
    const r = analyze(reflectorInput({ count: 1500, rttMs: () => 120, meta: { profile: { id: 'azure-region', azureRegion: 'West Europe', from: 'site' } } }));
    expect(grade(r, 'latency-rtt', 'round-trip')).toMatchObject({ threshold: 135, status: 'pass' });
    expect(grade(r, 'latency-one-way', 'round-trip')).toMatchObject({ threshold: 67.5, value: 60, status: 'pass' });
    const e = analyze(reflectorInput({ count: 1500, rttMs: () => 120, meta: { profile: { id: 'azure-region', azureRegion: 'West Europe', from: 'edge' } } }));
    expect(grade(e, 'latency-rtt', 'round-trip')).toMatchObject({ threshold: 95, status: 'fail' });
  });
});

describe('delay targets and the clock’s step (W3C High Resolution Time §7.1)', () => {
  const rttGrade = (rttMs: number, clockResolutionMs: number | null) =>
    analyze({ ...reflectorInput({ count: 1500, rttMs: () => rttMs }), clock: { resolutionMs: clockResolutionMs, crossOriginIsolated: false } }).grades.find(
      (g) => g.target === 'latency-rtt',
    );

  it('a round trip within one step of the 100 ms target is not judged; the step is the grade’s resolution', () => {
    const g = rttGrade(99.5, 1);
    expect(g?.status).toBe('insufficient');
    expect(g?.reason).toBe('not-resolvable');
    expect(g?.resolution).toBe(1);
    expect(g?.sentence).toBe(
      "Round-trip time was 99.5 ms, within one step of the browser's clock (1 ms) of the 100 ms target, so it cannot be told apart from it.",
    );
  });

  it('one step away it is judged as always; a fine clock judges 99.5 ms a pass', () => {
    expect(rttGrade(98.9, 1)?.status).toBe('pass');
    expect(rttGrade(101, 1)?.status).toBe('fail');
    expect(rttGrade(99.5, 0.005)?.status).toBe('pass');
    expect(rttGrade(99.5, null)).toMatchObject({ status: 'pass', resolution: null });
  });

  it('one-way delay is half a round trip, so half the step', () => {
    const r = analyze({ ...reflectorInput({ count: 1500, rttMs: () => 99.5 }), clock: { resolutionMs: 1, crossOriginIsolated: false } });
    expect(r.grades.find((g) => g.target === 'latency-one-way')).toMatchObject({ status: 'insufficient', reason: 'not-resolvable', resolution: 0.5 });
    expect(r.meta.clock).toEqual({ resolutionMs: 1, crossOriginIsolated: false });
    expect(r.meta.targets.find((t) => t.target === 'jitter-15s')?.resolution).toBe(1);
  });
});
