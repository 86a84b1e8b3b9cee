/**
 * measureFamilies through the real relay listening on 127.0.0.1 and ::1, with @roamhq/wrtc as the
 * page's peer connections: IPv6 behind the seeded impairment proxy (20 ms each way) is much
 * worse than IPv4, with both families' figures; an IPv6 entry where nothing answers is
 * unreachable and nothing is compared; a server that offers one family only is not measured.
 * On the real clock, against the proxy's truth: the timing project.
 */
import { performance } from 'node:perf_hooks';
import wrtc from '@roamhq/wrtc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureFamilies } from '../../../src/session/locate/families.js';
import type { RelayRttEnv } from '../../../src/session/locate/relay-rtt.js';
import { mintRestCredential, type Relay } from '../../../server/turn/index.js';
import { startImpairProxy } from '../../../bench/impair/proxy.js';
import { startTestRelay } from '../../server/turn/helpers/relay.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import type { TurnServerEntry } from '../../../src/protocol/api.js';

const SECRET = 'families-test-secret';
const env: RelayRttEnv = {
  createPeerConnection: (c) => new (wrtc as unknown as { RTCPeerConnection: typeof RTCPeerConnection }).RTCPeerConnection(c),
  now: () => performance.now(),
};
const config = (turn: TurnServerEntry[]) => {
  const c = mintRestCredential(SECRET, 'families', 600, Date.now());
  return { turn, username: c.username, credential: c.credential };
};
const udp = (host: string, port: number): TurnServerEntry => ({ url: `turn:${host}:${port}?transport=udp`, transport: 'udp', port });

let relay: Relay;
let v4Port: number;
let v6Port: number;
beforeAll(async () => {
  relay = await startTestRelay({ secret: SECRET, listenHosts: ['127.0.0.1', '::1'], relayIpV6: '::1' });
  const port = (host: string) => relay.listeners.find((l) => l.transport === 'udp' && l.address === host)?.port ?? 0;
  v4Port = port('127.0.0.1');
  v6Port = port('::1');
});
afterAll(async () => {
  await relay.close();
});

describe('measureFamilies', () => {
  it('measures IPv4 and IPv6 at once and names IPv6 much worse when its path is 40 ms longer', async () => {
    expect(v6Port).toBeGreaterThan(0);
    const proxy = await startImpairProxy({
      pairs: [{ listen: { host: '::1', port: 0 }, target: { host: '::1', port: v6Port } }],
      scenario: { name: 'v6-rtt-40', up: { delayMs: 20 }, down: { delayMs: 20 } },
      seed: 'families',
      durationMs: 30_000,
    });
    let f;
    try {
      f = await measureFamilies(config([udp('127.0.0.1', v4Port), udp('[::1]', proxy.ports[0] ?? 0)]), env);
    } finally {
      await proxy.stop();
    }
    expect(f?.ipv4).toMatchObject({ state: 'ok', probesSent: 50, lossPct: 0 });
    expect(f?.ipv6).toMatchObject({ state: 'ok', probesSent: 50, lossPct: 0 });
    expect(f?.ipv4.rttMsP50).toBeLessThan(10);
    expect(Math.abs((f?.ipv6.rttMsP50 ?? 0) - 40 - (f?.ipv4.rttMsP50 ?? 0))).toBeLessThanOrEqual(3 + 0.1 * 40);
    expect(f?.worse).toBe('ipv6');
  });

  it('says IPv6 unreachable, and compares nothing, when nothing answers there; measures nothing for one family', async () => {
    // UDP 9 (discard) on ::1: nothing listens there.
    const f = await measureFamilies(config([udp('127.0.0.1', v4Port), udp('[::1]', 9)]), env, { ...DEFAULTS.families, budgetMs: 2500 });
    expect(f).toMatchObject({ ipv4: { state: 'ok' }, ipv6: { state: 'unreachable', rttMsP50: null, probesSent: 0 }, worse: null });
    expect(await measureFamilies(config([udp('127.0.0.1', v4Port)]), env)).toBeNull();
  });
});
