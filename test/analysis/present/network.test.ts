import { describe, expect, it } from 'vitest';
import { networkLines } from '../../../src/analysis/present/network.js';
import { loadMessages } from '../../../src/analysis/present/catalogue.js';

describe('networkLines', () => {
  it('says a split path in plain words, with what it means for calls', () => {
    const [type, split] = networkLines({ connectionType: null, effectiveType: '3g', splitPath: 'split' });
    expect(type).toBe(
      "This browser does not tell which kind of connection it is on. It rates the connection as 3g-class (its own rough estimate, not this test's measurement).",
    );
    expect(split).toMatch(/^Your web traffic and your call traffic left from different addresses: a VPN, a proxy or a second connection/);
    expect(split).toContain('a VPN that carries calls adds a detour');
  });

  it("says nothing of the browser's top class, 4g, which a cable or a fibre line reads as too", () => {
    expect(networkLines({ connectionType: 'ethernet', effectiveType: '4g', splitPath: 'same' })[0]).toBe('The browser says it is on a cable (Ethernet).');
  });

  it('names the connection where the browser tells it', () => {
    expect(networkLines({ connectionType: 'wifi', effectiveType: null, splitPath: 'same' })).toEqual([
      'The browser says it is on Wi-Fi.',
      'Your web traffic and your call traffic left from the same address: no split path.',
    ]);
  });

  const fam = (rttMsP50: number | null, lossPct: number | null, state: 'ok' | 'unreachable' = 'ok') => ({
    state,
    rttMsP50,
    rttMsP90: rttMsP50,
    lossPct,
    probesSent: 50,
    probesJudged: state === 'ok' ? 50 : 0,
  });

  it('gives each address family its round trip and loss, and says which is much worse with what to ask IT', () => {
    const lines = networkLines({
      connectionType: null,
      effectiveType: null,
      splitPath: 'same',
      families: { ipv4: fam(18, 0), ipv6: fam(63, 2), worse: 'ipv6' },
    });
    expect(lines.slice(2)).toEqual([
      'To the relay over IPv4: round trip 18 ms (median), 0% of 50 probes lost; over IPv6: round trip 63 ms (median), 2% of 50 probes lost.',
      'IPv6 is much worse than IPv4 on the way to the relay. The browser may carry a call over either and often prefers IPv6: ask IT to check the IPv6 route (a tunnel or another provider often carries it) or, until it is fixed, to let calls prefer IPv4.',
    ]);
    expect(
      networkLines({ connectionType: null, effectiveType: null, splitPath: 'same', families: { ipv4: fam(18, 0), ipv6: fam(20, 0), worse: null } })[2],
    ).toMatch(/Neither family is much worse than the other\.$/);
  });

  it('says a family that did not get through as such, never as a worse one', () => {
    expect(
      networkLines({
        connectionType: null,
        effectiveType: null,
        splitPath: 'same',
        families: { ipv4: fam(18, 0), ipv6: fam(null, null, 'unreachable'), worse: null },
      })[2],
    ).toBe(
      'This device reached the relay over IPv4 only (round trip 18 ms (median), 0% of 50 probes lost): IPv6 did not get through (this network has no IPv6, or it is blocked on the way).',
    );
  });

  it('in the reader’s language, with its numbers', async () => {
    const fam = { state: 'ok' as const, rttMsP50: 23.5, rttMsP90: 30, lossPct: 2, probesSent: 50, probesJudged: 50 };
    const lines = networkLines(
      {
        connectionType: 'wifi',
        effectiveType: null,
        splitPath: 'same',
        families: { ipv4: fam, ipv6: { ...fam, state: 'unreachable', rttMsP50: null, lossPct: null, probesJudged: 0 }, worse: null },
      },
      await loadMessages('de'),
    );
    expect(lines).toEqual([
      'Der Browser gibt an, über Wi-Fi verbunden zu sein.',
      'Ihr Webverkehr und Ihr Anrufverkehr gingen von derselben Adresse aus: kein getrennter Weg.',
      'Dieses Gerät erreichte das Relay nur über IPv4 (Round-Trip-Zeit 23,5\u00a0ms (Median), 2\u00a0% von 50 Testpaketen verloren): IPv6 kam nicht durch (dieses Netzwerk hat kein IPv6, oder es wird unterwegs blockiert).',
    ]);
  });
});
