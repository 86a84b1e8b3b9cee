/**
 * The accuracy bench's busy-device rows, as data, and their tally (pure). A row is the clean
 * loopback path (or 3 % upstream loss, the proxy's seeded impairment) with the device made busy
 * in a repeatable way: the browser capped at a share of one core (bench/lib/cpu-cap.ts), or one
 * CPU-bound process per core beside the test (bench/lib/cpu-hogs.ts); with or without the busy
 * line (`callprobe run --load`). What is wanted: no `fail` and no `suffers` on a clean path (a
 * busy device is not the network), and the loss found where it is there (`fail` or
 * `insufficient`, never `pass`). The jitter rows inject jitter upstream (the proxy, seeded) on
 * a busy device: the jitter the report gives upstream is within 30 % (or 1 ms) of the proxy's
 * own (RFC 3550 J over the delays it applied), or marked this device's, never a confident
 * figure off by 2x. The 2 % loss each way on a busy device: the loss found, no "Pause uploads"
 * (loss only on the way out) while the other way lost too, and a claim the verdict did not keep
 * said to be withdrawn. On every row, what the answer says on top: the `device-busy` caution
 * wherever the attribution found the device too busy (10 % of a direction's windows, or a 200 ms
 * stretch), and how often "Good so far" gave way to "Too early to tell".
 */
import type { AccuracyScenario } from './scenarios.js';
import { mdTable } from '../lib/docs.js';
import { median } from '../lib/median.js';
import { provisionalTally, type ProvisionalReportView } from './provisional.js';

export interface BusyRow {
  name: string;
  description: string;
  /** The accuracy scenario the proxy plays (bench/accuracy/scenarios.ts, or BUSY_SCENARIOS): 'clean', 'loss-up' or 'jitter-up'. */
  scenario: 'clean' | 'loss-up' | 'loss-both-2' | 'jitter-up';
  /** The browser's cap, % of one core; null: not capped. */
  capPct: number | null;
  /** CPU-bound processes per core beside the test (0: none). */
  hogsPerCore: number;
  /** `callprobe run --load`: the busy line after the idle window. */
  load: boolean;
}

const capRow = (pct: number, load: boolean): BusyRow => ({
  name: `${load ? 'load-' : ''}cap-${pct}`,
  description: `${load ? 'The busy line (`--load`) on the clean loopback path' : 'Clean loopback path'}, the browser capped at ${pct} % of one core (10 ms CFS period).`,
  scenario: 'clean',
  capPct: pct,
  hogsPerCore: 0,
  load,
});

const hogRow = (load: boolean, perCore = 1): BusyRow => ({
  name: `${load ? 'load-' : ''}hogs${perCore > 1 ? `-${perCore}` : ''}`,
  description: `${load ? 'The busy line (`--load`) on the clean loopback path' : 'Clean loopback path'}, ${perCore > 1 ? `${perCore} CPU-bound processes` : 'one CPU-bound process'} per core beside the test (browser and server uncapped).`,
  scenario: 'clean',
  capPct: null,
  hogsPerCore: perCore,
  load,
});

/** Scenarios of the busy rows alone: jitter upstream only, as a proxy that spaces the probes unevenly; 2 % loss each way. */
export const BUSY_SCENARIOS: readonly AccuracyScenario[] = [
  { name: 'loss-both-2', description: '2 % random loss each way.', up: { loss: { probability: 0.02 } }, down: { loss: { probability: 0.02 } } },
  {
    name: 'jitter-up',
    description: '10 ms with normal jitter sigma 4 ms upstream only; jitter never reorders.',
    up: { delayMs: 10, jitter: { kind: 'normal', sigmaMs: 4 } },
  },
];

const jitterRow = (busy: { capPct: number } | 'hogs'): BusyRow => ({
  name: busy === 'hogs' ? 'jitter-up-hogs' : `jitter-up-cap-${busy.capPct}`,
  description: `Normal jitter sigma 4 ms upstream (the proxy, seeded), ${busy === 'hogs' ? 'one CPU-bound process per core beside the test' : `the browser capped at ${busy.capPct} % of one core`}.`,
  scenario: 'jitter-up',
  capPct: busy === 'hogs' ? null : busy.capPct,
  hogsPerCore: busy === 'hogs' ? 1 : 0,
  load: false,
});

