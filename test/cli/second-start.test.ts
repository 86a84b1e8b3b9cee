/**
 * `npm start` builds only what changed: once built (npm test builds first), a second `npm start`
 * with nothing changed answers HTTP within 15 s (tsc -b finds every project up to date; the two
 * page bundles take about 2 s). A timing file: it runs alone (vitest.config.ts).
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, cliPath } from '../kit/paths.js';
import { freeTcpPort, freeUdpPort } from '../kit/net.js';
import { needBuilt, skipReason } from '../kit/requires.js';
import { waitFor } from '../kit/wait.js';
import { TestKitError } from '../kit/errors.js';

const skip = skipReason('second npm start', [needBuilt(cliPath)]);
const SECOND_START_LIMIT_MS = 15_000;

/** Process groups this file started: npm, its shell and serve all stop together. */
const groups: number[] = [];
afterEach(() => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch (err) {
      // The group already ended: nothing left to stop.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
});

describe.skipIf(skip !== null)('npm start, a second time with nothing changed', () => {
  it(`answers HTTP within ${SECOND_START_LIMIT_MS / 1000} s`, async () => {
    const httpPort = await freeTcpPort();
    const turnPort = await freeUdpPort();
    const started = performance.now();
    const npm = spawn('npm', ['start', '--', '--http-port', String(httpPort), '--turn-ports', String(turnPort), '--no-store', '--log-level', 'warn'], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (npm.pid === undefined) throw new TestKitError('spawn-failed', 'npm start has no pid');
    groups.push(npm.pid);
    let output = '';
    npm.stdout.on('data', (b: Buffer) => (output += b.toString()));
    npm.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const health = await waitFor(
      async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${httpPort}/api/config`);
          return res.status;
        } catch (err) {
          // fetch's TypeError: nothing listens yet (the build or serve's start is still running).
          if (err instanceof TypeError) return null;
          throw err;
        }
      },
      { timeoutMs: SECOND_START_LIMIT_MS + 15_000, pollMs: 100, what: 'npm start to answer HTTP', state: () => output.slice(-2000) },
    );
    const elapsedMs = performance.now() - started;
    console.log(`second npm start: HTTP ${health} after ${(elapsedMs / 1000).toFixed(1)} s`);
    expect(health).toBe(200);
    expect(elapsedMs).toBeLessThan(SECOND_START_LIMIT_MS);
  });
});
