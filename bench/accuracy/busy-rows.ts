/**
 * The accuracy bench's busy-device rows, as data, and their tally (pure). A row is the clean
 * loopback path (or 3 % upstream loss, the proxy's seeded impairment) with the device made busy
 * in a repeatable way: the browser capped at a share of one core (bench/lib/cpu-cap.ts), or one
 * CPU-bound process per core beside the test (bench/lib/cpu-hogs.ts); with or without the busy
 * line (`callprobe run --load`). What is wanted: no `fail` and no `suffers` on a clean path (a
 * busy device is not the network), and the loss found where it is there (`fail` or
 * `insufficient`, never `pass`).
 */
import { mdTable } from '../lib/docs.js';
import { median } from '../lib/median.js';
import { provisionalTally, type ProvisionalReportView } from './provisional.js';

export interface BusyRow {
  name: string;
  description: string;
  /** The accuracy scenario the proxy plays (bench/accuracy/scenarios.ts): 'clean' or 'loss-up'. */
  scenario: 'clean' | 'loss-up';
  /** The browser's cap, % of one core; null: not capped. */
  capPct: number | null;
  /** One CPU-bound process per core beside the test. */
  hogs: boolean;
  /** `callprobe run --load`: the busy line after the idle window. */
  load: boolean;
}

const capRow = (pct: number, load: boolean): BusyRow => ({
  name: `${load ? 'load-' : ''}cap-${pct}`,
  description: `${load ? 'The busy line (`--load`) on the clean loopback path' : 'Clean loopback path'}, the browser capped at ${pct} % of one core (10 ms CFS period).`,
  scenario: 'clean',
  capPct: pct,
  hogs: false,
  load,
});

const hogRow = (load: boolean): BusyRow => ({
  name: `${load ? 'load-' : ''}hogs`,
  description: `${load ? 'The busy line (`--load`) on the clean loopback path' : 'Clean loopback path'}, one CPU-bound process per core beside the test (browser and server uncapped).`,
  scenario: 'clean',
  capPct: null,
  hogs: true,
  load,
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
    hogs: false,
    load: false,
  },
  capRow(10, true),
  capRow(20, true),
  capRow(35, true),
  hogRow(true),
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
}

/** What a busy run reads of a report: any more fields are left out; `insufficientCause` may not exist (before v3). */
export interface BusyReportView {
  summary: { verdict: string; insufficientCause?: string | null };
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
  /** Whether the row met what is wanted (null: no runs). */
  wanted: boolean | null;
}

/** Whether one run missed what its row wants: a fail or `suffers` on a clean path, a pass with loss. */
export function missedWanted(row: BusyRow, run: Pick<BusyRun, 'verdict' | 'loadKind'>): boolean {
  if (run.verdict === null) return false;
  return row.scenario === 'clean' ? run.verdict === 'fail' || run.loadKind === 'suffers' : run.verdict === 'pass';
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
  const lossFound = row.scenario === 'loss-up' ? n('fail') + n('insufficient') : null;
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
    wanted,
  };
}

const tally = (t: Record<string, number>): string =>
  Object.entries(t)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '–';

/** The table docs/benchmarks.md shows: one line per row, in the order given. */
export function busyTable(rows: readonly { row: BusyRow; summary: BusyRowSummary }[]): string {
  return mdTable(
    ['row', 'runs', 'pass', 'fail', 'insufficient (cause)', 'could not test', 'busy line', 'loss found', 'latency p50 (median)', 'wanted'],
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
      s.wanted === null ? '–' : s.wanted ? 'yes' : '**no**',
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
