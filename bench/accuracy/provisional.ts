/**
 * The provisional answers held to account: across the accuracy runs, every confident claim
 * (likely or settled) made while a test ran, and what the final grades said of it. Pure: it
 * reads the reports' `provisional` history and grades, and the run's scenario.
 */

/** What this tally reads of a report (a subset of the report schema). */
export interface ProvisionalReportView {
  summary: { verdict: string };
  provisional?: { atMs: number; claims: { metric: string; direction: string; kind: string; evidence: string; held: boolean | null }[] }[];
  grades: { target: string; direction: string; status: string }[];
}

export interface ProvisionalRun {
  scenario: string;
  seed: string;
  path: string;
  report: ProvisionalReportView;
}

/** A claim the final grade did not confirm: the opposite grade (contradicted), or no grade either way. */
interface UnheldClaim {
  scenario: string;
  seed: string;
  path: string;
  atMs: number;
  metric: string;
  direction: string;
  kind: string;
  evidence: string;
  finalStatus: string | null;
}

export interface ProvisionalTally {
  runs: number;
  /** Runs whose report carries a provisional history. */
  withHistory: number;
  /** Likely and settled claims, counted once per answer that showed them. */
  confidentClaims: number;
  byKind: Record<string, number>;
  /** Distinct (run, target, direction, kind): the same claim repeated answer after answer counts once. */
  distinctConfidentClaims: number;
  /** Claims (each answer's) the final grades confirmed, contradicted, or left unconfirmed. */
  held: number;
  contradictedClaims: number;
  unconfirmedClaims: number;
  /** The final grade said the opposite (a pass claim failed, a fail claim passed), or a settled window turned suspect; one entry per run, target, direction and kind. */
  contradicted: UnheldClaim[];
  /** The final grade was neither (insufficient): not confirmed, not contradicted; listed like `contradicted`. */
  unconfirmed: UnheldClaim[];
  /** Clean runs, and of them those with a likely pass on loss in every direction and on the round trip by 10 s. */
  cleanRuns: number;
  cleanLikelyPassBy10s: number;
  /** Clean runs: the first answer with all those likely passes (ms from the start of the test), per run that had one. */
  cleanFirstLikelyPassAtMs: number[];
  /** Runs whose final verdict is fail, and how many of them had a likely or settled fail while running. */
  failedRuns: number;
  failedWithEarlyFail: number;
  /** Of those, the earliest such claim per run (ms from the start of the test). */
  firstFailAtMs: number[];
  /** Earliest answer per run. */
  firstAnswerAtMs: number[];
}

const CONFIDENT = new Set(['likely-pass', 'likely-fail', 'settled-fail']);
const BY_MS = 10_000;

/** The first answer by which the round trip and the loss of every direction had each been claimed a likely pass; null if never. */
function firstFullLikelyPassAtMs(r: ProvisionalReportView): number | null {
  const directions = [...new Set(r.grades.filter((g) => g.target === 'loss-15s').map((g) => g.direction))];
  if (directions.length === 0) return null;
  const wanted = ['latency-rtt round-trip', ...directions.map((d) => `loss-15s ${d}`)];
  const seen = new Set<string>();
  for (const a of [...(r.provisional ?? [])].sort((x, y) => x.atMs - y.atMs)) {
    for (const c of a.claims) if (c.kind === 'likely-pass') seen.add(`${c.metric} ${c.direction}`);
    if (wanted.every((w) => seen.has(w))) return a.atMs;
  }
  return null;
}

/** Tallies the claims of every run; runs of `cleanScenario` (or for which it says true) are the unimpaired ones. */
export function provisionalTally(runs: readonly ProvisionalRun[], cleanScenario: string | ((scenario: string) => boolean) = 'clean'): ProvisionalTally {
  const isClean = typeof cleanScenario === 'string' ? (s: string) => s === cleanScenario : cleanScenario;
  const t: ProvisionalTally = {
    runs: runs.length,
    withHistory: 0,
    confidentClaims: 0,
    byKind: {},
    distinctConfidentClaims: 0,
    held: 0,
    contradictedClaims: 0,
    unconfirmedClaims: 0,
    contradicted: [],
    unconfirmed: [],
    cleanRuns: 0,
    cleanLikelyPassBy10s: 0,
    cleanFirstLikelyPassAtMs: [],
    failedRuns: 0,
    failedWithEarlyFail: 0,
    firstFailAtMs: [],
    firstAnswerAtMs: [],
  };
  for (const run of runs) {
    const history = run.report.provisional ?? [];
    if (history.length > 0) {
      t.withHistory++;
      t.firstAnswerAtMs.push(Math.min(...history.map((a) => a.atMs)));
    }
    const distinct = new Set<string>();
    const unheldKeys = new Set<string>();
    let firstFail: number | null = null;
    for (const answer of history) {
      for (const c of answer.claims) {
        if (!CONFIDENT.has(c.kind)) continue;
        t.confidentClaims++;
        t.byKind[c.kind] = (t.byKind[c.kind] ?? 0) + 1;
        distinct.add(`${c.metric} ${c.direction} ${c.kind}`);
        if (c.kind !== 'likely-pass' && (firstFail === null || answer.atMs < firstFail)) firstFail = answer.atMs;
        if (c.held === true) {
          t.held++;
          continue;
        }
        // Listed once per run, target, direction and kind: the first answer that made it.
        const key = `${c.metric} ${c.direction} ${c.kind}`;
        const final = run.report.grades.find((g) => g.target === c.metric && g.direction === c.direction)?.status ?? null;
        const list = final === 'insufficient' ? t.unconfirmed : t.contradicted;
        if (final === 'insufficient') t.unconfirmedClaims++;
        else t.contradictedClaims++;
        if (unheldKeys.has(key)) continue;
        unheldKeys.add(key);
        list.push({
          scenario: run.scenario,
          seed: run.seed,
          path: run.path,
          atMs: answer.atMs,
          metric: c.metric,
          direction: c.direction,
          kind: c.kind,
          evidence: c.evidence,
          finalStatus: final,
        });
      }
    }
    t.distinctConfidentClaims += distinct.size;
    if (isClean(run.scenario)) {
      t.cleanRuns++;
      const at = firstFullLikelyPassAtMs(run.report);
      if (at !== null) t.cleanFirstLikelyPassAtMs.push(at);
      if (at !== null && at <= BY_MS) t.cleanLikelyPassBy10s++;
    }
    if (run.report.summary.verdict === 'fail') {
      t.failedRuns++;
      if (firstFail !== null) {
        t.failedWithEarlyFail++;
        t.firstFailAtMs.push(firstFail);
      }
    }
  }
  return t;
}
