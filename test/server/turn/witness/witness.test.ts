/**
 * The relay witness, pure: RFC 7983 demux, RFC 3550 §5.1 header parse, per-stream counts by
 * extended sequence number (§A.1), jitter (§A.8) and IPDV (RFC 5481 §4.2), on hand-built
 * packets whose expected figures are computed by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import { WitnessBook, type WitnessLimits } from '../../../../server/turn/witness/book.js';
import { parseRtpHeader, payloadKind } from '../../../../server/turn/witness/rtp.js';
import { RtpStreamWitness } from '../../../../server/turn/witness/stream.js';
import { CONSTANTS } from '../../../../src/protocol/defaults.js';
import { DTLS, SSRC, STUN, TICKS_10MS, rtcp, rtp } from './rtp-fixtures.js';

const LIMITS: WitnessLimits = { maxStreamsPerAllocation: 4, windowPackets: 64, graceMs: 1000, clockRateHz: 48_000 };

/** Feeds one stream; `arrivals` are [seq, arrivalMs, padding?]; the timestamp is seq * 10 ms. */
function feed(arrivals: [number, number, boolean?][], firstTs = 0): RtpStreamWitness {
  const s = new RtpStreamWitness(SSRC, 64, 48_000);
  for (const [seq, at, pad] of arrivals) s.observe(seq & 0xffff, (firstTs + seq * TICKS_10MS) >>> 0, pad ?? false, at);
  return s;
}

describe('RFC 7983 demux and the RTP header (RFC 3550 §5.1)', () => {
  it('tells STUN, DTLS, RTP and RTCP apart by their first two bytes', () => {
    expect(payloadKind(STUN, 0, STUN.length)).toBe('stun');
    expect(payloadKind(DTLS, 0, DTLS.length)).toBe('dtls');
    expect(payloadKind(rtcp(), 0, 32)).toBe('rtcp');
    const p = rtp({ seq: 1, timestamp: 2 });
    expect(payloadKind(p, 0, p.length)).toBe('rtp');
    // PT 72 with the marker bit set is byte 200: RTCP by RFC 5761 §4 (that is why PTs 64-95 are avoided).
    expect(payloadKind(rtp({ seq: 1, timestamp: 2, payloadType: 200 }), 0, 112)).toBe('rtcp');
    expect(payloadKind(Buffer.from([0x40, 0]), 0, 2)).toBe('other');
    expect(payloadKind(Buffer.alloc(0), 0, 0)).toBe('other');
  });

  it('reads seq, timestamp, SSRC, P and M, and skips CSRCs and the header extension', () => {
    const b = rtp({ seq: 0xfffe, timestamp: 0xfedcba98, padding: true, csrcs: 2, extensionWords: 3, payloadBytes: 0, payloadType: 0xef });
    const h = parseRtpHeader(b, 0, b.length);
    // 12 fixed + 2 x 4 CSRC + 4 extension header + 3 x 4 extension = 36 bytes.
    expect(h).toEqual({ padding: true, marker: true, payloadType: 0x6f, seq: 0xfffe, timestamp: 0xfedcba98, ssrc: SSRC, headerBytes: 36 });
  });

  it('reads a header at an offset (inside ChannelData) and refuses cut-short ones', () => {
    const inner = rtp({ seq: 7, timestamp: 9, extensionWords: 2, payloadBytes: 0 });
    const framed = Buffer.concat([Buffer.from([0x40, 0x01, 0, inner.length]), inner]);
    expect(parseRtpHeader(framed, 4, inner.length)?.seq).toBe(7);
    expect(parseRtpHeader(inner, 0, 11)).toBeNull();
    expect(parseRtpHeader(inner, 0, inner.length - 1)).toBeNull(); // the extension runs past the end
    expect(parseRtpHeader(rtcp(), 0, 32)).toBeNull();
    expect(parseRtpHeader(DTLS, 0, DTLS.length)).toBeNull();
  });
});

