import type { Page, TestInfo } from '@playwright/test';
import { runCli, startServe, type CliRun } from '../bench/lib/processes.js';
import { startImpairProxy } from '../bench/impair/proxy.js';
import type { ImpairmentScenario } from '../bench/impair/scenario.js';
import type { Truth } from '../bench/impair/truth-types.js';
import { flowTruthMetrics, sameWorstBurst, testFlow } from '../bench/accuracy/truth.js';
import { CALLPROBE_RTP_PROBE_SIZES, callprobeFigures } from '../bench/accuracy/harness.js';
import { workerPort } from './fixtures/env.js';
import { expect, test } from './fixtures/test.js';

/**
 * The RTP probe path through the real relay and the werift RTP reflector, driven by
 * `callprobe run` (headless Chromium): on a clean path the grades rest on RTP with a sane
 * round trip; through the seeded impairment proxy the report's upstream loss is the proxy's
 * drops of RTP probes, probe for probe.
 */
test.describe.configure({ mode: 'serial' });

/** This worker's ports, apart from every other spec's (e2e/fixtures/env.ts). */
const clean = () => ({ httpPort: workerPort(18694, test.info().parallelIndex), relayPort: workerPort(3988, test.info().parallelIndex) });
const lossy = () => ({
  httpPort: workerPort(18704, test.info().parallelIndex),
  relayPort: workerPort(4008, test.info().parallelIndex),
  proxyPort: workerPort(13998, test.info().parallelIndex),
});

interface RtpReport {
  probe: { path: string; reason: string };
  meta: { ratePps: number; payloadBytes: number };
  summary: { verdict: string; rttMsP50: number | null };
  directions: {
    up: {
      packetsSent: number;
      packetsLost: number;
      lossPeriods: { count: number; maxLength: number };
      delayVariationMs: { max: number | null };
      windows: { burst200ms: { suspectWindows: number } };
    };
    down: { packetsSent: number; packetsLost: number; delayVariationMs: { max: number | null } };
  };
  diagnostics: { notes: string[] };
  attribution?: { directions: { direction: string; intervals: { startMs: number; endMs: number; who: string; reason: string }[] }[] };
  setupMs: { channelOpen: number | null; firstEcho: number | null };
  witness: { upstream: { packets: number; paddingPackets: number; lost: number; duplicates: number }; reflectorPackets?: number } | null;
  grades: { target: string; direction: string; reason: string | null }[];
}

/**
 * An 8 s `callprobe run --json` (800 probes each way: the checks are counts against the proxy's
 * truth for the same probes, no 15 s window needed) through this worker's impairment proxy running `scenario`
 * (impaired from 1 s after each flow's first datagram: TURN, ICE and DTLS pass untouched), with
 * the proxy's truth; the report and the truth are kept with the test's results, so a failure can
 * be read packet by packet.
 */
async function runThroughProxy(
  testInfo: TestInfo,
  scenario: Pick<ImpairmentScenario, 'name' | 'seed' | 'up' | 'down'>,
): Promise<{ report: RtpReport; truth: Truth }> {
  const LOSSY = lossy();
  const server = await startServe(['--turn-ports', String(LOSSY.relayPort), '--advertise', `127.0.0.1:${LOSSY.proxyPort}`, '--no-store'], LOSSY.httpPort);
  const proxy = await startImpairProxy({
    pairs: [{ listen: { host: '127.0.0.1', port: LOSSY.proxyPort }, target: { host: '127.0.0.1', port: LOSSY.relayPort } }],
    scenario: { ...scenario, startAfter: { ms: 1000 }, probe: { ...CALLPROBE_RTP_PROBE_SIZES } },
    durationMs: 100_000,
  });
  let truth: Truth;
  let run: CliRun;
  try {
    run = await runCli(['--server', server.url, '--json', '--no-save', '--duration', '8'], 90_000);
    // The relay's last datagrams may still be held for their delay in the proxy: wait until they have landed.
    await expect.poll(() => proxy.scheduled(), { timeout: 5000, intervals: [5], message: 'the proxy to release what it holds' }).toBe(0);
  } finally {
    truth = await proxy.stop();
    await server.stop();
  }
  expect(run.exitCode, run.progress.map((p) => p.line).join('\n')).toBeLessThanOrEqual(2);
  const report = JSON.parse(run.stdout) as RtpReport;
  await testInfo.attach('evidence.json', { body: JSON.stringify({ report, truth }), contentType: 'application/json' });
  expect(report.probe.path).toBe('rtp');
  return { report, truth };
}

