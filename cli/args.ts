/**
 * commander's argument parsers made from the value grammars (src/protocol/values.ts and the
 * units' own): a ConfigError becomes commander's usage error, printed as one line (exit 3).
 */
import { InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../src/protocol/config-error.js';
import { BOUNDS, DEFAULTS } from '../src/protocol/defaults.js';
import { parseTurnUri } from '../src/protocol/turn-uri.js';
import { parseIntInRange, parsePortList, parseRelayPortRange } from '../src/protocol/values.js';

/** A commander argument parser from one of the value grammars (ConfigError -> commander's usage error). */
export function arg<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (err) {
      if (err instanceof ConfigError) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };
}

export const intArg = (name: string, bounds: { readonly min: number; readonly max: number }): ((v: string) => number) =>
  arg((v) => parseIntInRange(v, name, bounds));
/** A whole-number option within `bounds`, with its default: the flag's long name is read from `flags` ('--name <n>'). */
export function intOption(flags: string, description: string, bounds: { readonly min: number; readonly max: number }, defaultValue: number): Option {
  const name = flags.split(' ')[0] ?? flags;
  return new Option(flags, description).argParser(intArg(name, bounds)).default(defaultValue);
}
/**
 * --workers: 0 or 1 (one data plane per host, in the HTTP process or beside it). 2 and more are
 * refused with the way to scale: more hosts, as a hub's edges (docs/ARCHITECTURE.md).
 */
export const workersArg = arg((v): 0 | 1 => {
  const n = parseIntInRange(v, '--workers', { min: BOUNDS.workers.min, max: Number.MAX_SAFE_INTEGER });
  if (n === 0 || n === 1) return n;
  throw new ConfigError(
    'bad-value',
    `--workers must be ${BOUNDS.workers.min} or ${BOUNDS.workers.max}, not "${v}": callprobe runs one data plane per host; to test more at once, add hosts as edges of a hub (serve --hub, docs/regions.md)`,
  );
});
export const portsArg = arg(parsePortList);
export const rangeArg = (name: string): ((v: string) => { min: number; max: number }) => arg((v) => parseRelayPortRange(v, name));
export const rangeText = `${DEFAULTS.relayPortRange.min}-${DEFAULTS.relayPortRange.max}`;
export const portsText = (ports: readonly number[]): string => ports.join(',');

/** A comma-separated list, blanks dropped. */
export function listArg(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export const turnUrisArg = arg((v: string) => listArg(v).map(parseTurnUri));
