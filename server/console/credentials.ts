/**
 * The help desk console's credential grammars: a user name (serve --users, POST
 * /api/console/login) and a password (hash-password, the login). Each throws ConfigError (a
 * usage error).
 */
import { BOUNDS } from '../../src/protocol/defaults.js';
import { ConfigError } from '../../src/protocol/config-error.js';

/** A help desk user name (serve --users, POST /api/console/login); throws ConfigError. */
export function parseUserName(text: string, what = 'user name'): string {
  const b = BOUNDS.userNameChars;
  if (text.length < b.min || text.length > b.max || !/^[A-Za-z0-9._@-]+$/.test(text))
    throw new ConfigError('bad-value', `${what} must be ${b.min}..${b.max} of letters, digits and . _ @ -, not "${text.slice(0, b.max)}"`);
  return text;
}

/** A password given to hash-password or to the login (length only: any characters); throws ConfigError. */
export function parsePassword(text: string, what = 'password'): string {
  const b = BOUNDS.passwordChars;
  if (text.length < b.min || text.length > b.max) throw new ConfigError('bad-value', `${what} must be ${b.min}..${b.max} characters`);
  return text;
}