export const BUSY_ROWS: readonly BusyRow[] = [
  capRow(10, false),
  capRow(20, false),
  capRow(35, false),
  hogRow(false),
  {
    name: 'loss-up-cap-20',
    description: '3 % random loss upstream (the proxy, seeded), the browser capped at 20 % of one core.',
    scenario: 'loss-up',
    capPct: 20,
    hogsPerCore: 0,
    load: false,
  },
  {
    name: 'loss-both-cap-20',
    description: '2 % random loss each way (the proxy, seeded), the browser capped at 20 % of one core.',
    scenario: 'loss-both-2',
    capPct: 20,
    hogsPerCore: 0,
    load: false,
  },
  hogRow(false, 2),
  capRow(10, true),
  capRow(20, true),
  capRow(35, true),
  hogRow(true),
  jitterRow('hogs'),
  jitterRow({ capPct: 20 }),
];

/** The rows `--rows a,b` names (`all`: every row), in the table's order; throws on a name it does not know. */
export function selectRows(arg: string, rows: readonly BusyRow[] = BUSY_ROWS): BusyRow[] {
  const names = arg
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.includes('all')) return [...rows];
  const unknown = names.filter((n) => !rows.some((r) => r.name === n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`--rows: unknown row ${unknown.join(', ') || '(none given)'}; rows: all, ${rows.map((r) => r.name).join(', ')}`);
  }
  return rows.filter((r) => names.includes(r.name));
}

/** The verdict of a run where `callprobe run` could not test (exit 4, its could-not-test record): no fail, no pass. */
export const COULD_NOT_TEST = 'could-not-test';

/** What one run of a row measured, as the raw results keep it. */
export interface BusyRun {
  seed: string;
  /** pass, fail, insufficient; COULD_NOT_TEST when callprobe said so; null when the bench could not run it (`failure` says why for both). */
  verdict: string | null;
  /** summary.insufficientCause (report schema v3); null before v3 or when the verdict is not insufficient. */
  insufficientCause: string | null;
  grades: { target: string; direction: string; status: string }[];
  /** The latency grade's value (round trip p50 or one-way), ms. */
  latencyMs: number | null;
  /** load.verdict.kind, or `outcome:<reason>` when the phase gave an outcome instead; null without --load. */
  loadKind: string | null;
  /** The proxy's counts on the test's flow (probes that reached it, and those it dropped). */
  truth: { up: { probes: number; lost: number }; down: { probes: number; lost: number } } | null;
  /** The cap's throttling over the run (null uncapped). */
  throttle: { periods: number; throttledPeriods: number; throttledMs: number } | null;
  wallS: number;
  loadAverage1m: number;
  failure: string | null;
  /** A run that missed what its row wants keeps its report and evidence here (gzipped JSON, beside the raw results); absent otherwise. */
  evidenceFile?: string;
  /** The provisional answers the page showed, with each claim's `held` (absent in raw files from before they were kept). */
  provisional?: ProvisionalReportView['provisional'];
  /**
   * Upstream jitter: the report's (`directions.up.jitter.meanMs`), whether it marked the figure
   * this device's (`attribution.directions[].jitter.device`), and the proxy's own over the delays
   * it applied; absent in raw files from before it was kept.
   */
  jitterUp?: { reportedMs: number | null; device: boolean; injectedMs: number | null };
  /** What the answer says (busyAnswerOf); absent in raw files from before it was kept. */
  answer?: BusyAnswer;
}

/** What a run's answer says on top and advises, read from its report by the product's own answer (present/answer.ts). */
export interface BusyAnswer {
  /** summary.caution. */
  caution: string | null;
  /** The attribution's deviceTooBusy: this device in 10 % of a direction's evaluable 200 ms windows or more, or a 200 ms stretch. */
  deviceTooBusy: boolean;
  /** The advice's ids, in the answer's order. */
  advice: string[];
  /** Whether the answer says a claim shown during the test was withdrawn. */
  withdrawn: boolean;
  /** Likely or settled claims shown during the test that the final grade did not keep (`held: false`). */
  unheldClaims: number;
  /** How often the answers shown went from "Good so far" to "Too early to tell" (the page says why beside it). */
  goodThenUnsure: number;
}

