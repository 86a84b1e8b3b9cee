/**
 * The page's side of a protocol refusal: the server's `page-outdated` / `server-outdated` error
 * becomes a `version-mismatch` SetupError carrying the server's sentence (what the page shows),
 * and the URL the page opens carries its own protocol. The page checks the server's messages
 * with the server's own check of the page's: fed the signalling corpus and generated messages,
 * it takes and refuses the same signals the server does.
 */
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseClientSignal } from '../../../server/http/signal-message.js';
import { isServerSignalMessage } from '../../../src/protocol/signal-check.js';
import { SIGNAL_CORPUS, signalArbitrary, valueOf } from '../../protocol/signal-corpus.js';
import {
  SERVER_BUSY,
  SERVER_BUSY_WORDS,
  SIGNAL_PROTOCOL,
  SIGNAL_PROTOCOL_REFUSALS,
  type SignalData,
  type SignalProtocolRefusal,
} from '../../../src/protocol/api.js';
import { SetupError } from '../../../src/session/net/errors.js';
import { SignalingClient, type WebSocketCtor } from '../../../src/session/net/signaling.js';
import { wsUrl } from '../../../src/session/connect.js';
import { collector } from '../../kit/wait.js';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A server that refuses every page as callprobe serve refuses one of another protocol; it records the URL asked. */
async function refusingServer(reason: SignalProtocolRefusal | typeof SERVER_BUSY): Promise<{ url: string; asked: string[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(wss);
  await new Promise((resolve) => wss.once('listening', resolve));
  const asked: string[] = [];
  wss.on('connection', (socket, req) => {
    asked.push(req.url ?? '');
    socket.send(JSON.stringify({ type: 'error', reason, message: reason === SERVER_BUSY ? 'server-busy words' : SIGNAL_PROTOCOL_REFUSALS[reason] }));
    socket.close(1008, reason);
  });
  return { url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`, asked };
}

describe('signalling with a server at its capacity', () => {
  it('server-busy: a server-busy SetupError in the page’s own sentence, never a reflector error', async () => {
    const server = await refusingServer(SERVER_BUSY);
    const errors = collector<SetupError>();
    const client = new SignalingClient(
      wsUrl(server.url, '/api/signal'),
      () => undefined,
      (err) => errors.push(err),
      WebSocket as unknown as WebSocketCtor,
    );
    const [err] = await errors.atLeast(1, { timeoutMs: 5000, what: 'the refusal' });
    expect(err?.reason).toBe('server-busy');
    expect(err?.message).toBe(SERVER_BUSY_WORDS);
    expect(SERVER_BUSY_WORDS).toBe('The test server is busy. Try again in a minute.');
    await client.closed;
  });
});

describe('signalling with a server of another protocol', () => {
  it.each(['page-outdated', 'server-outdated'] as const)(
    '%s: a version-mismatch with the server’s sentence, the page’s protocol in the URL',
    async (reason) => {
      const server = await refusingServer(reason);
      const errors = collector<SetupError>();
      const client = new SignalingClient(
        wsUrl(server.url, '/api/signal'),
        () => undefined,
        (err) => errors.push(err),
        WebSocket as unknown as WebSocketCtor,
      );
      const [err] = await errors.atLeast(1, { timeoutMs: 5000, what: 'the refusal' });
      expect(err).toBeInstanceOf(SetupError);
      expect(err?.reason).toBe('version-mismatch');
      expect(err?.message).toBe(SIGNAL_PROTOCOL_REFUSALS[reason]);
      expect(server.asked).toEqual([`/api/signal?protocol=${String(SIGNAL_PROTOCOL)}`]);
      await client.closed;
    },
  );
});

/** A WebSocket that the test speaks through: `receive(text)` is a message from the server. */
class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(): void {}
  close(): void {}
  receive(text: string): void {
    this.onmessage?.({ data: text });
  }
}

/** What the page makes of one message from the server: the signal handed on, or the SetupError's reason. */
function pageSays(text: string): { signal: SignalData } | { error: string } {
  let out: { signal: SignalData } | { error: string } | null = null;
  new SignalingClient(
    'ws://signal.test/api/signal',
    (signal) => (out = { signal }),
    (err) => (out = { error: err.reason }),
    FakeSocket as unknown as WebSocketCtor,
  );
  FakeSocket.last?.receive(text);
  if (out === null) throw new Error(`the page said nothing to ${text}`);
  return out;
}

const serverTakes = (text: string): boolean => {
  try {
    parseClientSignal(text);
    return true;
  } catch {
    return false;
  }
};

describe("the server's messages, checked by the page as the server checks the page's", () => {
  it.each(SIGNAL_CORPUS.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const said = pageSays(c.text);
    const value = valueOf(c)?.value as { type?: unknown } | undefined;
    if (value?.type === 'error' && isServerSignalMessage(value)) expect(said).toEqual({ error: 'reflector-error' });
    else if (c.refusal === null) expect(said).toEqual({ signal: (value as { data: SignalData }).data });
    else expect(said).toEqual({ error: 'signaling-failed' });
  });

  it('takes a signal exactly when the server takes it, on generated messages (seeded)', () => {
    fc.assert(
      fc.property(signalArbitrary(), (value) => {
        const text = JSON.stringify(value) ?? 'undefined';
        if ((value as { type?: unknown } | null)?.type === 'error') return;
        expect('signal' in pageSays(text)).toBe(serverTakes(text));
      }),
      { seed: 20261125, numRuns: 3000 },
    );
  });
});
