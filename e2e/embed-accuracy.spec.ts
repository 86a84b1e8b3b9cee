import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { CALLPROBE_RTP_PROBE_SIZES, callprobeFigures, type CallprobeFigures } from '../bench/accuracy/harness.js';
import { flowTruthMetrics, type FlowTruthMetrics } from '../bench/accuracy/truth.js';
import { startImpairProxy } from '../bench/impair/proxy.js';
import type { ImpairmentScenario } from '../bench/impair/scenario.js';
import type { Truth } from '../bench/impair/truth-types.js';
import { startServe, type Served } from '../bench/lib/processes.js';
import type { Report } from '../src/analysis/schema/report-schema.js';
import type { SharedResult } from '../src/protocol/api.js';
import { receivedMessages, startParentPage, type ParentPage } from './fixtures/embed-parent.js';
import { workerPort } from './fixtures/env.js';
import { expect, test } from './fixtures/test.js';

/**
 * An embedded run measures what the page measures on its own: the test page in a frame of a
 * listed origin (another port of 127.0.0.1, not cross-origin isolated, so the pacing worker falls
 * back to setTimeout), its probes through the seeded impairment proxy in front of the relay
 * (`serve --advertise` hands the page the proxy's port). A clean run gives the path's base; a run
 * with a fixed added delay and random loss each way must give the RTT p50 of the base plus the
 * proxy's added RTT within e2e/accuracy.spec.ts's tolerance (1 ms + 2 %), and each direction's
 * loss equal to the proxy's drops. Runs of 3 s (300 probes each way): a median and drop counts
 * against the proxy's truth for the same probes need no longer. Tagged @measure: the serial
 * measurement project runs it, alone.
 */
const DURATION_S = 3;

let dir = '';
let base = '';
let relayPort = 0;
let proxyPort = 0;
let served: Served | null = null;
let parent: ParentPage | null = null;

// Playwright reads fixtures from the first parameter's destructuring: none are used here.
// eslint-disable-next-line no-empty-pattern
test.beforeAll(async ({}, workerInfo) => {
  const i = workerInfo.parallelIndex;
  const httpPort = workerPort(18910, i);
  relayPort = workerPort(4308, i);
  proxyPort = workerPort(14308, i);
  base = `http://127.0.0.1:${httpPort}`;
  const parentPort = workerPort(18920, i);
  dir = mkdtempSync(join(tmpdir(), 'callprobe-embed-accuracy-'));
  // Stored results: the parent is told the code, and reads the report by it.
  served = await startServe(
    [
      '--turn-ports',
      String(relayPort),
      '--advertise',
      `127.0.0.1:${proxyPort}`,
      '--db',
      join(dir, 'results.db'),
      '--embed-origins',
      `http://127.0.0.1:${parentPort}`,
    ],
    httpPort,
    { deadlineMs: 170_000 },
  );
  parent = await startParentPage(parentPort, base, `${base}/?autostart=1&duration=${DURATION_S}`);
});

