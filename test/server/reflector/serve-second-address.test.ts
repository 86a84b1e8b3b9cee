/**
 * `serve --host` on an address other than the host's primary one: 127.0.0.2 (Linux delivers all
 * of 127.0.0.0/8 locally; no interface lists it). Each leg of the reflector must reach the
 * relay from an endpoint it signalled, or the relay refuses its traffic ("peer ... not
 * allowed") while /healthz says ok. A real test runs through the relay on each leg: the page's
 * own session in Node on the data channel (bench/load/client-main.ts) and the RTP leg's client
 * (bench/load/rtp-client-main.ts), both relay-only through the server's first UDP TURN port.
 * Failed before the reflector picked its data-channel address (host-address.ts): the data
 * channel never connected ("Ice connection failed"), on both clients.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../kit/net.js';
import { repoRoot } from '../../kit/paths.js';
import { spawnBounded } from '../../kit/process.js';
import { serveProcess, spawnCallprobe, type ServeProcess } from '../../kit/callprobe.js';

const HOST = '127.0.0.2';

let server: ServeProcess;

beforeAll(async () => {
  const [turnPort = 0] = await freePorts(1);
  server = await serveProcess({ host: HOST, turnPorts: turnPort, secret: 's' });
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

/** Runs a bench client against the server; resolves with the JSON line it prints. */
async function client<T>(script: string, durationS: number): Promise<T> {
  const proc = spawnBounded(process.execPath, [join(repoRoot, 'dist', 'bench', 'load', script), server.url, String(durationS)], {
    deadlineMs: (durationS + 30) * 1000,
    cwd: repoRoot,
  });
  const status = await proc.exited;
  expect(status.code, proc.stderr()).toBe(0);
  return JSON.parse(proc.stdout().trim().split('\n').at(-1) ?? '') as T;
}

describe(`serve --host ${HOST}`, () => {
  it('listens there and runs a test through the relay on the data-channel leg and on the RTP leg', async () => {
    expect(server.url).toMatch(new RegExp(`^http://${HOST.replace(/\./g, '\\.')}:`));
    const [dc, rtp] = await Promise.all([
      client<{ outcome?: unknown; summary: { packetsSent: number; packetsReceived: number; lossPct: number } }>('client-main.js', 2),
      client<{ rtp: { probesSent: number; echoes: number; rtpFinal: { upReceived: number; downSent: number } | null } }>('rtp-client-main.js', 1),
    ]);
    console.log(
      `--host ${HOST}: data channel ${dc.summary.packetsReceived}/${dc.summary.packetsSent} probes back; RTP ${rtp.rtp.echoes}/${rtp.rtp.probesSent} echoed`,
    );
    expect(dc.outcome ?? null).toBeNull();
    expect(dc.summary.packetsSent).toBeGreaterThan(100);
    expect(dc.summary.lossPct).toBe(0);
    expect(rtp.rtp.probesSent).toBeGreaterThan(50);
    expect(rtp.rtp.echoes).toBe(rtp.rtp.probesSent);
    expect(rtp.rtp.rtpFinal).toMatchObject({ upReceived: rtp.rtp.probesSent, downSent: rtp.rtp.probesSent });
  }, 60_000);

  it('is refused at start on an address the host does not have, with the reason on one line', async () => {
    const proc = spawnCallprobe(['serve', '--no-store', '--host', '198.51.100.77', '--http-port', '0'], { deadlineMs: 20_000 });
    const status = await proc.exited;
    expect(status.code, proc.output()).toBe(3);
    expect(proc.stderr().trim()).toMatch(/^callprobe: --host 198\.51\.100\.77: this host has no such address \(its interfaces have 127\.0\.0\.1, .*\)$/);
  }, 30_000);
});
