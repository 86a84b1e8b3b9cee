/**
 * The C that reads network bytes, fuzzed against its JavaScript oracle (bench/fuzz/native-fuzz.ts:
 * the probe core over our SRTP, and the relay's fast path with it as its peer, on arbitrary
 * packets and datagrams): in this process on the addons as built, then in a process of its own on
 * their second build, with AddressSanitizer and UndefinedBehaviorSanitizer (scripts/build-native.js
 * builds it beside the shipped one), which must report nothing. Skipped where the addons or that
 * build are missing, and failed for it in CI (test/kit/requires.ts).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzzNative } from '../../bench/fuzz/native-fuzz.js';
import { repoRoot } from '../kit/paths.js';
import { needBuilt, skipReason, type Need } from '../kit/requires.js';

const shipped = ['callprobe-udp.node', 'callprobe-srtp.node'].map((f) => join(repoRoot, 'dist', 'native', f));
const sanitized = ['callprobe-udp.node', 'callprobe-srtp.node'].map((f) => join(repoRoot, 'dist', 'native-sanitized', f));
const MAIN = join(repoRoot, 'dist', 'bench', 'fuzz', 'native-main.js');

/** gcc's AddressSanitizer runtime, preloaded into node for an addon built with it. */
function libasan(): Need & { path: string } {
  const r = spawnSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' });
  const path = r.status === 0 ? r.stdout.trim() : '';
  return { tool: 'gcc (libasan)', path, missing: path.startsWith('/') && existsSync(path) ? null : 'gcc has no AddressSanitizer runtime (libasan)' };
}

describe.skipIf(skipReason('the native fuzz', shipped.map(needBuilt)) !== null)('the native fuzz', () => {
  it('the probe core and the relay fast path agree with their JavaScript oracle on arbitrary packets and datagrams', async () => {
    const report = await fuzzNative({ probeCoreRuns: 200, fastPathRuns: 40, seed: 76 });
    console.log(`native fuzz, the addons as built: ${JSON.stringify(report)}`);
    // The runs reach every outcome: echoes, datagrams taken and answered, and datagrams left to JavaScript.
    expect(report.probeCoreEchoes).toBeGreaterThan(100);
    expect(report.fast.answered).toBeGreaterThan(10);
    expect(report.fast.toJs).toBeGreaterThan(10);
    expect(report.fast.taken - report.fast.answered).toBeGreaterThan(0);
  });
});

/** Runs a program to its end: its exit status (or the signal that ended it) and its output. */
function run(
  file: string,
  args: string[],
  o: { cwd: string; timeout: number; env: NodeJS.ProcessEnv },
): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { ...o, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; signal?: NodeJS.Signals | null }) | null;
      resolve({ status: e === null ? 0 : typeof e.code === 'number' ? e.code : null, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

const asan = libasan();
const why = skipReason('the native fuzz under the sanitizers', [...sanitized.map(needBuilt), needBuilt(MAIN), asan]);

describe.skipIf(why !== null)('the native fuzz under AddressSanitizer and UndefinedBehaviorSanitizer', () => {
  // A process of its own under the sanitizers: about 5 s alone, several times that beside other files on 2 cores.
  it('runs the fuzz on the sanitized build of both addons: no finding', { timeout: 120_000 }, async () => {
    const r = await run(process.execPath, ['--import', pathToFileURL(join(repoRoot, 'test', 'kit', 'sanitized-addons.mjs')).href, MAIN, '120', '30', '77'], {
      cwd: repoRoot,
      timeout: 100_000,
      env: {
        ...process.env,
        LD_PRELOAD: asan.path,
        ASAN_OPTIONS: 'detect_leaks=0:halt_on_error=1',
        UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
      },
    });
    const findings = /ERROR: AddressSanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior)Sanitizer/.exec(r.stderr);
    expect(r.signal, r.stderr.slice(0, 4000)).toBeNull();
    expect(findings, r.stderr.slice(0, 4000)).toBeNull();
    expect(r.status, r.stderr.slice(0, 4000)).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { addons?: string[]; fast?: { answered: number } };
    console.log(`native fuzz under the sanitizers: ${r.stdout.trim()}`);
    // The sanitized build ran, not the shipped one.
    expect(out.addons).toEqual(sanitized.slice().sort());
    expect(out.fast?.answered).toBeGreaterThan(10);
  });
});
