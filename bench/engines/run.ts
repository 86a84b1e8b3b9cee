/**
 * npm run bench:engines: the same impaired path measured by the page in Chromium and in Firefox
 * ESR (both driven by puppeteer-core), each against the impairment proxy's truth with the accuracy
 * bench's criterion (bench/accuracy/criterion.ts: RTT within 1 ms + 2 %, loss within 2 sigma of
 * the binomial count; jitter within 1 ms + 15 %, bench/accuracy/compare.ts), and Firefox against
 * Chromium. Each engine also runs with `?arrivals=worker`: RTP echo arrivals timed by the
 * transform worker's clock, as a browser without `receiveTime` does (Firefox before 152,
 * Safari), which measures what that costs against the same truth.
 *
 * Runs inside scripts/netns-run.sh: the server and the proxy listen on a veth pair made in that
 * namespace (Firefox refuses a relay on loopback). Env: SEEDS (3), DURATION_S (15). Writes
 * every report and truth to bench/results/raw/ (not committed); with --write-docs also
 * bench/results/engines-<date>.summary.json and the engines section of docs/benchmarks/engines.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'puppeteer-core';
import { launchEngine, pageResult, type Engine } from '../lib/engines.js';
import { startServe, type Served } from '../lib/processes.js';
import { median } from '../lib/median.js';
import { addVeth } from '../lib/veth.js';
import { describePublished, machineInfo, publishResults, RAW_DIR, writeDocsRequested } from '../lib/results.js';
import { mdTable } from '../lib/docs.js';
import { startImpairProxy } from '../impair/proxy.js';
import { CALLPROBE_RTP_PROBE_SIZES, callprobeFigures, FIREFOX_RTP_PROBE_SIZES, proxyScenario, type CallprobeFigures } from '../accuracy/harness.js';
import { criterion, type Criterion, type CriterionSeed } from '../accuracy/criterion.js';
import { flowTruthMetrics, type FlowTruthMetrics } from '../accuracy/truth.js';
import type { AccuracyScenario } from '../accuracy/scenarios.js';
import { benchCommandLine } from '../lib/cli.js';

const SEEDS = Number(process.env['SEEDS'] ?? 3);
const DURATION_S = Number(process.env['DURATION_S'] ?? 15);
const PORTS = { http: 18951, relay: 4951, proxy: 14951 };

/** Delay, jitter that never reorders, and loss, each way: RTT, loss and jitter all have a truth to meet. */
const SCENARIO: AccuracyScenario = {
  name: 'engines-impaired',
  description: '25 ms +-10 ms uniform and 2 % random loss each way.',
  up: { delayMs: 25, jitter: { kind: 'uniform', amplitudeMs: 10 }, loss: { probability: 0.02 } },
  down: { delayMs: 25, jitter: { kind: 'uniform', amplitudeMs: 10 }, loss: { probability: 0.02 } },
};
const CLEAN: AccuracyScenario = { name: 'engines-clean', description: 'No impairment: each configuration’s base round trip.' };

interface Config {
  engine: Engine;
  arrivals: 'receive-time' | 'worker';
}
const CONFIGS: readonly Config[] = [
  { engine: 'chromium', arrivals: 'receive-time' },
  { engine: 'firefox', arrivals: 'receive-time' },
  { engine: 'chromium', arrivals: 'worker' },
  { engine: 'firefox', arrivals: 'worker' },
];
const label = (c: Config): string => `${c.engine}${c.arrivals === 'worker' ? ' (worker-timed arrivals)' : ''}`;

interface Run {
  figures: CallprobeFigures;
  truth: FlowTruthMetrics;
  /** What the report says of the arrival timing and the clock. */
  arrivalNotes: string[];
  clockResolutionMs: number | null;
  /** How the page paced its probes, as its report says ('paced by atomics' when cross-origin isolated). */
  pacing: string | null;
  browser: string;
}

