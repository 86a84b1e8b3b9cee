/**
 * The busy-device rows (bench/accuracy/busy-rows.ts): which rows `--rows` picks, what a run
 * reads of a report (with and without schema v3's insufficientCause), and each row's tally
 * against what is wanted, on hand-made runs.
 */
import { describe, expect, it } from 'vitest';
import {
  BUSY_ROWS,
  COULD_NOT_TEST,
  busyAnswerOf,
  busyAnswerTable,
  busyClaimsTable,
  busyFigures,
  goodThenUnsure,
  busyTable,
  jitterUpOf,
  missedWanted,
  selectRows,
  summarizeRow,
  type BusyRow,
  type BusyRun,
} from '../../../bench/accuracy/busy-rows.js';

const row = (name: string): BusyRow => {
  const r = BUSY_ROWS.find((x) => x.name === name);
  if (!r) throw new Error(name);
  return r;
};

const run = (over: Partial<BusyRun>): BusyRun => ({
  seed: 's',
  verdict: 'pass',
  insufficientCause: null,
  grades: [],
  latencyMs: 2,
  loadKind: null,
  truth: { up: { probes: 1500, lost: 0 }, down: { probes: 1500, lost: 0 } },
  throttle: null,
  wallS: 40,
  loadAverage1m: 1,
  failure: null,
  ...over,
});

describe('the rows', () => {
  it('are the caps at 10, 20, 35 %, the hogs, 3 % up loss at 20 %, and the busy line with each load', () => {
    expect(BUSY_ROWS.map((r) => r.name)).toEqual([
      'cap-10',
      'cap-20',
      'cap-35',
      'hogs',
      'loss-up-cap-20',
      'loss-both-cap-20',
      'hogs-2',
      'load-cap-10',
      'load-cap-20',
      'load-cap-35',
      'load-hogs',
      'jitter-up-hogs',
      'jitter-up-cap-20',
    ]);
    expect(row('jitter-up-hogs')).toMatchObject({ scenario: 'jitter-up', capPct: null, hogsPerCore: 1, load: false });
    expect(row('loss-up-cap-20')).toMatchObject({ scenario: 'loss-up', capPct: 20, hogsPerCore: 0, load: false });
    expect(row('load-hogs')).toMatchObject({ scenario: 'clean', capPct: null, hogsPerCore: 1, load: true });
    expect(row('hogs-2')).toMatchObject({ scenario: 'clean', capPct: null, hogsPerCore: 2, load: false });
    expect(row('loss-both-cap-20')).toMatchObject({ scenario: 'loss-both-2', capPct: 20, hogsPerCore: 0, load: false });
  });

  it('--rows picks by name in the table order, all for every row, and refuses a name it does not know', () => {
    expect(selectRows('hogs,cap-10').map((r) => r.name)).toEqual(['cap-10', 'hogs']);
    expect(selectRows(' all ')).toHaveLength(BUSY_ROWS.length);
    expect(() => selectRows('cap-15')).toThrow(/unknown row cap-15/);
    expect(() => selectRows(',')).toThrow(/none given/);
  });
});

describe('busyFigures: what a run reads of a report', () => {
  const grades = [
    { target: 'latency-rtt', direction: 'round-trip', status: 'pass', value: 62.4 },
    { target: 'loss-15s', direction: 'up', status: 'fail', value: 3.1 },
  ];

  it('v3: the cause and the busy line kind', () => {
    expect(busyFigures({ summary: { verdict: 'insufficient', insufficientCause: 'device-busy' }, grades, load: { verdict: { kind: 'device-busy' } } })).toEqual(
      {
        verdict: 'insufficient',
        insufficientCause: 'device-busy',
        grades: [
          { target: 'latency-rtt', direction: 'round-trip', status: 'pass' },
          { target: 'loss-15s', direction: 'up', status: 'fail' },
        ],
        latencyMs: 62.4,
        loadKind: 'device-busy',
      },
    );
  });

  it('before v3: no cause; a phase with an outcome instead of a verdict; no phase at all', () => {
    const f = busyFigures({ summary: { verdict: 'pass' }, grades: [], load: { outcome: { reason: 'refused' } } });
    expect(f).toMatchObject({ insufficientCause: null, latencyMs: null, loadKind: 'outcome:refused' });
    expect(busyFigures({ summary: { verdict: 'pass' }, grades }).loadKind).toBeNull();
  });
});

