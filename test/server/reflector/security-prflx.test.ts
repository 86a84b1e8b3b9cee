/**
 * Peer-reflexive tricks (RFC 8445 §7.3.1.3: an agent learns a remote candidate from the source
 * of a Binding request) against a real ReflectorSession, both legs, in process. The page knows
 * the session's ICE credentials (they are in the answer) and sends Binding requests straight to
 * the reflector's host candidate from loopback addresses that are not the relay.
 *
 * - werift (the RTP leg): a request with the right credentials from elsewhere than the relay
 *   gets nothing back and teaches it nothing (iceFilterStunResponse). A non-Binding request
 *   sent after it is answered with one 400 (werift answers those before any filter): once that
 *   arrives, werift has read the Binding request before it.
 * - @roamhq/wrtc (the data-channel leg) cannot be told to refuse them, so it is relay-only (a
 *   real relay here): its one candidate is a relayed address, where the relay drops a peer
 *   without a permission (RFC 8656 §9), and its own sockets (found in /proc: it does not say
 *   where it binds) hear only the relay. A check with the right password sent to each of them
 *   gets nothing back, and the session makes no check anywhere but through the relay. What they
 *   do answer, as SECURITY.md says: a check with a wrong password (or an unknown username) gets
 *   one Binding error response per request from each of its host sockets, to the request's
 *   source, and nothing else; the relayed address answers nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalData, SignalLeg } from '../../../src/protocol/api.js';
import { parseCandidate } from '../../../server/reflector/candidates.js';
import type { ReflectorSession } from '../../../server/reflector/session.js';
import { parseSdpLines } from '../../../server/reflector/sdp-lines.js';
import { Attr, MessageClass, Method, StunWriter, appendFingerprint, appendIntegrity, decodeStun } from '../../../server/turn/codec/index.js';
import { waitFor } from '../../kit/wait.js';
import { udpSocketsOf } from '../../kit/net.js';
import { realOffers, tcpListener, udpListener, type Listener } from './hostile-kit.js';
import type { Relay } from '../../../server/turn/index.js';
import { reflectorRelayOn, startTestRelay } from '../turn/helpers/relay.js';
import { quietSession } from './session-kit.js';

let offers: { dc: string; rtp: string };
const bystanders: Listener[] = [];
const sessions: ReflectorSession[] = [];
const others: Listener[] = [];
const relays: Relay[] = [];
const SECRET = 'prflx-test-secret';

beforeAll(async () => {
  offers = await realOffers();
  const made = await Promise.all([udpListener('udp 127.0.0.2', '127.0.0.2'), udpListener('udp ::1', '::1'), tcpListener('ice-tcp 127.0.0.2', '127.0.0.2')]);
  for (const l of made) if (l) bystanders.push(l);
}, 30_000);

afterAll(async () => {
  for (const s of sessions) s.close('test over');
  await Promise.all([...bystanders, ...others].map((l) => l.close()));
  await Promise.all(relays.map((r) => r.close()));
});

async function sender(name: string, address: string): Promise<Listener> {
  const l = await udpListener(name, address);
  if (!l) throw new Error(`cannot bind ${address}`);
  others.push(l);
  return l;
}

/** A session answering `offer` on `leg`: its ICE credentials and its (first) candidate. */
async function answered(
  leg: SignalLeg | undefined,
  offer: string,
  o: Parameters<typeof quietSession>[0] = {},
): Promise<{ ufrag: string; pwd: string; port: number; address: string }> {
  const { session, toPage: sent } = quietSession({ id: `prflx-${leg ?? 'dc'}`, ...o });
  sessions.push(session);
  const toPage = (): SignalData[] => sent.map((m) => m.data);
  session.signal({ type: 'offer', sdp: offer }, leg);
  const lines = (): string[] => [
    ...toPage().flatMap((d) => (d.sdp ? parseSdpLines(d.sdp).map((l) => `${l.type}=${l.value}`) : [])),
    ...toPage().flatMap((d) => (d.candidate?.candidate ? [`a=${d.candidate.candidate}`] : [])),
  ];
  const value = (name: string): string | undefined =>
    lines()
      .find((l) => l.startsWith(`a=${name}:`))
      ?.slice(name.length + 3);
  const candidate = await waitFor(() => parseCandidate(value('candidate') !== undefined ? `candidate:${value('candidate')}` : ''), {
    timeoutMs: 10_000,
    what: `the ${leg ?? 'dc'} answer and its candidate`,
    state: () => JSON.stringify(sent),
  });
  return { ufrag: value('ice-ufrag') ?? '', pwd: value('ice-pwd') ?? '', port: candidate.port, address: candidate.address };
}

