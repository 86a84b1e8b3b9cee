/** The soak's summary: the two memory rows the criterion compares, medians over the valid tests, and the failures. */
import { describe, expect, it } from 'vitest';
import { FD_SLACK, fdFacts, soakEnds, soakSummary, type SoakRaw, type SoakSample, type SoakValidTest } from '../../../bench/load/soak-summary.js';

const sample = (tS: number, rssMiB: number): SoakSample => ({
  tS,
  rssMiB,
  cpuS: tS / 10,
  heapTotalMiB: 60,
  heapUsedMiB: 35,
  externalMiB: 12,
  nativeRestMiB: rssMiB - 72,
});
const test = (startS: number, rttMsP50: number | null, jitterMs: number, failure: string | null): SoakValidTest => ({
  ok: true,
  rttMsP50,
  jitterMs,
  lossPct: 0,
  verdict: 'pass',
  missedTicks: 0,
  error: null,
  startS,
  failure,
});

const raw: SoakRaw = {
  command: 'npm run bench:load -- --soak --soak-minutes 2',
  machine: { cores: 2 },
  durationS: 120,
  parallelValidSessions: 2,
  testS: 15,
  tolerance: 'as the load bench',
  rssToleranceRatio: 0.1,
  baseline: { ok: true, rttMsP50: 1.2, jitterMs: 0.2, lossPct: 0, verdict: 'pass', missedTicks: 0, error: null },
  rssAfterFirstMinuteMiB: 144,
  rssAtEndMiB: 147,
  rssChangeRatio: 3 / 144,
  rssWithinTolerance: true,
  serverCpuPct: 19,
  validTests: 4,
  validWithinTolerance: 3,
  abuse: {
    cycles: 2,
    junkAnswers: 20,
    floodRefusals: 100,
    idleClosedByServer: 40,
    idleRefused: 0,
    config429: 120,
    configOk: 40,
    bindingOnlyClosedByServer: 0,
    unauthAnswers: 400,
    stalledDatagrams: 70_000,
    floodGranted: [256, 256],
    sprayStatus: { '401': 10, '429': 110 },
    legitLogins: { ok: 2, refused: 0 },
    errors: [],
  },
  samples: [sample(0, 120), sample(50, 140), sample(60, 144), sample(70, 145), sample(120, 147)],
  // Medians by hand, nearest rank (the project's percentile): RTT 0.8, 1.0, 1.4 (one test measured
  // none): the 2nd of 3, 1.0; jitter 0.2, 0.3, 0.4, 0.5: the 2nd of 4, 0.3.
  valid: [test(0, 1.0, 0.3, null), test(0, 0.8, 0.5, null), test(20, null, 0.2, 'no echo'), test(20, 1.4, 0.4, null)],
};

describe('soakSummary', () => {
  it('compares the first sample at 60 s or later with the last', () => {
    expect(soakEnds(raw.samples)).toEqual({ afterFirstMinute: sample(60, 144), atEnd: sample(120, 147) });
    // A soak shorter than a minute compares its first sample.
    expect(soakEnds([sample(0, 100), sample(30, 101)]).afterFirstMinute).toEqual(sample(0, 100));
    expect(() => soakEnds([])).toThrow(RangeError);
  });

  it('keeps the headline figures, drops the samples and tests, and adds the medians and failures', () => {
    const s = soakSummary(raw);
    expect(s).not.toHaveProperty('samples');
    expect(s).not.toHaveProperty('valid');
    expect(s).toMatchObject({ rssAtEndMiB: 147, validTests: 4, validWithinTolerance: 3, abuse: raw.abuse });
    expect(s.memory).toEqual({ afterFirstMinute: sample(60, 144), atEnd: sample(120, 147) });
    expect(s.validMedian.rttMsP50).toBeCloseTo(1.0, 12);
    expect(s.validMedian.jitterMs).toBeCloseTo(0.3, 12);
    expect(s.validMedian.lossPct).toBe(0);
    expect(s.validFailures).toEqual([{ startS: 20, failure: 'no echo' }]);
  });

  it('counts open descriptors: flat when the end holds at most the slack more than before the load', () => {
    const at = (tS: number, fds: number | undefined): SoakSample => ({ ...sample(tS, 140), ...(fds === undefined ? {} : { fds }) });
    expect(fdFacts([at(0, 40), at(60, 300), at(120, 40 + FD_SLACK)])).toEqual({ atStart: 40, max: 300, atEnd: 45, flat: true });
    expect(fdFacts([at(0, 40), at(60, 300), at(120, 41 + FD_SLACK)])?.flat).toBe(false);
    // A soak run before descriptors were counted has none.
    expect(fdFacts([at(0, undefined), at(120, undefined)])).toBeUndefined();
  });
});
