import { writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../client/headless/chromium.js';
import { serveProcess, spawnCallprobe, type ServeFlags } from '../test/kit/callprobe.js';
import { TestNetns } from './fixtures/netns.js';
import { expect, needNetns, test } from './fixtures/test.js';
import { answerView } from '../src/analysis/present/answer.js';
import { axeViolations } from './fixtures/axe.js';
import { checkAnswerOnScreen, checkStoredAnswer, SCREENS } from './fixtures/answer-shots.js';
import type { Report } from '../src/analysis/schema/report-schema.js';
import { makeTestPki } from '../test/kit/pki.js';

/**
 * The connectivity ladder against a real firewall: each test makes its own namespace, puts
 * nftables rules in front of the relay there, and runs `callprobe serve` and `callprobe run`
 * (with its Chromium) inside it. The server listens on a veth address of that namespace, not
 * on loopback: a relay on loopback that times out everywhere reads as Chromium refusing
 * loopback relays (a separate answer, tested below), not as a firewall.
 */
interface Rung {
  transport: string;
  port: number | null;
  family: string;
  reachable: boolean;
  error: string | null;
  errorText: string | null;
}
interface LadderReport {
  connectivity: Rung[];
  path: { transport: string; port: number | null; family: string | null };
  outcome: { reason: string } | null;
  hints: { code: string; sentence: string }[];
  summary: { verdict: string };
  explanation: string[];
}

const HTTP_PORT = 18380;
const HOST = '10.200.0.1';

/** `callprobe serve` on HOST in `ns`, the ladder's four UDP ports and TCP on the first. */
function serveIn(ns: TestNetns, flags: Omit<ServeFlags, 'httpPort'> = {}) {
  return serveProcess({ host: HOST, httpPort: HTTP_PORT, turnPorts: '3478-3481', ...flags }, { deadlineMs: 80_000, spawn: (c, a, o) => ns.spawn(c, a, o) });
}

/** `callprobe run --json` (with its Chromium) in `ns` against the server on HOST. */
async function runIn(ns: TestNetns, durationS: number): Promise<{ code: number | null; report: LadderReport; json: string }> {
  const run = spawnCallprobe(['run', '--server', `http://${HOST}:${HTTP_PORT}`, '--no-save', '--json', '--duration', String(durationS)], {
    deadlineMs: 75_000,
    spawn: (c, a, o) => ns.spawn(c, a, o),
  });
  const status = await run.exited;
  return { code: status.code, report: JSON.parse(run.stdout()) as LadderReport, json: run.stdout() };
}

/** Runs `callprobe serve` on HOST inside a namespace of its own with `drops` in front of it, for as long as `use` runs. */
async function withServerBehind<T>(tag: string, drops: string[], use: (ns: TestNetns) => Promise<T>, serveArgs: string[] = []): Promise<T> {
  const ns = TestNetns.create(tag);
  try {
    ns.addVeth(HOST, '10.200.0.2');
    ns.drop(...drops);
    const server = await serveIn(ns, { extra: serveArgs });
    try {
      return await use(ns);
    } finally {
      await server.stop();
    }
  } finally {
    ns.delete();
  }
}

/** `callprobe run --json` (with its Chromium) inside the namespace, against the server behind `drops`. */
function testBehind(
  tag: string,
  drops: string[],
  durationS = 3,
  serveArgs: string[] = [],
): Promise<{ code: number | null; report: LadderReport; json: string }> {
  return withServerBehind(tag, drops, (ns) => runIn(ns, durationS), serveArgs);
}

const udpRungs = (r: LadderReport): Rung[] => r.connectivity.filter((x) => x.transport === 'udp');

test.describe('the connectivity ladder behind a firewall', () => {
  test.beforeEach(() => needNetns('the connectivity ladder behind a firewall'));
  test.describe.configure({ timeout: 90_000 });

  test('all rungs open: every offered rung reachable, the graded path is UDP', async () => {
    const { report } = await testBehind('open', []);
    expect(udpRungs(report).map((r) => [r.port, r.reachable])).toEqual([
      [3478, true],
      [3479, true],
      [3480, true],
      [3481, true],
    ]);
    expect(report.connectivity.find((r) => r.transport === 'tcp' && r.port === 3478)?.reachable).toBe(true);
    expect(report.path.transport).toBe('udp');
    expect(report.hints.map((h) => h.code)).not.toContain('udp-blocked');
  });

  // A full test graded over TCP: a verdict, so a measurement (a busy machine makes it "could not judge").
  test(
    'UDP 3478-3481 dropped: the full test completes over TCP, a pass only over a fallback path (exit 5), the caution names the ports tried, and the first thing to do is allowing UDP; on a laptop and a phone',
    { tag: ['@measure', '@pair'] },
    async ({ browser, server }) => {
      const { code, report, json } = await testBehind('udp', ['udp dport 3478-3481'], 15);
      expect(code).toBe(5); // every target met, but only over TCP: calls work here at a cost
      // What the page shows from this report: the caution answer, then "allow UDP" first.
      const full = JSON.parse(json) as Report;
      expect(full.summary).toMatchObject({ verdict: 'pass', caution: 'fallback-path' });
      const answer = answerView(full);
      expect(answer.sentence).toBe('Calls work here only over a fallback path; give your IT team the result code.');
      expect(answer.caution).toMatch(/^UDP 3478-3481 to the relay did not answer, so this test ran over TCP 3478: /);
      expect(answer.advice[0]?.id).toBe('allow-udp');
      await checkStoredAnswer(browser, server.baseUrl, full, 'fallback-path', { caution: true });
      expect(udpRungs(report).every((r) => !r.reachable && r.error === 'timeout')).toBe(true);
      expect(report.path.transport).toBe('tcp');
      expect(report.outcome).toBeNull();
      expect(report.hints.map((h) => h.code)).toEqual(expect.arrayContaining(['udp-blocked', 'tcp-fallback']));
      expect(report.explanation.join(' ')).toMatch(/UDP to the relay is blocked from here .* turns loss into delay/);
    },
  );

  test('one UDP port dropped: exactly that rung fails and the report names the port', async () => {
    const { report } = await testBehind('port', ['udp dport 3480']);
    expect(udpRungs(report).map((r) => [r.port, r.reachable, r.error])).toEqual([
      [3478, true, null],
      [3479, true, null],
      [3480, false, 'timeout'],
      [3481, true, null],
    ]);
    expect(report.path.transport).toBe('udp');
    expect(report.hints.find((h) => h.code === 'udp-port-blocked')?.sentence).toMatch(/^UDP port 3480 did not answer while UDP 3478, 3479 and 3481 did/);
    expect(report.explanation.join(' ')).toContain('UDP port 3480 did not answer');
  });

  test('every rung blocked: "the relay did not answer", the per-rung table, a report all the same, exit 4', async () => {
    const { code, report } = await testBehind('all', ['udp dport 3478-3481', 'tcp dport 3478']);
    expect(code).toBe(4);
    expect(report.outcome?.reason).toBe('could-not-connect');
    expect(report.summary.verdict).toBe('insufficient');
    const offered = report.connectivity.filter((r) => r.error !== 'not-offered');
    expect(offered.map((r) => `${r.transport}/${r.port}`)).toEqual(['udp/3478', 'udp/3479', 'udp/3480', 'udp/3481', 'tcp/3478']);
    expect(offered.every((r) => !r.reachable && r.error === 'timeout' && r.errorText !== null)).toBe(true);
    expect(report.explanation[0]).toMatch(/^NO VERDICT: The relay did not answer on any port this test tried: no relay port connected \(UDP 3478: timeout/);
    expect(report.hints.map((h) => h.code)).toEqual(['relay-silent']);
  });

  test('TLS with a certificate the browser does not trust: the TLS rung is tls-handshake (the relay saw the alert), not a timeout', async () => {
    // Signed by a throwaway CA Chromium does not trust (and for other names than HOST): Chromium
    // aborts the handshake with a certificate alert and tells the page only "701 Failed to establish connection".
    const pki = makeTestPki();
    try {
      const { report } = await testBehind('tlscert', [], 3, ['--tls-port', '5349', '--tls-cert', pki.chainPath, '--tls-key', pki.keyPath]);
      const tls = report.connectivity.find((r) => r.transport === 'tls');
      expect(tls).toMatchObject({ port: 5349, reachable: false, error: 'tls-handshake' });
      expect(tls?.errorText).toMatch(/certificate/);
      expect(report.hints.find((h) => h.code === 'tls-blocked')?.sentence).toMatch(/failed its handshake/);
      expect(report.path.transport).toBe('udp');
    } finally {
      pki.remove();
    }
  });
});

test('dual stack: serve --host :: --relay-ip IPV4,IPV6 puts IPv6 rungs (family ipv6) on the ladder beside the IPv4 ones; the test runs over IPv4', async () => {
  needNetns('the connectivity ladder in a namespace');
  test.setTimeout(90_000);
  const V6 = 'fd00:200::1';
  const ns = TestNetns.create('dual');
  try {
    ns.addVeth(HOST, '10.200.0.2');
    // nodad: usable at once (no duplicate address detection on a link of our own).
    ns.exec('ip', ['addr', 'add', `${V6}/64`, 'dev', 'cp0', 'nodad']);
    ns.exec('ip', ['addr', 'add', 'fd00:200::2/64', 'dev', 'cp1', 'nodad']);
    const server = await serveIn(ns, { host: '::', relayIp: `${HOST},${V6}` });
    try {
      const { report } = await runIn(ns, 3);
      const offered = report.connectivity.filter((r) => r.error !== 'not-offered');
      expect(offered.map((r) => `${r.transport}/${r.port}/${r.family}/${r.reachable ? 'ok' : r.error}`)).toEqual([
        ...['3478', '3479', '3480', '3481'].map((p) => `udp/${p}/ipv4/ok`),
        'tcp/3478/ipv4/ok',
        ...['3478', '3479', '3480', '3481'].map((p) => `udp/${p}/ipv6/ok`),
        'tcp/3478/ipv6/ok',
      ]);
      expect(report.path).toMatchObject({ transport: 'udp', family: 'ipv4' });
    } finally {
      await server.stop();
    }
  } finally {
    ns.delete();
  }
});

test('every rung blocked, seen in the page on a phone and a laptop: one cause (the relay did not answer) in every line, focused, the per-rung list, try another network first, axe-clean', async () => {
  needNetns('the connectivity ladder in a namespace');
  test.setTimeout(90_000);
  await withServerBehind('page', ['udp dport 3478-3481', 'tcp dport 3478'], async (ns) => {
    // Playwright's own Chromium, started inside the namespace (through a wrapper) like `run`'s.
    const wrapper = test.info().outputPath('chromium-in-netns.sh');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns.name} /usr/bin/chromium "$@"\n`, { mode: 0o755 });
    const browser = await chromium.launch({ executablePath: wrapper, args: [...CHROMIUM_ARGS] });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      // http:// to a veth address is not a secure context: the page uses its Web Audio tone.
      await page.goto(`http://${HOST}:${HTTP_PORT}/?save=0`);
      await page.getByRole('button', { name: 'Start test' }).click();
      const answer = page.locator('[data-answer]');
      await expect(answer).toHaveText('The test could not reach the relay: none of the ports it tried answered.', { timeout: 60_000 });
      await expect(page.locator('[data-advice]').first()).toHaveAttribute('data-advice', 'try-another-network');
      await expect(answer).toBeFocused();
      // Every port line says the same thing: no answer, nothing about the browser.
      const rungs = page.locator('[data-rung]');
      expect(await rungs.count()).toBeGreaterThan(0);
      for (const text of await rungs.allTextContents()) expect(text).toMatch(/^(UDP|TCP) \d+: did not answer\.$/);
      await expect(page.getByText(/refuses a relay/)).toHaveCount(0);
      const result = (await page.evaluate(() => (globalThis as { __callprobeResult?: unknown }).__callprobeResult)) as { report: Report } | undefined;
      if (result === undefined) throw new Error('no result on the page');
      await checkAnswerOnScreen(page, result.report, 'relay-gone', { caution: false });
      expect(await axeViolations(page)).toEqual([]);
      await page.setViewportSize(SCREENS[0]);
      await checkAnswerOnScreen(page, result.report, 'relay-gone', { caution: false });
    } finally {
      await browser.close();
    }
  });
});