type StoredClaims = NonNullable<ProvisionalReportView['provisional']>[number]['claims'];

/** The headline's tone read from stored claims, as present/provisional.ts headline() reads the live ones. */
function storedTone(claims: StoredClaims): 'good' | 'bad' | 'unsure' {
  if (claims.some((c) => (c.kind === 'settled-fail' && (c.metric === 'loss-15s' || c.metric === 'burst-loss-200ms')) || c.kind === 'likely-fail')) return 'bad';
  const needPass = claims.filter((c) => c.metric === 'latency-rtt' || c.metric === 'loss-15s');
  return needPass.length > 0 && needPass.every((c) => c.kind === 'likely-pass') ? 'good' : 'unsure';
}

/** How often a run's answers went from good straight to unsure. */
export function goodThenUnsure(provisional: ProvisionalReportView['provisional']): number {
  const tones = (provisional ?? []).map((a) => storedTone(a.claims));
  return tones.filter((t, i) => i > 0 && t === 'unsure' && tones[i - 1] === 'good').length;
}

/** The answer's part of a BusyRun, from the report and the product's answer view of it. */
export function busyAnswerOf(
  r: Pick<BusyReportView, 'provisional'> & { summary: { caution?: string | null }; attribution?: { deviceTooBusy?: boolean } | null },
  view: { advice: readonly { id: string }[]; withdrawn: string | null },
): BusyAnswer {
  return {
    caution: r.summary.caution ?? null,
    deviceTooBusy: r.attribution?.deviceTooBusy === true,
    advice: view.advice.map((a) => a.id),
    withdrawn: view.withdrawn !== null,
    unheldClaims: new Set(
      (r.provisional ?? [])
        .flatMap((a) => a.claims)
        .filter((c) => c.kind !== 'so-far' && c.held === false)
        .map((c) => `${c.metric} ${c.direction} ${c.kind}`),
    ).size,
    goodThenUnsure: goodThenUnsure(r.provisional),
  };
}

/** What a busy run reads of a report: any more fields are left out; `insufficientCause` may not exist (before v3). */
export interface BusyReportView {
  summary: { verdict: string; insufficientCause?: string | null };
  directions?: { up: { jitter: { meanMs: number | null } } | null };
  attribution?: { directions: { direction: string; jitter?: { device: boolean } }[] } | null;
  grades: { target: string; direction: string; status: string; value: number | null }[];
  load?: { verdict?: { kind: string }; outcome?: { reason: string } };
  provisional?: ProvisionalReportView['provisional'];
}

/** The report's part of a BusyRun. */
export function busyFigures(r: BusyReportView): Pick<BusyRun, 'verdict' | 'insufficientCause' | 'grades' | 'latencyMs' | 'loadKind' | 'provisional'> {
  const latency = r.grades.find((g) => g.target.startsWith('latency-'));
  const l = r.load;
  return {
    verdict: r.summary.verdict,
    insufficientCause: r.summary.insufficientCause ?? null,
    grades: r.grades.map((g) => ({ target: g.target, direction: g.direction, status: g.status })),
    latencyMs: latency?.value ?? null,
    loadKind: l === undefined ? null : (l.verdict?.kind ?? (l.outcome ? `outcome:${l.outcome.reason}` : null)),
    ...(r.provisional === undefined ? {} : { provisional: r.provisional }),
  };
}

/** The upstream jitter a run reads of a report, beside the proxy's own (`injectedMs`: its truth's jitterMeanMs). */
export function jitterUpOf(r: BusyReportView, injectedMs: number | null): NonNullable<BusyRun['jitterUp']> {
  return {
    reportedMs: r.directions?.up?.jitter.meanMs ?? null,
    device: r.attribution?.directions.some((d) => d.direction === 'up' && d.jitter?.device === true) ?? false,
    injectedMs,
  };
}

