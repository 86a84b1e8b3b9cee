/**
 * Our SRTP (server/reflector/rtp/srtp.ts) against the published vectors (RFC 3711 Appendix B.2
 * and B.3, libsrtp's reference packets for AES_CM_128_HMAC_SHA1_80), against werift's own SRTP
 * both ways across a sequence-number wrap, and in werift's DTLS transport (werift-srtp.ts); the
 * packet tests on the native addon's cryptography and on the JavaScript one alike (srtp-crypto.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, RtpHeader, SrtcpSession, SrtpAuthenticationError, SrtpSession } from 'werift';
import {
  SrtpDirection,
  SrtpError,
  advanceRoc,
  counterBlock,
  deriveSessionKeys,
  guessRoc,
  rtpHeaderLength,
  type RocState,
} from '../../../../server/reflector/rtp/srtp.js';
import { useOwnSrtp } from '../../../../server/reflector/rtp/werift-srtp.js';
import { HmacSha1 } from '../../../../server/reflector/rtp/hmac-sha1.js';
import { MAX_SRTP_STREAMS, type SrtpCryptoKind } from '../../../../server/reflector/rtp/srtp-crypto.js';

/** Each test of packets runs on both makings of the per-packet cryptography (srtp-crypto.ts). */
const CRYPTO = ['native', 'js'] as const satisfies readonly SrtpCryptoKind[];

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 3711 Appendix B.3 (and libsrtp's test key): master key and salt.
const MASTER_KEY = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
const MASTER_SALT = hex('0EC675AD498AFEEBB6960B3AABE6');

function reasonOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof SrtpError) return err.reason;
    throw err;
  }
  return 'no error';
}

