/**
 * The page's side of a protocol refusal: the server's `page-outdated` / `server-outdated` error
 * becomes a `version-mismatch` SetupError carrying the server's sentence (what the page shows),
 * and the URL the page opens carries its own protocol.
 */
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGNAL_PROTOCOL, SIGNAL_PROTOCOL_REFUSALS, type SignalProtocolRefusal } from '../../../src/protocol/api.js';
import { SetupError } from '../../../src/session/net/errors.js';
import { SignalingClient, type WebSocketCtor } from '../../../src/session/net/signaling.js';
import { wsUrl } from '../../../src/session/connect.js';
import { collector } from '../../kit/wait.js';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A server that refuses every page as callprobe serve refuses one of another protocol; it records the URL asked. */
async function refusingServer(reason: SignalProtocolRefusal): Promise<{ url: string; asked: string[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(wss);
  await new Promise((resolve) => wss.once('listening', resolve));
  const asked: string[] = [];
  wss.on('connection', (socket, req) => {
    asked.push(req.url ?? '');
    socket.send(JSON.stringify({ type: 'error', reason, message: SIGNAL_PROTOCOL_REFUSALS[reason] }));
    socket.close(1008, reason);
  });
  return { url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`, asked };
}

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
