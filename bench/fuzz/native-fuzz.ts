/**
 * The C that reads network bytes, fuzzed against its JavaScript oracle (fast-check properties):
 *
 * - The probe core (server/reflector/rtp/native/echo.c over srtp.c, `NativeRtpCore`) is fed
 *   arbitrary packets of the page: RTP headers of every shape (padding, extension, CSRCs, any
 *   sequence number and SSRC), probes and frames that are not, with their SRTP sealed right or
 *   a bit flipped, cut short, or bytes that are no SRTP at all. The oracle is what the short path
 *   ran before the addon: our SRTP in JavaScript (`SrtpDirection` with `js` cryptography), the
 *   header and padding read in JavaScript, `RtpReflectorCore`. Every outcome, field, echo (byte
 *   for byte), receipt and total must agree.
 * - The relay's fast path (server/turn/transport/native/udp.c `try_fast`, its peer echo.c's
 *   `echo_answer`) is sent arbitrary datagrams on a real UDP socket of the addon: ChannelData whose
 *   channel, length field and trailing bytes lie or not, around such packets, and datagrams that
 *   are neither. The oracle says, from the bytes alone, whether the fast path may take it (the
 *   ChannelData and RTP shape, the channel, stream and source of its entry) and then what the probe
 *   core's oracle makes of it: a datagram it must leave must reach the socket's JavaScript handler
 *   unchanged, one it takes must be answered exactly as the oracle answers.
 *
 * Used by test/server/native-fuzz.test.ts in the test's process (the addons as built), and by
 * ./native-main.ts in a process of its own under AddressSanitizer and UndefinedBehaviorSanitizer
 * (the second build of the addons, scripts/build-native.js).
 */
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { encodeRtpProbe } from '../../src/protocol/rtp-probe.js';
import { RtpReflectorCore, type RtpFrameOutcome } from '../../server/reflector/rtp/core.js';
import { NativeRtpCore, type FastTaken, type RtpPacketFields, type RtpPacketOutcome } from '../../server/reflector/rtp/native-core.js';
import { SrtpDirection, SrtpError, rtpHeaderLength, writeRtpHeader } from '../../server/reflector/rtp/srtp.js';
import { NativeUdpSocket, type FastRecord } from '../../server/turn/transport/native-udp.js';

const PAGE_SSRC = 0x1234_5678;
const OUR_SSRC = 0x0bad_cafe;
const PT = 111;
const CHANNEL = 0x4001;
const OPTS = { recentRecords: CONSTANTS.rtp.recentRecords, frameBytes: CONSTANTS.rtp.frameBytes };

/** A mismatch between the C and its oracle, or a datagram the fast path lost. */
class FuzzMismatch extends Error {
  override readonly name = 'FuzzMismatch';
}

function same(what: string, c: unknown, js: unknown): void {
  const a = JSON.stringify(c);
  const b = JSON.stringify(js);
  if (a !== b) throw new FuzzMismatch(`${what}: the addon says ${a}, its JavaScript oracle ${b}`);
}

/** The session's keys: the page's direction and ours. */
interface Keys {
  upKey: Buffer;
  upSalt: Buffer;
  downKey: Buffer;
  downSalt: Buffer;
}

const freshKeys = (): Keys => ({ upKey: randomBytes(16), upSalt: randomBytes(14), downKey: randomBytes(16), downSalt: randomBytes(14) });

/** The oracle: the short path as it ran in JavaScript (our SRTP in JavaScript, the header and padding read, RtpReflectorCore). */
class JsPath {
  readonly core = new RtpReflectorCore(OPTS);
  private readonly from: SrtpDirection;
  private readonly out: SrtpDirection;

  constructor(k: Keys) {
    this.from = new SrtpDirection(k.upKey, k.upSalt, 'js');
    this.out = new SrtpDirection(k.downKey, k.downSalt, 'js');
  }