// A measurement: its answer rests on every rung timing out within the same window, which a
// starved parallel worker can break (one rung ending otherwise). Its own server (UDP and TCP
// on 127.0.0.1, no TLS), so nothing an earlier test left on the worker's server can answer a rung.
test(
  'a relay on loopback that does not answer (here: a browser that silently refuses loopback relays): one cause, the relay did not answer, and what to check on this machine',
  { tag: ['@measure', '@pair'] },
  async () => {
    test.setTimeout(60_000);
    const own = await serveProcess({ httpPort: 18996, turnPorts: '3888-3891' }, { deadlineMs: 58_000 });
    // That server (127.0.0.1) in a Chromium started WITHOUT --allow-loopback-in-peer-connection.
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
    try {
      const page = await browser.newPage();
      await page.goto(`${own.url}/?autostart=1&duration=3&audio=fake-device&save=0`);
      await page.waitForFunction(() => (globalThis as { __callprobeResult?: unknown }).__callprobeResult !== undefined, null, { timeout: 45_000 });
      const result = (await page.evaluate(() => (globalThis as { __callprobeResult?: unknown }).__callprobeResult)) as { ok: boolean; report: LadderReport };
      expect(result.ok).toBe(true);
      const report = result.report;
      expect(report.outcome?.reason).toBe('could-not-connect');
      // The timeouts cannot tell a refusing browser from a relay that is down: the report says only what it saw.
      expect(
        report.hints.map((h) => h.code),
        JSON.stringify((report as unknown as { connectivity: unknown }).connectivity),
      ).toEqual(['relay-silent']);
      expect(report.explanation[0]).toMatch(/^NO VERDICT: The relay did not answer on any port this test tried/);
      expect(report.explanation[1]).toMatch(/on a loopback address, on this machine: check that the test server is running/);
      await expect(page.getByText('No verdict: could not connect', { exact: true })).toBeVisible();
      await expect(page.locator('[data-advice]').first()).toHaveAttribute('data-advice', 'check-local-relay');
    } finally {
      await browser.close();
      await own.stop();
    }
  },
);