/** The report's jitter is right within 30 % of the injected, or 1 ms, the larger (the rule of measure/jitter.ts reportedJitter). */
const JITTER_SHARE = 0.3;
const JITTER_MS = 1;

/** Whether a run's upstream jitter is within the tolerance of the injected, or marked this device's; null without both figures. */
function jitterRight(j: BusyRun['jitterUp']): boolean | null {
  if (j === undefined || j.reportedMs === null || j.injectedMs === null) return null;
  return j.device || Math.abs(j.reportedMs - j.injectedMs) <= Math.max(JITTER_SHARE * j.injectedMs, JITTER_MS);
}

export interface BusyRowSummary {
  row: string;
  /** Runs that gave a report. */
  runs: number;
  /** Runs the bench could not run (left out of every count). */
  failedRuns: number;
  pass: number;
  /** Runs where callprobe could not test (exit 4): neither a pass nor a fail. */
  couldNotTest: number;
  fail: number;
  insufficient: number;
  /** insufficientCause -> runs ('none' where the report names none). */
  causes: Record<string, number>;
  /** load.verdict.kind (or outcome) -> runs, for --load rows. */
  loadKinds: Record<string, number>;
  suffers: number;
  /** Runs with an up-direction loss target (loss-15s, burst-loss-200ms) graded fail. */
  upLossFailed: number;
  /** The loss row: runs that found the loss (fail or insufficient, never pass). Null on a clean path. */
  lossFound: number | null;
  latencyMsMedian: number | null;
  /**
   * The jitter rows: runs whose upstream jitter was within tolerance of the injected, those
   * marked this device's (counted in `right` too), the runs with both figures, and the medians.
   * Null on the other rows.
   */
  jitter: { right: number; marked: number; judged: number; reportedMsMedian: number | null; injectedMsMedian: number | null } | null;
  /**
   * What the answers said (runs that kept it): the attribution found the device too busy, and of
   * those the caution said it on top; "Pause uploads" advised; runs with a claim not kept, and of
   * those said withdrawn; "Good so far" giving way to "Too early to tell", times. Null: none kept.
   */
  answer: { judged: number; deviceTooBusy: number; cautioned: number; pauseUploads: number; unheld: number; withdrawn: number; goodThenUnsure: number } | null;
  /** Whether the row met what is wanted (null: no runs). */
  wanted: boolean | null;
}

/**
 * Whether one run missed what its row wants: a fail or `suffers` on a clean path, a pass with
 * loss, a fail or a confident jitter off the injected on a jitter row.
 */
export function missedWanted(row: BusyRow, run: Pick<BusyRun, 'verdict' | 'loadKind' | 'jitterUp' | 'answer'>): boolean {
  if (run.verdict === null) return false;
  if (run.answer !== undefined && answerMissed(row, run.answer)) return true;
  if (row.scenario === 'jitter-up') return run.verdict === 'fail' || jitterRight(run.jitterUp) === false;
  return row.scenario === 'clean' ? run.verdict === 'fail' || run.loadKind === 'suffers' : run.verdict === 'pass';
}

/**
 * Whether a run's answer missed what is wanted on top of its verdict: a device the attribution
 * found too busy not said on top (`device-busy` caution), a claim the verdict did not keep not
 * said to be withdrawn, and on the loss-each-way row "Pause uploads" (loss only on the way out).
 */
function answerMissed(row: BusyRow, a: BusyAnswer): boolean {
  if (a.deviceTooBusy && a.caution !== 'device-busy' && a.caution !== 'fallback-path') return true;
  if (a.unheldClaims > 0 && !a.withdrawn) return true;
  return row.scenario === 'loss-both-2' && a.advice.includes('pause-uploads');
}

