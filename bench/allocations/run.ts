/**
 * npm run bench:allocations: how many TURN allocations one page test holds at once on our relay,
 * per credential (one page test is one credential), in Chromium and Firefox ESR, with 1, 2 and 4
 * network interfaces in the client's namespace, IPv4 alone or both families, and with and
 * without the microphone granted to the page's origin (a browser lists every interface to a
 * page only with a capture permission: without it, only the default route's). The figure the
 * per-username quota is sized from (DEFAULTS.relayQuotas, src/protocol/defaults.ts).
 *
 * Each run: a fresh pair of namespaces (bench/lib/multi-homed.ts), `callprobe serve` in
 * `server` (its quota per username lifted, so nothing is refused while the need is measured),
 * one test page in one fresh browser in `client` (page-main.ts), then the relay's /metrics:
 * callprobe_turn_credential_recent_peak_allocations (the page credential's most at once, while the
 * relay still follows it: a minute after its last release) and the allocations made on the
 * public TURN ports. Env: ENGINES (chromium,firefox), REPS (1),
 * DURATION_S (3: the allocations are made while the test connects). Raw results to
 * bench/results/raw/ (not committed); with --write-docs the summary and the allocations section
 * of docs/benchmarks/allocations.md. About 5 minutes with the defaults.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI } from '../lib/processes.js';
import { SERVE_ENV, SERVE_NODE_FLAGS } from '../../server/common/launch.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { MultiHomed, type Families } from '../lib/multi-homed.js';
import type { Engine } from '../lib/engines.js';
import { describePublished, machineInfo, publishResults, writeDocsRequested } from '../lib/results.js';
import { mdTable } from '../lib/docs.js';
import { pageOutcomeOf, type PageOutcome, type PageRun } from './page-run.js';
import { pagePeak, relayFigures, type RelayFigures } from './relay-metrics.js';
import { benchCommandLine } from '../lib/cli.js';

const ENGINES = (process.env['ENGINES'] ?? 'chromium,firefox').split(',').filter((e): e is Engine => e === 'chromium' || e === 'firefox');
const REPS = Number(process.env['REPS'] ?? 1);
const DURATION_S = Number(process.env['DURATION_S'] ?? 3);
const INTERFACES = [1, 2, 4] as const;
const FAMILIES: readonly Families[] = ['ipv4', 'dual'];
const PORTS = { http: 18961, metrics: 19961 };
const PUBLIC_TURN_PORTS = DEFAULTS.turnUdpPorts;

interface Config {
  engine: Engine;
  microphone: boolean;
  families: Families;
  interfaces: number;
}

interface Run {
  /** The page credential's most allocations at once; null when the relay saw none. */
  peak: number | null;
  figures: RelayFigures;
  page: PageOutcome | null;
  /** What went wrong around the page (the driver's exit, its stderr's last line). */
  failure: string | null;
}

const label = (c: Config): string =>
  `${c.engine} ${c.microphone ? 'microphone granted' : 'no permission'} ${c.families === 'dual' ? 'IPv4+IPv6' : 'IPv4'} x${String(c.interfaces)}`;

/** Reads /metrics in the server's namespace once the page's allocations are released (or 8 s passed: some outlive it). */
async function settledFigures(net: MultiHomed): Promise<RelayFigures> {
  const deadline = performance.now() + 8_000;
  for (;;) {
    const f = relayFigures(net.exec(net.server, 'curl', ['-s', `http://127.0.0.1:${String(PORTS.metrics)}/metrics`]), PUBLIC_TURN_PORTS);
    if (f.held === 0 || performance.now() > deadline) return f;
    await sleep(200);
  }
}

