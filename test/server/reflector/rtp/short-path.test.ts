/**
 * The probe stream's short path (server/reflector/rtp/short-path.ts) against our SRTP on the other
 * side: what it takes and leaves, how it reads a header, what it counts where werift's RTCP reads
 * it, and the echo it sends. werift's receiver statistics, sender, DTLS transport and ICE
 * connection are werift's internals, stood in for here by objects of their shape, each call
 * recorded; test/server/reflector/rtp/relay-echo.test.ts runs the path against werift's own.
 */
import { describe, expect, it } from 'vitest';
import { CONSTANTS } from '../../../../src/protocol/defaults.js';
import { decodeRtpEcho, encodeRtpProbe } from '../../../../src/protocol/rtp-probe.js';
import { NativeRtpCore, type FastTaken } from '../../../../server/reflector/rtp/native-core.js';
import { SrtpDirection, type SrtpError } from '../../../../server/reflector/rtp/srtp.js';
import type { SrtpCryptoKind } from '../../../../server/reflector/rtp/srtp-crypto.js';
import { ntpTimestamp, shortPath, type NativeTake, type RtpShortPath } from '../../../../server/reflector/rtp/short-path.js';

const KEY = Buffer.from('E1F97A0D3E018BE0D64FA32C06DE4139', 'hex');
const SALT = Buffer.from('0EC675AD498AFEEBB6960B3AABE6', 'hex');
const OPUS_PT = 111;
const PAGE_SSRC = 0x1234_5678;
const OUR_SSRC = 0xcafe_f00d;

describe('ntpTimestamp (RFC 3550 §4)', () => {
  it('puts seconds since 1900 in the high word and the fraction of a second in the low word', () => {
    expect(ntpTimestamp(0)).toBe(0x83aa7e80_00000000n); // 1970-01-01 is 2,208,988,800 s after 1900
    expect(ntpTimestamp(250)).toBe(0x83aa7e80_40000000n);
    expect(ntpTimestamp(1_000_750)).toBe(0x83aa8268_c0000000n);
  });
});

interface Stage {
  path: RtpShortPath;
  page: { out: SrtpDirection; from: SrtpDirection };
  payloads: Buffer[];
  stats: { sequenceNumber: number; timestamp: number; serializeSize: number; length: number }[];
  refused: string[];
  sent: { packet: Buffer; ip: string; port: number; downSeq: number }[];
  sender: { ntpTimestamp: bigint; rtpTimestamp: number; octetCount: number; packetCount: number; headerBytesSent: number; rtcpStarts: number };
  pair: { packetsSent: number; bytesSent: number };
  consent: { fresh: boolean };
  /** With the addon's core: what it told the leg of each packet it took. */
  taken: NativeTake[];
  /** The short path's own direction (what it seals echoes with). */
  ours: SrtpDirection;
  /** What it told the leg the relay's fast path could take. */
  fastPossible: Array<{ ssrc: number; payloadType: number; answerTo: [string, number] }>;
  /** The arrival times (wall-clock seconds) given to werift's receiver statistics, when one was. */
  arrivals: number[];
}

/** The echo number the leg hands the addon's core when the short path is made with it. */
const ECHO_NUMBER = { seq: 0x1234, timestamp: 0x0abc_def0 };

/** Hooks that keep nothing, for a short path whose making alone is checked. */
const QUIET_HOOKS = {
  nowMs: () => 0,
  onPayload: () => undefined,
  onRefused: () => undefined,
  send: () => undefined,
  onTaken: () => undefined,
  onFastPossible: () => undefined,
};

