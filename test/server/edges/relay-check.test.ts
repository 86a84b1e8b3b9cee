/**
 * An edge's check of its own relay against a real relay on loopback: every advertised port that
 * answers an Allocate is `ok` (and the allocation released); a UDP port that never answers, and
 * one where nothing listens, are told apart and make the edge `relay-down`. A replaced secret
 * refuses the credentials minted with the old one (a revoked edge), and the check follows it.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TurnServerEntry } from '../../../src/protocol/api.js';
import { checkRelay, relayDown } from '../../../server/edges/relay-check.js';
import { mintRestCredential, type Relay } from '../../../server/turn/index.js';
import { TurnClient, TurnClientError } from '../../../server/turn/client/turn-client.js';
import { startTestRelay } from '../turn/helpers/relay.js';

const SECRET = 'relay-check-secret';
const entry = (transport: 'udp' | 'tcp', port: number): TurnServerEntry => ({ url: `turn:127.0.0.1:${port}?transport=${transport}`, transport, port });

describe('an edge checks its own relay', () => {
  let relay: Relay;
  let silent: dgram.Socket;
  let udp: number;
  let tcp: number;
  beforeAll(async () => {
    relay = await startTestRelay({ secret: SECRET });
    udp = relay.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
    tcp = relay.listeners.find((l) => l.transport === 'tcp')?.port ?? 0;
    // A UDP port that takes every datagram and answers none (a firewall that drops).
    silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    silent.close();
    await relay.close();
  });

  it('finds every answering port ok, a silent UDP port and a closed one not, and only a UDP failure is relay-down', async () => {
    const lines: string[] = [];
    const up = await checkRelay([entry('udp', udp), entry('tcp', tcp)], SECRET, 1_500, (l) => lines.push(l));
    expect(up.ports).toEqual([
      { transport: 'udp', port: udp, ok: true },
      { transport: 'tcp', port: tcp, ok: true },
    ]);
    expect(relayDown(up)).toBe(false);
    expect(lines).toEqual([]);

    const closed = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => closed.bind(0, '127.0.0.1', resolve));
    const closedPort = closed.address().port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const startedMs = performance.now();
    const down = await checkRelay([entry('udp', silent.address().port), entry('udp', closedPort), entry('tcp', tcp)], SECRET, 800, () => undefined);
    // Every port at once, each within its timeout.
    expect(performance.now() - startedMs).toBeLessThan(1_500);
    expect(down.ports).toEqual([
      { transport: 'udp', port: silent.address().port, ok: false, error: 'no answer' },
      { transport: 'udp', port: closedPort, ok: false, error: 'refused (nothing listens on that port)' },
      { transport: 'tcp', port: tcp, ok: true },
    ]);
    expect(relayDown(down)).toBe(true);
    // A TCP port that fails alone is told, not relay-down (pages go to UDP first).
    const tcpOnly = await checkRelay([entry('udp', udp), entry('tcp', closedPort)], SECRET, 800, () => undefined);
    expect(tcpOnly.ports[1]).toMatchObject({ ok: false, error: 'refused (nothing listens)' });
    expect(relayDown(tcpOnly)).toBe(false);
  });

  it('refuses a credential minted before its secret was replaced, and takes one of the new secret', async () => {
    const before = mintRestCredential(SECRET, 'page', 600, Date.now());
    const allocate = async (cred: { username: string; credential: string }): Promise<string> => {
      const c = await TurnClient.connect({ host: '127.0.0.1', port: udp, transport: 'udp', username: cred.username, password: cred.credential });
      try {
        await c.allocate();
        return 'allocated';
      } catch (err) {
        return err instanceof TurnClientError ? `refused ${err.code}` : String(err);
      } finally {
        await c.close();
      }
    };
    expect(await allocate(before)).toBe('allocated');
    relay.setSecret('the-new-secret');
    try {
      expect(await allocate(before)).toBe('refused 401');
      expect(await allocate(mintRestCredential('the-new-secret', 'page', 600, Date.now()))).toBe('allocated');
      expect((await checkRelay([entry('udp', udp)], SECRET, 800, () => undefined)).ports[0]).toMatchObject({ ok: false });
    } finally {
      relay.setSecret(SECRET);
    }
  });
});
