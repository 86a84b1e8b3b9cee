import { cpus } from 'node:os';
import { serveProcess, spawnCallprobe, type ServeProcess } from '../test/kit/callprobe.js';
import { spawnBounded, type ProcessHandle } from '../test/kit/process.js';
import { expect, test } from './fixtures/test.js';

/**
 * A server lost at any moment of a test is a lost connection, never another release: the test
 * server is killed (SIGKILL, relay and reflector with it) 6 s into a headless test, and never
 * before the page started its test, while two CPU-bound loops per core run beside it, so the
 * page is slow to load the code it fetches after its start. It used to be told as
 * `version-mismatch` ("could not load the rest of its code") when the kill came before those
 * chunks had loaded; the page now loads every chunk an answer needs before its first probe and
 * asks the server, when one will not load, whether it runs another release. `callprobe run`
 * exits 4 with `connection-lost`: a could-not-test record before anything was measured, or the
 * report's outcome with what was.
 */
const HTTP_PORT = 18284;
const TURN_PORT = 3874;
const KILL_AFTER_MS = 6_000;

test(
  'the server killed 6 s into a headless test on a loaded machine: exit 4, connection-lost, never version-mismatch',
  { tag: '@measure' },
  // eslint-disable-next-line no-empty-pattern
  async ({}) => {
    test.setTimeout(180_000);
    const server: ServeProcess = await serveProcess({ httpPort: HTTP_PORT, turnPorts: TURN_PORT }, { deadlineMs: 170_000 });
    // Two CPU-bound loops per core, each stopped by its own deadline if the test is not there to stop it.
    const loops: ProcessHandle[] = Array.from({ length: 2 * cpus().length }, () =>
      spawnBounded(process.execPath, ['-e', 'for (;;) {}'], { deadlineMs: 170_000 }),
    );
    const startedAt = Date.now();
    const run = spawnCallprobe(['run', '--server', `http://127.0.0.1:${HTTP_PORT}`, '--no-save', '--json'], { deadlineMs: 170_000 });
    try {
      await run.waitForLine(/config: loading the test's code/, { timeoutMs: 150_000, what: 'the page starting its test', stream: 'stderr' });
      // 6 s into the run, and not before the page started its test (a loaded machine can take longer to get there).
      await expect.poll(() => Date.now() - startedAt, { timeout: KILL_AFTER_MS, intervals: [50] }).toBeGreaterThanOrEqual(KILL_AFTER_MS);
      server.proc.child.kill('SIGKILL');
      const status = await run.exited;
      const out = JSON.parse(run.stdout()) as { kind?: string; reason?: string; outcome?: { reason: string } | null };
      const reason = out.kind === 'could-not-test' ? out.reason : out.outcome?.reason;
      // What the page said on its way, when it is not that.
      expect({ code: status.code, reason }, run.stderr()).toEqual({ code: 4, reason: 'connection-lost' });
      expect(run.stdout() + run.stderr()).not.toContain('version-mismatch');
    } finally {
      await run.stop();
      await Promise.all(loops.map((l) => l.stop()));
      await server.stop();
    }
  },
);
