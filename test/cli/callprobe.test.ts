/**
 * The built CLI (`npx tsc -b` first): usage errors end with exit 3 and one line on stderr,
 * never a stack trace; --help shows the defaults of src/protocol/defaults.ts.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { runCallprobe, type CliResult } from '../kit/callprobe.js';
import { cliPath } from '../kit/paths.js';
import { needBuilt, skipReason } from '../kit/requires.js';

const CLI = cliPath;
const built = skipReason('callprobe CLI (compiled)', [needBuilt(CLI)]) === null;

function callprobe(...args: string[]): Promise<CliResult> {
  // A bounded run: every case here must end on its own (a serve that starts would be a failure).
  return runCallprobe(args, 15_000);
}

/** Exit 3 and exactly one line on stderr, naming the problem, without a stack or a terminal escape. */
function expectUsageError(r: CliResult, message: RegExp): void {
  expect(r.code, r.stderr).toBe(3);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^callprobe: /);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain('\u001b');
}

/** Every case a usage error, their CLI runs all started at once (a start of the CLI is most of a case's time). */
async function expectUsageErrors(cases: readonly (readonly [string[], RegExp])[]): Promise<void> {
  await Promise.all(cases.map(async ([args, message]) => expectUsageError(await callprobe(...args), message)));
}

describe.skipIf(!built)('callprobe CLI (compiled)', () => {
  let tcp: Server;
  let udp: Socket;
  let busyTcpPort: number;
  let busyUdpPort: number;

  beforeAll(async () => {
    tcp = createServer();
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    busyTcpPort = (tcp.address() as AddressInfo).port;
    udp = createSocket('udp4');
    udp.bind(0, '127.0.0.1');
    await once(udp, 'listening');
    busyUdpPort = udp.address().port;
  });

  afterAll(async () => {
    udp.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  });

  it('a bad flag value is a one-line usage error', async () => {
    await expectUsageErrors([
      [['serve', '--relay-ports', '70000-80000'], /--relay-ports 70000-80000: ports must be 1\.\.65535/],
      [['serve', '--relay-ports', '5000-4000'], /above the last/],
      [['serve', '--http-port', 'http'], /--http-port must be an integer 0\.\.65535/],
      [['serve', '--external-turn', 'turn:relay.example.org:99999'], /not a TURN URI \(RFC 7065\)/],
      [['serve', '--max-allocations-per-ip', '0'], /--max-allocations-per-ip must be an integer 1\.\./],
      [['run', '--server', 'not a url'], /not a URL/],
      [['run', '--turn', 'turns:relay.example.org?transport=udp', '--turn-user', 'u', '--turn-credential', 'p'], /DTLS/],
      [['coturn-config', '--secret', 's', '--relay-ports', '1-2'], /too small for 4 instances/],
      [['serve', '--bogus'], /unknown option '--bogus'/],
    ]);
  });

  it('a bad results-store flag is a one-line usage error', async () => {
    await expectUsageErrors([
      [['serve', '--db', 'mysql://h/db'], /--db mysql:\/\/h\/db: only a file \(SQLite\) or a postgres:\/\/ URL/],
      [['serve', '--retain-ip-days', '0'], /--retain-ip-days must be an integer 1\.\.365/],
      [['serve', '--retain-days', '99999'], /--retain-days must be an integer 1\.\.3650/],
      [['serve', '--admin-token', 'short'], /admin token must be 16\.\.256/],
      [['serve', '--trust-proxy', 'proxy.example'], /--trust-proxy: not an IP address or CIDR/],
      // A database that cannot be opened (its folder would be inside a file): checked before anything listens.
      [
        ['serve', '--external-turn', 'turn:127.0.0.1:3478', '--http-port', '0', '--secret', 's', '--db', `${CLI}/results.db`],
        /--db: cannot open the results database .*(ENOTDIR|EEXIST)/,
      ],
    ]);
  });

  it('shows a terminal escape in a flag value as \\x1b, never sends it', async () => {
    const r = await callprobe('serve', '--turn-ports', '\u001b[2J');
    expectUsageError(r, /\\x1b\[2J/);
  });

  it('an HTTP port already in use is a one-line usage error', async () => {
    const r = await callprobe(
      'serve',
      '--host',
      '127.0.0.1',
      '--http-port',
      String(busyTcpPort),
      '--turn-ports',
      '0',
      '--secret',
      's',
      '--log-level',
      'error',
      '--no-store',
    );
    expectUsageError(r, new RegExp(`--http-port ${busyTcpPort}: address already in use`));
  });

  it('a TURN port already in use is a one-line usage error', async () => {
    const r = await callprobe('serve', '--host', '127.0.0.1', '--http-port', '0', '--turn-ports', String(busyUdpPort), '--secret', 's', '--log-level', 'error');
    expectUsageError(r, new RegExp(`TURN relay: address already in use \\(127\\.0\\.0\\.1:${busyUdpPort}\\)`));
  });

  it('--help shows the defaults of src/protocol/defaults.ts', async () => {
    const [serveHelp, runHelpResult] = await Promise.all([callprobe('serve', '--help'), callprobe('run', '--help')]);
    expect(serveHelp.code).toBe(0);
    const help = serveHelp.stdout.replace(/\s+/g, ' ');
    expect(help).toContain(`(default: ${DEFAULTS.relayPortRange.min}-${DEFAULTS.relayPortRange.max})`);
    expect(help).toContain(`(default: ${DEFAULTS.turnUdpPorts.join(',')})`);
    expect(help).toContain(`(default: ${DEFAULTS.relayQuotas.maxAllocationsPerSourceIp})`);
    expect(help).toContain(`(default: ${DEFAULTS.httpPort})`);
    const runHelp = runHelpResult.stdout.replace(/\s+/g, ' ');
    expect(runHelp).toContain(`the page default, ${DEFAULTS.testDurationS} s`);
    expect(runHelp).toContain(DEFAULTS.browserPath);
  });
});
