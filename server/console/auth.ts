/**
 * Help desk console access: the users file (serve --users), scrypt password hashes
 * (RFC 7914) as `scrypt$N$r$p$salt$hash` (base64url), and the sessions a login opens, kept
 * hashed in the store with an idle and an absolute expiry read from an injected clock.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { BOUNDS, CONSTANTS } from '../../src/protocol/defaults.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { parseUserName } from './credentials.js';
import type { ConsoleSessionsRepository, StoredConsoleSession } from '../store/console-sessions/types.js';

export type ConsoleRole = 'tier1' | 'tier2';

export interface ConsoleUser {
  name: string;
  role: ConsoleRole;
  passwordHash: string;
}

const UsersSchema = Type.Array(
  Type.Object(
    {
      name: Type.String(),
      role: Type.Union([Type.Literal('tier1'), Type.Literal('tier2')]),
      passwordHash: Type.String({ maxLength: 512 }),
    },
    { additionalProperties: false },
  ),
  { maxItems: BOUNDS.consoleUsersMax },
);

function scryptAsync(password: string, salt: Buffer, keyBytes: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyBytes, o, (err, key) => (err ? reject(err) : resolve(key))));
}

/** scrypt's memory need is 128 * N * r bytes; node refuses above maxmem (32 MiB by default). */
function scryptOptions(N: number, r: number, p: number): ScryptOptions {
  return { N, r, p, maxmem: 256 * N * r };
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function inRange(n: number, b: { min: number; max: number }): boolean {
  return Number.isInteger(n) && n >= b.min && n <= b.max;
}

/** Parses `scrypt$N$r$p$salt$hash`; throws ConfigError naming what is wrong. */
export function parsePasswordHash(text: string, what = 'passwordHash'): ParsedHash {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,128})\$([A-Za-z0-9_-]{32,256})$/.exec(text);
  if (!m) throw new ConfigError('bad-value', `${what} is not scrypt$N$r$p$salt$hash (make one with callprobe hash-password)`);
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!inRange(N, BOUNDS.scryptN) || (N & (N - 1)) !== 0 || !inRange(r, BOUNDS.scryptR) || !inRange(p, BOUNDS.scryptP))
    throw new ConfigError(
      'bad-value',
      `${what}: scrypt N must be a power of two ${BOUNDS.scryptN.min}..${BOUNDS.scryptN.max}, r ${BOUNDS.scryptR.min}..${BOUNDS.scryptR.max}, p ${BOUNDS.scryptP.min}..${BOUNDS.scryptP.max}`,
    );
  return { N, r, p, salt: Buffer.from(m[4] ?? '', 'base64url'), key: Buffer.from(m[5] ?? '', 'base64url') };
}

/** A new hash of `password` with a fresh salt and the default cost (CONSTANTS.console.scrypt). */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
  keyBytes: number;
  saltBytes: number;
}

export async function hashPassword(password: string, cost: ScryptCost = CONSTANTS.console.scrypt): Promise<string> {
  const salt = randomBytes(cost.saltBytes);
  const key = await scryptAsync(password, salt, cost.keyBytes, scryptOptions(cost.N, cost.r, cost.p));
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `password` matches `hash` (constant-time comparison of the derived keys). */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const h = parsePasswordHash(hash);
  const key = await scryptAsync(password, h.salt, h.key.length, scryptOptions(h.N, h.r, h.p));
  return timingSafeEqual(key, h.key);
}

/** The users of a --users file: a JSON list of { name, role, passwordHash }; throws ConfigError (bad-file). */
export function parseUsers(text: string, file: string): ConsoleUser[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('bad-file', `--users ${file}: not JSON: ${(err as Error).message}`);
  }
  if (!Value.Check(UsersSchema, value)) {
    const first = Value.Errors(UsersSchema, value).First();
    throw new ConfigError(
      'bad-file',
      `--users ${file}: ${first ? `${first.path || '/'}: ${first.message}` : 'not a list of users'} (a list of { name, role: tier1|tier2, passwordHash })`,
    );
  }
  const users = value as Static<typeof UsersSchema>;
  const seen = new Set<string>();
  for (const [i, u] of users.entries()) {
    parseUserName(u.name, `--users ${file}: /${i}/name`);
    parsePasswordHash(u.passwordHash, `--users ${file}: /${i}/passwordHash`);
    if (seen.has(u.name)) throw new ConfigError('bad-file', `--users ${file}: user "${u.name}" is listed twice`);
    seen.add(u.name);
  }
  if (users.length === 0) throw new ConfigError('bad-file', `--users ${file}: no users (give at least one, or leave --users out to keep the console closed)`);
  return users;
}