async function runOnce(browser: Browser, server: Served, address: string, c: Config, s: AccuracyScenario, seed: string): Promise<Run> {
  const sizes = c.engine === 'firefox' ? FIREFOX_RTP_PROBE_SIZES : CALLPROBE_RTP_PROBE_SIZES;
  const proxy = await startImpairProxy({
    pairs: [{ listen: { host: address, port: PORTS.proxy }, target: { host: address, port: PORTS.relay } }],
    madeAddresses: [address],
    scenario: proxyScenario(s, seed, sizes, { ms: 1000 }),
    durationMs: (DURATION_S + 90) * 1000,
  });
  const page = await browser.newPage();
  let result;
  let truth;
  try {
    await page.goto(`${server.url}/?autostart=1&save=0&duration=${String(DURATION_S)}${c.arrivals === 'worker' ? '&arrivals=worker' : ''}`);
    result = await pageResult(page, (DURATION_S + 60) * 1000);
    // The relay's last datagrams are still crossing the proxy: let them land.
    await sleep(200);
  } finally {
    truth = await proxy.stop();
    await page.close();
  }
  if (!result.ok) throw new Error(`${label(c)} could not test: ${result.reason}: ${result.message}`);
  const report = result.report;
  mkdirSync(RAW_DIR, { recursive: true });
  writeFileSync(`${RAW_DIR}/engines-${c.engine}-${c.arrivals}-${seed}.json`, JSON.stringify({ report, truth }));
  const figures = callprobeFigures(report);
  if (figures.probePath !== 'rtp') throw new Error(`${label(c)} graded the ${figures.probePath} path: ${report.probe.reason}`);
  return {
    figures,
    truth: flowTruthMetrics(truth, 10),
    arrivalNotes: report.diagnostics.notes.filter((n) => /receiveTime|arrivals/.test(n)),
    clockResolutionMs: report.meta.clock?.resolutionMs ?? null,
    pacing: report.diagnostics.notes.find((n) => n.startsWith('paced by')) ?? null,
    browser: report.meta.browser,
  };
}

const seedOf = (r: Run, baseRttMs: number): CriterionSeed => ({
  rttMs: r.figures.rttMsP50,
  truthRttMs: r.truth.addedRttMsP50 === null ? null : baseRttMs + r.truth.addedRttMsP50,
  up: { lost: r.figures.up.packetsLost, truthLost: r.truth.up.lost, probes: r.truth.up.probes },
  down: { lost: r.figures.down.packetsLost, truthLost: r.truth.down.lost, probes: r.truth.down.probes },
});

/** Median over seeds of measured - truth jitter (RFC 3550 J, mean), per direction, and whether within 1 ms + 15 %. */
function jitterErrors(runs: Run[]): { up: number | null; down: number | null; ok: boolean | null } {
  const err = (d: 'up' | 'down'): { e: number | null; ok: boolean | null } => {
    const pairs = runs.flatMap((r) =>
      r.figures[d].jitterMeanMs === null || r.truth[d].jitterMeanMs === null ? [] : [{ m: r.figures[d].jitterMeanMs, t: r.truth[d].jitterMeanMs }],
    );
    const e = median(pairs.map((p) => p.m - p.t));
    const t = median(pairs.map((p) => p.t));
    return { e, ok: e === null || t === null ? null : Math.abs(e) <= 1 + 0.15 * t };
  };
  const up = err('up');
  const down = err('down');
  return { up: up.e, down: down.e, ok: up.ok === null || down.ok === null ? null : up.ok && down.ok };
}

