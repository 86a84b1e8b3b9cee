/**
 * The page in Firefox ESR (Debian's firefox-esr, driven by puppeteer-core over WebDriver BiDi),
 * against `callprobe serve` on a veth address inside this run's own network namespace: Firefox
 * refuses a TURN relay on a loopback address. The same five cases the Chromium specs cover, with
 * the same verdicts: a clean test passes on the RTP path (from a click, on a phone screen); an
 * impaired one fails in the direction the proxy impaired; a server without the RTP reflector is
 * graded on the data channel, and that result is saved with a code; a server killed mid-test is
 * connection-lost. Also: a relay on loopback told
 * apart. Run with `npm run test:firefox` (inside scripts/netns-run.sh); `npm test` runs it, and
 * a machine without Firefox or a test namespace skips it, saying why (in CI it fails instead).
 */
import { expect, test } from '@playwright/test';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIREFOX_PATH, launchEngine, pageResult, pageState } from '../../bench/lib/engines.js';
import { startServe, type Served } from '../../bench/lib/processes.js';
import { addVeth, vethUnavailable, type Veth } from '../../bench/lib/veth.js';
import { startImpairProxy } from '../../bench/impair/proxy.js';
import { testFlow } from '../../bench/accuracy/truth.js';
import { FIREFOX_RTP_PROBE_SIZES } from '../../bench/accuracy/harness.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import { needCommand, skipReason } from '../../test/kit/requires.js';

test.describe.configure({ mode: 'serial' });
// Firefox refuses a relay on loopback: the server listens on a veth pair, which needs root inside a namespace of the test's own.
const why = skipReason('the Firefox engine tests', [
  { tool: 'a test network namespace (scripts/netns-run.sh, as root)', missing: vethUnavailable() },
  needCommand('firefox-esr', FIREFOX_PATH, ['--version']),
]);
test.skip(why !== null, `needs a test namespace and Firefox ESR: ${why ?? ''}`);

let veth: Veth;
let firefox: Browser;

test.beforeAll(async () => {
  veth = addVeth(31);
  firefox = await launchEngine('firefox', veth.address);
});

test.afterAll(async () => {
  await firefox?.close();
  veth?.remove();
});

/** Ports of each case, apart from every other spec's (and on their own address anyway). */
const PORTS = {
  clean: [18931, 4931],
  impaired: [18932, 4932, 14932],
  fallback: [18933, 4933],
  killed: [18934, 4934],
  loopback: [18936, 4936],
};

async function serve(httpPort: number, relayPort: number, extra: string[] = []): Promise<Served> {
  return startServe(['--turn-ports', String(relayPort), ...extra], httpPort, { host: veth.address });
}

async function open(url: string, viewport: { width: number; height: number } | null = null): Promise<Page> {
  const page = await firefox.newPage();
  if (viewport) await page.setViewport(viewport);
  await page.goto(url);
  return page;
}

/** The finished test's report (the headless contract), failing with the page's reason when it could not run. */
async function reportOf(page: Page, timeoutMs = 60_000): Promise<Report> {
  const r = await pageResult(page, timeoutMs);
  if (!r.ok) throw new Error(`the test could not run: ${r.reason}: ${r.message}`);
  return r.report;
}

