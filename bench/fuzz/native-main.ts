/**
 * The native fuzz (./native-fuzz.ts) as a program of its own, for a run under the sanitizers:
 * `LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 node
 * --import ./test/kit/sanitized-addons.mjs dist/bench/fuzz/native-main.js [probeCoreRuns
 * fastPathRuns seed]` (test/server/native-fuzz.test.ts runs it so). Prints one line of JSON: what
 * it covered and which of callprobe's addons this process loaded (from /proc/self/maps); exits 1,
 * with fast-check's counterexample, on a mismatch. A sanitizer's finding ends the process with
 * its own report on stderr.
 */
import { readFileSync } from 'node:fs';
import { fuzzNative } from './native-fuzz.js';

/** The callprobe addons mapped into this process (their files). */
function addonsLoaded(): string[] {
  const maps = readFileSync('/proc/self/maps', 'utf8');
  return [...new Set(maps.split('\n').flatMap((l) => /\s(\/\S*callprobe-[a-z]+\.node)$/.exec(l)?.[1] ?? []))].sort();
}

const [probeCoreRuns = '150', fastPathRuns = '20', seed = '76'] = process.argv.slice(2);
try {
  const report = await fuzzNative({ probeCoreRuns: Number(probeCoreRuns), fastPathRuns: Number(fastPathRuns), seed: Number(seed) });
  process.stdout.write(`${JSON.stringify({ ...report, addons: addonsLoaded() })}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
