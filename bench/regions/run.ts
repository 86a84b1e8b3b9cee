/**
 * npm run bench:regions: the locate against a testbed with truth (./testbed.ts: a hub and its
 * edges on loopback, each edge's relay behind the seeded impairment proxy with its own round trip
 * and loss). Per scenario, RUNS runs of `callprobe run --server <hub> --json --duration
 * DURATION_S` (a testbed of its own each, seeded per run): how often the locate named the right
 * nearest edge (./truth.ts) and the test ran there, how long the locate took (the time to the
 * nearest edge), each edge's p50 against its injected round trip plus the clean base (measured
 * first, through proxies that add nothing), and the locate's traffic on the client's link (the
 * proxies' truth: both directions, IP and UDP headers counted).
 * Then the `many` scenario (./many.ts): twelve edges, their ids shuffled against their distance,
 * `--many-testbeds` testbeds of `--many-runs` runs of `run --duration 1` each (100 in all by
 * default): how often the locate names the nearest, and its time's 95th percentile.
 * Loopback only (run inside scripts/netns-run.sh); bounded: about (RUNS x 4) x (DURATION_S + 20 s)
 * and 100 x 10 s. `--only-many` runs the clean base (RUNS runs of 1 s) and the `many` scenario alone.
 * Raw results go to bench/results/raw/; `--write-docs` also writes the summaries and the docs
 * sections (`regions`, `regions-many`) of what ran.
 */
import { loadavg } from 'node:os';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { median } from '../lib/median.js';
import { mdTable } from '../lib/docs.js';
import type { Locate } from '../../src/analysis/schema/locate-schema.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import type { Truth } from '../impair/truth-types.js';
import { RegionsTestbed, type EdgeSpec, type RegionsRun } from './testbed.js';
import { locateProblems, rightNearest } from './truth.js';
import { benchCommandLine } from '../lib/cli.js';
import { runMany, type ManySummary } from './many.js';

const RUNS = Number(process.env['RUNS'] ?? 5);
const DURATION_S = Number(process.env['DURATION_S'] ?? 15);

interface Scenario {
  name: string;
  description: string;
  edges: EdgeSpec[];
  /** Killed at the first datagram its proxy takes from the page: mid-locate. */
  kill: string | null;
}

const SPREAD: EdgeSpec[] = [
  { id: 'near', azureRegion: 'West Europe', rttMs: 5, lossPct: 0 },
  { id: 'mid', azureRegion: 'North Europe', rttMs: 30, lossPct: 0.5 },
  { id: 'far', azureRegion: 'East US', rttMs: 80, lossPct: 1 },
];

const CLEAN: Scenario = {
  name: 'clean',
  description: 'two edges through proxies that add nothing: the clean base (the loopback hairpin through Chromium and the relay)',
  edges: [
    { id: 'clean-a', azureRegion: 'West Europe', rttMs: 0, lossPct: 0 },
    { id: 'clean-b', azureRegion: 'North Europe', rttMs: 0, lossPct: 0 },
  ],
  kill: null,
};

const SCENARIOS: Scenario[] = [
  { name: 'spread', description: '5, 30 and 80 ms round trips, 0, 0.5 and 1 % loss on each crossing', edges: SPREAD, kill: null },
  {
    name: 'lossy-nearest',
    description: 'the 5 ms edge loses 25 % on each crossing (44 % of round trips): over the 10 % target, so the 30 ms edge is the nearest',
    edges: [{ ...SPREAD[0], lossPct: 25 } as EdgeSpec, ...SPREAD.slice(1)],
    kill: null,
  },
  {
    name: 'killed-nearest',
    description: 'the 5 ms edge killed at its first datagram, mid-locate: unreachable, the test runs on the 30 ms edge',
    edges: SPREAD,
    kill: 'near',
  },
];

interface RunResult {
  scenario: string;
  seed: string;
  exitCode: number;
  nearest: string | null;
  right: string | null;
  testedOn: string | null;
  /** From the page's "finding the nearest" line to its next (the port checks of the test on the nearest), as `run` printed them. */
  locateMs: number | null;
  edges: { id: string; state: string; rttMsP50: number | null; injectedMs: number; offMs: number | null; allocateMs: number | null; lossPct: number | null }[];
  /** The locate's bytes on the client's link, both directions, with IP and UDP headers, over its own time and over its budget. */
  trafficKbitPerS: number | null;
  trafficKbitPerSOverBudget: number | null;
  trafficBytes: number | null;
  /** The same bytes per edge measured. */
  trafficBytesPerEdge: number | null;
  problems: string[];
}

