import { describe, expect, it } from 'vitest';
import { RtpCollector, type RtpEchoFacts } from '../../../src/session/collect/rtp-collector.js';
import { encodeReceipts, ProbeKind, type ReceiptRecord } from '../../../src/protocol/wire.js';

/**
 * Hand-computed RTP exchanges. Client clock = t, reflector clock = t + 1000 ms.
 * Probe i is stamped at 10 i ms; upstream one-way 5 ms, reflector hold 0.5 ms, downstream
 * one-way 7 ms: probe i reaches the reflector at 1005 + 10 i, its echo leaves at 1005.5 + 10 i
 * and arrives at 12.5 + 10 i. Every round trip is 5 + 7 = 12 ms.
 */
const RECV = (i: number): number => 1005 + 10 * i;
const ECHO_SENT = (i: number): number => RECV(i) + 0.5;
const ECHO_ARRIVES = (i: number): number => ECHO_SENT(i) + 7 - 1000;
/** How long this device took to hand echo i's frame to the transform worker after its receiveTime. */
const LAG = (i: number): number => 0.25 * i;

function echo(upSeq: number, downSeq: number, recent: number[]): RtpEchoFacts {
  return {
    upSeq,
    downSeq,
    clientSendMs: 10 * upSeq,
    reflectorRecvMs: RECV(upSeq),
    reflectorSendMs: ECHO_SENT(upSeq),
    recent: recent.map((p) => ({ probeSeq: p, reflectorRecvMs: RECV(p) })),
    arrivalMs: ECHO_ARRIVES(upSeq),
    receiveTimeMs: ECHO_ARRIVES(upSeq),
    seenMs: ECHO_ARRIVES(upSeq) + LAG(upSeq),
  };
}

function receipt(upSeq: number, downSeq: number): ReceiptRecord {
  return { upSeq, reflectorRecvMs: RECV(upSeq), downSeq, reflectorSendMs: ECHO_SENT(upSeq), reflectorBufferedBytes: 0 };
}

const rtpReceipts = (records: ReceiptRecord[]): Uint8Array => encodeReceipts(records, ProbeKind.RtpReceipts);
const stamped = (n: number): Array<[number, number]> => Array.from({ length: n }, (_, i) => [i, 10 * i] as [number, number]);