async function measureOnce(c: Config): Promise<Run> {
  const net = MultiHomed.create('alloc', c.interfaces, c.families);
  try {
    await net.up();
    const host = c.families === 'dual' ? ['--host', '::', '--relay-ip', `${net.serverV4},${net.serverV6 ?? ''}`] : ['--host', net.serverV4];
    const server = net.spawn(
      net.server,
      process.execPath,
      [
        ...SERVE_NODE_FLAGS,
        CLI,
        'serve',
        ...host,
        '--http-port',
        String(PORTS.http),
        '--metrics-listen',
        `127.0.0.1:${String(PORTS.metrics)}`,
        '--no-store',
        '--max-allocations-per-user',
        '100000',
        '--log-level',
        'warn',
      ],
      { deadlineMs: 180_000, env: { ...process.env, ...SERVE_ENV } },
    );
    try {
      await server.waitForLine(/callprobe serving http:\/\//, { timeoutMs: 30_000, what: 'callprobe serve to listen' });
      const run: PageRun = { engine: c.engine, host: net.serverV4, httpPort: PORTS.http, microphone: c.microphone, durationS: DURATION_S, timeoutMs: 90_000 };
      const driver = net.spawn(net.client, process.execPath, ['dist/bench/allocations/page-main.js', JSON.stringify(run)], { deadlineMs: 150_000 });
      const status = await driver.exited;
      const page = pageOutcomeOf(driver.stdout());
      const figures = await settledFigures(net);
      const failure =
        page === null ? `the page driver exited ${String(status.code ?? status.signal)}: ${driver.stderr().trim().split('\n').at(-1) ?? ''}` : null;
      return { peak: pagePeak(figures), figures, page, failure };
    } finally {
      await server.stop();
    }
  } finally {
    net.delete();
  }
}

const range = (xs: readonly (number | null)[]): string => {
  const v = xs.filter((x): x is number => x !== null);
  if (v.length === 0) return '–';
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return lo === hi ? String(hi) : `${String(lo)}-${String(hi)}`;
};

async function main(): Promise<void> {
  benchCommandLine(
    'bench:allocations',
    'How many TURN allocations one page test holds at once on our relay, per browser, interface count, address family and microphone grant.',
  );
  const results: { config: Config; runs: Run[] }[] = [];
  for (const engine of ENGINES) {
    for (const microphone of [false, true]) {
      for (const families of FAMILIES) {
        for (const interfaces of INTERFACES) {
          const config: Config = { engine, microphone, families, interfaces };
          const runs: Run[] = [];
          for (let i = 0; i < REPS; i++) {
            console.error(`allocations: ${label(config)} (${String(i + 1)}/${String(REPS)})`);
            try {
              runs.push(await measureOnce(config));
            } catch (err) {
              runs.push({ peak: null, figures: relayFigures('', PUBLIC_TURN_PORTS), page: null, failure: (err as Error).message });
            }
            const r = runs.at(-1);
            console.error(
              `  peak ${String(r?.peak)}, made ${String(r?.figures.created)}, left held ${String(r?.figures.held)}, ${r?.page?.path ?? r?.failure ?? '?'}`,
            );
          }
          results.push({ config, runs });
        }
      }
    }
  }

  const rows = results
    .filter((r) => r.config.interfaces === 1)
    .map((first) => {
      const same = (n: number) =>
        results.find(
          (r) =>
            r.config.engine === first.config.engine &&
            r.config.microphone === first.config.microphone &&
            r.config.families === first.config.families &&
            r.config.interfaces === n,
        );
      return [
        first.config.engine,
        first.config.microphone ? 'granted' : 'none',
        first.config.families === 'dual' ? 'IPv4 + IPv6' : 'IPv4',
        ...INTERFACES.map((n) => {
          const r = same(n);
          if (!r) return '–';
          return `${range(r.runs.map((x) => x.peak))} (${range(r.runs.map((x) => x.figures.created))})`;
        }),
      ];
    });
  const failures = results.flatMap((r) =>
    r.runs.flatMap((x) => {
      const problems = [
        x.failure,
        x.page && !x.page.ok ? `could not test: ${String(x.page.reason)}` : null,
        x.page?.ok === true && x.page.path !== 'rtp' ? `graded the ${String(x.page.path)} path: ${String(x.page.pathReason)}` : null,
        x.figures.held > 0 ? `${String(x.figures.held)} allocations still held after the page closed` : null,
        x.figures.refusedPerUsername > 0 ? `${String(x.figures.refusedPerUsername)} refused for the per-username quota` : null,
        r.config.microphone && x.page !== null && !x.page.granted ? `microphone not granted: ${String(x.page.grantError)}` : null,
      ].filter((p): p is string => p !== null);
      return problems.map((p) => `${label(r.config)}: ${p}`);
    }),
  );
  const reflector = range(results.flatMap((r) => r.runs.map((x) => (x.figures.reflector.recentPeakMax > 0 ? x.figures.reflector.recentPeakMax : null))));
  const date = new Date().toISOString().slice(0, 10);
  const md = [
    `### TURN allocations of one page test (${date})`,
    '',
    `Most allocations the page's one credential held at once on our relay (and, in brackets, how many it made), read off the relay's \`callprobe_turn_credential_recent_peak_allocations\` within a minute of the test; ${String(REPS)} run(s) per cell, ${String(DURATION_S)} s tests, each in a fresh browser against a fresh \`callprobe serve\` (default ports: ${String(PUBLIC_TURN_PORTS.length)} UDP and TCP on the first, no TLS: ${String(PUBLIC_TURN_PORTS.length + 1)} relay entries per family), the client in a namespace of its own with 1, 2 or 4 veth interfaces, each its own subnet with the relay reachable over every one (bench/lib/multi-homed.ts). "Microphone granted": the origin is granted the microphone before the page opens and the page opens it (\`?audio=fake-device\`, as \`callprobe run\` asks). Firefox lists every interface to a page only then (otherwise only the default route's); Chromium started with callprobe's flags (a fake media prompt, \`CHROMIUM_ARGS\`) lists them all either way. Each port check's connection is closed once every interface's allocation has answered, so none is left held after the page closes (closed at its first relay candidate, as before, a test with 4 interfaces left up to 10 on the relay for their 10-minute lifetime). The quota in force: \`maxAllocationsPerUsername\` = ${String(DEFAULTS.relayQuotas.maxAllocationsPerUsername)}.`,
    '',
    mdTable(['browser', 'microphone', 'families', ...INTERFACES.map((n) => `${String(n)} interface${n > 1 ? 's' : ''}`)], rows),
    '',
    `The reflector's own credential (one per session, on the server side) held ${reflector} at once: one per IPv4 address of the server's host (here loopback and one per veth pair).`,
    ...(failures.length > 0 ? ['', ...failures.map((f) => `- ${f}`)] : []),
  ].join('\n');
  const summary = {
    machine: machineInfo(),
    reps: REPS,
    durationS: DURATION_S,
    quota: DEFAULTS.relayQuotas.maxAllocationsPerUsername,
    cells: results.map((r) => ({
      configuration: label(r.config),
      peaks: r.runs.map((x) => x.peak),
      created: r.runs.map((x) => x.figures.created),
      paths: r.runs.map((x) => x.page?.path ?? null),
    })),
    failures,
  };
  const published = publishResults(
    { name: 'allocations', raw: { ...summary, results }, summary, docs: { page: 'allocations', section: 'allocations', markdown: md } },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  console.log(md);
  console.error(`allocations: ${describePublished(published)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
