import { describe, expect, it } from 'vitest';
import { reachabilityLines } from '../../../src/analysis/present/reachability.js';
import { loadMessages } from '../../../src/analysis/present/catalogue.js';

describe('reachabilityLines', () => {
  it('says first that this is reachability, not quality, then each port in plain words', () => {
    expect(
      reachabilityLines({
        timeoutMs: 3000,
        answers: [
          { url: 'stun:r.example:3478', transport: 'udp', port: 3478, answer: 'reflexive', ms: 23.4 },
          { url: 'stun:r.example:3479', transport: 'udp', port: 3479, answer: 'blocked', ms: null },
          { url: 'turn:r.example:443?transport=tcp', transport: 'tcp', port: 443, answer: 'challenge', ms: 41 },
          { url: 'turns:r.example:443?transport=tcp', transport: 'tls', port: 443, answer: 'refused', ms: null },
        ],
      }),
    ).toEqual([
      "Reachability of the listed media relays (whether each port answers; it says nothing of a call's quality):",
      'UDP 3478 stun:r.example:3478: answered in 23.4 ms (it told this device its public address): reachable',
      'UDP 3479 stun:r.example:3479: no answer within 3 s: blocked (a firewall drops it, or nothing answers there)',
      'TCP 443 turn:r.example:443?transport=tcp: answered in 41 ms (the relay asked for credentials): reachable',
      'TLS 443 turns:r.example:443?transport=tcp: refused: the port is closed or a firewall refused the connection',
    ]);
  });

  it('says when the page’s browser tried them, and that a time to the end of its gathering is an upper bound', () => {
    expect(
      reachabilityLines({
        timeoutMs: 3000,
        triedBy: 'page',
        answers: [{ url: 'stun:[2001:db8::1]:3478', transport: 'udp', port: 3478, answer: 'reflexive', ms: 138.1, msUntil: 'gathering-end' }],
      }),
    ).toEqual([
      "Reachability of the listed media relays from this browser (whether each port answers; it says nothing of a call's quality):",
      'UDP 3478 stun:[2001:db8::1]:3478: answered within 138 ms (it told this device its address, the one the device already has: no address translation on the way): reachable',
    ]);
  });

  it('in the reader’s language, with its numbers', async () => {
    const lines = reachabilityLines(
      { timeoutMs: 3000, answers: [{ url: 'stun:r.example:3478', transport: 'udp', port: 3478, answer: 'blocked', ms: null }] },
      await loadMessages('fr'),
    );
    expect(lines[1]).toBe('UDP 3478 stun:r.example:3478\u00a0: pas de réponse en 3\u00a0s\u00a0: bloqué (un pare-feu le rejette, ou rien n’y répond)');
  });
});