describe('one stream by RTP sequence number (RFC 3550 §A.1)', () => {
  it('counts loss, a duplicate and a reordered packet', () => {
    // Sent 100..109 every 10 ms. 103 lost; 105 arrives after 106; 107 twice.
    const s = feed([
      [100, 0],
      [101, 10],
      [102, 20],
      [104, 40],
      [106, 60],
      [105, 61],
      [107, 70],
      [107, 71],
      [108, 80],
      [109, 90],
    ]);
    expect(s.summary(1)).toMatchObject({
      ssrc: SSRC,
      packets: 10,
      paddingPackets: 0,
      expected: 10,
      lost: 1,
      lossPct: 10,
      duplicates: 1,
      reordered: 1,
      ssrcs: 1,
    });
  });

  it('follows the 16-bit wrap (65534, 65535, 0, 1 are four in a row)', () => {
    const s = feed([
      [65534, 0],
      [65535, 10],
      [65537, 30], // wire 1: 0 lost
      [65536, 31], // wire 0, late: reordered, not lost after all
      [65538, 40],
    ]);
    expect(s.summary(1)).toMatchObject({ expected: 5, lost: 0, reordered: 1, duplicates: 0, packets: 5 });
    const lossy = feed([
      [65535, 0],
      [65538, 30], // wire 2: 0 and 1 lost across the wrap
    ]);
    expect(lossy.summary(1)).toMatchObject({ expected: 4, lost: 2 });
  });

  it('keeps padding-only packets (P bit) in the sequence space but out of the media count', () => {
    // 10, 11 media; 12, 13 padding; 14 media; padding 15 lost; 16 media.
    const s = feed([
      [10, 0],
      [11, 10],
      [12, 10.5, true],
      [13, 10.6, true],
      [14, 20],
      [16, 40],
    ]);
    expect(s.summary(1)).toMatchObject({ packets: 4, paddingPackets: 2, expected: 7, lost: 1 });
  });

  it('computes RFC 3550 §A.8 jitter and RFC 5481 IPDV on a known schedule', () => {
    // Timestamps 10 ms apart; arrivals 0, 10, 25, 30: D = 0, +5, -5.
    // J: 0 -> 0 -> 5/16 = 0.3125 -> 0.3125 + (5 - 0.3125)/16 = 0.60546875.
    // IPDV pairs (0,1), (1,2), (2,3): |0|, |5|, |-5| -> mean 10/3, max 5.
    const s = feed([
      [0, 0],
      [1, 10],
      [2, 25],
      [3, 30],
    ]);
    const sum = s.summary(1);
    expect(sum.jitterMs).toBe(0.60546875);
    expect(sum.ipdvMeanAbsMs).toBeCloseTo(10 / 3, 12);
    expect(sum.maxIpdvMs).toBe(5);
  });

  it('pairs IPDV by sequence, not by arrival, and leaves padding out of jitter and IPDV', () => {
    // 0 at 0, 2 at 22, 1 at 23 (reordered), 3 padding at 24 (its timestamp would give a huge D).
    // Arrival-order D (media only): (22-0)-(20) = 2, (23-22)-(10-20) = 11. J = 2/16 = 0.125, then 0.125 + (11-0.125)/16 = 0.8046875.
    // IPDV by sequence: (0,1): 23 - 10 = 13; (1,2): (22-23) - 10 = -11 -> mean 12, max 13.
    const s = new RtpStreamWitness(SSRC, 64, 48_000);
    s.observe(0, 0, false, 0);
    s.observe(2, 2 * TICKS_10MS, false, 22);
    s.observe(1, TICKS_10MS, false, 23);
    s.observe(3, 999_999, true, 24);
    const sum = s.summary(1);
    expect(sum.jitterMs).toBe(0.8046875);
    expect(sum.ipdvMeanAbsMs).toBe(12);
    expect(sum.maxIpdvMs).toBe(13);
    expect(sum.reordered).toBe(1);
  });

  it('takes the RTP timestamp difference across its 32-bit wrap', () => {
    // First timestamp 2^32 - 480: the next is 0 after the wrap, still 10 ms later. Arrivals 10 ms apart: D = 0.
    const s = feed(
      [
        [0, 0],
        [1, 10],
      ],
      2 ** 32 - TICKS_10MS,
    );
    expect(s.summary(1)).toMatchObject({ jitterMs: 0, maxIpdvMs: 0 });
  });

  it('has no figures before its first packet', () => {
    expect(new RtpStreamWitness(1, 8, 48_000).summary(0)).toMatchObject({ expected: 0, lost: 0, lossPct: null, jitterMs: null, ipdvMeanAbsMs: null });
  });
});

