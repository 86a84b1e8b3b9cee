/**
 * npm run bench:speed: how long a user waits. For several runs of `callprobe run` against a
 * local server: time from CLI start to the page's first step, and, from the page's own
 * clock (the click), to connected, first live number and graded verdict.
 * Loopback only (run inside scripts/netns-run.sh); bounded: RUNS x (duration + 60 s).
 */
import { loadavg } from 'node:os';
import { machineInfo, writeResults } from '../lib/results.js';
import { median, runCli, startServe } from '../lib/processes.js';
import { mdTable, updateBenchmarksDoc } from '../lib/docs.js';

const RUNS = Number(process.env['RUNS'] ?? 5);
const DURATION_S = Number(process.env['DURATION_S'] ?? 15);

interface SpeedRun {
  cliToPageStartMs: number | null;
  pageMs: Record<string, number | null>;
  cliWallMs: number;
  verdict: string;
}

async function main(): Promise<void> {
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
      };
      const pageMs = { ...report.setupMs, ...report.timelineMs };
      const firstStep = r.progress.find((p) => p.line.includes('config:'));
      runs.push({
        cliToPageStartMs: firstStep ? firstStep.atMs : null,
        pageMs,
        cliWallMs: r.wallMs,
        verdict: report.summary.verdict,
      });
      process.stderr.write(`run ${i + 1}/${RUNS}: verdict ${report.summary.verdict}, ${JSON.stringify(pageMs)}\n`);
    }
  } finally {
    await server.stop();
  }
  const steps = ['config', 'allocation', 'iceConnected', 'dtls', 'channelOpen', 'firstEcho', 'lastProbe', 'verdict'] as const;
  const medians = Object.fromEntries(steps.map((s) => [s, median(runs.map((r) => r.pageMs[s]).filter((v): v is number => v !== null))]));
  const summary = {
    runs: RUNS,
    durationS: DURATION_S,
    medianCliToPageStartMs: median(runs.map((r) => r.cliToPageStartMs).filter((v): v is number => v !== null)),
    medianPageStepMs: medians,
    medianCliWallMs: median(runs.map((r) => r.cliWallMs)),
    /** 1-minute load average of the (shared) machine before the first run and after the last. */
    loadAverage1m: { start: loadStart, end: loadavg()[0] ?? null },
  };
  const machine = machineInfo();
  const file = writeResults('speed', { command: 'npm run bench:speed', machine, summary, runs });
  const f = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${(v / 1000).toFixed(2)} s`);
  const step = (s: (typeof steps)[number]): number | null => medians[s] ?? null;
  updateBenchmarksDoc(
    'speed',
    [
      `### Time to a verdict (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Command: \`npm run bench:speed\` (${RUNS} runs of \`callprobe run --json --duration ${DURATION_S}\` against a local \`callprobe serve\`, loopback, ${machine['cores']} cores, ${machine['chromium']}). Raw data: \`${file}\`. Medians; page times are from the start of the test (the click, or autostart in headless runs). Load average (1 min): ${summary.loadAverage1m.start?.toFixed(2) ?? '–'} before the first run, ${summary.loadAverage1m.end?.toFixed(2) ?? '–'} after the last.`,
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
          ['last probe sent', f(step('lastProbe')), `the ${DURATION_S} s probe stream`],
          ['graded verdict on screen', f(step('verdict')), 'waiting max(1 s, 4 x RTT p99) for late packets, the final tally, the analysis'],
          ['CLI start to exit', f(summary.medianCliWallMs), 'all of the above plus closing the browser'],
        ],
      ),
    ].join('\n'),
  );
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\nwritten to ${file}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:speed failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
