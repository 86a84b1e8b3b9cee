/**
 * The HTTP connection door per network (IPv6 /48) and its reserve, with injected client addresses
 * (loopback carries no /48 but ::1): the door's own 'connection' handler is given sockets that
 * say where they come from. The red team's attack: 17 /64s of one /48, each at its 256, filled
 * all 4,096 connections and a new source was closed at accept. Now one /48 holds at most an
 * eighth (512), and the last quarter (1,024) goes only to networks holding none of the rest.
 */
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { DoorRefusals } from '../../../server/common/door.js';
import { ConnectionGate } from '../../../server/http/connections.js';
import { metricsText } from '../../kit/metrics.js';

class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

const open: FakeSocket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.destroy();
});

function door(): { gate: ConnectionGate; server: Server; refusals: DoorRefusals } {
  const refusals = new DoorRefusals();
  const gate = new ConnectionGate({ limits: DEFAULTS.http, descriptors: () => null, refusals });
  const server = new EventEmitter() as unknown as Server;
  gate.attach(server);
  return { gate, server, refusals };
}

/** Opens up to `n` connections from `ip`; returns how many the door kept open. */
function connect(server: Server, ip: string, n: number): number {
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const s = new FakeSocket(ip);
    server.emit('connection', s);
    if (s.destroyed) continue;
    open.push(s);
    kept++;
  }
  return kept;
}

describe('the HTTP connection door per /48, with a reserve for new networks', () => {
  it('the attack: 17 /64s of one /48 hold 512 of the 4,096 connections, and a fresh source is still accepted', async () => {
    const { gate, server, refusals } = door();
    expect(gate.bounds).toEqual({ total: 4096, perSource: 256, perNetwork: 512, reserve: 1024 });
    let held = 0;
    for (let lan = 1; lan <= 17; lan++) held += connect(server, `2001:db8:48:${lan}::1`, 256);
    expect(held).toBe(512);
    expect(connect(server, '2001:db8:77:1::1', 1)).toBe(1);
    expect(connect(server, '198.51.100.7', 1)).toBe(1);
    expect(refusals.get('http-connection', 'network')).toBe(15 * 256);
    expect(await metricsText((r) => gate.registerMetrics(r))).toContain(`callprobe_http_connections_refused_total{reason="per-network"} ${15 * 256}`);
  });

  it('2 /64s of one /48 at their caps leave room; past total - 1,024 only a network holding none of the rest gets in', () => {
    const { gate, server, refusals } = door();
    // Two /64s of one /48 at their caps: its 512.
    for (let lan = 1; lan <= 2; lan++) expect(connect(server, `2001:db8:48:${lan}::1`, 256)).toBe(256);
    expect(connect(server, '2001:db8:99:1::1', 1)).toBe(1);
    // Other networks fill up to the reserve (4096 - 1024 = 3072).
    let net = 1;
    while (gate.open < 3072) connect(server, `2001:db8:${(0x100 + net++).toString(16)}:1::1`, Math.min(256, 3072 - gate.open));
    expect(connect(server, '2001:db8:99:2::1', 1)).toBe(0); // its /48 holds one already: the reserve is not for it
    expect(refusals.get('http-connection', 'reserve')).toBe(1);
    // New networks take the reserve (a source's 256 each), then the door is full.
    for (let i = 0; i < 4; i++) expect(connect(server, `2001:db8:aaaa:${i.toString(16)}::1`, 256)).toBe(i < 2 ? 256 : 0);
    for (let i = 0; i < 2; i++) expect(connect(server, `2001:db8:${(0xbb00 + i).toString(16)}:1::1`, 256)).toBe(256);
    expect(gate.open).toBe(4096);
    expect(connect(server, '203.0.113.1', 1)).toBe(0);
    expect(refusals.get('http-connection', 'total')).toBe(1);
  });
});
