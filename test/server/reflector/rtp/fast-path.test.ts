/**
 * The relay's fast path with the reflector's probe core as its peer: the page's SRTP packets, in
 * ChannelData on a real UDP socket of the relay (the addon's, udp.c), answered in C before any
 * JavaScript (server/turn/transport/native/fast-peer.h, server/reflector/rtp/native/echo.c).
 *
 * The oracle is the probe core as the short path calls it (NativeRtpCore.packet, itself checked
 * against the JavaScript core in native-core.test.ts): fed the same packets with the times the
 * fast path stamped (read back from each echo), it must seal the same echo byte for byte, with the
 * same RTP numbering, and keep the same receipts and totals. What the fast path must leave to
 * JavaScript (a packet our SRTP refuses, another channel, stream or source, STUN, a stream past
 * its rate, anything once the entry is detached or while the core does not number its echoes)
 * reaches the socket's JavaScript handler unchanged, and nothing else does.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { CONSTANTS } from '../../../../src/protocol/defaults.js';
import { decodeRtpEcho, encodeRtpProbe } from '../../../../src/protocol/rtp-probe.js';
import { NativeRtpCore, type FastTaken, type RtpPacketFields } from '../../../../server/reflector/rtp/native-core.js';
import { SrtpDirection, writeRtpHeader } from '../../../../server/reflector/rtp/srtp.js';
import { NativeUdpSocket, type FastRecord, type FastStream } from '../../../../server/turn/transport/native-udp.js';
import { waitFor } from '../../../kit/wait.js';

const UP_KEY = randomBytes(16);
const UP_SALT = randomBytes(14);
const DOWN_KEY = randomBytes(16);
const DOWN_SALT = randomBytes(14);
const PAGE_SSRC = 0x1234_5678;
const OUR_SSRC = 0x0bad_cafe;
const PT = 111;
const CHANNEL = 0x4001;
const OPTS = { recentRecords: CONSTANTS.rtp.recentRecords, frameBytes: CONSTANTS.rtp.frameBytes };

function pagePacket(seq: number, payload: Uint8Array, padding = 0, ssrc = PAGE_SSRC): Buffer {
  const header = writeRtpHeader(Buffer.alloc(12), false, PT, seq, (seq * 480) >>> 0, ssrc);
  if (padding > 0) header[0] = (header[0] as number) | 0x20;
  const pad = Buffer.alloc(padding);
  if (padding > 0) pad[padding - 1] = padding;
  return Buffer.concat([header, payload, pad]);
}

/** `data` in a ChannelData message (RFC 8656 §12.4) of `channel`. */
function channelData(data: Uint8Array, channel = CHANNEL): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(channel, 0);
  h.writeUInt16BE(data.length, 2);
  return Buffer.concat([h, data]);
}

const opus = (n: number): Uint8Array => new Uint8Array(n).map((_, i) => (i * 7 + n) & 0xff);
const probe = (probeSeq: number, opusBytes = 40): Uint8Array =>
  encodeRtpProbe({ probeSeq, sendMs: 1000 + probeSeq * 10.25, opus: opus(opusBytes) }, CONSTANTS.rtp.frameBytes);

function core(): NativeRtpCore {
  const c = new NativeRtpCore(OPTS);
  expect(c.attach(new SrtpDirection(UP_KEY, UP_SALT), new SrtpDirection(DOWN_KEY, DOWN_SALT), OUR_SSRC, PT)).toBe(true);
  return c;
}

/** A relay socket of the addon, a client socket, what reached the relay's JavaScript handler and what reached the client. */
interface Rig {
  relay: NativeUdpSocket;
  client: Socket;
  clientPort: number;
  toJs: Buffer[];
  answers: Buffer[];
  stream(over?: Partial<FastStream>): FastStream;
}

const open: Array<() => void> = [];
afterEach(() => {
  for (const close of open.splice(0)) close();
});

