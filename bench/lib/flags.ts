/** A bench's command-line flags: the one reader of `--flag N` integers every bench mode shares. */
import { BenchError } from './processes.js';

/** The integer after `flag` in `args`, `fallback` without the flag; a BenchError when it is not an integer in min..max. */
export function intFlag(args: readonly string[], flag: string, fallback: number, min: number, max: number): number {
  const i = args.indexOf(flag);
  if (i < 0) return fallback;
  const text = args[i + 1];
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max) throw new BenchError(`${flag} must be an integer ${min}..${max}, got ${String(text)}`);
  return v;
}