function stage(core?: NativeRtpCore, crypto: SrtpCryptoKind = 'native', echoNumber = ECHO_NUMBER): Stage {
  const ours = new SrtpDirection(KEY, SALT, crypto);
  const taken: NativeTake[] = [];
  const fastPossible: Stage['fastPossible'] = [];
  const payloads: Buffer[] = [];
  const stats: Stage['stats'] = [];
  const arrivals: number[] = [];
  const refused: string[] = [];
  const sent: Stage['sent'] = [];
  const consent = { fresh: true };
  const sender = {
    ssrc: OUR_SSRC,
    codec: { payloadType: OPUS_PT },
    ntpTimestamp: 0n,
    rtpTimestamp: 0,
    octetCount: 0,
    packetCount: 0,
    headerBytesSent: 0,
    rtcpStarts: 0,
    runRtcp(): Promise<void> {
      this.rtcpStarts++;
      return Promise.resolve();
    },
  };
  const pair = { remoteAddr: ['127.0.0.1', 40000] as [string, number], packetsSent: 0, bytesSent: 0 };
  const made = shortPath(
    {
      // The page's keys both ways (one master key here): what the page sends, we unprotect; what we send, it does.
      srtp: { from: new SrtpDirection(KEY, SALT, crypto), out: ours },
      receiver: {
        stopped: false,
        remoteStreams: {
          [PAGE_SSRC]: {
            add: (p: { header: { sequenceNumber: number; timestamp: number; serializeSize: number }; payload: { length: number } }, nowS?: number) => {
              stats.push({ ...p.header, length: p.payload.length });
              if (nowS !== undefined) arrivals.push(nowS);
            },
          },
        },
        codecs: { [OPUS_PT]: { name: 'OPUS' }, 63: { name: 'red' } },
      },
      sender,
      dtls: {
        state: 'connected',
        bytesSent: 0,
        packetsSent: 0,
        iceTransport: { connection: { nominated: pair, canSendApplicationData: () => consent.fresh } },
      },
      core,
    },
    {
      nowMs: () => 42,
      onPayload: (payload, recvMs) => {
        expect(recvMs).toBe(42);
        payloads.push(Buffer.from(payload));
      },
      onRefused: (err: SrtpError) => refused.push(err.reason),
      send: (packet, ip, port, downSeq) => sent.push({ packet, ip, port, downSeq }),
      onTaken: (out) => taken.push(out),
      onFastPossible: (ssrc, payloadType, answerTo) => fastPossible.push({ ssrc, payloadType, answerTo: [...answerTo] }),
    },
  );
  if (!('path' in made)) throw new Error(made.reason);
  // As the leg does: the core numbers every echo from here on.
  if (made.path.native) core?.numbering(echoNumber.seq, echoNumber.timestamp, 480);
  return {
    path: made.path,
    page: { out: new SrtpDirection(KEY, SALT), from: new SrtpDirection(KEY, SALT) },
    payloads,
    stats,
    refused,
    sent,
    sender,
    pair,
    consent,
    taken,
    fastPossible,
    arrivals,
    ours,
  };
}

/** An RTP packet (RFC 3550 §5.1) of the page's stream: `csrc` CSRCs, an extension of `extWords` words, `padding` bytes of padding. */
function rtp(o: { seq: number; ts: number; payload: Buffer; pt?: number; ssrc?: number; csrc?: number; extWords?: number; padding?: number }): Buffer {
  const csrc = o.csrc ?? 0;
  const ext = o.extWords === undefined ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0xbe, 0xde, 0, o.extWords]), Buffer.alloc(4 * o.extWords, 7)]);
  const padding = o.padding ?? 0;
  const h = Buffer.alloc(12 + 4 * csrc);
  h[0] = 0x80 | (padding > 0 ? 0x20 : 0) | (ext.length > 0 ? 0x10 : 0) | csrc;
  h[1] = o.pt ?? OPUS_PT;
  h.writeUInt16BE(o.seq, 2);
  h.writeUInt32BE(o.ts, 4);
  h.writeUInt32BE(o.ssrc ?? PAGE_SSRC, 8);
  for (let i = 0; i < csrc; i++) h.writeUInt32BE(0x1000 + i, 12 + 4 * i);
  const pad = padding > 0 ? Buffer.concat([Buffer.alloc(padding - 1), Buffer.from([padding])]) : Buffer.alloc(0);
  return Buffer.concat([h, ext, o.payload, pad]);
}

