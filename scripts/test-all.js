#!/usr/bin/env node
/**
 * `npm test`: every check of the project, then a table of how long each phase took: wall time,
 * the CPU time of its processes (user + system, from /proc: on a shared machine the two differ),
 * and the busy CPU of the whole machine while it ran (what the processes' figure misses: the
 * browsers' helpers the kernel reaped elsewhere). `node scripts/test-all.js --list` prints the
 * plan and runs nothing.
 *
 * The phases run in steps; a step's lanes run side by side, each lane's phases one after the
 * other:
 *
 *   1. lint | typecheck + build
 *   2. unit (vitest's unit, mocking and components projects: `npm run test:unit`, the inner
 *      loop), then integration (the files that start processes, PostgreSQL or a browser, or read
 *      the build), alone
 *   3. unit (timing: one file at a time, then its pairs two at a time), then e2e measurement (one
 *      test at a time, then its pairs two at a time)
 *   4. e2e functional (its workers side by side, alone on the machine)
 *   5. e2e firefox, then e2e webkitgtk
 *
 * Nothing runs beside the timing files and the measurement lane (real-clock timing, the accuracy
 * and truth runs, the verdicts of full tests) or the functional pages (full tests, port
 * timeouts): on 2 cores, the unit files beside the measurement lane, even in a cgroup at a tenth
 * of its CPU weight, timed out at 20 s, and took 6 minutes where alone they take under one.
 * A lane stops at its first failing phase; the other lanes of the step finish, and no later step
 * starts. The exit code is the first failure's. The e2e phases run in loopback-only network
 * namespaces of their own (scripts/netns-run.sh). After the table, the ten slowest test files of
 * each vitest and Playwright phase (from the runners' JSON reports), so the next cut is visible.
 */
import { spawn } from 'node:child_process';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** @typedef {'vitest' | 'playwright'} Runner */
/** @typedef {{ name: string, cmd: string[], runner?: Runner }} Phase */
/** @typedef {{ phases: Phase[] }} Lane */

/** @returns {Phase} */
const vitest = (name, ...projects) => ({ name, cmd: ['npx', 'vitest', 'run', ...projects.flatMap((p) => ['--project', p])], runner: 'vitest' });
/** @returns {Phase} */
const e2e = (name, project) => ({ name, cmd: ['scripts/netns-run.sh', 'npx', 'playwright', 'test', `--project=${project}`], runner: 'playwright' });

/** @type {Lane[][]} */
const STEPS = [
  [
    { phases: [{ name: 'lint', cmd: ['npm', 'run', '--silent', 'lint'] }] },
    { phases: [{ name: 'typecheck + build', cmd: ['npm', 'run', '--silent', 'build'] }] },
  ],
  // Alone: 4 files at a time keep both cores busy, and a starved file times out. The inner loop
  // first (it needs no build), then the files that start processes or read the build.
  [{ phases: [vitest('unit (vitest)', 'unit', 'mocking', 'components'), vitest('integration', 'integration')] }],
  [
    {
      phases: [
        vitest('unit (timing)', 'timing', 'timing-pairs'),
        // The measurement project, then its pairs in the same run (playwright.config.ts).
        e2e('e2e measurement', 'measurement-pairs'),
      ],
    },
  ],
  // Alone: its browsers need prompt CPU too (full tests, port timeouts); beside the measurement
  // lane, even at a low weight, a starved page was "a device that could not keep up". Nor does
  // the Firefox set fit beside it: there, in a clean-clone run, Firefox's clean test sent 1417 of
  // its 1500 probes (its sender starved), though one trial by hand had passed.
  [{ phases: [e2e('e2e functional', 'functional')] }],
  [
    {
      phases: [
        { name: 'e2e firefox', cmd: ['npm', 'run', '--silent', 'test:firefox', '--'], runner: 'playwright' },
        { name: 'e2e webkitgtk', cmd: ['npm', 'run', '--silent', 'test:webkit', '--'], runner: 'playwright' },
      ],
    },
  ],
];

/** CPU seconds (user + system) of this process's waited-for descendants so far (Linux /proc). */
function childrenCpuS() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5) (cutime, cstime), in clock ticks of 1/100 s.
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch (err) {
    if (err.code === 'ENOENT') return NaN; // not Linux: no CPU column
    throw err;
  }
}

