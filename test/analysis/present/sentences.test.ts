import { describe, expect, it } from 'vitest';
import type { GradeResult } from '../../../src/analysis/grade/grade.js';
import { gradeSentence, gradeStatistic, targetWhere, warningMessage } from '../../../src/analysis/present/sentences.js';

const NONE = { method: 'none', packetsEvaluated: 0, events: null, lowerPct: null, upperPct: null } as const;

/** A loss grade as grading returns it: numbers and facts, no words. */
function lossGrade(over: Partial<GradeResult>): GradeResult {
  return {
    target: 'loss-15s',
    label: 'Packet loss (any 15 s)',
    direction: 'up',
    unit: '%',
    threshold: 1,
    comparator: '<',
    value: null,
    worstWindow: null,
    status: 'insufficient',
    reason: 'suspect-windows',
    resolution: 100 / 1500,
    confidence: NONE,
    facts: {
      kind: 'window',
      metric: 'loss',
      windowMs: 15_000,
      ratePps: 100,
      rateNeeded: 7,
      ranMs: 20_000,
      evaluableWindows: 501,
      suspectWindows: 3,
      suspectReasons: ['sender-queue', 'page-hidden'],
      window: null,
    },
    ...over,
  };
}

describe('grade sentences from facts', () => {
  it('names every suspect reason once, in order', () => {
    expect(gradeSentence(lossGrade({}))).toBe(
      "Upstream (you to the relay) packet loss could not be judged: 3 windows overlap times when probes queued in the sender's own buffer (its congestion control), not only in the network or the page was hidden, and no clean window failed.",
    );
  });

  it('describes the worst window of a fail with the precision the grade used', () => {
    const g = lossGrade({
      status: 'fail',
      reason: null,
      value: 1,
      facts: { ...(lossGrade({}).facts as Extract<GradeResult['facts'], { kind: 'window' }>), window: { fromMs: -5, packets: 1500, lost: 15 } },
    });
    expect(gradeSentence(g)).toBe(
      'Upstream (you to the relay): the worst 15-second stretch, from 0 s to 15 s into the test, lost 15 of 1,500 probes (1%); the target is below 1%, so this fails.',
    );
    expect(gradeStatistic(g.facts)).toBe('worst 15 s window');
  });

  it('words a latency grade near its threshold without rounding onto it', () => {
    const g: GradeResult = {
      ...lossGrade({}),
      target: 'latency-rtt',
      label: 'Latency (round trip)',
      direction: 'round-trip',
      unit: 'ms',
      threshold: 100,
      value: 99.996,
      status: 'pass',
      reason: null,
      resolution: null,
      facts: { kind: 'latency', oneWay: false, samples: 1500, leftOut: 0, minSamples: 20 },
    };
    expect(gradeSentence(g)).toBe('Round-trip time to the relay was 99.996 ms (median of 1,500 probes); the target is below 100 ms, so this passes.');
    expect(gradeStatistic(g.facts)).toBe('p50 of round trip');
  });

  it('places a target in its direction', () => {
    expect(targetWhere('Packet reorder', 'down')).toBe('Packet reorder, downstream (relay to you)');
    expect(targetWhere('Latency (round trip)', 'round-trip')).toBe('Latency (round trip)');
  });

  it('words warnings from their figures', () => {
    expect(warningMessage({ code: 'timer-late', timerErrorMsP99: 12.345, intervalMs: 10 })).toBe(
      "The sender's timer ran late (99th percentile 12.3 ms, more than one probe interval of 10 ms): a busy device sends probes in bunches, which can add jitter.",
    );
    expect(warningMessage({ code: 'tcp-fallback', transport: 'tls' })).toContain('over TLS instead of UDP');
  });
});
