#!/usr/bin/env node
/**
 * callprobe impairment proxy CLI.
 *
 *   node dist/bench/impair/cli.js --listen 127.0.0.1:13478 --target 127.0.0.1:3478 \
 *     --delay-ms 40 --jitter-ms 5 --loss-pct 2 --seed s1 --duration 60 --truth out.json
 *   node dist/bench/impair/cli.js --listen 127.0.0.1:13478-13481 --target 127.0.0.1:3478-3481 \
 *     --scenario scenario.json --duration 60 --truth out.json
 *
 * Stops after --duration seconds (default 600) or on SIGINT/SIGTERM, then writes the truth.
 * Exit codes: 0 ok, 2 bad configuration, 1 runtime failure.
 */
import { readFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import { pairListenTargets } from './address.js';
import { ImpairConfigError } from './errors.js';
import { DEFAULT_DURATION_MS, MAX_DURATION_MS, startImpairProxy } from './proxy.js';
import type { JitterOracle, TransitJitterFn } from './recorder.js';
import { parseScenario, type ImpairmentScenario } from './scenario.js';
import { hasImpairmentFlags, scenarioFromFlags, type ImpairmentFlags } from './scenario-flags.js';
import type { Truth } from './truth-types.js';

interface CliOptions extends ImpairmentFlags {
  listen: string[];
  target: string[];
  scenario?: string;
  seed?: string;
  duration: string;
  truth: string;
  truthJitter?: string;
  wakeEarlyMs?: string;
  maxFlows?: string;
  nice?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function program(): Command {
  return new Command('impair')
    .description('Seeded UDP impairment proxy (loopback only) that records exactly what it did')
    .requiredOption('--listen <host:port[-last]>', 'listen address (repeatable; ranges allowed)', collect, [])
    .requiredOption('--target <host:port[-last]>', 'target for the listen address of the same rank', collect, [])
    .option('--scenario <file>', 'impairment scenario JSON (excludes the impairment flags)')
    .option('--seed <seed>', 'PRNG seed (overrides the scenario seed; required one way or the other)')
    .option('--duration <seconds>', 'stop after this long (bounded run)', String(DEFAULT_DURATION_MS / 1000))
    .requiredOption('--truth <file>', 'write the truth JSON here on exit')
    .option('--truth-jitter <module#export>', 'RFC 3550 transit-jitter function (transitMs: number[]) => number for the truth-jitter oracle')
    .option('--wake-early-ms <ms>', 'release timer wakes this early, then spins')
    .option('--max-flows <n>', 'client 5-tuples accepted')
    .option('--nice <n>', 'set this process priority (-20..19; negative needs root): fewer late releases on a busy machine')
    .addOption(new Option('--direction <dir>', 'direction the impairment flags apply to').choices(['both', 'up', 'down']))
    .option('--delay-ms <ms>', 'fixed delay')
    .option('--jitter-ms <ms>', 'uniform jitter +- ms')
    .option('--jitter-normal-ms <sigma>', 'normal jitter, sigma ms (truncated at delay 0)')
    .option('--allow-reorder', 'let jitter reorder packets (default: release = max(own, previous))')
    .option('--loss-pct <pct>', 'Bernoulli loss, percent')
    .option('--ge <p,r[,lossBad,lossGood]>', 'Gilbert-Elliott loss, per-packet probabilities')
    .option('--burst-every <k/N>', 'drop k consecutive packets every N')
    .option('--reorder-pct <pct>', 'hold back this percent of packets')
    .option('--reorder-gap-ms <ms>', 'hold time (default 10)')
    .option('--reorder-gap-packets <k>', 'hold until k later packets passed (instead of --reorder-gap-ms)')
    .option('--dup-pct <pct>', 'duplicate this percent of packets')
    .option('--dup-gap-ms <ms>', 'second copy after this long (default 1)')
    .option('--rate-kbps <kbps>', 'bottleneck rate, kbit/s')
    .option('--queue-bytes <bytes>', 'bottleneck queue capacity in bytes')
    .option('--queue-packets <n>', 'bottleneck queue capacity in packets')
    .option('--start-after-ms <ms>', 'impair only after this long since the flow began')
    .option('--start-after-packets <n>', 'impair only after the first n datagrams of each direction')
    .option('--start-after-probe', 'impair from the first probe-size datagram of each direction')
    .option('--probe-sizes <min-max>', 'probe datagram size class, bytes')
    .option('--learn-probe-size <n>', 'learn the probe size from the first n impaired datagrams');
}

async function loadScenario(o: CliOptions): Promise<ImpairmentScenario> {
  const { listen: _l, target: _t, scenario, seed: _s, duration: _d, truth: _tr, truthJitter: _j, wakeEarlyMs: _w, maxFlows: _m, nice: _n, ...flags } = o;
  if (scenario === undefined) return scenarioFromFlags(flags);
  if (hasImpairmentFlags(flags)) {
    throw new ImpairConfigError('bad-flag', '--scenario excludes the impairment flags: put every setting in the file');
  }
  let text: string;
  try {
    text = await readFile(scenario, 'utf8');
  } catch (error) {
    throw new ImpairConfigError('bad-scenario', `cannot read scenario ${scenario}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ImpairConfigError('bad-scenario', `${scenario} is not JSON: ${(error as Error).message}`);
  }
  return parseScenario(json, scenario);
}

/** "path/to/module.js#exportName" (default export name "rfc3550JitterMs"). */
async function loadJitter(spec: string): Promise<JitterOracle> {
  const [file = '', exportName = 'rfc3550JitterMs'] = spec.split('#');
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ImpairConfigError('bad-flag', `--truth-jitter: cannot import ${file}: ${(error as Error).message}`);
  }
  const fn = module[exportName];
  if (typeof fn !== 'function') throw new ImpairConfigError('bad-flag', `--truth-jitter: ${file} has no function export "${exportName}"`);
  return { fn: fn as TransitJitterFn, name: spec };
}

function num(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new ImpairConfigError('bad-flag', `--${flag} ${text}: expected a number >= 0`);
  return value;
}

function summary(truth: Truth): string {
  const { up, down } = truth.totals;
  const e = truth.timing.errorMs;
  return (
    `impair: stopped (${truth.stopReason}) after ${(truth.durationMs / 1000).toFixed(1)} s, ${truth.flows.length} flow(s); ` +
    `up in ${up.packetsIn} fwd ${up.forwarded} drop ${up.droppedTotal} dup ${up.duplicated}; ` +
    `down in ${down.packetsIn} fwd ${down.forwarded} drop ${down.droppedTotal} dup ${down.duplicated}; ` +
    `timing error p50 ${e.p50?.toFixed(3) ?? '-'} p99 ${e.p99?.toFixed(3) ?? '-'} max ${e.max?.toFixed(3) ?? '-'} ms`
  );
}

export async function main(argv: string[]): Promise<number> {
  const o = program().parse(argv).opts<CliOptions>();
  const durationS = num('duration', o.duration) ?? 0;
  if (!(durationS > 0 && durationS * 1000 <= MAX_DURATION_MS)) {
    throw new ImpairConfigError('unbounded-duration', `--duration ${o.duration}: expected seconds in (0, ${MAX_DURATION_MS / 1000}]`);
  }
  const scenario = await loadScenario(o);
  if (o.nice !== undefined) {
    const nice = Number(o.nice);
    if (!Number.isInteger(nice) || nice < -20 || nice > 19) throw new ImpairConfigError('bad-flag', `--nice ${o.nice}: expected an integer in [-20, 19]`);
    try {
      setPriority(nice);
    } catch (error) {
      throw new ImpairConfigError('bad-flag', `--nice ${o.nice}: cannot set priority: ${(error as Error).message}`);
    }
  }
  const proxy = await startImpairProxy({
    pairs: pairListenTargets(o.listen, o.target),
    scenario,
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    durationMs: durationS * 1000,
    truthPath: o.truth,
    ...(o.truthJitter !== undefined ? { jitter: await loadJitter(o.truthJitter) } : {}),
    ...(o.wakeEarlyMs !== undefined ? { wakeEarlyMs: num('wake-early-ms', o.wakeEarlyMs) ?? 2 } : {}),
    ...(o.maxFlows !== undefined ? { maxFlows: num('max-flows', o.maxFlows) ?? 64 } : {}),
  });
  const onSignal = () => void proxy.stop('signal');
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  console.error(`impair: listening on ${proxy.listen.map((l) => `${l.host}:${l.port}`).join(', ')}; truth -> ${o.truth}`);
  const truth = await proxy.done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  console.error(summary(truth));
  return 0;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`impair: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof ImpairConfigError ? 2 : 1;
  },
);