test.afterAll(async () => {
  await parent?.close();
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface EmbeddedRun {
  report: Report;
  figures: CallprobeFigures;
  truth: FlowTruthMetrics;
  elapsedS: number;
}

/** One embedded test through the proxy running `scenario`: the stored report, its figures and the proxy's truth. */
async function embeddedRun(page: Page, testInfo: TestInfo, scenario: Pick<ImpairmentScenario, 'name' | 'seed' | 'up' | 'down'>): Promise<EmbeddedRun> {
  const started = performance.now();
  const proxy = await startImpairProxy({
    pairs: [{ listen: { host: '127.0.0.1', port: proxyPort }, target: { host: '127.0.0.1', port: relayPort } }],
    // Impaired from 1 s after each flow's first datagram: TURN, ICE and DTLS pass untouched.
    scenario: { ...scenario, startAfter: { ms: 1000 }, probe: { ...CALLPROBE_RTP_PROBE_SIZES } },
    durationMs: 60_000,
  });
  let truth: Truth;
  let code: string | null | undefined;
  try {
    await page.goto(parent?.origin ?? '');
    await expect
      .poll(async () => (await receivedMessages(page)).find((m) => m.type === 'result') ?? null, {
        timeout: 45_000,
        message: 'the framed test to post its result',
      })
      .not.toBeNull();
    code = (await receivedMessages(page)).find((m) => m.type === 'result')?.code ?? null;
    // The relay's last datagrams may still be held for their delay in the proxy: wait until they have landed.
    await expect.poll(() => proxy.scheduled(), { timeout: 5000, intervals: [5], message: 'the proxy to release what it holds' }).toBe(0);
  } finally {
    truth = await proxy.stop();
  }
  expect(code, 'the result was stored and its code posted to the parent').toEqual(expect.any(String));
  const stored = (await (await page.request.get(`${base}/api/r/${code}`)).json()) as SharedResult;
  const report = stored.report as Report;
  await testInfo.attach(`${scenario.name}-evidence.json`, { body: JSON.stringify({ report, truth }), contentType: 'application/json' });
  const figures = callprobeFigures(report);
  expect(figures.probePath, 'the graded probes are the RTP stream the truth counts').toBe('rtp');
  return { report, figures, truth: flowTruthMetrics(truth, 10), elapsedS: (performance.now() - started) / 1000 };
}

test(
  'embedded in a listed origin: RTT p50 within 1 ms + 2 % of the proxy truth, loss its drops, the pacing clock recorded',
  { tag: '@measure' },
  async ({ page }, testInfo) => {
    test.setTimeout(100_000);
    const clean = await embeddedRun(page, testInfo, { name: 'embed-clean', seed: 'embed-accuracy-1' });
    const impaired = await embeddedRun(page, testInfo, {
      name: 'embed-delay-loss',
      seed: 'embed-accuracy-1',
      up: { delayMs: 20, loss: { probability: 0.02 } },
      down: { delayMs: 30, loss: { probability: 0.02 } },
    });
    const baseMs = clean.figures.rttMsP50 ?? 0;
    const rttTruth = baseMs + (impaired.truth.addedRttMsP50 ?? 0);
    const clock = impaired.report.meta.clock ?? null;
    const pacing = impaired.report.diagnostics.notes.filter((n) => n.startsWith('paced by'));
    console.log(
      `embedded: clean RTT p50 ${baseMs} ms (${clean.elapsedS.toFixed(1)} s); impaired RTT p50 ${impaired.figures.rttMsP50} ms, truth ${rttTruth.toFixed(2)} ms` +
        ` (added ${impaired.truth.addedRttMsP50} ms); lost up ${impaired.figures.up.packetsLost}/${impaired.truth.up.lost}, down ${impaired.figures.down.packetsLost}/${impaired.truth.down.lost}` +
        ` (${impaired.elapsedS.toFixed(1)} s); clock ${JSON.stringify(clock)}, ${pacing.join(', ')}`,
    );
    // The proxy's applied delays are its actual release times: its 50 ms each round trip, and its timer's lateness.
    expect(impaired.truth.addedRttMsP50, 'the proxy delayed the median probe by its 20 + 30 ms').toBeGreaterThanOrEqual(50);
    expect(Math.abs((impaired.figures.rttMsP50 ?? 0) - rttTruth)).toBeLessThanOrEqual(1 + 0.02 * rttTruth);
    for (const d of ['up', 'down'] as const) {
      expect(impaired.truth[d].lost, `${d}: the scenario drops probes`).toBeGreaterThan(0);
      expect(impaired.figures[d].packetsLost, `${d} lost`).toBe(impaired.truth[d].lost);
      expect(clean.figures[d].packetsLost, `${d} lost on the clean path`).toBe(clean.truth[d].lost);
    }
    // The parent is not cross-origin isolated: the frame had no Atomics.wait, and the report says so.
    expect(clock?.crossOriginIsolated).toBe(false);
    expect(pacing).toEqual(['paced by timeout']);
  },
);
