/**
 * A machine with 4 network interfaces (a laptop's Wi-Fi and Ethernet, a VPN, a Docker
 * adapter): Chromium gathers a relay candidate on every interface for every relay entry and leg,
 * all under the test's one credential. Each test makes a client and a server namespace joined by
 * that many veth pairs (bench/lib/multi-homed.ts), runs `callprobe serve` with its default quotas
 * in one and the page in Chromium in the other (the allocations bench's page driver, the
 * microphone granted as `callprobe run` has it), and a clean full test must take the RTP path and
 * pass: our own per-credential quota refuses nothing (with the former 10 a 2-interface test's RTP
 * leg was refused and the test fell back to the data channel). Only 4 is run: a test's allocations
 * grow with its interfaces, so a quota that holds 4 holds 2 (the run of 2 was 26 s more for nothing).
 */
import { join } from 'node:path';
import { MultiHomed } from '../bench/lib/multi-homed.js';
import { relayFigures } from '../bench/allocations/relay-metrics.js';
import { pageOutcomeOf, type PageRun } from '../bench/allocations/page-run.js';
import { DEFAULTS } from '../src/protocol/defaults.js';
import { serveProcess } from '../test/kit/callprobe.js';
import { repoRoot } from '../test/kit/paths.js';
import { waitFor } from '../test/kit/wait.js';
import { expect, needNetns, test } from './fixtures/test.js';

const HTTP_PORT = 18971;
const METRICS = '127.0.0.1:19971';

{
  const interfaces = 4;
  // Playwright reads fixtures from the first parameter's destructuring: none are used here.
  // eslint-disable-next-line no-empty-pattern
  test(`a clean test from a client with ${String(interfaces)} interfaces takes the RTP path and passes; the relay refuses none of its allocations`, async ({}, testInfo) => {
    needNetns('a multi-homed client in namespaces');
    const net = MultiHomed.create('mh', interfaces, 'ipv4');
    try {
      await net.up();
      const server = await serveProcess(
        // Info lines: the RTP leg's closing line says what the relay's fast path took.
        { host: net.serverV4, httpPort: HTTP_PORT, logLevel: 'info', extra: ['--metrics-listen', METRICS] },
        { deadlineMs: 80_000, readyTimeoutMs: 30_000, spawn: (c, a, o) => net.spawn(net.server, c, a, o) },
      );
      try {
        const run: PageRun = {
          engine: 'chromium',
          host: net.serverV4,
          httpPort: HTTP_PORT,
          microphone: true,
          durationS: DEFAULTS.testDurationS,
          timeoutMs: 60_000,
        };
        const driver = net.spawn(net.client, process.execPath, [join(repoRoot, 'dist/bench/allocations/page-main.js'), JSON.stringify(run)], {
          deadlineMs: 75_000,
          cwd: repoRoot,
        });
        await driver.exited;
        const page = pageOutcomeOf(driver.stdout());
        expect(page, driver.stderr()).not.toBeNull();
        expect(
          page?.rungs.every((r) => r.endsWith(': ok')),
          page?.rungs.join('; '),
        ).toBe(true);
        expect(page?.path, String(page?.pathReason)).toBe('rtp');
        // A pass. The functional project shares its two cores with other tests: a test the machine
        // starved says so (whose time it was, this device's or the server's), never the relay's quota
        // nor the network; the quota's own failure shows above and below, in the rungs and the refusals.
        const verdict = page?.verdict === 'pass' ? 'pass' : `${String(page?.verdict)} ${String(page?.cause)}`;
        testInfo.annotations.push({ type: 'verdict', description: `${verdict}: ${String(page?.answer)}` });
        expect(verdict, String(page?.answer)).toMatch(/^(pass|insufficient (device|server)-busy)$/);
        const relay = relayFigures(net.exec(net.server, 'curl', ['-s', `http://${METRICS}/metrics`]), DEFAULTS.turnUdpPorts);
        expect(relay.refusedPerUsername).toBe(0);
        // Every interface was gathered on: 5 port checks each (4 UDP ports and TCP), the legs besides.
        expect(relay.created).toBeGreaterThanOrEqual(5 * interfaces);
        // The relay's fast path answered the page's stream in C, whichever of the page's allocations
        // Chromium sent it through (werift may answer through another: on a host with two
        // interfaces the relay took 0-4 packets of about 1,600 in 7 tests of 10 while it asked for
        // the one werift answers to; test/server/turn/transport/local-peer.test.ts has that case).
        const legClosed = await waitFor(
          () =>
            server.proc
              .stdout()
              .split('\n')
              .find((l) => l.includes('"msg":"rtp leg closed"')),
          {
            timeoutMs: 10_000,
            what: "the RTP leg's closing line",
          },
        );
        const leg = JSON.parse(legClosed) as { shortTaken?: number; fastTaken?: number };
        expect(leg.fastTaken ?? 0, legClosed).toBeGreaterThan(0.9 * (leg.shortTaken ?? Number.POSITIVE_INFINITY));
      } finally {
        await server.stop();
      }
    } finally {
      net.delete();
    }
  });
}
