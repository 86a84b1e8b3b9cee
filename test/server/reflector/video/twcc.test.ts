import { describe, expect, it } from 'vitest';
import { TwccFeedback } from '../../../../server/reflector/video/twcc.js';

describe('transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1)', () => {
  it('writes the arrivals since the last feedback, a missing number as not received, by hand', () => {
    const f = new TwccFeedback();
    f.record(10, 100);
    f.record(11, 100.5);
    f.record(13, 170);
    const p = f.build(0x11111111, 0x22222222);
    // Reference floor(100 / 64) = 1 (64 ms); deltas 36 ms = 144 ticks (small), 0.5 ms = 2 (small),
    // 69.5 ms = 278 ticks (large); statuses 1 1 0 2 as run-length chunks 0x2002 0x0001 0x4001.
    // 20 + 6 + 4 = 30 bytes, padded to 32 (P bit, last byte 2); length 32/4 - 1 = 7.
    expect(p?.toString('hex')).toBe(
      ['af', 'cd', '0007', '11111111', '22222222', '000a', '0004', '000001', '00', '2002', '0001', '4001', '90', '02', '0116', '0002'].join(''),
    );
    // Nothing new: no feedback. The next starts after the last reported number, its count going on.
    expect(f.build(1, 2)).toBeNull();
    f.record(14, 171);
    const next = f.build(1, 2);
    expect(next?.readUInt16BE(12)).toBe(14);
    expect(next?.readUInt16BE(14)).toBe(1);
    expect(next?.[19]).toBe(1);
  });

  it('follows the sequence number across its wrap, and leaves out a packet that came after its number was reported', () => {
    const f = new TwccFeedback();
    f.record(0xfffe, 10);
    f.build(1, 2);
    f.record(1, 20);
    f.record(0xffff, 12); // late, but not reported yet: kept
    const p = f.build(1, 2);
    expect(p?.readUInt16BE(12)).toBe(0xffff);
    expect(p?.readUInt16BE(14)).toBe(3); // 0xffff, 0, 1
    f.record(0, 30); // reported missing already
    expect(f.build(1, 2)).toBeNull();
  });
});