describe('HMAC-SHA1 with the pad states kept', () => {
  it('gives RFC 2202 test cases 1, 2 and 6', () => {
    expect(new HmacSha1(Buffer.alloc(20, 0x0b)).digest(Buffer.from('Hi There')).toString('hex')).toBe('b617318655057264e28bc0b6fb378c8ef146be00');
    expect(new HmacSha1(Buffer.from('Jefe')).digest(Buffer.from('what do ya want for nothing?')).toString('hex')).toBe(
      'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
    );
    expect(new HmacSha1(Buffer.alloc(80, 0xaa)).digest(Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')).toString('hex')).toBe(
      'aa4ae5e15272d00e95705637ce8a3b55ed402112',
    );
  });

  it("equals Node's createHmac for every length from 0 to 200 bytes, keys of 0 to 100 bytes, with and without a trailing word, again and again", () => {
    for (const keyBytes of [0, 1, 20, 63, 64, 65, 100]) {
      const key = randomBytes(keyBytes);
      const h = new HmacSha1(key);
      for (let n = 0; n <= 200; n++) {
        const data = randomBytes(n);
        const word = (n * 0x01010101) >>> 0;
        const w = Buffer.alloc(4);
        w.writeUInt32BE(word);
        expect(h.digest(data).toString('hex'), `key ${keyBytes} B, ${n} B`).toBe(createHmac('sha1', key).update(data).digest('hex'));
        const out = Buffer.alloc(14);
        h.tagInto(data, word, out, 2, 10);
        expect(out.subarray(2, 12).toString('hex'), `key ${keyBytes} B, ${n} B and a word`).toBe(
          createHmac('sha1', key).update(data).update(w).digest('hex').slice(0, 20),
        );
      }
    }
  });
});

describe('key derivation and keystream (RFC 3711 Appendix B)', () => {
  it('derives the B.3 session keys from the master key and salt', () => {
    const k = deriveSessionKeys(MASTER_KEY, MASTER_SALT);
    expect(k.rtpKey.toString('hex')).toBe('c61e7a93744f39ee10734afe3ff7a087');
    expect(k.rtpSalt.toString('hex')).toBe('30cbbc08863d8c85d49db34a9ae1');
    expect(k.rtpAuth.toString('hex')).toBe('cebe321f6ff7716b6fd4ab49af256a156d38baa4');
    // The SRTCP keys come from other labels: not equal to the SRTP ones.
    expect(k.rtcpKey.equals(k.rtpKey)).toBe(false);
    expect(k.rtcpAuth.length).toBe(20);
    expect(k.rtcpSalt.length).toBe(14);
  });

  it('forms the B.2 counter block (SSRC 0, index 0) and folds in the SSRC and a 48-bit index', () => {
    const salt = hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD');
    expect(counterBlock(salt, 0, 0).toString('hex')).toBe('f0f1f2f3f4f5f6f7f8f9fafbfcfd0000');
    // libsrtp's reference packet: SSRC 0xCAFEBABE, index 0x1234, the B.3 session salt.
    expect(counterBlock(hex('30CBBC08863D8C85D49DB34A9AE1'), 0xcafebabe, 0x1234).toString('hex')).toBe('30cbbc084cc3363bd49db34a88d50000');
    // ROC 0x0102, SEQ 0x0304: index 0x010203 04 reaches bytes 10-13; a 48-bit index reaches bytes 8-9.
    expect(counterBlock(Buffer.alloc(14), 0, 0x0102_0304).toString('hex')).toBe('00000000000000000000010203040000');
    expect(counterBlock(Buffer.alloc(14), 0, 0xabcd * 0x1_0000_0000 + 1).toString('hex')).toBe('0000000000000000abcd000000010000');
  });

  it('refuses master keys of the wrong length', () => {
    expect(reasonOf(() => deriveSessionKeys(Buffer.alloc(32), MASTER_SALT))).toBe('bad-key');
    expect(reasonOf(() => new SrtpDirection(MASTER_KEY, Buffer.alloc(12)))).toBe('bad-key');
  });
});

describe.each(CRYPTO)('libsrtp reference packets (AES_CM_128_HMAC_SHA1_80), %s cryptography', (crypto) => {
  const rtpPlain = hex('800f1234decafbadcafebabe' + 'ab'.repeat(16));
  const rtpProtected = hex('800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb');
  const rtcpPlain = hex('81c8000bcafebabe' + 'ab'.repeat(16));
  const rtcpProtected = hex('81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798');

  it('protects and unprotects the SRTP reference packet, leaving the input as it was', () => {
    const input = Buffer.from(rtpPlain);
    expect(new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).protectRtp(input).toString('hex')).toBe(rtpProtected.toString('hex'));
    expect(input.equals(rtpPlain)).toBe(true);
    expect(new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).unprotectRtp(rtpProtected).toString('hex')).toBe(rtpPlain.toString('hex'));
  });

  it('protects the SRTCP reference packet with index 1 and the E flag, and unprotects it', () => {
    expect(new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).protectRtcp(rtcpPlain).toString('hex')).toBe(rtcpProtected.toString('hex'));
    expect(new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).unprotectRtcp(rtcpProtected).toString('hex')).toBe(rtcpPlain.toString('hex'));
  });

  it('refuses a changed byte anywhere, a packet shorter than its header and tag, and another key', () => {
    const rx = new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto);
    for (const at of [1, 12, rtpProtected.length - 1]) {
      const bad = Buffer.from(rtpProtected);
      bad[at] = (bad[at] as number) ^ 0x01;
      expect(reasonOf(() => rx.unprotectRtp(bad))).toBe('auth-failed');
    }
    const badRtcp = Buffer.from(rtcpProtected);
    badRtcp[10] = (badRtcp[10] as number) ^ 0x80;
    expect(reasonOf(() => rx.unprotectRtcp(badRtcp))).toBe('auth-failed');
    expect(reasonOf(() => rx.unprotectRtp(rtpProtected.subarray(0, 21)))).toBe('short-packet');
    expect(reasonOf(() => rx.unprotectRtcp(rtcpProtected.subarray(0, 21)))).toBe('short-packet');
    expect(reasonOf(() => new SrtpDirection(Buffer.alloc(16, 1), MASTER_SALT, crypto).unprotectRtp(rtpProtected))).toBe('auth-failed');
    // The refusals moved no state: the packet itself still unprotects.
    expect(rx.unprotectRtp(rtpProtected).equals(rtpPlain)).toBe(true);
  });

  it('unprotects an SRTCP packet sent unencrypted (E flag clear), and refuses it with a changed byte', () => {
    // RFC 3711 §3.4: the E flag clear, the body left as it was; the tag still covers it, with the index word.
    const keys = deriveSessionKeys(MASTER_KEY, MASTER_SALT);
    const unsent = Buffer.concat([rtcpPlain, hex('00000001')]);
    const clear = Buffer.concat([unsent, createHmac('sha1', keys.rtcpAuth).update(unsent).digest().subarray(0, 10)]);
    expect(new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).unprotectRtcp(clear).toString('hex')).toBe(rtcpPlain.toString('hex'));
    const bad = Buffer.from(clear);
    bad[9] = (bad[9] as number) ^ 0x01;
    expect(reasonOf(() => new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).unprotectRtcp(bad))).toBe('auth-failed');
  });
});