/** The locate's time from the progress lines. */
function locateSpan(run: RegionsRun): { startMs: number; endMs: number } | null {
  const i = run.progress.findIndex((p) => p.line.includes('finding the nearest test server'));
  const next = i >= 0 ? run.progress[i + 1] : undefined;
  const start = run.progress[i];
  return start && next ? { startMs: start.atMs, endMs: next.atMs } : null;
}

/** Bytes of the flows a locate opened (first datagram within its span), both directions, IPv4 and UDP headers (28 B) counted. */
function locateBytes(truths: ReadonlyMap<string, Truth>, run: RegionsRun, span: { startMs: number; endMs: number }): number {
  let bytes = 0;
  for (const truth of truths.values()) {
    for (const f of truth.flows) {
      const at = truth.startedAtEpochMs + f.firstDatagramMs - run.startedAtEpochMs;
      if (at < span.startMs - 200 || at > span.endMs) continue;
      bytes += f.up.counts.bytesIn + 28 * f.up.counts.packetsIn;
      bytes += f.down.counts.forwardedBytes + 28 * (f.down.counts.forwarded + f.down.counts.duplicated);
    }
  }
  return bytes;
}

async function oneRun(s: Scenario, seed: string, baseMs: number, durationS: number = DURATION_S): Promise<RunResult> {
  const bed = await RegionsTestbed.start(s.edges, seed);
  let run: RegionsRun;
  let truths: Map<string, Truth>;
  try {
    if (s.kill !== null) bed.killAtFirstDatagram(s.kill);
    run = await bed.run(['--duration', String(durationS)], (durationS + 60) * 1000);
  } finally {
    truths = await bed.stop();
  }
  const report = run.json as { locate?: Locate; meta?: { edge?: { id: string } } } | null;
  const locate = report?.locate;
  const killed = new Set(s.kill === null ? [] : [s.kill]);
  const span = locateSpan(run);
  const bytes = span ? locateBytes(truths, run, span) : null;
  return {
    scenario: s.name,
    seed,
    exitCode: run.exitCode,
    nearest: locate?.nearest ?? null,
    right: rightNearest(s.edges, killed),
    testedOn: report?.meta?.edge?.id ?? null,
    locateMs: span ? span.endMs - span.startMs : null,
    edges: s.edges.map((spec) => {
      const e = locate?.edges.find((x) => x.id === spec.id);
      const p50 = e?.rttMsP50 ?? null;
      return {
        id: spec.id,
        state: e?.state ?? 'missing',
        rttMsP50: p50,
        injectedMs: spec.rttMs,
        offMs: p50 === null ? null : p50 - spec.rttMs - baseMs,
        allocateMs: e?.allocateMs ?? null,
        lossPct: e?.lossPct ?? null,
      };
    }),
    trafficKbitPerS: span && bytes !== null ? (8 * bytes) / (span.endMs - span.startMs) : null,
    trafficKbitPerSOverBudget: bytes === null ? null : (8 * bytes) / DEFAULTS.locate.budgetMs,
    trafficBytes: bytes,
    trafficBytesPerEdge: bytes === null ? null : bytes / s.edges.length,
    problems: s === CLEAN ? [] : locateProblems(locate, s.edges, killed, { minMs: baseMs, maxMs: baseMs }),
  };
}

