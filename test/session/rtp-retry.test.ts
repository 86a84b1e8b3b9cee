/**
 * The page's RTP leg is opened once more when the reflector says its first leg carried none of
 * the page's audio (`rtp-retry`), and the outcome keeps both attempts: the session's
 * connectLinks against a reflector session on a real relay in this process, its signalling on a
 * WebSocket, the page's leg played by @roamhq/wrtc (the kit's stand-in for src/session/rtp/leg.ts,
 * which needs a browser's RTP transforms). The first leg's audio is lost at the relay's hand-over
 * to the reflector; its DTLS is not.
 */
import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { parseControlMessage } from '../../src/protocol/wire.js';
import { connectLinks, wsUrl, type Links } from '../../src/session/connect.js';
import type { WebSocketCtor } from '../../src/session/net/signaling.js';
import type { SimplePeerCtor, WrtcImpl } from '../../src/session/net/simple-peer.js';
import type { Relay } from '../../server/turn/index.js';
import { startTestRelay } from '../server/turn/helpers/relay.js';
import { faultyHandOver, openWrtcAudioLeg, pageIceServers, signallingServer, type Fault, type RelayOf } from '../kit/rtp-leg.js';

const SECRET = 'rtp-retry';
const RELAY_PORTS = { min: 31800, max: 31899 };
let relay: Relay;
let on: RelayOf;

beforeAll(async () => {
  relay = await startTestRelay({ tcpPorts: [], secret: SECRET, relayPortRange: RELAY_PORTS });
  on = { relay, secret: SECRET, relayPorts: RELAY_PORTS };
});

afterAll(async () => {
  await relay?.close();
});

/** The page's media (RTP and RTCP, RFC 7983: first byte 128-191) of the legs in `legs`, lost on its way to the reflector. */
const mediaLostOn =
  (legs: number[]): Fault =>
  (c) =>
    legs.includes(c.leg) && c.dir === 'up' && c.dtls === null && (c.data[0] ?? 0) >> 6 === 2 ? 'drop' : 'pass';

/** connectLinks in reflector mode with the RTP leg, against a kit signalling server whose hand-over has `fault`. */
async function connectThrough(fault: Fault, o: { liveWaitMs?: number; words?: boolean } = {}): Promise<{ links: Links; controls: string[][] }> {
  const server = await signallingServer(on, faultyHandOver(relay, fault), { words: o.words ?? true });
  const iceServers = pageIceServers(relay, SECRET);
  try {
    const links = await connectLinks({
      mode: 'reflector',
      SimplePeer: SimplePeer as unknown as SimplePeerCtor,
      iceServers,
      signalingUrl: wsUrl(server.url, '/api/signal'),
      timeoutMs: 15_000,
      signal: new AbortController().signal,
      wrtc: wrtc as unknown as WrtcImpl,
      WebSocketImpl: WebSocket as unknown as WebSocketCtor,
      openRtp: (sendSignal) => openWrtcAudioLeg({ iceServers, sendSignal, timeoutMs: 15_000 }),
      rtpGraceMs: CONSTANTS.rtp.connectGraceMs,
      ...(o.liveWaitMs !== undefined ? { rtpLiveWaitMs: o.liveWaitMs } : {}),
    });
    links.close();
    return { links, controls: server.traces.map((t) => t.controls.map((c) => parseControlMessage(c).type)) };
  } finally {
    await server.close();
  }
}

describe('the RTP leg opened once more when the reflector asks', () => {
  it('a first leg that carried no audio is closed and opened again; the second carries it, and both attempts are kept', async () => {
    const { links, controls } = await connectThrough(mediaLostOn([1]));
    expect(controls).toEqual([['rtp-retry', 'rtp-live']]);
    expect(links.rtp).not.toBeNull();
    expect(links.sender).toBeNull();
    expect(links.rtpOutcome).toMatchObject({ leg: 'connected', attempts: [{ outcome: 'no-media' }, { outcome: 'carried' }] });
    const [first] = links.rtpOutcome?.attempts ?? [];
    // The first attempt lasted the reflector's wait for the page's audio after DTLS, and not the page's own wait.
    expect(first?.tookMs).toBeGreaterThanOrEqual(CONSTANTS.rtp.mediaAfterDtlsMs);
    expect(first?.tookMs).toBeLessThan(CONSTANTS.rtp.mediaAfterDtlsMs + CONSTANTS.rtp.liveWaitMs);
  });

  it('a leg the reflector never confirms (an older release sends no word) is taken once the wait is over, opened once', async () => {
    const { links, controls } = await connectThrough(() => 'pass', { liveWaitMs: 300, words: false });
    expect(controls).toEqual([['rtp-live']]);
    expect(links.rtp).not.toBeNull();
    expect(links.rtpOutcome).toEqual({ leg: 'connected' });
  });
});
