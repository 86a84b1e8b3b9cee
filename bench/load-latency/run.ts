/**
 * `npm run bench:load-latency`: the busy-line phase against the truth of a real queue. Each
 * scenario builds a client and a server namespace with a router between them holding tc-tbf
 * on its egress toward each side (bench/lib/bottleneck.ts), runs `callprobe run --load` through
 * it with irtt probing the same queue (testbed.ts), and sets callprobe's added delay per direction beside irtt's and the
 * verdict beside the scenario's truth. Raw results go to bench/results/raw/; `--write-docs`
 * also writes the summary and the docs/benchmarks/load-latency.md section. `--runs N` repeats each scenario.
 */
import { Bottleneck, type BottleneckSpec } from '../lib/bottleneck.js';
import { mdTable } from '../lib/docs.js';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { pairedAgrees, runTestbed, withinReference, type AddedInterval, type PairedDifference, type TestbedRun } from './testbed.js';
import { runStarvation, type StarvationFigures } from './starvation.js';
import { benchCommandLine } from '../lib/cli.js';
import { intFlag } from '../lib/flags.js';

interface Scenario {
  name: string;
  spec: BottleneckSpec;
  serveArgs?: string[];
  /** What the verdict may say (any of `kinds`), and about which direction. */
  truth: { kinds: ReadonlyArray<'suffers' | 'no-effect' | 'could-not-load'>; direction: 'up' | 'down' | null; text: string; says?: string };
}

const SCENARIOS: Scenario[] = [
  {
    name: 'bloated uplink',
    spec: { up: { rateKbit: 2000, limitBytes: 250_000 }, down: { rateKbit: 20_000, limitBytes: 30_000 } },
    truth: { kinds: ['suffers'], direction: 'up', text: 'tbf 2 Mbit/s up, 250 kB queue (1 s when full); 20 Mbit/s down, 30 kB' },
  },
  {
    name: 'bloated downlink',
    spec: { up: { rateKbit: 20_000, limitBytes: 30_000 }, down: { rateKbit: 2000, limitBytes: 250_000 } },
    truth: { kinds: ['suffers'], direction: 'down', text: 'tbf 20 Mbit/s up, 30 kB; 2 Mbit/s down, 250 kB queue' },
  },
  {
    name: 'shallow queues',
    spec: { up: { rateKbit: 2000, limitBytes: 3000 }, down: { rateKbit: 2000, limitBytes: 3000 } },
    // Drops, never delay: harm, if any, is loss. TCP through a 2-packet queue settles near a
    // quarter of the rate: the stop rule may see that goodput steady (the line as busy as TCP
    // makes it, no harm: no-effect) or not within the time cap (could not load).
    truth: {
      kinds: ['suffers', 'no-effect', 'could-not-load'],
      direction: null,
      text: 'tbf 2 Mbit/s both ways, 3 kB queues: drops, never delay (harm, if any, is loss)',
      says: 'suffers (loss only), no-effect or could-not-load',
    },
  },
  {
    name: 'too fast for the cap',
    spec: { up: null, down: null },
    truth: { kinds: ['could-not-load'], direction: null, text: 'no shaping (the veth, Gbit/s): the 50 MB budget ends each direction first' },
  },
  {
    name: 'idle control',
    spec: { up: null, down: null },
    serveArgs: ['--load-max-bytes', '1000000'],
    truth: { kinds: ['could-not-load'], direction: null, text: 'no shaping, 1 MB budget: the line is barely touched; added delay ~0' },
  },
];

interface Row {
  scenario: string;
  run: number;
  truth: Scenario['truth'];
  verdict: string | null;
  directions: string[];
  outcome: string | null;
  callprobeUpMs: number | null;
  irttUpMs: number | null;
  irttUpIntervalMs: AddedInterval | null;
  callprobeDownMs: number | null;
  irttDownMs: number | null;
  irttDownIntervalMs: AddedInterval | null;
  pairedUp: PairedDifference | null;
  pairedDown: PairedDifference | null;
  upMbps: number | null;
  downMbps: number | null;
  upSaturated: boolean | null;
  downSaturated: boolean | null;
  phaseMs: number | null;
  bytes: number | null;
  lossUpPct: number | null;
  lossDownPct: number | null;
}

