/**
 * `callprobe run --every` killed with SIGKILL and started again (the built CLI, dist/): the same
 * command resumes the grid kept in its spool folder and names the slots it missed, the one whose
 * sample the kill cut first. The server it samples never answers GET /api/config (a local HTTP
 * server that holds the request) and refuses uploads with 503, so every sample is a
 * could-not-test record after the server check's 5 s timeout and waits in the spool, and no
 * browser starts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readScheduleState } from '../../../client/schedule/state.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { repoRoot } from '../../kit/paths.js';
import { spawnBounded, type ProcessHandle } from '../../kit/process.js';
import { waitFor } from '../../kit/wait.js';

const EVERY_MS = 5_000;

describe('a scheduler killed and started again', () => {
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET') held.push(res);
    else res.writeHead(503, { 'content-type': 'application/json' }).end('{"reason":"down","message":"try later"}');
  });
  let dir: string;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callprobe-resume-'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const r of held) r.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes its grid, names the interrupted slot and those that passed while it was down, and keeps its end', async () => {
    const spool = join(dir, 'spool');
    // Slots 0-2 fit before the end (0, 5 and 10 s after the first start), slot 3 (15 s) never
    // does: the grid starts when the CLI has started, up to 4.5 s after this on a loaded machine.
    const until = new Date(Date.now() + 14_500).toISOString();
    const args = [
      'run',
      '--server',
      url,
      '--site',
      'Paris office',
      '--token',
      'resume-test-token-0123456789',
      '--every',
      '5s',
      '--until',
      until,
      '--spool',
      spool,
    ];
    const start = (): ProcessHandle => spawnBounded(process.execPath, [join(repoRoot, 'dist/cli/callprobe.js'), ...args], { deadlineMs: 40_000 });
    const lines = (p: ProcessHandle): Array<Record<string, unknown>> =>
      p
        .stdout()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);

    const first = start();
    // Killed during its first sample (the server check waits for an answer that never comes).
    await waitFor(async () => (await readScheduleState(spool))?.runningSlot === 0, {
      timeoutMs: 10_000,
      what: 'the first sample running',
      state: () => first.stderr(),
    });
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const kept = await readScheduleState(spool);
    expect(kept).toMatchObject({ nextSlot: 1, runningSlot: 0, endMs: Date.parse(until), everyMs: EVERY_MS });
    const anchor = kept?.anchorMs ?? 0;

    // Down while slot 1 passes; started again inside slot 2, which it samples late.
    await waitFor(() => Date.now() > anchor + 2 * EVERY_MS + 100, { timeoutMs: 15_000, what: 'slot 2 to begin' });
    const second = start();
    const status = await second.exited;
    // The samples it took wait in the spool (the server answers 503): exit 4.
    expect(status.code, second.stderr()).toBe(4);
    const at = (slot: number): string => new Date(anchor + slot * EVERY_MS).toISOString();
    const out = lines(second);
    expect(out.slice(0, 2)).toEqual([
      { kind: 'missed', slot: 0, scheduledAt: at(0), reason: 'interrupted', site: 'Paris office' },
      { kind: 'missed', slot: 1, scheduledAt: at(1), reason: 'not-running', site: 'Paris office' },
    ]);
    const sample = { kind: 'could-not-test', reason: 'server-unreachable', upload: 'spooled', missedSlots: [] };
    expect(out.slice(2)).toEqual([expect.objectContaining({ slot: 2, scheduledAt: at(2), ...sample })]);
    expect(Number(out[2]?.['lateMs'])).toBeGreaterThan(0);
    expect(second.stderr()).toMatch(/resuming the schedule in .*schedule\.state: slots from .*, next slot 1, ending /);
    expect(readdirSync(spool).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(await readScheduleState(spool)).toMatchObject({ nextSlot: 3, runningSlot: null, anchorMs: anchor });

    // Started again after its end (systemd restarts it while samples wait): nothing to sample, the spool tried, exit 4 while it waits.
    const third = start();
    expect((await third.exited).code).toBe(4);
    expect(lines(third)).toEqual([]);
    expect(third.stderr()).toMatch(/the schedule ended at .*: nothing to sample/);
  }, 45_000);

  it('times out the server check it relies on within the slot', () => {
    // The test above needs a stuck server check to end inside one 5 s slot.
    expect(DEFAULTS.serverCheckTimeoutMs).toBeLessThanOrEqual(EVERY_MS);
  });
});
