/**
 * `callprobe run --qos`: what the server's answers arrive with. A page cannot read a datagram's
 * traffic class, so run counts them itself, in the network namespace it runs in: an nftables
 * table of its own (`callprobe_qos_<pid>`) with a counter per DSCP value (RFC 2474 §3) for every
 * ChannelData message (RFC 8656 §12.4: the first two bits of the UDP payload 01) carrying RTP or
 * RTCP (RFC 7983 §7: version 2 in its first byte) that arrives from the relay's UDP ports, set up before the test and removed after it. It needs root on Linux
 * (and nft, Debian's nftables); anywhere else the way in is `not-measured`, said why. The report's
 * `qos.downstream` is then what was counted (src/analysis/grade/qos.ts `countedDownstream`).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TurnServerEntry } from '../src/protocol/api.js';
import type { DscpCounts } from '../src/protocol/wire.js';
import { countedDownstream, type DownstreamReading } from '../src/analysis/grade/qos.js';
import type { Report } from '../src/analysis/schema/report-schema.js';
import { oneLine } from './exit.js';
import type { HeadlessRun } from './headless/chromium.js';

const exec = promisify(execFile);

/** How long one nft call may take before it counts as failed. */
const NFT_TIMEOUT_MS = 5_000;

/** The nftables ruleset of the count: the relay's UDP ports' ChannelData, then one counter per DSCP and family. */
export function qosCountRules(table: string, ports: readonly number[]): string {
  const counters = [4, 6].flatMap((family) =>
    Array.from(
      { length: 64 },
      (_, dscp) => `    ${family === 4 ? 'ip' : 'ip6'} dscp ${String(dscp)} counter return comment "${String(family)} ${String(dscp)}"`,
    ),
  );
  return [
    `table inet ${table} {`,
    '  chain input {',
    '    type filter hook input priority -150; policy accept;',
    // ChannelData (its first two bits 01) carrying RTP or RTCP (RFC 7983 §7: a first byte 128-191, version 2): the RTP leg's media, not its DTLS or STUN, nor the data channel's.
    `    meta l4proto udp udp sport { ${ports.join(', ')} } @th,64,2 1 @th,96,2 2 jump count comment "callprobe run --qos"`,
    '  }',
    '  chain count {',
    ...counters,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The counts by DSCP in `nft -j list chain inet <table> count`'s answer, both families added up; the values seen only. */
export function countsOfListing(json: string): DscpCounts {
  const listing = JSON.parse(json) as { nftables?: Array<{ rule?: { comment?: unknown; expr?: Array<{ counter?: { packets?: unknown } }> } }> };
  const out: DscpCounts = {};
  for (const item of listing.nftables ?? []) {
    const rule = item.rule;
    const m = typeof rule?.comment === 'string' ? /^[46] (\d+)$/.exec(rule.comment) : null;
    const packets = rule?.expr?.find((e) => e.counter !== undefined)?.counter?.packets;
    if (m === null || m === undefined || typeof packets !== 'number' || packets === 0) continue;
    const key = m[1] as string;
    out[key] = (out[key] ?? 0) + packets;
  }
  return out;
}

/** The UDP ports of the server's relay entries: where its answers come from. */
function relayUdpPorts(turn: ReadonlyArray<Pick<TurnServerEntry, 'transport' | 'port'>>): number[] {
  return [...new Set(turn.filter((t) => t.transport === 'udp').map((t) => t.port))].sort((a, b) => a - b);
}

/** What the count needs of its machine: whether it is root on Linux, and how to call nft. */
interface QosCountHost {
  rootOnLinux: boolean;
  nft(args: readonly string[], input?: string): Promise<string>;
}

/** This machine: its platform and user, and nft from the PATH (its ruleset on stdin for `-f -`). */
const THIS_HOST: QosCountHost = {
  rootOnLinux: process.platform === 'linux' && process.getuid?.() === 0,
  nft: async (args, input) => {
    const child = exec('nft', [...args], { timeout: NFT_TIMEOUT_MS, encoding: 'utf8' });
    if (input !== undefined) child.child.stdin?.end(input);
    return (await child).stdout;
  },
};

/** The count of one test's arrivals: started before the test, read and removed after it. */
class QosCount {
  private removed = false;

  private constructor(
    private readonly host: QosCountHost,
    private readonly table: string | null,
    /** Why nothing is counted (null: the table is set up). */
    private readonly failed: DownstreamReading | null,
    private readonly progress: (line: string) => void,
  ) {}

  /**
   * Sets the count up for the relay's UDP `ports` (never throws: a count that could not start
   * says why on `progress` and in the report).
   */
  static async start(ports: readonly number[], progress: (line: string) => void, host: QosCountHost = THIS_HOST): Promise<QosCount> {
    if (!host.rootOnLinux) {
      progress('--qos: the marks that arrive are counted only as root on Linux: the way in is not measured');
      return new QosCount(host, null, { reason: 'needs-linux-root' }, progress);
    }
    if (ports.length === 0) {
      progress('--qos: the server offers no UDP relay port: the way in is not measured');
      return new QosCount(host, null, { reason: 'counter-failed' }, progress);
    }
    const table = `callprobe_qos_${String(process.pid)}`;
    try {
      await host.nft(['-f', '-'], qosCountRules(table, ports));
    } catch (err) {
      progress(`--qos: the nftables counter could not be set up (${oneLine((err as Error).message)}): the way in is not measured`);
      return new QosCount(host, null, { reason: 'counter-failed' }, progress);
    }
    return new QosCount(host, table, null, progress);
  }

  /** What was counted so far, or why nothing was. */
  private async reading(): Promise<DownstreamReading> {
    if (this.failed !== null || this.table === null) return this.failed ?? { reason: 'counter-failed' };
    try {
      return { counts: countsOfListing(await this.host.nft(['-j', 'list', 'chain', 'inet', this.table, 'count'])) };
    } catch (err) {
      this.progress(`--qos: the nftables counter could not be read (${oneLine((err as Error).message)}): the way in is not measured`);
      return { reason: 'counter-failed' };
    }
  }

  /** `report` with its way in as counted (a report without QoS marks, not on the RTP stream, as it is). */
  async apply(report: Report): Promise<Report> {
    if (report.qos === undefined) return report;
    const downstream = countedDownstream(report.qos.downstream, await this.reading());
    return { ...report, qos: { ...report.qos, downstream } };
  }

  /** Removes the table (once; a table that could not be removed is said, with how to remove it). */
  async close(): Promise<void> {
    if (this.table === null || this.removed) return;
    this.removed = true;
    try {
      await this.host.nft(['delete', 'table', 'inet', this.table]);
    } catch (err) {
      this.progress(
        `--qos: the nftables table ${this.table} could not be removed (${oneLine((err as Error).message)}): remove it with nft delete table inet ${this.table}`,
      );
    }
  }
}

/**
 * One headless test (`test`) with `--qos`'s count around it (`count`): its report's way in as
 * counted; without `count`, the test as it is.
 */
export async function countingQos(
  count: boolean,
  turn: ReadonlyArray<Pick<TurnServerEntry, 'transport' | 'port'>>,
  progress: (line: string) => void,
  test: () => Promise<HeadlessRun>,
): Promise<HeadlessRun> {
  if (!count) return test();
  const qos = await QosCount.start(relayUdpPorts(turn), progress);
  try {
    const run = await test();
    return run.result.ok ? { ...run, result: { ok: true, report: await qos.apply(run.result.report) } } : run;
  } finally {
    await qos.close();
  }
}
