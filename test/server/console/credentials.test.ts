import { describe, expect, it } from 'vitest';
import { parsePassword, parseUserName } from '../../../server/console/credentials.js';
import { BOUNDS } from '../../../src/protocol/defaults.js';
import { ConfigError } from '../../../src/protocol/config-error.js';

describe("the console's credentials", () => {
  it('reads a user name of letters, digits and . _ @ - within its bounds', () => {
    expect(parseUserName('anna.berg@helpdesk')).toBe('anna.berg@helpdesk');
    expect(() => parseUserName('anna berg')).toThrow(ConfigError);
    expect(() => parseUserName('x'.repeat(BOUNDS.userNameChars.max + 1), '--users: /0/name')).toThrow(/^--users: \/0\/name must be/);
    expect(() => parseUserName('')).toThrow(/user name must be/);
  });

  it('reads a password by its length only', () => {
    const ok = 'é '.repeat(BOUNDS.passwordChars.min);
    expect(parsePassword(ok)).toBe(ok);
    expect(() => parsePassword('x'.repeat(BOUNDS.passwordChars.min - 1))).toThrow(/password must be/);
    expect(() => parsePassword('x'.repeat(BOUNDS.passwordChars.max + 1))).toThrow(ConfigError);
  });
});