describe('the witness book (per allocation and peer, bounded)', () => {
  it('ignores STUN, DTLS and RTCP, and keeps one stream per SSRC and direction', () => {
    const book = new WitnessBook(LIMITS, null);
    for (const b of [STUN, DTLS, rtcp()]) book.observe(1, 'p|1', 'up', b, 0, b.length, 0);
    expect(book.forPeer('p|1', 0)).toBeNull();
    for (let i = 0; i < 5; i++) {
      const b = rtp({ seq: i, timestamp: i * TICKS_10MS });
      book.observe(1, 'p|1', 'up', b, 0, b.length, i * 10);
    }
    const other = rtp({ seq: 9, timestamp: 0, ssrc: 42 });
    book.observe(1, 'p|1', 'up', other, 0, other.length, 50);
    const down = rtp({ seq: 3, timestamp: 0, ssrc: 7 });
    book.observe(1, 'p|1', 'down', down, 0, down.length, 50);
    const w = book.forPeer('p|1', 60);
    expect(w?.source).toBe('relay');
    expect(w?.upstream).toMatchObject({ ssrc: SSRC, packets: 5, expected: 5, lost: 0, ssrcs: 2, jitterMs: 0 });
    expect(w?.downstream).toMatchObject({ ssrc: 7, packets: 1, ssrcs: 1 });
    expect(book.forPeer('p|2', 60)).toBeNull();
  });

  it('counts the upstream stream by the DSCP each packet arrived with (RFC 2474 §3), and says none when no traffic class was read', () => {
    const book = new WitnessBook(LIMITS, null);
    // TOS bytes: EF (46) is 184, with ECN bits 185; AF41 (34) is 136; 0 no mark; -1 not read.
    const tos = [184, 185, 184, 136, 0, -1];
    tos.forEach((t, i) => {
      const b = rtp({ seq: i, timestamp: i * TICKS_10MS });
      book.observe(1, 'p|1', 'up', b, 0, b.length, i * 10, t);
    });
    const down = rtp({ seq: 1, timestamp: 0, ssrc: 7 });
    book.observe(1, 'p|1', 'down', down, 0, down.length, 70, 184);
    const w = book.forPeer('p|1', 80);
    expect(w?.upstreamDscp).toEqual({ '46': 3, '34': 1, '0': 1 });
    expect(w?.upstream.packets).toBe(6);
    // Node's dgram reads no class: the witness says nothing of marks.
    const unread = new WitnessBook(LIMITS, null);
    const b = rtp({ seq: 1, timestamp: 0 });
    unread.observe(1, 'p|1', 'up', b, 0, b.length, 0);
    expect(unread.forPeer('p|1', 10)).not.toHaveProperty('upstreamDscp');
  });

  it('caps the streams per allocation and counts what it could not watch', () => {
    const book = new WitnessBook(LIMITS, null);
    for (let ssrc = 1; ssrc <= 6; ssrc++) {
      const b = rtp({ seq: 1, timestamp: 0, ssrc });
      book.observe(1, `p|${ssrc}`, 'up', b, 0, b.length, 0);
    }
    expect(book.census()).toEqual({ allocations: 1, peers: 4, retired: 0, unwatchedPackets: 2 });
  });

  it('keeps a deleted allocation readable for the grace period, then forgets it', () => {
    const book = new WitnessBook(LIMITS, () => 123.5);
    const b = rtp({ seq: 1, timestamp: 0 });
    book.observe(1, 'p|1', 'up', b, 0, b.length, 0);
    book.retire(1, 10_000);
    expect(book.forPeer('p|1', 10_999)?.upstream.packets).toBe(1);
    expect(book.forPeer('p|1', 11_000)).toBeNull();
    expect(book.census()).toEqual({ allocations: 0, peers: 0, retired: 0, unwatchedPackets: 0 });
  });

  it('answers for the allocation that sent the most RTP to the peer', () => {
    const book = new WitnessBook(LIMITS, null);
    for (let i = 0; i < 3; i++) {
      const b = rtp({ seq: i, timestamp: 0, ssrc: 5 });
      book.observe(2, 'p|1', 'up', b, 0, b.length, i);
    }
    const one = rtp({ seq: 0, timestamp: 0, ssrc: 6 });
    book.observe(1, 'p|1', 'up', one, 0, one.length, 0);
    expect(book.forPeer('p|1', 5)?.upstream.ssrc).toBe(5);
  });

  it('sizes its defaults in src/protocol/defaults.ts', () => {
    const d = CONSTANTS.relayWitness;
    // 21 bytes per slot (8 + 8 + 4 + 1): ~5.4 KB per stream, 8 streams: ~43 KB per allocation at most.
    expect(d.windowPackets * 21 * d.maxStreamsPerAllocation).toBeLessThan(200_000);
    expect(d.clockRateHz).toBe(48_000);
  });
});