function row(s: Scenario, run: number, r: TestbedRun): Row {
  const l = r.report.load;
  return {
    scenario: s.name,
    run,
    truth: s.truth,
    verdict: l?.verdict?.kind ?? null,
    directions: l?.verdict?.directions ?? [],
    outcome: l?.outcome?.reason ?? null,
    callprobeUpMs: l?.up?.addedDelayMs ?? null,
    irttUpMs: r.irtt.upAddedMs,
    irttUpIntervalMs: r.irtt.upAddedIntervalMs,
    callprobeDownMs: l?.down?.addedDelayMs ?? null,
    irttDownMs: r.irtt.downAddedMs,
    irttDownIntervalMs: r.irtt.downAddedIntervalMs,
    pairedUp: r.paired.up,
    pairedDown: r.paired.down,
    upMbps: l?.up?.goodputMbps ?? null,
    downMbps: l?.down?.goodputMbps ?? null,
    upSaturated: l?.up?.saturated ?? null,
    downSaturated: l?.down?.saturated ?? null,
    phaseMs: l?.durationMs ?? null,
    bytes: l?.bytes ?? null,
    lossUpPct: l?.up?.lossPct ?? null,
    lossDownPct: l?.down?.lossPct ?? null,
  };
}

/** Whether the verdict is one the scenario's truth allows, blaming its direction first when it names one. */
function verdictAsTruth(x: Pick<Row, 'verdict' | 'directions' | 'truth'>): boolean {
  const kind = x.truth.kinds.find((k) => k === x.verdict);
  return kind !== undefined && (x.truth.direction === null || kind !== 'suffers' || x.directions[0] === x.truth.direction);
}

const f = (v: number | null, unit = ' ms'): string => (v === null ? '–' : `${v.toFixed(1)}${unit}`);
/** irtt's added delay with its 95 % interval, e.g. "877.9 ms (861.0–890.2)". */
/** irtt read at callprobe's probes, the pairs' median difference and the rule's mark, e.g. "339.3 ms, Δ -0.7 ✓". */
const pairedCell = (ours: number | null, p: PairedDifference | null): string => {
  const ok = pairedAgrees(ours, p);
  return p === null ? '–' : `${f(p.referenceMs)}, Δ ${p.medianMs.toFixed(1)}${ok === null ? '' : ok ? ' ✓' : ' ✗'}`;
};
const withInterval = (v: number | null, i: AddedInterval | null): string =>
  `${f(v)}${v === null || i === null ? '' : ` (${i.lo.toFixed(1)}–${i.hi.toFixed(1)})`}`;