/** The answer tally of a row's runs that kept it (BusyRowSummary.answer); null when none did. */
function answerTally(done: readonly BusyRun[]): BusyRowSummary['answer'] {
  const kept = done.flatMap((r) => (r.answer === undefined ? [] : [r.answer]));
  if (kept.length === 0) return null;
  return {
    judged: kept.length,
    deviceTooBusy: kept.filter((a) => a.deviceTooBusy).length,
    cautioned: kept.filter((a) => a.deviceTooBusy && (a.caution === 'device-busy' || a.caution === 'fallback-path')).length,
    pauseUploads: kept.filter((a) => a.advice.includes('pause-uploads')).length,
    unheld: kept.filter((a) => a.unheldClaims > 0).length,
    withdrawn: kept.filter((a) => a.unheldClaims > 0 && a.withdrawn).length,
    goodThenUnsure: kept.reduce((n, a) => n + a.goodThenUnsure, 0),
  };
}

/** The jitter tally of a jitter row's runs (BusyRowSummary.jitter); null on the other rows. */
function jitterTally(row: BusyRow, done: readonly BusyRun[]): BusyRowSummary['jitter'] {
  if (row.scenario !== 'jitter-up') return null;
  const judged = done.filter((r) => jitterRight(r.jitterUp) !== null);
  return {
    right: judged.filter((r) => jitterRight(r.jitterUp) === true).length,
    marked: judged.filter((r) => r.jitterUp?.device === true).length,
    judged: judged.length,
    reportedMsMedian: median(judged.flatMap((r) => (r.jitterUp?.reportedMs == null ? [] : [r.jitterUp.reportedMs]))),
    injectedMsMedian: median(judged.flatMap((r) => (r.jitterUp?.injectedMs == null ? [] : [r.jitterUp.injectedMs]))),
  };
}

const count = (values: readonly string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};

/** One row's tally: wanted is 0 fail and 0 suffers on a clean path, the loss found in every run with loss. */
export function summarizeRow(row: BusyRow, runs: readonly BusyRun[]): BusyRowSummary {
  const done = runs.filter((r) => r.verdict !== null);
  const verdicts = done.map((r) => r.verdict ?? '');
  const n = (v: string): number => verdicts.filter((x) => x === v).length;
  const loadKinds = count(done.flatMap((r) => (r.loadKind === null ? [] : [r.loadKind])));
  const suffers = loadKinds['suffers'] ?? 0;
  const lossFound = row.scenario === 'loss-up' || row.scenario === 'loss-both-2' ? n('fail') + n('insufficient') : null;
  const wanted = done.length === 0 ? null : !done.some((r) => missedWanted(row, r));
  return {
    row: row.name,
    runs: done.length,
    failedRuns: runs.length - done.length,
    pass: n('pass'),
    couldNotTest: n(COULD_NOT_TEST),
    fail: n('fail'),
    insufficient: n('insufficient'),
    causes: count(done.filter((r) => r.verdict === 'insufficient').map((r) => r.insufficientCause ?? 'none')),
    loadKinds,
    suffers,
    upLossFailed: done.filter((r) =>
      r.grades.some((g) => g.direction === 'up' && (g.target === 'loss-15s' || g.target === 'burst-loss-200ms') && g.status === 'fail'),
    ).length,
    lossFound,
    latencyMsMedian: median(done.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs]))),
    jitter: jitterTally(row, done),
    answer: answerTally(done),
    wanted,
  };
}

const tally = (t: Record<string, number>): string =>
  Object.entries(t)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '–';

/** The table docs/benchmarks/accuracy.md shows: one line per row, in the order given. */
export function busyTable(rows: readonly { row: BusyRow; summary: BusyRowSummary }[]): string {
  return mdTable(
    [
      'row',
      'runs',
      'pass',
      'fail',
      'insufficient (cause)',
      'could not test',
      'busy line',
      'loss found',
      'latency p50 (median)',
      'jitter up vs injected',
      'wanted',
    ],
    rows.map(({ row, summary: s }) => [
      `\`${row.name}\``,
      s.failedRuns > 0 ? `${s.runs} (+${s.failedRuns} the bench could not run)` : String(s.runs),
      String(s.pass),
      s.fail > 0 ? `**${s.fail}**` : '0',
      s.insufficient === 0 ? '0' : `${s.insufficient} (${tally(s.causes)})`,
      String(s.couldNotTest),
      row.load ? (s.suffers > 0 ? `**suffers ${s.suffers}**; ${tally(s.loadKinds)}` : tally(s.loadKinds)) : '–',
      s.lossFound === null ? '–' : `${s.lossFound}/${s.runs} (up loss failed ${s.upLossFailed})`,
      s.latencyMsMedian === null ? '–' : `${s.latencyMsMedian.toFixed(1)} ms`,
      jitterCell(s.jitter),
      s.wanted === null ? '–' : s.wanted ? 'yes' : '**no**',
    ]),
  );
}