/**
 * Busy CPU seconds of the whole machine since boot (user, nice, system, irq, softirq and steal of
 * /proc/stat's first line). The processes' own figure misses what their children left running and
 * the kernel reaped elsewhere (Chromium's renderers, killed servers): on this machine the
 * functional project's processes counted 4:31 of CPU where the machine was 93 % busy for 4:40.
 */
function machineBusyS() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
  } catch (err) {
    if (err.code === 'ENOENT') return NaN; // not Linux: no machine column
    throw err;
  }
}

/** m:ss, rounded to the second first (59.6 s is 1:00, never 0:60). */
const clock = (s) => {
  if (Number.isNaN(s)) return '-';
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
};

function table(rows, totalWallS, totalMachineS) {
  const lines = [
    '',
    "callprobe test phases (wall time m:ss, CPU time of the phase's processes m:ss, busy CPU of the whole machine",
    `while the phase ran m:ss, of ${availableParallelism()} cores; a step's lanes run side by side, and share its machine figure)`,
  ];
  lines.push(`  ${'step'.padEnd(5)} ${'phase'.padEnd(20)} ${'wall'.padStart(6)} ${'cpu'.padStart(6)} ${'machine'.padStart(8)}  result`);
  let cpu = 0;
  for (const r of rows) {
    cpu += Number.isNaN(r.cpuS ?? NaN) ? 0 : (r.cpuS ?? 0);
    lines.push(
      `  ${r.step.padEnd(5)} ${r.name.padEnd(20)} ${clock(r.wallS ?? NaN).padStart(6)} ${clock(r.cpuS ?? NaN).padStart(6)} ${clock(r.machineS ?? NaN).padStart(8)}  ${r.result}`,
    );
  }
  lines.push(`  ${''.padEnd(5)} ${'total'.padEnd(20)} ${clock(totalWallS).padStart(6)} ${clock(cpu).padStart(6)} ${clock(totalMachineS).padStart(8)}`);
  return lines.join('\n');
}

/** Copies `stream` to `out` line by line, each line prefixed (phases of a step side by side stay readable). */
function prefixLines(stream, out, prefix) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) out.write(`${prefix}${l}\n`);
  });
  stream.on('end', () => {
    if (rest) out.write(`${prefix}${rest}\n`);
  });
}

/** Where a phase's runner writes its JSON report. */
const reportFile = (phase) => `/tmp/callprobe-test-report-${process.pid}-${phase.name.replace(/\W+/g, '-')}.json`;

/** The phase's command, with its runner's JSON report written to `reportFile` beside its usual output. */
function withReport(phase) {
  if (phase.runner === 'vitest') return { cmd: [...phase.cmd, '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile(phase)}`], env: {} };
  if (phase.runner === 'playwright') return { cmd: [...phase.cmd, '--reporter=list,json'], env: { PLAYWRIGHT_JSON_OUTPUT_FILE: reportFile(phase) } };
  return { cmd: phase.cmd, env: {} };
}

/** Runs one phase; resolves with its exit code and times. */
function runPhase(phase, { prefix }) {
  const cpuFile = `/tmp/callprobe-test-phase-${process.pid}-${phase.name.replace(/\W+/g, '-')}`;
  const { cmd, env } = withReport(phase);
  const argv = [process.execPath, fileURLToPath(import.meta.url), '--phase', cpuFile, '--', ...cmd];
  const t0 = performance.now();
  const busy0 = machineBusyS();
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: prefix ? ['ignore', 'pipe', 'pipe'] : 'inherit', env: { ...process.env, ...env } });
    if (prefix) {
      prefixLines(child.stdout, process.stdout, prefix);
      prefixLines(child.stderr, process.stderr, prefix);
    }
    child.on('error', (err) => resolve({ code: 127, wallS: 0, cpuS: NaN, machineS: NaN, error: err.message }));
    child.on('exit', (code, signal) => {
      let cpuS = NaN;
      try {
        cpuS = Number(readFileSync(cpuFile, 'utf8'));
        unlinkSync(cpuFile);
      } catch (err) {
        if (err.code !== 'ENOENT') throw err; // the wrapper never got to write it: no CPU figure
      }
      resolve({ code: code ?? 1, signal, wallS: (performance.now() - t0) / 1000, cpuS, machineS: machineBusyS() - busy0 });
    });
  });
}

