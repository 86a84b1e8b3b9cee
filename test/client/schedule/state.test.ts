import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextSample, resumeSchedule, scheduleOver, type SavedSchedule, type ScheduleIdentity, type SchedulePlan } from '../../../client/schedule/plan.js';
import { readScheduleState, ScheduleStateError, setAsideScheduleState, STATE_FILE, writeScheduleState } from '../../../client/schedule/state.js';
import { missedLines } from '../../../client/schedule/scheduler.js';

const T0 = Date.UTC(2026, 1, 2, 8, 0, 0);
const TEN_MIN = 600_000;
const WEEK = 7 * 86_400_000;
const ID: ScheduleIdentity = { server: 'https://callprobe.example.org', siteKey: 'paris office', everyMs: TEN_MIN, forMs: WEEK, untilMs: null };

describe('the schedule kept in the spool folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callprobe-state-'));
    mkdirSync(join(dir, 'refused'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is written whole and read back as written; its name is not a spool entry', async () => {
    expect(await readScheduleState(dir)).toBeNull();
    const s: SavedSchedule = { ...ID, anchorMs: T0, endMs: T0 + WEEK, nextSlot: 7, runningSlot: 6 };
    await writeScheduleState(dir, s);
    await writeScheduleState(dir, { ...s, runningSlot: null });
    expect(await readScheduleState(dir)).toEqual({ ...s, runningSlot: null });
    expect(readdirSync(dir).sort()).toEqual(['refused', STATE_FILE]);
    expect(STATE_FILE.endsWith('.json')).toBe(false);
  });

  it('refuses a file that is not a state of this version, which is set aside, never deleted', async () => {
    writeFileSync(join(dir, STATE_FILE), '{"v":1,"server":"x"}');
    await expect(readScheduleState(dir)).rejects.toThrow(ScheduleStateError);
    writeFileSync(join(dir, STATE_FILE), 'not json');
    await expect(readScheduleState(dir)).rejects.toThrow(/not JSON/);
    const to = await setAsideScheduleState(dir, T0);
    expect(to).toBe(join(dir, 'refused', `${STATE_FILE}.${T0}`));
    expect(await readScheduleState(dir)).toBeNull();
  });
});

describe('a schedule started again', () => {
  const saved: SavedSchedule = { ...ID, anchorMs: T0, endMs: T0 + WEEK, nextSlot: 5, runningSlot: 4 };

  it('resumes the same command on its grid and towards its end, whatever the time it starts again', () => {
    const r = resumeSchedule(saved, ID, T0 + 3 * 86_400_000);
    expect(r).toEqual({ saved, resumed: true, replaced: null });
    // --for 7d from the first start: the end does not move with a restart.
    expect(r.saved.endMs).toBe(T0 + WEEK);
  });

  it('starts a new grid for another server, site, interval, --for or --until, and says why', () => {
    const now = T0 + 86_400_000;
    expect(resumeSchedule(saved, { ...ID, siteKey: 'lyon' }, now)).toMatchObject({ resumed: false, replaced: 'it was for the site "paris office"' });
    expect(resumeSchedule(saved, { ...ID, everyMs: 5 * 60_000 }, now).saved).toEqual({
      ...ID,
      everyMs: 5 * 60_000,
      anchorMs: now,
      endMs: now + WEEK,
      nextSlot: 0,
      runningSlot: null,
    });
    const until = Date.UTC(2026, 1, 9, 17);
    expect(resumeSchedule(saved, { ...ID, forMs: null, untilMs: until }, now).saved.endMs).toBe(until);
    expect(resumeSchedule(null, ID, now)).toMatchObject({ resumed: false, replaced: null });
  });

  it('killed in slot 4 and started 35 minutes after its next slot: names slots 5-7 missed, samples slot 8 on the same grid', () => {
    const plan: SchedulePlan = { anchorMs: saved.anchorMs, everyMs: TEN_MIN, count: null, endMs: saved.endMs };
    const now = T0 + 5 * TEN_MIN + 35 * 60_000;
    const next = nextSample(plan, { samples: 0, lastSlot: saved.nextSlot - 1 }, now);
    expect(next).toMatchObject({ kind: 'sample', slot: 8, slotMs: T0 + 8 * TEN_MIN, lateMs: 5 * 60_000 });
    expect(next.missed.map((m) => m.slot)).toEqual([5, 6, 7]);
    expect(missedLines(next, 'not-running', 'Paris office', plan)).toEqual(
      [5, 6, 7].map((slot) => ({
        kind: 'missed',
        slot,
        scheduledAt: new Date(T0 + slot * TEN_MIN).toISOString(),
        reason: 'not-running',
        site: 'Paris office',
      })),
    );
  });

  it('down for longer than a week of slots: the first week listed, the rest in one line that counts them', () => {
    const plan: SchedulePlan = { anchorMs: T0, everyMs: 5_000, count: null, endMs: null };
    const next = nextSample(plan, { samples: 0, lastSlot: 0 }, T0 + 2000 * 5_000 + 1);
    expect(next.missed).toHaveLength(1008);
    expect(next.missedMore).toBe(2000 - 1 - 1008);
    const lines = missedLines(next, 'not-running', null, plan);
    expect(lines).toHaveLength(1009);
    expect(lines.at(-1)).toEqual({
      kind: 'missed',
      slot: 1009,
      scheduledAt: new Date(T0 + 1009 * 5_000).toISOString(),
      reason: 'not-running',
      site: null,
      throughSlot: 1999,
      slots: 991,
    });
  });

  it('is over once its next slot is at or after its end', () => {
    expect(scheduleOver({ anchorMs: T0, everyMs: TEN_MIN, endMs: T0 + 30 * 60_000, nextSlot: 2 })).toBe(false);
    expect(scheduleOver({ anchorMs: T0, everyMs: TEN_MIN, endMs: T0 + 30 * 60_000, nextSlot: 3 })).toBe(true);
    expect(scheduleOver({ anchorMs: T0, everyMs: TEN_MIN, endMs: null, nextSlot: 1_000_000 })).toBe(false);
  });
});