describe('the two makings, packet by packet', () => {
  it('protect and unprotect the same bytes over 3,000 packets whose numbers jump, go back and wrap, on two SSRCs', () => {
    const txNative = new SrtpDirection(MASTER_KEY, MASTER_SALT, 'native');
    const txJs = new SrtpDirection(MASTER_KEY, MASTER_SALT, 'js');
    const rxNative = new SrtpDirection(MASTER_KEY, MASTER_SALT, 'native');
    const rxJs = new SrtpDirection(MASTER_KEY, MASTER_SALT, 'js');
    // A seeded walk: mostly +1, sometimes a jump ahead or back (reorder), across several wraps of 65,536.
    let x = 12345;
    const next = (): number => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const seqs = [65000, 65000];
    for (let i = 0; i < 3000; i++) {
      const stream = i % 2;
      const r = next();
      const step = r < 0.8 ? 1 : r < 0.9 ? -Math.floor(next() * 50) : Math.floor(next() * 2000);
      seqs[stream] = ((seqs[stream] as number) + step + 0x10000) & 0xffff;
      const header = hex('80 6f 0000 00000000 00000000');
      header.writeUInt16BE(seqs[stream] as number, 2);
      header.writeUInt32BE(1000 + i, 4);
      header.writeUInt32BE(stream === 0 ? 0x11223344 : 0x55667788, 8);
      const payload = Buffer.alloc(1 + (i % 200), i & 0xff);
      const a = txNative.protectRtpParts(header, payload);
      const b = txJs.protectRtpParts(header, payload);
      expect(a.toString('hex'), `packet ${i}`).toBe(b.toString('hex'));
      const plain = Buffer.concat([header, payload]).toString('hex');
      expect(rxNative.unprotectRtp(b).toString('hex'), `packet ${i}`).toBe(plain);
      expect(rxJs.unprotectRtp(a).toString('hex'), `packet ${i}`).toBe(plain);
    }
  });

  it.each(CRYPTO)('refuse, in the %s making, a packet from before its stream began and one SSRC more than they keep, and stay as they were', (crypto) => {
    const header = (seq: number, ssrc: number): Buffer => {
      const h = hex('80 6f 0000 00000000 00000000');
      h.writeUInt16BE(seq, 2);
      h.writeUInt32BE(ssrc, 8);
      return h;
    };
    const tx = new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto);
    const rx = new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto);
    const payload = Buffer.alloc(20, 7);
    // The stream begins at 10; 60,000 is nearer the index before it (ROC -1) than after it.
    expect(rx.unprotectRtp(new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).protectRtpParts(header(10, 1), payload)).length).toBe(32);
    const early = new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto);
    early.protectRtpParts(header(60000, 1), payload); // another sender whose ROC is 0 at 60,000
    expect(reasonOf(() => rx.unprotectRtp(early.protectRtpParts(header(60001, 1), payload)))).toBe('before-stream');
    tx.protectRtpParts(header(10, 1), payload);
    expect(reasonOf(() => tx.protectRtpParts(header(60000, 1), payload))).toBe('before-stream');
    // MAX_SRTP_STREAMS SSRCs are kept; the next is refused both ways, and the kept ones go on.
    for (let ssrc = 2; ssrc <= MAX_SRTP_STREAMS; ssrc++) rx.unprotectRtp(tx.protectRtpParts(header(5, ssrc), payload));
    expect(reasonOf(() => tx.protectRtpParts(header(5, 1000), payload))).toBe('too-many-streams');
    const other = new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).protectRtpParts(header(5, 1000), payload);
    expect(reasonOf(() => rx.unprotectRtp(other))).toBe('too-many-streams');
    expect(
      rx
        .unprotectRtp(tx.protectRtpParts(header(11, 1), payload))
        .subarray(12)
        .equals(payload),
    ).toBe(true);
  });
});

