import { describe, expect, it } from 'vitest';
import { SentLog } from '../../../src/session/collect/sent-log.js';
import { ReflectorCollector } from '../../../src/session/collect/reflector-collector.js';
import { LoopCollector } from '../../../src/session/collect/loop-collector.js';
import { senderQueueIntervals } from '../../../src/session/collect/sender-queue.js';
import { ReflectorCore } from '../../../server/reflector/core.js';
import { encodeProbe } from '../../../src/protocol/wire.js';

/**
 * A scripted reflector-mode exchange: client clock = t, reflector clock = t + 1000 ms.
 * Upstream one-way 5 ms, reflector hold 0.5 ms, downstream one-way 7 ms.
 * Probe 1 is lost upstream; the echo of probe 2 is lost downstream.
 */
function scripted() {
  const sent = new SentLog(4, 0xfffffffe); // wraps at probe 2
  const collector = new ReflectorCollector(sent);
  const core = new ReflectorCore(160);
  const buf = new Uint8Array(160);
  for (let i = 0; i < 4; i++) {
    const sendMs = 10 * i;
    sent.recordSent(i, sendMs, sendMs - 0.1, 0);
    if (i === 1) continue;
    const recv = sendMs + 5 + 1000;
    const echo = core.onProbe(encodeProbe({ seq: sent.wireSeq(i), sendMs }, buf), recv, () => recv + 0.5);
    if (i !== 2) collector.onEcho(echo, recv + 0.5 + 7 - 1000);
  }
  collector.onReceipts(core.flush() as Uint8Array, 0);
  const fin = core.final();
  if (fin.type === 'final') collector.onFinal(fin);
  return { sent, collector };
}

/**
 * The server dies after probe 4 of 7: probes 0-4 reach it and are echoed (the echo of 2 is
 * lost downstream, a real network loss), but only 0-3 are covered by a receipt batch before
 * it dies; 5 and 6 meet a dead server, and no final tally comes.
 */
function diesAfterProbe4() {
  const sent = new SentLog(7, 0);
  const collector = new ReflectorCollector(sent);
  const core = new ReflectorCore(160);
  const buf = new Uint8Array(160);
  for (let i = 0; i < 7; i++) {
    const sendMs = 10 * i;
    sent.recordSent(i, sendMs, sendMs, 0);
    if (i > 4) continue;
    const recv = sendMs + 5;
    const echo = core.onProbe(encodeProbe({ seq: sent.wireSeq(i), sendMs }, buf), recv, () => recv);
    if (i !== 2) collector.onEcho(echo, recv + 5);
    if (i === 3) collector.onReceipts(core.flush() as Uint8Array, 40);
  }
  return collector;
}

