/**
 * The per-source quota against a real `callprobe serve` (--host ::, dual stack), over real
 * sockets: five addresses of one IPv6 /64 get one share of allocations between them, over UDP
 * and over TCP (where a connection beyond the share is closed as soon as it is accepted), while
 * another /64 and an IPv4 address keep theirs. Runs in a network namespace the test makes, whose
 * loopback carries the /64s (fd00::/8, unique local addresses, RFC 4193): nothing leaves it.
 * Needs root, `ip` and the built CLI (`npx tsc -b`); skipped with the reason otherwise.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns } from '../../../../e2e/fixtures/netns.js';
import type { AllocationFloodOptions, AllocationFloodResult } from '../../../../bench/lib/allocation-flood.js';
import type { ServeProcess } from '../../../kit/callprobe.js';
import { cliPath, repoRoot } from '../../../kit/paths.js';
import { needBuilt, netnsNeeds, skipReason } from '../../../kit/requires.js';
import { waitFor } from '../../../kit/wait.js';

const FLOOD_MAIN = join(repoRoot, 'dist', 'bench', 'lib', 'allocation-flood-main.js');
const SECRET = 'source-quota-live';
const TURN_PORT = 3478;
const METRICS = '127.0.0.1:9465';
const PER_SOURCE = 12;
// An eighth of the total is one network's share (server/common/door.ts): 120 leaves the /64 its own bound of 12.
const TOTAL = 120;
/** Five addresses of one /64, and one of the next /64. */
const FLOODER = ['fd00:64:1::1', 'fd00:64:1::2', 'fd00:64:1::a:b:c:d', 'fd00:64:1:0:ffff:ffff:ffff:fffe', 'fd00:64:1::5'];
const NEIGHBOUR = 'fd00:64:2::1';

const why = skipReason('source-quota-live', [...netnsNeeds(), needBuilt(cliPath), needBuilt(FLOOD_MAIN)]);

describe.skipIf(why !== null)('the relay counts an IPv6 /64 as one source (live, in a test-made namespace)', () => {
  let ns: TestNetns;
  let serve: ServeProcess;

  beforeAll(async () => {
    ns = TestNetns.create('v64');
    for (const a of [...FLOODER, NEIGHBOUR]) ns.exec('ip', ['addr', 'add', `${a}/64`, 'dev', 'lo', 'nodad']);
    serve = await ns.serve({
      host: '::',
      relayIp: '127.0.0.1,::1',
      httpPort: 8080,
      turnPorts: TURN_PORT,
      relayPorts: '40000-40999',
      secret: SECRET,
      extra: ['--no-reflector', '--max-allocations-per-ip', String(PER_SOURCE), '--max-allocations', String(TOTAL), '--metrics-listen', METRICS],
    });
  }, 30_000);

  afterAll(async () => {
    await serve?.stop();
    ns?.delete();
  });

  /** `host` null: each client sends to the relay (on ::) at its own address (AllocationFloodOptions.host). */
  async function flood(transport: 'udp' | 'tcp', localAddresses: string[], host: string | null = null): Promise<AllocationFloodResult> {
    const opts: AllocationFloodOptions = { host, port: TURN_PORT, secret: SECRET, transport, localAddresses, maxPerAddress: TOTAL, perSecond: null };
    const p = ns.spawn(process.execPath, [FLOOD_MAIN, JSON.stringify(opts)], { deadlineMs: 60_000, cwd: repoRoot });
    try {
      return JSON.parse(await p.waitForLine(/^\{"granted"/, { timeoutMs: 50_000, what: `the ${transport} flood's result` })) as AllocationFloodResult;
    } finally {
      await p.stop();
    }
  }

  const dropped = (reason: string): number => ns.metricTotal(METRICS, 'callprobe_turn_dropped_total', reason);

  it(`UDP: five addresses of one /64 get ${PER_SOURCE} allocations between them, of ${TOTAL}`, async () => {
    const r = await flood('udp', FLOODER);
    console.log(`[source-quota-live] UDP, one /64 from 5 addresses: ${r.granted} allocations (${r.byAddress.map((a) => a.granted).join(' + ')})`);
    expect(r.granted).toBe(PER_SOURCE);
    expect(r.byAddress.map((a) => a.refusal)).toEqual([486, 486, 486, 486, 486]);
  }, 60_000);

  it('UDP: another /64 and an IPv4 address get their own share', async () => {
    // Held at once with the flooder's: the flood process keeps what it got until it ends.
    const r = await flood('udp', [...FLOODER, NEIGHBOUR]);
    expect(r.byAddress.map((a) => a.granted)).toEqual([PER_SOURCE, 0, 0, 0, 0, PER_SOURCE]);
    // The relay's 0.0.0.0 socket answers 127.0.0.2 from 127.0.0.1 (the loopback route's source address).
    const v4 = await flood('udp', ['127.0.0.2'], '127.0.0.1');
    expect(v4.byAddress).toEqual([{ address: '127.0.0.2', granted: PER_SOURCE, refusal: 486 }]);
  }, 60_000);

  it(`TCP: the /64's connections beyond its share are closed as soon as they are accepted`, async () => {
    const before = dropped('stream-connections-per-source');
    const r = await flood('tcp', FLOODER);
    console.log(`[source-quota-live] TCP, one /64 from 5 addresses: ${r.granted} allocations, then ${JSON.stringify(r.byAddress.map((a) => a.refusal))}`);
    expect(r.granted).toBe(PER_SOURCE);
    expect(r.byAddress.map((a) => a.refusal)).toEqual(['closed', 'closed', 'closed', 'closed', 'closed']);
    await waitFor(() => dropped('stream-connections-per-source') >= before + FLOODER.length, { timeoutMs: 5_000, what: 'the refused connections in /metrics' });
  }, 60_000);
});
