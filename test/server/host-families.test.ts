/**
 * `--host ::` serves HTTP on IPv4 and IPv6 (dual stack), so TURN must
 * answer on both families too. A real `callprobe serve --host ::` (wildcard bind; the test
 * only sends to loopback): a TURN allocation over UDP and TCP to 127.0.0.1 and to ::1.
 *
 * Failed on the starting code (the commit before this test): TURN's UDP socket bound '::'
 * IPv6-only, so the UDP allocation to 127.0.0.1 got "no response" while HTTP on 127.0.0.1
 * answered (TCP happened to be dual stack).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintRestCredential } from '../../server/turn/credentials.js';
import { TurnClient } from '../../server/turn/client/turn-client.js';
import { freePorts } from '../kit/net.js';
import { serveProcess, type ServeProcess } from '../kit/callprobe.js';

const SECRET = 'families';
let server: ServeProcess;
let turnPort: number;

beforeAll(async () => {
  [turnPort = 0] = await freePorts(1);
  server = await serveProcess({ host: '::', relayIp: '127.0.0.1', turnPorts: turnPort, relayPorts: '32100-32199', secret: SECRET });
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

describe('--host :: (finding 8)', () => {
  it('answers HTTP and TURN (UDP and TCP) on 127.0.0.1 and ::1', async () => {
    const httpPort = new URL(server.url).port;
    expect((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status).toBe(200);
    expect((await fetch(`http://[::1]:${httpPort}/healthz`)).status).toBe(200);
    const results: Record<string, string> = {};
    for (const host of ['127.0.0.1', '::1']) {
      for (const transport of ['udp', 'tcp'] as const) {
        const c = mintRestCredential(SECRET, `f-${transport}`, 600, Date.now());
        const client = await TurnClient.connect({ host, port: turnPort, transport, username: c.username, password: c.credential });
        try {
          await client.allocate();
          results[`${transport} ${host}`] = 'allocated';
        } catch (err) {
          results[`${transport} ${host}`] = (err as Error).message;
        } finally {
          await client.close();
        }
      }
    }
    expect(results).toEqual({ 'udp 127.0.0.1': 'allocated', 'tcp 127.0.0.1': 'allocated', 'udp ::1': 'allocated', 'tcp ::1': 'allocated' });
  }, 30_000);
});
