import { describe, expect, it } from 'vitest';
import { DATA_CHANNEL_OFFER, OFFER_SPELLINGS, hostCandidate, spellOffer, type OfferSpelling } from '../../../bench/lib/abuse.js';
import { isSignalledCandidate, parseCandidate } from '../../../server/reflector/candidates.js';
import { SdpError } from '../../../server/reflector/sdp-lines.js';
import { checkRemoteCandidate, checkRemoteOffer, localDescription } from '../../../server/reflector/signalled-sdp.js';

const RELAY = { addresses: ['127.0.0.1'], portRange: { min: 31000, max: 31499 } };
const relayCandidate = 'candidate:1 1 udp 41885439 127.0.0.1 31001 typ relay raddr 0.0.0.0 rport 0 generation 0';
const targets = [
  hostCandidate(2, 'udp', '127.0.0.2', 40000, 2_000_000_000),
  hostCandidate(3, 'tcp', '127.0.0.2', 40001, 1_900_000_000),
  hostCandidate(4, 'udp', 'fd00::9', 40002, 1_800_000_000),
];

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof SdpError) return err.reason;
    throw err;
  }
  return 'accepted';
}

describe('the offer the reflector applies', () => {
  it('is rebuilt from the parsed lines with CRLF, whichever legal ending the page used', () => {
    for (const spelling of ['crlf', 'lf', 'mixed'] as const) {
      const checked = checkRemoteOffer(spellOffer(DATA_CHANNEL_OFFER, [relayCandidate], spelling), RELAY, 32);
      expect(checked.sdp, spelling).toBe(spellOffer(DATA_CHANNEL_OFFER, [relayCandidate], 'crlf'));
      expect(checked.candidates).toBe(1);
    }
  });

  it('is refused in every spelling that carries a candidate elsewhere than the relay', () => {
    const expected: Record<OfferSpelling, string> = {
      crlf: 'candidate-not-relay',
      lf: 'candidate-not-relay',
      mixed: 'candidate-not-relay',
      cr: 'bad-sdp',
      joined: 'candidate-not-relay', // LF ends a line: the joined candidates are candidates of their own
      'trailing-space': 'bad-candidate',
      'huge-line': 'bad-candidate', // over BOUNDS.signalCandidateBytesMax
    };
    for (const spelling of OFFER_SPELLINGS) {
      expect(
        refusal(() => checkRemoteOffer(spellOffer(DATA_CHANNEL_OFFER, [relayCandidate, ...targets], spelling), RELAY, 32)),
        spelling,
      ).toBe(expected[spelling]);
    }
  });

  it('names what the refused candidate points at, and the relay it should have', () => {
    expect(() => checkRemoteOffer(spellOffer(DATA_CHANNEL_OFFER, [targets[0] ?? ''], 'lf'), RELAY, 32)).toThrow(
      "the offer's candidate on line 15 (udp 127.0.0.2:40000) does not point at the relay 127.0.0.1 (ports 31000-31499): the reflector is reached only through the relay",
    );
    expect(() => checkRemoteOffer(spellOffer(DATA_CHANNEL_OFFER, [targets[2] ?? ''], 'crlf'), RELAY, 32)).toThrow(/\(udp \[fd00::9\]:40002\)/);
  });

  it('is refused when it lists more candidates than a session may have, or an mDNS name', () => {
    const many = Array.from({ length: 4 }, (_, i) => relayCandidate.replace('31001', String(31001 + i)));
    expect(refusal(() => checkRemoteOffer(spellOffer(DATA_CHANNEL_OFFER, many, 'crlf'), RELAY, 3))).toBe('too-many-candidates');
    expect(refusal(() => checkRemoteOffer(spellOffer(DATA_CHANNEL_OFFER, many, 'crlf'), RELAY, 4))).toBe('accepted');
    const mdns = 'candidate:5 1 udp 2122260223 0b1c2d3e-aaaa-bbbb.local 31001 typ host';
    expect(refusal(() => checkRemoteOffer(spellOffer(DATA_CHANNEL_OFFER, [mdns], 'crlf'), RELAY, 32))).toBe('candidate-not-relay');
  });
});

describe('a trickled candidate', () => {
  it('is kept (with its "candidate:" prefix, which werift leaves out) only when it points at the relay', () => {
    expect(checkRemoteCandidate(relayCandidate, RELAY)).toBe(relayCandidate);
    expect(checkRemoteCandidate(relayCandidate.slice('candidate:'.length), RELAY)).toBe(relayCandidate);
    for (const t of targets) expect(checkRemoteCandidate(t, RELAY)).toBeNull();
  });

  it('is refused when it is not exactly one candidate', () => {
    for (const bad of [
      `${relayCandidate}\na=${targets[0]}`,
      `${relayCandidate}\r\na=${targets[0]}`,
      `${relayCandidate}\r`,
      `${relayCandidate} `,
      `${relayCandidate} pad ${'x'.repeat(2_000)}`,
      `a=${relayCandidate}`,
    ]) {
      expect(
        refusal(() => checkRemoteCandidate(bad, RELAY)),
        JSON.stringify(bad.slice(0, 120)),
      ).toBe('bad-candidate');
    }
  });
});

describe('what the reflector signals', () => {
  it("lists only its UDP host candidates on its address, and none of the machine's other addresses", () => {
    const ours = 'candidate:11 1 udp 2122260223 127.0.0.1 50001 typ host generation 0 network-id 1';
    const answer = [
      'v=0',
      'o=- 1 2 IN IP4 127.0.0.1',
      's=-',
      't=0 0',
      'm=application 50002 UDP/DTLS/SCTP webrtc-datachannel',
      'c=IN IP4 192.0.2.2',
      'a=rtcp:50002 IN IP4 192.0.2.2',
      `a=${ours}`,
      'a=candidate:12 1 udp 2122194687 192.0.2.2 50002 typ host generation 0',
      'a=candidate:13 1 udp 2122197247 fd00::2 50003 typ host generation 0',
      'a=candidate:14 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active',
      'm=audio 0 UDP/TLS/RTP/SAVPF 111',
      'c=IN IP6 fd00::2',
      'a=mid:1',
      '',
    ].join('\n');
    const local = localDescription(answer, (c) => isSignalledCandidate(c, '127.0.0.1'));
    expect(local.candidates).toEqual([parseCandidate(ours)]);
    expect(local.sdp).toBe(
      [
        'v=0',
        'o=- 1 2 IN IP4 127.0.0.1',
        's=-',
        't=0 0',
        'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
        'c=IN IP4 0.0.0.0',
        `a=${ours}`,
        'm=audio 0 UDP/TLS/RTP/SAVPF 111', // a rejected section stays rejected
        'c=IN IP6 ::',
        'a=mid:1',
        '',
      ].join('\r\n'),
    );
  });
});
