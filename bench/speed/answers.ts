/**
 * When the provisional answers of one `callprobe run` came: due (the report's `provisional`,
 * ms from the start of the probe stream) and printed (the CLI's stderr line, ms after the page's first
 * step, `config:`, which the page prints as the test starts). Pure.
 */

/** One stderr line of `callprobe run`, with the ms since the CLI started (bench/lib/processes.ts). */
export interface ProgressLine {
  atMs: number;
  line: string;
}

export interface AnswerTimes {
  firstDueMs: number | null;
  firstPrintedMs: number | null;
  /** The first answer with a settled fail. */
  settledDueMs: number | null;
  settledPrintedMs: number | null;
}

/** The page's first step: the test's start as the CLI sees it. */
const START = /\bconfig: /;
const ANSWER = /\bprovisional at [0-9.]+ s: /;
const SETTLED = /\bprovisional at [0-9.]+ s: Calls will break up here/;

export function answerTimes(
  progress: readonly ProgressLine[],
  history: readonly { atMs: number; claims: readonly { kind: string }[] }[] | undefined,
): AnswerTimes {
  const start = progress.find((p) => START.test(p.line))?.atMs ?? null;
  const printed = (re: RegExp): number | null => {
    const at = progress.find((p) => re.test(p.line))?.atMs;
    return at === undefined || start === null ? null : at - start;
  };
  const answers = history ?? [];
  return {
    firstDueMs: answers[0]?.atMs ?? null,
    firstPrintedMs: printed(ANSWER),
    settledDueMs: answers.find((a) => a.claims.some((c) => c.kind === 'settled-fail'))?.atMs ?? null,
    settledPrintedMs: printed(SETTLED),
  };
}
