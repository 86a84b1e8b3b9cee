/**
 * The capacity bench's load client (bench/load/fast-client.ts and its addon,
 * bench/load/native/load-client.c) against a real `callprobe serve`: three tests set up as the
 * page's RTP leg, their streams handed to the addon, every measured probe's echo read back
 * through the relay and the reflector (SRTP both ways), none refused, none unreadable, and each
 * round trip a loopback one; werift still keeps each leg (the reflector's final tally arrives).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFast } from '../../../bench/load/fast-client.js';
import { serveProcess, type ServeProcess } from '../../kit/callprobe.js';
import { freePorts } from '../../kit/net.js';
import { repoRoot } from '../../kit/paths.js';
import { needBuilt, skipReason } from '../../kit/requires.js';

const why = skipReason('the load client', [needBuilt(join(repoRoot, 'dist', 'native', 'callprobe-load-client.node'))]);

let server: ServeProcess | null = null;

beforeAll(async () => {
  if (why !== null) return;
  const [turnPort = 0] = await freePorts(1);
  server = await serveProcess({ turnPorts: turnPort });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe.skipIf(why !== null)('the load client on the fast path', () => {
  it('streams three tests through the relay and the reflector: every measured probe echoed and read, each round trip a loopback one', async () => {
    const run = await runFast(server?.url ?? '', 2, 3, 20);
    expect(run.tests.map((t) => t.error)).toEqual([null, null, null]);
    for (const t of run.tests) {
      // 2 s at 100 probes a second, less the ticks a busy machine made the loop skip (counted, never sent).
      expect(t.probesSent + t.missedTicks).toBeGreaterThanOrEqual(199);
      expect(t.probesSent).toBeGreaterThan(150);
      expect({ echoes: t.echoes, bad: t.badEchoes, firstBad: t.firstBadEcho, lossPct: t.lossPct }).toEqual({
        echoes: t.probesSent,
        bad: 0,
        firstBad: null,
        lossPct: 0,
      });
      expect(t.rttMsP50).toBeGreaterThan(0);
      expect(t.rttMsP50).toBeLessThan(50);
    }
    expect(run.streaming?.clientCpuS).toBeGreaterThan(0);
    expect(run.setupRetries).toBe(0);
  }, 60_000);
});
