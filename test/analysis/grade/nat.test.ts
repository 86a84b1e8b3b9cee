import { describe, expect, it } from 'vitest';
import { classifyNat, parseCandidate, type NatGathering } from '../../../src/analysis/grade/nat.js';
import { networkHints } from '../../../src/analysis/grade/hints.js';
import { hintSentence } from '../../../src/analysis/present/sentences.js';

/*
 * Candidate sets as Chromium emits them (onicecandidate: candidate.candidate and the STUN URL),
 * towards stun:203.0.113.10:3478 and :3479. Chromium adds one srflx candidate per new mapping of
 * a socket, hides the base as raddr 0.0.0.0 rport 0 while mDNS obfuscation is on, and ends
 * gathering once every server answered or failed.
 */
const S1 = 'stun:203.0.113.10:3478';
const S2 = 'stun:203.0.113.10:3479';
const host = 'candidate:2437072876 1 udp 2122260223 10.0.1.2 40000 typ host generation 0 ufrag Qx3b network-id 1';
const hostTcp = 'candidate:3769337065 1 tcp 1518280447 10.0.1.2 9 typ host tcptype active generation 0 ufrag Qx3b network-id 1';
const srflx = (addr: string, port: number, raddr = '10.0.1.2', rport = 40000, net = 1): string =>
  `candidate:1310287946 1 udp 1686052607 ${addr} ${port} typ srflx raddr ${raddr} rport ${rport} generation 0 ufrag Qx3b network-id ${net}`;

const gathering = (over: Partial<NatGathering>): NatGathering => ({
  serverPorts: [3478, 3479],
  candidates: [],
  errors: [],
  complete: true,
  timeoutMs: 3000,
  ...over,
});

describe('parseCandidate (RFC 8839 §5.1 as Chromium writes it)', () => {
  it('reads the mapped address, the base and the network id of a srflx candidate', () => {
    expect(parseCandidate(srflx('198.51.100.7', 61000))).toEqual({
      component: 1,
      protocol: 'udp',
      address: '198.51.100.7',
      port: 61000,
      type: 'srflx',
      relatedAddress: '10.0.1.2',
      relatedPort: 40000,
      networkId: '1',
    });
  });
  it('rejects a line that is not a candidate', () => {
    expect(parseCandidate('candidate:1 1 udp 1 10.0.0.1 notaport typ host')).toBeNull();
    expect(parseCandidate('hello')).toBeNull();
  });
});