test("a site's firewall drops every relay port of a working server: the network's side, a fail when every port Teams uses was offered, stored, and the site report names the ports", async () => {
  needNetns('the connectivity ladder in a namespace');
  test.setTimeout(120_000);
  // TLS on 443 besides UDP 3478-3481 (and TCP 3478): with all of them dropped, calls could not connect at all.
  const pki = makeTestPki();
  const ns = TestNetns.create('site');
  const token = 'operator-token-0123456789abcdef';
  try {
    ns.addVeth(HOST, '10.200.0.2');
    const db = test.info().outputPath('results.db');
    const server = await serveIn(ns, { adminToken: token, db, tls: { port: 443, certPath: pki.chainPath, keyPath: pki.keyPath } });
    try {
      // Another site's test goes through first: the relay's evidence that it answers.
      const clean = await runIn(ns, 2);
      expect(clean.report.path.transport).toBe('udp');
      ns.drop('udp dport 3478-3481', 'tcp dport 3478', 'tcp dport 443');
      for (let i = 0; i < 2; i++) {
        const run = spawnCallprobe(['run', '--server', `http://${HOST}:${HTTP_PORT}`, '--site', 'Boston', '--json', '--duration', '2'], {
          deadlineMs: 75_000,
          env: { ...process.env, CALLPROBE_TOKEN: token },
          spawn: (c, a, o) => ns.spawn(c, a, o),
        });
        const status = await run.exited;
        const report = JSON.parse(run.stdout()) as Report;
        // Calls cannot connect from this network: a verdict (exit 1), on the network's side, stored.
        expect(status.code, run.stderr()).toBe(1);
        expect(report.outcome).toMatchObject({ reason: 'could-not-connect', side: 'network', relayEvidence: { kind: 'recent-test' } });
        expect(report.summary.verdict).toBe('fail');
        expect(answerView(report).sentence).toMatch(
          /^Calls cannot connect from this network: it blocks UDP 3478-3481, TCP 3478 and TLS 443, every port Teams uses/,
        );
        expect(run.stderr()).toMatch(/^result: [0-9A-Z]{4}-[0-9A-Z]{4} /m);
      }
      const site = spawnCallprobe(['report', '--server', `http://${HOST}:${HTTP_PORT}`, '--site', 'Boston', '--json'], {
        deadlineMs: 30_000,
        env: { ...process.env, CALLPROBE_TOKEN: token },
        spawn: (c, a, o) => ns.spawn(c, a, o),
      });
      expect((await site.exited).code, site.stderr()).toBe(1);
      const sr = JSON.parse(site.stdout()) as { verdict: string; explanation: string[]; causes: { blocked: { samples: number; everyTeamsPort: number } } };
      expect(sr.causes.blocked).toMatchObject({ samples: 2, everyTeamsPort: 2 });
      expect(sr.explanation[0]).toBe(
        "FAIL: 2 of 2 samples: this site's network blocked every port Teams uses (UDP 3478-3481, TCP 3478 and TLS 443), so calls could not connect.",
      );
      expect(sr.explanation.join(' ')).not.toContain('no 90th percentile failed');
    } finally {
      await server.stop();
    }
  } finally {
    ns.delete();
    pki.remove();
  }
});
