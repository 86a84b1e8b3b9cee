/**
 * Stateless nonces (RFC 8489 §9.2.1: the server chooses the nonce and when it goes stale).
 * nonce = 8 hex digits of issue time (s) + 24 hex digits of HMAC-SHA256(secret, time|client IP).
 * Bound to the client IP; no state is kept, so junk requests cannot grow memory.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type NonceCheck = 'fresh' | 'stale' | 'invalid';

export class NonceIssuer {
  constructor(
    private readonly secret: Buffer,
    private readonly lifetimeMs: number,
  ) {}

  private mac(issuedS: number, clientIp: string): string {
    return createHmac('sha256', this.secret).update(`${issuedS}|${clientIp}`).digest('hex').slice(0, 24);
  }

  issue(clientIp: string, nowMs: number): string {
    const issuedS = Math.floor(nowMs / 1000);
    return issuedS.toString(16).padStart(8, '0') + this.mac(issuedS, clientIp);
  }

  check(nonce: string, clientIp: string, nowMs: number): NonceCheck {
    if (!/^[0-9a-f]{32}$/.test(nonce)) return 'invalid';
    const issuedS = parseInt(nonce.slice(0, 8), 16);
    const want = Buffer.from(this.mac(issuedS, clientIp), 'utf8');
    if (!timingSafeEqual(Buffer.from(nonce.slice(8), 'utf8'), want)) return 'invalid';
    const ageMs = nowMs - issuedS * 1000;
    if (ageMs < -2000) return 'invalid'; // issued in the future: not ours
    return ageMs < this.lifetimeMs ? 'fresh' : 'stale';
  }
}
