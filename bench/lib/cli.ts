/**
 * A bench's command line, read before anything starts: `--help` says what the bench runs and
 * which options it takes, and an option it does not know (a typo, `-h` on a bench without it)
 * is refused with the list, never ignored while minutes of measurement go ahead. Every bench
 * takes `--write-docs`, which lib/results.ts reads. Commander does the parsing.
 */
import { Command } from 'commander';

/** An option besides `--write-docs`: commander's flags (`--runs <n>`) and what it does. */
export interface BenchOption {
  flags: string;
  description: string;
}

/**
 * Parses `argv` for the bench `script` (its npm script's name); on `--help` prints the help and
 * exits 0, on an unknown option or a stray argument prints why and exits 1. Returns the options.
 */
export function benchCommandLine(
  script: string,
  description: string,
  options: readonly BenchOption[] = [],
  argv: readonly string[] = process.argv,
): Record<string, string | boolean | undefined> {
  const cmd = new Command(`npm run ${script} --`).description(description).allowExcessArguments(false).helpOption('-h, --help', 'this text');
  for (const o of options) cmd.option(o.flags, o.description);
  cmd.option('--write-docs', "also write the tracked summary and the bench's section of its page, docs/benchmarks/<page>.md");
  cmd.parse([...argv]);
  return cmd.opts<Record<string, string | boolean | undefined>>();
}