describe('classifyNat', () => {
  it('a different mapped port per server port from one socket is endpoint-dependent (symmetric)', () => {
    const nat = classifyNat(
      gathering({
        candidates: [
          { candidate: host, url: null },
          { candidate: srflx('198.51.100.7', 40594), url: S1 },
          { candidate: srflx('198.51.100.7', 39814), url: S2 },
          { candidate: hostTcp, url: null },
        ],
      }),
    );
    expect(nat.mapping).toBe('endpoint-dependent');
    expect(nat.observations).toEqual([
      { serverPort: 3478, mappedPort: 40594, sameAddress: true },
      { serverPort: 3479, mappedPort: 39814, sameAddress: true },
    ]);
    expect(nat.reason).toMatch(/different mapped port/);
  });

  it('symmetric also with the base hidden by mDNS obfuscation (one socket per network id), even before gathering ends', () => {
    const nat = classifyNat(
      gathering({
        complete: false,
        candidates: [
          { candidate: srflx('198.51.100.7', 40594, '0.0.0.0', 0), url: S1 },
          { candidate: srflx('198.51.100.9', 39814, '0.0.0.0', 0), url: S2 },
        ],
      }),
    );
    expect(nat.mapping).toBe('endpoint-dependent');
    expect(nat.observations.map((o) => o.sameAddress)).toEqual([true, false]);
    expect(nat.reason).toMatch(/different mapped address/);
  });

  it('mappings of two different sockets (two networks) are never compared with each other', () => {
    const nat = classifyNat(
      gathering({
        complete: false,
        candidates: [
          { candidate: srflx('198.51.100.7', 40000, '10.0.1.2', 40000, 1), url: S1 },
          { candidate: srflx('192.0.2.44', 51000, '192.168.5.20', 52000, 2), url: S2 },
        ],
      }),
    );
    expect(nat.mapping).toBe('unknown');
    expect(nat.reason).toMatch(/gathering did not finish within 3 s/);
  });

  it('one mapping with gathering finished and no error from either port is endpoint-independent', () => {
    const nat = classifyNat(
      gathering({
        candidates: [
          { candidate: host, url: null },
          { candidate: srflx('198.51.100.7', 40000), url: S1 },
        ],
      }),
    );
    expect(nat).toEqual({
      mapping: 'endpoint-independent',
      reason: 'both server ports (3478, 3479) answered one local socket with the same mapped address and port',
      observations: [
        { serverPort: 3478, mappedPort: 40000, sameAddress: true },
        { serverPort: 3479, mappedPort: 40000, sameAddress: true },
      ],
    });
  });

  it("one mapping while gathering did not finish is unknown: the second port's answer is not confirmed", () => {
    const nat = classifyNat(gathering({ complete: false, candidates: [{ candidate: srflx('198.51.100.7', 40000), url: S1 }] }));
    expect(nat.mapping).toBe('unknown');
    expect(nat.reason).toBe(
      'only one mapping was seen and gathering did not finish within 3 s, so an answer from port 3479 is not confirmed (the browser reports a repeated mapping only by finishing)',
    );
    expect(nat.observations).toEqual([{ serverPort: 3478, mappedPort: 40000, sameAddress: true }]);
  });

  it('one mapping while the second port reported no answer is unknown, and says which port', () => {
    const nat = classifyNat(gathering({ candidates: [{ candidate: srflx('198.51.100.7', 40000), url: S1 }], errors: [{ url: S2, errorCode: 701 }] }));
    expect(nat.mapping).toBe('unknown');
    expect(nat.reason).toBe('only one mapping was seen and STUN port 3479 reported no answer');
  });

  it('a mapping equal to its base is no NAT', () => {
    const nat = classifyNat(gathering({ candidates: [{ candidate: srflx('10.0.1.2', 40000), url: S1 }] }));
    expect(nat.mapping).toBe('no-nat');
  });

  it('no srflx candidate at all is unknown with the reason', () => {
    expect(classifyNat(gathering({ complete: false, candidates: [{ candidate: host, url: null }] })).reason).toBe(
      'no server-reflexive candidate (none arrived within 3 s), so the mapping could not be observed',
    );
    expect(
      classifyNat(
        gathering({
          errors: [
            { url: S1, errorCode: 701 },
            { url: S2, errorCode: 701 },
          ],
        }),
      ).reason,
    ).toBe('no server-reflexive candidate (STUN ports 3478 and 3479 reported no answer), so the mapping could not be observed');
  });

  it("ports that differ on an address no NAT gives (loopback, or the socket's own) are a proxy in front of the server: unknown, no hint", () => {
    // As Chromium saw it through the e2e suite's impairment proxy: each relay port reached from another proxy socket.
    const viaProxy = classifyNat(
      gathering({
        candidates: [
          { candidate: srflx('127.0.0.1', 41200, '0.0.0.0', 0), url: S1 },
          { candidate: srflx('127.0.0.1', 41201, '0.0.0.0', 0), url: S2 },
        ],
      }),
    );
    expect(viaProxy.mapping).toBe('unknown');
    expect(viaProxy.reason).toMatch(/a proxy or relay in front of the test server remapped the ports/);
    expect(networkHints([], { transport: 'udp', changes: 0 }, viaProxy)).toEqual([]);
    const untranslated = classifyNat(
      gathering({
        candidates: [
          { candidate: srflx('10.0.1.2', 41200), url: S1 },
          { candidate: srflx('10.0.1.2', 41201), url: S2 },
        ],
      }),
    );
    expect(untranslated.mapping).toBe('unknown');
  });

  it('one server port offered is unknown', () => {
    expect(classifyNat(gathering({ serverPorts: [3478], candidates: [{ candidate: srflx('198.51.100.7', 40000), url: S1 }] })).mapping).toBe('unknown');
  });
});

describe('the symmetric-nat hint', () => {
  it('is given for an endpoint-dependent mapping only, with what it means for calls', () => {
    expect(networkHints([], { transport: 'udp', changes: 0 }, { mapping: 'endpoint-independent' })).toEqual([]);
    const hints = networkHints([], { transport: 'udp', changes: 0 }, { mapping: 'endpoint-dependent' });
    expect(hints).toEqual([{ code: 'symmetric-nat' }]);
    expect(hintSentence({ code: 'symmetric-nat' })).toMatch(/peer-to-peer media .* fails .* need the relay, and its ports must stay reachable/);
  });
});
