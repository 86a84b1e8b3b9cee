/**
 * A TURN-over-TCP connection without an allocation is closed 60 s after
 * it opened, whatever it sends (coturn does the same). The listener's timers are injected, so
 * the test fires the 60 s deadline instead of waiting for it; the default is not lowered
 * (the armed delay is asserted to be exactly NO_ALLOCATION_DEADLINE_MS = 60,000 ms).
 *
 * On the starting code (the commit before this test) the deadline was socket.setTimeout, an
 * idle timer re-armed by every byte: the Binding-only connection below, which keeps talking,
 * was never closed (reproduced in the issue: a Binding every 25 s held it forever). That code
 * had no injectable clock, so this test cannot run on it unchanged.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Relay } from '../../../../server/turn/index.js';
import { startTestRelay } from '../helpers/relay.js';
import { mintRestCredential } from '../../../../server/turn/credentials.js';
import { TurnClient } from '../../../../server/turn/client/turn-client.js';
import { buildRequest } from '../../../../server/turn/client/requests.js';
import { Method } from '../../../../server/turn/codec/constants.js';
import { NO_ALLOCATION_DEADLINE_MS, type StreamTimers } from '../../../../server/turn/transport/stream-listener.js';
import { nextEvent, waitFor } from '../../../kit/wait.js';

const SECRET = 'deadline-secret';
interface Armed {
  delayMs: number;
  fn: () => void;
  cancelled: boolean;
}
const armed: Armed[] = [];
const timers: StreamTimers = (delayMs, fn) => {
  const a: Armed = { delayMs, fn, cancelled: false };
  armed.push(a);
  return () => {
    a.cancelled = true;
  };
};
let relay: Relay;

beforeAll(async () => {
  relay = await startTestRelay({ secret: SECRET, streamTimers: timers });
});

afterAll(async () => {
  await relay.close();
});

const tcpPort = (): number => relay.listeners.find((l) => l.transport === 'tcp')?.port ?? 0;

/** Fires every armed, uncancelled timer once (the clock passes 60 s). */
function fire(): number {
  const due = armed.filter((a) => !a.cancelled);
  for (const a of due) {
    a.cancelled = true;
    a.fn();
  }
  return due.length;
}

describe('TCP connection without an allocation (finding 5)', () => {
  it('closes a Binding-only connection 60 s after it opened, and keeps one that holds an allocation', async () => {
    // A connection that only sends Bindings (as a keep-alive would).
    const s = net.connect({ host: '127.0.0.1', port: tcpPort() });
    await nextEvent(s, 'connect', { timeoutMs: 5_000, what: 'tcp connect' });
    let responses = 0;
    let closed = false;
    s.on('data', () => responses++);
    s.on('close', () => (closed = true));
    s.on('error', () => undefined); // reset by the server at the deadline
    for (let i = 1; i <= 3; i++) {
      s.write(buildRequest(Method.Binding, null, () => undefined));
      await waitFor(() => responses >= i, { timeoutMs: 5_000, what: `Binding response ${i}` });
    }
    // Traffic did not re-arm anything: one deadline, at exactly 60 s.
    expect(armed.map((a) => a.delayMs)).toEqual([NO_ALLOCATION_DEADLINE_MS]);

    // A connection with an allocation.
    const c = mintRestCredential(SECRET, 'deadline', 600, Date.now());
    const client = await TurnClient.connect({ host: '127.0.0.1', port: tcpPort(), transport: 'tcp', username: c.username, password: c.credential });
    await client.allocate();
    expect(armed.length).toBe(2);

    expect(fire()).toBe(2); // 60 s pass
    await waitFor(() => closed, { timeoutMs: 5_000, what: 'the Binding-only connection to be closed' });
    await client.refresh(600); // still open and served
    expect(armed.filter((a) => !a.cancelled).map((a) => a.delayMs)).toEqual([NO_ALLOCATION_DEADLINE_MS]); // re-armed for the next check
    await client.refresh(0); // the allocation is gone ...
    fire(); // ... so the next check closes it
    await expect(client.refresh(600)).rejects.toThrow();
    await client.close();
  });
});
