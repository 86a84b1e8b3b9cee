/**
 * The HTTP connection flood (for `bench:load --soak` and the connection door's tests): `count`
 * TCP connections to the HTTP port from one address that never send a byte, held until the
 * server closes them or `holdMs` ends. The server refuses those over its per-source bound as
 * soon as it accepts them, and closes the rest when they have sent no request in time
 * (server/http/connections.ts). Bounded: every connection is closed by `holdMs` at the latest.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface HttpFloodResult {
  /** Connections the server closed within `refusedWithinMs` of their opening: refused at the door. */
  refused: number;
  /** Connections the server closed later: no request in time. */
  closedIdle: number;
  /** Connections still open when `holdMs` ended (closed by us then). */
  heldToEnd: number;
  /** Connections that could not even be opened (the listen queue full, an error). */
  failed: number;
}

/** One connection, and when the server closed it (ms after it opened), or null while open. */
interface Held {
  socket: net.Socket;
  closedAfterMs: number | null;
}

function connect(host: string, port: number, localAddress: string): Promise<Held | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, localAddress });
    let opened = 0;
    const held: Held = { socket, closedAfterMs: null };
    socket.on('error', () => undefined); // a refusal resets: 'close' tells
    socket.once('connect', () => {
      opened = performance.now();
      resolve(held);
    });
    socket.once('close', () => {
      if (opened === 0) resolve(null);
      else held.closedAfterMs = performance.now() - opened;
    });
  });
}

export async function httpConnectionFlood(
  baseUrl: string,
  localAddress: string,
  count: number,
  holdMs: number,
  refusedWithinMs = 1_000,
): Promise<HttpFloodResult> {
  const u = new URL(baseUrl);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port);
  const all: (Held | null)[] = [];
  for (let i = 0; i < count; i++) all.push(await connect(host, port, localAddress));
  const deadline = performance.now() + holdMs;
  while (performance.now() < deadline && all.some((h) => h !== null && h.closedAfterMs === null)) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(0, deadline - performance.now()))));
  }
  const result: HttpFloodResult = { refused: 0, closedIdle: 0, heldToEnd: 0, failed: 0 };
  for (const h of all) {
    if (h === null) result.failed++;
    else if (h.closedAfterMs === null) {
      result.heldToEnd++;
      h.socket.destroy();
    } else if (h.closedAfterMs <= refusedWithinMs) result.refused++;
    else result.closedIdle++;
  }
  return result;
}