// The clean path graded on RTP (100 probes/s, nothing lost, no data channel beside it) is checked
// by the full clean test of e2e/cli.spec.ts: one 15 s run for both.

test('a server without the RTP reflector: graded on the data channel, and the report says why', async () => {
  test.setTimeout(60_000);
  const CLEAN = clean();
  const server = await startServe(['--turn-ports', String(CLEAN.relayPort), '--no-store', '--no-rtp'], CLEAN.httpPort);
  try {
    const run = await runCli(['--server', server.url, '--json', '--no-save', '--duration', '3'], 45_000);
    const r = JSON.parse(run.stdout) as RtpReport;
    expect(r.probe).toEqual({ path: 'datachannel', reason: 'the server has no RTP reflector' });
    expect(r.meta.ratePps).toBe(100);
    // Probes went out over the data channel: more than half of 3 s at 100/s. Not all: this lane
    // shares 2 cores among three browsers, and a starved page sent 229 (the pacing's own check,
    // all but a few of 1000/s sent, is e2e/profiles.spec.ts in the measurement lane).
    expect(r.directions.up.packetsSent).toBeGreaterThan(150);
  } finally {
    await server.stop();
  }
});

// Playwright reads fixtures from the first parameter's destructuring: none are used here.
// eslint-disable-next-line no-empty-pattern
test('through the impairment proxy with loss: upstream loss is the proxy drop count, probe for probe', { tag: '@measure' }, async ({}, testInfo) => {
  test.setTimeout(120_000);
  const { report, truth } = await runThroughProxy(testInfo, {
    name: 'rtp-loss',
    seed: 'rtp-e2e-1',
    up: { delayMs: 10, loss: { probability: 0.02 } },
    down: { delayMs: 10, loss: { probability: 0.015 } },
  });
  // The RTP leg's flow is the one with the most RTP-sized datagrams (the data-channel leg has its own).
  const flow = testFlow(truth);
  const upProbes = (flow.up.probes?.packets ?? []).filter((p) => p.fate !== 'pending');
  // Every stamped probe crossed the proxy once, in order: the k-th RTP-sized datagram upstream is probe k.
  expect(upProbes.length).toBe(report.directions.up.packetsSent);
  const droppedProbeSeqs = upProbes.flatMap((p, k) => (p.fate === 'dropped' ? [k] : []));
  expect(droppedProbeSeqs.length, 'the scenario drops probes upstream').toBeGreaterThan(5);
  expect(report.directions.up.packetsLost).toBe(droppedProbeSeqs.length);
  // The same probes: the runs of consecutive lost probe numbers are the same in number and length.
  const runs: number[] = [];
  droppedProbeSeqs.forEach((seq, i) => {
    if (i > 0 && droppedProbeSeqs[i - 1] === seq - 1) runs[runs.length - 1] = (runs[runs.length - 1] ?? 0) + 1;
    else runs.push(1);
  });
  expect(report.directions.up.lossPeriods.count).toBe(runs.length);
  expect(report.directions.up.lossPeriods.maxLength).toBe(Math.max(...runs));
  // And where they were lost: the worst 200 ms window holds a probe the proxy dropped.
  const t = flowTruthMetrics(truth, 10);
  const figures = callprobeFigures(report);
  expect(
    sameWorstBurst(figures.up.worstBurst200ms, t.up.worstBurst200ms, t.up.lostAtMs),
    JSON.stringify([figures.up.worstBurst200ms, t.up.worstBurst200ms]),
  ).toBe(true);
  // Downstream: the echoes the proxy dropped, counted by the reflector's echo numbers.
  expect(report.directions.down.packetsLost).toBe(t.down.lost);
  // The relay as witness, by RTP sequence number: every probe the proxy dropped is a gap it saw,
  // plus the padding-only packets the proxy dropped (Chromium's, other sizes, in the same sequence
  // space; they are among the proxy's other drops on this flow, with RTCP and TURN control).
  const witness = report.witness?.upstream;
  expect(witness, 'the relay witnessed the RTP probe stream').toBeTruthy();
  const otherDrops = flow.up.counts.droppedTotal - (flow.up.probes?.counts.droppedTotal ?? 0);
  expect(witness?.lost).toBeGreaterThanOrEqual(droppedProbeSeqs.length);
  expect(witness?.lost).toBeLessThanOrEqual(droppedProbeSeqs.length + otherDrops);
  expect(witness?.duplicates, 'the scenario duplicates nothing').toBe(0);
  // What reached the relay: at least the probes the proxy forwarded (frames outside the test pass unstamped), padding-only packets apart.
  expect(witness?.packets).toBeGreaterThanOrEqual(upProbes.length - droppedProbeSeqs.length);
  // Past the relay the hop to our reflector is ours and lossless: the reflector says it received
  // what the relay carried (the loss above is the proxy's, so none of it is the server's).
  const carried = (witness?.packets ?? 0) - (witness?.duplicates ?? 0);
  console.log(
    `relay carried ${carried} media + ${witness?.paddingPackets} padding packets upstream; the reflector received ${report.witness?.reflectorPackets}`,
  );
  expect(report.witness?.reflectorPackets).toBeGreaterThanOrEqual(carried * 0.995);
  // Duplicates and padding-only packets counted on both sides (the reflector keeps no replay list).
  expect(report.witness?.reflectorPackets).toBeLessThanOrEqual((witness?.packets ?? 0) + (witness?.paddingPackets ?? 0) + 2);
  expect(report.grades.filter((g) => g.reason === 'server-missed')).toEqual([]);
});

