/**
 * The cost bench's probe-echo floors (bench/load/probe-echo.ts in Node, c-probe-echo.c in C, alone
 * and as an addon on a Node process's event loop) do a
 * probe's real work: every echo of a real probe stream passes the sender's check (SRTP tag and
 * decryption, the echo frame), a probe with a wrong SRTP tag gets no echo, and the check itself
 * refuses a tampered echo. Built here with Debian's cc and libcrypto, as the bench builds it.
 */
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFloorEcho, type FloorEcho } from '../../../bench/load/floor.js';
import { ProbeStream, newProbeKeys } from '../../../bench/load/probe-stream.js';
import { repoRoot } from '../../kit/paths.js';
import { needBuilt, needCommand, skipReason, type Need } from '../../kit/requires.js';
import { waitFor } from '../../kit/wait.js';

const needs: Need[] = [
  needCommand('gcc', 'cc'),
  { tool: 'libssl-dev', missing: existsSync('/usr/include/openssl/evp.h') ? null : "OpenSSL's headers are not installed (/usr/include/openssl/evp.h)" },
  needBuilt(join(repoRoot, 'dist', 'bench', 'load', 'probe-echo.js')),
  needBuilt(join(repoRoot, 'dist', 'bench', 'load', 'c-echo-in-node.js')),
];
const why = skipReason('probe-echo floors', needs);

/** A loopback socket whose datagrams go to `onEcho`. */
async function sender(onEcho: (msg: Buffer) => void): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', onEcho);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

describe.skipIf(why !== null)('probe-echo floors', () => {
  const open: Array<{ close(): unknown }> = [];
  let echo: FloorEcho | null = null;
  afterEach(async () => {
    for (const o of open.splice(0)) o.close();
    await echo?.stop();
    echo = null;
  });

  for (const floor of ['c-probe', 'c-probe-in-node', 'node-probe'] as const) {
    it(`${floor}: every probe of a real stream comes back as its echo, each passing the check`, async () => {
      echo = await startFloorEcho(floor, repoRoot, 60);
      const probes = new ProbeStream(echo.keys ?? newProbeKeys());
      let good = 0;
      const socket = await sender((msg) => {
        if (probes.echo(msg)) good++;
      });
      open.push(socket);
      for (let i = 0; i < 30; i++) socket.send(probes.next(i), echo.port, '127.0.0.1');
      await waitFor(() => good + probes.bad >= 30, {
        timeoutMs: 10_000,
        what: 'an answer to each of 30 probes',
        state: () => `${good} good, ${probes.bad} bad`,
      });
      expect({ good, bad: probes.bad, firstBad: probes.firstBad }).toEqual({ good: 30, bad: 0, firstBad: null });
    });
  }

  for (const floor of ['c-probe', 'c-probe-in-node', 'node-probe'] as const) {
    it(`${floor}: a probe whose SRTP tag is wrong gets no echo (it is checked, not only decrypted); the next intact one does`, async () => {
      echo = await startFloorEcho(floor, repoRoot, 60);
      const probes = new ProbeStream(echo.keys ?? newProbeKeys());
      const answers: boolean[] = [];
      const socket = await sender((msg) => answers.push(probes.echo(msg)));
      open.push(socket);
      for (let i = 0; i < 5; i++) {
        const p = probes.next(i);
        p[p.length - 1] = (p[p.length - 1] ?? 0) ^ 1; // the tag's last byte
        socket.send(p, echo.port, '127.0.0.1');
      }
      socket.send(probes.next(5), echo.port, '127.0.0.1');
      // One socket, in order: the intact probe's echo comes after whatever the others caused.
      await waitFor(() => probes.echoed(5), { timeoutMs: 10_000, what: "the intact probe's echo", state: () => JSON.stringify(answers) });
      expect(answers).toEqual([true]);
    });
  }

  it("the sender's check refuses an echo with one byte changed, and says why", async () => {
    echo = await startFloorEcho('node-probe', repoRoot, 60);
    const probes = new ProbeStream(echo.keys ?? newProbeKeys());
    const got: Buffer[] = [];
    const socket = await sender((msg) => got.push(msg));
    open.push(socket);
    socket.send(probes.next(0), echo.port, '127.0.0.1');
    const first = await waitFor(() => got[0], { timeoutMs: 10_000, what: 'an echo' });
    const tampered = Buffer.from(first);
    tampered[40] = (tampered[40] ?? 0) ^ 1;
    expect(probes.echo(tampered)).toBe(false);
    expect(probes.bad).toBe(1);
    expect(probes.firstBad).toMatch(/tag/i);
    expect(probes.echo(first)).toBe(true);
  });
});
