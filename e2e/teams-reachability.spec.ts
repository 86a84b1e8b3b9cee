/**
 * `callprobe run --teams-reachability FILE` against a local STUN/TURN stand-in: the worker's own
 * relay on loopback (inside the test's network namespace) answers UDP with the reflexive address
 * and TCP and TLS with a 401; a UDP port that swallows every datagram is reported blocked. The
 * answers are in the report and said on stderr; the network test runs as without the flag.
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schemaErrors } from '../test/kit/report-validator.js';
import { runCallprobe as callprobe } from '../test/kit/callprobe.js';
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
