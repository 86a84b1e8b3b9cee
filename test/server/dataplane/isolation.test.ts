/**
 * A clean test beside an abusive busy-line client (bench/load/isolation.ts, the short form of
 * `npm run bench:load -- --isolation`): `callprobe serve` as it ships, in a network namespace
 * made by the test whose loopback carries four IPv6 /64s of one /48; the abuser fills the
 * busy-line flows from them at full speed in a CPU cgroup of half a core (10 ms CFS period), so
 * what is measured is the server's design, not the abuser's share of the cores. Beside it, the
 * clean test's round trip stays near its run alone, and the data plane's event loop (the report's
 * `server` section) stays on time: the sink's load is the HTTP process's, not the relay's.
 *
 * Looser than the bench on the round trip (one pair, on a machine others may share: p50 within
 * 10 ms + 50 %), and held where the old design gives itself away: the clean test's jitter within
 * 4 ms of its run alone (and, as a check of the report's `server` section, the data plane's
 * median 200 ms window within 10 ms of alone). With the relay and reflector on the HTTP
 * process's loop (`--workers 0`) two such pairs measured jitter +8.2 and +6.7 ms over their runs
 * alone, the loop's median window +15.4 and +9.8 ms (the p50 moved only +0.7 and +0.8 ms: the
 * Node client's data-channel round trip hides it); with the data plane apart, six pairs on the
 * same busy machine (load average ~10 from other work) measured jitter -0.9 to +2.3 ms and the
 * median window +0.6 to +6.4 ms.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns } from '../../../e2e/fixtures/netns.js';
import { ABUSER_64S, ABUSER_CPU_PCT, ABUSE_SERVE_FLAGS, LOAD_FLOOD_MAIN, isolationPair } from '../../../bench/load/isolation.js';
import { createCpuCap, type CpuCap } from '../../../bench/lib/cpu-cap.js';
import type { ServeProcess } from '../../kit/callprobe.js';
import { cliPath, repoRoot } from '../../kit/paths.js';
import { needBuilt, netnsNeeds, skipReason } from '../../kit/requires.js';

const CLIENT = join(repoRoot, 'dist', 'bench', 'load', 'client-main.js');
const why = skipReason('a clean test beside an abusive client', [
  ...netnsNeeds(),
  needBuilt(cliPath),
  needBuilt(CLIENT),
  needBuilt(join(repoRoot, LOAD_FLOOD_MAIN)),
]);

describe.skipIf(why !== null)('a clean test beside an abusive busy-line client (in a test-made namespace)', () => {
  let ns: TestNetns;
  let serve: ServeProcess;
  let cap: CpuCap | null = null;
  let capSkipped: string | null = null;

  beforeAll(async () => {
    ns = TestNetns.create('iso');
    for (const a of ABUSER_64S) ns.exec('ip', ['addr', 'add', `${a}/64`, 'dev', 'lo', 'nodad']);
    const made = createCpuCap({ name: `callprobe-test-iso-${process.pid}`, pctOfCore: ABUSER_CPU_PCT });
    if (made.ok) cap = made.cap;
    else capSkipped = made.detail;
    serve = await ns.serve({
      host: '::',
      relayIp: '127.0.0.1,::1',
      httpPort: 8080,
      turnPorts: '3478-3481',
      secret: 'iso',
      extra: [...ABUSE_SERVE_FLAGS, ...(process.env['ISO_WORKERS'] ? ['--workers', process.env['ISO_WORKERS']] : [])],
    });
  }, 60_000);

  afterAll(async () => {
    await serve?.stop();
    await cap?.remove();
    ns?.delete();
  });

  it("keeps the clean test's round trip and the data plane's loop on time beside the abuser", async (ctx) => {
    // No cgroup here (not root, no cpu controller): skipped, saying why (createCpuCap throws in CI instead).
    if (cap === null) ctx.skip(`the abuser's CPU cgroup cannot be made here: ${capSkipped ?? ''}`);
    const c = cap as CpuCap;
    const pair = await isolationPair({
      url: 'http://127.0.0.1:8080',
      urlV6: 'http://[::1]:8080',
      servePid: serve.pid,
      durationS: 5,
      spawnNode: (args, deadlineMs) => ns.spawn(process.execPath, args, { deadlineMs, cwd: repoRoot }),
      // The cgroup is joined outside the namespace (its files are hidden inside `ip netns exec`), then `ip` enters it.
      startAbuser: (json) => ns.spawnWith(c.wrap('ip'), process.execPath, [LOAD_FLOOD_MAIN, json], { deadlineMs: 60_000, cwd: repoRoot }),
    });
    const line = (x: typeof pair.alone): string =>
      `p50 ${x.rttMsP50?.toFixed(2)} ms, p90 ${x.rttMsP90?.toFixed(2)} ms, jitter ${x.jitterMs?.toFixed(2)} ms, server ${JSON.stringify(x.server)}`;
    console.log(
      `[isolation] alone: ${line(pair.alone)}; beside: ${line(pair.beside)}; abuser ${pair.abuserMBps?.toFixed(0)} MB/s, serve CPU ${pair.serveCpuPct.map((p) => p.toFixed(0)).join(' + ')} %`,
    );
    // The abuser did load the server (a pair without load proves nothing).
    expect(pair.abuserMBps).toBeGreaterThan(50);
    expect(pair.alone.ok, pair.alone.error ?? '').toBe(true);
    expect(pair.beside.ok, pair.beside.error ?? '').toBe(true);
    const alone = { p50: pair.alone.rttMsP50 ?? Infinity, jitter: pair.alone.jitterMs ?? Infinity };
    // The round trip's median catches a broken path, not the old design (it moved +0.7 ms there):
    // 10 ms + 50 % of slack, as 2 cores held by serve (91 %), the capped abuser and the client once
    // moved it +8 ms with the jitter and the plane's loop on time.
    expect(pair.beside.rttMsP50).toBeLessThanOrEqual(alone.p50 + 10 + 0.5 * alone.p50);
    expect(pair.beside.jitterMs).toBeLessThanOrEqual(alone.jitter + 4);
    // The data plane's event loop (the report's server section) beside the abuser: its median window no more than 10 ms later than alone.
    expect(pair.beside.server?.eventLoopDelayMsP50 ?? Infinity).toBeLessThanOrEqual((pair.alone.server?.eventLoopDelayMsP50 ?? Infinity) + 10);
  }, 60_000);
});