  packet(data: Uint8Array, recvMs: number, seq: number, timestamp: number, fields: RtpPacketFields, sendMs: number): RtpPacketOutcome {
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

function nativeCore(k: Keys): NativeRtpCore {
  const core = new NativeRtpCore(OPTS);
  if (!core.attach(new SrtpDirection(k.upKey, k.upSalt), new SrtpDirection(k.downKey, k.downSalt), OUR_SSRC, PT))
    throw new FuzzMismatch('the probe core would not attach its SRTP');
  return core;
}

/** An outcome as comparable plain data (an error by its reason). */
function plain(o: RtpPacketOutcome): unknown {
  if (o.kind === 'refused') return { kind: o.kind, reason: o.err.reason };
  if (o.kind === 'echo') return { kind: o.kind, downSeq: o.downSeq, packet: o.packet?.toString('hex') ?? null, seq: o.seq, timestamp: o.timestamp };
  return o;
}

const fieldsOf = (): RtpPacketFields => ({ seq: -1, timestamp: -1, headerBytes: -1, payloadBytes: -1 });

/** One packet of the page, before its SRTP: an RTP header of any shape and a payload that is a probe or not. */
interface PagePacket {
  rtp: Buffer;
  /** Numbered next after the page's last packet (most are: a stream), else as generated (any jump). */
  next: boolean;
  /** After sealing: flip this bit (an index into the sealed bytes, wrapped), or none. */
  flip: number | null;
  /** After sealing: keep this many bytes (wrapped), or all. */
  cut: number | null;
}

/** What the page may send: a packet it seals (rightly, or then damaged), or bytes that are no SRTP at all. */
type PageStep = { kind: 'sealed'; packet: PagePacket } | { kind: 'raw'; bytes: Uint8Array };

const payloadArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  // A probe: any number and send time, an Opus frame of the usual length or any (past what fits beside the header too).
  {
    weight: 5,
    arbitrary: fc
      .record({
        probeSeq: fc.nat(),
        sendMs: fc.double({ noNaN: true, min: -1e12, max: 1e12 }),
        opus: fc.oneof({ weight: 4, arbitrary: fc.uint8Array({ maxLength: 120 }) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 1000 }) }),
      })
      .map((p) => encodeRtpProbe(p, CONSTANTS.rtp.frameBytes)),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  // A probe's first bytes with the rest arbitrary (the magic, the version, the kind read).
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((rest) => Uint8Array.from([0x43, 0x52, 1, 1, ...rest])) },
);

const rtpArb: fc.Arbitrary<Buffer> = fc
  .record({
    marker: fc.boolean(),
    pt: fc.oneof({ weight: 6, arbitrary: fc.constant(PT) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 127 }) }),
    seq: fc.integer({ min: 0, max: 0xffff }),
    timestamp: fc.nat({ max: 0xffff_ffff }),
    ssrc: fc.oneof({ weight: 6, arbitrary: fc.constant(PAGE_SSRC) }, { weight: 1, arbitrary: fc.nat({ max: 0xffff_ffff }) }),
    csrcs: fc.oneof(
      { weight: 3, arbitrary: fc.constant(new Uint8Array(0)) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 15 * 4 }).map((b) => b.subarray(0, b.length - (b.length % 4))) },
    ),
    extension: fc.option(fc.record({ profile: fc.integer({ min: 0, max: 0xffff }), words: fc.uint8Array({ maxLength: 32 }) }), { nil: null, freq: 3 }),
    payload: payloadArb,
    padding: fc.option(fc.record({ bytes: fc.integer({ min: 1, max: 40 }), last: fc.integer({ min: 0, max: 255 }) }), { nil: null, freq: 4 }),
  })
  .map((r) => {
    const header = writeRtpHeader(Buffer.alloc(12), r.marker, r.pt, r.seq, r.timestamp, r.ssrc);
    header[0] = 0x80 | (r.padding !== null ? 0x20 : 0) | (r.extension !== null ? 0x10 : 0) | (r.csrcs.length / 4);
    const ext: Buffer[] = [];
    if (r.extension !== null) {
      const words = r.extension.words.subarray(0, r.extension.words.length - (r.extension.words.length % 4));
      const head = Buffer.alloc(4);
      head.writeUInt16BE(r.extension.profile, 0);
      head.writeUInt16BE(words.length / 4, 2);
      ext.push(head, Buffer.from(words));
    }
    const pad = r.padding === null ? Buffer.alloc(0) : Buffer.alloc(r.padding.bytes);
    if (r.padding !== null) pad[pad.length - 1] = r.padding.last;
    return Buffer.concat([header, Buffer.from(r.csrcs), ...ext, Buffer.from(r.payload), pad]);
  });