describe('the jitter rows: the upstream jitter against the injected', () => {
  const jitter = (reportedMs: number, injectedMs: number, device = false): Partial<BusyRun> => ({ jitterUp: { reportedMs, injectedMs, device } });

  it("reads the report's upstream jitter and its mark beside the proxy's own", () => {
    const report = {
      summary: { verdict: 'pass' },
      grades: [],
      directions: { up: { jitter: { meanMs: 4.97 } } },
      attribution: { directions: [{ direction: 'up', jitter: { device: true } }, { direction: 'down' }] },
    };
    expect(jitterUpOf(report, 2.67)).toEqual({ reportedMs: 4.97, device: true, injectedMs: 2.67 });
    expect(jitterUpOf({ summary: { verdict: 'pass' }, grades: [] }, 2.67)).toEqual({ reportedMs: null, device: false, injectedMs: 2.67 });
  });

  it("right within 30 % or 1 ms, or marked the device's; a confident figure off by 2x misses what is wanted", () => {
    const r = row('jitter-up-hogs');
    const s = summarizeRow(r, [run(jitter(3.4, 2.67)), run(jitter(4.97, 2.67, true)), run(jitter(4.2, 4.5)), run({ verdict: 'pass' })]);
    expect(s.jitter).toEqual({ right: 3, marked: 1, judged: 3, reportedMsMedian: 4.2, injectedMsMedian: 2.67 });
    expect(s.wanted).toBe(true);
    // 4.97 against 2.67, unmarked: off by nearly 2x.
    expect(missedWanted(r, run(jitter(4.97, 2.67)))).toBe(true);
    // 0.5 against 1.4: within 1 ms.
    expect(missedWanted(r, run(jitter(0.5, 1.4)))).toBe(false);
    expect(missedWanted(r, run({ ...jitter(3, 3), verdict: 'fail' }))).toBe(true);
    expect(busyTable([{ row: r, summary: summarizeRow(r, [run(jitter(4.97, 2.67))]) }])).toContain("**0/1** right (4.97 ms vs 2.67 ms; marked the device's 0)");
  });
});

describe('summarizeRow: the tally against what is wanted', () => {
  it('a clean row: wanted with no fail and no suffers; causes counted, a run that could not test left out', () => {
    const s = summarizeRow(row('load-cap-20'), [
      run({ verdict: 'pass', loadKind: 'no-effect', latencyMs: 3 }),
      run({ verdict: 'insufficient', insufficientCause: 'device-busy', loadKind: 'device-busy', latencyMs: 60 }),
      run({ verdict: 'insufficient', loadKind: 'device-busy', latencyMs: 9 }),
      run({ verdict: null, failure: 'no JSON', latencyMs: null }),
    ]);
    expect(s).toEqual({
      row: 'load-cap-20',
      runs: 3,
      failedRuns: 1,
      pass: 1,
      couldNotTest: 0,
      fail: 0,
      insufficient: 2,
      causes: { 'device-busy': 1, none: 1 },
      loadKinds: { 'device-busy': 2, 'no-effect': 1 },
      suffers: 0,
      upLossFailed: 0,
      lossFound: null,
      latencyMsMedian: 9,
      jitter: null,
      answer: null,
      wanted: true,
    });
    expect(summarizeRow(row('load-cap-20'), [run({ loadKind: 'suffers' })]).wanted).toBe(false);
    expect(summarizeRow(row('cap-20'), [run({ verdict: 'fail' })]).wanted).toBe(false);
    expect(summarizeRow(row('cap-20'), [run({ verdict: null, failure: 'x' })]).wanted).toBeNull();
    // callprobe could not test: counted, neither a pass nor a fail.
    expect(summarizeRow(row('cap-10'), [run({ verdict: COULD_NOT_TEST, failure: 'could not test (connect-timeout): ...' })])).toMatchObject({
      runs: 1,
      couldNotTest: 1,
      pass: 0,
      fail: 0,
      wanted: true,
    });
  });

  it('the loss row: found when fail or insufficient, never pass; up loss failures counted', () => {
    const upLoss = [{ target: 'loss-15s', direction: 'up', status: 'fail' }];
    const s = summarizeRow(row('loss-up-cap-20'), [
      run({ verdict: 'fail', grades: upLoss }),
      run({ verdict: 'insufficient', insufficientCause: 'device-busy' }),
      run({ verdict: 'pass' }),
    ]);
    expect(s).toMatchObject({ runs: 3, lossFound: 2, upLossFailed: 1, wanted: false });
    expect(summarizeRow(row('loss-up-cap-20'), [run({ verdict: 'fail' }), run({ verdict: 'insufficient' })]).wanted).toBe(true);
  });
});