test('a clean test, started by a click on a phone screen: pass on the RTP path, the answer shown, nothing sideways', async () => {
  test.setTimeout(90_000);
  const testInfo = test.info();
  const [httpPort, relayPort] = PORTS.clean as [number, number];
  const server = await serve(httpPort, relayPort, ['--no-store']);
  const page = await open(`${server.url}/?save=0`, { width: 390, height: 844 });
  try {
    // A real click (WebDriver BiDi input actions): the AudioContext is made in the gesture.
    const start = await page.evaluateHandle((): HTMLButtonElement | null => {
      const find = (root: ParentNode): HTMLButtonElement | null => {
        for (const el of root.querySelectorAll('*')) {
          if (el instanceof HTMLButtonElement && el.type === 'submit') return el;
          const inner = el.shadowRoot ? find(el.shadowRoot) : null;
          if (inner) return inner;
        }
        return null;
      };
      return find(document);
    });
    const button = start.asElement() as ElementHandle<HTMLButtonElement> | null;
    if (!button) throw new Error('no Start button');
    await button.click();
    const report = await reportOf(page);
    writeFileSync(testInfo.outputPath('report.json'), JSON.stringify(report));
    expect(report.summary.verdict, report.explanation.join('\n')).toBe('pass');
    expect(report.probe.path).toBe('rtp');
    expect(report.meta.browser).toMatch(/Firefox\/\d+/);
    expect(report.summary.packetsSent).toBeGreaterThan(1450);
    expect(report.summary.upstream?.packetsLost).toBe(0);
    expect(report.summary.downstream?.packetsLost).toBe(0);
    // Firefox's relay candidate has no url: the port and family come from the chosen relay.
    expect(report.path).toMatchObject({ transport: 'udp', port: relayPort, family: 'ipv4', relayed: true });
    // The page's host is allow-listed as secure: isolated, with the clock that goes with it.
    expect(report.meta.clock?.crossOriginIsolated).toBe(true);
    expect(report.meta.clock?.resolutionMs).toBeLessThan(0.1);
    expect(report.diagnostics.notes).toContain('paced by atomics');
    // Headless Firefox keeps an AudioContext suspended even after this click (no audio output device, measured);
    // its track still carries the stamped frames (packetsSent above), and the report says so.
    // Whatever this Firefox cannot report is said, and only that.
    for (const u of report.secondOpinion.unavailable ?? []) expect(report.secondOpinion.notes).toContain(u.sentence);

    // The answer on a phone: there, in words, and nothing wider than the screen.
    const answer = await pageState(
      page,
      () => {
        const find = (root: ParentNode): Element | null =>
          root.querySelector('[data-answer]') ?? [...root.querySelectorAll('*')].map((e) => (e.shadowRoot ? find(e.shadowRoot) : null)).find((e) => e) ?? null;
        const el = find(document);
        return el instanceof HTMLElement && el.offsetHeight > 0 ? (el.textContent ?? '').trim() : null;
      },
      'the answer on screen',
      15_000,
    );
    expect(answer).toBe('Calls should work well here.');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const shot = testInfo.outputPath('firefox-answer-390x844.png');
    await page.screenshot({ path: shot, fullPage: true });
    await testInfo.attach('firefox-answer-390x844.png', { path: shot, contentType: 'image/png' });
  } finally {
    await page.close();
    await server.stop();
  }
});

test('through the impairment proxy with upstream loss: fails, upstream only, and counts every probe the proxy dropped', async () => {
  test.setTimeout(90_000);
  const testInfo = test.info();
  const [httpPort, relayPort, proxyPort] = PORTS.impaired as [number, number, number];
  const server = await serve(httpPort, relayPort, ['--no-store', '--advertise', `${veth.address}:${proxyPort}`]);
  const proxy = await startImpairProxy({
    pairs: [{ listen: { host: veth.address, port: proxyPort }, target: { host: veth.address, port: relayPort } }],
    madeAddresses: [veth.address],
    scenario: {
      name: 'firefox-loss-up',
      seed: 'firefox-e2e-1',
      startAfter: { ms: 1000 },
      probe: { ...FIREFOX_RTP_PROBE_SIZES },
      up: { delayMs: 10, loss: { probability: 0.03 } },
      down: { delayMs: 10 },
    },
    durationMs: 80_000,
  });
  let report: Report;
  let truth;
  const page = await open(`${server.url}/?autostart=1&save=0`);
  try {
    report = await reportOf(page);
    // The relay's last datagrams may still be held for their delay in the proxy: wait until they have landed.
    await expect.poll(() => proxy.scheduled(), { timeout: 5000, intervals: [5], message: 'the proxy to release what it holds' }).toBe(0);
  } finally {
    truth = await proxy.stop();
    await page.close();
    await server.stop();
  }
  const evidence = testInfo.outputPath('evidence.json');
  writeFileSync(evidence, JSON.stringify({ report, truth }));
  await testInfo.attach('evidence.json', { path: evidence, contentType: 'application/json' });
  expect(report.probe.path).toBe('rtp');
  expect(report.summary.verdict).toBe('fail');
  const status = (target: string, direction: string): string | undefined => report.grades.find((g) => g.target === target && g.direction === direction)?.status;
  expect(status('loss-15s', 'up')).toBe('fail');
  expect(status('loss-15s', 'down')).toBe('pass');
  const flow = testFlow(truth);
  const up = (flow.up.probes?.packets ?? []).filter((p) => p.fate !== 'pending');
  expect(up.length).toBe(report.directions.up?.packetsSent);
  expect(report.directions.up?.packetsLost).toBe(up.filter((p) => p.fate === 'dropped').length);
  expect(report.directions.down?.packetsLost).toBe(0);
});

