/**
 * npm run bench:speed: how long a user waits. For several runs of `callprobe run` against a
 * local server: time from CLI start to the page's first step, and, from the page's own
 * clock (the click), to connected, first live number, first provisional answer and graded
 * verdict. Then, through the seeded impairment proxy, runs on a clearly bad path (5 % random
 * loss each way; bursts) and the time to the first settled fail.
 * Loopback only (run inside scripts/netns-run.sh); bounded: (RUNS + 2 x BAD_RUNS) x (duration + 75 s).
 * Raw results go to bench/results/raw/; `--write-docs` also writes the summary and the docs section.
 */
import { loadavg } from 'node:os';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { median } from '../lib/median.js';
import { runCli, startServe } from '../lib/processes.js';
import { mdTable } from '../lib/docs.js';
import { AccuracyHarness } from '../accuracy/harness.js';
import { SCENARIOS, type AccuracyScenario } from '../accuracy/scenarios.js';
import { answerTimes, type AnswerTimes, type ProgressLine } from './answers.js';
import { benchCommandLine } from '../lib/cli.js';

const RUNS = Number(process.env['RUNS'] ?? 5);
const BAD_RUNS = Number(process.env['BAD_RUNS'] ?? 3);
const DURATION_S = Number(process.env['DURATION_S'] ?? 15);

/** Clearly bad paths: 5 % random loss each way, and the accuracy bench's bursts. */
const BAD_PATHS: readonly AccuracyScenario[] = [
  { name: 'loss-5pct-each-way', description: '5 % random loss each way.', up: { loss: { probability: 0.05 } }, down: { loss: { probability: 0.05 } } },
  ...SCENARIOS.filter((x) => x.name === 'bursts'),
];

interface SpeedRun {
  cliToPageStartMs: number | null;
  pageMs: Record<string, number | null>;
  cliWallMs: number;
  verdict: string;
  answers: AnswerTimes;
}

interface BadRun {
  scenario: string;
  seed: string;
  verdict: string;
  answers: AnswerTimes;
}

