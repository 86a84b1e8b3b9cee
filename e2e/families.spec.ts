/**
 * IPv4 and IPv6 each measured to the relay by the page's browser, in namespaces of the test's own
 * (bench/lib/multi-homed.ts): a dual-stack client and server joined by one veth pair, the server's
 * relay offered on both families (`--host :: --relay-ip IPV4,IPV6`). `run --network` reports each
 * family's round trip and loss, neither much worse on the one clean link. (On loopback alone,
 * 127.0.0.1 and ::1, Chromium's relay entry on ::1 brought no round trip back here, so the test
 * makes real interfaces; and this kernel has no netem to slow one family: a much worse family is
 * test/session/locate/families.test.ts's, through the real relay behind the impairment proxy.)
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MultiHomed } from '../bench/lib/multi-homed.js';
import { serveProcess } from '../test/kit/callprobe.js';
import { cliPath, repoRoot } from '../test/kit/paths.js';
import { schemaErrors } from '../test/kit/report-validator.js';
import { expect, needNetns, test } from './fixtures/test.js';

const HTTP_PORT = 18975;

interface FamilyFigures {
  state: string;
  rttMsP50: number | null;
  lossPct: number | null;
}

// Playwright reads fixtures from the first parameter's destructuring: none are used here.
// eslint-disable-next-line no-empty-pattern
test('run --network measures IPv4 and IPv6 each to a dual-stack relay: both round trips and their loss', async ({}) => {
  test.setTimeout(90_000);
  needNetns('a dual-stack client in namespaces');
  const net = MultiHomed.create('fam', 1, 'dual');
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-families-'));
  try {
    await net.up();
    const v4 = net.serverV4;
    const v6 = net.serverV6 ?? '';
    const server = await serveProcess(
      { host: '::', httpPort: HTTP_PORT, extra: ['--relay-ip', `${v4},${v6}`] },
      { deadlineMs: 80_000, readyTimeoutMs: 30_000, spawn: (c, a, o) => net.spawn(net.server, c, a, o) },
    );
    try {
      const origin = `http://${v4}:${String(HTTP_PORT)}`;
      // The page over plain http on a non-loopback address is a secure context only when Chromium is told so.
      const browser = join(dir, 'chromium');
      writeFileSync(
        browser,
        `#!/bin/sh\nexec "${process.env['CALLPROBE_CHROMIUM'] ?? '/usr/bin/chromium'}" --unsafely-treat-insecure-origin-as-secure=${origin} "$@"\n`,
      );
      chmodSync(browser, 0o755);
      const run = net.spawn(
        net.client,
        process.execPath,
        [cliPath, 'run', '--server', origin, '--duration', '1', '--no-save', '--json', '--network', '--browser', browser],
        { deadlineMs: 60_000, cwd: repoRoot },
      );
      await run.exited;
      const report = JSON.parse(run.stdout()) as { network?: { families?: { ipv4: FamilyFigures; ipv6: FamilyFigures; worse: string | null } } };
      expect(schemaErrors(report), run.stderr()).toEqual([]);
      const f = report.network?.families;
      expect(f?.ipv4, run.stderr()).toMatchObject({ state: 'ok', lossPct: 0 });
      expect(f?.ipv6).toMatchObject({ state: 'ok', lossPct: 0 });
      expect(f?.ipv4.rttMsP50).toBeGreaterThan(0);
      expect(f?.ipv6.rttMsP50).toBeGreaterThan(0);
      expect(f?.worse).toBeNull();
    } finally {
      await server.stop();
    }
  } finally {
    net.delete();
    rmSync(dir, { recursive: true, force: true });
  }
});
