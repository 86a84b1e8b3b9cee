/**
 * `callprobe run --teams-reachability FILE` against a local STUN/TURN stand-in: the worker's own
 * relay on loopback (inside the test's network namespace) answers UDP with the reflexive address
 * and TCP and TLS with a 401; a UDP port that swallows every datagram is reported blocked. The
 * answers are in the report and said on stderr; the network test runs as without the flag.
 * `serve --teams-reachability FILE` hands the same kind of list to the page, whose browser tries
 * each port itself after the test: the same answers come back in the report, tried by the page.
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schemaErrors } from '../test/kit/report-validator.js';
import { runCallprobe as callprobe, serveProcess } from '../test/kit/callprobe.js';
import { expect, test } from './fixtures/test.js';

test('run --teams-reachability reports each listed port: reflexive over UDP, a 401 over TCP and TLS, a port that drops everything as blocked', async ({
  server: E2E,
}) => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-reach-'));
  // A UDP port that reads and never answers: what a firewall that drops looks like from the client.
  const blackHole = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => blackHole.bind(0, '127.0.0.1', resolve));
  try {
    const black = (blackHole.address() as AddressInfo).port;
    const udp = E2E.udpPorts[0] ?? 0;
    const file = join(dir, 'relays.txt');
    writeFileSync(file, `# a stand-in for Microsoft's relays\nudp 127.0.0.1 ${udp},${black}\ntcp 127.0.0.1 ${udp}\ntls 127.0.0.1 ${E2E.tlsPort}\n`);
    const r = await callprobe(['run', '--server', E2E.baseUrl, '--duration', '1', '--no-save', '--json', '--teams-reachability', file], 80_000);
    expect(r.stderr).toContain('reachability, not quality');
    const report = JSON.parse(r.stdout) as { teamsReachability?: { timeoutMs: number; answers: { url: string; answer: string; ms: number | null }[] } };
    expect(schemaErrors(report)).toEqual([]);
    expect(report.teamsReachability?.answers.map((a) => [a.url, a.answer])).toEqual([
      [`stun:127.0.0.1:${udp}`, 'reflexive'],
      [`stun:127.0.0.1:${black}`, 'blocked'],
      [`turn:127.0.0.1:${udp}?transport=tcp`, 'challenge'],
      [`turns:127.0.0.1:${E2E.tlsPort}?transport=tcp`, 'challenge'],
    ]);
    expect(report.teamsReachability?.answers[0]?.ms).toBeGreaterThan(0);
    expect(report.teamsReachability?.answers[1]?.ms).toBeNull();
    expect(r.stderr).toMatch(new RegExp(`UDP ${black} stun:127\\.0\\.0\\.1:${black}: no answer within 3 s: blocked`));
  } finally {
    blackHole.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve --teams-reachability hands the list to the page, whose browser finds the stand-in reachable over UDP and TCP, a silent port blocked, a closed one refused and a refused certificate failed', async ({
  server: E2E,
}, testInfo) => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-reach-page-'));
  const blackHole = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => blackHole.bind(0, '127.0.0.1', resolve));
  // A TCP port nothing listens on: a listener opened and closed again.
  const closed = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  try {
    const black = (blackHole.address() as AddressInfo).port;
    const udp = E2E.udpPorts[0] ?? 0;
    const file = join(dir, 'relays.txt');
    writeFileSync(file, `udp 127.0.0.1 ${udp},${black}\ntcp 127.0.0.1 ${udp},${closed}\ntls 127.0.0.1 ${E2E.tlsPort}\n`);
    // A serve of its own that lists the worker's server (the stand-in) for its pages; its TURN on ports no worker uses.
    const own = await serveProcess({ turnPorts: 23478 + testInfo.parallelIndex, extra: ['--teams-reachability', file] }, { deadlineMs: 80_000 });
    try {
      const r = await callprobe(['run', '--server', own.url, '--duration', '1', '--no-save', '--json'], 70_000);
      const report = JSON.parse(r.stdout) as {
        teamsReachability?: { triedBy?: string; answers: { url: string; answer: string; ms: number | null }[] };
      };
      expect(schemaErrors(report), r.stderr).toEqual([]);
      expect(report.teamsReachability?.triedBy).toBe('page');
      expect(report.teamsReachability?.answers.map((a) => [a.url, a.answer])).toEqual([
        [`stun:127.0.0.1:${udp}`, 'reflexive'],
        [`stun:127.0.0.1:${black}`, 'blocked'],
        [`turn:127.0.0.1:${udp}?transport=tcp`, 'challenge'],
        [`turn:127.0.0.1:${closed}?transport=tcp`, 'refused'],
        // The stand-in's certificate is self-signed: the browser refuses it, unlike the command line (which does not check it).
        [`turns:127.0.0.1:${E2E.tlsPort}?transport=tcp`, 'failed'],
      ]);
      expect(report.teamsReachability?.answers[0]?.ms).toBeGreaterThan(0);
      expect(report.teamsReachability?.answers[1]?.ms).toBeNull();
      expect(r.stderr).toContain('reachability, not quality');
    } finally {
      await own.stop();
    }
  } finally {
    blackHole.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
