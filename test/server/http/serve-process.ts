/**
 * A real `callprobe serve` process for the security tests (issue 14): the built CLI
 * (dist/server/cli.js, `npx tsc -b` first), its URL read from the line it prints, and its
 * memory read from /proc/<pid>/status.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../kit/paths.js';
import { spawnBounded, type ProcessHandle } from '../../kit/process.js';

export interface ServeProcess {
  readonly proc: ProcessHandle;
  readonly pid: number;
  /** http://host:port */
  readonly url: string;
  /** A field of /proc/<pid>/status in KiB (VmRSS now, VmHWM the peak). */
  statusKiB(field: 'VmRSS' | 'VmHWM'): number;
  stop(): Promise<void>;
}

export async function startServe(args: readonly string[], deadlineMs = 120_000): Promise<ServeProcess> {
  const proc = spawnBounded(process.execPath, [join(repoRoot, 'dist', 'server', 'cli.js'), 'serve', '--no-store', ...args], { deadlineMs, cwd: repoRoot });
  const line = await proc.waitForLine(/callprobe serving http:\/\//, { timeoutMs: 20_000, what: 'callprobe serve to listen' });
  const url = /(http:\/\/\S+)/.exec(line)?.[1] ?? '';
  const pid = proc.pid;
  if (pid === undefined) throw new Error('serve has no pid');
  return {
    proc,
    pid,
    url,
    statusKiB(field) {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
      return Number(m[1]);
    },
    async stop() {
      await proc.stop();
    },
  };
}