describe('the RTP stream records', () => {
  /**
   * Six probes 0-5; probe 2 is lost upstream, so the reflector echoes 0, 1, 3, 4, 5 as echoes
   * 0-4; echo 3 (of probe 4) is lost downstream. Three received frames were not echoes
   * (padding-only packets Chromium inserts decode to nothing): they change no count.
   */
  function lossy(): RtpCollector {
    const c = new RtpCollector(20, 10);
    c.onSent(stamped(6));
    c.onEchoes([echo(0, 0, []), echo(1, 1, [0]), echo(3, 2, [1, 0]), echo(5, 4, [4, 3, 1, 0])]);
    c.onReceipts(rtpReceipts([receipt(0, 0), receipt(1, 1), receipt(3, 2), receipt(4, 3), receipt(5, 4)]), 60);
    c.onFinal({ type: 'rtp-final', upReceived: 5, upDuplicates: 0, downSent: 5 });
    c.countNotEchoes(3);
    return c;
  }

  it('counts loss by probe number: up misses probe 2 only, down misses echo 3 only', () => {
    const b = lossy().build([], false);
    expect(b.up.sent.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(b.up.arrivals).toEqual([0, 1, 3, 4, 5].map((i) => ({ seq: i, sendMs: 10 * i, recvMs: RECV(i) })));
    expect(b.up.intervalMs).toBe(10);
    expect(b.down.sent).toEqual([0, 1, 3, 4, 5].map((p, d) => ({ seq: d, sendMs: ECHO_SENT(p) })));
    expect(b.down.arrivals).toEqual([
      { seq: 0, sendMs: ECHO_SENT(0), recvMs: ECHO_ARRIVES(0) },
      { seq: 1, sendMs: ECHO_SENT(1), recvMs: ECHO_ARRIVES(1) },
      { seq: 2, sendMs: ECHO_SENT(3), recvMs: ECHO_ARRIVES(3) },
      { seq: 4, sendMs: ECHO_SENT(5), recvMs: ECHO_ARRIVES(5) },
    ]);
    expect(b.roundTrip.samples).toEqual([0, 1, 3, 5].map((i) => ({ seq: i, sendMs: 10 * i, rttMs: 12 })));
    expect(b.notes).toEqual(['3 received RTP frames were not echo frames (passed to the decoder as they came)']);
  });

  it('fills a lost echo and a missing receipt with the recent records of later echoes', () => {
    // No receipt at all and no rtp-final (the control channel died): probe 4's echo is lost,
    // so only echo 5's recent records say that probe 4 (and 3) arrived, and when.
    const c = new RtpCollector(20, 10);
    c.onSent(stamped(6));
    c.onEchoes([echo(0, 0, []), echo(1, 1, [0]), echo(5, 4, [4, 3, 1, 0])]);
    const b = c.build([], true);
    // Evidence reaches probe 5 (its echo); probe 2 is lost upstream, 3 and 4 are known from recent records, in reflector arrival order.
    expect(b.up.sent.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(b.up.arrivals).toEqual([0, 1, 3, 4, 5].map((i) => ({ seq: i, sendMs: 10 * i, recvMs: RECV(i) })));
    // Without receipts nothing says which echoes were sent: the downstream is judged on none.
    expect(b.down.sent).toEqual([]);
    expect(b.notes).toContain('the reflector never sent its final tally: upstream counts may be incomplete');
  });

  it('counts a probe once however many records name it (receipt twice, echo, recent records)', () => {
    const c = new RtpCollector(20, 10);
    c.onSent(stamped(3));
    const batch = rtpReceipts([receipt(0, 0), receipt(1, 1), receipt(2, 2)]);
    c.onEchoes([echo(2, 2, [1, 0])]);
    c.onReceipts(batch, 40);
    c.onReceipts(batch, 41);
    c.onEchoes([echo(0, 0, []), echo(1, 1, [0])]);
    c.onFinal({ type: 'rtp-final', upReceived: 3, upDuplicates: 0, downSent: 3 });
    const b = c.build([], false);
    expect(b.up.arrivals.map((a) => a.seq)).toEqual([0, 1, 2]);
    expect(b.down.sent.map((r) => r.seq)).toEqual([0, 1, 2]);
    // The echoes arrived out of order (2 before 0 and 1): that is what the downstream saw.
    expect(b.down.arrivals.map((a) => a.seq)).toEqual([2, 0, 1]);
    expect(b.roundTrip.samples.map((s) => s.seq)).toEqual([2, 0, 1]);
    expect(b.notes).toEqual([]);
  });

  it('keeps at most its slots: later or repeated stamps are left out and said', () => {
    const c = new RtpCollector(2, 10);
    c.onSent([
      [0, 0],
      [1, 10],
      [1, 11],
      [2, 20],
    ]);
    c.onFinal({ type: 'rtp-final', upReceived: 0, upDuplicates: 0, downSent: 0 });
    const b = c.build([], false);
    expect(b.up.sent).toEqual([
      { seq: 0, sendMs: 0 },
      { seq: 1, sendMs: 10 },
    ]);
    expect(b.notes).toContain('2 stamped RTP probes beyond the 2 kept were left out');
  });

  it('refuses a data-channel receipt batch on the RTP stream', () => {
    const c = new RtpCollector(4, 10);
    expect(() => c.onReceipts(encodeReceipts([receipt(0, 0)]), 0)).toThrow(/expected 4/);
  });
});

describe('the RTP stream views outside the page', () => {
  it('gives each echo with a receiveTime its receive lag, each probe its hold, and the arrivals in bins', () => {
    const c = new RtpCollector(20, 10);
    c.onSent(stamped(6));
    // As lossy(): probe 2 lost upstream, echo 3 (of probe 4) lost downstream; echo 5 came without a receiveTime.
    c.onEchoes([echo(0, 0, []), echo(1, 1, [0]), echo(3, 2, [1, 0]), { ...echo(5, 4, [4, 3, 1, 0]), receiveTimeMs: null }]);
    c.onReceipts(rtpReceipts([receipt(0, 0), receipt(1, 1), receipt(3, 2), receipt(4, 3), receipt(5, 4)]), 60);
    c.onFinal({ type: 'rtp-final', upReceived: 5, upDuplicates: 0, downSent: 5 });
    const v = c.build([], false).views;
    expect(v.receiveLagMs).toEqual([0, 1, 3].map((i) => ({ atMs: ECHO_ARRIVES(i), valueMs: LAG(i) })));
    // Probe 4's hold comes from its receipt (its echo was lost).
    expect(v.reflectorHoldMs).toEqual([0, 1, 3, 4, 5].map((i) => ({ atMs: 10 * i, valueMs: 0.5 })));
    // Arrivals at 1005, 1015, 1035, 1045, 1055 (reflector clock): one bin, the longest gap where probe 2 is missing.
    expect(v.upArrivalBins).toEqual([{ fromSendMs: 0, toSendMs: 50, packets: 5, maxGapMs: 20, maxSendGapMs: 20, minTransitMs: 1005 }]);
  });
});
