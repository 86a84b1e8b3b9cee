/**
 * The native addon's per-packet SRTP cryptography (server/reflector/rtp/native/srtp.c) against
 * the JavaScript making of the same calls and against Node's own AES-CTR and HMAC-SHA1, and its
 * bounds: a call with a range outside its buffers throws and touches nothing.
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nativeSrtp, srtpCrypto } from '../../../../server/reflector/rtp/srtp-crypto.js';

/** A counter block as SRTP's are: random, its low 16 bits (the block number) zero. */
function iv(): Buffer {
  const b = randomBytes(16);
  b[14] = 0;
  b[15] = 0;
  return b;
}

describe('SRTP cryptography: native against JavaScript and Node', () => {
  it('seals the same bytes as Node (AES-CTR, HMAC-SHA1 over the bytes and the ROC word) and as the JavaScript making, for every length from 0 to 300', () => {
    const key = randomBytes(16);
    const auth = randomBytes(20);
    const native = srtpCrypto('native', key, auth);
    const js = srtpCrypto('js', key, auth);
    for (let len = 0; len <= 300; len++) {
      const header = len % 13;
      const data = randomBytes(len + header);
      const counter = iv();
      const roc = len % 3 === 0 ? -1 : (len * 0x01010101) >>> 0;
      const a = Buffer.concat([data, Buffer.alloc(10)]);
      const b = Buffer.from(a);
      native.seal(a, header, header + len, header + len, roc, counter);
      js.seal(b, header, header + len, header + len, roc, counter);
      const enc = Buffer.concat([data.subarray(0, header), createCipheriv('aes-128-ctr', key, counter).update(data.subarray(header))]);
      const mac = createHmac('sha1', auth).update(enc);
      if (roc >= 0) mac.update(Buffer.from([roc >>> 24, (roc >>> 16) & 0xff, (roc >>> 8) & 0xff, roc & 0xff]));
      const expected = Buffer.concat([enc, mac.digest().subarray(0, 10)]);
      expect(a.toString('hex'), `length ${len}`).toBe(expected.toString('hex'));
      expect(b.toString('hex'), `length ${len}`).toBe(expected.toString('hex'));
      // And back: each making opens what the other sealed, header copied, payload decrypted.
      for (const [opener, sealed] of [
        [native, b],
        [js, a],
      ] as const) {
        const out = Buffer.alloc(header + len);
        expect(opener.open(sealed, out, header, header + len, header + len, roc, counter)).toBe(true);
        expect(out.equals(data)).toBe(true);
      }
    }
  });

  it('makes the keystream as CTR mode does past 1 KiB (several rounds of counter blocks) and when the counter carries into its high bytes', () => {
    const key = randomBytes(16);
    const auth = randomBytes(20);
    const native = srtpCrypto('native', key, auth);
    // Counter blocks whose increment carries: out of the block number, across the IV's bytes, and around from all ones.
    const carrying = [Buffer.from('00112233445566778899aabbccddfff0', 'hex'), Buffer.from('0011223344556677ffffffffffffffff', 'hex'), Buffer.alloc(16, 0xff)];
    for (const counter of [iv(), ...carrying]) {
      for (const len of [1023, 1024, 1025, 2047, 3000]) {
        const data = randomBytes(len);
        const a = Buffer.concat([data, Buffer.alloc(10)]);
        native.seal(a, 0, len, len, -1, counter);
        const enc = createCipheriv('aes-128-ctr', key, counter).update(data);
        expect(a.subarray(0, len).toString('hex'), `length ${len}, counter ${counter.toString('hex')}`).toBe(enc.toString('hex'));
        const out = Buffer.alloc(len);
        expect(native.open(a, out, 0, len, len, -1, counter)).toBe(true);
        expect(out.equals(data)).toBe(true);
      }
    }
  });

  it('refuses a tag that does not match, whatever byte changed, and writes nothing then', () => {
    const key = randomBytes(16);
    const auth = randomBytes(20);
    const counter = iv();
    const sealed = Buffer.concat([randomBytes(60), Buffer.alloc(10)]);
    srtpCrypto('native', key, auth).seal(sealed, 12, 60, 60, 7, counter);
    for (const kind of ['native', 'js'] as const) {
      const c = srtpCrypto(kind, key, auth);
      for (const at of [0, 11, 12, 59, 60, 69]) {
        const bad = Buffer.from(sealed);
        bad[at] = (bad[at] as number) ^ 0x01;
        const out = Buffer.alloc(60, 0xee);
        expect(c.open(bad, out, 12, 60, 60, 7, counter), `${kind}, byte ${at}`).toBe(false);
        expect(out.equals(Buffer.alloc(60, 0xee))).toBe(true);
      }
      // Another ROC word is another tag.
      expect(c.open(sealed, Buffer.alloc(60), 12, 60, 60, 8, counter)).toBe(false);
      expect(c.open(sealed, Buffer.alloc(60), 12, 60, 60, 7, counter)).toBe(true);
    }
  });

  it('throws on a call outside its buffers, a wrong key or IV length, or an overlapping output, and changes nothing', () => {
    const addon = nativeSrtp();
    expect(() => addon.context(Buffer.alloc(15), Buffer.alloc(20))).toThrow(/16-byte key and a 20-byte/);
    expect(() => addon.context(Buffer.alloc(16), Buffer.alloc(19))).toThrow(/16-byte key and a 20-byte/);
    const h = addon.context(randomBytes(16), randomBytes(20));
    const buf = randomBytes(40);
    const before = Buffer.from(buf);
    const bad: [number, number, number, number, Uint8Array][] = [
      [12, 30, 31, 0, iv()], // the tag past the end (31 + 10 > 40)
      [-1, 20, 30, 0, iv()],
      [20, 12, 30, 0, iv()], // encFrom after encTo
      [12, 31, 30, 0, iv()], // encTo after tagAt
      [12, 20, 30, -2, iv()],
      [12, 20, 30, 2 ** 32, iv()],
      [12, 20, 30, 0, Buffer.alloc(15)],
    ];
    for (const [from, to, tagAt, roc, counter] of bad) {
      expect(() => addon.seal(h, buf, from, to, tagAt, roc, counter), `seal ${from} ${to} ${tagAt} ${roc}`).toThrow(/bad arguments/);
      expect(() => addon.open(h, buf, Buffer.alloc(40), from, to, tagAt, roc, counter), `open ${from} ${to} ${tagAt} ${roc}`).toThrow(/bad arguments/);
    }
    expect(() => addon.open(h, buf, Buffer.alloc(10), 12, 20, 30, 0, iv())).toThrow(/outside src or dst/);
    expect(() => addon.open(h, buf, buf.subarray(1), 12, 20, 30, 0, iv())).toThrow(/overlaps/);
    expect(buf.equals(before)).toBe(true);
  });
});
