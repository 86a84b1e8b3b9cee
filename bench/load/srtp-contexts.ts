/**
 * What keeping SRTP's cipher contexts per session would save: werift makes a new AES-CTR cipher
 * and a new HMAC-SHA1 for every packet (RFC 3711 §4.1.1 and §4.2: AES in counter mode, its
 * keystream from a counter block per 16 bytes; HMAC-SHA1 over the packet and the rollover
 * counter). Against it, the same work with contexts made once per session: the keystream from one
 * AES-ECB cipher kept open (the counter blocks encrypted, then XORed in), and the HMAC from SHA-1
 * states of the padded key kept and copied (RFC 2104 §2). Each pair is checked to give the same
 * bytes before it is timed; the times are a tight loop's, per packet of a probe's size.
 */
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface SrtpContextRow {
  work: string;
  freshUs: number;
  keptUs: number;
}

/** One probe's SRTP payload: a 160-byte frame and the echo's own header, about what werift encrypts. */
export const SRTP_PAYLOAD_BYTES = 172;

function timeUs(n: number, f: (i: number) => Buffer): number {
  for (let i = 0; i < 2_000; i++) f(i);
  const t = performance.now();
  for (let i = 0; i < n; i++) f(i);
  return ((performance.now() - t) * 1000) / n;
}

/** Times both ways of each, `n` packets each; throws when a kept context's bytes differ from werift's way. */
export function srtpContextCost(n = 50_000): SrtpContextRow[] {
  const key = Buffer.alloc(16, 0x2b);
  const authKey = Buffer.alloc(20, 0x4d);
  const payload = Buffer.alloc(SRTP_PAYLOAD_BYTES, 0x5a);
  const roc = Buffer.alloc(4);
  const counter = (i: number): Buffer => {
    const c = Buffer.alloc(16, 0x11);
    c.writeUInt32BE(i, 10);
    c.writeUInt16BE(0, 14);
    return c;
  };
  const freshCipher = (i: number): Buffer => createCipheriv('aes-128-ctr', key, counter(i)).update(payload);
  const ecb = createCipheriv('aes-128-ecb', key, null);
  ecb.setAutoPadding(false);
  const blocks = Buffer.alloc(Math.ceil(SRTP_PAYLOAD_BYTES / 16) * 16);
  const keptCipher = (i: number): Buffer => {
    const c = counter(i);
    for (let b = 0; b < blocks.length; b += 16) {
      c.copy(blocks, b);
      blocks.writeUInt16BE(b >> 4, b + 14);
    }
    const stream = ecb.update(blocks);
    const out = Buffer.allocUnsafe(SRTP_PAYLOAD_BYTES);
    for (let j = 0; j < SRTP_PAYLOAD_BYTES; j++) out[j] = (payload[j] ?? 0) ^ (stream[j] ?? 0);
    return out;
  };
  const freshHmac = (): Buffer => createHmac('sha1', authKey).update(payload).update(roc).digest();
  const ipad = Buffer.alloc(64, 0x36);
  const opad = Buffer.alloc(64, 0x5c);
  for (let j = 0; j < authKey.length; j++) {
    ipad[j] = (ipad[j] ?? 0) ^ (authKey[j] ?? 0);
    opad[j] = (opad[j] ?? 0) ^ (authKey[j] ?? 0);
  }
  const inner = createHash('sha1').update(ipad);
  const outer = createHash('sha1').update(opad);
  const keptHmac = (): Buffer => outer.copy().update(inner.copy().update(payload).update(roc).digest()).digest();
  for (const i of [0, 1, 77]) {
    if (!freshCipher(i).equals(keptCipher(i))) throw new Error('the kept AES context gave other bytes than a fresh AES-CTR cipher');
  }
  if (!freshHmac().equals(keptHmac())) throw new Error('the kept SHA-1 states gave another HMAC than createHmac');
  return [
    { work: 'AES-CM keystream and XOR (RFC 3711 §4.1.1)', freshUs: timeUs(n, freshCipher), keptUs: timeUs(n, keptCipher) },
    { work: 'HMAC-SHA1 tag (RFC 3711 §4.2)', freshUs: timeUs(n, freshHmac), keptUs: timeUs(n, keptHmac) },
  ];
}
