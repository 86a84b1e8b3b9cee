/**
 * The capacity bench's load client: one Node process that drives many tests at once, each the
 * page's own session (runSession, ./node-client.ts: the data-channel probe path over
 * @roamhq/wrtc through the embedded relay), no page and no browser. It reports every test's
 * result and its own CPU seconds, so the bench can tell a run the client limited from one the
 * server did (./capacity.ts).
 */
import { SetupError } from '../../src/session/net/errors.js';
import { ownCpuS } from '../lib/test-cost.js';
import { noFigures, resultOf, type ClientResult } from './load-kit.js';
import { runNodeClient } from './node-client.js';

/** One test of a many-test run: its result, and whether the server refused it as busy before it measured. */
interface ManyTestResult extends ClientResult {
  refusedBusy: boolean;
  /** The report's server section: the data plane's event-loop delay over the test (p50, p99), ms. */
  serverLoopMsP50: number | null;
  serverLoopMsP99: number | null;
}

/** What one client process said of its run: each test, its own CPU seconds and the wall time. */
export interface ManyClientRun {
  tests: ManyTestResult[];
  clientCpuS: number;
  wallS: number;
}

/** `n` tests of `durationS` against `baseUrl`, started `staggerMs` apart, in this process. */
export async function runMany(baseUrl: string, durationS: number, n: number, staggerMs: number): Promise<ManyClientRun> {
  const cpu0 = ownCpuS();
  const t0 = performance.now();
  const one = async (i: number): Promise<ManyTestResult> => {
    await new Promise((resolve) => setTimeout(resolve, i * staggerMs));
    const controller = new AbortController();
    const hardStop = setTimeout(() => controller.abort(), (durationS + 30) * 1000);
    try {
      const report = await runNodeClient({ baseUrl, durationS, profile: { id: 'client-to-edge' }, signal: controller.signal });
      const server = report.server ?? null;
      return {
        ...resultOf(report),
        refusedBusy: false,
        serverLoopMsP50: server?.eventLoopDelayMsP50 ?? null,
        serverLoopMsP99: server?.eventLoopDelayMsP99 ?? null,
      };
    } catch (err) {
      const busy = err instanceof SetupError && err.reason === 'server-busy';
      return {
        ...noFigures((err as Error).message),
        refusedBusy: busy,
        serverLoopMsP50: null,
        serverLoopMsP99: null,
      };
    } finally {
      clearTimeout(hardStop);
    }
  };
  const tests = await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
  return { tests, clientCpuS: ownCpuS() - cpu0, wallS: (performance.now() - t0) / 1000 };
}
