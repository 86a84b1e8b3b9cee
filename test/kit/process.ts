/**
 * Child processes for tests: bounded by a deadline, their output kept, their readiness awaited
 * on a line they print (or a port they bind, see net.ts), stopped by their own pid. One
 * implementation with the benches, which run compiled and may not import test/: it lives in
 * bench/lib/process.ts, and the kit hands it on.
 */
export { runProcess, spawnBounded, type ExitStatus, type ProcessHandle, type ProcessResult, type SpawnBoundedOptions } from '../../bench/lib/process.js';