const pageStepArb: fc.Arbitrary<PageStep> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({ rtp: rtpArb, next: fc.boolean(), flip: fc.constant(null), cut: fc.constant(null) })
      .map((packet) => ({ kind: 'sealed' as const, packet })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ rtp: rtpArb, next: fc.boolean(), flip: fc.option(fc.nat(), { nil: null }), cut: fc.option(fc.nat(), { nil: null }) })
      .map((packet) => ({ kind: 'sealed' as const, packet })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({ kind: 'raw' as const, bytes })) },
);

/** The page's sender: its SRTP, and its last sequence number (null: none yet). */
interface Sender {
  tx: SrtpDirection;
  lastSeq: number | null;
}

const sender = (k: Keys): Sender => ({ tx: new SrtpDirection(k.upKey, k.upSalt, 'js'), lastSeq: null });

/** The page's datagram for `step`, numbered and sealed by its sender (in order), then damaged as it says. */
function sealed(step: PageStep, s: Sender): Buffer {
  if (step.kind === 'raw') return Buffer.from(step.bytes);
  const rtp = Buffer.from(step.packet.rtp);
  if (step.packet.next && s.lastSeq !== null) rtp.writeUInt16BE((s.lastSeq + 1) & 0xffff, 2);
  s.lastSeq = rtp.readUInt16BE(2);
  let b: Buffer;
  try {
    b = Buffer.from(s.tx.protectRtp(rtp));
  } catch (err) {
    // A number our sender cannot seal (before its stream began): the packet goes as it is, no SRTP.
    if (!(err instanceof SrtpError)) throw err;
    b = rtp;
  }
  if (step.packet.flip !== null) b[step.packet.flip % b.length] = (b[step.packet.flip % b.length] as number) ^ (1 << (step.packet.flip % 8));
  if (step.packet.cut !== null) b = b.subarray(0, step.packet.cut % (b.length + 1));
  return b;
}

/** Runs the probe core and its oracle over `steps`; the echoes sealed. Throws FuzzMismatch. */
function probeCoreAgrees(steps: readonly PageStep[]): number {
  const k = freshKeys();
  const tx = sender(k);
  const js = new JsPath(k);
  const native = nativeCore(k);
  let seq = 0xfff0;
  let ts = 0xffff_ff00;
  let echoes = 0;
  steps.forEach((step, i) => {
    const data = sealed(step, tx);
    const fa = fieldsOf();
    const fb = fieldsOf();
    const recvMs = 5000 + i * 10.125;
    const a = js.packet(data, recvMs, seq, ts, fa, recvMs + 0.375);
    const b = native.packet(data, recvMs, seq, ts, true, fb, recvMs + 0.375);
    same(`packet ${i} (${data.toString('hex').slice(0, 80)})`, plain(b), plain(a));
    if (a.kind !== 'refused') same(`fields of packet ${i}`, fb, fa);
    if (a.kind === 'echo') {
      echoes++;
      seq = (seq + 1) & 0xffff;
      ts = (ts + 480) >>> 0;
    }
  });
  same('receipts', native.takeReceipts(), js.core.takeReceipts());
  same('counts', [native.received, native.notProbeCount], [js.core.received, js.core.notProbeCount]);
  same('final', native.final(), js.core.final());
  return echoes;
}

/** A datagram to the relay's socket: ChannelData around a page's packet (its channel and length field true or not, bytes after it or not), or any bytes. */
type Datagram = { kind: 'channel'; step: PageStep; channel: number; lengthDelta: number; trailing: Uint8Array } | { kind: 'any'; bytes: Uint8Array };

