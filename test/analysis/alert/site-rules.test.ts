import { describe, expect, it } from 'vitest';
import { INITIAL_TRACK } from '../../../src/analysis/alert/hysteresis.js';
import { couldNotTestStep, silenceStep } from '../../../src/analysis/alert/site-rules.js';

const RULE = { silentForMs: 30 * 60_000 };

describe('the silence rule', () => {
  it('raises once silent for its duration of our up time, stays raised, clears on a report', () => {
    const quiet = silenceStep(INITIAL_TRACK, RULE, 29 * 60_000, 1000, 5000);
    expect(quiet.change).toBeNull();
    const raised = silenceStep(quiet.track, RULE, 30 * 60_000, 1000, 6000);
    expect(raised.change).toEqual({ state: 'raised', sinceMs: 6000, lastReportAtMs: 1000, silentUpMs: 30 * 60_000 });
    const still = silenceStep(raised.track, RULE, 60 * 60_000, 1000, 7000);
    expect(still.change).toBeNull();
    expect(still.track).toMatchObject({ state: 'raised', sinceMs: 6000 });
    expect(silenceStep(still.track, RULE, 0, 8000, 8000).change).toMatchObject({ state: 'ok', sinceMs: 8000 });
  });
});

describe('the could-not-test rule', () => {
  const rule = { abovePct: 50, overMs: 3_600_000, minSamples: 3 };
  it('judges from its minimum of samples, raises above the share, clears at or below it', () => {
    expect(couldNotTestStep(INITIAL_TRACK, rule, 2, 2, 1)).toEqual({ track: INITIAL_TRACK, change: null });
    const up = couldNotTestStep(INITIAL_TRACK, rule, 4, 3, 2);
    expect(up.change).toEqual({ state: 'raised', sinceMs: 2, pct: 75, samples: 4, couldNotTest: 3 });
    expect(couldNotTestStep(up.track, rule, 4, 3, 3).change).toBeNull();
    expect(couldNotTestStep(up.track, rule, 4, 2, 4).change).toMatchObject({ state: 'ok', pct: 50 });
  });
});
