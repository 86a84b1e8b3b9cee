import { describe, expect, it } from 'vitest';
import { relayRefusals } from '../../../src/session/net/errors.js';

describe('relayRefusals', () => {
  it('keeps the entries where a TURN server refused us, and leaves out one that did not answer', () => {
    const errors = [
      'turn:10.0.0.1:3478?transport=udp: 486 TURN allocate error.',
      'turn:10.0.0.1:3479?transport=udp: 701 STUN binding request timed out.',
      'turn:10.0.0.1:3478?transport=tcp: 508 Insufficient Capacity',
      'turn:10.0.0.1:3480?transport=udp: 401 Unauthorized',
      // A port number is not a code.
      'turn:10.0.0.1:486?transport=udp: 701 timed out',
      'remote candidate refused: OperationError',
    ];
    expect(relayRefusals(errors)).toEqual([errors[0], errors[2], errors[3]]);
    expect(relayRefusals([])).toEqual([]);
  });
});
