import { describe, expect, it } from 'vitest';
import { RtpReflectorCore } from '../../../../server/reflector/rtp/core.js';
import { decodeRtpEcho, encodeRtpProbe, RTP_FRAME_BYTES_MAX } from '../../../../src/protocol/rtp-probe.js';
import { ProbeKind, decodeReceipts, encodeProbe } from '../../../../src/protocol/wire.js';

const opus = (n: number, fill = 0xab): Uint8Array => new Uint8Array(n).fill(fill);
const probe = (probeSeq: number, sendMs: number, o: Uint8Array = opus(3)): Uint8Array => encodeRtpProbe({ probeSeq, sendMs, opus: o });

function echoOf(out: ReturnType<RtpReflectorCore['onFrame']>): ReturnType<typeof decodeRtpEcho> {
  if (out.kind !== 'echo') throw new Error(`expected an echo, got ${out.kind}`);
  return decodeRtpEcho(out.payload);
}

describe('RtpReflectorCore', () => {
  it('echoes a probe at once: its seq and send time, own numbering, honest hold time, its Opus frame, 160 bytes', () => {
    const core = new RtpReflectorCore({ recentRecords: 4, frameBytes: 160 });
    let now = 100;
    const out = core.onFrame(probe(41, 5.5, Uint8Array.of(1, 2, 3)), 100, () => (now += 0.25));
    expect(out.kind === 'echo' && out.payload.byteLength).toBe(160);
    expect(out.kind === 'echo' && out.downSeq).toBe(0);
    const e = echoOf(out);
    expect({ ...e, opus: [...e.opus] }).toEqual({
      upSeq: 41,
      clientSendMs: 5.5,
      downSeq: 0,
      reflectorRecvMs: 100,
      reflectorSendMs: 100.25,
      upReceived: 1,
      recent: [],
      opus: [1, 2, 3],
    });
  });

  it('carries the records of the last 4 earlier probes, newest first', () => {
    const core = new RtpReflectorCore({ recentRecords: 4, frameBytes: 160 });
    // Probes 10..15 arrive at 1000, 1010, ... 1050 (probe 12 is lost upstream: 13 follows 11).
    const seqs = [10, 11, 13, 14, 15, 16];
    const echoes = seqs.map((s, i) => echoOf(core.onFrame(probe(s, i * 10), 1000 + i * 10, () => 1000 + i * 10 + 0.1)));
    expect(echoes[0]?.recent).toEqual([]);
    expect(echoes[1]?.recent).toEqual([{ probeSeq: 10, reflectorRecvMs: 1000 }]);
    expect(echoes[5]?.recent).toEqual([
      { probeSeq: 15, reflectorRecvMs: 1040 },
      { probeSeq: 14, reflectorRecvMs: 1030 },
      { probeSeq: 13, reflectorRecvMs: 1020 },
      { probeSeq: 11, reflectorRecvMs: 1010 },
    ]);
    expect(echoes.map((e) => [e.downSeq, e.upReceived])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
      [5, 6],
    ]);
  });

  it('counts a payload that is not a probe frame and does not echo it', () => {
    const core = new RtpReflectorCore({ recentRecords: 4, frameBytes: 160 });
    expect(core.onFrame(opus(60), 1, () => 1)).toEqual({ kind: 'not-probe', reason: 'bad-magic' });
    expect(core.onFrame(new Uint8Array(0), 2, () => 2)).toEqual({ kind: 'not-probe', reason: 'too-short' });
    // A data-channel probe is not an RTP probe frame either.
    expect(core.onFrame(encodeProbe({ seq: 1, sendMs: 0 }, new Uint8Array(160)), 3, () => 3).kind).toBe('not-probe');
    expect(core.notProbeCount).toBe(3);
    expect(core.flush()).toBeNull();
    // Non-probes take no downstream number.
    expect(echoOf(core.onFrame(probe(7, 0), 4, () => 4)).downSeq).toBe(0);
  });

  it('flushes every probe (duplicates included) as an RtpReceipts batch, then the rtp-final tally', () => {
    const core = new RtpReflectorCore({ recentRecords: 4, frameBytes: 160 });
    core.onFrame(probe(1, 0), 10, () => 10.5);
    core.onFrame(probe(1, 0), 11, () => 11.25);
    core.onFrame(probe(2, 10), 20, () => 20.125);
    const batch = core.flush();
    expect(batch).not.toBeNull();
    expect(batch?.[3]).toBe(ProbeKind.RtpReceipts);
    expect(decodeReceipts(batch as Uint8Array, ProbeKind.RtpReceipts)).toEqual([
      { upSeq: 1, reflectorRecvMs: 10, downSeq: 0, reflectorSendMs: 10.5, reflectorBufferedBytes: 0 },
      { upSeq: 1, reflectorRecvMs: 11, downSeq: 1, reflectorSendMs: 11.25, reflectorBufferedBytes: 0 },
      { upSeq: 2, reflectorRecvMs: 20, downSeq: 2, reflectorSendMs: 20.125, reflectorBufferedBytes: 0 },
    ]);
    expect(core.flush()).toBeNull();
    // An audio frame with no probe in it is no probe, and still a frame the leg delivered (upFrames).
    expect(core.onFrame(Uint8Array.of(0xfc, 0xff, 0xfe), 25, () => 25).kind).toBe('not-probe');
    expect(core.final()).toEqual({ type: 'rtp-final', upReceived: 3, upDuplicates: 1, downSent: 3, upFrames: 4 });
  });

  it('stops echoing after rtp-final: later probes are counted, not receipted', () => {
    const core = new RtpReflectorCore({ recentRecords: 4, frameBytes: 160 });
    core.onFrame(probe(1, 0), 10, () => 10);
    core.final();
    expect(core.onFrame(probe(2, 10), 20, () => 20)).toEqual({ kind: 'after-final' });
    expect(core.afterFinalCount).toBe(1);
    expect(decodeReceipts(core.flush() as Uint8Array, ProbeKind.RtpReceipts)).toHaveLength(1);
  });

  it('marks the receipt of an echo that could not be sent (downSeq -1)', () => {
    const core = new RtpReflectorCore({ recentRecords: 4, frameBytes: 160 });
    core.onFrame(probe(1, 0), 10, () => 10);
    core.onFrame(probe(2, 10), 20, () => 20);
    expect(core.echoFailed(0)).toBe(true);
    expect(core.echoFailed(9)).toBe(false);
    expect(decodeReceipts(core.flush() as Uint8Array, ProbeKind.RtpReceipts).map((r) => r.downSeq)).toEqual([-1, 1]);
  });

  it('keeps a large Opus frame whole and drops recent records to stay under the frame bound', () => {
    const core = new RtpReflectorCore({ recentRecords: 4, frameBytes: 160 });
    for (let s = 0; s < 4; s++) core.onFrame(probe(s, s), s, () => s);
    // 1000 - 41 header - 2 length - 930 Opus = 27 bytes: room for 2 records of 12.
    const e = echoOf(core.onFrame(probe(4, 4, opus(930)), 4, () => 4));
    expect(e.opus.byteLength).toBe(930);
    expect(e.recent.map((r) => r.probeSeq)).toEqual([3, 2]);
    // An Opus frame too large for any echo goes back empty rather than failing the echo.
    // (a 998-byte probe with 980 bytes of Opus: its echo would need 41 + 2 + 980 > 1000).
    const huge = core.onFrame(probe(5, 5, opus(RTP_FRAME_BYTES_MAX - 20)), 5, () => 5);
    const h = echoOf(huge);
    expect([h.upSeq, h.opus.byteLength, h.recent.length]).toEqual([5, 0, 0]);
  });
});