/** A jitter row's cell: runs right (within 30 % or 1 ms, or marked the device's) of those judged, the medians, and how many were marked. */
function jitterCell(j: BusyRowSummary['jitter']): string {
  if (j === null) return '–';
  const ms = (v: number | null): string => (v === null ? '–' : `${v.toFixed(2)} ms`);
  const right = j.right < j.judged ? `**${j.right}/${j.judged}**` : `${j.right}/${j.judged}`;
  return `${right} right (${ms(j.reportedMsMedian)} vs ${ms(j.injectedMsMedian)}; marked the device's ${j.marked})`;
}

/** What the answers said, a line per row (BusyRowSummary.answer); rows whose runs kept none are left out. */
export function busyAnswerTable(rows: readonly { row: BusyRow; summary: BusyRowSummary }[]): string {
  const kept = rows.flatMap(({ row, summary }) => (summary.answer === null ? [] : [{ row, a: summary.answer }]));
  const bold = (bad: boolean, text: string): string => (bad ? `**${text}**` : text);
  return mdTable(
    ['row', 'runs', 'device too busy: said on top', '"Pause uploads" advised', 'a claim not kept: said withdrawn', '"Good so far" then "Too early to tell"'],
    kept.map(({ row, a }) => [
      `\`${row.name}\``,
      String(a.judged),
      bold(a.cautioned < a.deviceTooBusy, `${a.cautioned}/${a.deviceTooBusy}`),
      bold(row.scenario === 'loss-both-2' && a.pauseUploads > 0, String(a.pauseUploads)),
      bold(a.withdrawn < a.unheld, `${a.withdrawn}/${a.unheld}`),
      String(a.goodThenUnsure),
    ]),
  );
}

const seconds = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

/**
 * The provisional claims of each row's runs against their final grades (bench/accuracy/provisional.ts):
 * confident claims made, contradicted (the final grade said the opposite), unconfirmed (it was
 * insufficient), and how early a clean run was told (every likely pass) and a failed run (its
 * first likely or settled fail). Runs kept before the claims were recorded count as no answer.
 */
export function busyClaimsTable(rows: readonly { row: BusyRow; runs: readonly BusyRun[] }[]): string {
  return mdTable(
    [
      'row',
      'runs with answers',
      'confident claims',
      'contradicted',
      'unconfirmed',
      'clean runs: every likely pass (median)',
      'failed runs: early fail (median)',
    ],
    rows.map(({ row, runs }) => {
      const done = runs.filter((r) => r.verdict !== null);
      const t = provisionalTally(
        done.map((r) => ({
          scenario: row.scenario,
          seed: r.seed,
          path: 'rtp',
          report: { summary: { verdict: r.verdict ?? '' }, grades: r.grades, ...(r.provisional === undefined ? {} : { provisional: r.provisional }) },
        })),
      );
      return [
        `\`${row.name}\``,
        `${t.withHistory}/${done.length}`,
        `${t.confidentClaims}${
          t.confidentClaims === 0
            ? ''
            : ` (${Object.entries(t.byKind)
                .map(([k, n]) => `${k} ${n}`)
                .join(', ')})`
        }`,
        t.contradictedClaims > 0 ? `**${t.contradictedClaims}**` : '0',
        String(t.unconfirmedClaims),
        row.scenario === 'clean' ? `${t.cleanFirstLikelyPassAtMs.length}/${t.cleanRuns} (${seconds(median(t.cleanFirstLikelyPassAtMs))})` : '–',
        `${t.failedWithEarlyFail}/${t.failedRuns} (${seconds(median(t.firstFailAtMs))})`,
      ];
    }),
  );
}
