import { defineConfig } from 'vitest/config';

/**
 * Four projects (run `npx vitest run --project unit` for one):
 *
 * - timing: files whose checks hold only on a machine that is not starved: real-clock timing (the
 *   impairment proxy's delays, its release scheduler, irtt beside it, a scheduler CLI killed and
 *   started again inside a 5 s slot, two werift clients connecting within the page's time) and
 *   floods (the stalled readers' 40,000 datagrams/s, the fuzzer's 20,000 datagrams before a clean
 *   client must be served). One file at a time; `npm test` runs them just before the e2e measurement
 *   project, the other projects in a step of their own (scripts/test-all.js).
 * - unit: the rest, 4 files at a time (they mostly wait on processes, sockets and timers, so 4 keep
 *   2 cores busy; vitest's default is one fewer than the cores, here 1). A worker runs its files
 *   in one module graph (isolate: false): a file's imports are loaded once per worker, not once
 *   per file, which halves the CPU the run spends importing. No test file changes global state
 *   (process.env, globalThis, process listeners of its own) or mocks modules, except:
 * - mocking: files that replace a module with vi.mock, each in a fresh module graph.
 * - components: the page's lit components rendered in happy-dom (test/web/components/), each file in
 *   a fresh document and module graph: a custom element is defined once per document, and lit keeps
 *   its own globals.
 */
const TIMING = [
  'test/bench/impair/proxy.test.ts',
  'test/bench/impair/scheduler.test.ts',
  'test/bench/impair/irtt.test.ts',
  'test/client/schedule/resume.test.ts',
  'test/server/turn/fuzz.test.ts',
  'test/server/turn/transport/security-stalled-readers.test.ts',
  // werift on both ends of a real relay (DTLS and SRTP in JavaScript) must connect within the
  // page's time limits: starved beside other files, they do not.
  'test/server/reflector/serve-second-address.test.ts',
  'test/server/reflector/rtp/relay-echo.test.ts',
  // The RTP leg's DTLS through loss and reordering, and its retry: a page (wrtc) and the leg must
  // connect through DTLS retransmission timers, the page's audio within 2 s of DTLS.
  'test/server/reflector/rtp/dtls-loss.test.ts',
  'test/session/rtp-retry.test.ts',
  // A second `npm start` must answer within 15 s: a build and a start, on the real clock.
  'test/cli/second-start.test.ts',
  // The locate's round trip through a real relay, against the proxy's injected delay.
  'test/session/locate/relay-rtt.test.ts',
  // The first pass over six edges through a real relay, each behind the proxy's injected delay: its order is the delays'.
  'test/session/locate/first-pass.test.ts',
  // Each address family's round trip through a real relay on 127.0.0.1 and ::1, against the proxy's injected delay.
  'test/session/locate/families.test.ts',
  // A clean test's round trip beside an abusive busy-line client (the abuser capped, the rest not).
  'test/server/dataplane/isolation.test.ts',
];
const MOCKING = ['test/session/one-session.test.ts'];
const COMPONENTS = ['test/web/components/**/*.test.ts'];

const shared = {
  testTimeout: 20_000,
  hookTimeout: 30_000,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: { ...shared, name: 'timing', include: TIMING, maxWorkers: 1, sequence: { groupOrder: 0 } },
      },
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...TIMING, ...MOCKING, ...COMPONENTS],
          isolate: false,
          maxWorkers: 4,
          // One throwaway PostgreSQL cluster for the run's files (test/kit/postgres.ts, runPostgres).
          globalSetup: ['test/kit/global-setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: { ...shared, name: 'mocking', include: MOCKING, isolate: true, maxWorkers: 4, sequence: { groupOrder: 1 } },
      },
      {
        test: {
          ...shared,
          name: 'components',
          include: COMPONENTS,
          environment: 'happy-dom',
          isolate: true,
          maxWorkers: 4,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
