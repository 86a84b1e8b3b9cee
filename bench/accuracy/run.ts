/**
 * npm run bench:accuracy: callprobe's numbers against a known, counted impairment, side by
 * side with irtt over the same proxy. For each scenario (bench/accuracy/scenarios.ts) and
 * several seeds: a real headless test (`callprobe run --json`) through the proxy on the RTP
 * path (the default server), the same test on the data-channel path (a second server with
 * `--no-rtp`), and irtt through the same proxy settings. Writes its raw results to
 * bench/results/raw/ (accuracy-<date>.json, and the packet-level evidence of every run); with
 * `--write-docs` also the summary bench/results/accuracy-<date>.summary.json and the accuracy
 * section of docs/benchmarks/accuracy.md.
 *
 * Env: SEEDS (default 3), DC_SEEDS (data-channel seeds, default SEEDS; 0 skips that path),
 * SCENARIOS (comma-separated names, default all), DURATION_S (15), IRTT=0 to skip irtt,
 * DATA_PATH (native or portable: the servers' `serve --data-path`; default the server's, auto).
 * PUBLISH=provisional publishes only the provisional answers' tally (bench/results/provisional-<date>
 * and its own section of docs/benchmarks/accuracy.md), so a run with fewer seeds leaves the accuracy
 * section and summary as they were.
 * `--rows <names|all> [--runs N]` runs the busy-device rows instead (bench/accuracy/busy.ts).
 * Loopback only (run inside scripts/netns-run.sh); bounded: each run is DURATION_S plus
 * set-up, with hard timeouts. A run that fails is recorded with its reason and the bench goes on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { median } from '../lib/median.js';
import { describePublished, machineInfo, publishResults, RAW_DIR, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { mdTable } from '../lib/docs.js';
import type { IrttSummary } from '../impair/irtt.js';
import { AccuracyHarness, type CallprobeFigures, type ProbePath } from './harness.js';
import { runBusyRows } from './busy.js';
import { compare, type Bases, type MetricRow } from './compare.js';
import { criterion, type Criterion, type CriterionSeed } from './criterion.js';
import { SCENARIOS, type AccuracyScenario } from './scenarios.js';
import { accuracySummary } from './summary.js';
import { provisionalTally, type ProvisionalReportView, type ProvisionalRun, type ProvisionalTally } from './provisional.js';
import type { FlowTruthMetrics } from './truth.js';
import { benchCommandLine } from '../lib/cli.js';
import type { DataPath } from '../../server/common/data-plane.js';

const SEEDS = Number(process.env['SEEDS'] ?? 3);
const DC_SEEDS = Math.min(SEEDS, Number(process.env['DC_SEEDS'] ?? SEEDS));
const DURATION_S = Number(process.env['DURATION_S'] ?? 15);
const WITH_IRTT = process.env['IRTT'] !== '0';
const ONLY = process.env['SCENARIOS']?.split(',').map((s) => s.trim());
const PUBLISH_PROVISIONAL_ONLY = process.env['PUBLISH'] === 'provisional';
const DATA_PATH = dataPathOf(process.env['DATA_PATH']);

/** DATA_PATH: native, portable, or unset (the server's default). */
function dataPathOf(v: string | undefined): DataPath | undefined {
  if (v === undefined || v === 'native' || v === 'portable') return v;
  throw new Error(`DATA_PATH must be native or portable, not ${JSON.stringify(v)}`);
}

interface PathRun {
  figures: CallprobeFigures;
  truth: FlowTruthMetrics;
  /** What the provisional tally reads of the report. */
  provisional: ProvisionalReportView;
}

interface SeedRun {
  seed: string;
  rtp: PathRun | null;
  datachannel: PathRun | null;
  irtt: IrttSummary | null;
  irttTruth: FlowTruthMetrics | null;
  /** Runs that failed, with the reason (the bench goes on without them). */
  failures: string[];
}

interface GradedSeed extends SeedRun {
  rows: { rtp: MetricRow[] | null; datachannel: MetricRow[] | null };
}

