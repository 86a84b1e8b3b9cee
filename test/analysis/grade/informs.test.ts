import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/analysis/grade/diagnostics.js';
import { targetResolutions } from '../../../src/analysis/grade/resolution.js';
import { estimateMos, JITTER_BUFFER_MIN_MS } from '../../../src/analysis/grade/mos.js';
import { secondOpinion, statsToleranceMs } from '../../../src/analysis/grade/second-opinion.js';
import { resolveProfile } from '../../../src/analysis/grade/targets.js';
import { teamsPoorStream } from '../../../src/analysis/grade/teams-tier.js';
import { analyzeDirection } from '../../../src/analysis/measure/direction.js';
import { eModel, G711_PLC } from '../../../src/analysis/measure/emodel.js';
import { describeDiagnostics, describeSecondOpinion, describeTeams } from '../../../src/analysis/present/sections.js';
import type { StatsSecondOpinion } from '../../../src/analysis/schema/input.js';
import { stream } from '../measure/fixtures.js';
import { meta, path } from '../report/inputs.js';

const LENGTHS = { burstMs: 200, sustainedMs: 15_000 };

describe('Teams CQD poor-audio tier (strict ">")', () => {
  const ok = { degradationMos: 0.2, rttMsMean: 40, lossPct: 1, jitterMs: 5, concealedRatio: null };
  it('is not poor exactly at every limit', () => {
    const r = teamsPoorStream({ degradationMos: 1, rttMsMean: 500, lossPct: 10, jitterMs: 30, concealedRatio: 0.07 });
    expect(r.classification).toBe('not-poor');
  });
  it('is poor when any metric is above its limit', () => {
    // Grading classifies; present/ words it.
    const r = describeTeams(teamsPoorStream({ ...ok, lossPct: 10.5 }));
    expect(r.classification).toBe('poor');
    expect(r.sentence).toContain('packet loss rate 10.5% > 10%');
    expect(teamsPoorStream({ ...ok, concealedRatio: 0.08 }).classification).toBe('poor');
  });
  it('is unclassified without the core metrics', () => {
    expect(teamsPoorStream({ ...ok, rttMsMean: null }).classification).toBe('unclassified');
    expect(teamsPoorStream(ok).checks.find((c) => c.metric === 'ratio concealed samples avg')?.poor).toBeNull();
  });
});

describe('getStats second opinion', () => {
  const stats = (over: Partial<StatsSecondOpinion>): StatsSecondOpinion => ({
    iceRttMs: [],
    rtcpRttMs: [],
    inboundJitterMs: [],
    inboundJitterDirection: 'down',
    rtcpFractionLost: null,
    concealedRatio: null,
    audioSource: 'fake-device',
    ...over,
  });
  it('uses 5 ms + 25 % of the probe value as tolerance, strictly', () => {
    expect(statsToleranceMs(40)).toBe(15);
    const at = secondOpinion({ mode: 'reflector', stats: stats({ iceRttMs: [55] }), probeRttMsP50: 40, probeJitterMs: null });
    expect(at.disagreements).toEqual([]);
    const past = secondOpinion({ mode: 'reflector', stats: stats({ iceRttMs: [55.5, 55.5, 20] }), probeRttMsP50: 40, probeJitterMs: null });
    expect(past.disagreements).toHaveLength(1);
    expect(past.disagreements[0]).toMatchObject({ source: 'ice-rtt', statsValue: 55.5, differenceMs: 15.5, samples: 3 });
  });
  it('flags audio jitter and explains the WebAudio floor', () => {
    const r = describeSecondOpinion(
      secondOpinion({ mode: 'reflector', stats: stats({ inboundJitterMs: [12, 14, 13], audioSource: 'webaudio' }), probeRttMsP50: 40, probeJitterMs: 1 }),
    );
    expect(r.disagreements.map((d) => d.source)).toEqual(['inbound-jitter']);
    expect(r.notes.join(' ')).toContain('WebAudio');
    expect(r.notes.join(' ')).toContain('padding');
  });
  it('says when getStats was not collected', () => {
    expect(secondOpinion({ mode: 'loopback', stats: null, probeRttMsP50: 2, probeJitterMs: 0 })).toMatchObject({ available: false, statsRttScale: 0.5 });
  });
});

