/**
 * Scheduled samples have time slack: by default they run DEFAULTS.schedule.sampleDurationS, so
 * the 15 s window of the loss and jitter targets is filled even when the stream falls short by
 * seconds on a busy probe machine, where a 15 s test short by one tick "could not be judged".
 */
import { describe, expect, it } from 'vitest';
import { checkScheduleFlags, type RunCommandOptions } from '../../../client/options.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { reflectorInput } from '../../analysis/report/inputs.js';

const RUN: RunCommandOptions = {
  server: 'http://127.0.0.1:8080',
  profile: 'client-to-edge',
  from: 'site',
  compare: false,
  load: false,
  json: false,
  csv: false,
  browser: '/usr/bin/chromium',
  save: true,
  site: 'Paris office',
  adminToken: 'a-token-of-sixteen-chars',
};

/** The status and reason of the 15 s window targets of a test whose probes (10 ms apart) cover `spanS` seconds. */
function windowTargets(spanS: number): string[] {
  const r = analyze(reflectorInput({ count: Math.round(spanS * 100) + 1 }));
  return r.grades.filter((g) => g.target === 'loss-15s' || g.target === 'jitter-15s').map((g) => `${g.status}:${g.reason ?? ''}`);
}

describe('the duration of a scheduled sample', () => {
  it(`is ${DEFAULTS.schedule.sampleDurationS} s unless --duration says otherwise`, () => {
    expect(checkScheduleFlags(RUN, { every: 600_000, spool: 's' })?.sampleDurationS).toBe(DEFAULTS.schedule.sampleDurationS);
    expect(checkScheduleFlags({ ...RUN, duration: 3 }, { every: 5_000, spool: 's' })?.sampleDurationS).toBe(3);
  });

  it('fills a 15 s window with 5 s to spare: a stream short by up to 5 s is still judged, a 15 s one short by a tick is not', () => {
    const windowS = 15;
    const slackS = DEFAULTS.schedule.sampleDurationS - windowS;
    expect(slackS).toBe(5);
    // The default scheduled test, its stream 5 s short (late start, lost ticks): both targets graded in every direction.
    expect(windowTargets(DEFAULTS.schedule.sampleDurationS - slackS).every((t) => t.startsWith('pass:'))).toBe(true);
    // A 15 s test whose stream is 0.1 s short: nothing to grade the 15 s targets on.
    expect(new Set(windowTargets(windowS - 0.1))).toEqual(new Set(['insufficient:window-not-filled']));
  });
});
