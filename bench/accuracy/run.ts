/**
 * npm run bench:accuracy: callprobe's numbers against a known, counted impairment, side by
 * side with irtt over the same proxy. For each scenario (bench/accuracy/scenarios.ts) and
 * several seeds: a real headless test (`callprobe run --json`) through the proxy, and irtt
 * through the same proxy settings. Writes bench/results/accuracy-<date>.json and updates
 * the accuracy section of docs/benchmarks.md.
 *
 * Env: SEEDS (default 3), SCENARIOS (comma-separated names, default all), DURATION_S (15),
 * IRTT=0 to skip irtt. Loopback only (run inside scripts/netns-run.sh); bounded: each run is
 * DURATION_S plus set-up, with hard timeouts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { median } from '../lib/processes.js';
import { machineInfo, writeResults } from '../lib/results.js';
import { mdTable, updateBenchmarksDoc } from '../lib/docs.js';
import type { IrttSummary } from '../impair/irtt.js';
import { AccuracyHarness, type CallprobeFigures } from './harness.js';
import { compare, type MetricRow } from './compare.js';
import { SCENARIOS, type AccuracyScenario } from './scenarios.js';
import type { FlowTruthMetrics } from './truth.js';

const SEEDS = Number(process.env['SEEDS'] ?? 3);
const DURATION_S = Number(process.env['DURATION_S'] ?? 15);
const WITH_IRTT = process.env['IRTT'] !== '0';
const ONLY = process.env['SCENARIOS']?.split(',').map((s) => s.trim());

interface SeedRun {
  seed: string;
  callprobe: CallprobeFigures;
  callprobeTruth: FlowTruthMetrics;
  irtt: IrttSummary | null;
  irttTruth: FlowTruthMetrics | null;
  rows: MetricRow[];
}

const fmt = (v: number | null, digits = 2): string => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits));

function spread(values: (number | null)[], digits = 2): string {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return '–';
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return lo === hi ? fmt(lo, digits) : `${fmt(lo, digits)}..${fmt(hi, digits)}`;
}

function scenarioTable(runs: SeedRun[]): string {
  const first = runs[0];
  if (!first) return '';
  const rows = first.rows.map((r, k) => {
    const same = runs.map((x) => x.rows[k]).filter((x): x is MetricRow => x !== undefined);
    const digits = r.unit === 'packets' ? 0 : 2;
    const ok = (pick: (m: MetricRow) => string): string => {
      const graded = same.filter((m) => pick(m) !== 'n/a');
      return graded.length === 0 ? '–' : `${graded.filter((m) => pick(m) === 'ok').length}/${graded.length}`;
    };
    return [
      `${r.metric} ${r.direction}`,
      r.unit,
      spread(
        same.map((m) => m.truth),
        digits,
      ),
      spread(
        same.map((m) => m.callprobe),
        digits,
      ),
      spread(
        same.map((m) => m.callprobeError),
        digits,
      ),
      ok((m) => m.callprobeVerdict),
      spread(
        same.map((m) => m.irttTruth),
        digits,
      ),
      spread(
        same.map((m) => m.irtt),
        digits,
      ),
      spread(
        same.map((m) => m.irttError),
        digits,
      ),
      ok((m) => m.irttVerdict),
      r.tolerance,
    ];
  });
  return mdTable(
    ['metric', 'unit', 'truth', 'callprobe', 'callprobe error', 'in tolerance', 'irtt truth', 'irtt', 'irtt error', 'in tolerance', 'tolerance'],
    rows,
  );
}

async function main(): Promise<void> {
  const scenarios: AccuracyScenario[] = SCENARIOS.filter((s) => !ONLY || ONLY.includes(s.name));
  const clean = SCENARIOS.find((s) => s.name === 'clean');
  if (!clean) throw new Error('no clean scenario');
  const harness = await AccuracyHarness.start({ httpPort: 18093, relayPort: 3478, proxyPort: 13478, durationS: DURATION_S });
  const raw = new Map<string, Omit<SeedRun, 'rows'>[]>();
  const started = Date.now();
  try {
    // The clean runs come first: they give each tool's unimpaired path RTT.
    const order = [clean, ...scenarios.filter((s) => s !== clean)];
    for (const s of order) {
      const runs: Omit<SeedRun, 'rows'>[] = [];
      for (let i = 1; i <= SEEDS; i++) {
        const seed = `${s.name}-${i}`;
        const cp = await harness.runCallprobe(s, seed);
        const ir = WITH_IRTT ? await harness.runIrtt(s, seed) : null;
        runs.push({ seed, callprobe: cp.figures, callprobeTruth: cp.truth, irtt: ir?.irtt ?? null, irttTruth: ir?.truth ?? null });
        // Keep the packet-level evidence of every run (bench/results/raw/ is not committed).
        mkdirSync('bench/results/raw', { recursive: true });
        writeFileSync(`bench/results/raw/accuracy-${seed}.json`, JSON.stringify({ report: cp.report, truth: cp.rawTruth }));
        process.stderr.write(
          `${seed}: callprobe rtt p50 ${fmt(cp.figures.rttMsP50)} ms, lost up/down ${cp.figures.up.packetsLost}/${cp.figures.down.packetsLost} (truth ${cp.truth.up.lost}/${cp.truth.down.lost}); ` +
            `irtt rtt ${fmt(ir?.irtt.rtt.medianMs ?? null)} ms, lost ${ir?.irtt.lostUpSeqnos.length ?? '–'}/${ir?.irtt.lostDownSeqnos.length ?? '–'} (truth ${ir?.truth.up.lost ?? '–'}/${ir?.truth.down.lost ?? '–'})\n`,
        );
      }
      raw.set(s.name, runs);
    }
  } finally {
    await harness.stop();
  }
  const cleanRuns = raw.get('clean') ?? [];
  const bases = {
    callprobeRttMs: median(cleanRuns.map((r) => r.callprobe.rttMsP50).filter((v): v is number => v !== null)) ?? 0,
    irttRttMs: median(cleanRuns.map((r) => r.irtt?.rtt.medianMs ?? null).filter((v): v is number => v !== null)) ?? 0,
  };
  const results = [...raw.entries()].map(([name, runs]) => ({
    name,
    description: SCENARIOS.find((s) => s.name === name)?.description ?? '',
    runs: runs.map((r): SeedRun => ({ ...r, rows: compare(r.callprobe, r.callprobeTruth, r.irtt, r.irttTruth, bases) })),
  }));
  const all = results.flatMap((r) => r.runs.flatMap((x) => x.rows));
  const graded = all.filter((r) => r.callprobeVerdict !== 'n/a');
  const summary = {
    scenarios: results.length,
    seeds: SEEDS,
    durationS: DURATION_S,
    bases,
    callprobeWithinTolerance: `${graded.filter((r) => r.callprobeVerdict === 'ok').length}/${graded.length}`,
    irttWithinTolerance: `${all.filter((r) => r.irttVerdict === 'ok').length}/${all.filter((r) => r.irttVerdict !== 'n/a').length}`,
    outOfTolerance: graded
      .filter((r) => r.callprobeVerdict === 'out')
      .map(
        (r) =>
          `${results.find((x) => x.runs.some((y) => y.rows.includes(r)))?.name}: ${r.metric} ${r.direction} truth ${fmt(r.truth)} callprobe ${fmt(r.callprobe)}`,
      ),
    wallMinutes: (Date.now() - started) / 60_000,
  };
  const file = writeResults('accuracy', { command: 'npm run bench:accuracy', machine: machineInfo(), summary, scenarios: results });
  const md = [
    `### Accuracy against the impairment proxy's truth (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Command: \`npm run bench:accuracy\` (${results.length} scenarios x ${SEEDS} seeds, ${DURATION_S} s tests at 100 probes/s, 160-byte payloads; irtt \`-i 10ms -l 160 -d ${DURATION_S}s\` through the same proxy settings). Raw data: \`${file}\`.`,
    '',
    `callprobe within tolerance: **${summary.callprobeWithinTolerance}** graded comparisons; irtt: ${summary.irttWithinTolerance} (irtt has no RFC 3550 J, no per-direction reorder). Clean-path RTT p50 (the base added to each truth): callprobe ${fmt(bases.callprobeRttMs)} ms, irtt ${fmt(bases.irttRttMs)} ms.`,
    '',
    'Each cell shows the range over the seeds. "error" is tool minus its own truth.',
    '',
    ...results.flatMap((r) => [`#### ${r.name}`, '', r.description, '', scenarioTable(r.runs), '']),
  ].join('\n');
  updateBenchmarksDoc('accuracy', md);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\nwritten to ${file} and docs/benchmarks.md\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:accuracy failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