describe('sender diagnostics', () => {
  it('warns about what could explain loss or jitter', () => {
    const d = describeDiagnostics(
      diagnose({
        meta: meta(),
        path: path({ transport: 'tcp', port: 443, changes: 2 }),
        sender: {
          timerErrorMs: Array.from({ length: 100 }, (_, i) => (i === 99 ? 25 : 0.5)),
          missedTicks: 3,
          maxBufferedAmountBytes: 160 * 50,
          droppedAtSender: 4,
        },
        pageHidden: false,
        suspect: [],
        hiddenWithoutIntervals: false,
        clientIntervalMs: 10,
        unknownArrivals: 0,
        duplicates: 0,
        secondOpinion: secondOpinion({ mode: 'reflector', stats: null, probeRttMsP50: null, probeJitterMs: null }),
        targets: targetResolutions(resolveProfile({ id: 'edge-to-edge' }), 100, 15),
        notes: ['paced by atomics'],
      }),
    );
    // p99 of 100 values = rank 99 = 0.5 ms: the single 25 ms outlier is the max, not the p99.
    expect(d.sender).toMatchObject({ timerErrorMsP50: 0.5, timerErrorMsP99: 0.5, timerSamples: 100, droppedAtSender: 4 });
    expect(d.warnings.map((w) => w.code)).toEqual(['tcp-fallback', 'path-changed', 'dropped-at-sender', 'missed-ticks', 'send-buffer', 'low-rate']);
    expect(d.warnings.find((w) => w.code === 'low-rate')?.message).toContain('not resolvable at 100 probes/s');
    expect(d.notes).toEqual(['paced by atomics']);
  });
});

describe('sender timer', () => {
  it('warns when the timer runs more than one probe interval late at the 99th percentile', () => {
    const d = diagnose({
      meta: meta(),
      path: path(),
      sender: { timerErrorMs: Array.from({ length: 100 }, (_, i) => (i >= 98 ? 12 : 0.5)), missedTicks: 0, maxBufferedAmountBytes: 0, droppedAtSender: 0 },
      pageHidden: true,
      suspect: [],
      hiddenWithoutIntervals: true,
      clientIntervalMs: 10,
      unknownArrivals: 2,
      duplicates: 1,
      secondOpinion: secondOpinion({ mode: 'reflector', stats: null, probeRttMsP50: null, probeJitterMs: null }),
      targets: [],
      notes: [],
    });
    expect(d.sender.timerErrorMsP99).toBe(12);
    expect(d.warnings.map((w) => w.code)).toEqual(['page-hidden-no-intervals', 'timer-late', 'unknown-arrivals', 'duplicates']);
  });
});

describe('MOS estimate', () => {
  it('adds a jitter-buffer allowance of max(20 ms, 2 x jitter) to RTT / 2', () => {
    const calm = analyzeDirection(stream({ count: 1000, intervalMs: 10 }), 1000, LENGTHS);
    const r = estimateMos(40, [{ name: 'down', analysis: calm }]);
    expect(r.perDirection[0]).toMatchObject({ taMs: 20 + JITTER_BUFFER_MIN_MS, jitterBufferMs: 20, pplPct: 0, burstRatio: 1 });
    // With no loss and Ta = 40 ms, the MOS is exactly the E-model's at Ta = T = 40, Tr = 80.
    expect(r.value).toBe(eModel({ ...G711_PLC, Ta: 40, T: 40, Tr: 80 }).mos);
    expect(r.assumptions.join(' ')).toContain('Bpl = 25.1');
  });
  it('uses twice the mean jitter when larger, and the worse direction', () => {
    // Alternating 0/+30 ms delay: |D| = 30 each step, so mean J approaches 30 ms: buffer = 2 x J.
    const jittery = analyzeDirection(stream({ count: 2000, intervalMs: 20, extraDelayMs: (i) => (i % 2) * 30 }), 1000, LENGTHS);
    const lossy = analyzeDirection(stream({ count: 2000, intervalMs: 20, lost: (i) => i % 50 === 0 }), 1000, LENGTHS);
    const r = estimateMos(40, [
      { name: 'up', analysis: jittery },
      { name: 'down', analysis: lossy },
    ]);
    const up = r.perDirection.find((d) => d.direction === 'up');
    expect(up?.jitterBufferMs).toBeCloseTo(2 * (jittery.jitter.meanMs ?? 0), 12);
    expect(up?.jitterBufferMs).toBeGreaterThan(50);
    const down = r.perDirection.find((d) => d.direction === 'down');
    expect(down).toMatchObject({ pplPct: 2 });
    expect(r.value).toBe(Math.min(up?.mos ?? 0, down?.mos ?? 0));
  });
  it('gives no estimate without round trips', () => {
    expect(estimateMos(null, []).value).toBeNull();
  });
});
