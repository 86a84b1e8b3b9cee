/**
 * The locate over more edges than the probes measure, through a real relay on loopback with
 * @roamhq/wrtc as the page's peer connections, each "edge" the relay behind a seeded impairment
 * proxy of its own round trip (0 to 100 ms), one a port where nothing answers, the nearest with
 * the id that sorts last: the first pass reaches every edge at once and ranks them by their time
 * to a relay candidate, the probes measure its four nearest (or a scheduled sample's own picks and
 * the first pass's nearest), the rest keep their first-pass figure, the silent one is
 * unreachable, and the nearest is named. On the real clock, against the proxies' delays: the
 * timing project.
 */
import { performance } from 'node:perf_hooks';
import wrtc from '@roamhq/wrtc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateEdges } from '../../../src/session/locate/locate.js';
import type { RelayRttEnv } from '../../../src/session/locate/relay-rtt.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import type { EdgeOffer } from '../../../src/protocol/api.js';
import { mintRestCredential, type Relay } from '../../../server/turn/index.js';
import { startImpairProxy, type ImpairProxy } from '../../../bench/impair/proxy.js';
import { startTestRelay } from '../../server/turn/helpers/relay.js';
import { serverConfig } from '../plan/plan-kit.js';

const SECRET = 'first-pass-test-secret';
const env: RelayRttEnv = {
  createPeerConnection: (c) => new (wrtc as unknown as { RTCPeerConnection: typeof RTCPeerConnection }).RTCPeerConnection(c),
  now: () => performance.now(),
};
/** Round trip each edge's proxy adds, ms; null: the edge's entry is a port where nothing answers. The hub lists them by id. */
const EDGES: [string, number | null][] = [
  ['a-far', 100],
  ['b-mid', 60],
  ['c-dead', null],
  ['d-40', 40],
  ['e-20', 20],
  ['z-near', 0],
];

let relay: Relay;
const proxies: ImpairProxy[] = [];
let edges: EdgeOffer[] = [];
beforeAll(async () => {
  relay = await startTestRelay({ secret: SECRET });
  const relayPort = relay.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
  edges = [];
  for (const [id, rttMs] of EDGES) {
    let port = 9; // UDP discard: nothing listens on loopback here.
    if (rttMs !== null) {
      const proxy = await startImpairProxy({
        pairs: [{ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: relayPort } }],
        scenario: { name: id, up: { delayMs: rttMs / 2 }, down: { delayMs: rttMs / 2 } },
        seed: `first-pass/${id}`,
        durationMs: 60_000,
      });
      proxies.push(proxy);
      port = proxy.ports[0] ?? 0;
    }
    const c = mintRestCredential(SECRET, id, 600, Date.now());
    edges.push({
      id,
      azureRegion: 'West Europe',
      config: serverConfig({ username: c.username, credential: c.credential, turn: [{ url: `turn:127.0.0.1:${port}?transport=udp`, transport: 'udp', port }] }),
    });
  }
});
afterAll(async () => {
  for (const p of proxies) await p.stop();
  await relay.close();
});

const byId = (l: Awaited<ReturnType<typeof locateEdges>>) => new Map(l.edges.map((e) => [e.id, e]));

describe('the first pass', () => {
  it('reaches every edge, measures its four nearest with probes, and names the nearest listed last', async () => {
    const l = await locateEdges(edges, env, DEFAULTS.locate, new AbortController().signal, { family: 'ipv4', rotation: null });
    const e = byId(l);
    expect(l.nearest).toBe('z-near');
    expect(l.edges.map((x) => x.id)).toEqual(EDGES.map(([id]) => id));
    expect(l.edges.filter((x) => x.firstPassOnly !== true).map((x) => x.id)).toEqual(['b-mid', 'd-40', 'e-20', 'z-near']);
    for (const id of ['b-mid', 'd-40', 'e-20', 'z-near']) expect(e.get(id)).toMatchObject({ state: 'ok', probesSent: 20 });
    // The farthest kept its first-pass figure (the Allocate and its challenge: two round trips through the proxy), no probes.
    expect(e.get('a-far')).toMatchObject({ state: 'ok', firstPassOnly: true, rttMsP50: null, probesSent: 0 });
    expect(e.get('a-far')?.allocateMs).toBeGreaterThanOrEqual(200);
    expect(e.get('c-dead')).toMatchObject({ state: 'unreachable', firstPassOnly: true, allocateMs: null });
    // The probes started once the four nearest answered, before the farthest did; the family said.
    expect(l.firstPassMs).toBeLessThan(e.get('a-far')?.allocateMs ?? 0);
    expect(l.family).toBe('ipv4');
  });

  it("a scheduled sample measures the site's edge and its turn over the others beside the first pass's nearest", async () => {
    // Kept: a-far; two places in turn over the others in the hub's list (round 1: the third and fourth, d-40 and e-20); the last place the first pass's nearest.
    const l = await locateEdges(edges, env, DEFAULTS.locate, new AbortController().signal, {
      family: null,
      rotation: { round: 1, keep: 'a-far', challenger: null },
    });
    const e = byId(l);
    expect(l.edges.filter((x) => x.firstPassOnly !== true).map((x) => x.id)).toEqual(['a-far', 'd-40', 'e-20', 'z-near']);
    expect(e.get('a-far')).toMatchObject({ state: 'ok', probesSent: 20 });
    expect(e.get('b-mid')).toMatchObject({ state: 'ok', firstPassOnly: true });
    expect(l.nearest).toBe('z-near');
    expect(l.family).toBeNull();
  });
});
