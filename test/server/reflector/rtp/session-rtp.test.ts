/**
 * How a ReflectorSession takes the RTP leg's signals: one offer of one audio
 * section, candidates only after it and bounded, none of it when the server runs --no-rtp.
 * The refusals are synchronous; the end-to-end leg is in relay-echo.test.ts.
 */
import dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SignalData } from '../../../../src/protocol/api.js';
import type { ReflectorSession } from '../../../../server/reflector/session.js';
import { ReflectorSessionError } from '../../../../server/reflector/session-base.js';
import { quietSession, type QuietSession } from '../session-kit.js';
import { waitFor } from '../../../kit/wait.js';

const sessions: ReflectorSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close('test over');
});

function start(o: { rtp?: boolean; maxCandidates?: number; iceTrafficTimeoutMs?: number } = {}): QuietSession {
  const h = quietSession({ id: 'rtp-test', ...o });
  sessions.push(h.session);
  return h;
}

// A Chromium-like audio offer (RFC 8866), relay-only: its one candidate is on the relay.
const audioOffer = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=audio 31001 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 127.0.0.1',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=candidate:1 1 udp 41885439 127.0.0.1 31001 typ relay raddr 0.0.0.0 rport 0',
  '',
].join('\r\n');
const outside = 'candidate:2 1 udp 2122260223 192.0.2.7 40000 typ host';

const cand = (candidate: string): SignalData => ({ type: 'candidate', candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } });
const refusal = (f: () => void): string => {
  try {
    f();
  } catch (err) {
    if (err instanceof ReflectorSessionError) return err.reason;
    throw err;
  }
  return 'accepted';
};

