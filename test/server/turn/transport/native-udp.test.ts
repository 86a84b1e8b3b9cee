/**
 * The relay's native UDP socket (server/turn/transport/native-udp.ts, ./native/udp.c), against
 * Node's dgram on the other end: what it hears and from whom, what it sends, connect and
 * disconnect, the errors it says, and that it reads on after an ICMP error.
 */
import type { Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { NativeUdpSocket, nativeUdpPath, takeDatagramWaits } from '../../../../server/turn/transport/native-udp.js';
import { bindUdp, closeUdp, freeUdpPort } from '../../../kit/net.js';

interface Heard {
  msg: Buffer;
  address: string;
  port: number;
  /** Its traffic class as it arrived (-1: none read). */
  tos: number;
}

/** A native socket whose datagrams and errors are kept, with a wait for the next one. */
function listen(s: NativeUdpSocket): { heard: Heard[]; errors: string[]; next(): Promise<Heard>; nextError(): Promise<string> } {
  const heard: Heard[] = [];
  const errors: string[] = [];
  let wake: (() => void) | null = null;
  s.start(
    (msg, address, port, tos) => {
      heard.push({ msg, address, port, tos });
      wake?.();
    },
    (code) => {
      errors.push(code);
      wake?.();
    },
  );
  const until = async <T>(take: () => T | undefined): Promise<T> => {
    for (;;) {
      const v = take();
      if (v !== undefined) return v;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  let read = 0;
  let readErrors = 0;
  return {
    heard,
    errors,
    next: () => until(() => (heard.length > read ? heard[read++] : undefined)),
    nextError: () => until(() => (errors.length > readErrors ? errors[readErrors++] : undefined)),
  };
}

/** The next datagram `socket` receives. */
function nextOn(socket: Socket): Promise<{ msg: Buffer; port: number }> {
  return new Promise((resolve) => socket.once('message', (msg: Buffer, rinfo) => resolve({ msg, port: rinfo.port })));
}

const open: NativeUdpSocket[] = [];
const peers: Socket[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) s.close();
  await Promise.all(peers.splice(0).map((p) => closeUdp(p)));
});

function native(family: 4 | 6, address: string, port = 0): NativeUdpSocket {
  const s = NativeUdpSocket.bind(family, address, port, 1 << 20);
  open.push(s);
  return s;
}

async function peer(host = '127.0.0.1'): Promise<Socket> {
  const p = await bindUdp(host);
  peers.push(p);
  return p;
}

describe('the native UDP socket', () => {
  it('is built where the relay loads it', () => {
    expect(nativeUdpPath()).toMatch(/dist\/native\/callprobe-udp\.node$/);
  });

  it.each([
    [4, '127.0.0.1'],
    [6, '::1'],
  ] as const)('hears each datagram with its sender and answers it (IPv%i)', async (family, host) => {
    const s = native(family, host);
    expect(s.port).toBeGreaterThan(0);
    const l = listen(s);
    const p = await peer(host);
    for (const text of ['one', 'two', 'three']) p.send(Buffer.from(text), s.port, host);
    const got = [await l.next(), await l.next(), await l.next()];
    expect(got.map((h) => h.msg.toString())).toEqual(['one', 'two', 'three']);
    for (const h of got) expect([h.address, h.port]).toEqual([host, p.address().port]);
    const back = nextOn(p);
    expect(s.send(Buffer.from('xxechoxx'), host, p.address().port, 2, 4)).toBeNull();
    expect((await back).msg.toString()).toBe('echo');
  });

  it.each([
    [4, '127.0.0.1'],
    [6, '::1'],
  ] as const)('reads the traffic class each datagram arrived with, and marks one datagram alone with the class it is given (IPv%i)', async (family, host) => {
    const rx = native(family, host);
    const l = listen(rx);
    const tx = native(family, host);
    // EF (DSCP 46) in the upper six bits: 184; AF41 (34): 136; -1: the socket's own, unmarked.
    expect(tx.send(Buffer.from('ef'), host, rx.port, 0, 2, 46 << 2)).toBeNull();
    expect(tx.send(Buffer.from('plain'), host, rx.port)).toBeNull();
    expect(tx.send(Buffer.from('af41'), host, rx.port, 0, 4, 34 << 2)).toBeNull();
    const got = [await l.next(), await l.next(), await l.next()];
    expect(got.map((h) => [h.msg.toString(), h.tos])).toEqual([
      ['ef', 184],
      ['plain', 0],
      ['af41', 136],
    ]);
    expect(() => tx.send(Buffer.from('x'), host, rx.port, 0, 1, 256)).toThrow(/traffic class 0-255/);
  });

  it('says why it cannot bind a port in use', () => {
    const first = native(4, '127.0.0.1', 0);
    expect(() => native(4, '127.0.0.1', first.port)).toThrow(expect.objectContaining({ code: 'EADDRINUSE', address: '127.0.0.1', port: first.port }));
    expect(() => native(4, '::1')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('once connected, sends without an address and hears only its peer; disconnected, hears everyone again', async () => {
    // A port asked for by number: Linux gives a socket bound to port 0 a new one when it disconnects.
    const s = native(4, '127.0.0.1', await freeUdpPort());
    const l = listen(s);
    const [a, b] = [await peer(), await peer()];
    s.connect('127.0.0.1', a.address().port);
    const atA = nextOn(a);
    expect(s.send(Buffer.from('to a'), null, 0)).toBeNull();
    expect((await atA).msg.toString()).toBe('to a');
    // b's datagram goes nowhere: a's, sent after it, is the next one heard.
    b.send(Buffer.from('from b'), s.port, '127.0.0.1');
    await new Promise<void>((resolve) => b.send(Buffer.from('from b again'), s.port, '127.0.0.1', () => resolve()));
    a.send(Buffer.from('from a'), s.port, '127.0.0.1');
    expect((await l.next()).msg.toString()).toBe('from a');
    s.disconnect();
    b.send(Buffer.from('from b, disconnected'), s.port, '127.0.0.1');
    const h = await l.next();
    expect([h.msg.toString(), h.port]).toEqual(['from b, disconnected', b.address().port]);
    expect(l.heard.map((x) => x.msg.toString())).toEqual(['from a', 'from b, disconnected']);
  });

  it('says a connected peer is gone (ECONNREFUSED) and reads on', async () => {
    const s = native(4, '127.0.0.1');
    const l = listen(s);
    const gone = await peer();
    const port = gone.address().port;
    await closeUdp(peers.splice(peers.indexOf(gone), 1)[0] as Socket);
    s.connect('127.0.0.1', port);
    // The kernel's ICMP port unreachable comes back as the socket's pending error.
    expect(s.send(Buffer.from('anyone?'), null, 0)).toBeNull();
    expect(await l.nextError()).toBe('ECONNREFUSED');
    const back = await bindUdp('127.0.0.1', port);
    peers.push(back);
    back.send(Buffer.from('here now'), s.port, '127.0.0.1');
    expect((await l.next()).msg.toString()).toBe('here now');
  });

  it("says how long a datagram waited between the kernel's receiving it and its handler's call", async () => {
    const s = native(4, '127.0.0.1');
    const l = listen(s);
    const tx = native(4, '127.0.0.1'); // sends at once (sendto), where dgram's send waits for a lookup
    takeDatagramWaits(); // what other tests' sockets read before
    expect(takeDatagramWaits()).toBeNull();
    expect(tx.send(Buffer.from('first'), '127.0.0.1', s.port)).toBeNull();
    await l.next();
    const quick = takeDatagramWaits();
    expect(quick).not.toBeNull();
    expect(quick?.worstMs).toBeGreaterThanOrEqual(0);
    // The event loop held 30 ms (by its own clock) after the datagram was sent: it waited at least that long.
    expect(tx.send(Buffer.from('second'), '127.0.0.1', s.port)).toBeNull();
    const heldFrom = performance.now();
    while (performance.now() - heldFrom < 30) {
      // busy: the loop cannot read the socket
    }
    await l.next();
    const handledBy = performance.now();
    const held = takeDatagramWaits();
    expect(held?.worstMs).toBeGreaterThanOrEqual(30);
    expect(held?.atMs).toBeGreaterThanOrEqual(heldFrom + 30);
    expect(held?.atMs).toBeLessThanOrEqual(handledBy);
    expect(takeDatagramWaits()).toBeNull();
  });

  it('refuses what is not an address of its family, and does nothing once closed', () => {
    const s = native(4, '127.0.0.1');
    expect(() => s.send(Buffer.from('x'), '::1', 9)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => s.send(Buffer.from('x'), '127.0.0.1', 9, 0, 2)).toThrow(TypeError);
    s.close();
    expect(s.send(Buffer.from('x'), '127.0.0.1', 9)).toBe('error');
    s.close();
  });

  it("takes none of its handles for another kind: a sampler's is no socket, a socket's no sampler", () => {
    // The addon itself, as native-udp.ts loads it: its handles are opaque, each tagged with what it is.
    const addon = createRequire(import.meta.url)(nativeUdpPath()) as {
      open(family: number, ip: string, port: number, bufferBytes: number): [unknown, number];
      send(handle: unknown, data: Buffer, offset: number, length: number, ip: string | null, port: number, tos: number): number;
      close(handle: unknown): void;
      samplerStart(busyMs: number, idleMs: number, batch: number, busy: boolean, waits: boolean, nowMs: number, onBatch: () => boolean): unknown;
      samplerTake(handle: unknown, out: Float64Array): number;
      samplerStop(handle: unknown): void;
    };
    const [socket] = addon.open(4, '127.0.0.1', 0, 1 << 16);
    const sampler = addon.samplerStart(200, 200, 1, false, false, performance.now(), () => false);
    try {
      expect(() => addon.send(sampler, Buffer.from('x'), 0, 1, '127.0.0.1', 9, -1)).toThrow(/not a socket of this addon/);
      expect(() => addon.samplerTake(socket, new Float64Array(512))).toThrow(/not a sampler of this addon/);
      expect(() => addon.samplerStop({})).toThrow(TypeError);
      expect(addon.samplerTake(sampler, new Float64Array(512))).toBe(0);
    } finally {
      addon.samplerStop(sampler);
      addon.close(socket);
    }
  });
});