async function main() {
  const list = process.argv.includes('--list');
  const rows = [];
  const lanesOf = STEPS.map((lanes, i) =>
    lanes.map((lane) => ({
      lane,
      rows: lane.phases.map((p) => ({ step: String(i + 1), name: p.name, wallS: null, cpuS: null, machineS: null, result: 'not run' })),
    })),
  );
  for (const step of lanesOf) for (const l of step) rows.push(...l.rows);
  if (list) {
    for (const [i, lanes] of STEPS.entries()) {
      console.log(`step ${i + 1}:`);
      for (const lane of lanes) console.log(`  lane: ${lane.phases.map((p) => `${p.name} (${p.cmd.join(' ')})`).join(', then ')}`);
    }
    return;
  }

  const t0 = performance.now();
  const busy0 = machineBusyS();
  let exitCode = 0;
  for (const step of lanesOf) {
    const sideBySide = step.length > 1;
    const runLane = async (l) => {
      for (const [k, phase] of l.lane.phases.entries()) {
        const row = l.rows[k];
        console.log(`\n=== ${phase.name}: ${phase.cmd.join(' ')}${sideBySide ? ' (beside the other lane)' : ''}\n`);
        const r = await runPhase(phase, { prefix: sideBySide ? `[${phase.name}] ` : null });
        row.wallS = r.wallS;
        row.cpuS = r.cpuS;
        row.machineS = r.machineS;
        if (r.error) row.result = `could not start: ${r.error}`;
        else if (r.code !== 0) row.result = r.signal ? `FAILED (signal ${r.signal})` : `FAILED (exit ${r.code})`;
        else row.result = 'ok';
        console.log(`\n=== ${phase.name}: ${row.result} in ${clock(r.wallS)}`);
        if (r.code !== 0) {
          if (exitCode === 0) exitCode = r.code;
          return;
        }
      }
    };
    if (sideBySide) await Promise.all(step.map(runLane));
    else for (const l of step) await runLane(l);
    if (exitCode !== 0) break;
  }
  console.log(table(rows, (performance.now() - t0) / 1000, machineBusyS() - busy0));
  for (const step of STEPS) for (const lane of step) for (const phase of lane.phases) printSlowest(phase);
  process.exit(exitCode);
}

/**
 * Seconds per test file from a vitest JSON report (the file's first start to its last end) or a
 * Playwright one (the sum of its tests' runs: worker-seconds, retries included).
 */
function fileSeconds(runner, report) {
  const byFile = new Map();
  if (runner === 'vitest') {
    for (const f of report.testResults ?? []) byFile.set(f.name, (f.endTime - f.startTime) / 1000);
    return byFile;
  }
  const walk = (suite, file) => {
    const here = suite.file ?? file;
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? []) for (const r of t.results ?? []) byFile.set(here, (byFile.get(here) ?? 0) + r.duration / 1000);
    for (const inner of suite.suites ?? []) walk(inner, here);
  };
  for (const suite of report.suites ?? []) walk(suite, suite.file);
  return byFile;
}

/** The ten slowest test files of a phase that ran and left its runner's JSON report (then removed). */
function printSlowest(phase) {
  if (!phase.runner) return;
  let report;
  try {
    report = JSON.parse(readFileSync(reportFile(phase), 'utf8'));
    unlinkSync(reportFile(phase));
  } catch (err) {
    if (err.code === 'ENOENT') return; // the phase did not run, or its runner stopped before writing
    throw err;
  }
  const slowest = [...fileSeconds(phase.runner, report)].sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (slowest.length === 0) return;
  const what = phase.runner === 'vitest' ? 'wall time of each file' : 'worker time of its tests';
  console.log(`\nslowest files of ${phase.name} (${what}, s):`);
  for (const [file, sec] of slowest) console.log(`  ${sec.toFixed(1).padStart(7)}  ${relative(process.cwd(), file) || file}`);
}

/**
 * `--phase <cpu-file> -- cmd...`: run one phase's command, then write the CPU time of everything
 * it ran to cpu-file (read by the runner: phases of one step run side by side, so the runner's own
 * children's total cannot tell them apart), and exit with the command's code.
 */
if (process.argv[2] === '--phase') {
  const [cpuFile, , ...cmd] = process.argv.slice(3);
  const child = spawn(cmd[0], cmd.slice(1), { stdio: 'inherit' });
  child.on('error', (err) => {
    process.stderr.write(`could not start ${cmd[0]}: ${err.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    writeFileSync(cpuFile, String(childrenCpuS()));
    process.exit(code ?? (signal ? 128 : 1));
  });
} else {
  await main();
}
