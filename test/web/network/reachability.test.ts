import { describe, expect, it } from 'vitest';
import { answerOf, type GatheringSeen } from '../../../src/web/network/reachability.js';

const seen = (over: Partial<GatheringSeen>): GatheringSeen => ({ candidateMs: null, error: null, endMs: null, ...over });

describe('answerOf: one port’s answer from what the browser’s gathering showed', () => {
  it.each<[string, 'udp' | 'tcp' | 'tls', Partial<GatheringSeen>, ReturnType<typeof answerOf>]>([
    ['a UDP reflexive candidate', 'udp', { candidateMs: 23.44, endMs: 140 }, { answer: 'reflexive', ms: 23.4 }],
    // Chromium does not repeat a reflexive address equal to the host's own: the gathering ended, no error.
    ['a UDP gathering that ended with no error and no candidate', 'udp', { endMs: 138.06 }, { answer: 'reflexive', ms: 138.1, msUntil: 'gathering-end' }],
    ['a UDP port still silent at the timeout', 'udp', {}, { answer: 'blocked', ms: null }],
    [
      'the browser’s own UDP timeout (701) before the end',
      'udp',
      { error: { code: 701, text: 'STUN binding request timed out.', ms: 2900 }, endMs: 2950 },
      { answer: 'blocked', ms: null },
    ],
    ['a STUN error answer over UDP', 'udp', { error: { code: 400, text: 'Bad Request', ms: 12 } }, { answer: 'answered', ms: 12 }],
    [
      'a name that did not resolve',
      'udp',
      { error: { code: 701, text: 'STUN host lookup received error.', ms: 3 }, endMs: 140 },
      { answer: 'unresolved', ms: null },
    ],
    ['a TURN 401 over TCP', 'tcp', { error: { code: 401, text: 'Unauthorized.', ms: 140.02 } }, { answer: 'challenge', ms: 140 }],
    ['a TURN 401 over TLS', 'tls', { error: { code: 401, text: 'Unauthorized.', ms: 160 } }, { answer: 'challenge', ms: 160 }],
    ['a relay candidate with the dummy account', 'tcp', { candidateMs: 90 }, { answer: 'answered', ms: 90 }],
    ['a TCP connection refused', 'tcp', { error: { code: 701, text: 'Failed to establish connection', ms: 139 }, endMs: 142 }, { answer: 'refused', ms: null }],
    // Over TLS the same words also mean a certificate the browser refused: never said as closed.
    [
      'a TLS connection that failed',
      'tls',
      { error: { code: 701, text: 'Failed to establish connection', ms: 139 }, endMs: 142 },
      { answer: 'failed', ms: null },
    ],
    ['a TCP gathering that ended with nothing', 'tcp', { endMs: 150 }, { answer: 'failed', ms: null }],
    ['a TCP port silent at the timeout', 'tcp', {}, { answer: 'blocked', ms: null }],
    ['a URL the browser would not try', 'udp', { error: { code: 701, text: 'not tried', ms: 0 } }, { answer: 'failed', ms: null }],
  ])('%s', (_what, transport, over, expected) => {
    expect(answerOf(transport, seen(over))).toEqual(expected);
  });
});
