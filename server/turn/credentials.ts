import { createHmac } from 'node:crypto';

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest-00, coturn `use-auth-secret`):
 * username "<unix-expiry-seconds>:<id>", password base64(HMAC-SHA1(secret, username)).
 */
export function mintRestCredential(
  secret: string,
  id: string,
  ttlS: number,
  nowMs: number,
): { username: string; credential: string; expiresAtMs: number } {
  const expiryS = Math.floor(nowMs / 1000) + Math.max(1, Math.floor(ttlS));
  const username = `${expiryS}:${id}`;
  return { username, credential: restPassword(secret, username), expiresAtMs: expiryS * 1000 };
}

export function restPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}
