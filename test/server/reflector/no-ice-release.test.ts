/**
 * Signalling sessions against the red team's attack, on a real `callprobe serve`: an offer that
 * names a relayed address nobody sends from held its session slot for the 20 s connect timeout
 * (4 /64s × 16 sessions held all 50, at 3 a minute each under the 60/min). Now a session whose
 * page sent no ICE check within 5 s of the answer is closed (`no-ice`, told to the page) and its
 * slot is free again; refusals are counted in /metrics by door and scope. (Sessions per /48 and
 * the reserve: signal-limits-network.test.ts, with injected addresses.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostCandidate, openSignalling, spellOffer, type Sig } from '../../../bench/lib/abuse.js';
import { freePorts } from '../../kit/net.js';
import { waitFor } from '../../kit/wait.js';
import { serveProcess, type ServeProcess } from '../../kit/callprobe.js';
import { realOffers, said, sendSignal } from './hostile-kit.js';

const RELAY_RANGE = { min: 31500, max: 31599 };

let server: ServeProcess;
let metricsUrl: string;
const sockets: Sig[] = [];

beforeAll(async () => {
  const [turnPort = 0, metricsPort = 0] = await freePorts(2);
  server = await serveProcess({
    turnPorts: turnPort,
    relayPorts: `${RELAY_RANGE.min}-${RELAY_RANGE.max}`,
    secret: 's',
    extra: ['--max-sessions-per-ip', '1', '--metrics-listen', `127.0.0.1:${metricsPort}`],
  });
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.ws.terminate();
  await server?.stop();
});

async function signalling(): Promise<Sig> {
  const sig = await openSignalling(server.url);
  sockets.push(sig);
  return sig;
}

describe('a signalling session without ICE traffic', () => {
  it('is closed with no-ice within 5 s of its answer, and its slot is free again; refusals are in /metrics', async () => {
    const { dc } = await realOffers();
    const sig = await signalling();
    // A relayed address inside the relay range that nobody sends from: the attack's offer.
    const offer = spellOffer(dc, [hostCandidate(1, 'udp', '127.0.0.1', RELAY_RANGE.max, 100)], 'crlf');
    sendSignal(sig, { type: 'offer', sdp: offer });
    await waitFor(() => said(sig).answers.length > 0, { timeoutMs: 5_000, what: 'the answer' });
    const answeredAt = performance.now();

    // The source's one slot is held meanwhile: a second session is refused, and counted.
    const second = await signalling();
    await waitFor(() => second.closed, { timeoutMs: 5_000, what: 'the second session refused' });
    expect(said(second).refusals).toEqual(['busy']);

    await waitFor(() => sig.closed, { timeoutMs: 9_000, what: 'the session closed for want of ICE' });
    const heldMs = performance.now() - answeredAt;
    expect(said(sig).refusals).toEqual(['no-ice']);
    expect(heldMs).toBeLessThan(7_000);

    // Its slot is free: a new session from the same source is taken.
    const third = await signalling();
    sendSignal(third, { type: 'offer', sdp: offer });
    await waitFor(() => said(third).answers.length > 0 || said(third).refusals.length > 0, { timeoutMs: 5_000, what: 'the third session answered or refused' });
    expect(said(third).refusals).toEqual([]);
    expect(said(third).answers).toHaveLength(1);

    const text = await (await fetch(metricsUrl)).text();
    expect(text).toContain('callprobe_refusals_total{door="signal-session",scope="source"} 1');
    for (const door of ['relay-allocation', 'turn-connection', 'http-connection', 'signal-session', 'result-upload', 'code-lookup'])
      for (const scope of ['source', 'network', 'total', 'reserve'])
        expect(text).toMatch(new RegExp(`^callprobe_refusals_total\\{door="${door}",scope="${scope}"\\} \\d+$`, 'm'));
    expect(text).toMatch(/^callprobe_signal_refused_total\{reason="no-ice"\} 1$/m);
  }, 40_000);
});