const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${v.toFixed(1)} ms`);
const max = (xs: number[]): number | null => (xs.length === 0 ? null : Math.max(...xs));
const present = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null);

async function main(): Promise<void> {
  const opts = benchCommandLine(
    'bench:regions',
    "The locate against a testbed with truth: a hub and its edges on loopback, each edge's relay behind the impairment proxy with its own round trip and loss.",
    [
      { flags: '--only-many', description: 'the clean base (RUNS runs of 1 s) and the twelve-edge scenario alone' },
      { flags: '--many-testbeds <n>', description: 'testbeds of twelve edges, each its own shuffle of ids against distance (default 10)' },
      { flags: '--many-runs <n>', description: 'runs of `run --duration 1` on each (default 10)' },
    ],
  );
  const onlyMany = opts['onlyMany'] === true;
  const testbeds = Number(opts['manyTestbeds'] ?? 10);
  const perBed = Number(opts['manyRuns'] ?? 10);
  if (!Number.isInteger(testbeds) || testbeds < 1 || !Number.isInteger(perBed) || perBed < 1)
    throw new Error('--many-testbeds and --many-runs take whole numbers from 1');
  const loadStart = loadavg()[0] ?? null;
  const results: RunResult[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const r = await oneRun(CLEAN, `regions-clean-${i}`, 0, onlyMany ? 1 : DURATION_S);
    results.push(r);
    process.stderr.write(`clean ${i}/${RUNS}: ${r.edges.map((e) => `${e.id} ${ms(e.rttMsP50)}`).join(', ')}\n`);
  }
  const baseMs = median(present(results.flatMap((r) => r.edges.map((e) => e.rttMsP50)))) ?? 0;
  if (!onlyMany) await scenarios(results, baseMs, loadStart);
  const many = await runMany(testbeds, perBed, baseMs, (line) => process.stderr.write(`${line}\n`));
  publishMany(many, baseMs);
}

/** The three scenarios of three edges after the clean base, and their summary and section. */
async function scenarios(results: RunResult[], baseMs: number, loadStart: number | null): Promise<void> {
  for (const s of SCENARIOS) {
    for (let i = 1; i <= RUNS; i++) {
      const r = await oneRun(s, `regions-${s.name}-${i}`, baseMs);
      results.push(r);
      process.stderr.write(
        `${s.name} ${i}/${RUNS}: nearest ${String(r.nearest)} (right ${String(r.right)}), tested on ${String(r.testedOn)}, locate ${ms(r.locateMs)}, ${r.edges.map((e) => `${e.id} ${e.state} ${ms(e.rttMsP50)}`).join(', ')}, ${r.trafficKbitPerS?.toFixed(0) ?? '–'} kbit/s${r.problems.length > 0 ? `; ${r.problems.join('; ')}` : ''}\n`,
      );
    }
  }
  const per = SCENARIOS.map((s) => {
    const rs = results.filter((r) => r.scenario === s.name);
    return {
      scenario: s.name,
      description: s.description,
      runs: rs.length,
      rightNearest: rs.filter((r) => r.nearest === r.right).length,
      testedOnNearest: rs.filter((r) => r.testedOn === r.right).length,
      withinTolerance: rs.filter((r) => r.problems.length === 0).length,
      locateMsMedian: median(present(rs.map((r) => r.locateMs))),
      locateMsMax: max(present(rs.map((r) => r.locateMs))),
      trafficKbitPerSMax: max(present(rs.map((r) => r.trafficKbitPerS))),
      trafficKbitPerSOverBudgetMax: max(present(rs.map((r) => r.trafficKbitPerSOverBudget))),
      trafficBytesMedian: median(present(rs.map((r) => r.trafficBytes))),
      trafficBytesPerEdgeMax: max(present(rs.map((r) => r.trafficBytesPerEdge))),
      edges: s.edges.map((spec) => {
        const offs = present(rs.map((r) => r.edges.find((e) => e.id === spec.id)?.offMs ?? null));
        return { id: spec.id, injectedMs: spec.rttMs, lossPct: spec.lossPct, offMsMedian: median(offs), offMsMaxAbs: max(offs.map(Math.abs)) };
      }),
    };
  });
  const clean = results.filter((r) => r.scenario === CLEAN.name);
  const summary = {
    runs: RUNS,
    durationS: DURATION_S,
    cleanBaseMs: baseMs,
    /** The clean edges' locate: the cost of one edge on the client's link (DEFAULTS.locate.bytesPerEdge is set from it). */
    cleanBytesPerEdgeMax: max(present(clean.map((r) => r.trafficBytesPerEdge))),
    cleanLocateMsMedian: median(present(clean.map((r) => r.locateMs))),
    scenarios: per,
    loadAverage1m: { start: loadStart, end: loadavg()[0] ?? null },
  };
  const machine = machineInfo();
  const date = today();
  const files = resultFiles('regions', date);
  const markdown = [
    `### The nearest edge (${date})`,
    '',
    `Command: \`npm run bench:regions\` (${RUNS} runs per scenario of \`callprobe run --server <hub> --json --duration ${DURATION_S}\` against a hub and its edges on loopback, each edge's relay behind the seeded impairment proxy, a testbed of its own per run; ${machine['cores']} cores, ${machine['chromium']}). Summary: \`${files.summary}\`. The clean base (the locate's p50 through proxies that add nothing): ${ms(baseMs)}. Tolerance of each p50: 3 ms + 10 % of the injected round trip, beside the clean base. Load average (1 min): ${summary.loadAverage1m.start?.toFixed(2) ?? '–'} before, ${summary.loadAverage1m.end?.toFixed(2) ?? '–'} after.`,
    '',
    mdTable(
      [
        'scenario',
        'right nearest',
        'test on it',
        'every p50 within tolerance',
        'time to the nearest (median, max)',
        'locate traffic, most (over its 3 s budget; over its own time)',
      ],
      per.map((p) => [
        `${p.scenario}: ${p.description}`,
        `${p.rightNearest} of ${p.runs}`,
        `${p.testedOnNearest} of ${p.runs}`,
        `${p.withinTolerance} of ${p.runs}`,
        `${ms(p.locateMsMedian)}, ${ms(p.locateMsMax)}`,
        p.trafficKbitPerSMax === null ? '–' : `${p.trafficKbitPerSOverBudgetMax?.toFixed(0) ?? '–'} kbit/s; ${p.trafficKbitPerSMax.toFixed(0)} kbit/s`,
      ]),
    ),
    '',
    `One edge's locate costs at most ${summary.cleanBytesPerEdgeMax === null ? '–' : `${(summary.cleanBytesPerEdgeMax / 1000).toFixed(1)} kB`} on the client's link (both directions, IP and UDP headers counted; the clean runs), where DEFAULTS.locate.bytesPerEdge assumes ${(DEFAULTS.locate.bytesPerEdge / 1000).toFixed(1)} kB: ${DEFAULTS.locate.maxEdges} edges at once then stay under ${DEFAULTS.locate.trafficKbitPerSMax} kbit/s over the ${DEFAULTS.locate.budgetMs / 1000} s budget.`,
    '',
    mdTable(
      ['scenario', 'edge', 'injected round trip', 'loss each crossing', 'p50 minus injected minus base (median)', 'largest |difference|'],
      per.flatMap((p) => p.edges.map((e) => [p.scenario, e.id, `${e.injectedMs} ms`, `${e.lossPct} %`, ms(e.offMsMedian), ms(e.offMsMaxAbs)])),
    ),
  ].join('\n');
  const published = publishResults(
    {
      name: 'regions',
      raw: { command: 'npm run bench:regions', machine, summary, results },
      summary: { command: 'npm run bench:regions', machine, summary },
      docs: { page: 'regions', section: 'regions', markdown },
    },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n${describePublished(published)}\n`);
}

/** The twelve-edge scenario's summary and its section of docs/benchmarks/regions.md. */
function publishMany(many: { runs: unknown[]; summary: ManySummary }, baseMs: number): void {
  const m = many.summary;
  const machine = machineInfo();
  const date = today();
  const files = resultFiles('regions-many', date);
  const markdown = [
    `### Twelve edges (${date})`,
    '',
    `Command: \`npm run bench:regions\` (its \`many\` scenario: ${m.testbeds} testbeds of a hub and twelve edges on loopback, each edge's relay behind the seeded impairment proxy at 5, 15, 25, ... 105 and 120 ms, no loss, the ids shuffled against the distance in each testbed and the nearest's id at another place of the hub's list in each, last in the first; ${m.runs / m.testbeds} runs of \`callprobe run --server <hub> --json --duration 1\` on each; ${machine['cores']} cores, ${machine['chromium']}). Summary: \`${files.summary}\`. The clean base: ${ms(baseMs)}. Load average (1 min): ${m.loadAverage1m.start?.toFixed(2) ?? '–'} before, ${m.loadAverage1m.end?.toFixed(2) ?? '–'} after, ${m.loadAverage1m.runsMedian?.toFixed(2) ?? '–'} at the median run's end, ${m.loadAverage1m.runsMax?.toFixed(2) ?? '–'} at most (the machine is shared).`,
    '',
    mdTable(
      [
        'runs',
        'right nearest',
        'test on it',
        'the four nearest measured with probes',
        'every p50 within tolerance',
        'locate time p50, p95, max',
        'first pass p50, p95',
        'first pass per edge, median, most',
      ],
      [
        [
          m.runs,
          `${m.rightNearest} of ${m.runs}`,
          `${m.testedOnNearest} of ${m.runs}`,
          `${m.probedNearest4} of ${m.runs}`,
          `${m.withinTolerance} of ${m.runs}`,
          `${ms(m.locateMsP50)}, ${ms(m.locateMsP95)}, ${ms(m.locateMsMax)}`,
          `${ms(m.firstPassMsP50)}, ${ms(m.firstPassMsP95)}`,
          m.firstPassBytesPerEdgeMax === null ? '–' : `${m.firstPassBytesPerEdgeP50 ?? '–'} B, ${m.firstPassBytesPerEdgeMax} B`,
        ],
      ],
    ),
  ].join('\n');
  const published = publishResults(
    {
      name: 'regions-many',
      raw: { command: 'npm run bench:regions', machine, summary: m, baseMs, runs: many.runs },
      summary: { command: 'npm run bench:regions', machine, summary: m, baseMs },
      docs: { page: 'regions', section: 'regions-many', markdown },
    },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  process.stdout.write(`${JSON.stringify(m, null, 2)}\n${describePublished(published)}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:regions failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
