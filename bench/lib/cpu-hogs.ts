/**
 * A busy machine the other way: CPU-bound processes beside the test, competing for every core
 * the browser and the server use. Each hog is a Node process spinning on the clock; it ends by
 * itself after `maxMs` (and is SIGKILLed a little later if it has not), so a bench that dies
 * leaves nothing spinning.
 */
import { availableParallelism } from 'node:os';
import { spawnBounded, type ProcessHandle } from './process.js';

export interface CpuHogs {
  readonly pids: readonly number[];
  /** Stops every hog still running; resolves once all are reaped. */
  stop(): Promise<void>;
}

/** The hog's program: spin until `maxMs` have passed, then exit 0. */
export function hogProgram(maxMs: number): string {
  return `const end = Date.now() + ${Math.max(0, Math.round(maxMs))}; let x = 0; while (Date.now() < end) { for (let i = 0; i < 1e5; i++) x += i; } process.exit(x < 0 ? 1 : 0);`;
}

/**
 * `count` CPU-bound processes (default: one per core), each ending by itself after `maxMs`.
 * Their pids can go into a cgroup (CpuCap.addPid) when a bench wants them capped too.
 */
export function startCpuHogs(count: number = availableParallelism(), o: { maxMs: number }): CpuHogs {
  const hogs: ProcessHandle[] = [];
  for (let i = 0; i < count; i++) {
    hogs.push(spawnBounded(process.execPath, ['-e', hogProgram(o.maxMs)], { deadlineMs: o.maxMs + 5_000 }));
  }
  return {
    pids: hogs.flatMap((h) => (h.pid === undefined ? [] : [h.pid])),
    async stop() {
      await Promise.all(hogs.map((h) => h.stop(500)));
    },
  };
}
