#!/usr/bin/env node
/**
 * How accurate is the proxy's own timing on this machine? Sends a probe stream through the
 * proxy (fixed delay each way) to a loopback echo in the same process and reports the
 * proxy's timing error (actual send call minus intended release), its applied delays, the
 * round trip the client saw, and the load average around the run (a shared machine's other
 * work shows up as late releases).
 *
 *   node dist/bench/impair/timing-bench.js --pps 50 --seconds 10 --delay-ms 20 [--out result.json]
 */
import { createSocket, type Socket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { startImpairProxy } from './proxy.js';
import { summarize } from './stats.js';

interface BenchOptions {
  pps: string;
  seconds: string;
  delayMs: string;
  sizeBytes: string;
  out?: string;
}

function bound(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket.address().port));
  });
}

function positive(name: string, text: string, max: number): number {
  const value = Number(text);
  if (!(value > 0 && value <= max)) throw new Error(`--${name} ${text}: expected a number in (0, ${max}]`);
  return value;
}

async function main(): Promise<void> {
  const o = new Command('impair-timing-bench')
    .option('--pps <n>', 'probes per second', '50')
    .option('--seconds <s>', 'test length (max 120)', '10')
    .option('--delay-ms <ms>', 'fixed delay each way', '20')
    .option('--size-bytes <n>', 'probe size', '200')
    .option('--out <file>', 'also write the result JSON here')
    .parse(process.argv)
    .opts<BenchOptions>();
  const pps = positive('pps', o.pps, 2000);
  const seconds = positive('seconds', o.seconds, 120);
  const delayMs = positive('delay-ms', o.delayMs, 10_000);
  const sizeBytes = positive('size-bytes', o.sizeBytes, 1400);

  const echo = createSocket('udp4');
  echo.on('message', (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
  const echoPort = await bound(echo);
  const client = createSocket('udp4');
  const rttMs: number[] = [];
  client.on('message', (msg: Buffer) => rttMs.push(performance.now() - msg.readDoubleBE(0)));
  await bound(client);
  const proxy = await startImpairProxy({
    pairs: [{ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echoPort } }],
    scenario: { up: { delayMs }, down: { delayMs } },
    seed: 'timing-bench',
    durationMs: (seconds + 30) * 1000,
  });
  const loadBefore = loadavg();
  const n = Math.round(pps * seconds);
  const intervalMs = 1000 / pps;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    const tick = (): void => {
      while (sent < n && performance.now() - start >= sent * intervalMs) {
        const payload = Buffer.alloc(sizeBytes);
        payload.writeDoubleBE(performance.now(), 0);
        client.send(payload, proxy.ports[0] ?? 0, '127.0.0.1');
        sent++;
      }
      if (sent >= n) return resolve();
      setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    tick();
  });
  // Everything is back once 2 x delay (+ margin) has passed since the last send.
  await new Promise((resolve) => setTimeout(resolve, 2 * delayMs + 500));
  const truth = await proxy.stop();
  const loadAfter = loadavg();
  await Promise.all([echo, client].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  const flow = truth.flows[0];
  const result = {
    config: { pps, seconds, delayMsEachWay: delayMs, sizeBytes, wakeEarlyMs: truth.timing.wakeEarlyMs },
    loadAverage1m: { before: loadBefore[0], after: loadAfter[0] },
    proxyTimingErrorMs: truth.timing.errorMs,
    appliedDelayMs: { up: flow?.up.delayMs ?? null, down: flow?.down.delayMs ?? null },
    clientRttMs: summarize(rttMs),
    sent: n,
    echoed: rttMs.length,
  };
  const text = JSON.stringify(result, null, 2);
  console.log(text);
  if (o.out !== undefined) await writeFile(o.out, `${text}\n`, 'utf8');
}

main().catch((error: unknown) => {
  console.error(`timing-bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