const fmt = (v: number | null, digits = 2): string => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const signed = (v: number | null, digits = 2): string => (v === null || !Number.isFinite(v) ? '–' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`);

function spread(values: (number | null)[], digits = 2): string {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return '–';
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return lo === hi ? fmt(lo, digits) : `${fmt(lo, digits)}..${fmt(hi, digits)}`;
}

const key = (r: MetricRow): string => `${r.metric} ${r.direction}`;

/** truth, measured, error, in tolerance: for one tool's rows of one metric over the seeds. */
function cells(same: MetricRow[], digits: number, tool: 'callprobe' | 'irtt'): string[] {
  const truth = (m: MetricRow): number | null => (tool === 'callprobe' ? m.truth : m.irttTruth);
  const value = (m: MetricRow): number | null => (tool === 'callprobe' ? m.callprobe : m.irtt);
  const error = (m: MetricRow): number | null => (tool === 'callprobe' ? m.callprobeError : m.irttError);
  const verdict = (m: MetricRow): string => (tool === 'callprobe' ? m.callprobeVerdict : m.irttVerdict);
  const graded = same.filter((m) => verdict(m) !== 'n/a');
  return [
    spread(same.map(truth), digits),
    spread(same.map(value), digits),
    spread(same.map(error), digits),
    graded.length === 0 ? '–' : `${graded.filter((m) => verdict(m) === 'ok').length}/${graded.length}`,
  ];
}

function scenarioTable(runs: GradedSeed[]): string {
  const template = runs.find((r) => r.rows.rtp)?.rows.rtp ?? runs.find((r) => r.rows.datachannel)?.rows.datachannel ?? [];
  const rows = template.map((r) => {
    const digits = r.unit === 'packets' ? 0 : 2;
    const pick = (path: ProbePath): MetricRow[] => runs.flatMap((x) => (x.rows[path] ?? []).filter((m) => key(m) === key(r)));
    return [
      key(r),
      r.unit,
      ...cells(pick('rtp'), digits, 'callprobe'),
      ...cells(pick('datachannel'), digits, 'callprobe'),
      ...cells(pick('rtp'), digits, 'irtt'),
      r.tolerance,
    ];
  });
  return mdTable(
    [
      'metric',
      'unit',
      'RTP truth',
      'RTP path',
      'RTP error',
      'ok',
      'DC truth',
      'data channel',
      'DC error',
      'ok',
      'irtt truth',
      'irtt',
      'irtt error',
      'ok',
      'tolerance',
    ],
    rows,
  );
}

function callprobeSeed(p: PathRun, base: number): CriterionSeed {
  return {
    rttMs: p.figures.rttMsP50,
    truthRttMs: p.truth.addedRttMsP50 === null ? null : base + p.truth.addedRttMsP50,
    up: { lost: p.figures.up.packetsLost, truthLost: p.truth.up.lost, probes: p.truth.up.probes },
    down: { lost: p.figures.down.packetsLost, truthLost: p.truth.down.lost, probes: p.truth.down.probes },
  };
}

function irttSeed(r: SeedRun, base: number): CriterionSeed[] {
  if (!r.irtt || !r.irttTruth) return [];
  return [
    {
      rttMs: r.irtt.rtt.medianMs,
      truthRttMs: r.irttTruth.addedRttMsP50 === null ? null : base + r.irttTruth.addedRttMsP50,
      up: { lost: r.irtt.lostUpSeqnos.length, truthLost: r.irttTruth.up.lost, probes: r.irttTruth.up.probes },
      down: { lost: r.irtt.lostDownSeqnos.length, truthLost: r.irttTruth.down.lost, probes: r.irttTruth.down.probes },
    },
  ];
}

function criterionCell(c: Criterion | null): string {
  if (!c || c.seeds === 0) return '–';
  const verdict = c.ok === null ? '–' : c.ok ? '**yes**' : '**no**';
  return (
    `${verdict} (${c.seeds}): RTT ${signed(c.rtt.medianErrorMs)} ms (±${fmt(c.rtt.toleranceMs)}); ` +
    `lost up ${signed(c.up.medianErrorPackets, 1)} (2σ ${fmt(c.up.twoSigmaPackets, 1)}), down ${signed(c.down.medianErrorPackets, 1)} (2σ ${fmt(c.down.twoSigmaPackets, 1)})`
  );
}

async function runPath(harness: AccuracyHarness, s: AccuracyScenario, seed: string, path: ProbePath, failures: string[]): Promise<PathRun | null> {
  try {
    const cp = await harness.runCallprobe(s, seed, path);
    // Keep the packet-level evidence of every run (bench/results/raw/ is not committed).
    mkdirSync(RAW_DIR, { recursive: true });
    writeFileSync(`${RAW_DIR}/accuracy-${seed}-${path}.json`, JSON.stringify({ report: cp.report, truth: cp.rawTruth }));
    process.stderr.write(
      `${seed} ${path}: rtt p50 ${fmt(cp.figures.rttMsP50)} ms, lost up/down ${cp.figures.up.packetsLost}/${cp.figures.down.packetsLost} (truth ${cp.truth.up.lost}/${cp.truth.down.lost}), reordered ${cp.figures.up.reordered}/${cp.figures.down.reordered} (truth ${cp.truth.up.reordered}/${cp.truth.down.reordered})\n`,
    );
    const r = cp.report as ProvisionalReportView;
    return {
      figures: cp.figures,
      truth: cp.truth,
      provisional: {
        summary: r.summary,
        provisional: r.provisional,
        grades: r.grades.map((g) => ({ target: g.target, direction: g.direction, status: g.status })),
      },
    };
  } catch (err) {
    const reason = `${seed} ${path}: ${(err as Error).message.split('\n')[0]}`;
    failures.push(reason);
    process.stderr.write(`FAILED ${reason}\n`);
    return null;
  }
}

async function main(): Promise<void> {
  benchCommandLine(
    'bench:accuracy',
    "callprobe's numbers against the impairment proxy's counted truth, beside irtt over the same proxy (environment: SEEDS, DC_SEEDS, DURATION_S, IRTT=0, SCENARIOS=a,b, DATA_PATH=native|portable). With --rows: the busy-device rows instead.",
    [
      { flags: '--rows <rows>', description: 'the busy-device rows to run (all, or a comma-separated list), resumable' },
      { flags: '--runs <n>', description: 'busy-device runs per row' },
      { flags: '--date <yyyy-mm-dd>', description: 'the busy-device raw results to resume or publish (default today)' },
      { flags: '--publish-only', description: 'busy-device rows: write the summary and docs from the raw results, running nothing' },
    ],
  );
  // The busy-device rows, resumable by row (bench/accuracy/busy.ts); the RTP path only, no irtt.
  if (process.argv.includes('--rows')) {
    await runBusyRows(
      () =>
        AccuracyHarness.start({
          rtp: { httpPort: 18093, relayPort: 3478, proxyPort: 13478 },
          datachannel: null,
          durationS: DURATION_S,
          ...(DATA_PATH ? { dataPath: DATA_PATH } : {}),
        }),
      process.argv,
      DURATION_S,
    );
    return;
  }
  const scenarios: AccuracyScenario[] = SCENARIOS.filter((s) => !ONLY || ONLY.includes(s.name));
  const clean = SCENARIOS.find((s) => s.name === 'clean');
  if (!clean) throw new Error('no clean scenario');
  const loadStart = loadavg();
  const harness = await AccuracyHarness.start({
    rtp: { httpPort: 18093, relayPort: 3478, proxyPort: 13478 },
    datachannel: DC_SEEDS > 0 ? { httpPort: 18095, relayPort: 3488, proxyPort: 13488 } : null,
    durationS: DURATION_S,
    ...(DATA_PATH ? { dataPath: DATA_PATH } : {}),
  });
  const raw = new Map<string, SeedRun[]>();
  const started = Date.now();
  const loadSamples: number[] = [];
  try {
    // The clean runs come first: they give each tool's unimpaired path RTT.
    const order = [clean, ...scenarios.filter((s) => s !== clean)];
    for (const s of order) {
      const runs: SeedRun[] = [];
      for (let i = 1; i <= SEEDS; i++) {
        const seed = `${s.name}-${i}`;
        const failures: string[] = [];
        const t0 = Date.now();
        const rtp = await runPath(harness, s, seed, 'rtp', failures);
        const datachannel = i <= DC_SEEDS ? await runPath(harness, s, seed, 'datachannel', failures) : null;
        let ir: { irtt: IrttSummary; truth: FlowTruthMetrics } | null = null;
        if (WITH_IRTT) {
          try {
            ir = await harness.runIrtt(s, seed);
          } catch (err) {
            failures.push(`${seed} irtt: ${(err as Error).message.split('\n')[0]}`);
          }
        }
        loadSamples.push(loadavg()[0] ?? 0);
        process.stderr.write(
          `${seed}: irtt rtt ${fmt(ir?.irtt.rtt.medianMs ?? null)} ms, lost ${ir?.irtt.lostUpSeqnos.length ?? '–'}/${ir?.irtt.lostDownSeqnos.length ?? '–'} (truth ${ir?.truth.up.lost ?? '–'}/${ir?.truth.down.lost ?? '–'}); ${((Date.now() - t0) / 1000).toFixed(0)} s, load ${fmt(loadavg()[0] ?? null)}\n`,
        );
        runs.push({ seed, rtp, datachannel, irtt: ir?.irtt ?? null, irttTruth: ir?.truth ?? null, failures });
      }
      raw.set(s.name, runs);
    }
  } finally {
    await harness.stop();
  }
  const cleanRuns = raw.get('clean') ?? [];
  const cleanRtt = (path: ProbePath): number => median(cleanRuns.flatMap((r) => (r[path]?.figures.rttMsP50 != null ? [r[path].figures.rttMsP50] : []))) ?? 0;
  const bases = {
    rtp: cleanRtt('rtp'),
    datachannel: cleanRtt('datachannel'),
    irtt: median(cleanRuns.map((r) => r.irtt?.rtt.medianMs ?? null).filter((v): v is number => v !== null)) ?? 0,
  };
  const basesFor = (path: ProbePath): Bases => ({ callprobeRttMs: bases[path], irttRttMs: bases.irtt });
  const results = [...raw.entries()].map(([name, runs]) => {
    const graded = runs.map((r): GradedSeed => ({
      ...r,
      rows: {
        rtp: r.rtp ? compare(r.rtp.figures, r.rtp.truth, r.irtt, r.irttTruth, basesFor('rtp')) : null,
        datachannel: r.datachannel ? compare(r.datachannel.figures, r.datachannel.truth, null, null, basesFor('datachannel')) : null,
      },
    }));
    const criteria = {
      rtp: criterion(runs.flatMap((r) => (r.rtp ? [callprobeSeed(r.rtp, bases.rtp)] : []))),
      datachannel: criterion(runs.flatMap((r) => (r.datachannel ? [callprobeSeed(r.datachannel, bases.datachannel)] : []))),
      irtt: criterion(runs.flatMap((r) => irttSeed(r, bases.irtt))),
    };
    return { name, description: SCENARIOS.find((s) => s.name === name)?.description ?? '', criteria, runs: graded };
  });
  const rowsOf = (path: ProbePath): { scenario: string; row: MetricRow }[] =>
    results.flatMap((r) => r.runs.flatMap((x) => (x.rows[path] ?? []).map((row) => ({ scenario: r.name, row }))));
  const withinTolerance = (path: ProbePath): string => {
    const graded = rowsOf(path).filter((x) => x.row.callprobeVerdict !== 'n/a');
    return `${graded.filter((x) => x.row.callprobeVerdict === 'ok').length}/${graded.length}`;
  };
  const irttRows = rowsOf('rtp').map((x) => x.row);
  const criterionCount = (tool: 'rtp' | 'datachannel' | 'irtt'): string => {
    const graded = results.filter((r) => r.criteria[tool].ok !== null);
    return `${graded.filter((r) => r.criteria[tool].ok === true).length}/${graded.length}`;
  };
  const failures = results.flatMap((r) => r.runs.flatMap((x) => x.failures));
  const provisionalRuns = (path: ProbePath): ProvisionalRun[] =>
    results.flatMap((r) => r.runs.flatMap((x) => (x[path] ? [{ scenario: r.name, seed: x.seed, path, report: x[path].provisional }] : [])));
  const tallies = { rtp: provisionalTally(provisionalRuns('rtp')), datachannel: provisionalTally(provisionalRuns('datachannel')) };
  const meanLoad = loadSamples.length > 0 ? loadSamples.reduce((a, b) => a + b, 0) / loadSamples.length : null;
  const summary = {
    scenarios: results.length,
    seeds: { rtp: SEEDS, datachannel: DC_SEEDS, irtt: WITH_IRTT ? SEEDS : 0 },
    durationS: DURATION_S,
    bases,
    criterionMet: { rtp: criterionCount('rtp'), datachannel: criterionCount('datachannel'), irtt: criterionCount('irtt') },
    withinTolerance: {
      rtp: withinTolerance('rtp'),
      datachannel: withinTolerance('datachannel'),
      irtt: `${irttRows.filter((r) => r.irttVerdict === 'ok').length}/${irttRows.filter((r) => r.irttVerdict !== 'n/a').length}`,
    },
    criterionMissed: results.flatMap((r) =>
      (['rtp', 'datachannel', 'irtt'] as const).filter((t) => r.criteria[t].ok === false).map((t) => `${r.name} ${t}: ${criterionCell(r.criteria[t])}`),
    ),
    rtpOutOfTolerance: rowsOf('rtp')
      .filter((x) => x.row.callprobeVerdict === 'out')
      .map((x) => `${x.scenario}: ${key(x.row)} truth ${fmt(x.row.truth)} callprobe ${fmt(x.row.callprobe)}`),
    failures,
    provisional: { rtp: tallySummary(tallies.rtp), datachannel: tallySummary(tallies.datachannel) },
    loadAverage1m: { start: loadStart[0] ?? null, meanDuringRuns: meanLoad, max: loadSamples.length > 0 ? Math.max(...loadSamples) : null },
    wallMinutes: (Date.now() - started) / 60_000,
  };
  const rawResults = {
    command: 'npm run bench:accuracy',
    ...(DATA_PATH ? { dataPath: DATA_PATH } : {}),
    machine: machineInfo(),
    summary,
    scenarios: results.map((r) => ({ ...r, runs: r.runs.map((x) => ({ ...x, rows: x.rows })) })),
  };
  const date = today();
  const files = resultFiles('accuracy', date);
  const dcSeedsNote =
    DC_SEEDS === SEEDS
      ? `${SEEDS} seeds on each path`
      : `${SEEDS} seeds on the RTP path and irtt, ${DC_SEEDS} on the data-channel path (time on the shared machine)`;
  const md = [
    `### Accuracy against the impairment proxy's truth (${date})`,
    '',
    `Command: \`${DATA_PATH ? `DATA_PATH=${DATA_PATH} ` : ''}npm run bench:accuracy\` (${results.length} scenarios, ${dcSeedsNote}, ${DURATION_S} s tests at 100 probes/s, 160-byte probe payloads; the RTP path on the default server, the data-channel path on a second server with \`--no-rtp\`; irtt \`-i 10ms -l 160 -d ${DURATION_S}s\` through the same proxy settings). Summary: \`${files.summary}\`. Load average (1 min) of the shared 2-core machine: ${fmt(summary.loadAverage1m.start)} at the start, ${fmt(meanLoad)} on average after each seed, at most ${fmt(summary.loadAverage1m.max)}; ${summary.wallMinutes.toFixed(0)} minutes.`,
    '',
    `**The accuracy criterion** (median over seeds: round trip within 1 ms + 2 % of the truth, lost probes per direction within 2 sigma of the binomial count of the truth): RTP path **${summary.criterionMet.rtp}** scenarios, data-channel path ${summary.criterionMet.datachannel}, irtt ${summary.criterionMet.irtt}.`,
    '',
    `Every comparison, seed by seed, with the stricter per-run tolerances (loss and reorder exact): RTP path ${summary.withinTolerance.rtp}, data-channel path ${summary.withinTolerance.datachannel}, irtt ${summary.withinTolerance.irtt} (irtt has no RFC 3550 J, no per-direction reorder). Clean-path RTT p50 (the base added to each truth): RTP path ${fmt(bases.rtp)} ms, data-channel path ${fmt(bases.datachannel)} ms, irtt ${fmt(bases.irtt)} ms.${failures.length > 0 ? ` Runs that failed (left out): ${failures.join('; ')}.` : ''}`,
    '',
    mdTable(
      ['scenario', 'RTP path', 'data-channel path', 'irtt'],
      results.map((r) => [r.name, criterionCell(r.criteria.rtp), criterionCell(r.criteria.datachannel), criterionCell(r.criteria.irtt)]),
    ),
    '',
    'Per scenario, each cell shows the range over the seeds; "error" is the tool minus its own truth (each path has its own flow through the proxy and its own truth). DC = data-channel path.',
    '',
    '#### Provisional answers against the final grades',
    '',
    provisionalSection(tallies),
    '',
    ...results.flatMap((r) => [`#### ${r.name}`, '', r.description, '', scenarioTable(r.runs), '']),
  ].join('\n');
  const provisionalDoc = [
    `### Provisional answers against the final grades (${date})`,
    '',
    `Command: \`PUBLISH=provisional SEEDS=${SEEDS} DC_SEEDS=${DC_SEEDS}${WITH_IRTT ? '' : ' IRTT=0'} npm run bench:accuracy -- --write-docs\` (the accuracy bench's ${results.length} scenarios, ${dcSeedsNote}, ${DURATION_S} s tests). Summary: \`${resultFiles('provisional', date).summary}\`. ${summary.wallMinutes.toFixed(0)} minutes; load average (1 min) ${fmt(summary.loadAverage1m.start)} at the start, at most ${fmt(summary.loadAverage1m.max)}.`,
    '',
    provisionalSection(tallies),
  ].join('\n');
  const published = PUBLISH_PROVISIONAL_ONLY
    ? publishResults(
        {
          name: 'provisional',
          raw: rawResults,
          summary: {
            command: 'npm run bench:accuracy (PUBLISH=provisional)',
            machine: machineInfo(),
            seeds: summary.seeds,
            scenarios: summary.scenarios,
            provisional: summary.provisional,
          },
          docs: { page: 'accuracy', section: 'provisional', markdown: provisionalDoc },
        },
        { writeDocs: writeDocsRequested(process.argv), date },
      )
    : publishResults(
        { name: 'accuracy', raw: rawResults, summary: accuracySummary(rawResults), docs: { page: 'accuracy', section: 'accuracy', markdown: md } },
        { writeDocs: writeDocsRequested(process.argv), date },
      );
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n${describePublished(published)}\n`);
}

/** The tally in the summary: counts, and every claim the final grades did not confirm. */
function tallySummary(t: ProvisionalTally) {
  const { firstFailAtMs, firstAnswerAtMs, cleanFirstLikelyPassAtMs, ...rest } = t;
  return {
    ...rest,
    firstAnswerAtMsMax: firstAnswerAtMs.length > 0 ? Math.max(...firstAnswerAtMs) : null,
    firstFailAtMsMedian: median(firstFailAtMs),
    cleanFirstLikelyPassAtMsMedian: median(cleanFirstLikelyPassAtMs),
  };
}

const share = (n: number, of: number): string => (of === 0 ? '–' : `${n}/${of} (${((100 * n) / of).toFixed(0)} %)`);

/** The provisional answers against the final grades, per probe path. */
function provisionalSection(tallies: Record<'rtp' | 'datachannel', ProvisionalTally>): string {
  const row = (name: string, t: ProvisionalTally): string[] => [
    name,
    `${t.runs} (${t.withHistory} with answers)`,
    t.firstAnswerAtMs.length === 0 ? '–' : `${fmt(Math.max(...t.firstAnswerAtMs) / 1000, 1)} s`,
    `${t.confidentClaims} (${t.distinctConfidentClaims} distinct): ${
      Object.entries(t.byKind)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }`,
    `**${t.contradictedClaims}**`,
    String(t.unconfirmedClaims),
    `${share(t.cleanLikelyPassBy10s, t.cleanRuns)}${t.cleanFirstLikelyPassAtMs.length === 0 ? '' : `, median ${fmt((median(t.cleanFirstLikelyPassAtMs) ?? 0) / 1000, 1)} s`}`,
    share(t.failedWithEarlyFail, t.failedRuns),
    t.firstFailAtMs.length === 0 ? '–' : `${fmt((median(t.firstFailAtMs) ?? 0) / 1000, 1)} s`,
  ];
  const unheld = [...tallies.rtp.contradicted, ...tallies.datachannel.contradicted, ...tallies.rtp.unconfirmed, ...tallies.datachannel.unconfirmed];
  return [
    'Every likely or settled claim the page made while each test ran (`provisional` in the report), checked against the final grade of the same target and direction: contradicted when the final grade said the opposite (or a settled window was later found suspect), unconfirmed when the final grade was insufficient. Clean runs: a likely pass on the round trip and on loss each way, all of them by 10 s, and the median time by which a run had all of them. Failed runs: final verdict fail, with a likely or settled fail while running.',
    '',
    mdTable(
      [
        'path',
        'runs',
        'first answer, latest',
        'confident claims',
        'contradicted',
        'unconfirmed',
        'clean runs: likely pass by 10 s',
        'failed runs: early fail',
        'first early fail (median)',
      ],
      [row('RTP', tallies.rtp), row('data channel', tallies.datachannel)],
    ),
    ...(unheld.length === 0
      ? []
      : [
          '',
          'Claims the final grades did not confirm:',
          '',
          ...unheld.map(
            (u) =>
              `- ${u.scenario} ${u.seed} (${u.path}) at ${fmt(u.atMs / 1000, 1)} s: ${u.kind} ${u.metric} ${u.direction} (${u.evidence}); final grade ${u.finalStatus ?? 'none'}`,
          ),
        ]),
  ].join('\n');
}

main().catch((err: Error) => {
  process.stderr.write(`bench:accuracy failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