async function rig(): Promise<Rig> {
  const relay = NativeUdpSocket.bind(4, '127.0.0.1', 0, 1 << 20);
  const toJs: Buffer[] = [];
  relay.start(
    (msg) => toJs.push(Buffer.from(msg)),
    (code) => {
      throw new Error(`relay socket error ${code}`);
    },
  );
  const client = createSocket('udp4');
  const answers: Buffer[] = [];
  client.on('message', (m) => answers.push(m));
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  open.push(() => {
    relay.close();
    client.close();
  });
  const clientPort = client.address().port;
  return {
    relay,
    client,
    clientPort,
    toJs,
    answers,
    stream: (over = {}) => ({ ip: '127.0.0.1', port: clientPort, channel: CHANNEL, ssrc: PAGE_SSRC, payloadType: PT, perSecond: 1000, burst: 100, ...over }),
  };
}

const copyRecord = (r: Readonly<FastRecord>): FastRecord => ({ ...r });
const copyTaken = (t: Readonly<FastTaken>): FastTaken => ({ ...t, fields: { ...t.fields } });

describe("the relay's fast path, the probe core its peer", () => {
  it('answers every case of the stream as the short path would, byte for byte, and leaves a refused packet to JavaScript', async () => {
    const r = await rig();
    const tx = new SrtpDirection(UP_KEY, UP_SALT);
    const fast = core();
    const oracle = core();
    fast.numbering(0xfffe, 0xffff_ff00, 480);
    const entry = r.relay.fastAttach(r.stream(), fast.fastPeer());
    const stream: Array<[number, Uint8Array, number]> = [
      [65_500, opus(60), 0], // plain Opus before the first probe: not a probe
      [65_501, probe(0), 0],
      [65_502, probe(1), 0],
      [65_503, new Uint8Array(0), 30], // padding only
      [65_504, probe(2), 7], // a padded probe
      [65_505, probe(2), 0], // a duplicate probe
      [65_506, probe(3, 960), 0], // an Opus frame too long to echo beside the header
      [65_507, probe(4, 930), 0],
      [65_535, probe(5), 0],
      [3, probe(6), 0], // across the sequence-number wrap
      [5, new Uint8Array(10), 0], // too short to be a probe
    ];
    for (let i = 7; i < 30; i++) stream.push([(5 + i) & 0xffff, probe(i), 0]);
    const packets = stream.map(([seq, payload, padding]) => tx.protectRtp(pagePacket(seq, payload, padding)));
    const bad = Buffer.from(packets[3] as Buffer);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    packets.splice(3, 0, bad);

    const records: FastRecord[] = [];
    const taken: FastTaken[] = [];
    let seq = 0xfffe;
    let ts = 0xffff_ff00;
    const down = new SrtpDirection(DOWN_KEY, DOWN_SALT);
    for (const [i, data] of packets.entries()) {
      const before = { js: r.toJs.length, records: records.length, answers: r.answers.length };
      r.client.send(channelData(data), r.relay.port, '127.0.0.1');
      await waitFor(
        () => {
          r.relay.fastDrain(entry, (x) => records.push(copyRecord(x)));
          return r.toJs.length > before.js || records.length > before.records;
        },
        { timeoutMs: 5000, what: `packet ${i} taken by the fast path or handed to JavaScript` },
      );
      if (data === bad) {
        // Refused by our SRTP: JavaScript's, unchanged (its short path counts and says why).
        expect(r.toJs.at(-1)?.equals(channelData(bad))).toBe(true);
        expect(records.length).toBe(before.records);
        continue;
      }
      expect(r.toJs.length, `packet ${i} reached JavaScript`).toBe(before.js);
      fast.drainTaken((t) => taken.push(copyTaken(t)));
      const rec = records.at(-1) as FastRecord;
      const t = taken.at(-1) as FastTaken;
      expect(taken.length).toBe(records.length);
      // Each addon puts the one reading of the kernel's clock on performance.now()'s clock with its own origin: the same time, to a few microseconds.
      expect(Math.abs(t.recvMs - rec.recvMs)).toBeLessThan(1);
      expect(rec.dataBytes).toBe(data.length);
      expect([rec.upSeq, rec.upTimestamp]).toEqual([data.readUInt16BE(2), data.readUInt32BE(4)]);
      expect(rec.upPadding).toBe(((data[0] as number) & 0x20) !== 0);
      const f: RtpPacketFields = { seq: -1, timestamp: -1, headerBytes: -1, payloadBytes: -1 };
      if (rec.answerBytes === 0) {
        const o = oracle.packet(data, t.recvMs, seq, ts, true, f, t.recvMs);
        expect(o.kind, `packet ${i}`).toBe(t.kind);
        expect(t.fields, `fields of packet ${i}`).toEqual(f);
        continue;
      }
      await waitFor(() => r.answers.length > before.answers, { timeoutMs: 5000, what: `the answer to packet ${i}` });
      const answer = r.answers.at(-1) as Buffer;
      expect([answer.readUInt16BE(0), answer.readUInt16BE(2)]).toEqual([CHANNEL, answer.length - 4]);
      const sealed = answer.subarray(4);
      expect(sealed.length).toBe(rec.answerBytes);
      expect([rec.answerSsrc, rec.answerSeq, rec.answerTimestamp, rec.sendFailure]).toEqual([OUR_SSRC, seq, ts, null]);
      const echo = decodeRtpEcho(down.unprotectRtp(sealed).subarray(12));
      expect(echo.reflectorRecvMs).toBe(t.recvMs);
      expect(echo.reflectorSendMs).toBe(t.sendMs);
      expect(echo.reflectorSendMs).toBeGreaterThanOrEqual(echo.reflectorRecvMs);
      const o = oracle.packet(data, echo.reflectorRecvMs, seq, ts, true, f, echo.reflectorSendMs);
      expect(o.kind === 'echo' ? o.packet?.toString('hex') : o.kind, `echo of packet ${i}`).toBe(sealed.toString('hex'));
      expect(t).toMatchObject({
        kind: 'echo',
        echoBytes: sealed.length,
        echoSeq: seq,
        echoTimestamp: ts,
        sealFailed: null,
        downSeq: o.kind === 'echo' ? o.downSeq : -1,
      });
      expect(t.fields).toEqual(f);
      seq = (seq + 1) & 0xffff;
      ts = (ts + 480) >>> 0;
    }
    expect(records.filter((x) => x.answerBytes > 0).length).toBeGreaterThan(25);
    expect(fast.takeReceipts()).toEqual(oracle.takeReceipts());
    expect(fast.nextNumber()).toEqual({ seq, timestamp: ts });
    expect(fast.final()).toEqual(oracle.final());
  });

  it('leaves other channels, streams, sources and STUN to JavaScript, and everything once detached or while the core does not number', async () => {
    const r = await rig();
    const tx = new SrtpDirection(UP_KEY, UP_SALT);
    const fast = core();
    fast.numbering(7, 7000, 480);
    const entry = r.relay.fastAttach(r.stream(), fast.fastPeer());
    const other = createSocket('udp4');
    await new Promise<void>((resolve) => other.bind(0, '127.0.0.1', resolve));
    open.push(() => other.close());
    let n = 0;
    const probeOf = (ssrc = PAGE_SSRC): Buffer => tx.protectRtp(pagePacket(100 + n, probe(n++), 0, ssrc));
    const stun = Buffer.from('000100002112a442000000000000000000000000', 'hex');
    const leftAlone: Array<[string, Buffer, Socket]> = [
      ['another channel', channelData(probeOf(), CHANNEL + 1), r.client],
      ['another SSRC', channelData(probeOf(0x0101_0101)), r.client],
      ['another source', channelData(probeOf()), other],
      ['a STUN request', stun, r.client],
    ];
    for (const [what, msg, from] of leftAlone) {
      const before = r.toJs.length;
      from.send(msg, r.relay.port, '127.0.0.1');
      await waitFor(() => r.toJs.length > before, { timeoutMs: 5000, what });
      expect(r.toJs.at(-1)?.equals(msg), what).toBe(true);
    }
    // One the fast path takes, for contrast, then the entry's numbering ended, then the entry gone.
    const taken: FastRecord[] = [];
    r.client.send(channelData(probeOf()), r.relay.port, '127.0.0.1');
    await waitFor(() => r.relay.fastDrain(entry, (x) => taken.push(copyRecord(x))) > 0, { timeoutMs: 5000, what: 'the fast path to take one' });
    expect(taken[0]?.answerSeq).toBe(7);
    await waitFor(() => r.answers.length === 1, { timeoutMs: 5000, what: 'its answer' });
    // An echo JavaScript sends another way takes the core's next number; the fast path numbers on past it.
    expect(fast.nextNumber()).toEqual({ seq: 8, timestamp: 7480 });
    // A core that does not number its echoes yet: left to JavaScript (the fast path has no number to give).
    const unnumbered = core();
    const second = r.relay.fastAttach(r.stream({ channel: CHANNEL + 2 }), unnumbered.fastPeer());
    for (const [what, channel] of [
      ['a core that does not number yet', CHANNEL + 2],
      ['after the entry was detached', CHANNEL],
    ] as const) {
      if (channel === CHANNEL) r.relay.fastDetach(entry);
      const msg = channelData(probeOf(), channel);
      const before = r.toJs.length;
      r.client.send(msg, r.relay.port, '127.0.0.1');
      await waitFor(() => r.toJs.length > before, { timeoutMs: 5000, what });
      expect(r.toJs.at(-1)?.equals(msg), what).toBe(true);
    }
    expect(r.relay.fastDrain(second, () => undefined)).toBe(0);
    expect(unnumbered.drainTaken(() => undefined)).toBe(0);
    expect(() => r.relay.fastDrain(entry, () => undefined)).toThrow(/fastTake/);
    expect(r.answers.length).toBe(1);
  });

  it('takes at most its burst at once: past it, the stream goes to JavaScript, whose quotas apply', async () => {
    const r = await rig();
    const tx = new SrtpDirection(UP_KEY, UP_SALT);
    const fast = core();
    fast.numbering(0, 0, 480);
    // One datagram a minute, 3 at once: the six sent back to back refill a few thousandths of one.
    const entry = r.relay.fastAttach(r.stream({ perSecond: 1 / 60, burst: 3 }), fast.fastPeer());
    for (let i = 0; i < 6; i++) r.client.send(channelData(tx.protectRtp(pagePacket(i, probe(i)))), r.relay.port, '127.0.0.1');
    const records: FastRecord[] = [];
    await waitFor(
      () => {
        r.relay.fastDrain(entry, (x) => records.push(copyRecord(x)));
        return records.length + r.toJs.length === 6;
      },
      { timeoutMs: 5000, what: 'all six taken or handed on' },
    );
    expect(records.map((x) => x.upSeq)).toEqual([0, 1, 2]);
    expect(r.toJs.map((m) => m.readUInt16BE(6))).toEqual([3, 4, 5]);
  });

  it('refuses a peer that is not one, and an entry past the 256th', async () => {
    const r = await rig();
    const fast = core();
    const peer = fast.fastPeer();
    expect(() => r.relay.fastAttach(r.stream(), { functions: peer.functions, state: peer.functions as never })).toThrow(/not the peer/);
    expect(() => r.relay.fastAttach(r.stream(), { functions: peer.state as never, state: peer.state })).toThrow(/fastAttach/);
    expect(() => r.relay.fastAttach(r.stream({ channel: 0x3fff }), peer)).toThrow(/channel 0x4000-0x4fff/);
    const entries = Array.from({ length: 256 }, (_, i) => r.relay.fastAttach(r.stream({ channel: CHANNEL + i }), peer));
    expect(new Set(entries).size).toBe(256);
    expect(() => r.relay.fastAttach(r.stream({ channel: CHANNEL + 256 }), peer)).toThrow(/every entry/);
    // One let go, one more taken, in its place.
    r.relay.fastDetach(entries[17] as number);
    expect(r.relay.fastAttach(r.stream({ channel: CHANNEL + 256 }), peer)).toBe(entries[17]);
    expect(() => new NativeRtpCore(OPTS).fastPeer()).toThrow(/no SRTP attached/);
  });
});