describe('the rollover counter (RFC 3711 §3.3.1, Appendix A)', () => {
  it('guesses the ROC nearest the highest index taken, by hand-worked cases', () => {
    const at = (lastSeq: number, roc: number): RocState => ({ lastSeq, roc });
    expect(guessRoc(3, at(65530, 0))).toBe(1); // wrapped forward
    expect(guessRoc(65533, at(5, 1))).toBe(0); // late, from before the wrap
    expect(guessRoc(100, at(90, 2))).toBe(2);
    expect(guessRoc(80, at(90, 2))).toBe(2); // reordered, same epoch
    expect(guessRoc(40000, at(32768, 0))).toBe(0); // s_l at the boundary: both halves
    expect(guessRoc(10, at(32778, 0))).toBe(0); // s_l - 32768 = 10, not above 10: the same epoch
    expect(guessRoc(10, at(32779, 0))).toBe(1); // s_l - 32768 = 11 > 10: a wrap
  });

  it('moves s_l and the ROC forward only', () => {
    const s: RocState = { lastSeq: 65530, roc: 0 };
    advanceRoc(65520, 0, s); // older: nothing moves
    expect(s).toEqual({ lastSeq: 65530, roc: 0 });
    advanceRoc(3, 1, s);
    expect(s).toEqual({ lastSeq: 3, roc: 1 });
    advanceRoc(65534, 0, s); // a late packet of the last epoch
    expect(s).toEqual({ lastSeq: 3, roc: 1 });
  });

  it('reads an RTP header with CSRCs and an extension, and refuses one longer than the packet', () => {
    const h = new RtpHeader({
      sequenceNumber: 1,
      timestamp: 2,
      ssrc: 3,
      payloadType: 111,
      csrc: [7, 8],
      extension: true,
      extensions: [{ id: 1, payload: Buffer.from([1, 2, 3]) }],
    });
    const bytes = h.serialize(h.serializeSize);
    expect(rtpHeaderLength(bytes, bytes.length)).toBe(bytes.length);
    expect(rtpHeaderLength(bytes, bytes.length - 1)).toBe(-1);
    expect(rtpHeaderLength(bytes, 11)).toBe(-1);
  });
});

describe.each(CRYPTO)('against werift, both ways, %s cryptography', (crypto) => {
  const keys = (a: Buffer, aSalt: Buffer, b: Buffer, bSalt: Buffer) => ({
    keys: { localMasterKey: a, localMasterSalt: aSalt, remoteMasterKey: b, remoteMasterSalt: bSalt },
    profile: ProtectionProfileAes128CmHmacSha1_80,
  });
  const keyB = hex('00112233445566778899aabbccddeeff');
  const saltB = hex('0102030405060708090a0b0c0d0e');
  // Across a wrap of the sequence number, with a header werift writes with CSRCs and an extension on some.
  const seqs = [65531, 65533, 65532, 65534, 65535, 0, 2, 1, 3, 4];
  const header = (seq: number, i: number): RtpHeader =>
    new RtpHeader({
      sequenceNumber: seq,
      timestamp: 1000 + 480 * i,
      ssrc: 0x11223344,
      payloadType: 111,
      marker: i === 0,
      ...(i % 3 === 1 ? { csrc: [0xdeadbeef] } : {}),
      ...(i % 4 === 2 ? { extension: true, extensions: [{ id: 3, payload: Buffer.from([9, 9]) }] } : {}),
    });
  const payload = (i: number): Buffer => Buffer.alloc(40 + i, i + 1);

  it('unprotects what werift protects, and werift unprotects what we protect', () => {
    const weriftTx = new SrtpSession(keys(MASTER_KEY, MASTER_SALT, keyB, saltB));
    const weriftRx = new SrtpSession(keys(keyB, saltB, MASTER_KEY, MASTER_SALT));
    const ourRx = new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto);
    const ourTx = new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto);
    seqs.forEach((seq, i) => {
      const h = header(seq, i);
      const plain = Buffer.concat([h.serialize(h.serializeSize), payload(i)]);
      const fromWerift = weriftTx.encrypt(payload(i), h);
      expect(ourRx.unprotectRtp(fromWerift).toString('hex'), `werift -> ours, seq ${seq}`).toBe(plain.toString('hex'));
      const ours = ourTx.protectRtp(plain);
      expect(ours.toString('hex'), `ours = werift's bytes, seq ${seq}`).toBe(fromWerift.toString('hex'));
      expect(weriftRx.decrypt(ours).toString('hex'), `ours -> werift, seq ${seq}`).toBe(plain.toString('hex'));
    });
  });

  it('agrees on a packet longer than the keystream a packet usually takes (1,400-byte payload, 88 AES blocks)', () => {
    const h = header(7, 0);
    const big = Buffer.alloc(1400);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const fromWerift = new SrtpSession(keys(MASTER_KEY, MASTER_SALT, keyB, saltB)).encrypt(big, h);
    const plain = Buffer.concat([h.serialize(h.serializeSize), big]);
    expect(new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).protectRtp(plain).equals(fromWerift)).toBe(true);
    expect(new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).unprotectRtp(fromWerift).equals(plain)).toBe(true);
    // And past the counter blocks it keeps ready (96 blocks): 2,000 bytes.
    const huge = Buffer.concat([h.serialize(h.serializeSize), Buffer.alloc(2000, 3)]);
    expect(
      new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).unprotectRtp(new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).protectRtp(huge)).equals(huge),
    ).toBe(true);
    expect(
      new SrtpSession(keys(keyB, saltB, MASTER_KEY, MASTER_SALT)).decrypt(new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto).protectRtp(huge)).equals(huge),
    ).toBe(true);
  });

  it('does the same for SRTCP, index by index', () => {
    const weriftTx = new SrtcpSession(keys(MASTER_KEY, MASTER_SALT, keyB, saltB));
    const weriftRx = new SrtcpSession(keys(keyB, saltB, MASTER_KEY, MASTER_SALT));
    const ourTx = new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto);
    const ourRx = new SrtpDirection(MASTER_KEY, MASTER_SALT, crypto);
    for (let i = 0; i < 3; i++) {
      const rr = Buffer.concat([hex('81c90007 11223344 55667788'), Buffer.alloc(20, i)]);
      const fromWerift = weriftTx.encrypt(rr);
      const ours = ourTx.protectRtcp(rr);
      expect(ours.toString('hex')).toBe(fromWerift.toString('hex'));
      expect(ourRx.unprotectRtcp(fromWerift).equals(rr)).toBe(true);
      expect(weriftRx.decrypt(ours).equals(rr)).toBe(true);
    }
  });
});

