/**
 * QoS marks, each way, with real markers (docs/read-a-report.md, "QoS marks"): a client and a
 * server namespace joined by one veth pair (bench/lib/multi-homed.ts), `callprobe serve` in the
 * server's and `callprobe run --qos --json` in the client's, as root. The page's browser marks its
 * audio EF and the relay counts each packet's DSCP as it arrives; the relay marks its answers EF
 * and run counts them as they arrive in its namespace (its own nftables counter). Between them,
 * nftables on each side's veth re-marks what leaves it, as a site's router would: on the client's
 * side the page's audio (upstream), on the server's its answers (downstream). One server, one
 * test: EF cleared to 0 on the client's side (upstream cleared), no rule on the server's
 * (downstream kept), so each direction is judged by its own counts. A mark changed to another
 * class (`remarked`) is the same count read another way: test/analysis/grade/qos.test.ts.
 */
import { MultiHomed } from '../bench/lib/multi-homed.js';
import { spawnCallprobe, serveProcess } from '../test/kit/callprobe.js';
import { expect, needNetns, test } from './fixtures/test.js';
import type { Report } from '../src/analysis/schema/report-schema.js';

const HTTP_PORT = 18982;

/** nftables in `ns` that re-marks EF to `to` on UDP leaving its veth (`match`: which way, by the relay's ports); none: no rule. */
function remark(net: MultiHomed, ns: string, match: string, to: 'cs0' | 'af41' | null): void {
  const table = 'cpqosremark';
  if (net.exec(ns, 'nft', ['list', 'tables']).includes(table)) net.exec(ns, 'nft', ['delete', 'table', 'inet', table]);
  if (to === null) return;
  net.exec(ns, 'nft', ['add', 'table', 'inet', table]);
  net.exec(ns, 'nft', ['add', 'chain', 'inet', table, 'out', '{ type filter hook postrouting priority 0; }']);
  net.exec(ns, 'nft', ['add', 'rule', 'inet', table, 'out', 'oifname', 'mh*', ...match.split(' '), 'ip', 'dscp', 'ef', 'ip', 'dscp', 'set', to]);
}

/** `callprobe run --qos --json` in the client's namespace against the server; its report. */
async function runQos(net: MultiHomed): Promise<Report> {
  const run = spawnCallprobe(['run', '--server', `http://${net.serverV4}:${HTTP_PORT}`, '--no-save', '--json', '--qos', '--duration', '2'], {
    deadlineMs: 60_000,
    spawn: (c, a, o) => net.spawn(net.client, c, a, o),
  });
  await run.exited;
  expect(run.stdout(), run.stderr()).toMatch(/^\{/);
  return JSON.parse(run.stdout()) as Report;
}

/** Packets by DSCP: the mark most of them carried, and how many were counted. */
const common = (counts: Record<string, number> | null | undefined): { dscp: number; packets: number } => {
  const entries = Object.entries(counts ?? {}).sort((a, b) => b[1] - a[1]);
  return { dscp: Number(entries[0]?.[0] ?? -1), packets: entries.reduce((a, [, n]) => a + n, 0) };
};

// Playwright reads fixtures from the first parameter's destructuring: none are used here.
// eslint-disable-next-line no-empty-pattern
test('QoS marks through the relay: cleared the way nftables re-marks EF to 0, kept the way with no rule', async ({}, testInfo) => {
  // Serve (10 s), then one headless run (about 20 s; 50 s on a busy machine).
  test.setTimeout(120_000);
  needNetns('a client and a server namespace with nftables re-marking');
  const net = MultiHomed.create('qos', 1, 'ipv4');
  try {
    await net.up();
    const server = await serveProcess(
      { host: net.serverV4, httpPort: HTTP_PORT },
      { deadlineMs: 115_000, readyTimeoutMs: 30_000, spawn: (c, a, o) => net.spawn(net.server, c, a, o) },
    );
    try {
      const cases = [{ up: 'cs0', down: null, want: { up: ['cleared', 0], down: ['kept', 46] } }] as const;
      for (const c of cases) {
        // Upstream: the page's audio to the relay's ports, leaving the client's veth; downstream: the relay's answers, leaving the server's.
        remark(net, net.client, 'udp dport 3478-3481', c.up);
        remark(net, net.server, 'udp sport 3478-3481', c.down);
        const r = await runQos(net);
        testInfo.annotations.push({ type: `re-marked up to ${String(c.up)}, down to ${String(c.down)}`, description: JSON.stringify(r.qos) });
        expect(r.probe.path, 'the test ran on the RTP stream').toBe('rtp');
        for (const [d, [state, dscp]] of [
          [r.qos?.upstream, c.want.up],
          [r.qos?.downstream, c.want.down],
        ] as const) {
          expect(d?.state, JSON.stringify(r.qos)).toBe(state);
          // The counts say it: most packets carried the mark the rule left, and there were a test's worth of them.
          const seen = common(d?.counts);
          expect(seen.dscp).toBe(dscp);
          expect(seen.packets).toBeGreaterThan(100);
        }
      }
      // run removed its own counter table; the test's re-marking table is its own to remove.
      expect(net.exec(net.client, 'nft', ['list', 'tables'])).not.toMatch(/callprobe_qos/);
    } finally {
      await server.stop();
    }
  } finally {
    net.delete();
  }
});
