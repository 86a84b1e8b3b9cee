import { describe, expect, it } from 'vitest';
import { StreamFramer, StreamFramingError } from '../../../../server/turn/codec/stream-framer.js';
import { buildAllocate, buildChannelData } from '../../../../server/turn/client/requests.js';

describe('StreamFramer (RFC 8656 §3.1, §12.5)', () => {
  const stun = buildAllocate(null);
  const chan = buildChannelData(0x4001, Buffer.from('abcde'), true); // 4 + 8 bytes with padding
  it('splits back-to-back messages and reassembles byte-by-byte input', () => {
    const all = Buffer.concat([stun, chan, stun]);
    expect(new StreamFramer().push(all).map((f) => f.length)).toEqual([stun.length, 12, stun.length]);
    const f = new StreamFramer();
    const out: Buffer[] = [];
    for (const byte of all) out.push(...f.push(Buffer.from([byte])));
    expect(Buffer.concat(out).equals(all)).toBe(true);
    expect(out).toHaveLength(3);
    expect(f.bufferedBytes).toBe(0);
  });
  it('rejects streams that are not TURN', () => {
    expect(() => new StreamFramer().push(Buffer.from([0x85, 0, 0, 4]))).toThrowError(StreamFramingError);
    const badCookie = Buffer.from(stun);
    badCookie[4] = 0;
    expect(() => new StreamFramer().push(badCookie)).toThrowError(/bad-cookie/);
  });
});
