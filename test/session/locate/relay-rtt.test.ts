/**
 * measureRelayRtt through the real relay on loopback, with @roamhq/wrtc as the page's peer
 * connections: every probe comes back over the hairpin with the allocation time measured; in
 * front of the relay, the seeded impairment proxy's 40 ms round trip is what it reads (within
 * 3 ms + 10 % of the proxy's own applied delays, plus the clean base); a relay that refuses the
 * credential, and a port where nothing answers, are `unreachable` within the budget, with why.
 * On the real clock, against the proxy's truth: the timing project.
 */
import { performance } from 'node:perf_hooks';
import wrtc from '@roamhq/wrtc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureRelayRtt, type RelayRttEnv } from '../../../src/session/locate/relay-rtt.js';
import { mintRestCredential, type Relay } from '../../../server/turn/index.js';
import { startImpairProxy } from '../../../bench/impair/proxy.js';
import { startTestRelay } from '../../server/turn/helpers/relay.js';
import type { TurnServerEntry } from '../../../src/protocol/api.js';

const SECRET = 'relay-rtt-test-secret';
const env: RelayRttEnv = {
  createPeerConnection: (c) => new (wrtc as unknown as { RTCPeerConnection: typeof RTCPeerConnection }).RTCPeerConnection(c),
  now: () => performance.now(),
};
const cred = () => {
  const c = mintRestCredential(SECRET, 'locate', 600, Date.now());
  return { username: c.username, credential: c.credential };
};
const udp = (port: number): TurnServerEntry => ({ url: `turn:127.0.0.1:${port}?transport=udp`, transport: 'udp', port });

let relay: Relay;
let relayPort: number;
beforeAll(async () => {
  relay = await startTestRelay({ secret: SECRET });
  relayPort = relay.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
});
afterAll(async () => {
  await relay.close();
});

describe('measureRelayRtt', () => {
  let clean = 0;
  it('brings every probe back over the relay hairpin, with the allocation time', async () => {
    const m = await measureRelayRtt(udp(relayPort), cred(), 3000, env);
    expect(m).toMatchObject({ state: 'ok', probesSent: 20, probesJudged: 20, received: 20, lossPct: 0, error: null });
    expect(m.allocateMs).toBeGreaterThan(0);
    expect(m.allocateMs).toBeLessThan(1000);
    expect(m.rttMsP50).toBeLessThan(10);
    expect(m.rttMsP90).toBeGreaterThanOrEqual(m.rttMsP50 ?? 0);
    clean = m.rttMsP50 ?? 0;
  });

  it("reads the proxy's injected round trip", async () => {
    const proxy = await startImpairProxy({
      pairs: [{ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: relayPort } }],
      scenario: { name: 'rtt-40', up: { delayMs: 20 }, down: { delayMs: 20 } },
      seed: 'relay-rtt',
      durationMs: 30_000,
    });
    let m;
    try {
      m = await measureRelayRtt(udp(proxy.ports[0] ?? 0), cred(), 3000, env);
    } finally {
      await proxy.stop();
    }
    expect(m).toMatchObject({ state: 'ok', probesSent: 20, lossPct: 0 });
    // 20 ms up and 20 ms down: each probe crosses the proxy twice, up from the first peer and down to the second.
    expect(Math.abs((m.rttMsP50 ?? 0) - (40 + clean))).toBeLessThanOrEqual(3 + 0.1 * 40);
    // The allocation (the challenge, then the authenticated Allocate) is two round trips through the proxy.
    expect(m.allocateMs).toBeGreaterThanOrEqual(80);
  });

  it('is unreachable, with why, when the relay refuses the credential or nothing answers', async () => {
    const refused = await measureRelayRtt(udp(relayPort), { username: cred().username, credential: 'wrong' }, 1500, env);
    expect(refused).toMatchObject({ state: 'unreachable', allocateMs: null, probesSent: 0, rttMsP50: null });
    expect(refused.error).toMatch(/^no relay candidate within 1500 ms/);
    const t0 = performance.now();
    // UDP 9 (discard): nothing listens on loopback here.
    const silent = await measureRelayRtt(udp(9), cred(), 1000, env);
    expect(silent).toMatchObject({ state: 'unreachable', allocateMs: null, received: 0 });
    expect(performance.now() - t0).toBeLessThan(2500);
  });
});