describe('missedWanted: the runs whose evidence the bench keeps', () => {
  it('a fail or suffers on a clean path; a pass with loss; never a run the bench could not run', () => {
    expect(missedWanted(row('load-hogs'), run({ loadKind: 'suffers' }))).toBe(true);
    expect(missedWanted(row('load-hogs'), run({ loadKind: 'device-busy' }))).toBe(false);
    expect(missedWanted(row('hogs'), run({ verdict: 'fail' }))).toBe(true);
    expect(missedWanted(row('hogs'), run({ verdict: 'insufficient' }))).toBe(false);
    expect(missedWanted(row('loss-up-cap-20'), run({ verdict: 'pass' }))).toBe(true);
    expect(missedWanted(row('loss-up-cap-20'), run({ verdict: COULD_NOT_TEST }))).toBe(false);
    expect(missedWanted(row('hogs'), run({ verdict: null, failure: 'x' }))).toBe(false);
  });
});

describe('busyTable', () => {
  it('one line per row, fails and suffers in bold, the loss column only on the loss row, the jitter column only on the jitter rows', () => {
    const clean = row('load-hogs');
    const loss = row('loss-up-cap-20');
    const table = busyTable([
      { row: clean, summary: summarizeRow(clean, [run({ loadKind: 'suffers', latencyMs: 4 }), run({ loadKind: 'no-effect', latencyMs: 2 })]) },
      { row: loss, summary: summarizeRow(loss, [run({ verdict: 'insufficient', insufficientCause: 'device-busy', latencyMs: 70 })]) },
    ]).split('\n');
    expect(table[0]).toBe(
      '| row | runs | pass | fail | insufficient (cause) | could not test | busy line | loss found | latency p50 (median) | jitter up vs injected | wanted |',
    );
    expect(table[2]).toBe('| `load-hogs` | 2 | 2 | 0 | 0 | 0 | **suffers 1**; no-effect 1, suffers 1 | – | 2.0 ms | – | **no** |');
    expect(table[3]).toBe('| `loss-up-cap-20` | 1 | 0 | 0 | 1 (device-busy 1) | 0 | – | 1/1 (up loss failed 0) | 70.0 ms | – | yes |');
  });
});

describe('busyClaimsTable', () => {
  const claim = (metric: string, direction: string, kind: string, held: boolean | null) => ({ metric, direction, kind, evidence: 'e', held });
  it("tallies each row's confident claims against the final grades, and how early clean and failed runs were told", () => {
    const clean = row('hogs');
    const loss = row('loss-up-cap-20');
    const grades = [
      { target: 'latency-rtt', direction: 'round-trip', status: 'pass' },
      { target: 'loss-15s', direction: 'up', status: 'pass' },
    ];
    const table = busyClaimsTable([
      {
        row: clean,
        runs: [
          run({
            grades,
            provisional: [{ atMs: 7000, claims: [claim('latency-rtt', 'round-trip', 'likely-pass', true), claim('loss-15s', 'up', 'likely-pass', true)] }],
          }),
          run({ grades, provisional: [{ atMs: 3000, claims: [claim('latency-rtt', 'round-trip', 'so-far', null)] }] }),
          // Kept before the claims were recorded: no answers.
          run({ grades }),
        ],
      },
      {
        row: loss,
        runs: [
          run({
            verdict: 'fail',
            grades: [{ target: 'loss-15s', direction: 'up', status: 'fail' }],
            provisional: [{ atMs: 9000, claims: [claim('loss-15s', 'up', 'likely-fail', true)] }],
          }),
          run({
            verdict: 'insufficient',
            grades: [{ target: 'latency-rtt', direction: 'round-trip', status: 'insufficient' }],
            provisional: [{ atMs: 7000, claims: [claim('latency-rtt', 'round-trip', 'likely-pass', null)] }],
          }),
        ],
      },
    ]).split('\n');
    expect(table[0]).toBe(
      '| row | runs with answers | confident claims | contradicted | unconfirmed | clean runs: every likely pass (median) | failed runs: early fail (median) |',
    );
    expect(table[2]).toBe('| `hogs` | 2/3 | 2 (likely-pass 2) | 0 | 0 | 1/3 (7.0 s) | 0/0 (–) |');
    expect(table[3]).toBe('| `loss-up-cap-20` | 2/2 | 2 (likely-fail 1, likely-pass 1) | 0 | 1 | – | 1/1 (9.0 s) |');
  });
});

