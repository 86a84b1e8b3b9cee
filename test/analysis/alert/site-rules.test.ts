import { describe, expect, it } from 'vitest';
import { INITIAL_TRACK, type AlertTrack } from '../../../src/analysis/alert/hysteresis.js';
import { couldNotJudgeStep, couldNotTestStep, silenceStep, type SilenceFacts } from '../../../src/analysis/alert/site-rules.js';

const MIN = 60_000;
const RULE = { silentForMs: 30 * MIN };

/** A site last heard of at `heardAtMs`, checked at `atMs` with the service up all along. */
const heard = (heardAtMs: number, atMs: number): SilenceFacts => ({
  silentUpMs: atMs - heardAtMs,
  heardAtMs,
  lastReportAtMs: heardAtMs,
});

describe('the silence rule', () => {
  it('raises once silent for its duration of our up time, stays raised, clears on a report heard after it began', () => {
    const quiet = silenceStep(INITIAL_TRACK, RULE, heard(0, 29 * MIN), 29 * MIN);
    expect(quiet.change).toBeNull();
    const raised = silenceStep(quiet.track, RULE, heard(0, 30 * MIN), 30 * MIN);
    expect(raised.change).toEqual({ state: 'raised', sinceMs: 30 * MIN, lastReportAtMs: 0, silentUpMs: 30 * MIN });
    const still = silenceStep(raised.track, RULE, heard(0, 60 * MIN), 60 * MIN);
    expect(still.change).toBeNull();
    expect(still.track).toMatchObject({ state: 'raised', sinceMs: 30 * MIN });
    expect(silenceStep(still.track, RULE, heard(61 * MIN, 62 * MIN), 62 * MIN).change).toMatchObject({ state: 'ok', sinceMs: 62 * MIN });
  });

  it('a report older than the silence never clears it, even one recent enough to be inside silentFor', () => {
    const raised = silenceStep(INITIAL_TRACK, RULE, heard(0, 30 * MIN), 30 * MIN).track;
    // A spooled report that started 5 minutes before the raise arrives a minute after it: 6 minutes old, still before `since`.
    expect(silenceStep(raised, RULE, heard(25 * MIN, 31 * MIN), 31 * MIN)).toMatchObject({ change: null, track: { state: 'raised' } });
  });

  it('a backlog newer than the silence but itself silentFor old does not clear it; the next fresh report does, once', () => {
    // Heard last at 0; raised at 30 min; reports taken at 40..90 min were spooled (the token refused) and arrive at 150 min.
    let t: AlertTrack = silenceStep(INITIAL_TRACK, RULE, heard(0, 30 * MIN), 30 * MIN).track;
    const changes: string[] = [];
    for (const [heardAt, at] of [
      [0, 60 * MIN],
      [90 * MIN, 150 * MIN], // the backlog: 60 minutes old when it arrives
      [90 * MIN, 151 * MIN],
      [150 * MIN, 152 * MIN], // the first fresh sample
      [150 * MIN, 153 * MIN],
      [160 * MIN, 170 * MIN],
    ] as const) {
      const s = silenceStep(t, RULE, heard(heardAt, at), at);
      t = s.track;
      if (s.change !== null) changes.push(`${s.change.state}@${at / MIN}`);
    }
    expect(changes).toEqual(['ok@152']);
  });

  it('a site that never reported is silent from its first sample or site token, and clears only on a report', () => {
    const never: SilenceFacts = { silentUpMs: 30 * MIN, heardAtMs: null, lastReportAtMs: null };
    const raised = silenceStep(INITIAL_TRACK, RULE, never, 30 * MIN);
    expect(raised.change).toMatchObject({ state: 'raised', lastReportAtMs: null });
    // Not silent by the clock (e.g. a new token was made), but nothing was heard of: still raised.
    expect(silenceStep(raised.track, RULE, { ...never, silentUpMs: 0 }, 31 * MIN).change).toBeNull();
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

  it('a raised one clears when its window holds no more such samples, even below its minimum', () => {
    const up = couldNotTestStep(INITIAL_TRACK, rule, 4, 3, 2).track;
    // A site that recovered (one report) and went quiet: the could-not-test samples slid out of the window.
    expect(couldNotTestStep(up, rule, 1, 0, 5).change).toMatchObject({ state: 'ok', pct: 0, samples: 1 });
    expect(couldNotTestStep(up, rule, 0, 0, 6).change).toMatchObject({ state: 'ok', pct: 0, samples: 0 });
    // Still more than the share of what is left: stays raised.
    expect(couldNotTestStep(up, rule, 1, 1, 7).change).toBeNull();
  });
});

describe('the could-not-judge rule', () => {
  const rule = { abovePct: 50, overMs: 3_600_000, minSamples: 3 };
  it('raises when more than its share of the reports could not judge the target, clears at or below it', () => {
    expect(couldNotJudgeStep(INITIAL_TRACK, rule, 3, 1, 1).change).toBeNull();
    const up = couldNotJudgeStep(INITIAL_TRACK, rule, 3, 3, 2);
    expect(up.change).toEqual({ state: 'raised', sinceMs: 2, pct: 100, samples: 3, notJudged: 3 });
    expect(couldNotJudgeStep(up.track, rule, 4, 2, 3).change).toMatchObject({ state: 'ok', pct: 50, notJudged: 2 });
  });
});
