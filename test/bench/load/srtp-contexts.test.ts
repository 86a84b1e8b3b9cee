/** The SRTP contexts bench (bench/load/srtp-contexts.ts) times equals: its kept contexts give werift's bytes (it throws otherwise). */
import { describe, expect, it } from 'vitest';
import { srtpContextCost } from '../../../bench/load/srtp-contexts.js';

describe('srtpContextCost', () => {
  it('checks both ways give the same keystream and tag, then times them', () => {
    const rows = srtpContextCost(200);
    expect(rows.map((r) => r.work)).toEqual(['AES-CM keystream and XOR (RFC 3711 §4.1.1)', 'HMAC-SHA1 tag (RFC 3711 §4.2)']);
    for (const r of rows) {
      expect(r.freshUs).toBeGreaterThan(0);
      expect(r.keptUs).toBeGreaterThan(0);
    }
  });
});
