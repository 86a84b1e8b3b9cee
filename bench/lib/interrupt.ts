/**
 * What a bench has made on this machine, undone when it is interrupted (SIGINT, SIGTERM). Node
 * runs no `finally` on a signal: a bench stopped by hand left its network namespaces behind, and
 * the processes inside them (a `serve`, irtt, a browser) running on. Each undo registered here runs
 * once, the newest first; then the process exits with 128 + the signal's number, as a shell
 * reports a process the signal ended.
 */
import { execFileSync } from 'node:child_process';
import { constants } from 'node:os';

const undos = new Set<() => void>();
let installed = false;

function onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  for (const undo of [...undos].reverse()) {
    undos.delete(undo);
    try {
      undo();
    } catch (err) {
      // One undo that fails must not keep the others from running; it is said, not hidden.
      process.stderr.write(`on ${signal}: could not undo: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  process.exit(128 + constants.signals[signal]);
}

/** Runs `undo` if the process is interrupted before the returned function is called (the normal end: undo it yourself, then call it). */
function undoOnInterrupt(undo: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
  }
  undos.add(undo);
  return () => {
    undos.delete(undo);
  };
}

/**
 * Namespaces a bench made, deleted if it is interrupted before the returned function is called:
 * every process still inside them killed first (a namespace with a process in it outlives its
 * `ip netns delete`, and so does the process).
 */
export function deleteNamespacesOnInterrupt(names: readonly string[]): () => void {
  return undoOnInterrupt(() => {
    for (const ns of names) {
      const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // ended since the listing: nothing to kill
        }
      }
    }
    for (const ns of names) execFileSync('ip', ['netns', 'delete', ns]);
  });
}
