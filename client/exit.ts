/**
 * How every callprobe command ends: the one map from a verdict or an error to the exit code,
 * and the one line printed for an error.
 * 0 every graded target met, 1 a target missed (or calls cannot connect: the network blocked
 * every port Teams uses, UDP 3478-3481 and TCP/TLS 443), 2 too little evidence, 3 usage error (a
 * bad flag, URI or file; a port that will not bind), 4 could not test (no connection, the
 * connection lost mid-test, the server not reachable), 5 passed only over a fallback path
 * (every target met, but UDP to the relay did not answer and media went over TCP or TLS;
 * summary.caution "fallback-path"): a scheduler tells them apart.
 */
import { CommanderError } from 'commander';
import type { Caution, Verdict } from '../src/analysis/schema/report-schema.js';
import { ConfigError } from '../src/protocol/config-error.js';

export const EXIT = { pass: 0, fail: 1, insufficient: 2, usage: 3, cannotTest: 4, passFallback: 5 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const EXIT_FOR_VERDICT: Readonly<Record<Verdict, ExitCode>> = { pass: EXIT.pass, fail: EXIT.fail, insufficient: EXIT.insufficient };

/** How a command ended. */
export type Outcome =
  /**
   * A graded report (run) or aggregate; `cutShort` when the test could not finish (report.outcome):
   * no verdict, unless the network blocked every port calls use (then `fail`); `caution` its summary.caution.
   */
  | { verdict: Verdict; cutShort?: boolean; caution?: Caution | null }
  /** The page could not test; its reason from the headless contract (src/protocol/headless.ts). */
  | { notTested: string }
  /** Something was thrown. */
  | { error: unknown };

export function exitCodeFor(outcome: Outcome): ExitCode {
  if ('verdict' in outcome) {
    // A test cut short has no verdict, except the one it can give: calls cannot connect from this network (grade/blocked-ports.ts).
    if (outcome.cutShort) return outcome.verdict === 'fail' ? EXIT.fail : EXIT.cannotTest;
    return outcome.verdict === 'pass' && outcome.caution === 'fallback-path' ? EXIT.passFallback : EXIT_FOR_VERDICT[outcome.verdict];
  }
  if ('notTested' in outcome) return outcome.notTested === 'bad-parameters' ? EXIT.usage : EXIT.cannotTest;
  const err = outcome.error;
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.pass : EXIT.usage;
  if (err instanceof ConfigError) return EXIT.usage;
  return EXIT.cannotTest;
}

/**
 * One printable line: newlines folded, control characters (terminal escapes included) shown
 * as \xNN, so a flag value cannot write to the terminal.
 */
export function oneLine(text: string): string {
  const folded = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return Array.from(folded, visible).join('');
}

/** C0 and C1 control characters (ESC starts every terminal escape) as \xNN; anything else as is. */
function visible(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) ? `\\x${code.toString(16).padStart(2, '0')}` : c;
}

/** What the CLI prints for an error, without the trailing newline: one line for usage errors. */
export function errorText(err: unknown): string {
  if (err instanceof CommanderError) return `callprobe: ${oneLine(err.message.replace(/^error: /, ''))} (see --help)`;
  if (err instanceof ConfigError) return `callprobe: ${oneLine(err.message)}`;
  const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  // A fault keeps its stack (several lines) for the bug report, still without control characters.
  return `callprobe: ${text.split('\n').map(oneLine).join('\n')}`;
}
