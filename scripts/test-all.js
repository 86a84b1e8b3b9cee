#!/usr/bin/env node
/**
 * `npm test`: every check of the project, one phase after the other, stopping at the first that
 * fails (with its exit code), then a table of how long each phase took: wall time, and the CPU
 * time of its processes (user + system, from /proc: on a shared machine the two differ).
 *
 * Phases: lint; typecheck and build; unit tests (vitest); the e2e functional project (its workers
 * side by side); the e2e measurement project (alone); the Firefox set (npm run test:firefox:
 * Firefox ESR in a namespace of its own, e2e/engines/firefox.engine.ts); WebKitGTK, which has no
 * WebRTC, told so (npm run test:webkit). The e2e phases run in a loopback-only network namespace
 * (scripts/netns-run.sh). `node scripts/test-all.js --list` prints the phases and runs nothing.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** @type {{ name: string, cmd: string[], when?: () => string | null }[]} */
const PHASES = [
  { name: 'lint', cmd: ['npm', 'run', '--silent', 'lint'] },
  { name: 'typecheck + build', cmd: ['npm', 'run', '--silent', 'build'] },
  { name: 'unit (vitest)', cmd: ['npx', 'vitest', 'run'] },
  { name: 'e2e functional', cmd: ['scripts/netns-run.sh', 'npx', 'playwright', 'test', '--project=functional'] },
  { name: 'e2e measurement', cmd: ['scripts/netns-run.sh', 'npx', 'playwright', 'test', '--project=measurement'] },
  { name: 'e2e firefox', cmd: ['npm', 'run', '--silent', 'test:firefox'] },
  { name: 'e2e webkitgtk', cmd: ['npm', 'run', '--silent', 'test:webkit'] },
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

const clock = (s) => (Number.isNaN(s) ? '-' : `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`);

function table(rows) {
  const lines = ['', "callprobe test phases (wall time m:ss, CPU time of the phase's processes m:ss)"];
  lines.push(`  ${'phase'.padEnd(20)} ${'wall'.padStart(6)} ${'cpu'.padStart(6)}  result`);
  let wall = 0;
  let cpu = 0;
  for (const r of rows) {
    wall += r.wallS ?? 0;
    cpu += r.cpuS ?? 0;
    lines.push(`  ${r.name.padEnd(20)} ${clock(r.wallS ?? NaN).padStart(6)} ${clock(r.cpuS ?? NaN).padStart(6)}  ${r.result}`);
  }
  lines.push(`  ${'total'.padEnd(20)} ${clock(wall).padStart(6)} ${clock(cpu).padStart(6)}`);
  return lines.join('\n');
}

if (process.argv.includes('--list')) {
  for (const p of PHASES) console.log(`${p.name}: ${p.cmd.join(' ')}${p.when?.() ? ` (not run: ${p.when()})` : ''}`);
  process.exit(0);
}

const rows = PHASES.map((p) => ({ name: p.name, wallS: null, cpuS: null, result: 'not run' }));
let exitCode = 0;
for (const [i, phase] of PHASES.entries()) {
  const row = rows[i];
  const skip = phase.when?.() ?? null;
  if (skip !== null) {
    row.result = `not wired: ${skip}`;
    continue;
  }
  console.log(`\n=== ${phase.name}: ${phase.cmd.join(' ')}\n`);
  const cpu0 = childrenCpuS();
  const t0 = performance.now();
  const r = spawnSync(phase.cmd[0], phase.cmd.slice(1), { stdio: 'inherit' });
  row.wallS = (performance.now() - t0) / 1000;
  row.cpuS = childrenCpuS() - cpu0;
  if (r.error) {
    row.result = `could not start: ${r.error.message}`;
    exitCode = 127;
  } else if (r.status !== 0) {
    row.result = r.signal ? `FAILED (signal ${r.signal})` : `FAILED (exit ${r.status})`;
    exitCode = r.status ?? 1;
  } else {
    row.result = 'ok';
  }
  if (exitCode !== 0) break;
}
console.log(table(rows));
process.exit(exitCode);
