/**
 * The reflector sends only to the relay, on both legs (the data channel over @roamhq/wrtc, the
 * RTP leg over werift), whatever the page signals. Hostile offers name loopback listeners that
 * are not the relay (127.0.0.2, 127.0.0.3, ::1, the HTTP port, the relay address outside its
 * port range, ICE-TCP at 127.0.0.2 and 127.0.0.3) in every spelling (OFFER_SPELLINGS: CRLF, LF,
 * mixed, bare CR, candidates joined by bare LFs, trailing whitespace, a huge line); each offer
 * must be refused with its reason. Then a clean LF offer (a legal ending) on each leg with one
 * canary candidate, followed by the same places trickled, plain (dropped) and spelled (refused).
 *
 * When is "nothing" enough? The canary is the relay address, a port in the relay range owned
 * by this test, at the lowest priority: once the reflector has checked it, each leg has worked
 * through every higher-priority pair it was given. The RTP leg checks it directly (the canary
 * receives them); the data-channel leg is relay-only, so its checks reach the relay, which
 * drops them (the canary is no relayed address: `peer-not-allowed` in /metrics). Every
 * listener, and the data-channel leg's canary, must then have received 0 datagrams and 0
 * connections.
 *
 * On the code before the SDP was parsed line by line (split on CRLF only), the LF and joined
 * offers were answered and the data-channel leg sent 540 datagrams and opened 8 TCP
 * connections to five such listeners in 20 s; the werift leg sent none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFER_SPELLINGS, lfOffer, openSignalling, spellOffer, type OfferSpelling, type Sig } from '../../../bench/lib/abuse.js';
import type { SignalLeg } from '../../../src/protocol/api.js';
import { freePorts, freeUdpPort } from '../../kit/net.js';
import { waitFor } from '../../kit/wait.js';
import { serveProcess, type ServeProcess } from '../../kit/callprobe.js';
import { realOffers, said, sendSignal, tcpListener, trickled, udpListener, type Listener } from './hostile-kit.js';

// Below the OS ephemeral range (32768-60999) and above the kit's freePorts (20000-29999): no port of
// this test (the HTTP port, the listeners) falls inside the relay range by chance.
const RELAY_RANGE = { min: 31000, max: 31499 };
// Inside the relay range; the relay picks ports at random, the test binds these first.
const CANARY_PORTS = { dc: 31499, rtp: 31498 };

/** How the server refuses each spelling of an offer that names the listeners after a canary line. */
const REFUSAL: Record<OfferSpelling, string> = {
  crlf: 'candidate-not-relay',
  lf: 'candidate-not-relay',
  mixed: 'candidate-not-relay',
  cr: 'bad-sdp',
  joined: 'candidate-not-relay', // a bare LF ends a line: each joined candidate is read, and refused
  'trailing-space': 'bad-candidate',
  'huge-line': 'bad-candidate',
};

let server: ServeProcess;
const listeners: Listener[] = [];
const canary: Partial<Record<'dc' | 'rtp', Listener>> = {};
const sockets: Sig[] = [];
let offers: { dc: string; rtp: string };
let metricsUrl: string;

/** The relay's datagrams dropped for `reason`, summed over its listeners (/metrics). */
async function dropped(reason: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let n = 0;
  for (const m of text.matchAll(new RegExp(`^callprobe_turn_dropped_total\\{[^}]*reason="${reason}"\\} (\\d+)$`, 'gm'))) n += Number(m[1]);
  return n;
}

beforeAll(async () => {
  const [turnPort = 0, metricsPort = 0] = await freePorts(2); // below the ephemeral range: nothing else takes them before serve binds them
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  server = await serveProcess({
    turnPorts: turnPort,
    relayPorts: `${RELAY_RANGE.min}-${RELAY_RANGE.max}`,
    secret: 's',
    extra: ['--metrics-listen', `127.0.0.1:${metricsPort}`],
  });
  const made = await Promise.all([
    udpListener('udp 127.0.0.2', '127.0.0.2'),
    udpListener('udp 127.0.0.3', '127.0.0.3'),
    udpListener('udp the HTTP port', '127.0.0.1', Number(new URL(server.url).port)),
    udpListener('udp relay address outside the relay range', '127.0.0.1', await freeUdpPort()),
    udpListener('udp ::1', '::1'),
    tcpListener('ice-tcp 127.0.0.2', '127.0.0.2'),
    tcpListener('ice-tcp 127.0.0.3', '127.0.0.3'),
  ]);
  for (const l of made) if (l) listeners.push(l);
  for (const leg of ['dc', 'rtp'] as const) {
    const l = await udpListener(`${leg} canary`, '127.0.0.1', CANARY_PORTS[leg]);
    if (!l) throw new Error(`could not bind the ${leg} canary on 127.0.0.1:${CANARY_PORTS[leg]}`);
    canary[leg] = l;
  }
  offers = await realOffers();
}, 30_000);

