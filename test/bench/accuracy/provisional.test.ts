import { describe, expect, it } from 'vitest';
import { provisionalTally, type ProvisionalReportView, type ProvisionalRun } from '../../../bench/accuracy/provisional.js';
import { answerTimes } from '../../../bench/speed/answers.js';

const claim = (metric: string, direction: string, kind: string, held: boolean | null, evidence = 'e') => ({ metric, direction, kind, evidence, held });
const grades = (status: Record<string, string>) =>
  Object.entries(status).map(([k, s]) => ({ target: k.split(' ')[0] ?? '', direction: k.split(' ')[1] ?? '', status: s }));

function run(scenario: string, seed: string, report: ProvisionalReportView): ProvisionalRun {
  return { scenario, seed, path: 'rtp', report };
}

describe('the provisional tally of the accuracy bench', () => {
  const cleanPass: ProvisionalReportView = {
    summary: { verdict: 'pass' },
    grades: grades({ 'latency-rtt round-trip': 'pass', 'loss-15s up': 'pass', 'loss-15s down': 'pass' }),
    provisional: [
      {
        atMs: 3000,
        claims: [claim('latency-rtt', 'round-trip', 'likely-pass', true), claim('loss-15s', 'up', 'so-far', null), claim('loss-15s', 'down', 'so-far', null)],
      },
      {
        atMs: 5000,
        claims: [
          claim('latency-rtt', 'round-trip', 'likely-pass', true),
          claim('loss-15s', 'up', 'likely-pass', true),
          claim('loss-15s', 'down', 'likely-pass', true),
        ],
      },
    ],
  };
  const cleanLate: ProvisionalReportView = {
    ...cleanPass,
    provisional: [
      {
        atMs: 7000,
        claims: [
          claim('latency-rtt', 'round-trip', 'likely-pass', true),
          claim('loss-15s', 'up', 'likely-pass', true),
          claim('loss-15s', 'down', 'likely-pass', true),
        ],
      },
    ],
  };
  const bad: ProvisionalReportView = {
    summary: { verdict: 'fail' },
    grades: grades({ 'burst-loss-200ms up': 'fail', 'loss-15s up': 'pass', 'loss-15s down': 'insufficient' }),
    provisional: [
      { atMs: 2500, claims: [claim('burst-loss-200ms', 'up', 'settled-fail', true)] },
      {
        atMs: 3000,
        claims: [
          claim('burst-loss-200ms', 'up', 'settled-fail', true),
          claim('loss-15s', 'up', 'likely-fail', false, '9 of 100 lost'),
          claim('loss-15s', 'down', 'likely-pass', false),
        ],
      },
      { atMs: 4000, claims: [claim('loss-15s', 'up', 'likely-fail', false, '10 of 200 lost')] },
    ],
  };
  const t = provisionalTally([
    run('clean', 'clean-1', cleanPass),
    run('clean', 'clean-2', cleanLate),
    run('bursts', 'bursts-1', bad),
    run('clean', 'clean-3', { summary: { verdict: 'pass' }, grades: [] }),
  ]);

  it('counts every confident claim, what held, what the final grades contradicted and what they left unconfirmed', () => {
    expect(t.runs).toBe(4);
    expect(t.withHistory).toBe(3);
    // 1 + 3 (clean-1), 3 (clean-2), 1 + 3 + 1 (bursts-1).
    expect(t.confidentClaims).toBe(12);
    expect(t.byKind).toEqual({ 'likely-pass': 8, 'settled-fail': 2, 'likely-fail': 2 });
    expect(t.held).toBe(9);
    expect(t.contradictedClaims).toBe(2);
    expect(t.unconfirmedClaims).toBe(1);
    // Listed once per run, target, direction and kind, at the first answer that made it.
    expect(t.contradicted).toEqual([
      {
        scenario: 'bursts',
        seed: 'bursts-1',
        path: 'rtp',
        atMs: 3000,
        metric: 'loss-15s',
        direction: 'up',
        kind: 'likely-fail',
        evidence: '9 of 100 lost',
        finalStatus: 'pass',
      },
    ]);
    expect(t.unconfirmed.map((u) => `${u.metric} ${u.direction} ${u.kind} ${u.finalStatus ?? ''}`)).toEqual(['loss-15s down likely-pass insufficient']);
  });

  it('tells when the clean runs had a likely pass on the round trip and on loss each way, and the failed runs with an early fail', () => {
    expect(t.cleanRuns).toBe(3);
    // cleanPass: the round trip at 3 s, the loss each way at 5 s (all by 5 s); cleanLate: all at 7 s; both by 10 s.
    expect(t.cleanFirstLikelyPassAtMs).toEqual([5000, 7000]);
    expect(t.cleanLikelyPassBy10s).toBe(2);
    expect(t.failedRuns).toBe(1);
    expect(t.failedWithEarlyFail).toBe(1);
    expect(t.firstFailAtMs).toEqual([2500]);
    expect(t.firstAnswerAtMs).toEqual([3000, 7000, 2500]);
  });
});

describe('when the answers of one run came', () => {
  it('reads when they were due from the report and when they were printed from the CLI lines, from the page’s first step', () => {
    const progress = [
      { atMs: 1500, line: 'callprobe: testing http://127.0.0.1:18090' },
      { atMs: 2000, line: 'callprobe: config: asking the server for a relay' },
      { atMs: 4502, line: 'callprobe: Provisional means: what the probes so far say.' },
      { atMs: 4503, line: 'callprobe: provisional at 2.5 s: Calls will break up here: 3 of 20 probes (15%) lost in 200 ms at 1.2 s, you to the relay.' },
      { atMs: 5010, line: 'callprobe: provisional at 3 s: Calls will break up here: ...' },
    ];
    const history = [
      { atMs: 2500, claims: [{ kind: 'settled-fail' }] },
      { atMs: 3000, claims: [{ kind: 'settled-fail' }] },
    ];
    expect(answerTimes(progress, history)).toEqual({ firstDueMs: 2500, firstPrintedMs: 2503, settledDueMs: 2500, settledPrintedMs: 2503 });
    expect(answerTimes([], undefined)).toEqual({ firstDueMs: null, firstPrintedMs: null, settledDueMs: null, settledPrintedMs: null });
  });
});