describe('the short path', () => {
  it("takes the page's Opus packets: the payload past CSRCs and extension, without padding, counted where werift's receiver reports read it", () => {
    const s = stage();
    expect(s.path.take(s.page.out.protectRtp(rtp({ seq: 7, ts: 960, payload: Buffer.from('probe one') })))).toBe(true);
    expect(s.path.take(s.page.out.protectRtp(rtp({ seq: 8, ts: 1440, payload: Buffer.from('probe two'), csrc: 2, extWords: 1, padding: 4 })))).toBe(true);
    expect(s.path.take(s.page.out.protectRtp(rtp({ seq: 9, ts: 1920, payload: Buffer.alloc(0), padding: 8 })))).toBe(true); // padding only
    expect(s.payloads.map((p) => p.toString())).toEqual(['probe one', 'probe two', '']);
    expect(s.stats).toEqual([
      { sequenceNumber: 7, timestamp: 960, serializeSize: 12, length: 9 },
      { sequenceNumber: 8, timestamp: 1440, serializeSize: 12 + 8 + 8, length: 9 },
      { sequenceNumber: 9, timestamp: 1920, serializeSize: 12, length: 0 },
    ]);
    expect(s.path.takenCount).toBe(3);
  });

  it("leaves to werift what is not the page's Opus stream: STUN, DTLS, RTCP, another SSRC, another payload type", () => {
    const s = stage();
    const stun = Buffer.alloc(20); // a Binding request's first byte is 0 (RFC 7983 §7)
    const dtls = Buffer.from([22, 0xfe, 0xfd, ...Buffer.alloc(20)]);
    const rtcp = Buffer.from([0x80, 200, 0, 6, ...Buffer.alloc(24)]); // a sender report (RFC 3550 §6.4.1)
    const otherSsrc = s.page.out.protectRtp(rtp({ seq: 1, ts: 0, payload: Buffer.from('x'), ssrc: 99 }));
    const red = s.page.out.protectRtp(rtp({ seq: 2, ts: 0, payload: Buffer.from('x'), pt: 63 }));
    for (const d of [stun, dtls, rtcp, otherSsrc, red, Buffer.from([0x80, OPUS_PT])]) expect(s.path.take(d)).toBe(false);
    expect(s.payloads).toEqual([]);
    expect(s.path.takenCount).toBe(0);
  });

  it('drops a packet whose tag does not match, as werift does, and says so', () => {
    const s = stage();
    const bad = s.page.out.protectRtp(rtp({ seq: 3, ts: 0, payload: Buffer.from('probe') }));
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    expect(s.path.take(bad)).toBe(true);
    expect(s.refused).toEqual(['auth-failed']);
    expect(s.payloads).toEqual([]);
    expect(s.stats).toEqual([]);
  });

  it("sends an echo the page unprotects to the reflector's header and payload, and keeps werift's sender-report counts", () => {
    const s = stage();
    expect(s.path.send(Buffer.from('echo one'), 500, 4800, 0)).toBe(true);
    expect(s.path.send(Buffer.from('echo two!'), 501, 5280, 1)).toBe(true);
    expect(s.sent.map((x) => `${x.ip}:${x.port} echo ${x.downSeq}`)).toEqual(['127.0.0.1:40000 echo 0', '127.0.0.1:40000 echo 1']);
    const [first, second] = s.sent.map((x) => s.page.from.unprotectRtp(x.packet));
    expect(first?.subarray(0, 12)).toEqual(Buffer.from([0x80, OPUS_PT, 0x01, 0xf4, 0, 0, 0x12, 0xc0, 0xca, 0xfe, 0xf0, 0x0d]));
    expect(first?.subarray(12).toString()).toBe('echo one');
    expect(second?.readUInt16BE(2)).toBe(501);
    expect(second?.subarray(12).toString()).toBe('echo two!');
    expect(s.sender).toMatchObject({ rtpTimestamp: 5280, octetCount: 17, packetCount: 2, headerBytesSent: 24, rtcpStarts: 1 });
    expect(s.sender.ntpTimestamp).toBeGreaterThan(ntpTimestamp(Date.now() - 60_000));
    expect(s.pair).toMatchObject({ packetsSent: 2, bytesSent: 12 + 8 + 10 + (12 + 9 + 10) });
    expect(s.path.sentCount).toBe(2);
  });

  it('sends nothing without consent to send (RFC 7675), and leaves the echo to werift', () => {
    const s = stage();
    s.consent.fresh = false;
    expect(s.path.send(Buffer.from('echo'), 1, 480, 0)).toBe(false);
    expect(s.sent).toEqual([]);
    expect(s.sender.packetCount).toBe(0);
  });

  it("is not made when werift's members are not the ones it was written against", () => {
    const srtp = { from: new SrtpDirection(KEY, SALT), out: new SrtpDirection(KEY, SALT) };
    expect(shortPath({ srtp, receiver: {}, sender: {}, dtls: {} }, QUIET_HOOKS)).toEqual({
      reason: "werift's receiver is not the one this was written against",
    });
  });
});