afterAll(async () => {
  for (const s of sockets) s.ws.terminate();
  await Promise.all([...listeners, ...Object.values(canary)].map((l) => l.close()));
  await server?.stop();
});

async function signalling(): Promise<Sig> {
  const sig = await openSignalling(server.url);
  sockets.push(sig);
  return sig;
}

const legOf = (leg: 'dc' | 'rtp'): SignalLeg | undefined => (leg === 'rtp' ? 'rtp' : undefined);
const hits = (): Record<string, number> => Object.fromEntries(listeners.map((l) => [`${l.name} (${l.address}:${l.port})`, l.hits]));

describe('the reflector sends only to the relay, on both legs', () => {
  it('refuses every spelling of a hostile offer, drops or refuses hostile trickled candidates, and sends nothing to any of them', async () => {
    expect(listeners.length).toBeGreaterThanOrEqual(6);
    const named = listeners.map((l, i) => l.candidate(i + 1, 2_000_000_000 - i));

    // Every spelling of the hostile offer, on both legs, on one session: each refused, none answered.
    const hostile = await signalling();
    for (const leg of ['dc', 'rtp'] as const) {
      const offer = offers[leg];
      const first = canary[leg]?.candidate(99, 100) ?? '';
      for (const spelling of OFFER_SPELLINGS) sendSignal(hostile, { type: 'offer', sdp: spellOffer(offer, [first, ...named], spelling) }, legOf(leg));
    }
    const expected = [...OFFER_SPELLINGS.map((s) => REFUSAL[s]), ...OFFER_SPELLINGS.map((s) => REFUSAL[s])];
    await waitFor(() => said(hostile).refusals.length >= expected.length, {
      timeoutMs: 10_000,
      what: `${expected.length} refusals`,
      state: () => JSON.stringify(said(hostile).refusals),
    });
    expect(said(hostile).refusals).toEqual(expected);
    expect([...said(hostile).answers, ...said(hostile, 'rtp').answers]).toEqual([]);
    // The soak's abuser (bench:load --soak) is refused the same way.
    expect(await lfOffer(server.url)).toBe('refused');

    // A clean LF offer on each leg (its one candidate: the canary), then the places trickled.
    for (const leg of ['dc', 'rtp'] as const) {
      const sig = await signalling();
      const l = legOf(leg);
      sendSignal(sig, { type: 'offer', sdp: spellOffer(offers[leg], [canary[leg]?.candidate(99, 100) ?? ''], 'lf') }, l);
      for (const line of named) {
        sendSignal(sig, trickled(line), l); // well formed: dropped
        sendSignal(sig, trickled(`${canary[leg]?.candidate(98, 100) ?? ''}\na=${line}`), l); // joined: refused
        sendSignal(sig, trickled(`${line} `), l); // trailing space: refused
        sendSignal(sig, trickled(`${line}\r`), l); // bare CR: refused
      }
      await waitFor(() => said(sig, l).answers.length > 0 && said(sig).refusals.length >= 3 * named.length, {
        timeoutMs: 10_000,
        what: `the ${leg} answer and ${3 * named.length} refusals`,
        state: () => JSON.stringify(said(sig, l)),
      });
      expect(new Set(said(sig).refusals)).toEqual(new Set(['bad-candidate']));
    }

    // Each leg has worked through its candidate pairs once the lowest-priority one has been checked.
    await waitFor(() => (canary.rtp?.hits ?? 0) >= 3, {
      timeoutMs: 20_000,
      what: 'the rtp leg to check its canary candidate',
      state: () => `canary ${canary.rtp?.hits}`,
    });
    let relayDropped = 0;
    await waitFor(
      async () => {
        relayDropped = await dropped('peer-not-allowed');
        return relayDropped >= 3;
      },
      { timeoutMs: 20_000, what: "the data-channel leg's checks of its canary, dropped at the relay", state: () => `${relayDropped} dropped` },
    );
    console.log(
      `reflector destinations: canaries dc ${canary.dc?.hits} (relay dropped ${relayDropped}), rtp ${canary.rtp?.hits} datagrams; listeners ${JSON.stringify(hits())}`,
    );
    expect(canary.dc?.hits).toBe(0);
    expect(
      Object.values(hits()).every((h) => h === 0),
      JSON.stringify(hits()),
    ).toBe(true);
  }, 60_000);
});
