/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest-00 §2.2; coturn `use-auth-secret`):
 * username = "<unix-expiry-seconds>:<id>", password = base64(HMAC-SHA1(secret, username)).
 * The same secret works for this relay and for coturn's `static-auth-secret`.
 */
import { createHmac } from 'node:crypto';
import { longTermKey } from './codec/integrity.js';
import type { AuthHandler, AuthResult } from './core/types.js';

export interface RestCredential {
  username: string;
  credential: string;
  expiresAtMs: number;
}

/**
 * The id the server mints its own reflector's credentials under ("<expiry>:reflector.<session>"):
 * only the holder of the secret can mint one, and the relay counts what such a credential holds
 * apart from anonymous callers (the signalling sessions bound it).
 */
export const REFLECTOR_USERNAME_PREFIX = 'reflector.';

/** True for a REST username minted for the server's own reflector (its MESSAGE-INTEGRITY proves who minted it). */
export function isReflectorUsername(username: string): boolean {
  const id = username.slice(username.indexOf(':') + 1);
  return username.includes(':') && id.startsWith(REFLECTOR_USERNAME_PREFIX);
}

/** base64(HMAC-SHA1(secret, username)): the REST API password for `username`. */
export function restPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username, 'utf8').digest('base64');
}

/** Mints a credential valid for `ttlS` seconds from `nowMs` (wall clock, ms since the epoch). */
export function mintRestCredential(secret: string, id: string, ttlS: number, nowMs: number): RestCredential {
  if (!Number.isFinite(ttlS) || ttlS <= 0) throw new RangeError(`ttlS must be > 0, got ${ttlS}`);
  const expirySeconds = Math.floor(nowMs / 1000) + Math.ceil(ttlS);
  const username = id === '' ? String(expirySeconds) : `${expirySeconds}:${id}`;
  return { username, credential: restPassword(secret, username), expiresAtMs: expirySeconds * 1000 };
}

/** Parses the expiry (seconds) out of a REST username; null when it has none. */
export function restUsernameExpiryS(username: string, separator = ':'): number | null {
  const head = username.split(separator, 1)[0] ?? '';
  if (!/^\d{1,12}$/.test(head)) return null;
  return Number(head);
}

/**
 * The AuthHandler for REST credentials: refuses a username without a timestamp
 * ('malformed-username'), whose timestamp has passed ('expired') or lies more than
 * `maxLifetimeS` ahead ('lifetime-too-long'); otherwise returns the
 * long-term key MD5(username:realm:password) (RFC 8489 §9.2.2).
 */
export function restAuthHandler(secret: string, maxLifetimeS: number | null = null): AuthHandler {
  if (secret.length === 0) throw new RangeError('REST secret must not be empty');
  return (username: string, realm: string, nowMs: number): AuthResult => {
    const expiryS = restUsernameExpiryS(username);
    if (expiryS === null) return { ok: false, reason: 'malformed-username', detail: 'username lacks "<expiry>:" prefix' };
    if (expiryS * 1000 <= nowMs) {
      return { ok: false, reason: 'expired', detail: `credential expired ${Math.round(nowMs / 1000 - expiryS)} s ago` };
    }
    // A far-future expiry with a valid HMAC (a leaked secret, a minting bug) is refused.
    if (maxLifetimeS !== null && expiryS * 1000 > nowMs + maxLifetimeS * 1000) {
      return { ok: false, reason: 'lifetime-too-long', detail: `credential expires ${Math.round(expiryS - nowMs / 1000)} s from now, above ${maxLifetimeS} s` };
    }
    return { ok: true, key: longTermKey(username, realm, restPassword(secret, username)) };
  };
}
