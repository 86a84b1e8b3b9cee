/**
 * The page's DTLS handshake records on their way to werift's DTLS server: each handshake message
 * reaches werift once (RFC 6347 §4.2.2), except what werift answers with its own flight again
 * (the latest ClientHello, anything encrypted), and what does not parse passes untouched.
 */
import { describe, expect, it } from 'vitest';
import { DtlsHandshakeFilter, isDtls } from '../../../../server/reflector/rtp/werift-dtls.js';

const CLIENT_HELLO = 1;
const CERTIFICATE = 11;
const CERTIFICATE_VERIFY = 15;
const CLIENT_KEY_EXCHANGE = 16;

/** A handshake message (RFC 6347 §4.2.2) of `bodyBytes`, whole unless `fragment` says which part. */
function message(type: number, messageSeq: number, bodyBytes = 8, fragment?: { offset: number; length: number }): Buffer {
  const f = fragment ?? { offset: 0, length: bodyBytes };
  const h = Buffer.alloc(12);
  h[0] = type;
  h.writeUIntBE(bodyBytes, 1, 3);
  h.writeUInt16BE(messageSeq, 4);
  h.writeUIntBE(f.offset, 6, 3);
  h.writeUIntBE(f.length, 9, 3);
  return Buffer.concat([h, Buffer.alloc(f.length, messageSeq)]);
}

/** A DTLS record (RFC 6347 §4.1) of `contentType` in `epoch`. */
function record(contentType: number, epoch: number, sequence: number, fragment: Buffer): Buffer {
  const h = Buffer.alloc(13);
  h[0] = contentType;
  h.writeUInt16BE(0xfefd, 1);
  h.writeUInt16BE(epoch, 3);
  h.writeUIntBE(sequence, 5, 6);
  h.writeUInt16BE(fragment.length, 11);
  return Buffer.concat([h, fragment]);
}

const handshake = (sequence: number, ...messages: Buffer[]): Buffer => record(22, 0, sequence, Buffer.concat(messages));
const changeCipherSpec = (sequence: number): Buffer => record(20, 0, sequence, Buffer.from([1]));
const finished = (sequence: number): Buffer => record(22, 1, sequence, Buffer.alloc(40, 7));

/** The page's flight 5 as BoringSSL sends it, in one datagram, its records numbered from `first`. */
const flight5 = (first: number): Buffer =>
  Buffer.concat([
    handshake(first, message(CERTIFICATE, 2, 300)),
    handshake(first + 1, message(CLIENT_KEY_EXCHANGE, 3, 33)),
    handshake(first + 2, message(CERTIFICATE_VERIFY, 4, 74)),
    changeCipherSpec(first + 3),
    finished(0),
  ]);

describe('DtlsHandshakeFilter', () => {
  it('passes a whole handshake once, and of its retransmission only what werift answers with its last flight again', () => {
    const f = new DtlsHandshakeFilter();
    const hello = handshake(0, message(CLIENT_HELLO, 0, 150));
    expect(f.keep(hello)).toBe(hello);
    // The HelloVerifyRequest was lost: the same ClientHello again is passed (werift sends its HelloVerifyRequest again).
    expect(f.keep(handshake(1, message(CLIENT_HELLO, 0, 150)))).not.toBeNull();
    const cookie = handshake(2, message(CLIENT_HELLO, 1, 170));
    expect(f.keep(cookie)).toBe(cookie);
    // Flight 4 was lost: the ClientHello with the cookie again is passed (werift sends its flight 4 again).
    expect(f.keep(handshake(3, message(CLIENT_HELLO, 1, 170)))).not.toBeNull();
    // A late first ClientHello after the second is a copy: werift would draw a new key pair after its ServerHello.
    expect(f.keep(handshake(4, message(CLIENT_HELLO, 0, 150)))).toBeNull();
    const first = flight5(5);
    expect(f.keep(first)).toBe(first);
    // Flight 6 was lost: the retransmitted flight 5 reaches werift as its ChangeCipherSpec and Finished alone.
    const again = f.keep(flight5(9));
    expect(again).toEqual(Buffer.concat([changeCipherSpec(12), finished(0)]));
    // The first copy, delayed past its retransmission: nothing werift has not had, but the Finished.
    expect(f.keep(first)).toEqual(Buffer.concat([changeCipherSpec(8), finished(0)]));
    expect(f.droppedCount).toBe(1 + 3 + 3);
  });

  it('passes fragments, a message it has not had whole, and what does not parse, as they came', () => {
    const f = new DtlsHandshakeFilter();
    const part1 = handshake(0, message(CERTIFICATE, 2, 300, { offset: 0, length: 150 }));
    const part2 = handshake(1, message(CERTIFICATE, 2, 300, { offset: 150, length: 150 }));
    expect(f.keep(part1)).toBe(part1);
    expect(f.keep(part2)).toBe(part2);
    expect(f.keep(part1)).toBe(part1);
    // The Certificate late, after the messages that follow it: werift has not had it whole.
    expect(f.keep(handshake(2, message(CLIENT_KEY_EXCHANGE, 3)))).not.toBeNull();
    const cert = handshake(3, message(CERTIFICATE, 2, 300));
    expect(f.keep(cert)).toBe(cert);
    const truncated = handshake(4, message(CLIENT_KEY_EXCHANGE, 3)).subarray(0, 20);
    expect(f.keep(truncated)).toBe(truncated);
    const badLength = Buffer.from(handshake(5, message(CLIENT_KEY_EXCHANGE, 3)));
    badLength.writeUInt16BE(2, 11);
    expect(f.keep(badLength)).toBe(badLength);
    expect(f.droppedCount).toBe(0);
  });

  it('tells DTLS by its first byte (RFC 7983 §7)', () => {
    expect([19, 20, 63, 64, 128].map((b) => isDtls(Buffer.from([b, 0])))).toEqual([false, true, true, false, false]);
    expect(isDtls(Buffer.alloc(0))).toBe(false);
  });
});
