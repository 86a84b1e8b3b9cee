/**
 * Property tests of the STUN/TURN codec (fast-check): decode -> encode -> decode gives the same
 * message (as pion/stun's fuzz does), any input either decodes or fails with StunDecodeError,
 * and ChannelData framing round-trips through the same functions the relay uses, whole or
 * split across stream chunks. Seeded (TURN_PROPERTY_SEED) so a failure reproduces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Attr,
  CHANNEL_DATA_HEADER_BYTES,
  CHANNEL_MAX,
  CHANNEL_MIN,
  HEADER_SIZE_BYTES,
  MessageClass,
  StreamFramer,
  StunDecodeError,
  StunWriter,
  appendFingerprint,
  attrValue,
  channelDataFrameBytes,
  channelDataLength,
  channelDataNumber,
  decodeStun,
  decodeXorAddress,
  encodeChannelData,
  isChannelData,
  readChannelNumber,
  readData,
  readErrorCode,
  readEvenPort,
  readFamily,
  readLifetimeS,
  readRequestedTransport,
  readText,
  type ChannelDataFraming,
  type MessageClassValue,
  type StunMessage,
} from '../../../../server/turn/codec/index.js';

const SEED = Number(process.env['TURN_PROPERTY_SEED'] ?? 20240602);
const RUNS = 2000;
const params = { seed: SEED, numRuns: RUNS };

/** Re-encodes a decoded message: same header and attribute values, FINGERPRINT recomputed. */
function encode(msg: StunMessage): Buffer {
  const w = new StunWriter(msg.method, msg.cls, msg.transactionId);
  for (const a of msg.attributes) {
    if (a.type === Attr.Fingerprint) appendFingerprint(w);
    else w.add(a.type, attrValue(msg, a));
  }
  return w.build();
}

/** What a decoded message says, minus FINGERPRINT's value (a CRC over the original padding bytes). */
function meaning(msg: StunMessage): unknown {
  return {
    method: msg.method,
    cls: msg.cls,
    tid: msg.transactionId.toString('hex'),
    attributes: msg.attributes.map((a) => [a.type, a.type === Attr.Fingerprint ? 'fingerprint' : attrValue(msg, a).toString('hex')]),
  };
}

/** Decodes, or returns the StunDecodeError; anything else thrown fails the property. */
function tryDecode(buf: Buffer): StunMessage | StunDecodeError {
  try {
    return decodeStun(buf);
  } catch (err) {
    if (err instanceof StunDecodeError) return err;
    throw err;
  }
}

/** Every typed reader the relay applies to a request: a value, undefined, or StunDecodeError. */
function readAll(msg: StunMessage): void {
  const readers: ((m: StunMessage) => unknown)[] = [
    readLifetimeS,
    readRequestedTransport,
    readChannelNumber,
    readEvenPort,
    readData,
    readErrorCode,
    (m) => readFamily(m, Attr.RequestedAddressFamily),
    (m) => readFamily(m, Attr.AdditionalAddressFamily),
    (m) => readText(m, Attr.Username, 513),
    (m) => readText(m, Attr.Realm),
    (m) => readText(m, Attr.Nonce),
  ];
  for (const read of readers) {
    try {
      read(msg);
    } catch (err) {
      if (!(err instanceof StunDecodeError)) throw err;
    }
  }
  for (const a of msg.attributes) {
    if (a.type !== Attr.XorPeerAddress && a.type !== Attr.XorMappedAddress && a.type !== Attr.XorRelayedAddress) continue;
    try {
      decodeXorAddress(msg, a);
    } catch (err) {
      if (!(err instanceof StunDecodeError)) throw err;
    }
  }
}

const attributeTypes = fc.oneof(
  fc.constantFrom(...Object.values(Attr).filter((t) => t !== Attr.Fingerprint)),
  fc.integer({ min: 0, max: 0xffff }).filter((t) => t !== Attr.Fingerprint),
);

interface MessageSpec {
  method: number;
  cls: MessageClassValue;
  tid: Uint8Array;
  attributes: { type: number; value: Uint8Array }[];
  fingerprint: boolean;
  paddingByte: number;
}

/** Any method, class, attributes (known types and any other) and padding byte. */
const messageSpecs: fc.Arbitrary<MessageSpec> = fc.record({
  method: fc.integer({ min: 0, max: 0xfff }),
  cls: fc.constantFrom<MessageClassValue>(MessageClass.Request, MessageClass.Indication, MessageClass.Success, MessageClass.Error),
  tid: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  attributes: fc.array(fc.record({ type: attributeTypes, value: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 8 }),
  fingerprint: fc.boolean(),
  paddingByte: fc.integer({ min: 0, max: 255 }),
});

function build(spec: MessageSpec): Buffer {
  const w = new StunWriter(spec.method, spec.cls, spec.tid, { paddingByte: spec.paddingByte });
  for (const a of spec.attributes) w.add(a.type, a.value);
  if (spec.fingerprint) appendFingerprint(w);
  return w.build();
}

/** Well-formed STUN messages. */
const stunMessages = messageSpecs.map(build);

/** A message with up to 4 random byte edits (header bytes included). */
const mutatedMessages = fc.tuple(stunMessages, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })).map(([buf, edits]) => {
  const out = Buffer.from(buf);
  for (const [at, byte] of edits) out[at % out.length] = byte;
  return out;
});

