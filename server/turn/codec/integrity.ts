/**
 * MESSAGE-INTEGRITY (RFC 8489 §14.5, HMAC-SHA1), MESSAGE-INTEGRITY-SHA256 (§14.6),
 * FINGERPRINT (§14.7) and the long-term credential key (§9.2.2).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Attr, FINGERPRINT_XOR, HEADER_SIZE_BYTES } from './constants.js';
import type { StunAttribute, StunMessage, StunWriter } from './message.js';

/**
 * RFC 8489 §9.2.2: long-term key = MD5(username ":" OpaqueString(realm) ":" OpaqueString(password)).
 * OpaqueString (RFC 8265) is the identity on the ASCII credentials this relay issues; callers
 * with non-ASCII passwords must prepare them first.
 */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest();
}

/** Appends MESSAGE-INTEGRITY computed with `key` (RFC 8489 §14.5). */
export function appendIntegrity(w: StunWriter, key: Uint8Array): void {
  const t = w.beginTrailer(Attr.MessageIntegrity, 20);
  t.write(createHmac('sha1', key).update(t.covered).digest());
}

/** Appends MESSAGE-INTEGRITY-SHA256 (32 bytes) computed with `key` (RFC 8489 §14.6). */
export function appendIntegritySha256(w: StunWriter, key: Uint8Array): void {
  const t = w.beginTrailer(Attr.MessageIntegritySha256, 32);
  t.write(createHmac('sha256', key).update(t.covered).digest());
}

/** Appends FINGERPRINT (RFC 8489 §14.7). Must be the last attribute. */
export function appendFingerprint(w: StunWriter): void {
  const t = w.beginTrailer(Attr.Fingerprint, 4);
  const v = Buffer.allocUnsafe(4);
  v.writeUInt32BE((crc32(t.covered) ^ FINGERPRINT_XOR) >>> 0, 0);
  t.write(v);
}

function coveredHmac(alg: 'sha1' | 'sha256', msg: StunMessage, attr: StunAttribute, key: Uint8Array): Buffer {
  // The header length is rewritten to end right after the integrity attribute.
  const header = Buffer.from(msg.raw.subarray(0, HEADER_SIZE_BYTES));
  header.writeUInt16BE(attr.valueOffset + ((attr.length + 3) & ~3) - HEADER_SIZE_BYTES, 2);
  return createHmac(alg, key).update(header).update(msg.raw.subarray(HEADER_SIZE_BYTES, attr.start)).digest();
}

export type IntegrityCheck = 'ok' | 'absent' | 'bad';

/**
 * Verifies whichever integrity attributes are present. With both, both must match
 * (RFC 8489 §9.2.4 lets a server check either; checking both is stricter).
 */
export function checkIntegrity(msg: StunMessage, key: Uint8Array): IntegrityCheck {
  let seen = false;
  for (const attr of msg.attributes) {
    if (attr.type === Attr.MessageIntegrity) {
      seen = true;
      if (attr.length !== 20) return 'bad';
      const got = msg.raw.subarray(attr.valueOffset, attr.valueOffset + 20);
      if (!timingSafeEqual(got, coveredHmac('sha1', msg, attr, key))) return 'bad';
    } else if (attr.type === Attr.MessageIntegritySha256) {
      seen = true;
      // §14.6: 16 to 32 bytes, a multiple of 4 (truncated HMAC).
      if (attr.length < 16 || attr.length > 32 || (attr.length & 3) !== 0) return 'bad';
      const got = msg.raw.subarray(attr.valueOffset, attr.valueOffset + attr.length);
      const want = coveredHmac('sha256', msg, attr, key).subarray(0, attr.length);
      if (!timingSafeEqual(got, want)) return 'bad';
    }
  }
  return seen ? 'ok' : 'absent';
}

/** Which integrity attribute a request used, so the response can use the same (RFC 8489 §9.2.4). */
export function integrityKind(msg: StunMessage): 'sha1' | 'sha256' | 'none' {
  let kind: 'sha1' | 'sha256' | 'none' = 'none';
  for (const a of msg.attributes) {
    if (a.type === Attr.MessageIntegritySha256) return 'sha256';
    if (a.type === Attr.MessageIntegrity) kind = 'sha1';
  }
  return kind;
}