async function main(): Promise<void> {
  benchCommandLine(
    'bench:load-latency',
    "The busy-line phase against the truth of a real queue (tc-tbf in a router namespace), beside irtt on the same queue; then another user's test beside a load phase.",
    [{ flags: '--runs <n>', description: 'runs per scenario (1-20, default 1)' }],
  );
  if (!Bottleneck.available()) throw new Error('bench:load-latency needs root and tc (it makes network namespaces and queues)');
  const runs = intFlag(process.argv, '--runs', 1, 1, 20);
  const rows: Row[] = [];
  let port = 18600;
  for (const s of SCENARIOS) {
    for (let i = 0; i < runs; i++) {
      const r = await runTestbed({ tag: 'bench', spec: s.spec, durationS: 8, httpPort: port++, ...(s.serveArgs ? { serveArgs: s.serveArgs } : {}) });
      const x = row(s, i + 1, r);
      rows.push(x);
      process.stderr.write(`${s.name} #${i + 1}: ${JSON.stringify(x)}\n`);
    }
  }
  const starvation = await runStarvation(port);
  process.stderr.write(`starvation: ${JSON.stringify(starvation)}\n`);
  const date = today();
  const machine = machineInfo();
  const files = resultFiles('load-latency', date);
  const markdown = [
    `### Latency under load: callprobe's busy-line phase against irtt on the same queue (${date})`,
    '',
    `Command: \`npm run bench:load-latency\` (${runs} run${runs === 1 ? '' : 's'} per scenario; ${machine['cores']} cores, ${machine['chromium']}). Summary: \`${files.summary}\`. ` +
      "Each scenario joins a client and a server network namespace through a router namespace holding tc-tbf (8 kB burst) on its egress toward each side, as a line's modem holds its queues (a queue on a sender's own interface tells the sender when it is full, which a modem never does); `callprobe run --load --duration 8` runs in the client, `callprobe serve` in the server, " +
      "and irtt (20 ms interval) probes through the same queues. Added delay is callprobe's loaded minus idle p50 of the probes' RFC 3550 transit over each direction's working window, " +
      "beside irtt's one-way delay medians over the same wall-clock window minus the idle seconds before the phase (both namespaces share this host's clock). ✓: within 10 % or 5 ms of irtt, whichever is larger, or inside irtt's own 95 % interval for its median (in brackets: the order statistics of a sign-test interval), which is wide only when the window holds a swing of the queue. " +
      "Probe for probe: each of callprobe's probes in the window is paired with irtt's that crossed the queue nearest in time (sent within 10 ms going up, received within 10 ms coming down; callprobe's evidence file gives every probe's times); the column gives irtt's added delay read at callprobe's probes and Δ, the pairs' median difference. ✓: callprobe's figure and Δ both within 3 % or 5 ms of that reading.",
    '',
    mdTable(
      [
        'scenario',
        'queues (truth)',
        'run',
        'callprobe up',
        'irtt up',
        'callprobe down',
        'irtt down',
        "irtt at callprobe's probes up",
        "irtt at callprobe's probes down",
        'goodput up / down',
        'filled up / down',
        'verdict (✓: as the truth allows)',
        'truth',
        'phase',
        'moved',
      ],
      rows.map((x) => {
        const up = withinReference(x.callprobeUpMs, x.irttUpMs, x.irttUpIntervalMs);
        const down = withinReference(x.callprobeDownMs, x.irttDownMs, x.irttDownIntervalMs);
        return [
          x.scenario,
          x.truth.text,
          x.run,
          `${f(x.callprobeUpMs)}${up === null ? '' : up ? ' ✓' : ' ✗'}`,
          withInterval(x.irttUpMs, x.irttUpIntervalMs),
          `${f(x.callprobeDownMs)}${down === null ? '' : down ? ' ✓' : ' ✗'}`,
          withInterval(x.irttDownMs, x.irttDownIntervalMs),
          pairedCell(x.callprobeUpMs, x.pairedUp),
          pairedCell(x.callprobeDownMs, x.pairedDown),
          `${f(x.upMbps, '')} / ${f(x.downMbps, '')} Mbit/s`,
          `${x.upSaturated === null ? '–' : x.upSaturated ? 'yes' : 'no'} / ${x.downSaturated === null ? '–' : x.downSaturated ? 'yes' : 'no'}`,
          `${x.verdict ?? `outcome ${x.outcome ?? '–'}`}${x.directions.length > 0 ? ` (${x.directions.join(', ')})` : ''}${verdictAsTruth(x) ? ' ✓' : ' ✗'}`,
          x.truth.says ?? `${x.truth.kinds.join(' or ')}${x.truth.direction ? ` (${x.truth.direction})` : ''}`,
          x.phaseMs === null ? '–' : `${(x.phaseMs / 1000).toFixed(1)} s`,
          x.bytes === null ? '–' : `${(x.bytes / 1e6).toFixed(1)} MB`,
        ];
      }),
    ),
    '',
    "**Other users' probes during a load phase.** User B runs an ordinary 20 s test from inside the server's namespace (its own path, never through A's queue), once alone and once " +
      `while user A's busy-line phase loads the same server as hard as this host allows (no shaping, \`--load-max-bytes 1000000000\`: A moved ${starvation.a.bytes === null ? '–' : `${(starvation.a.bytes / 1e6).toFixed(0)} MB`} at ${f(starvation.a.upMbps, '')} up / ${f(starvation.a.downMbps, '')} down Mbit/s in ${starvation.a.phaseMs === null ? '–' : `${(starvation.a.phaseMs / 1000).toFixed(1)} s`}). ` +
      "Both browsers and the server share this host's 2 cores, so this bounds what the server and a busy machine together do to B.",
    '',
    mdTable(
      ['user B', 'probes on', 'round trip p50', 'p90', 'jitter', 'loss', 'verdict'],
      (
        [
          ['alone', starvation.alone],
          ["beside A's load phase", starvation.beside],
        ] as Array<[string, StarvationFigures]>
      ).map(([name, x]) => [
        name,
        x.probes,
        f(x.rttMsP50),
        f(x.rttMsP90),
        f(x.jitterMs),
        f(x.lossPct, ' %'),
        `${x.verdict}${x.insufficientCause === null ? '' : ` (${x.insufficientCause})`}`,
      ]),
    ),
  ].join('\n');
  const published = publishResults(
    {
      name: 'load-latency',
      raw: { command: 'npm run bench:load-latency', machine, rows, starvation },
      summary: { command: 'npm run bench:load-latency', machine, rows, starvation },
      docs: { page: 'load-latency', section: 'load-latency', markdown },
    },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  process.stdout.write(`${markdown}\n${describePublished(published)}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:load-latency failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
