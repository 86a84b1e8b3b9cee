import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Six projects (run `npx vitest run --project unit` for one). `npm run test:unit` runs the inner
 * loop, the three that start no process and need no build (run it on save; the aim is under a
 * minute on 2 cores); `npm test` runs them all (scripts/test-all.js).
 *
 * The inner loop:
 * - unit: every test file not named below, 4 files at a time (vitest's default is one fewer than
 *   the cores, here 1). A worker runs its files in one module graph (isolate: false): a file's
 *   imports are loaded once per worker, not once per file, which halves the CPU the run spends
 *   importing. No test file changes global state (process.env, globalThis, process listeners of
 *   its own) or mocks modules, except:
 * - mocking: files that replace a module with vi.mock, each in a fresh module graph.
 * - components: the page's lit components rendered in happy-dom (test/web/components/), each file in
 *   a fresh document and module graph: a custom element is defined once per document, and lit keeps
 *   its own globals.
 * These three start no process: test/kit/no-process.ts makes node:child_process throw in them, so
 * a new file that spawns fails there at once, naming this file. A store suite's PostgreSQL half
 * (test/server/store/store-kit.ts: postgresKind, describeEachKind) is skipped in them and runs in
 * `integration`, its SQLite half stays in `unit`.
 *
 * The rest:
 * - integration: files that start processes (the built CLI, a tool, PostgreSQL, openssl, a
 *   browser) or read the build (dist/), and the PostgreSQL half of the store suites. After the
 *   build, 4 files at a time (they mostly wait on processes, sockets and timers).
 * - timing: files whose checks hold only on a machine that is not starved: real-clock timing (the
 *   impairment proxy's delays, its release scheduler, irtt beside it, a scheduler CLI killed and
 *   started again inside a 5 s slot, two werift clients connecting within the page's time) and
 *   floods (the stalled readers' 40,000 datagrams/s, the fuzzer's 20,000 datagrams before a clean
 *   client must be served). The floods, the builds and the abuser one file at a time (`timing`), then
 *   the files that mostly wait on the clock two at a time (`timing-pairs`); `npm test` runs both
 *   just before the e2e measurement project, nothing beside them.
 */
const TIMING_ALONE = [
  // Floods and builds that keep both cores busy: alone, and nothing beside them.
  'test/server/turn/fuzz.test.ts',
  'test/server/turn/transport/security-stalled-readers.test.ts',
  // A second `npm start` must answer within 15 s: a build and a start, on the real clock (a build
  // keeps both cores busy, so it would starve a neighbour and be slowed by one).
  'test/cli/second-start.test.ts',
  // A clean test's round trip beside an abusive busy-line client (the abuser capped, the rest not).
  'test/server/dataplane/isolation.test.ts',
];
/**
 * Timing files that hold with one other of them beside them (two at a time, after TIMING_ALONE):
 * each waits on the real clock far more than it computes, so one neighbour leaves it prompt CPU.
 * In two runs here with every timing file two at a time, these all passed.
 */
const TIMING_PAIRS = [
  'test/bench/impair/proxy.test.ts',
  'test/bench/impair/scheduler.test.ts',
  'test/bench/impair/irtt.test.ts',
  // A scheduler CLI killed and started again inside a 5 s slot: timers and one node process.
  'test/client/schedule/resume.test.ts',
  // werift on both ends of a real relay (DTLS and SRTP in JavaScript) must connect within the
  // page's time limits: starved beside the unit files, they do not; beside one of these, they do.
  'test/server/reflector/serve-second-address.test.ts',
  'test/server/reflector/rtp/relay-echo.test.ts',
  // The RTP leg's DTLS through loss and reordering, and its retry: a page (wrtc) and the leg must
  // connect through DTLS retransmission timers, the page's audio within 2 s of DTLS.
  'test/server/reflector/rtp/dtls-loss.test.ts',
  'test/session/rtp-retry.test.ts',
  // The locate's round trip through a real relay, against the proxy's injected delay.
  'test/session/locate/relay-rtt.test.ts',
  // The first pass over six edges through a real relay, each behind the proxy's injected delay: its order is the delays'.
  'test/session/locate/first-pass.test.ts',
  // Each address family's round trip through a real relay on 127.0.0.1 and ::1, against the proxy's injected delay.
  'test/session/locate/families.test.ts',
];
const TIMING = [...TIMING_ALONE, ...TIMING_PAIRS];
const MOCKING = ['test/session/one-session.test.ts'];
const COMPONENTS = ['test/web/components/**/*.test.ts'];
const INTEGRATION = [
  // The built CLI as a process (test/kit/callprobe.ts, test/kit/paths.ts cliPath): serve, run,
  // report, alerts-test, the scheduler, two processes on one store.
  'test/cli/callprobe.test.ts',
  'test/client/commands/alerts-test.test.ts',
  'test/client/commands/report.test.ts',
  'test/client/commands/run.test.ts',
  'test/client/schedule/token.test.ts',
  'test/server/admission.test.ts',
  'test/server/alerts/fleet-serve.test.ts',
  'test/server/console/auth.test.ts',
  'test/server/dataplane/restart.test.ts',
  'test/server/dual-stack.test.ts',
  'test/server/durability.test.ts',
  'test/server/host-families.test.ts',
  'test/server/http/security-http.test.ts',
  'test/server/http/security-limits.test.ts',
  'test/server/reflector/no-ice-release.test.ts',
  'test/server/reflector/security-candidates.test.ts',
  'test/server/reflector/security-targets.test.ts',
  'test/server/serve-port-443.test.ts',
  'test/server/serve-tls.test.ts',
  'test/server/turn/transport/source-quota-live.test.ts',
  // serve() in this process, its data plane forked from dist/server/dataplane/main.js.
  'test/server/serve-teardown.test.ts',
  'test/server/edges/roles.test.ts',
  // serve as a process (one data plane with a store, two planes) for the /metrics series and the dashboard's queries.
  'test/server/metrics/series-kept.test.ts',
  // Other built programs and addons (dist/): the bench CLIs, the native addons and their fuzz, the page's bundles.
  'test/architecture/build-native.test.ts',
  'test/architecture/serve-launch.test.ts',
  'test/bench/impair/cli.test.ts',
  'test/bench/lib/interrupt.test.ts',
  'test/bench/load/fast-client.test.ts',
  'test/bench/load/probe-floor.test.ts',
  'test/server/data-path.test.ts',
  'test/server/native-fuzz.test.ts',
  'test/web/bundle-size.test.ts',
  // Tools of the machine: coturn and its uclient, Chromium, systemd-analyze, cgroups, openssl (test/kit/pki.ts), node.
  'test/architecture/systemd-units.test.ts',
  'test/bench/lib/cpu-cap.test.ts',
  'test/kit/kit.test.ts',
  'test/kit/requires.test.ts',
  'test/server/http/page-files.test.ts',
  'test/server/turn/client/reachability.test.ts',
  'test/server/turn/coturn-config.test.ts',
  'test/server/turn/interop-chromium.test.ts',
  'test/server/turn/interop-uclient.test.ts',
  'test/server/turn/transport/relay.test.ts',
  // PostgreSQL alone (test/kit/postgres.ts).
  'test/kit/postgres.test.ts',
  'test/server/store/retention-disk.test.ts',
];

/** The test files under test/ (repository-relative). */
const testFiles = (readdirSync('test', { recursive: true, encoding: 'utf8' }) as string[])
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/${f}`)
  .sort();
/**
 * Files of `unit` that open both store kinds (test/server/store/store-kit.ts): `unit` runs their
 * SQLite half, `integration` their PostgreSQL half (the same file in both projects).
 */
const STORE_SPLIT = testFiles.filter(
  (f) => !TIMING.includes(f) && !INTEGRATION.includes(f) && /\b(postgresKind|describeEachKind)\(/.test(readFileSync(f, 'utf8')),
);

const shared = {
  testTimeout: 20_000,
  hookTimeout: 30_000,
};
const innerLoop = { ...shared, setupFiles: ['test/kit/no-process.ts'], provide: { noProcess: true }, sequence: { groupOrder: 1 } };

export default defineConfig({
  test: {
    projects: [
      {
        test: { ...shared, name: 'timing', include: TIMING_ALONE, maxWorkers: 1, sequence: { groupOrder: 2 } },
      },
      {
        // After `timing`, in the same run (`npx vitest run --project timing --project timing-pairs`): groups run
        // lowest first. With `timing` at 0 this group ran first: vitest read 0 as no order given.
        test: { ...shared, name: 'timing-pairs', include: TIMING_PAIRS, maxWorkers: 2, sequence: { groupOrder: 3 } },
      },
      {
        test: {
          ...innerLoop,
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...TIMING, ...MOCKING, ...COMPONENTS, ...INTEGRATION],
          isolate: false,
          maxWorkers: 4,
          provide: { ...innerLoop.provide, storeKinds: { kinds: ['sqlite'], sqliteInUnit: [] } },
        },
      },
      {
        test: { ...innerLoop, name: 'mocking', include: MOCKING, isolate: true, maxWorkers: 4 },
      },
      {
        test: { ...innerLoop, name: 'components', include: COMPONENTS, environment: 'happy-dom', isolate: true, maxWorkers: 4 },
      },
      {
        test: {
          ...shared,
          name: 'integration',
          include: [...INTEGRATION, ...STORE_SPLIT],
          isolate: false,
          maxWorkers: 4,
          // One throwaway PostgreSQL cluster for the run's files (test/kit/postgres.ts, runPostgres).
          globalSetup: ['test/kit/global-setup.ts'],
          provide: { storeKinds: { kinds: ['sqlite', 'postgres'], sqliteInUnit: STORE_SPLIT.map((f) => resolve(f)) } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
