import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImpairConfigError, ImpairRuntimeError } from '../../../bench/impair/errors.js';
import { startImpairProxy } from '../../../bench/impair/proxy.js';
import { assertLoopback } from '../../../bench/impair/address.js';
import type { ImpairmentScenario } from '../../../bench/impair/scenario.js';
import type { Truth } from '../../../bench/impair/truth-types.js';
import { waitFor } from '../../kit/wait.js';
import { expectedDeliveries, median, sendProbes, startEchoTarget, startProbeClient, type EchoTarget, type ProbeClient } from './udp-fixture.js';

const N = 400;
const INTERVAL_MS = 5;
const SIZE = 120;
const UP_DELAY_MS = 15;
const DOWN_DELAY_MS = 25;

describe('proxy on loopback sockets', () => {
  let dir: string;
  let target: EchoTarget;
  let client: ProbeClient;
  let truth: Truth;
  let fileTruth: unknown;
  let heldWhileSending = 0;
  let scheduledAtEnd = -1;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'impair-'));
    target = await startEchoTarget();
    client = await startProbeClient();
    const truthPath = join(dir, 'truth.json');
    const scenario: ImpairmentScenario = {
      probe: { minBytes: SIZE, maxBytes: SIZE },
      up: { delayMs: UP_DELAY_MS, loss: { probability: 0.05 }, duplicate: { probability: 0.05, gapMs: 1 } },
      down: { delayMs: DOWN_DELAY_MS, loss: { probability: 0.05 } },
    };
    const proxy = await startImpairProxy({
      pairs: [{ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: target.port } }],
      scenario,
      seed: 'socket-test',
      durationMs: 20_000,
      truthPath,
    });
    const port = proxy.ports[0] ?? 0;
    const sending = sendProbes(client, port, N, INTERVAL_MS, SIZE);
    // While probes cross, the proxy holds each for its delay.
    heldWhileSending = await waitFor(() => proxy.scheduled() > 0 && proxy.scheduled(), { timeoutMs: 5000, what: 'a datagram held for its delay' });
    await sending;
    // Every datagram the seeded core lets through has arrived (max path delay is 41 ms).
    const expected = expectedDeliveries(scenario, 'socket-test', N, SIZE);
    await waitFor(() => target.datagrams === expected.atTarget && client.echoes.length === expected.atClient, {
      timeoutMs: 10_000,
      what: `${expected.atTarget} datagrams at the target and ${expected.atClient} echoes`,
      state: () => `${target.datagrams} at the target, ${client.echoes.length} echoes`,
    });
    scheduledAtEnd = proxy.scheduled();
    truth = await proxy.stop();
    fileTruth = JSON.parse(await readFile(truthPath, 'utf8'));
  }, 30_000);

  afterAll(async () => {
    await client.close();
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the truth file it returns', () => {
    expect(fileTruth).toEqual(JSON.parse(JSON.stringify(truth)));
    expect(truth.flows).toHaveLength(1);
    expect(truth.stopReason).toBe('stop');
  });

  it('counts exactly what the target and the client observed', () => {
    const { up, down } = truth.totals;
    expect(up.packetsIn).toBe(N);
    expect(up.pendingAtStop).toBe(0);
    expect(down.pendingAtStop).toBe(0);
    // What e2e specs wait for before they stop the proxy: nothing left to release.
    expect(heldWhileSending).toBeGreaterThan(0);
    expect(scheduledAtEnd).toBe(0);
    // Target side: every datagram forwarded up arrived, duplicates included.
    expect(target.datagrams).toBe(up.forwarded + up.duplicated);
    expect(target.received.size).toBe(up.forwarded);
    expect(up.duplicated).toBeGreaterThan(0);
    expect(up.droppedTotal).toBe(N - target.received.size);
    // The target echoes every datagram: that is the down input; the client sees what was forwarded.
    expect(down.packetsIn).toBe(target.datagrams);
    expect(client.echoes.length).toBe(down.forwarded + down.duplicated);
    expect(down.droppedTotal).toBeGreaterThan(0);
  });

  it('attributes each probe fate exactly (arrival index = sequence number on loopback)', () => {
    const probes = truth.flows[0]?.up.probes;
    if (!probes) throw new Error('no probe truth');
    expect(probes.counts.packetsIn).toBe(N);
    const droppedSeqs = probes.packets.filter((p) => p.fate === 'dropped').map((p) => p.id);
    const missingAtTarget = Array.from({ length: N }, (_, seq) => seq).filter((seq) => !target.received.has(seq));
    expect(droppedSeqs).toEqual(missingAtTarget);
    const duplicatedSeqs = probes.packets.filter((p) => p.duplicateAppliedDelayMs !== null).map((p) => p.id);
    const twiceAtTarget = [...target.received.entries()].filter(([, times]) => times.length === 2).map(([seq]) => seq);
    expect(duplicatedSeqs).toEqual(twiceAtTarget.sort((a, b) => a - b));
  });

  it('adds the configured delay, within 1 ms per crossing at p50', () => {
    const firstArrival = new Map([...target.received.entries()].map(([seq, times]) => [seq, times[0] ?? NaN]));
    const oneWayUp = client.echoes.length > 0 ? [...firstArrival.entries()] : [];
    expect(oneWayUp.length).toBeGreaterThan(300);
    const sendTimes = new Map(client.echoes.map((e) => [e.seq, e.sendMs]));
    const upDelays = oneWayUp.flatMap(([seq, t]) => {
      const sent = sendTimes.get(seq);
      return sent === undefined ? [] : [t - sent];
    });
    const rtts = client.echoes.map((e) => e.recvMs - e.sendMs);
    const timing = truth.timing.errorMs;
    console.info(
      `[impair] socket test: up one-way p50 ${median(upDelays).toFixed(3)} ms (configured ${UP_DELAY_MS}),` +
        ` RTT p50 ${median(rtts).toFixed(3)} ms (configured ${UP_DELAY_MS + DOWN_DELAY_MS});` +
        ` proxy timing error p50 ${timing.p50?.toFixed(4)} p99 ${timing.p99?.toFixed(4)} max ${timing.max?.toFixed(4)} ms`,
    );
    // The client, the target and the proxy share one event loop: each delayed crossing reaches its
    // receiver ~0.3 ms after the proxy releases it (0.35-0.6 ms over a round trip here, 1.0 ms on a
    // busy CI run whose proxy p99 was 15 ms). The proxy's own release error is held to 0.5 ms below;
    // what the receivers see is held to 1 ms per crossing: one crossing up, two for the round trip.
    expect(Math.abs(median(upDelays) - UP_DELAY_MS)).toBeLessThan(1);
    expect(Math.abs(median(rtts) - (UP_DELAY_MS + DOWN_DELAY_MS))).toBeLessThan(2);
    expect(timing.p50).toBeLessThan(0.5);
    const applied = truth.flows[0]?.up.delayMs.p50 ?? NaN;
    expect(Math.abs(applied - UP_DELAY_MS)).toBeLessThan(0.5);
  });
});