/** Raw bytes with a STUN header start, so they reach the attribute parser. */
const stunLookingBytes = fc.uint8Array({ minLength: HEADER_SIZE_BYTES, maxLength: 120 }).map((b) => {
  const out = Buffer.from(b);
  out[0] = (out[0] ?? 0) & 0x3f;
  out.writeUInt32BE(0x2112a442, 4);
  out.writeUInt16BE((out.length - HEADER_SIZE_BYTES) & ~3, 2);
  return out;
});

describe('STUN codec properties (RFC 8489 §5, §14)', () => {
  it('decode -> encode -> decode gives the same message, and re-encoding is stable', () => {
    fc.assert(
      fc.property(fc.oneof(stunMessages, mutatedMessages, stunLookingBytes), (buf) => {
        const first = tryDecode(buf);
        if (first instanceof StunDecodeError) return;
        const encoded = encode(first);
        const second = decodeStun(encoded);
        expect(meaning(second)).toEqual(meaning(first));
        expect(encode(second).equals(encoded)).toBe(true);
      }),
      params,
    );
  });

  it('decodes every well-formed message it is given, keeping what RFC 8489 §14.5 and §14.7 keep', () => {
    fc.assert(
      fc.property(messageSpecs, (spec) => {
        const msg = decodeStun(build(spec));
        expect([msg.method, msg.cls, msg.transactionId.toString('hex')]).toEqual([spec.method, spec.cls, Buffer.from(spec.tid).toString('hex')]);
        // After MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 counts; FINGERPRINT is last.
        let sawIntegrity = false;
        const kept: [number, string][] = [];
        for (const a of spec.attributes) {
          if (sawIntegrity && a.type !== Attr.MessageIntegritySha256) continue;
          if (a.type === Attr.MessageIntegrity || a.type === Attr.MessageIntegritySha256) sawIntegrity = true;
          kept.push([a.type, Buffer.from(a.value).toString('hex')]);
        }
        if (spec.fingerprint) kept.push([Attr.Fingerprint, 'fingerprint']);
        expect(msg.attributes.map((a) => [a.type, a.type === Attr.Fingerprint ? 'fingerprint' : attrValue(msg, a).toString('hex')])).toEqual(kept);
      }),
      params,
    );
  });

  it('never throws anything but StunDecodeError, from the decoder or any attribute reader', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
          mutatedMessages,
          stunLookingBytes,
        ),
        (buf) => {
          const msg = tryDecode(buf);
          if (!(msg instanceof StunDecodeError)) readAll(msg);
        },
      ),
      params,
    );
  });
});

const framings = fc.constantFrom<ChannelDataFraming>('datagram', 'stream');
const channels = fc.integer({ min: CHANNEL_MIN, max: CHANNEL_MAX });
const payloads = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b));

describe('ChannelData framing properties (RFC 8656 §12.4, §12.5)', () => {
  it('frame -> parse gives back the channel and the data; streams are padded with zeros, datagrams are not', () => {
    fc.assert(
      fc.property(channels, payloads, framings, (channel, data, framing) => {
        const frame = encodeChannelData(channel, data, framing);
        expect(isChannelData(frame[0])).toBe(true);
        expect(channelDataNumber(frame)).toBe(channel);
        expect(channelDataLength(frame)).toBe(data.length);
        expect(frame.subarray(CHANNEL_DATA_HEADER_BYTES, CHANNEL_DATA_HEADER_BYTES + data.length).equals(data)).toBe(true);
        expect(frame.length).toBe(channelDataFrameBytes(data.length, framing));
        const padding = frame.subarray(CHANNEL_DATA_HEADER_BYTES + data.length);
        if (framing === 'stream') {
          expect(frame.length % 4).toBe(0);
          expect(padding.length).toBeLessThan(4);
          expect(padding.every((b) => b === 0)).toBe(true);
        } else {
          expect(padding.length).toBe(0);
        }
      }),
      params,
    );
  });

  it('a stream of frames splits back into the same frames however it is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(channels, payloads), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        (messages, chunkSizes) => {
          const frames = messages.map(([channel, data]) => encodeChannelData(channel, data, 'stream'));
          const stream = Buffer.concat(frames);
          const framer = new StreamFramer();
          const out: Buffer[] = [];
          for (let at = 0, i = 0; at < stream.length; i++) {
            const size = chunkSizes[i % chunkSizes.length] ?? 1;
            out.push(...framer.push(stream.subarray(at, at + size)));
            at += size;
          }
          expect(out.map((f) => f.toString('hex'))).toEqual(frames.map((f) => f.toString('hex')));
          expect(out.map((f) => [channelDataNumber(f), channelDataLength(f)])).toEqual(messages.map(([c, d]) => [c, d.length]));
          expect(framer.bufferedBytes).toBe(0);
        },
      ),
      params,
    );
  });

  it('parses any buffer without throwing: a length that fits, or -1', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
        (buf) => {
          const len = channelDataLength(buf);
          if (buf.length < CHANNEL_DATA_HEADER_BYTES) expect(len).toBe(-1);
          else if (len >= 0) expect(CHANNEL_DATA_HEADER_BYTES + len).toBeLessThanOrEqual(buf.length);
          else expect(CHANNEL_DATA_HEADER_BYTES + buf.readUInt16BE(2)).toBeGreaterThan(buf.length);
        },
      ),
      params,
    );
  });
});