export function readUsersFile(file: string): ConsoleUser[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('bad-file', `--users ${file}: cannot read: ${(err as Error).message}`);
  }
  return parseUsers(text, file);
}

export interface ConsoleSession {
  id: string;
  user: string;
  role: ConsoleRole;
  createdAtMs: number;
  lastSeenAtMs: number;
}

export interface SessionTimes {
  idleMs: number;
  absoluteMs: number;
}

/** What a request's console cookie is: its live session, or why there is none. */
export type SessionLookup = ConsoleSession | 'unknown' | 'expired' | 'none';

/** The SHA-256 (hex) a session id is kept under: the store never holds the id (the cookie) itself. */
export function sessionIdHash(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

/**
 * The console's sessions, kept in a repository (the store's table console_sessions, so a login
 * survives a restart and every `serve` on one store shares it; in memory under --no-store) by the
 * SHA-256 of a 256-bit random id, with an idle and an absolute expiry read from an injected
 * clock. Expired ones are refused and dropped on sight, and at each login; at most `max` are
 * kept, the oldest dropped first.
 */
export class ConsoleSessions {
  constructor(
    private readonly times: SessionTimes,
    private readonly nowMs: () => number,
    private readonly repo: ConsoleSessionsRepository = memoryConsoleSessions(),
    private readonly max: number = BOUNDS.consoleSessionsMax,
  ) {}

  async start(user: string, role: ConsoleRole): Promise<ConsoleSession> {
    const now = this.nowMs();
    const s: ConsoleSession = { id: randomBytes(32).toString('base64url'), user, role, createdAtMs: now, lastSeenAtMs: now };
    await this.repo.removeExpired(now - this.times.idleMs, now - this.times.absoluteMs);
    await this.repo.put({ idHash: sessionIdHash(s.id), user, role, createdAtMs: now, lastSeenAtMs: now }, this.max);
    return s;
  }

  /** The live session of this id (its idle clock restarted), or why there is none. */
  async touch(id: string): Promise<ConsoleSession | 'unknown' | 'expired'> {
    const hash = sessionIdHash(id);
    const s = await this.repo.get(hash);
    if (s === null) return 'unknown';
    const now = this.nowMs();
    if (now - s.lastSeenAtMs >= this.times.idleMs || now - s.createdAtMs >= this.times.absoluteMs) {
      await this.repo.remove(hash);
      return 'expired';
    }
    await this.repo.touch(hash, now);
    return { id, user: s.user, role: s.role, createdAtMs: s.createdAtMs, lastSeenAtMs: now };
  }

  async end(id: string): Promise<boolean> {
    return this.repo.remove(sessionIdHash(id));
  }
}

/** The sessions in this process's memory: `serve --no-store` keeps no table (its logins end with it). */
export function memoryConsoleSessions(): ConsoleSessionsRepository {
  const open = new Map<string, StoredConsoleSession>();
  return {
    put: async (s, max) => {
      open.set(s.idHash, { ...s });
      // Map order is insertion order: the first key is the oldest session.
      while (open.size > max) open.delete(open.keys().next().value as string);
    },
    get: async (h) => {
      const s = open.get(h);
      return s === undefined ? null : { ...s };
    },
    touch: async (h, at) => {
      const s = open.get(h);
      if (s !== undefined) s.lastSeenAtMs = at;
    },
    remove: async (h) => open.delete(h),
    removeExpired: async (idleBefore, createdBefore) => {
      let n = 0;
      for (const [h, s] of open) if (s.lastSeenAtMs < idleBefore || s.createdAtMs < createdBefore) n += open.delete(h) ? 1 : 0;
      return n;
    },
  };
}
