import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { longTermKey } from '../../../server/turn/codec/index.js';
import { mintRestCredential, restAuthHandler, restUsernameExpiryS } from '../../../server/turn/credentials.js';

describe('TURN REST credentials (coturn use-auth-secret)', () => {
  const nowMs = 1_700_000_000_500;
  it('mints "<expiry>:<id>" with base64(HMAC-SHA1(secret, username))', () => {
    const c = mintRestCredential('s3cret', 'page-42', 3600, nowMs);
    expect(c.username).toBe('1700003600:page-42');
    expect(c.expiresAtMs).toBe(1_700_003_600_000);
    // Oracle computed independently of the module.
    expect(c.credential).toBe(createHmac('sha1', 's3cret').update('1700003600:page-42').digest('base64'));
    expect(restUsernameExpiryS(c.username)).toBe(1700003600);
    expect(restUsernameExpiryS('alice')).toBeNull();
  });
  it('verifies fresh credentials and refuses expired or timestamp-less ones', () => {
    const auth = restAuthHandler('s3cret');
    const c = mintRestCredential('s3cret', 'x', 60, nowMs);
    const ok = auth(c.username, 'callprobe', nowMs);
    expect(ok).toEqual({ ok: true, key: longTermKey(c.username, 'callprobe', c.credential) });
    const late = auth(c.username, 'callprobe', c.expiresAtMs);
    expect(late.ok === false && late.reason).toBe('expired');
    const anon = auth('alice', 'callprobe', nowMs);
    expect(anon.ok === false && anon.reason).toBe('malformed-username');
    expect(() => mintRestCredential('s', 'x', 0, nowMs)).toThrowError(RangeError);
  });
});