const fmt = (v: number | null, digits = 2): string => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const signed = (v: number | null, digits = 2): string => (v === null || !Number.isFinite(v) ? '–' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`);
const yes = (ok: boolean | null): string => (ok === null ? '–' : ok ? 'yes' : 'NO');

async function main(): Promise<void> {
  benchCommandLine('bench:engines', "The same impaired path measured by the page in Chromium and in Firefox ESR, each against the impairment proxy's truth.");
  const veth = addVeth(41);
  const server = await startServe(['--turn-ports', String(PORTS.relay), '--advertise', `${veth.address}:${PORTS.proxy}`, '--no-store'], PORTS.http, {
    host: veth.address,
  });
  const browsers = new Map<Engine, Browser>();
  const results: Array<{ config: Config; clean: Run; runs: Run[]; criterion: Criterion; jitter: ReturnType<typeof jitterErrors>; failures: string[] }> = [];
  try {
    for (const engine of ['chromium', 'firefox'] as const) browsers.set(engine, await launchEngine(engine, veth.address, [PORTS.http]));
    for (const c of CONFIGS) {
      const browser = browsers.get(c.engine);
      if (!browser) throw new Error(`no ${c.engine}`);
      console.error(`engines: ${label(c)}: clean run`);
      const clean = await runOnce(browser, server, veth.address, c, CLEAN, 'engines-clean');
      const runs: Run[] = [];
      const failures: string[] = [];
      for (let i = 1; i <= SEEDS; i++) {
        const seed = `engines-${String(i)}`;
        console.error(`engines: ${label(c)}: seed ${seed}`);
        try {
          runs.push(await runOnce(browser, server, veth.address, c, SCENARIO, seed));
        } catch (err) {
          failures.push(`${seed}: ${(err as Error).message}`);
        }
      }
      const base = clean.figures.rttMsP50 ?? 0;
      results.push({ config: c, clean, runs, criterion: criterion(runs.map((r) => seedOf(r, base))), jitter: jitterErrors(runs), failures });
    }
  } finally {
    for (const b of browsers.values()) await b.close();
    await server.stop();
    veth.remove();
  }

  // Firefox against Chromium on the same seeds: the round trip within 1 ms + 2 % of Chromium's, loss within 2 sigma.
  const chromium = results.find((r) => r.config.engine === 'chromium' && r.config.arrivals === 'receive-time');
  const firefox = results.find((r) => r.config.engine === 'firefox' && r.config.arrivals === 'receive-time');
  const cross =
    chromium && firefox
      ? criterion(
          firefox.runs.map((f, i) => {
            const cr = chromium.runs[i];
            return {
              rttMs: f.figures.rttMsP50,
              truthRttMs: cr?.figures.rttMsP50 ?? null,
              up: { lost: f.figures.up.packetsLost, truthLost: cr?.figures.up.packetsLost ?? 0, probes: cr?.figures.up.packetsSent ?? 0 },
              down: { lost: f.figures.down.packetsLost, truthLost: cr?.figures.down.packetsLost ?? 0, probes: cr?.figures.down.packetsSent ?? 0 },
            };
          }),
        )
      : null;

  const rows = results.map((r) => [
    label(r.config),
    (r.runs[0] ?? r.clean).browser.match(/(Firefox|Chrome)\/[\d.]+/)?.[0] ?? '?',
    `${String(r.runs.length)}/${String(SEEDS)}`,
    fmt(r.clean.clockResolutionMs, 3),
    r.clean.pacing ?? '–',
    fmt(median(r.runs.map((x) => x.figures.rttMsP50).filter((v): v is number => v !== null))),
    `${signed(r.criterion.rtt.medianErrorMs)} (±${fmt(r.criterion.rtt.toleranceMs)})`,
    `${signed(r.criterion.up.medianErrorPackets, 0)} / ${signed(r.criterion.down.medianErrorPackets, 0)} (±${fmt(r.criterion.up.twoSigmaPackets, 1)} / ±${fmt(r.criterion.down.twoSigmaPackets, 1)})`,
    `${signed(r.jitter.up)} / ${signed(r.jitter.down)}`,
    yes(r.criterion.ok),
    yes(r.jitter.ok),
  ]);
  const date = new Date().toISOString().slice(0, 10);
  const md = [
    `### The same impaired path in Chromium and Firefox (${date})`,
    '',
    `${SCENARIO.description} ${String(SEEDS)} seeds of ${String(DURATION_S)} s per configuration, every run against the proxy's truth for its own flow (the RTP probes: ${String(CALLPROBE_RTP_PROBE_SIZES.minBytes)}-${String(CALLPROBE_RTP_PROBE_SIZES.maxBytes)} B from Chromium, ${String(FIREFOX_RTP_PROBE_SIZES.minBytes)}-${String(FIREFOX_RTP_PROBE_SIZES.maxBytes)} B from Firefox). RTT truth = the configuration's clean RTT p50 + the proxy's added delay p50; errors are medians over seeds (measured - truth). The clock step and the pacing are each page's own, as its clean run's report gives them (Atomics pacing when the page is cross-origin isolated, timers otherwise); both pages on a veth address in the run's own namespace.`,
    '',
    mdTable(
      [
        'configuration',
        'browser',
        'runs',
        'clock step ms',
        'pacing',
        'RTT p50 ms',
        'RTT error ms (tolerance)',
        'lost - truth up / down (2 sigma)',
        'jitter error ms up / down',
        'RTT and loss within criterion',
        'jitter within 1 ms + 15 %',
      ],
      rows,
    ),
    '',
    cross
      ? `Firefox against Chromium, seed by seed: RTT p50 differs by ${signed(cross.rtt.medianErrorMs)} ms (tolerance ±${fmt(cross.rtt.toleranceMs)} ms), lost probes by ${signed(cross.up.medianErrorPackets, 0)} up and ${signed(cross.down.medianErrorPackets, 0)} down (2 sigma ±${fmt(cross.up.twoSigmaPackets, 1)} / ±${fmt(cross.down.twoSigmaPackets, 1)}): ${cross.ok ? 'within' : 'NOT within'} the accuracy criterion.`
      : 'Firefox against Chromium: not compared (a configuration failed).',
    ...results.flatMap((r) => r.failures.map((f) => `- ${label(r.config)} failed: ${f}`)),
  ].join('\n');
  const summary = {
    machine: machineInfo(),
    scenario: SCENARIO,
    seeds: SEEDS,
    durationS: DURATION_S,
    configurations: results.map((r) => ({
      configuration: label(r.config),
      pacing: r.clean.pacing,
      runs: r.runs.length,
      criterion: r.criterion,
      jitter: r.jitter,
      failures: r.failures,
    })),
    cross,
  };
  const published = publishResults(
    { name: 'engines', raw: { ...summary, results }, summary, docs: { page: 'engines', section: 'engines', markdown: md } },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  console.log(md);
  console.error(`engines: ${describePublished(published)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
