/**
 * The schedule of `run --every`, kept in its spool folder (`schedule.state`, JSON) so that a
 * scheduler started again (after a crash, a kill -9, a reboot, systemd's restart) goes on with
 * the same grid, the same end and the next slot, and can name the slots it missed while down.
 * Written whole or not at all: a temp file, synced, renamed over the old one. The name does not
 * end in `.json`, so the spool never reads it as a sample.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SavedSchedule } from './plan.js';
import { TypedError } from '../../src/protocol/typed-error.js';

export const STATE_FILE = 'schedule.state';

/** Typed error: the state file is there but is `not-json`, or is JSON but `not-a-state` (not a schedule of this version). */
export class ScheduleStateError extends TypedError<'not-json' | 'not-a-state'> {
  override readonly name = 'ScheduleStateError';
  constructor(
    reason: 'not-json' | 'not-a-state',
    message: string,
    readonly file: string,
  ) {
    super(reason, message);
  }
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const intOrNull = (v: unknown): v is number | null => v === null || isInt(v);

/** Reads the state (null when there is none); a file that is not one throws ScheduleStateError. */
export async function readScheduleState(dir: string): Promise<SavedSchedule | null> {
  const file = join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let v: Partial<SavedSchedule> & { v?: unknown };
  try {
    v = JSON.parse(text) as Partial<SavedSchedule> & { v?: unknown };
  } catch (err) {
    throw new ScheduleStateError('not-json', `${file}: not JSON (${(err as Error).message})`, file);
  }
  if (
    typeof v !== 'object' ||
    v === null ||
    v.v !== 1 ||
    typeof v.server !== 'string' ||
    typeof v.siteKey !== 'string' ||
    !isInt(v.everyMs) ||
    v.everyMs <= 0 ||
    !intOrNull(v.forMs) ||
    !intOrNull(v.untilMs) ||
    !isInt(v.anchorMs) ||
    !intOrNull(v.endMs) ||
    !isInt(v.nextSlot) ||
    v.nextSlot < 0 ||
    !intOrNull(v.runningSlot)
  ) {
    throw new ScheduleStateError('not-a-state', `${file}: not a schedule state of this version`, file);
  }
  return {
    server: v.server,
    siteKey: v.siteKey,
    everyMs: v.everyMs,
    forMs: v.forMs,
    untilMs: v.untilMs,
    anchorMs: v.anchorMs,
    endMs: v.endMs,
    nextSlot: v.nextSlot,
    runningSlot: v.runningSlot,
  };
}

/** Writes the state atomically (temp file, fsync, rename). */
export async function writeScheduleState(dir: string, s: SavedSchedule): Promise<void> {
  const file = join(dir, STATE_FILE);
  const tmp = join(dir, `.tmp-${STATE_FILE}-${process.pid}`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify({ v: 1, ...s }));
    await fh.datasync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Moves an unreadable state file aside (to refused/, never deleted); returns where it went. */
export async function setAsideScheduleState(dir: string, nowMs: number): Promise<string> {
  const to = join(dir, 'refused', `${STATE_FILE}.${nowMs}`);
  await rename(join(dir, STATE_FILE), to);
  return to;
}
