/**
 * How the `callprobe serve` process is launched (measured by the soak, docs/benchmarks/load.md):
 * memory at its steady size from the start instead of growing over the first minutes. `npm
 * start`, the systemd unit in docs/operate.md and the benches' startServe use exactly these
 * (test/architecture/serve-launch.test.ts), and serve starts its data plane's process with the
 * same flags (its environment, MALLOC_ARENA_MAX included, is the HTTP process's).
 * - V8's young generation at its full size from the start: 16 MiB semi-spaces, V8's own maximum
 *   on 64-bit, so garbage collection at steady state is unchanged. Without it the new space
 *   doubles under load (8, 16, then 32 MiB) over the first two minutes.
 * - Two glibc malloc arenas: the native WebRTC stack's threads otherwise get an arena each (up
 *   to 8 per core), which fill over the first minutes; two bound that (measured in
 *   docs/benchmarks/load.md, the soak).
 */
export const SERVE_NODE_FLAGS: readonly string[] = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

/** Environment of the serve process (glibc reads it at start: it cannot be set from inside). */
export const SERVE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
