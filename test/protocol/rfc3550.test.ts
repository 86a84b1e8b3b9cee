import { describe, expect, it } from 'vitest';
import { extendSeq, jitterStep, SequenceError, unwrapSequence } from '../../src/protocol/rfc3550.js';

describe('sequence extension (RFC 3550 A.1)', () => {
  it('extends across a 16-bit wrap', () => {
    expect(unwrapSequence([65534, 65535, 0, 1], 16)).toEqual([65534, 65535, 65536, 65537]);
  });

  it('keeps a reordered packet across the wrap in the previous cycle', () => {
    expect(unwrapSequence([65535, 1, 0, 2], 16)).toEqual([65535, 65537, 65536, 65538]);
  });

  it('extends across a 32-bit wrap without 32-bit overflow', () => {
    expect(unwrapSequence([4294967294, 4294967295, 0, 3], 32)).toEqual([4294967294, 4294967295, 4294967296, 4294967299]);
  });

  it('keeps duplicates equal and a packet sent before the first one below it', () => {
    expect(unwrapSequence([5, 5, 4], 16)).toEqual([5, 5, 4]);
    expect(unwrapSequence([0, 65535], 16)).toEqual([0, -1]);
  });

  it('follows many wraps of a long 16-bit stream', () => {
    const wire = Array.from({ length: 200_000 }, (_, i) => i % 65536);
    const ext = unwrapSequence(wire, 16);
    expect(ext[199_999]).toBe(199_999);
    expect(ext.every((v, i) => v === i)).toBe(true);
  });

  it('extends relative to a given highest number', () => {
    expect(extendSeq(2, 3 * 65536 + 65530, 16)).toBe(4 * 65536 + 2);
    expect(extendSeq(65530, 4 * 65536 + 2, 16)).toBe(3 * 65536 + 65530);
  });

  it('rejects bad widths and out-of-range wire numbers with a typed reason', () => {
    expect(() => extendSeq(1, null, 0)).toThrow(SequenceError);
    try {
      extendSeq(65536, null, 16);
      expect.unreachable('65536 does not fit in 16 bits');
    } catch (e) {
      expect(e).toBeInstanceOf(SequenceError);
      expect((e as SequenceError).reason).toBe('bad-wire-number');
    }
  });
});

describe('RFC 3550 jitter step', () => {
  it('matches a hand-computed series', () => {
    // Transits 100, 105, 100, 105 ms (send every 20 ms, receive at 100, 125, 140, 165):
    // D = +5, -5, +5. J1 = 0 + (5 - 0)/16 = 0.3125; J2 = 0.3125 + (5 - 0.3125)/16 = 0.60546875;
    // J3 = 0.60546875 + (5 - 0.60546875)/16 = 0.880126953125. All exact in binary.
    const j1 = jitterStep(0, 5);
    const j2 = jitterStep(j1, -5);
    const j3 = jitterStep(j2, 5);
    expect([j1, j2, j3]).toEqual([0.3125, 0.60546875, 0.880126953125]);
  });

  it('uses |D|, moves 1/16 of the way, and stays put when |D| equals J', () => {
    expect(jitterStep(0, -16)).toBe(1);
    expect(jitterStep(32, 0)).toBe(30);
    expect(jitterStep(4, 4)).toBe(4);
    expect(jitterStep(4, -4)).toBe(4);
  });
});
