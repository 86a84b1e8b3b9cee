import { describe, expect, it } from 'vitest';
import {
  RTP_ECHO_HEADER_BYTES,
  RTP_FRAME_BYTES_MAX,
  RTP_PROBE_HEADER_BYTES,
  decodeRtpEcho,
  decodeRtpProbe,
  encodeRtpEcho,
  encodeRtpProbe,
  type RtpEcho,
} from '../../src/protocol/rtp-probe.js';
import { ProbeDecodeError, ProbeKind, decodeReceipts, encodeReceipts, parseControlMessage, encodeControlMessage } from '../../src/protocol/wire.js';

const opus = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

describe('RTP probe frames', () => {
  it('writes a probe frame byte for byte: header, Opus length and bytes, zeros to 160', () => {
    const frame = encodeRtpProbe({ probeSeq: 0x01020304, sendMs: 1.5, opus: Uint8Array.of(0xaa, 0xbb) });
    expect(frame.byteLength).toBe(160);
    // magic "CR", version 1, kind 1, seq, float64 1.5 = 0x3FF8000000000000, Opus length 2, the Opus bytes
    expect([...frame.subarray(0, 20)]).toEqual([0x43, 0x52, 1, 1, 1, 2, 3, 4, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0, 2, 0xaa, 0xbb]);
    expect(frame.subarray(20).every((b) => b === 0)).toBe(true);
    const back = decodeRtpProbe(frame);
    expect(back.probeSeq).toBe(0x01020304);
    expect(back.sendMs).toBe(1.5);
    expect([...back.opus]).toEqual([0xaa, 0xbb]);
  });

  it('grows a frame for a large Opus frame, and refuses one past the maximum', () => {
    const frame = encodeRtpProbe({ probeSeq: 1, sendMs: 0, opus: opus(200) });
    expect(frame.byteLength).toBe(RTP_PROBE_HEADER_BYTES + 200);
    expect([...decodeRtpProbe(frame).opus]).toEqual([...opus(200)]);
    expect(() => encodeRtpProbe({ probeSeq: 1, sendMs: 0, opus: opus(RTP_FRAME_BYTES_MAX) })).toThrow(ProbeDecodeError);
  });

  it('round-trips an echo with recent records and its Opus frame', () => {
    const echo: RtpEcho = {
      upSeq: 7,
      clientSendMs: 1234.5,
      downSeq: 5,
      reflectorRecvMs: 99.25,
      reflectorSendMs: 99.5,
      upReceived: 6,
      recent: [
        { probeSeq: 6, reflectorRecvMs: 89.25 },
        { probeSeq: 4, reflectorRecvMs: 69 },
      ],
      opus: opus(40),
    };
    const frame = encodeRtpEcho(echo);
    expect(frame.byteLength).toBe(160);
    expect(frame[40]).toBe(2); // recent count
    expect(RTP_ECHO_HEADER_BYTES + 2 * 12 + 2 + 40).toBeLessThan(160);
    const back = decodeRtpEcho(frame);
    expect({ ...back, opus: [...back.opus] }).toEqual({ ...echo, opus: [...echo.opus] });
  });

  it('refuses what is not a frame of the kind asked, with the reason', () => {
    const probe = encodeRtpProbe({ probeSeq: 1, sendMs: 0, opus: opus(3) });
    const reason = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        if (err instanceof ProbeDecodeError) return err.reason;
        throw err;
      }
      return 'none';
    };
    expect(reason(() => decodeRtpEcho(probe))).toBe('unexpected-kind');
    expect(reason(() => decodeRtpProbe(probe.subarray(0, 10)))).toBe('too-short');
    const junk = probe.slice();
    junk[0] = 0x00;
    expect(reason(() => decodeRtpProbe(junk))).toBe('bad-magic');
    const lying = probe.slice();
    lying[16] = 0xff; // claims 65 KB of Opus
    expect(reason(() => decodeRtpProbe(lying))).toBe('bad-size');
    const echo = encodeRtpEcho({ upSeq: 1, clientSendMs: 0, downSeq: 0, reflectorRecvMs: 0, reflectorSendMs: 0, upReceived: 1, recent: [], opus: opus(2) });
    const tooMany = echo.slice();
    tooMany[40] = 9;
    expect(reason(() => decodeRtpEcho(tooMany))).toBe('bad-size');
  });

  it('RTP receipts are their own kind on the control channel, and rtp-final parses', () => {
    const batch = encodeReceipts([{ upSeq: 3, reflectorRecvMs: 1, downSeq: 2, reflectorSendMs: 1.1, reflectorBufferedBytes: 0 }], ProbeKind.RtpReceipts);
    expect(decodeReceipts(batch, ProbeKind.RtpReceipts)).toEqual([
      { upSeq: 3, reflectorRecvMs: 1, downSeq: 2, reflectorSendMs: 1.1, reflectorBufferedBytes: 0 },
    ]);
    expect(() => decodeReceipts(batch)).toThrow(ProbeDecodeError);
    expect(parseControlMessage(encodeControlMessage({ type: 'rtp-final', upReceived: 4, upDuplicates: 0, downSent: 4 }))).toEqual({
      type: 'rtp-final',
      upReceived: 4,
      upDuplicates: 0,
      downSent: 4,
    });
    // The frames the leg delivered, probes and audio around them, when the server says them; a bad count is refused.
    const withFrames = { type: 'rtp-final', upReceived: 4, upDuplicates: 0, downSent: 4, upFrames: 9 } as const;
    expect(parseControlMessage(encodeControlMessage(withFrames))).toEqual(withFrames);
    expect(() => parseControlMessage(JSON.stringify({ ...withFrames, upFrames: -1 }))).toThrow(/upFrames must be a count/);
  });
});