/** An ICE connectivity check (RFC 8445 §7.2.2) as the controlling page sends it, keyed with `pwd`. */
function check(reflectorUfrag: string, pageUfrag: string, pwd: string): Buffer {
  const w = new StunWriter(Method.Binding, MessageClass.Request, randomBytes(12));
  w.addString(Attr.Username, `${reflectorUfrag}:${pageUfrag}`);
  w.addUint32(Attr.Priority, 1_853_824_767);
  w.add(Attr.IceControlling, randomBytes(8));
  appendIntegrity(w, Buffer.from(pwd, 'utf8'));
  appendFingerprint(w);
  return w.build();
}

const kinds = (l: Listener): string[] =>
  l.datagrams.map((d) => {
    const m = decodeStun(d);
    return `${m.method === Method.Binding ? 'binding' : `method ${m.method}`} ${['request', 'indication', 'success', 'error'][m.cls]}`;
  });
const pageUfrag = (offer: string): string =>
  parseSdpLines(offer)
    .find((l) => l.value.startsWith('ice-ufrag:'))
    ?.value.slice(10) ?? '';
const bystanderHits = (): Record<string, number> => Object.fromEntries(bystanders.map((b) => [b.name, b.hits]));

describe('peer-reflexive checks from elsewhere than the relay', () => {
  it('werift (RTP leg): a check with the right password gets no answer and no check back', async () => {
    const { ufrag, pwd, port } = await answered('rtp', offers.rtp);
    const a = await sender('prover', '127.0.0.3');
    await a.send(check(ufrag, pageUfrag(offers.rtp), pwd), '127.0.0.1', port);
    const allocate = new StunWriter(Method.Allocate, MessageClass.Request, randomBytes(12)).build();
    await a.send(allocate, '127.0.0.1', port);
    await waitFor(() => a.hits >= 1, { timeoutMs: 5_000, what: "werift's 400 to the request after the check", state: () => JSON.stringify(kinds(a)) });
    expect(kinds(a)).toEqual(['method 3 error']);
    expect(Object.values(bystanderHits()).every((h) => h === 0)).toBe(true);
  });

  it('@roamhq/wrtc (data-channel leg, relay-only): a check with the right password, at its relayed address or at any of its sockets, gets nothing back', async () => {
    const before = new Set(udpSocketsOf().map((u) => `${u.address}|${u.port}`));
    const relay = await startTestRelay({ secret: SECRET });
    relays.push(relay);
    const relayPort = relay.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
    const { ufrag, pwd, port, address } = await answered(undefined, offers.dc, {
      relay: { addresses: ['127.0.0.1'], portRange: { min: 0, max: 0 } },
      relayServer: reflectorRelayOn(relay, SECRET)('prflx'),
    });
    expect(address).toBe('127.0.0.1');
    // What this process bound since on 127.0.0.1, other than the relay's listeners: the relayed
    // addresses and libwebrtc's loopback socket. (It binds one per interface address; tests send
    // to loopback only, and the relay here is IPv4.)
    const listening = new Set(relay.listeners.map((l) => `${l.address}|${l.port}`));
    const targets = udpSocketsOf().filter(
      (u) => u.address === '127.0.0.1' && !before.has(`${u.address}|${u.port}`) && !listening.has(`${u.address}|${u.port}`),
    );
    expect(targets.map((t) => t.port)).toContain(port);
    expect(targets.length).toBeGreaterThan(1);
    const prover = await sender('prover', '127.0.0.5');
    const msg = check(ufrag, pageUfrag(offers.dc), pwd);
    for (const t of targets) await prover.send(msg, t.address, t.port);
    // A STUN request the relay itself answers, sent last from the same socket: once its answer is
    // here, every datagram sent before it has been read by the sockets it went to.
    await prover.send(new StunWriter(Method.Binding, MessageClass.Request, randomBytes(12)).build(), '127.0.0.1', relayPort);
    await waitFor(() => kinds(prover).includes('binding success'), {
      timeoutMs: 5_000,
      what: "the relay's answer to the last request",
      state: () => JSON.stringify(kinds(prover)),
    });
    console.log(
      `wrtc relay-only: ${targets.length} sockets checked; the prover got ${JSON.stringify(kinds(prover))}; bystanders ${JSON.stringify(bystanderHits())}`,
    );
    expect(kinds(prover)).toEqual(['binding success']);
    expect(Object.values(bystanderHits()).every((h) => h === 0)).toBe(true);
  });

  it('@roamhq/wrtc (data-channel leg): a wrong-password check draws at most one Binding error per request from a host socket, nothing from its relayed address, and no check', async () => {
    const before = new Set(udpSocketsOf().map((u) => `${u.address}|${u.port}`));
    const relay = await startTestRelay({ secret: SECRET });
    relays.push(relay);
    const relayPort = relay.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
    const { ufrag, port } = await answered(undefined, offers.dc, {
      id: 'prflx-dc-wrong',
      relay: { addresses: ['127.0.0.1'], portRange: { min: 0, max: 0 } },
      relayServer: reflectorRelayOn(relay, SECRET)('prflx-wrong'),
    });
    const listening = new Set(relay.listeners.map((l) => `${l.address}|${l.port}`));
    const targets = udpSocketsOf().filter(
      (u) => u.address === '127.0.0.1' && !before.has(`${u.address}|${u.port}`) && !listening.has(`${u.address}|${u.port}`),
    );
    expect(targets.filter((t) => t.port !== port).length).toBeGreaterThan(0);
    const REQUESTS = 3;
    // One prover per socket: which socket answered is told by who got the answer.
    const provers = await Promise.all(targets.map((t, i) => sender(`wrong-password prover ${t.port}`, `127.0.0.${10 + i}`)));
    const msg = check(ufrag, pageUfrag(offers.dc), 'not-the-session-password');
    for (const [i, t] of targets.entries()) for (let n = 0; n < REQUESTS; n++) await provers[i]?.send(msg, t.address, t.port);
    // The relay answers last: every request before it has been read (and any answer sent) by then.
    const sync = await sender('wrong-password sync', '127.0.0.9');
    await sync.send(new StunWriter(Method.Binding, MessageClass.Request, randomBytes(12)).build(), '127.0.0.1', relayPort);
    await waitFor(() => kinds(sync).includes('binding success'), { timeoutMs: 5_000, what: "the relay's answer" });
    const heard = await waitFor(
      () => {
        const byPort = targets.map((t, i) => [t.port, provers[i] === undefined ? [] : kinds(provers[i])] as const);
        return byPort.some(([, k]) => k.length >= REQUESTS) ? byPort : null;
      },
      { timeoutMs: 5_000, what: 'a host socket to answer' },
    );
    console.log(`wrtc data-channel leg, a wrong-password check to each socket: ${JSON.stringify(heard)} (relayed ${port})`);
    for (const [p, k] of heard) {
      // The relayed address: nothing. A host socket: nothing, or one error per request; never a request of its own (a check).
      if (p === port) expect(k).toEqual([]);
      else expect(k.length === 0 || (k.length === REQUESTS && k.every((x) => x === 'binding error')), `socket ${p}: ${JSON.stringify(k)}`).toBe(true);
    }
    // Never larger than the request: no amplification toward a spoofed source.
    for (const prover of provers) for (const d of prover.datagrams) expect(d.length).toBeLessThanOrEqual(msg.length);
    expect(Object.values(bystanderHits()).every((h) => h === 0)).toBe(true);
  });
});
