import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { TestKitError } from './errors.js';
import { bindUdp, boundUdpPorts, closeUdp, freePorts, freeTcpPort, freeUdpPort, startUdpEcho, waitUdpBound } from './net.js';
import { runProcess, spawnBounded } from './process.js';
import { mulberry32 } from './prng.js';
import { collector, nextEvent, waitFor, withDeadline } from './wait.js';

const node = process.execPath;

describe('waitFor', () => {
  it('resolves with the first present value of a sync or async state', async () => {
    let n = 0;
    const timer = setInterval(() => n++, 1);
    try {
      expect(await waitFor(() => (n >= 3 ? n : undefined), { timeoutMs: 2000, what: 'n to reach 3' })).toBeGreaterThanOrEqual(3);
      expect(await waitFor(async () => n >= 5, { timeoutMs: 2000, what: 'n to reach 5' })).toBe(true);
      expect(await waitFor(() => 0, { timeoutMs: 10, what: 'zero is a value' })).toBe(0);
    } finally {
      clearInterval(timer);
    }
  });

  it('fails with what it waited for and the state it saw', async () => {
    const wait = waitFor(() => false, { timeoutMs: 30, what: 'the impossible', state: () => 'still false' });
    await expect(wait).rejects.toBeInstanceOf(TestKitError);
    await expect(wait).rejects.toMatchObject({ reason: 'timeout', message: 'timed out after 30 ms waiting for the impossible (state: still false)' });
  });

  it('fails at once when the probe throws', async () => {
    const wait = waitFor(
      () => {
        throw new Error('probe broke');
      },
      { timeoutMs: 10_000, what: 'anything' },
    );
    await expect(wait).rejects.toThrow('probe broke');
  });
});

describe('withDeadline, nextEvent, collector', () => {
  it('passes a settled promise through and bounds one that never settles', async () => {
    expect(await withDeadline(Promise.resolve(7), { timeoutMs: 100, what: 'seven' })).toBe(7);
    await expect(withDeadline(new Promise(() => undefined), { timeoutMs: 20, what: 'never' })).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('awaits the next accepted event, and fails on an error event or the deadline', async () => {
    const e = new EventEmitter();
    const next = nextEvent<[number]>(e, 'n', { timeoutMs: 1000, what: 'an even n', accept: (x) => x % 2 === 0 });
    e.emit('n', 1);
    e.emit('n', 4);
    expect(await next).toEqual([4]);
    expect(e.listenerCount('n')).toBe(0);
    const failed = nextEvent(e, 'n', { timeoutMs: 1000, what: 'n' });
    e.emit('error', new Error('boom'));
    await expect(failed).rejects.toThrow('boom');
    await expect(nextEvent(e, 'n', { timeoutMs: 10, what: 'n' })).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('resolves a count of collected items, or says how many came', async () => {
    const got = collector<string>();
    const three = got.atLeast(3, { timeoutMs: 1000, what: 'three items' });
    for (const x of ['a', 'b', 'c']) got.push(x);
    expect(await three).toEqual(['a', 'b', 'c']);
    await expect(got.atLeast(5, { timeoutMs: 20, what: 'five items' })).rejects.toThrow(/five items \(state: got 3 of 5\)/);
  });
});

describe('loopback sockets', () => {
  it('hands out free UDP and TCP ports', async () => {
    const udp = await freeUdpPort();
    const socket = await bindUdp('127.0.0.1', udp);
    expect(socket.address().port).toBe(udp);
    expect(boundUdpPorts().has(udp)).toBe(true);
    await waitUdpBound(udp, 1000);
    await closeUdp(socket);
    expect(await freeTcpPort()).toBeGreaterThan(0);
  });

  it('draws distinct UDP+TCP ports in 20000-29999, reproducibly for a seed', async () => {
    const ports = await freePorts(3, mulberry32(5));
    expect(new Set(ports).size).toBe(3);
    for (const p of ports) expect(p >= 20000 && p < 30000).toBe(true);
  });

  it('echoes datagrams and counts them', async () => {
    const echo = await startUdpEcho();
    const client = await bindUdp();
    const replies = collector<string>();
    client.on('message', (m: Buffer) => replies.push(m.toString()));
    try {
      client.send('one', echo.port, '127.0.0.1');
      client.send('two', echo.port, '127.0.0.1');
      expect((await replies.atLeast(2, { timeoutMs: 2000, what: 'two echoes' })).sort()).toEqual(['one', 'two']);
      expect(echo.received).toBe(2);
    } finally {
      await closeUdp(client);
      await echo.close();
    }
  });
});

describe('processes', () => {
  it('waits for a line, keeps the output and the exit status', async () => {
    const p = spawnBounded(node, ['-e', 'console.error("starting"); setTimeout(() => console.log("ready on 42"), 20)'], { deadlineMs: 10_000 });
    expect(await p.waitForLine(/ready on \d+/, { timeoutMs: 5000, what: 'ready', stream: 'stdout' })).toBe('ready on 42');
    expect(await p.exited).toEqual({ code: 0, signal: null, spawnError: null, timedOut: false });
    expect(p.stderr()).toBe('starting\n');
    expect(p.output()).toContain('ready on 42');
  });

  it('fails a wait when the process exits without the line, or cannot start', async () => {
    const p = spawnBounded(node, ['-e', 'console.log("bye")'], { deadlineMs: 10_000 });
    await expect(p.waitForLine('ready', { timeoutMs: 5000, what: 'ready' })).rejects.toMatchObject({ reason: 'exited' });
    const missing = spawnBounded('/nonexistent/callprobe-test-cmd', [], { deadlineMs: 10_000 });
    await expect(missing.waitForLine('x', { timeoutMs: 5000, what: 'x' })).rejects.toMatchObject({ reason: 'spawn-failed' });
    expect((await missing.exited).spawnError).toBeInstanceOf(Error);
  });

  it('kills a process at its deadline and stops one by its pid', async () => {
    const run = await runProcess(node, ['-e', 'setInterval(() => undefined, 1000)'], { timeoutMs: 200 });
    expect(run).toMatchObject({ code: null, signal: 'SIGKILL', timedOut: true });
    const p = spawnBounded(node, ['-e', 'console.log("up"); setInterval(() => undefined, 1000)'], { deadlineMs: 10_000 });
    await p.waitForLine('up', { timeoutMs: 5000, what: 'up' });
    expect(await p.stop()).toMatchObject({ code: null, signal: 'SIGTERM', timedOut: false });
  });
});