describe('ReflectorSession, RTP leg signals', () => {
  it('refuses an offer with a candidate outside the relay, answers the one audio offer with a=ptime:10, drops a trickled candidate outside the relay', async () => {
    const h = start();
    expect(refusal(() => h.session.signal({ type: 'offer', sdp: `${audioOffer}a=${outside}\r\n` }, 'rtp'))).toBe('candidate-not-relay');
    h.session.signal({ type: 'offer', sdp: audioOffer }, 'rtp');
    const answer = await waitFor(() => h.toPage.find((m) => m.data.type === 'answer'), { timeoutMs: 10_000, what: 'the rtp answer' });
    expect(answer.leg).toBe('rtp');
    expect(answer.data.sdp).toMatch(/\r\na=ptime:10\r\n/);
    h.session.signal(cand(outside), 'rtp');
    expect(h.dropped).toEqual([1]); // 192.0.2.7 is not the relay
    // Every message the RTP leg sent is tagged; the data-channel leg has sent nothing (no offer on it).
    expect(h.toPage.every((m) => m.leg === 'rtp')).toBe(true);
  });

  it('answers without asking any STUN server: werift would ask a public one and hold the answer for it', async () => {
    // Every name looked up and every datagram sent while the leg gathers and answers (werift's sockets are dgram's).
    const looked: string[] = [];
    const lookup = vi.spyOn(dns, 'lookup').mockImplementation((name: string) => {
      looked.push(name);
      return Promise.reject(new Error(`no lookups in this test (${name})`));
    });
    const sent: string[] = [];
    const send = vi.spyOn(dgram.Socket.prototype, 'send').mockImplementation(function (this: dgram.Socket, ...args: unknown[]) {
      sent.push(args.filter((a) => typeof a === 'string' || typeof a === 'number').join(' '));
    });
    try {
      const h = start();
      h.session.signal({ type: 'offer', sdp: audioOffer }, 'rtp');
      const answer = await waitFor(() => h.toPage.find((m) => m.data.type === 'answer'), { timeoutMs: 10_000, what: 'the rtp answer' });
      // Its one candidate is the host candidate the leg gathered; no server-reflexive one was sought.
      expect(answer.data.sdp?.match(/a=candidate:[^\r]*/g)?.map((l) => / typ (\w+)/.exec(l)?.[1])).toEqual(['host']);
      // ICE checks go to the relay's candidate (127.0.0.1:31001) and nowhere else: no STUN server, no name to look up.
      await waitFor(() => sent.length > 0, { timeoutMs: 10_000, what: "the leg's first ICE check to the relay's candidate" });
      for (const to of sent) expect(to).toMatch(/^(?:0 \d+ )?31001 127\.0\.0\.1$/);
      expect(looked).toEqual([]);
    } finally {
      send.mockRestore();
      lookup.mockRestore();
    }
  });

  it('refuses a second offer, a candidate before the offer, an offer that is not one audio section, and candidates past the bound', () => {
    const h = start({ maxCandidates: 3 }); // the offer's one candidate counts
    const relay = 'candidate:1 1 udp 41885439 127.0.0.1 31002 typ relay raddr 0.0.0.0 rport 0';
    expect(refusal(() => h.session.signal(cand(relay), 'rtp'))).toBe('candidate-before-offer');
    expect(refusal(() => h.session.signal({ type: 'offer', sdp: audioOffer.replace('m=audio', 'm=video') }, 'rtp'))).toBe('bad-signal');
    expect(refusal(() => h.session.signal({ type: 'offer', sdp: `${audioOffer}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n` }, 'rtp'))).toBe('bad-signal');
    expect(refusal(() => h.session.signal({ type: 'offer', sdp: audioOffer }, 'rtp'))).toBe('accepted');
    expect(refusal(() => h.session.signal({ type: 'offer', sdp: audioOffer }, 'rtp'))).toBe('duplicate-offer');
    expect(refusal(() => h.session.signal({ type: 'answer', sdp: audioOffer }, 'rtp'))).toBe('unexpected-answer');
    expect(refusal(() => h.session.signal(cand(relay), 'rtp'))).toBe('accepted');
    expect(refusal(() => h.session.signal(cand('candidate:3 1 udp 1 192.0.2.7 9 typ host'), 'rtp'))).toBe('accepted'); // dropped, counted
    expect(refusal(() => h.session.signal(cand(relay), 'rtp'))).toBe('too-many-candidates');
    // The data-channel leg's budget is its own: its candidate before its offer is refused as before.
    expect(refusal(() => h.session.signal(cand(relay)))).toBe('candidate-before-offer');
  });

  it('an RTP offer alone makes no data-channel leg; with no ICE check from the page after its answer, the session ends no-ice', async () => {
    const h = start({ iceTrafficTimeoutMs: 300 });
    h.session.signal({ type: 'offer', sdp: audioOffer }, 'rtp');
    await waitFor(() => h.toPage.some((m) => m.leg === 'rtp' && m.data.type === 'answer'), { timeoutMs: 10_000, what: "the RTP leg's answer" });
    // Nobody answers on the offer's relay candidate: not one check comes.
    await waitFor(() => h.closed.length > 0, { timeoutMs: 5_000, what: 'the session to end', state: () => JSON.stringify(h.closed) });
    expect(h.closed).toEqual([{ reason: 'no ICE check from the page within 300 ms of the answer', code: 'no-ice' }]);
    expect(h.channelLegs).toBe(0);
  });

  it("the page's stop sends the finals as control messages, once, with no data-channel leg", async () => {
    const h = start();
    h.session.signal({ type: 'offer', sdp: audioOffer }, 'rtp');
    h.session.stop();
    h.session.stop();
    await waitFor(() => h.control.filter((m) => typeof m === 'string').length >= 3, { timeoutMs: 5_000, what: 'rtp-stats, final and rtp-final' });
    const texts = h.control.filter((m): m is string => typeof m === 'string').map((m) => JSON.parse(m) as { type: string; upReceived?: number });
    expect(texts.map((m) => m.type)).toEqual(['rtp-stats', 'final', 'rtp-final']);
    expect(texts[1]).toMatchObject({ type: 'final', upReceived: 0 });
    expect(h.channelLegs).toBe(0);
  });

  it('refuses the rtp leg when the server runs without it (--no-rtp)', () => {
    const h = start({ rtp: false });
    expect(refusal(() => h.session.signal({ type: 'offer', sdp: audioOffer }, 'rtp'))).toBe('no-rtp-leg');
  });
});