describe('proxy with several listeners', () => {
  it('keeps one flow per listener and client, each with its own PRNG streams and counts', async () => {
    const targets = [await startEchoTarget(), await startEchoTarget()];
    const client = await startProbeClient();
    const scenario: ImpairmentScenario = { up: { loss: { probability: 0.2 } } };
    const proxy = await startImpairProxy({
      pairs: targets.map((t) => ({ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: t.port } })),
      scenario,
      seed: 'two-listeners',
      durationMs: 20_000,
    });
    try {
      await Promise.all(proxy.ports.map((port) => sendProbes(client, port, 100, 2, 64)));
      const expected = [0, 1].map((listener) => expectedDeliveries(scenario, 'two-listeners', 100, 64, listener));
      const echoes = expected.reduce((sum, e) => sum + e.atClient, 0);
      await waitFor(() => targets.every((t, i) => t.datagrams === expected[i]?.atTarget) && client.echoes.length === echoes, {
        timeoutMs: 5000,
        what: `${expected.map((e) => e.atTarget).join(' and ')} datagrams at the targets and ${echoes} echoes`,
        state: () => `${targets.map((t) => t.datagrams).join(' and ')} at the targets, ${client.echoes.length} echoes`,
      });
      const truth = await proxy.stop();
      expect(truth.flows.map((f) => [f.listenerIndex, f.flowIndex])).toEqual([
        [0, 0],
        [1, 0],
      ]);
      truth.flows.forEach((flow, i) => {
        expect(flow.up.counts.packetsIn).toBe(100);
        expect(targets[i]?.datagrams).toBe(flow.up.counts.forwarded);
      });
      expect(truth.totals.up.packetsIn).toBe(200);
      const lostPattern = (i: number) => Array.from({ length: 100 }, (_, seq) => targets[i]?.received.has(seq));
      expect(lostPattern(0)).not.toEqual(lostPattern(1));
    } finally {
      await proxy.stop();
      await client.close();
      for (const t of targets) await t.close();
    }
  });
});

describe('proxy configuration', () => {
  it('refuses a target outside loopback before opening any socket', async () => {
    const attempt = startImpairProxy({
      pairs: [{ listen: { host: '127.0.0.1', port: 0 }, target: { host: '192.0.2.2', port: 3478 } }],
      scenario: { seed: 1 },
    });
    await expect(attempt).rejects.toBeInstanceOf(ImpairConfigError);
    await expect(attempt).rejects.toMatchObject({ reason: 'not-loopback' });
  });

  it('takes a non-loopback address only when the caller says it made it (a veth pair in its own namespace)', async () => {
    const made = startImpairProxy({
      pairs: [{ listen: { host: '127.0.0.1', port: 0 }, target: { host: '192.0.2.2', port: 3478 } }],
      scenario: { seed: 1 },
      madeAddresses: ['192.0.2.3'],
    });
    await expect(made).rejects.toMatchObject({ reason: 'not-loopback' });
    expect(() => assertLoopback({ host: '10.77.1.1', port: 1 }, 'listen address', new Set(['10.77.1.1']))).not.toThrow();
    expect(() => assertLoopback({ host: '10.77.1.1', port: 1 }, 'listen address')).toThrow(ImpairConfigError);
  });

  it('fails with a socket error when a listen port is taken', async () => {
    const taken = await startEchoTarget();
    try {
      const attempt = startImpairProxy({
        pairs: [
          { listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: 9 } },
          { listen: { host: '127.0.0.1', port: taken.port }, target: { host: '127.0.0.1', port: 9 } },
        ],
        scenario: { seed: 1 },
      });
      await expect(attempt).rejects.toBeInstanceOf(ImpairRuntimeError);
      await expect(attempt).rejects.toMatchObject({ reason: 'socket' });
    } finally {
      await taken.close();
    }
  });

  it('refuses an unbounded duration', async () => {
    const attempt = startImpairProxy({
      pairs: [{ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: 9 } }],
      scenario: { seed: 1 },
      durationMs: Infinity,
    });
    await expect(attempt).rejects.toMatchObject({ reason: 'unbounded-duration' });
  });

  it('stops by itself when its duration ends', async () => {
    const proxy = await startImpairProxy({
      pairs: [{ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: 9 } }],
      scenario: { seed: 1 },
      durationMs: 50,
    });
    const truth = await proxy.done;
    expect(truth.stopReason).toBe('duration');
    expect(truth.durationMs).toBeGreaterThanOrEqual(49);
  });
});