const datagramArb: fc.Arbitrary<Datagram> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('channel' as const),
      step: pageStepArb,
      channel: fc.oneof(
        { weight: 6, arbitrary: fc.constant(CHANNEL) },
        { weight: 1, arbitrary: fc.integer({ min: 0x4000, max: 0x4fff }) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
      ),
      lengthDelta: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -40, max: 40 }) }),
      trailing: fc.oneof({ weight: 4, arbitrary: fc.constant(new Uint8Array(0)) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('any' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }) }) },
);

/** The datagram's bytes, and the page's packet inside it (null: none). */
function framed(d: Datagram, tx: Sender): { bytes: Buffer; inner: Buffer | null } {
  if (d.kind === 'any') return { bytes: Buffer.from(d.bytes), inner: null };
  const inner = sealed(d.step, tx);
  const h = Buffer.alloc(4);
  h.writeUInt16BE(d.channel, 0);
  h.writeUInt16BE(Math.max(0, Math.min(0xffff, inner.length + d.lengthDelta)), 2);
  return { bytes: Buffer.concat([h, inner, Buffer.from(d.trailing)]), inner };
}

/** udp.c `try_fast`, read from the bytes: the RTP packet the fast path offers its peer, or null when it leaves the datagram to JavaScript at once. */
function offered(m: Buffer): Buffer | null {
  if (m.length < 4 + 12 || ((m[0] as number) & 0xc0) !== 0x40) return null;
  const len = m.readUInt16BE(2);
  if (len < 12 || 4 + len > m.length) return null;
  const d = m.subarray(4, 4 + len);
  if (((d[0] as number) & 0xc0) !== 0x80) return null;
  if (m.readUInt16BE(0) !== CHANNEL || d.readUInt32BE(8) !== PAGE_SSRC || ((d[1] as number) & 0x7f) !== PT) return null;
  return d;
}

/** The relay's addon socket with a fast entry whose peer is a probe core, a client socket, what reached JavaScript and the client. */
interface Rig {
  relay: NativeUdpSocket;
  client: Socket;
  entry: number;
  core: NativeRtpCore;
  toJs: Buffer[];
  answers: Buffer[];
  close(): void;
}

async function rig(k: Keys, first: { seq: number; timestamp: number }): Promise<Rig> {
  const relay = NativeUdpSocket.bind(4, '127.0.0.1', 0, 1 << 20);
  const toJs: Buffer[] = [];
  relay.start(
    (msg) => toJs.push(Buffer.from(msg)),
    (code) => {
      throw new FuzzMismatch(`relay socket error ${code}`);
    },
  );
  const client = createSocket('udp4');
  const answers: Buffer[] = [];
  client.on('message', (m) => answers.push(m));
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  const core = nativeCore(k);
  core.numbering(first.seq, first.timestamp, 480);
  // No rate to hit: what is fuzzed is what the bytes decide.
  const stream = { ip: '127.0.0.1', port: client.address().port, channel: CHANNEL, ssrc: PAGE_SSRC, payloadType: PT, perSecond: 1e9, burst: 1e9 };
  const entry = relay.fastAttach(stream, core.fastPeer());
  return {
    relay,
    client,
    entry,
    core,
    toJs,
    answers,
    close: () => {
      relay.close();
      client.close();
    },
  };
}