describe("ours in werift's DTLS transport", () => {
  /** werift's RTCDtlsTransport as far as its SRTP goes: updateSrtpSession makes werift's two sessions. */
  function transport(profile: number) {
    const config = {
      keys: { localMasterKey: MASTER_KEY, localMasterSalt: MASTER_SALT, remoteMasterKey: MASTER_KEY, remoteMasterSalt: MASTER_SALT },
      profile,
    };
    const t = {
      srtp: null as unknown,
      srtcp: null as unknown,
      srtpProfiles: [ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80] as unknown,
      updateSrtpSession(): void {
        t.srtp = new SrtpSession(config);
        t.srtcp = new SrtcpSession(config);
      },
    };
    return t;
  }
  type Srtp = { encrypt(p: Buffer, h: RtpHeader): Buffer; decrypt(b: Buffer): Buffer };

  it('takes over from werift when it starts SRTP with AES_CM_128_HMAC_SHA1_80, and drops a bad packet as werift does', () => {
    const t = transport(ProtectionProfileAes128CmHmacSha1_80);
    const refused: string[] = [];
    const owner = useOwnSrtp(t, (err) => refused.push(err.reason));
    expect(owner?.owner()).toBe('none');
    expect(owner?.own()).toBeNull();
    expect(t.srtpProfiles).toEqual([ProtectionProfileAes128CmHmacSha1_80]); // offered alone in the handshake
    t.updateSrtpSession();
    expect(owner?.owner()).toBe('ours');
    expect(owner?.own()?.out).toBe((t.srtp as { out?: unknown }).out);
    expect(t.srtp).not.toBeInstanceOf(SrtpSession);
    const srtp = t.srtp as Srtp;
    const h = new RtpHeader({ sequenceNumber: 9, timestamp: 480, ssrc: 5, payloadType: 111 });
    const sent = srtp.encrypt(Buffer.from('frame'), h);
    // What werift would have sent, byte for byte, and it reads back.
    expect(
      sent.equals(
        new SrtpSession({
          keys: { localMasterKey: MASTER_KEY, localMasterSalt: MASTER_SALT, remoteMasterKey: MASTER_KEY, remoteMasterSalt: MASTER_SALT },
          profile: 1,
        }).encrypt(Buffer.from('frame'), h),
      ),
    ).toBe(true);
    expect(srtp.decrypt(sent).subarray(12).toString()).toBe('frame');
    const bad = Buffer.from(sent);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    expect(() => srtp.decrypt(bad)).toThrow(SrtpAuthenticationError);
    expect(refused).toEqual(['auth-failed']);
  });

  it("leaves werift's SRTP for another profile, and anything that is not werift's transport", () => {
    const t = transport(ProtectionProfileAeadAes128Gcm);
    const owner = useOwnSrtp(t, () => undefined);
    t.updateSrtpSession();
    expect(owner?.owner()).toBe('werift');
    expect(owner?.own()).toBeNull();
    expect(t.srtp).toBeInstanceOf(SrtpSession);
    expect(useOwnSrtp({ srtp: null }, () => undefined)).toBeNull();
  });
});