describe('what the answer says on top', () => {
  const claim = (metric: string, kind: string, held: boolean | null = null) => ({
    metric,
    direction: metric === 'latency-rtt' ? 'round-trip' : 'up',
    kind,
    evidence: '',
    held,
  });
  const good = [claim('latency-rtt', 'likely-pass'), claim('loss-15s', 'likely-pass')];
  const unsure = [claim('latency-rtt', 'likely-pass'), claim('loss-15s', 'so-far')];
  const bad = [claim('loss-15s', 'settled-fail')];

  it('counts "Good so far" giving way to "Too early to tell", not to a fail, nor unsure before good', () => {
    const at = (claims: ReturnType<typeof claim>[], atMs: number) => ({ atMs, claims });
    expect(goodThenUnsure([at(unsure, 1), at(good, 2), at(unsure, 3), at(good, 4), at(unsure, 5)])).toBe(2);
    expect(goodThenUnsure([at(unsure, 1), at(good, 2), at(bad, 3)])).toBe(0);
    expect(goodThenUnsure([at(good, 1), at([claim('latency-rtt', 'likely-fail')], 2)])).toBe(0);
    expect(goodThenUnsure(undefined)).toBe(0);
  });

  it("reads the caution, the device's share, the advice and a withdrawn line; a claim repeated in answers counts once", () => {
    const provisional = [
      { atMs: 1, claims: [claim('loss-15s', 'settled-fail', false)] },
      { atMs: 2, claims: [claim('loss-15s', 'settled-fail', false), claim('latency-rtt', 'so-far', false)] },
    ];
    const a = busyAnswerOf(
      { summary: { caution: 'device-busy' }, attribution: { deviceTooBusy: true }, provisional },
      { advice: [{ id: 'pause-downloads' }], withdrawn: 'An earlier answer ... is withdrawn' },
    );
    expect(a).toEqual({ caution: 'device-busy', deviceTooBusy: true, advice: ['pause-downloads'], withdrawn: true, unheldClaims: 1, goodThenUnsure: 0 });
  });

  const answer = (over: Partial<NonNullable<BusyRun['answer']>>): NonNullable<BusyRun['answer']> => ({
    caution: null,
    deviceTooBusy: false,
    advice: [],
    withdrawn: false,
    unheldClaims: 0,
    goodThenUnsure: 0,
    ...over,
  });

  it('misses what is wanted: a busy device not said on top, a claim not kept not withdrawn, "Pause uploads" when both ways lost', () => {
    const hogs2 = row('hogs-2');
    expect(missedWanted(hogs2, run({ answer: answer({ deviceTooBusy: true }) }))).toBe(true);
    expect(missedWanted(hogs2, run({ answer: answer({ deviceTooBusy: true, caution: 'device-busy' }) }))).toBe(false);
    expect(missedWanted(hogs2, run({ answer: answer({ unheldClaims: 1 }) }))).toBe(true);
    expect(missedWanted(hogs2, run({ answer: answer({ unheldClaims: 1, withdrawn: true }) }))).toBe(false);
    const both = row('loss-both-cap-20');
    expect(missedWanted(both, run({ verdict: 'fail', answer: answer({ advice: ['pause-uploads'] }) }))).toBe(true);
    expect(missedWanted(both, run({ verdict: 'fail', answer: answer({ advice: ['wifi-or-cable'] }) }))).toBe(false);
    expect(missedWanted(both, run({ verdict: 'pass' }))).toBe(true);
    // "Pause uploads" is right where only the way out lost.
    expect(missedWanted(row('loss-up-cap-20'), run({ verdict: 'fail', answer: answer({ advice: ['pause-uploads'] }) }))).toBe(false);
  });

  it('the table: counts, a shortfall in bold, rows that kept no answer left out', () => {
    const hogs2 = row('hogs-2');
    const both = row('loss-both-cap-20');
    const table = busyAnswerTable([
      {
        row: hogs2,
        summary: summarizeRow(hogs2, [
          run({ answer: answer({ deviceTooBusy: true, caution: 'device-busy', goodThenUnsure: 1 }) }),
          run({ answer: answer({ deviceTooBusy: true }) }),
        ]),
      },
      { row: both, summary: summarizeRow(both, [run({ verdict: 'fail', answer: answer({ unheldClaims: 2, withdrawn: true, advice: ['pause-uploads'] }) })]) },
      { row: row('hogs'), summary: summarizeRow(row('hogs'), [run({})]) },
    ]).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toBe('| `hogs-2` | 2 | **1/2** | 0 | 0/0 | 1 |');
    expect(table[3]).toBe('| `loss-both-cap-20` | 1 | 0/0 | **1** | 1/1 | 0 |');
  });
});