test('a server without the RTP reflector: graded on the data channel, the report says why, and the result is saved with a code', async () => {
  test.setTimeout(60_000);
  const [httpPort, relayPort] = PORTS.fallback as [number, number];
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-firefox-'));
  const server = await serve(httpPort, relayPort, ['--no-rtp', '--db', join(dir, 'results.db')]);
  const page = await open(`${server.url}/?autostart=1&duration=3`);
  try {
    const report = await reportOf(page);
    writeFileSync(test.info().outputPath('report.json'), JSON.stringify(report));
    // As the Chromium spec checks it (e2e/rtp.spec.ts): the path, its reason and its rate.
    expect(report.probe).toEqual({ path: 'datachannel', reason: 'the server has no RTP reflector' });
    expect(report.meta.ratePps).toBe(100);
    expect(report.directions.up?.packetsSent).toBeGreaterThan(250);
    expect(report.summary.upstream?.packetsLost).toBe(0);
    expect(report.summary.downstream?.packetsLost).toBe(0);
    const code = await pageState(
      page,
      () => {
        const s = (document.querySelector('cp-app') as unknown as { state: { kind: string; save?: { kind: string; code?: string } } } | null)?.state;
        return s?.kind === 'done' && s.save?.kind === 'saved' ? (s.save.code ?? null) : null;
      },
      'the result code',
      20_000,
    );
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const shared = (await (await fetch(`${server.url}/api/r/${code}`)).json()) as { code: string; report: Report };
    expect(shared.code).toBe(code);
    expect(shared.report.meta.browser).toMatch(/Firefox\/\d+/);
    expect(shared.report.probe.path).toBe('datachannel');
  } finally {
    await page.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the server killed mid-test: no verdict, connection-lost with its time, no loss counted after it', async () => {
  test.setTimeout(90_000);
  const [httpPort, relayPort] = PORTS.killed as [number, number];
  const server = await serve(httpPort, relayPort, ['--no-store']);
  const page = await open(`${server.url}/?autostart=1&save=0&duration=30`);
  try {
    await pageState(
      page,
      () => ((document.querySelector('cp-app') as unknown as { live: { elapsedS: number } | null } | null)?.live?.elapsedS ?? 0) >= 5,
      'five seconds of probes',
      40_000,
    );
    server.proc.child.kill('SIGKILL');
    const killedAtMs = Date.now();
    const report = await reportOf(page, 40_000);
    expect(Date.now() - killedAtMs).toBeLessThan(15_000);
    expect(report.summary.verdict).toBe('insufficient');
    expect(report.outcome?.reason).toBe('connection-lost');
    expect(report.outcome?.atMs).toBeGreaterThan(4_000);
    expect(report.outcome?.atMs).toBeLessThan(8_000);
    expect(report.summary.upstream?.lossPct ?? 0).toBe(0);
    expect(report.summary.downstream?.lossPct ?? 0).toBe(0);
    expect(report.explanation[0]).toMatch(/^NO VERDICT: The (test server stopped answering|connection to the test server was lost) \d+(\.\d)? s into the test/);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('a relay on loopback: Firefox refuses it, and the page says so for Firefox, not as a firewall', async () => {
  test.setTimeout(60_000);
  const [httpPort, relayPort] = PORTS.loopback as [number, number];
  const server = await startServe(['--turn-ports', String(relayPort), '--no-store'], httpPort);
  const page = await open(`${server.url}/?autostart=1&save=0&duration=3`);
  try {
    const report = await reportOf(page);
    expect(report.outcome?.reason).toBe('could-not-connect');
    expect(report.hints.map((h) => h.code)).toEqual(['loopback-refused']);
    expect(report.hints[0]?.sentence).toMatch(/which Firefox refuses whatever its settings/);
    expect(report.explanation[0]).toMatch(
      /^NO VERDICT: This browser could not use the relay: it is on a loopback address \(one that reaches only the same machine\), which Firefox refuses/,
    );
  } finally {
    await page.close();
    await server.stop();
  }
});
