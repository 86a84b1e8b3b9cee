/**
 * The probe core in the SRTP addon (NativeRtpCore) against the JavaScript one it replaces on the
 * short path (RtpReflectorCore, with our SRTP around it as the short path ran it): the same SRTP
 * stream of a page (probes, duplicates, plain Opus frames, padding-only packets, padded probes, a
 * packet whose tag is wrong, an Opus frame that leaves no room for records, a sequence-number wrap,
 * probes after the final) must give the same outcomes, the same echo packets byte for byte, the
 * same fields for werift's receiver statistics, the same receipts and the same totals.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONSTANTS } from '../../../../src/protocol/defaults.js';
import { encodeRtpProbe } from '../../../../src/protocol/rtp-probe.js';
import { RtpReflectorCore, type RtpFrameOutcome } from '../../../../server/reflector/rtp/core.js';
import { NativeRtpCore, type RtpPacketFields, type RtpPacketOutcome } from '../../../../server/reflector/rtp/native-core.js';
import { SrtpDirection, SrtpError, rtpHeaderLength, writeRtpHeader } from '../../../../server/reflector/rtp/srtp.js';
import { nativeSrtp } from '../../../../server/reflector/rtp/srtp-crypto.js';
import { monotonicOriginMs } from '../../../../server/turn/transport/monotonic-origin.js';

const UP_KEY = randomBytes(16);
const UP_SALT = randomBytes(14);
const DOWN_KEY = randomBytes(16);
const DOWN_SALT = randomBytes(14);
const PAGE_SSRC = 0x1234_5678;
const OUR_SSRC = 0x0bad_cafe;
const PT = 111;
const OPTS = { recentRecords: CONSTANTS.rtp.recentRecords, frameBytes: CONSTANTS.rtp.frameBytes };

/** One RTP packet of the page: its header (padding bit set when `padding` > 0) and payload, then `padding` bytes, the last counting them. */
function pagePacket(seq: number, payload: Uint8Array, padding = 0): Buffer {
  const header = writeRtpHeader(Buffer.alloc(12), false, PT, seq, (seq * 480) >>> 0, PAGE_SSRC);
  if (padding > 0) header[0] = (header[0] as number) | 0x20;
  const pad = Buffer.alloc(padding);
  if (padding > 0) pad[padding - 1] = padding;
  return Buffer.concat([header, payload, pad]);
}

/** The JavaScript short path as it ran: SRTP opened, header and padding read, the core, the echo sealed. */
class JsPath {
  readonly core = new RtpReflectorCore(OPTS);
  private readonly from = new SrtpDirection(UP_KEY, UP_SALT);
  private readonly out = new SrtpDirection(DOWN_KEY, DOWN_SALT);

  packet(data: Buffer, recvMs: number, seq: number, timestamp: number, fields: RtpPacketFields, sendMs: number): RtpPacketOutcome {
    let plain: Buffer;
    try {
      plain = this.from.unprotectRtp(data);
    } catch (err) {
      if (!(err instanceof SrtpError)) throw err;
      return { kind: 'refused', err };
    }
    const headerBytes = rtpHeaderLength(plain, plain.length);
    const end = ((plain[0] as number) & 0x20) !== 0 ? plain.length - (plain[plain.length - 1] as number) : plain.length;
    if (end < headerBytes) return { kind: 'refused', err: new SrtpError('short-packet', 'more padding than payload') };
    fields.seq = plain.readUInt16BE(2);
    fields.timestamp = plain.readUInt32BE(4);
    fields.headerBytes = headerBytes;
    fields.payloadBytes = end - headerBytes;
    if (end === headerBytes) return { kind: 'padding' };
    const r: RtpFrameOutcome = this.core.onFrame(plain.subarray(headerBytes, end), recvMs, () => sendMs);
    if (r.kind !== 'echo') return r;
    const packet = this.out.protectRtpParts(writeRtpHeader(Buffer.alloc(12), false, PT, seq, timestamp, OUR_SSRC), r.payload);
    return { kind: 'echo', downSeq: r.downSeq, packet, sealed: true, seq, timestamp };
  }
}

