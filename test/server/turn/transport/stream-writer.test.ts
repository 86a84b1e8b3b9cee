/**
 * StreamWriter: frames written while a write is in flight are coalesced,
 * counted by the memory they hold, bounded per connection and over all connections, and
 * arrive complete and in order; a closed connection gives its bytes back. Real loopback sockets.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamWriter, WriteBudget, type WriteRefusal } from '../../../../server/turn/transport/stream-writer.js';
import { nextEvent, waitFor } from '../../../kit/wait.js';

const opened: net.Socket[] = [];
const servers: net.Server[] = [];

afterEach(() => {
  for (const s of opened.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

/** A connected pair on loopback: `server` is written to, `client` reads (or not). */
async function pair(): Promise<{ server: net.Socket; client: net.Socket }> {
  const srv = net.createServer();
  servers.push(srv);
  srv.listen(0, '127.0.0.1');
  await nextEvent(srv, 'listening', { timeoutMs: 5000, what: 'listen' });
  const addr = srv.address() as net.AddressInfo;
  const accepted = nextEvent<[net.Socket]>(srv, 'connection', { timeoutMs: 5000, what: 'accept' });
  const client = net.connect(addr.port, '127.0.0.1');
  opened.push(client);
  const [server] = await accepted;
  opened.push(server);
  return { server, client };
}

function frame(i: number, bytes: number): Buffer {
  const b = Buffer.alloc(bytes, i & 0xff);
  b.writeUInt32BE(i, 0);
  return b;
}

describe('StreamWriter', () => {
  it('holds at most its bound while a write is in flight, drops the rest, and delivers the accepted frames in order', async () => {
    const { server, client } = await pair();
    const budget = new WriteBudget(1 << 30);
    const w = new StreamWriter(server, budget, 64 * 1024);
    const accepted: Buffer[] = [];
    const refusals = new Map<WriteRefusal, number>();
    // One tick: the first frame is in flight, every other one is queued or dropped.
    for (let i = 0; i < 1000; i++) {
      const f = frame(i, 200);
      const r = w.write(f);
      if (r === null) accepted.push(f);
      else refusals.set(r, (refusals.get(r) ?? 0) + 1);
    }
    expect(w.held).toBeLessThanOrEqual(64 * 1024 + 200);
    expect(budget.heldBytes).toBe(w.held);
    expect(refusals.get('stream-backlog') ?? 0).toBe(1000 - accepted.length);
    expect(accepted.length * 200).toBeGreaterThan(44 * 1024); // most of the 64 KiB (16 KiB chunks are counted whole)
    const want = Buffer.concat(accepted);
    const got: Buffer[] = [];
    let gotBytes = 0;
    client.on('data', (c: Buffer) => {
      got.push(c);
      gotBytes += c.length;
    });
    await waitFor(() => gotBytes >= want.length, { timeoutMs: 5000, what: 'all accepted bytes' });
    expect(Buffer.concat(got).equals(want)).toBe(true);
    await waitFor(() => w.held === 0, { timeoutMs: 5000, what: 'nothing held once written' });
    expect(budget.heldBytes).toBe(0);
  });

  it('connections share the relay-wide bound, and a closed one gives its bytes back', async () => {
    const a = await pair();
    const b = await pair();
    const budget = new WriteBudget(48 * 1024);
    const wa = new StreamWriter(a.server, budget, 1 << 20);
    const wb = new StreamWriter(b.server, budget, 1 << 20);
    const results = { a: [] as (WriteRefusal | null)[], b: [] as (WriteRefusal | null)[] };
    for (let i = 0; i < 400; i++) results.a.push(wa.write(frame(i, 200)));
    expect(results.a).toContain('stream-backlog-total');
    expect(budget.heldBytes).toBeLessThanOrEqual(48 * 1024 + 200);
    // b's first frame goes straight to its socket; the rest finds the budget spent.
    for (let i = 0; i < 400; i++) results.b.push(wb.write(frame(i, 200)));
    expect(results.b.filter((r) => r === null).length).toBeLessThan(100);
    expect(results.b.at(-1)).toBe('stream-backlog-total');
    const heldByA = wa.held;
    expect(heldByA).toBeGreaterThan(32 * 1024);
    wa.release();
    expect(budget.heldBytes).toBe(wb.held);
    expect(wb.write(frame(0, 200))).toBeNull();
  });
});