test(
  'a congested uplink (bottleneck with a tail-drop queue): the proxy drops plus any spell the browser withheld, delay variation within its queue, no sender queue',
  { tag: '@measure' },
  // Playwright reads fixtures from the first parameter's destructuring: none are used here.
  // eslint-disable-next-line no-empty-pattern
  async ({}, testInfo) => {
    test.setTimeout(120_000);
    const { report, truth } = await runThroughProxy(testInfo, {
      name: 'rtp-congested',
      seed: 'rtp-e2e-2',
      // 100 RTP datagrams/s of about 214 B with IP+UDP: 171 kbit/s into 150 kbit/s, so the queue fills and drops.
      up: { delayMs: 10, rateLimit: { bitsPerSecond: 150_000, queuePackets: 15, overheadBytes: 28 } },
      down: { delayMs: 10 },
    });
    const t = flowTruthMetrics(truth, 10);
    expect(t.up.lost, 'the bottleneck drops probes').toBeGreaterThan(5);
    // The bottleneck drops Chromium's ICE connectivity checks too. In about half the runs enough go unanswered that
    // Chromium stops putting RTP on the wire for ~200 ms (tcpdump: only 100-byte checks leave, every ~60 ms; the
    // candidate pair's packetsSent is short by as many while outbound-rtp counts them sent), and the stamped probes of
    // that spell never reach the proxy. A call in this browser loses them too, so the report counts them as lost: the
    // truth is the proxy's drops plus the probes that never reached it, all in one quiet spell.
    const withheld = report.directions.up.packetsSent - t.up.probes;
    expect(withheld, 'the proxy saw no probe the page did not send').toBeGreaterThanOrEqual(0);
    if (withheld > 0) expect(report.directions.up.lossPeriods.maxLength, 'the probes never sent are one run').toBeGreaterThanOrEqual(withheld);
    expect(report.directions.up.packetsLost).toBe(t.up.lost + withheld);
    // The delay variation the page reports is the proxy's queue (the spread of its applied delays), within the
    // tolerance of every delay-variation figure in the accuracy bench (1 ms + 15 %): no browser queue on top
    // (the data channel's SCTP queue added hundreds of ms here). A maximum also holds the one worst moment of
    // this host's own timing (stamping and scheduling on both ends), which a busy machine stretches by a few
    // ms: the unimpaired way back (a fixed 10 ms in the proxy) measures that floor in the same run.
    const queueSpreadMs = Math.max(...t.up.appliedDelaysMs) - Math.min(...t.up.appliedDelaysMs);
    expect(queueSpreadMs, 'the queue really builds').toBeGreaterThan(50);
    const hostFloorMs = report.directions.down.delayVariationMs.max ?? 0;
    expect(hostFloorMs, "the host's own timing is well below the queue being measured").toBeLessThan(queueSpreadMs / 2);
    expect(report.directions.up.delayVariationMs.max ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(queueSpreadMs * 1.15 + 1 + hostFloorMs);
    // No probe waited in a sender's own queue (the data channel's SCTP queue added hundreds of ms here): no
    // sender-queue interval. A moment of this host's own lateness (a timer, the server's loop) is left out of the
    // figures as suspect, and is not a queue: it is listed in the message when there is one.
    const upIntervals = report.attribution?.directions.find((d) => d.direction === 'up')?.intervals ?? [];
    expect(
      upIntervals.filter((i) => i.reason === 'sender-queue'),
      JSON.stringify(upIntervals),
    ).toEqual([]);
  },
);

interface PageResult {
  ok: boolean;
  report: RtpReport;
}

async function runPage(page: Page, origin = ''): Promise<PageResult> {
  await page.goto(`${origin}/?duration=3&autostart=1`);
  await expect(page.locator('[data-verdict]')).toBeVisible({ timeout: 30_000 });
  return page.evaluate(() => (window as unknown as { __callprobeResult: PageResult }).__callprobeResult);
}

test('a browser without RTCRtpScriptTransform: graded on the data channel, the page says why', async ({ page }) => {
  await page.addInitScript(() => {
    delete (window as unknown as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform;
  });
  const r = await runPage(page);
  expect(r.ok).toBe(true);
  expect(r.report.probe).toEqual({ path: 'datachannel', reason: 'this browser has no RTP transforms (RTCRtpScriptTransform)' });
  await expect(page.locator('[data-probe-path]')).toHaveText(
    'Measured on a data channel, not on an audio stream: this browser has no RTP transforms (RTCRtpScriptTransform).',
  );
});

test('an RTP leg the browser refuses to set up: the test goes on over the data channel with the reason', async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { RTCRtpScriptTransform: unknown }).RTCRtpScriptTransform = function refused(): never {
      throw new Error('refused by the test');
    };
  });
  const r = await runPage(page);
  expect(r.ok).toBe(true);
  expect(r.report.probe).toEqual({ path: 'datachannel', reason: 'the RTP leg failed: could not set up the RTP leg: refused by the test' });
  expect(r.report.directions.up.packetsSent).toBeGreaterThan(250);
});

test('a server that refuses the RTP offer: the page falls back at once with the server reason', async ({ page }) => {
  test.setTimeout(60_000);
  const CLEAN = clean();
  const server = await startServe(['--turn-ports', String(CLEAN.relayPort), '--no-store', '--no-rtp'], CLEAN.httpPort);
  try {
    // The configuration claims an RTP reflector the server does not run: its refusal must end the RTP leg, not a timeout.
    await page.route('**/api/config', async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: { ...((await res.json()) as object), rtpReflector: true } });
    });
    const r = await runPage(page, server.url);
    expect(r.ok).toBe(true);
    expect(r.report.probe).toEqual({
      path: 'datachannel',
      reason: 'the RTP leg failed: reflector: this server runs without the RTP reflector (no-rtp-leg)',
      // The server's refusal: its fact in the answer, not this device's.
      fallback: 'failed',
    });
    // Well inside the 5 s the page would otherwise give the RTP leg.
    expect((r.report.setupMs.firstEcho ?? Infinity) - (r.report.setupMs.channelOpen ?? 0)).toBeLessThan(1000);
  } finally {
    await server.stop();
  }
});
