/** The console sessions repository: the help desk's logins, kept so they survive a restart (table console_sessions; ./repository.ts). */
import type { ConsoleRole } from '../../../src/protocol/api-console.js';

/** A console session as the store keeps it: the SHA-256 of its id, never the id (the cookie). */
export interface StoredConsoleSession {
  idHash: string;
  user: string;
  role: ConsoleRole;
  createdAtMs: number;
  lastSeenAtMs: number;
}

export interface ConsoleSessionsRepository {
  /** Keeps a new session, then drops the oldest beyond `max`. */
  put(s: StoredConsoleSession, max: number): Promise<void>;
  /** The session of this id hash, or null. */
  get(idHash: string): Promise<StoredConsoleSession | null>;
  /** Moves a session's last request. */
  touch(idHash: string, lastSeenAtMs: number): Promise<void>;
  /** Ends a session: false when none had this hash. */
  remove(idHash: string): Promise<boolean>;
  /** Drops the sessions idle since before `idleBeforeMs` or begun before `createdBeforeMs`; how many. */
  removeExpired(idleBeforeMs: number, createdBeforeMs: number): Promise<number>;
}