function nativePath(): NativeRtpCore {
  const core = new NativeRtpCore(OPTS);
  expect(core.attach(new SrtpDirection(UP_KEY, UP_SALT), new SrtpDirection(DOWN_KEY, DOWN_SALT), OUR_SSRC, PT)).toBe(true);
  return core;
}

/** An outcome as comparable plain data (an error by its reason). */
function plain(o: RtpPacketOutcome): unknown {
  if (o.kind === 'refused') return { kind: o.kind, reason: o.err.reason };
  if (o.kind === 'echo') return { kind: o.kind, downSeq: o.downSeq, packet: o.packet?.toString('hex') ?? null, seq: o.seq, timestamp: o.timestamp };
  return o;
}

const fields = (): RtpPacketFields => ({ seq: -1, timestamp: -1, headerBytes: -1, payloadBytes: -1 });

describe('NativeRtpCore against RtpReflectorCore on the short path', () => {
  it('gives the same outcomes, echo packets, fields, receipts and totals over a stream with every case in it', () => {
    const tx = new SrtpDirection(UP_KEY, UP_SALT);
    const js = new JsPath();
    const native = nativePath();
    const opus = (n: number): Uint8Array => new Uint8Array(n).map((_, i) => (i * 7 + n) & 0xff);
    const probe = (probeSeq: number, opusBytes = 40): Uint8Array =>
      encodeRtpProbe({ probeSeq, sendMs: 1000 + probeSeq * 10.25, opus: opus(opusBytes) }, CONSTANTS.rtp.frameBytes);
    // The page's packets: [RTP sequence number, payload, padding bytes], sealed in order.
    const stream: Array<[number, Uint8Array, number]> = [
      [65_500, opus(60), 0], // plain Opus before the first probe: not a probe
      [65_501, probe(0), 0],
      [65_502, probe(1), 0],
      [65_503, new Uint8Array(0), 30], // padding only
      [65_504, probe(2), 7], // a padded probe
      [65_505, probe(2), 0], // a duplicate probe
      [65_506, probe(3, 960), 0], // an Opus frame too long to echo beside the header: not echoed back
      [65_506, probe(3, 950), 0], // one that fits with no record (a duplicate probe too)
      [65_507, probe(4, 930), 0], // room for two records
      [65_535, probe(5), 0],
      [3, probe(6), 0], // across the sequence-number wrap
      [4, new Uint8Array([0x43, 0x52, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0], // an echo's kind, not a probe
      [5, new Uint8Array(10), 0], // too short to be a probe
    ];
    for (let i = 7; i < 40; i++) stream.push([(5 + i) & 0xffff, probe(i), 0]);
    const packets = stream.map(([seq, payload, padding]) => tx.protectRtp(pagePacket(seq, payload, padding)));
    // A packet whose tag was changed in flight.
    const bad = Buffer.from(packets[3] as Buffer);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    packets.splice(3, 0, bad);
    let seq = 0xfffe;
    let ts = 0xffff_ff00;
    let echoes = 0;
    packets.forEach((data, i) => {
      const fa = fields();
      const fb = fields();
      const recvMs = 5000 + i * 10.125;
      const sendMs = recvMs + 0.375;
      const a = js.packet(data, recvMs, seq, ts, fa, sendMs);
      const b = native.packet(data, recvMs, seq, ts, true, fb, sendMs);
      expect(plain(b), `packet ${i}`).toEqual(plain(a));
      if (a.kind !== 'refused') expect(fb, `fields of packet ${i}`).toEqual(fa);
      if (a.kind === 'echo') {
        echoes++;
        seq = (seq + 1) & 0xffff;
        ts = (ts + 480) >>> 0;
      }
      if (i === 20) {
        // A failed echo's receipt says so, in both.
        expect(native.echoFailed(7)).toBe(js.core.echoFailed(7));
        expect(native.takeReceipts()).toEqual(js.core.takeReceipts());
      }
    });
    expect(echoes).toBeGreaterThan(35);
    expect(native.echoFailed(12345)).toBe(false);
    expect(native.received).toBe(js.core.received);
    expect(native.notProbeCount).toBe(js.core.notProbeCount);
    expect(Buffer.from(native.flush() ?? []).toString('hex')).toBe(Buffer.from(js.core.flush() ?? []).toString('hex'));
    expect(native.final()).toEqual(js.core.final());
    // After the final: counted, not echoed.
    const after = tx.protectRtp(pagePacket(100, probe(99)));
    const fa = fields();
    const fb = fields();
    expect(plain(native.packet(after, 9000, seq, ts, true, fb, 9000.5))).toEqual(plain(js.packet(after, 9000, seq, ts, fa, 9000.5)));
    expect(native.afterFinalCount).toBe(1);
    expect(native.afterFinalCount).toBe(js.core.afterFinalCount);
    expect(native.takeReceipts()).toEqual([]);
  });

  it("answers an echo unsealed when asked (werift's sender then sends it), and werift's decrypted payloads share its numbering", () => {
    const tx = new SrtpDirection(UP_KEY, UP_SALT);
    const js = new RtpReflectorCore(OPTS);
    const native = nativePath();
    const p0 = encodeRtpProbe({ probeSeq: 0, sendMs: 1, opus: new Uint8Array(20) });
    const p1 = encodeRtpProbe({ probeSeq: 1, sendMs: 2, opus: new Uint8Array(20) });
    // The first probe by werift's path (a payload it decrypted), the second on the short path unsealed.
    const a0 = js.onFrame(p0, 10, () => 11);
    const b0 = native.onFrame(p0, 10, () => 11);
    expect(b0.kind === 'echo' && a0.kind === 'echo' && Buffer.from(b0.payload).equals(Buffer.from(a0.payload))).toBe(true);
    const a1 = js.onFrame(p1, 20, () => 21);
    const b1 = native.packet(tx.protectRtp(pagePacket(7, p1)), 20, 0, 0, false, fields(), 21);
    expect(a1.kind).toBe('echo');
    expect(b1.kind === 'echo' && a1.kind === 'echo' && b1.downSeq === 1 && !b1.sealed && b1.packet?.equals(Buffer.from(a1.payload))).toBe(true);
    expect(native.takeReceipts()).toEqual(js.takeReceipts());
  });

  it('reads its send time on the clock of performance.now() when none is given', () => {
    const tx = new SrtpDirection(UP_KEY, UP_SALT);
    const native = nativePath();
    const before = performance.now();
    const out = native.packet(tx.protectRtp(pagePacket(1, encodeRtpProbe({ probeSeq: 0, sendMs: 1, opus: new Uint8Array(8) }))), 5, 0, 0, true, fields());
    const after = performance.now();
    expect(out.kind).toBe('echo');
    const [receipt] = native.takeReceipts();
    expect(receipt?.reflectorSendMs).toBeGreaterThanOrEqual(before);
    expect(receipt?.reflectorSendMs).toBeLessThanOrEqual(after);
  });

  it('never stamps an echo before the one numbered before it, whichever path stamped either', () => {
    const tx = new SrtpDirection(UP_KEY, UP_SALT);
    const js = new RtpReflectorCore(OPTS);
    const native = nativePath();
    // werift's path stamps the first echo on a reading ahead of the addon's own (as a preempted
    // calibration once left the addon's clock behind JavaScript's; a second, so no slow machine
    // reaches it before the addon's echo); the addon's next echo is stamped with it, not before.
    const aheadMs = performance.now() + 1000;
    const p0 = encodeRtpProbe({ probeSeq: 0, sendMs: 1, opus: new Uint8Array(8) });
    const p1 = encodeRtpProbe({ probeSeq: 1, sendMs: 2, opus: new Uint8Array(8) });
    expect(native.onFrame(p0, aheadMs - 0.5, () => aheadMs).kind).toBe('echo');
    expect(native.packet(tx.protectRtp(pagePacket(1, p1)), aheadMs - 0.4, 0, 0, true, fields()).kind).toBe('echo');
    expect(native.takeReceipts().map((r) => r.reflectorSendMs)).toEqual([aheadMs, aheadMs]);
    // The JavaScript core keeps the same order with send times given out of order.
    js.onFrame(p0, 10, () => 12);
    js.onFrame(p1, 10.5, () => 11);
    expect(js.takeReceipts().map((r) => r.reflectorSendMs)).toEqual([12, 12]);
  });

  it('reads the clock of performance.now() to microseconds: its origin bracketed, not read after a call', () => {
    const before = performance.now();
    const sinceOriginMs = Number(process.hrtime.bigint() / 1000n) / 1000 - monotonicOriginMs;
    const after = performance.now();
    // The origin is good to the calibration's bracket (microseconds); 1 ms allows for a slow read here.
    expect(sinceOriginMs).toBeGreaterThanOrEqual(before - 1);
    expect(sinceOriginMs).toBeLessThanOrEqual(after + 1);
  });

  it('is not attached to SRTP of the JavaScript making, and refuses a second attach', () => {
    const core = new NativeRtpCore(OPTS);
    expect(core.attach(new SrtpDirection(UP_KEY, UP_SALT, 'js'), new SrtpDirection(DOWN_KEY, DOWN_SALT), OUR_SSRC, PT)).toBe(false);
    expect(core.isAttached).toBe(false);
    expect(core.attach(new SrtpDirection(UP_KEY, UP_SALT), new SrtpDirection(DOWN_KEY, DOWN_SALT), OUR_SSRC, PT)).toBe(true);
    expect(core.attach(new SrtpDirection(UP_KEY, UP_SALT), new SrtpDirection(DOWN_KEY, DOWN_SALT), OUR_SSRC, PT)).toBe(false);
  });

  it('takes no handle of the addon for another kind: an echo core or a context is no SRTP direction', () => {
    const addon = nativeSrtp();
    const core = addon.echoCore(4, 160, monotonicOriginMs);
    const context = addon.context(Buffer.alloc(16), Buffer.alloc(20));
    const direction = addon.direction(Buffer.alloc(16), Buffer.alloc(20), Buffer.alloc(14));
    const wrong = [core, context] as unknown as (typeof direction)[];
    for (const w of wrong) {
      expect(() => addon.echoAttach(core, w, direction, 1, 111)).toThrow(/echoAttach/);
      expect(() => addon.unprotectRtp(w, Buffer.alloc(40))).toThrow(/unprotectRtp/);
    }
    expect(() => addon.echoTake(direction as unknown as typeof core, new Float64Array(4))).toThrow(/echoTake/);
    addon.echoAttach(core, direction, direction, 1, 111);
  });

  it('names a non-probe by the reason the JavaScript decoder gives', () => {
    const native = new NativeRtpCore(OPTS);
    const cases: Uint8Array[] = [
      new Uint8Array(5),
      new Uint8Array(20),
      Uint8Array.from([0x43, 0x52, 9, 1, ...new Uint8Array(16)]),
      Uint8Array.from([0x43, 0x52, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0]),
    ];
    for (const payload of cases) {
      const js = new RtpReflectorCore(OPTS).onFrame(payload, 1, () => 2);
      expect(js.kind).toBe('not-probe');
      expect(native.onFrame(payload, 1, () => 2)).toEqual(js);
    }
    expect(native.notProbeCount).toBe(cases.length);
  });
});
