/**
 * The reachability prober against a local STUN/TURN stand-in (callprobe's own relay on
 * loopback): UDP answers with the reflexive address, TCP and TLS with a 401 challenge; a UDP
 * port that swallows every datagram is blocked after the timeout, a closed TCP port refused.
 * Everything stays on 127.0.0.1.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Relay } from '../../../../server/turn/index.js';
import { probeReachability } from '../../../../server/turn/client/reachability.js';
import { startTestRelay } from '../helpers/relay.js';
import { selfSignedPem } from '../../../kit/pki.js';

const TIMING = { timeoutMs: 800, udpRtoMs: 100 };

let relay: Relay;
let blackHole: dgram.Socket;
let closedTcpPort: number;

beforeAll(async () => {
  const { certPem, keyPem } = selfSignedPem();
  relay = await startTestRelay({ secret: 'reach', tls: { port: 0, certPem, keyPem } });
  // A UDP port that reads and never answers: what a firewall that drops looks like from here.
  blackHole = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => blackHole.bind(0, '127.0.0.1', resolve));
  // A TCP port nothing listens on: bound, its number noted, closed again.
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  closedTcpPort = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
});

afterAll(async () => {
  blackHole.close();
  await relay.close();
});

const portOf = (transport: 'udp' | 'tcp' | 'tls'): number => {
  const l = relay.listeners.find((x) => x.transport === transport);
  if (l === undefined) throw new Error(`the test relay has no ${transport} listener`);
  return l.port;
};

describe('probeReachability', () => {
  it('reports each port: the reflexive address over UDP, a 401 over TCP and TLS, blocked and refused ports as such, in the list order', async () => {
    const udp = portOf('udp');
    const tcp = portOf('tcp');
    const tls = portOf('tls');
    const black = (blackHole.address() as net.AddressInfo).port;
    const startMs = performance.now();
    const answers = await probeReachability(
      [
        { transport: 'udp', host: '127.0.0.1', ports: [udp, black] },
        { transport: 'tcp', host: '127.0.0.1', ports: [tcp, closedTcpPort] },
        { transport: 'tls', host: '127.0.0.1', ports: [tls] },
      ],
      TIMING,
    );
    // Every port at once: the whole list takes one timeout, not one per blocked port.
    expect(performance.now() - startMs).toBeLessThan(TIMING.timeoutMs * 2);
    expect(answers.map((a) => [a.url, a.answer])).toEqual([
      [`stun:127.0.0.1:${udp}`, 'reflexive'],
      [`stun:127.0.0.1:${black}`, 'blocked'],
      [`turn:127.0.0.1:${tcp}?transport=tcp`, 'challenge'],
      [`turn:127.0.0.1:${closedTcpPort}?transport=tcp`, 'refused'],
      [`turns:127.0.0.1:${tls}?transport=tcp`, 'challenge'],
    ]);
    for (const a of answers) {
      if (a.answer === 'blocked' || a.answer === 'refused') expect(a.ms).toBeNull();
      else {
        expect(a.ms).toBeGreaterThan(0);
        expect(a.ms).toBeLessThan(TIMING.timeoutMs);
      }
    }
  });
});