async function main(): Promise<void> {
  benchCommandLine(
    'bench:speed',
    'How long a user waits: callprobe run against a local server, from start to the first step, connected, first live number, first provisional answer and verdict; then on a clearly bad path through the impairment proxy.',
  );
  const loadStart = loadavg()[0] ?? null;
  const server = await startServe(['--turn-ports', '3478-3481'], 18090);
  const runs: SpeedRun[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const r = await runCli(['--server', server.url, '--json', '--duration', String(DURATION_S)], (DURATION_S + 60) * 1000);
      if (r.exitCode > 2) throw new Error(`callprobe run failed (${r.exitCode}): ${r.progress.map((p) => p.line).join('\n')}`);
      const report = JSON.parse(r.stdout) as {
        summary: { verdict: string };
        setupMs: Record<string, number | null>;
        timelineMs: Record<string, number | null>;
        provisional?: { atMs: number; claims: { kind: string }[] }[];
      };
      const pageMs = { ...report.setupMs, ...report.timelineMs };
      const firstStep = r.progress.find((p) => p.line.includes('config:'));
      runs.push({
        cliToPageStartMs: firstStep ? firstStep.atMs : null,
        pageMs,
        cliWallMs: r.wallMs,
        verdict: report.summary.verdict,
        answers: answerTimes(r.progress, report.provisional),
      });
      process.stderr.write(
        `run ${i + 1}/${RUNS}: verdict ${report.summary.verdict}, ${JSON.stringify(pageMs)}, answers ${JSON.stringify(runs.at(-1)?.answers)}\n`,
      );
    }
  } finally {
    await server.stop();
  }
  const bad: BadRun[] = [];
  if (BAD_RUNS > 0) {
    const harness = await AccuracyHarness.start({ rtp: { httpPort: 18097, relayPort: 3498, proxyPort: 13498 }, datachannel: null, durationS: DURATION_S });
    try {
      for (const scenario of BAD_PATHS) {
        for (let i = 1; i <= BAD_RUNS; i++) {
          const seed = `speed-${scenario.name}-${i}`;
          const r = await harness.runCallprobe(scenario, seed, 'rtp');
          const report = r.report as { summary: { verdict: string }; provisional?: { atMs: number; claims: { kind: string }[] }[] };
          bad.push({ scenario: scenario.name, seed, verdict: report.summary.verdict, answers: answerTimes(r.progress as ProgressLine[], report.provisional) });
          process.stderr.write(`${seed}: verdict ${report.summary.verdict}, answers ${JSON.stringify(bad.at(-1)?.answers)}\n`);
        }
      }
    } finally {
      await harness.stop();
    }
  }
  const steps = ['config', 'allocation', 'iceConnected', 'dtls', 'channelOpen', 'firstEcho', 'lastProbe', 'verdict'] as const;
  const medians = Object.fromEntries(steps.map((s) => [s, median(runs.map((r) => r.pageMs[s]).filter((v): v is number => v !== null))]));
  const summary = {
    runs: RUNS,
    durationS: DURATION_S,
    medianCliToPageStartMs: median(runs.map((r) => r.cliToPageStartMs).filter((v): v is number => v !== null)),
    medianPageStepMs: medians,
    medianCliWallMs: median(runs.map((r) => r.cliWallMs)),
    /** The first provisional answer: when it was due (the report) and when its line reached the CLI, from the page's first step; the latest of the runs. */
    firstAnswer: spanOf(runs.map((r) => r.answers)),
    /** Clearly bad paths through the proxy: the first settled fail, due and printed. */
    badPaths: BAD_PATHS.map((x) => ({
      scenario: x.name,
      runs: bad.filter((b) => b.scenario === x.name).length,
      ...settledOf(bad.filter((b) => b.scenario === x.name).map((b) => b.answers)),
    })),
    /** 1-minute load average of the (shared) machine before the first run and after the last. */
    loadAverage1m: { start: loadStart, end: loadavg()[0] ?? null },
  };
  const machine = machineInfo();
  const date = today();
  const files = resultFiles('speed', date);
  const f = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${(v / 1000).toFixed(2)} s`);
  const step = (s: (typeof steps)[number]): number | null => medians[s] ?? null;
  const markdown = [
    `### Time to a verdict (${date})`,
    '',
    `Command: \`npm run bench:speed\` (${RUNS} runs of \`callprobe run --json --duration ${DURATION_S}\` against a local \`callprobe serve\`, loopback, ${machine['cores']} cores, ${machine['chromium']}). Summary: \`${files.summary}\`. Medians; page times are from the start of the test (the click, or autostart in headless runs). Load average (1 min): ${summary.loadAverage1m.start?.toFixed(2) ?? '–'} before the first run, ${summary.loadAverage1m.end?.toFixed(2) ?? '–'} after the last.`,
    '',
    mdTable(
      ['step', 'median time', 'what takes the time'],
      [
        ['CLI start to the page starting its test', f(summary.medianCliToPageStartMs), 'starting headless Chromium and loading the page'],
        ['relay configuration fetched (GET /api/config)', f(step('config')), 'one HTTP request'],
        ['a relay port chosen', f(step('allocation')), 'allocating through every relay port at once (port check)'],
        ['ICE connected through the relay', f(step('iceConnected')), 'signaling, TURN allocation of the test, ICE checks'],
        ['DTLS handshake done', f(step('dtls')), 'DTLS over the relayed path'],
        ['probe channels open', f(step('channelOpen')), 'SCTP association and both data channels'],
        ['first live number (first echo)', f(step('firstEcho')), 'the pacing worker starting, one round trip'],
        [
          'first provisional answer',
          `${f(summary.firstAnswer.dueMsMedian)} (printed ${f(summary.firstAnswer.printedMsMedian)}; latest of ${RUNS} runs ${f(summary.firstAnswer.printedMsMax)})`,
          "due 3 s after the probes start (the report's `provisional` times count from there); the CLI time is when its line reached `callprobe run`, counted from the page's first step",
        ],
        ['last probe sent', f(step('lastProbe')), `the ${DURATION_S} s probe stream`],
        ['graded verdict on screen', f(step('verdict')), 'waiting max(1 s, 4 x RTT p99) for late packets, the final tally, the analysis'],
        ['CLI start to exit', f(summary.medianCliWallMs), 'all of the above plus closing the browser'],
      ],
    ),
    '',
    `Clearly bad paths through the seeded impairment proxy (\`bench/impair/\`, impairment from 1 s after each flow's first datagram, ${BAD_RUNS} seeds each): the first settled fail, due (the report's \`provisional\`) and printed (\`callprobe run\`'s line, from the page's first step).`,
    '',
    mdTable(
      ['path', 'runs', 'runs with a settled fail', 'first settled fail, median', 'latest'],
      summary.badPaths.map((b) => [
        b.scenario,
        String(b.runs),
        String(b.settledRuns),
        `${f(b.settledDueMsMedian)} (printed ${f(b.settledPrintedMsMedian)})`,
        f(b.settledPrintedMsMax),
      ]),
    ),
  ].join('\n');
  const published = publishResults(
    {
      name: 'speed',
      raw: { command: 'npm run bench:speed', machine, summary, runs, bad },
      summary: { command: 'npm run bench:speed', machine, summary },
      docs: { page: 'speed', section: 'speed', markdown },
    },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n${describePublished(published)}\n`);
}

/** Medians and the latest of when the first answers were due and printed. */
function spanOf(a: readonly AnswerTimes[]) {
  const due = a.flatMap((x) => (x.firstDueMs === null ? [] : [x.firstDueMs]));
  const printed = a.flatMap((x) => (x.firstPrintedMs === null ? [] : [x.firstPrintedMs]));
  return { dueMsMedian: median(due), printedMsMedian: median(printed), printedMsMax: printed.length > 0 ? Math.max(...printed) : null };
}

/** How many runs settled a fail, and when (medians, the latest printed). */
function settledOf(a: readonly AnswerTimes[]) {
  const due = a.flatMap((x) => (x.settledDueMs === null ? [] : [x.settledDueMs]));
  const printed = a.flatMap((x) => (x.settledPrintedMs === null ? [] : [x.settledPrintedMs]));
  return {
    settledRuns: due.length,
    settledDueMsMedian: median(due),
    settledPrintedMsMedian: median(printed),
    settledPrintedMsMax: printed.length > 0 ? Math.max(...printed) : null,
  };
}

main().catch((err: Error) => {
  process.stderr.write(`bench:speed failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