describe("the short path with the addon's probe core", () => {
  const core = (): NativeRtpCore => new NativeRtpCore({ recentRecords: CONSTANTS.rtp.recentRecords, frameBytes: CONSTANTS.rtp.frameBytes });
  const probe = (probeSeq: number): Buffer => Buffer.from(encodeRtpProbe({ probeSeq, sendMs: 1000 + probeSeq, opus: Buffer.from('opus frame') }));

  it("takes a probe whole: counted where werift's receiver reports read it, echoed sealed with the leg's number, counted as werift's sender counts", () => {
    const s = stage(core());
    expect(s.path.native).toBe(true);
    expect(s.path.take(s.page.out.protectRtp(rtp({ seq: 7, ts: 960, payload: probe(0), csrc: 1, padding: 3 })))).toBe(true);
    expect(s.stats).toEqual([{ sequenceNumber: 7, timestamp: 960, serializeSize: 16, length: probe(0).length }]);
    expect(s.payloads).toEqual([]); // no step through the leg's payload hook
    expect(s.taken).toEqual([{ kind: 'echo', downSeq: 0, unsent: null }]);
    expect(s.sent.map((x) => `${x.ip}:${x.port} echo ${x.downSeq}`)).toEqual(['127.0.0.1:40000 echo 0']);
    const echo = s.page.from.unprotectRtp((s.sent[0] as Stage['sent'][number]).packet);
    expect(echo.subarray(0, 12)).toEqual(Buffer.from([0x80, OPUS_PT, 0x12, 0x34, 0x0a, 0xbc, 0xde, 0xf0, 0xca, 0xfe, 0xf0, 0x0d]));
    const frame = decodeRtpEcho(echo.subarray(12));
    expect(frame).toMatchObject({ upSeq: 0, clientSendMs: 1000, downSeq: 0, reflectorRecvMs: 42, upReceived: 1, recent: [] });
    expect(Buffer.from(frame.opus).toString()).toBe('opus frame');
    expect(s.sender).toMatchObject({ rtpTimestamp: 0x0abc_def0, octetCount: echo.length - 12, packetCount: 1, headerBytesSent: 12, rtcpStarts: 1 });
    expect(s.pair).toMatchObject({ packetsSent: 1, bytesSent: echo.length + 10 });
    expect(s.path.sentCount).toBe(1);
    // Told once that the relay's fast path could take the stream from here.
    expect(s.path.take(s.page.out.protectRtp(rtp({ seq: 8, ts: 1440, payload: probe(1) })))).toBe(true);
    expect(s.fastPossible).toEqual([{ ssrc: PAGE_SSRC, payloadType: OPUS_PT, answerTo: ['127.0.0.1', 40000] }]);
  });

  it("tells the leg again that the relay's fast path could take the stream after a withdrawal, at the next echo it seals, not before", () => {
    const s = stage(core());
    const send = (seq: number): boolean => s.path.take(s.page.out.protectRtp(rtp({ seq, ts: 480 * seq, payload: probe(seq) })));
    expect(send(1)).toBe(true);
    expect(send(2)).toBe(true);
    expect(s.fastPossible).toHaveLength(1);
    // The leg withdrew the offer (consent lost): nothing is offered while the echo cannot be sealed to a pair.
    s.path.fastWithdrawn();
    s.consent.fresh = false;
    expect(send(3)).toBe(true);
    expect(s.fastPossible).toHaveLength(1);
    // Consent back: the next sealed echo offers it again, once.
    s.consent.fresh = true;
    expect(send(4)).toBe(true);
    expect(send(5)).toBe(true);
    expect(s.fastPossible).toEqual([0, 1].map(() => ({ ssrc: PAGE_SSRC, payloadType: OPUS_PT, answerTo: ['127.0.0.1', 40000] })));
  });

  it("counts a packet the relay's fast path took as it counts one it takes, at the times the addon read", () => {
    const s = stage(core());
    const t: FastTaken = {
      kind: 'echo',
      recvMs: 1234.5,
      fields: { seq: 9, timestamp: 4320, headerBytes: 12, payloadBytes: 80 },
      notProbe: null,
      downSeq: 3,
      echoBytes: 12 + 200 + 10,
      echoSeq: 0x1240,
      echoTimestamp: 99_000,
      sendMs: 1234.75,
      sealFailed: null,
    };
    s.path.countFastTaken(t, PAGE_SSRC);
    s.path.countFastTaken({ ...t, kind: 'padding', fields: { ...t.fields, seq: 10, payloadBytes: 0 }, echoBytes: 0 }, PAGE_SSRC);
    expect(s.stats).toEqual([
      { sequenceNumber: 9, timestamp: 4320, serializeSize: 12, length: 80 },
      { sequenceNumber: 10, timestamp: 4320, serializeSize: 12, length: 0 },
    ]);
    expect(s.arrivals).toEqual([(performance.timeOrigin + 1234.5) / 1000, (performance.timeOrigin + 1234.5) / 1000]);
    expect(s.sender).toMatchObject({ sequenceNumber: 0x1240, rtpTimestamp: 99_000, octetCount: 200, packetCount: 1, headerBytesSent: 12, rtcpStarts: 1 });
    expect(s.sender.ntpTimestamp).toBe(ntpTimestamp(performance.timeOrigin + 1234.75));
    expect(s.pair).toMatchObject({ packetsSent: 1, bytesSent: 222 });
    expect([s.path.takenCount, s.path.sentCount, s.sent.length]).toEqual([2, 1, 0]);
  });

  it('tells the leg of padding-only packets and frames that are not probes, and drops a packet whose tag does not match', () => {
    const s = stage(core());
    expect(s.path.take(s.page.out.protectRtp(rtp({ seq: 1, ts: 0, payload: Buffer.alloc(0), padding: 8 })))).toBe(true);
    expect(s.path.take(s.page.out.protectRtp(rtp({ seq: 2, ts: 480, payload: Buffer.from('plain opus, not a probe') })))).toBe(true);
    const bad = s.page.out.protectRtp(rtp({ seq: 3, ts: 960, payload: probe(1) }));
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    expect(s.path.take(bad)).toBe(true);
    expect(s.taken).toEqual([{ kind: 'padding' }, { kind: 'not-probe', reason: 'bad-magic' }]);
    expect(s.refused).toEqual(['auth-failed']);
    expect(s.stats.map((x) => x.sequenceNumber)).toEqual([1, 2]);
    expect(s.sent).toEqual([]);
  });

  it('hands the echo back unsealed without consent to send (RFC 7675), for werift to send or drop', () => {
    const s = stage(core());
    s.consent.fresh = false;
    expect(s.path.take(s.page.out.protectRtp(rtp({ seq: 5, ts: 0, payload: probe(4) })))).toBe(true);
    expect(s.sent).toEqual([]);
    const [out] = s.taken;
    expect(out?.kind === 'echo' && out.unsent !== null && decodeRtpEcho(out.unsent.frame).upSeq).toBe(4);
    // It took the core's number, and the core numbers on past it.
    expect(out?.kind === 'echo' && out.unsent !== null && [out.unsent.seq, out.unsent.timestamp]).toEqual([ECHO_NUMBER.seq, ECHO_NUMBER.timestamp]);
    s.consent.fresh = true;
    expect(s.path.take(s.page.out.protectRtp(rtp({ seq: 6, ts: 480, payload: probe(5) })))).toBe(true);
    expect(s.page.from.unprotectRtp((s.sent[0] as Stage['sent'][number]).packet).readUInt16BE(2)).toBe(ECHO_NUMBER.seq + 1);
    expect(s.sender.packetCount).toBe(1);
  });

  it('tells the leg of an echo our SRTP would not seal, and sends nothing', () => {
    const s = stage(core(), 'native', { seq: 0x9000, timestamp: 0 });
    // Our stream has sent number 1: number 0x9000 would fall before it began (RFC 3711 Appendix A: a rollover counter of -1).
    s.ours.protectRtp(rtp({ seq: 1, ts: 0, payload: Buffer.from('x'), ssrc: OUR_SSRC }));
    expect(s.path.take(s.page.out.protectRtp(rtp({ seq: 5, ts: 0, payload: probe(0) })))).toBe(true);
    const [out] = s.taken;
    expect(out?.kind === 'echo' && out.unsent === null && out.failed?.reason).toBe('before-stream');
    expect(s.sent).toEqual([]);
    expect(s.sender.packetCount).toBe(0);
  });

  it("keeps to our SRTP one step at a time when the SRTP is not the addon's", () => {
    const c = core();
    const s = stage(c, 'js');
    expect(s.path.native).toBe(false);
    expect(c.isAttached).toBe(false);
    expect(s.path.take(s.page.out.protectRtp(rtp({ seq: 1, ts: 0, payload: probe(0) })))).toBe(true);
    expect(s.payloads).toHaveLength(1); // through the leg's payload hook, to its core
    expect(s.taken).toEqual([]);
  });
});
