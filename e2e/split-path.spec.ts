/**
 * A split path, made in namespaces of the test's own (bench/lib/multi-homed.ts): a client with two
 * veths, a server with an address on each. The page's HTTP goes to the server's first address
 * through the first veth; the relay is handed out on the second address, reached through the
 * second veth. The server sees the page's web request from one address and the relay sees its
 * allocation from another: `run --network` reports a split path. The same page loaded from the
 * second address (web and relay through one veth) reports the same path.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MultiHomed } from '../bench/lib/multi-homed.js';
import { serveProcess } from '../test/kit/callprobe.js';
import { cliPath, repoRoot } from '../test/kit/paths.js';
import { schemaErrors } from '../test/kit/report-validator.js';
import { expect, needNetns, test } from './fixtures/test.js';

const HTTP_PORT = 18973;

// Playwright reads fixtures from the first parameter's destructuring: none are used here.
// eslint-disable-next-line no-empty-pattern
test('run --network flags a split path when the page’s HTTP and its TURN allocation come from different addresses', async ({}) => {
  test.setTimeout(90_000);
  needNetns('a split path in namespaces');
  const net = MultiHomed.create('split', 2, 'ipv4');
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-split-'));
  try {
    await net.up();
    const web = net.serverV4; // 10.79.1.1, through the client's first veth
    const relay = '10.79.2.1'; // the server's address on the second pair
    // The server answers the second pair from its address there (MultiHomed answers every pair from the first).
    net.exec(net.server, 'ip', ['route', 'replace', '10.79.2.0/24', 'dev', 'mhs2', 'src', relay]);
    const server = await serveProcess(
      { host: '0.0.0.0', httpPort: HTTP_PORT, extra: ['--relay-ip', relay, '--advertise', relay] },
      { deadlineMs: 80_000, readyTimeoutMs: 30_000, spawn: (c, a, o) => net.spawn(net.server, c, a, o) },
    );
    try {
      const origins = [web, relay].map((a) => `http://${a}:${String(HTTP_PORT)}`);
      // The page over plain http on a non-loopback address is a secure context only when Chromium is told so.
      const browser = join(dir, 'chromium');
      writeFileSync(
        browser,
        `#!/bin/sh\nexec "${process.env['CALLPROBE_CHROMIUM'] ?? '/usr/bin/chromium'}" --unsafely-treat-insecure-origin-as-secure=${origins.join(',')} "$@"\n`,
      );
      chmodSync(browser, 0o755);
      const splitPathOf = async (origin: string): Promise<string | undefined> => {
        const run = net.spawn(
          net.client,
          process.execPath,
          [cliPath, 'run', '--server', origin, '--duration', '1', '--no-save', '--json', '--network', '--browser', browser],
          {
            deadlineMs: 40_000,
            cwd: repoRoot,
          },
        );
        await run.exited;
        const report = JSON.parse(run.stdout()) as { network?: { splitPath: string } };
        expect(schemaErrors(report), run.stderr()).toEqual([]);
        return report.network?.splitPath;
      };
      expect(await splitPathOf(origins[0] ?? '')).toBe('split');
      expect(await splitPathOf(origins[1] ?? '')).toBe('same');
    } finally {
      await server.stop();
    }
  } finally {
    net.delete();
    rmSync(dir, { recursive: true, force: true });
  }
});
