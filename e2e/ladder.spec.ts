import { chromium, expect, test } from '@playwright/test';
import { CHROMIUM_ARGS } from '../server/headless/chromium.js';
import { E2E } from './fixtures/env.js';
import { TestNetns, canMakeNetns } from './fixtures/netns.js';

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
  reachable: boolean;
  error: string | null;
  errorText: string | null;
}
interface LadderReport {
  connectivity: Rung[];
  path: { transport: string; port: number | null };
  outcome: { reason: string } | null;
  hints: { code: string; sentence: string }[];
  summary: { verdict: string };
  explanation: string[];
}

const HTTP_PORT = 18380;
const HOST = '10.200.0.1';

async function testBehind(tag: string, drops: string[]): Promise<{ code: number | null; report: LadderReport }> {
  const ns = TestNetns.create(tag);
  try {
    ns.addVeth(HOST, '10.200.0.2');
    ns.drop(...drops);
    const server = ns.spawn(
      process.execPath,
      ['dist/server/cli.js', 'serve', '--host', HOST, '--http-port', String(HTTP_PORT), '--turn-ports', '3478-3481', '--log-level', 'warn'],
      {
        deadlineMs: 80_000,
      },
    );
    try {
      await server.waitForLine('callprobe serving', { timeoutMs: 15_000, what: 'the server to listen' });
      const run = ns.spawn(process.execPath, ['dist/server/cli.js', 'run', '--server', `http://${HOST}:${HTTP_PORT}`, '--json', '--duration', '3'], {
        deadlineMs: 75_000,
      });
      const status = await run.exited;
      return { code: status.code, report: JSON.parse(run.stdout()) as LadderReport };
    } finally {
      await server.stop();
    }
  } finally {
    ns.delete();
  }
}

const udpRungs = (r: LadderReport): Rung[] => r.connectivity.filter((x) => x.transport === 'udp');

test.describe('the connectivity ladder behind a firewall', () => {
  test.skip(!canMakeNetns(), 'needs root and nft to make a namespace with firewall rules');
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

  test('UDP 3478-3481 dropped: the test completes over TCP, every UDP rung times out, and the report says UDP is blocked and what it costs', async () => {
    const { code, report } = await testBehind('udp', ['udp dport 3478-3481']);
    expect(code).toBe(2); // a 3 s test is too short for a verdict: it connected and measured
    expect(udpRungs(report).every((r) => !r.reachable && r.error === 'timeout')).toBe(true);
    expect(report.path.transport).toBe('tcp');
    expect(report.outcome).toBeNull();
    expect(report.hints.map((h) => h.code)).toEqual(expect.arrayContaining(['udp-blocked', 'tcp-fallback']));
    expect(report.explanation.join(' ')).toMatch(/UDP to the relay is blocked from here .* turns loss into delay/);
  });

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

  test('every rung blocked: "media cannot get through", the per-rung table, a report all the same, exit 4', async () => {
    const { code, report } = await testBehind('all', ['udp dport 3478-3481', 'tcp dport 3478']);
    expect(code).toBe(4);
    expect(report.outcome?.reason).toBe('could-not-connect');
    expect(report.summary.verdict).toBe('insufficient');
    const offered = report.connectivity.filter((r) => r.error !== 'not-offered');
    expect(offered.map((r) => `${r.transport}/${r.port}`)).toEqual(['udp/3478', 'udp/3479', 'udp/3480', 'udp/3481', 'tcp/3478']);
    expect(offered.every((r) => !r.reachable && r.error === 'timeout' && r.errorText !== null)).toBe(true);
    expect(report.explanation[0]).toMatch(/^NO VERDICT: Media cannot get through from here: no relay port connected \(UDP 3478: timeout/);
  });
});

test('a relay on loopback in a browser that refuses loopback relays: told apart from a firewall and explained', async () => {
  test.setTimeout(60_000);
  // The e2e server (127.0.0.1) in a Chromium started WITHOUT --allow-loopback-in-peer-connection.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage();
    await page.goto(`${E2E.baseUrl}/?autostart=1&duration=3&audio=fake-device&save=0`);
    await page.waitForFunction(() => (globalThis as { __callprobeResult?: unknown }).__callprobeResult !== undefined, null, { timeout: 45_000 });
    const result = (await page.evaluate(() => (globalThis as { __callprobeResult?: unknown }).__callprobeResult)) as { ok: boolean; report: LadderReport };
    expect(result.ok).toBe(true);
    const report = result.report;
    expect(report.outcome?.reason).toBe('could-not-connect');
    expect(report.hints.map((h) => h.code)).toEqual(['loopback-refused']);
    expect(report.explanation[0]).toMatch(/^NO VERDICT: This browser could not use the relay: it is on a loopback address/);
    await expect(page.getByText('No verdict: could not connect')).toBeVisible();
  } finally {
    await browser.close();
  }
});
