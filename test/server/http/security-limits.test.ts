/**
 * Per-source limits of a real `callprobe serve` with its
 * default limits (nothing lowered here).
 * - 50 idle signalling sockets from 127.0.0.1 do not lock out a tester from 127.0.0.2.
 * - A page from another origin may not open a signalling session.
 * - /api/config answers 429 past DEFAULTS.signalling.configPerMinutePerSource per minute.
 * - The relay refuses (401) a credential with a valid HMAC whose expiry lies beyond
 *   --credential-ttl plus DEFAULTS.credentialSkewS.
 *
 * Failed on the starting code (6d9fa3e): the tester got "busy", the foreign origin got a
 * session, /api/config never answered 429, and the far-future credential allocated.
 */
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_CHANNEL_INIT, PROBE_CHANNEL_LABEL } from '../../../src/protocol/channels.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { doorBounds } from '../../../server/common/door.js';
import { restPassword } from '../../../server/turn/credentials.js';
import { TurnClient, TurnClientError } from '../../../server/turn/client/turn-client.js';
import { freePorts } from '../../kit/net.js';
import { waitFor } from '../../kit/wait.js';
import { getConfig as getConfigFrom, openSignalling as openSignallingFrom, type Sig } from '../../../bench/lib/abuse.js';
import { serveProcess, type ServeProcess } from '../../kit/callprobe.js';

const SECRET = 'limits-secret';
let server: ServeProcess;
let turnPort: number;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  // Not an ephemeral port: outgoing sockets of parallel tests may take one before serve binds it (UDP and TCP).
  [turnPort = 0] = await freePorts(1);
  server = await serveProcess({ turnPorts: turnPort, relayPorts: '32400-32499', secret: SECRET });
}, 30_000);

afterAll(async () => {
  for (const s of sockets) s.terminate();
  await server?.stop();
});

/** A signalling socket from `localAddress` (bench/lib/abuse.ts), closed after the tests. */
async function openSignalling(localAddress: string, origin: string = server.url): Promise<Sig> {
  const sig = await openSignallingFrom(server.url, { origin, localAddress });
  sockets.push(sig.ws);
  return sig;
}

const getConfig = (localAddress: string): Promise<number> => getConfigFrom(server.url, localAddress);

describe('per-source limits (findings 4, 7, 8)', () => {
  it('50 idle sockets from one address do not lock out a tester from another', async () => {
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    pc.createDataChannel(PROBE_CHANNEL_LABEL, { ...PROBE_CHANNEL_INIT });
    const offer = await pc.createOffer();
    // Each idle socket sends an offer (so the pre-offer timeout does not end it) and then never connects.
    const idle = await Promise.all(Array.from({ length: 50 }, () => openSignalling('127.0.0.1')));
    for (const s of idle) s.ws.send(JSON.stringify({ type: 'signal', data: { type: 'offer', sdp: offer.sdp } }));
    await waitFor(() => idle.every((s) => s.closed || s.incoming.length > 0), {
      timeoutMs: 20_000,
      what: 'every idle socket to get its answer or its refusal',
    });
    const tester = await openSignalling('127.0.0.2');
    tester.ws.send(JSON.stringify({ type: 'signal', data: { type: 'offer', sdp: offer.sdp } }));
    const answer = await waitFor(
      () => tester.incoming.find((m) => m.type === 'error' || (m.type === 'signal' && m.data.type === 'answer')) ?? (tester.closed ? 'closed' : undefined),
      {
        timeoutMs: 10_000,
        what: 'an answer to the tester from 127.0.0.2',
      },
    );
    pc.close();
    const refusedIdle = idle.filter((s) => s.incoming.some((m) => m.type === 'error')).length;
    console.log(`finding 4: 50 idle sockets from 127.0.0.1: ${refusedIdle} refused; tester from 127.0.0.2 got ${JSON.stringify(answer).slice(0, 80)}`);
    expect(answer).not.toBe('closed');
    expect(typeof answer === 'object' && answer.type).toBe('signal');
    // A source holds its own bound, never more than its network's eighth of the total (server/common/door.ts).
    expect(refusedIdle).toBe(50 - doorBounds(DEFAULTS.maxSessions, DEFAULTS.signalling.maxSessionsPerSource).perSource);
  }, 60_000);

  it('refuses a page from another origin', async () => {
    const foreign = await openSignalling('127.0.0.3', 'http://evil.example');
    const msg = await waitFor(() => foreign.incoming[0] ?? (foreign.closed ? 'closed' : undefined), {
      timeoutMs: 10_000,
      what: 'the refusal of a foreign origin',
    });
    expect(msg).toMatchObject({ type: 'error', reason: 'bad-origin' });
  });

  it('/api/config answers 429 past its rate from one address, and still 200 to another', async () => {
    const max = DEFAULTS.signalling.configPerMinutePerSource;
    const codes: number[] = [];
    for (let i = 0; i < max + 1; i++) codes.push(await getConfig('127.0.0.4'));
    console.log(`finding 7: /api/config from one address: ${codes.filter((c) => c === 200).length} x 200, then ${codes[max]}`);
    expect(codes.slice(0, max).every((c) => c === 200)).toBe(true);
    expect(codes[max]).toBe(429);
    expect(await getConfig('127.0.0.5')).toBe(200);
  }, 30_000);

  it('the relay refuses a far-future credential with a valid HMAC (401)', async () => {
    const farS = Math.floor(Date.now() / 1000) + DEFAULTS.credentialTtlS + DEFAULTS.credentialSkewS + 3600;
    const okS = Math.floor(Date.now() / 1000) + DEFAULTS.credentialTtlS;
    const attempt = async (expiryS: number): Promise<number> => {
      const username = `${expiryS}:far`;
      const c = await TurnClient.connect({ host: '127.0.0.1', port: turnPort, username, password: restPassword(SECRET, username) });
      try {
        await c.allocate();
        return 200;
      } catch (err) {
        if (err instanceof TurnClientError) return err.code;
        throw err;
      } finally {
        await c.close();
      }
    };
    expect(await attempt(okS)).toBe(200);
    expect(await attempt(farS)).toBe(401);
  });
});