describe('a connection lost mid-test', () => {
  it('remembers when the reflector was last heard from (its last echo)', () => {
    expect(diesAfterProbe4().lastHeardAtMs).toBe(50);
    expect(new ReflectorCollector(new SentLog(1, 0)).lastHeardAtMs).toBeNaN();
  });

  it('counts nothing after the last receipt: only the real loss before it remains', () => {
    const whole = diesAfterProbe4().build([], 10, 320);
    // Uncut, probe 4 (echoed, never receipted) and the dead server's 5 and 6 would be upstream loss.
    expect(whole.up.sent.length - whole.up.arrivals.length).toBe(3);
    const cut = diesAfterProbe4().build([], 10, 320, true);
    expect(cut.up.sent.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    expect(cut.up.sent.length - cut.up.arrivals.length).toBe(0);
    // The echo of probe 2 was lost before the end: still a downstream loss.
    expect(cut.down.sent.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    // The echo of probe 4 arrived, but no receipt says it was sent: not evidence either way.
    expect(cut.down.arrivals.map((a) => a.seq)).toEqual([0, 1, 3]);
    expect(cut.roundTrip.sent.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    expect(cut.notes).toContain("evidence cut at the reflector's last receipt: after probe 3 and echo 3");
  });
});

describe("the reflector's send times", () => {
  it('an echo stamped before the one numbered before it: taken as sent with it, said in a note, nothing dropped', () => {
    const sent = new SentLog(3, 0);
    for (let i = 0; i < 3; i++) sent.recordSent(i, 20 * i, 20 * i, 0);
    const collector = new ReflectorCollector(sent);
    // Echo 1 stamped 0.004 ms before echo 0 (two clock readings a few microseconds apart).
    collector.onReceiptRecords(
      [
        { upSeq: 0, reflectorRecvMs: 105, downSeq: 0, reflectorSendMs: 105.01, reflectorBufferedBytes: 0 },
        { upSeq: 1, reflectorRecvMs: 105.002, downSeq: 1, reflectorSendMs: 105.006, reflectorBufferedBytes: 0 },
        { upSeq: 2, reflectorRecvMs: 145, downSeq: 2, reflectorSendMs: 145.01, reflectorBufferedBytes: 0 },
      ],
      200,
    );
    const b = collector.build([], 20, 1e9);
    expect(b.down.sent).toEqual([
      { seq: 0, sendMs: 105.01 },
      { seq: 1, sendMs: 105.01 },
      { seq: 2, sendMs: 145.01 },
    ]);
    expect(b.notes).toContain('1 echo was stamped before the one numbered before it (by up to 0.004 ms): taken as sent with it');
  });
});

describe('collectors', () => {
  it('numbers probes from 0 across a 32-bit wrap', () => {
    const log = new SentLog(3, 0xffffffff);
    expect([0, 1, 2].map((i) => log.wireSeq(i))).toEqual([0xffffffff, 0, 1]);
    expect(log.offsetOf(1)).toBe(2);
    expect(log.offsetOf(5)).toBe(-1);
  });

  it('splits a reflector exchange into upstream, downstream and round trip', () => {
    const { collector } = scripted();
    const b = collector.build([], 10, 320);
    expect(b.notes).toEqual([]);
    expect(b.up.sent.map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    expect(b.up.arrivals.map((a) => [a.seq, a.recvMs - a.sendMs])).toEqual([
      [0, 1005],
      [2, 1005],
      [3, 1005],
    ]);
    expect(b.down.sent.map((s) => s.seq)).toEqual([0, 1, 2]);
    expect(b.down.arrivals.map((a) => [a.seq, a.recvMs - a.sendMs])).toEqual([
      [0, -993],
      [2, -993],
    ]);
    expect(b.roundTrip.samples.map((s) => [s.seq, s.rttMs])).toEqual([
      [0, 12],
      [3, 12],
    ]);
  });

  it('maps suspect intervals onto the reflector clock', () => {
    const { collector } = scripted();
    const b = collector.build([{ startMs: 100, endMs: 200, reason: 'page-hidden' }], 10, 320);
    // offset = reflector recv - client send - rtt/2 = 1005 - 6 = 999 (true offset 1000, asymmetry 1 ms)
    expect(b.down.suspect).toEqual([{ startMs: 1099, endMs: 1199, reason: 'page-hidden' }]);
    expect(b.up.suspect[0]?.startMs).toBe(100);
  });

  it('counts probes sent and echoes back for the chart, and tells the clock offset it maps with', () => {
    const { collector } = scripted();
    const live = collector.liveFigures(2000, 0);
    expect(live.elapsedS).toBe(2);
    expect(live.sent).toBe(4);
    expect(live.received).toBe(2);
    expect(collector.clockOffsetMs()).toBe(999);
  });

  it('records loopback transits on one clock and ignores duplicates for RTT', () => {
    const sent = new SentLog(2, 5);
    const loop = new LoopCollector(sent);
    const buf = new Uint8Array(160);
    sent.recordSent(0, 0, 0, 0);
    sent.recordSent(1, 10, 10, 0);
    loop.onProbe(encodeProbe({ seq: 6, sendMs: 10 }, buf), 13);
    loop.onProbe(encodeProbe({ seq: 5, sendMs: 0 }, buf), 14);
    loop.onProbe(encodeProbe({ seq: 5, sendMs: 0 }, buf), 15);
    const b = loop.build([], 10, 320);
    expect(b.loop.arrivals.map((a) => a.seq)).toEqual([1, 0, 0]);
    expect(b.roundTrip.samples.map((s) => s.rttMs)).toEqual([3, 14]);
  });
});

describe('the data-channel stream views outside the page', () => {
  it('holds each probe once (from its echo or, the echo lost, its receipt) and bins the arrivals', () => {
    const v = scripted().collector.build([], 10, 1e9).views;
    expect(v.receiveLagMs).toEqual([]);
    expect(v.reflectorHoldMs).toEqual([0, 20, 30].map((atMs) => ({ atMs, valueMs: 0.5 })));
    // Arrivals at 1005, 1025, 1035: probe 1 never came, so the longest gap is 20 ms on both clocks.
    expect(v.upArrivalBins).toEqual([{ fromSendMs: 0, toSendMs: 30, packets: 3, maxGapMs: 20, maxSendGapMs: 20, minTransitMs: 1005 }]);
  });

  it('gives the in-page loop none', () => {
    const sent = new SentLog(1, 0);
    sent.recordSent(0, 0, 0, 0);
    expect('views' in new LoopCollector(sent).build([], 10, 1e9)).toBe(false);
  });
});

describe('sender queue intervals', () => {
  it('marks where more than the threshold waited in the sender buffer, merged', () => {
    const sends = [0, 10, 20, 30, 40, 200].map((sendMs, i) => ({ sendMs, bufferedBytes: [0, 500, 600, 0, 0, 900][i] ?? 0 }));
    expect(senderQueueIntervals(sends, 320, 10)).toEqual([
      { startMs: 0, endMs: 30, reason: 'sender-queue' },
      { startMs: 190, endMs: 210, reason: 'sender-queue' },
    ]);
    expect(senderQueueIntervals(sends, 1000, 10)).toEqual([]);
  });

  it('puts the reflector queue (from receipts) on the downstream and ours on the upstream', () => {
    const sent = new SentLog(3, 0);
    const collector = new ReflectorCollector(sent);
    const core = new ReflectorCore(160);
    const buf = new Uint8Array(160);
    for (let i = 0; i < 3; i++) {
      sent.recordSent(i, 10 * i, 10 * i, i === 2 ? 4000 : 0);
      collector.onEcho(
        core.onProbe(encodeProbe({ seq: i, sendMs: 10 * i }, buf), 10 * i + 1, () => 10 * i + 1, i === 0 ? 5000 : 0),
        10 * i + 2,
      );
    }
    collector.onReceipts(core.flush() as Uint8Array, 0);
    const b = collector.build([], 10, 320);
    expect(b.up.suspect).toEqual([{ startMs: 10, endMs: 30, reason: 'sender-queue' }]);
    expect(b.down.suspect).toEqual([{ startMs: -9, endMs: 11, reason: 'sender-queue' }]);
  });
});