/** Waits (polling) until `done` holds, at most `ms`. */
async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!done()) {
    if (performance.now() > end) throw new FuzzMismatch(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The fast path's tally over one run: datagrams left to JavaScript, taken, and answered. */
interface FastTally {
  toJs: number;
  taken: number;
  answered: number;
}

/** Sends `datagrams` through the relay's fast path one by one, each checked against the oracle. Throws FuzzMismatch. */
async function fastPathAgrees(datagrams: readonly Datagram[], tally: FastTally): Promise<void> {
  const k = freshKeys();
  const tx = sender(k);
  const js = new JsPath(k);
  let seq = 0xfffe;
  let ts = 0xffff_ff00;
  const r = await rig(k, { seq, timestamp: ts });
  try {
    const records: FastRecord[] = [];
    const taken: FastTaken[] = [];
    for (const [i, d] of datagrams.entries()) {
      const { bytes } = framed(d, tx);
      const rtp = offered(bytes);
      const fields = fieldsOf();
      const before = { js: r.toJs.length, records: records.length, answers: r.answers.length };
      r.client.send(bytes, r.relay.port, '127.0.0.1');
      await until(
        () => {
          r.relay.fastDrain(r.entry, (x) => records.push({ ...x }));
          return r.toJs.length > before.js || records.length > before.records;
        },
        5000,
        `datagram ${i} taken or handed to JavaScript`,
      );
      r.core.drainTaken((t) => taken.push({ ...t, fields: { ...t.fields } }));
      if (r.toJs.length > before.js) {
        // Left to JavaScript: unchanged, and only what the oracle leaves (no shape to take, or refused by our SRTP).
        tally.toJs++;
        same(`datagram ${i} handed to JavaScript`, r.toJs.at(-1)?.toString('hex'), bytes.toString('hex'));
        if (rtp !== null) same(`datagram ${i}: what the probe core left`, 'refused', js.packet(rtp, 0, seq, ts, fields, 0).kind);
        continue;
      }
      tally.taken++;
      if (rtp === null)
        throw new FuzzMismatch(`datagram ${i} (${bytes.toString('hex').slice(0, 80)}) was taken, though it is no ChannelData of the entry's stream`);
      const rec = records.at(-1) as FastRecord;
      const t = taken.at(-1) as FastTaken;
      same(`datagram ${i}: the records`, [records.length, rec.dataBytes], [taken.length, rtp.length]);
      if (rec.answerBytes === 0) {
        const o = js.packet(rtp, t.recvMs, seq, ts, fields, t.recvMs);
        same(`datagram ${i}: what became of it`, t.kind, o.kind);
        same(`datagram ${i}: its fields`, t.fields, fields);
        continue;
      }
      tally.answered++;
      await until(() => r.answers.length > before.answers, 5000, `the answer to datagram ${i}`);
      const answer = r.answers.at(-1) as Buffer;
      same(`datagram ${i}: the answer's ChannelData header`, [answer.readUInt16BE(0), answer.readUInt16BE(2)], [CHANNEL, answer.length - 4]);
      const o = js.packet(rtp, t.recvMs, seq, ts, fields, t.sendMs);
      same(`datagram ${i}: its echo`, answer.subarray(4).toString('hex'), o.kind === 'echo' ? o.packet?.toString('hex') : o.kind);
      same(`datagram ${i}: its fields`, t.fields, fields);
      seq = (seq + 1) & 0xffff;
      ts = (ts + 480) >>> 0;
    }
    same('receipts', r.core.takeReceipts(), js.core.takeReceipts());
    same('final', r.core.final(), js.core.final());
  } finally {
    r.close();
  }
}

/** How much to run: fast-check's runs of each property and its seed (a failure prints the seed and path to replay it). */
export interface FuzzPlan {
  probeCoreRuns: number;
  fastPathRuns: number;
  seed: number;
}

/** What a run covered. */
export interface FuzzReport {
  probeCorePackets: number;
  probeCoreEchoes: number;
  fast: FastTally & { datagrams: number };
}

/** Both properties; throws (fast-check's report of the first counterexample, shrunk) on a mismatch. */
export async function fuzzNative(plan: FuzzPlan): Promise<FuzzReport> {
  const report: FuzzReport = { probeCorePackets: 0, probeCoreEchoes: 0, fast: { datagrams: 0, toJs: 0, taken: 0, answered: 0 } };
  fc.assert(
    fc.property(fc.array(pageStepArb, { minLength: 1, maxLength: 40 }), (steps) => {
      report.probeCorePackets += steps.length;
      report.probeCoreEchoes += probeCoreAgrees(steps);
    }),
    { seed: plan.seed, numRuns: plan.probeCoreRuns },
  );
  await fc.assert(
    fc.asyncProperty(fc.array(datagramArb, { minLength: 1, maxLength: 25 }), async (datagrams) => {
      report.fast.datagrams += datagrams.length;
      await fastPathAgrees(datagrams, report.fast);
    }),
    { seed: plan.seed, numRuns: plan.fastPathRuns },
  );
  return report;
}
