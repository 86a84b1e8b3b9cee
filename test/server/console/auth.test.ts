/**
 * Help desk access: scrypt hashes made and checked, the users file refused with a
 * reason when it is wrong, sessions expiring by an injected clock and bounded in number, and
 * `callprobe hash-password` reading one line from stdin.
 */
import { describe, expect, it } from 'vitest';
import {
  ConsoleSessions,
  hashPassword,
  memoryConsoleSessions,
  parsePasswordHash,
  parseUsers,
  sessionIdHash,
  verifyPassword,
} from '../../../server/console/auth.js';
import { ConfigError } from '../../../src/protocol/config-error.js';
import { CONSTANTS } from '../../../src/protocol/defaults.js';
import { runCallprobe } from '../../kit/callprobe.js';
import { cliPath } from '../../kit/paths.js';
import { needBuilt, skipReason } from '../../kit/requires.js';
import { testClock } from '../store/store-kit.js';

const CHEAP = { ...CONSTANTS.console.scrypt, N: 16_384 };

describe('scrypt password hashes', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const a = await hashPassword('correct horse battery', CHEAP);
    const b = await hashPassword('correct horse battery', CHEAP);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
  });

  it('the default cost is what DEFAULTS says', async () => {
    expect(parsePasswordHash(await hashPassword('a default password')).N).toBe(CONSTANTS.console.scrypt.N);
  });

  it('refuses hashes of another form or an unbounded cost', () => {
    expect(() => parsePasswordHash('$2b$10$abcdefghijklmnopqrstuv')).toThrow(/hash-password/);
    const salt = 'A'.repeat(22);
    const key = 'B'.repeat(43);
    expect(() => parsePasswordHash(`scrypt$1024$8$1$${salt}$${key}`)).toThrow(/power of two/);
    expect(() => parsePasswordHash(`scrypt$20000$8$1$${salt}$${key}`)).toThrow(/power of two/);
    expect(() => parsePasswordHash(`scrypt$4194304$8$1$${salt}$${key}`)).toThrow(/power of two/);
    expect(parsePasswordHash(`scrypt$16384$8$1$${salt}$${key}`).r).toBe(8);
  });
});

describe('the --users file', () => {
  const hash = `scrypt$16384$8$1$${'A'.repeat(22)}$${'B'.repeat(43)}`;
  it('reads a list of users', () => {
    expect(parseUsers(JSON.stringify([{ name: 'ana', role: 'tier1', passwordHash: hash }]), 'u.json')).toEqual([
      { name: 'ana', role: 'tier1', passwordHash: hash },
    ]);
  });
  it.each([
    ['not JSON', '[', /not JSON/],
    ['a bad role', JSON.stringify([{ name: 'ana', role: 'admin', passwordHash: hash }]), /\/0\/role/],
    ['an extra field', JSON.stringify([{ name: 'ana', role: 'tier1', passwordHash: hash, password: 'x' }]), /\/0/],
    ['a bad name', JSON.stringify([{ name: 'a b', role: 'tier1', passwordHash: hash }]), /\/0\/name/],
    ['a bad hash', JSON.stringify([{ name: 'ana', role: 'tier1', passwordHash: 'plain' }]), /\/0\/passwordHash/],
    ['a name twice', JSON.stringify([0, 1].map(() => ({ name: 'ana', role: 'tier1', passwordHash: hash }))), /twice/],
    ['no users', '[]', /no users/],
  ])('refuses %s', (_what, text, reason) => {
    expect(() => parseUsers(text, 'u.json')).toThrow(ConfigError);
    expect(() => parseUsers(text, 'u.json')).toThrow(reason);
  });
});

describe('console sessions', () => {
  it('expire when idle and at the absolute limit; the oldest go first past the bound', async () => {
    const clock = testClock();
    const repo = memoryConsoleSessions();
    const s = new ConsoleSessions({ idleMs: 1000, absoluteMs: 5000 }, clock.nowMs, repo, 2);
    const a = await s.start('ana', 'tier1');
    clock.advance(999);
    expect(await s.touch(a.id)).toMatchObject({ user: 'ana' });
    clock.advance(1000);
    expect(await s.touch(a.id)).toBe('expired');
    expect(await s.touch(a.id)).toBe('unknown');
    const b = await s.start('bo', 'tier2');
    // Touched before each idle period runs out, it lives until the absolute limit.
    for (let t = 999; t < 5000; t += 999) {
      clock.set(b.createdAtMs + t);
      expect(await s.touch(b.id)).toMatchObject({ role: 'tier2' });
    }
    clock.set(b.createdAtMs + 5000);
    expect(await s.touch(b.id)).toBe('expired');
    const c = await s.start('c', 'tier1');
    clock.advance(1);
    const d = await s.start('d', 'tier1');
    clock.advance(1);
    const e = await s.start('e', 'tier1');
    expect(await s.touch(c.id)).toBe('unknown');
    expect([await s.touch(d.id), await s.touch(e.id)]).toMatchObject([{ user: 'd' }, { user: 'e' }]);
    // Kept by the hash of the id, never the id.
    expect(await repo.get(sessionIdHash(d.id))).toMatchObject({ user: 'd', role: 'tier1' });
    expect(await repo.get(d.id)).toBeNull();
  });
});

describe('callprobe hash-password', () => {
  const built = skipReason('callprobe hash-password', [needBuilt(cliPath)]) === null;
  it.skipIf(!built)('reads one line from stdin and prints a hash that verifies', async () => {
    const [typed, short] = await Promise.all([
      runCallprobe(['hash-password'], 30_000, { input: 'a password typed\nignored second line\n' }),
      runCallprobe(['hash-password'], 30_000, { input: 'short\n' }),
    ]);
    expect(typed.code, typed.stderr).toBe(0);
    expect(await verifyPassword('a password typed', typed.stdout.trim())).toBe(true);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toMatch(/8\.\.256 characters/);
  });
});
