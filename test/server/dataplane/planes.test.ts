/**
 * `serve --workers 2`: a relay in each data plane, the listeners in the first. A test on an idle
 * server goes to the second plane. The page's two allocations start in the first plane's relay
 * and move to the second's once their peers turn out to be its sessions (the RTP leg's granted
 * endpoint, the data-channel leg's relayed address its relay announced): every probe is
 * echoed, and crosses the second plane's relay alone, whose witness the `final` carries. /metrics
 * labels each plane. When the first plane is killed, a test running on the other plane ends as
 * the server's failure too (no new packet of it could reach the server), logged once.
 */
import dgram from 'node:dgram';
import { join } from 'node:path';
import { RtpHeader, RtpPacket } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../../src/protocol/api.js';
import { decodeRtpEcho, encodeRtpProbe } from '../../../src/protocol/rtp-probe.js';
import { openPageLegs } from '../../../bench/lib/page-legs.js';
import { serveProcess, type ServeProcess } from '../../kit/callprobe.js';
import { freePorts } from '../../kit/net.js';
import { paced } from '../../kit/pace.js';
import { cliPath, repoRoot } from '../../kit/paths.js';
import { spawnBounded } from '../../kit/process.js';
import { needBuilt, skipReason } from '../../kit/requires.js';
import { waitFor } from '../../kit/wait.js';
import { TurnClient } from '../../../server/turn/client/turn-client.js';
import { parseIp } from '../../../src/protocol/ip.js';

/** Binds `s` on a free loopback port of the second plane's share of the default relay ports (57344-65535). */
async function bindInShare(s: dgram.Socket): Promise<void> {
  for (let port = 61000; port < 61100; port++) {
    const ok = await new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return;
  }
  throw new Error("no free port in the second plane's share");
}

const CLIENT = join(repoRoot, 'dist', 'bench', 'load', 'client-main.js');
const why = skipReason('two data planes', [needBuilt(cliPath), needBuilt(CLIENT)]);
const PROBES = 200;

describe.skipIf(why !== null)('serve --workers 2', () => {
  let server: ServeProcess;
  let metricsUrl: string;
  let turnPort = 0;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    const [turn = 0, metricsPort = 0] = await freePorts(2);
    turnPort = turn;
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    server = await serveProcess({
      turnPorts: turn,
      secret: 's',
      logLevel: 'info',
      extra: ['--workers', '2', '--metrics-listen', `127.0.0.1:${metricsPort}`],
    });
  }, 30_000);

  afterAll(async () => {
    for (const c of closers.splice(0)) c();
    await server?.stop();
  });

  /** Each plane's pid, as serve's lines name them. */
  function planePids(): [number, number] {
    const pid = (re: RegExp): number => Number(re.exec(server.proc.stderr())?.[1] ?? 0);
    return [pid(/^data plane: pid (\d+),/m), pid(/^data plane 1: pid (\d+),/m)];
  }

  /** A metric's samples in /metrics, by their labels. */
  async function samples(name: string): Promise<Record<string, number>> {
    const text = await (await fetch(metricsUrl)).text();
    const out: Record<string, number> = {};
    for (const l of text.split('\n')) {
      const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(l);
      if (m) out[m[1] ?? ''] = Number(m[2]);
    }
    return out;
  }

  it("runs a test's both legs in the second plane, its allocations moved to that plane's relay", async () => {
    const [relayPid, otherPid] = planePids();
    expect(relayPid).toBeGreaterThan(0);
    expect(otherPid).toBeGreaterThan(0);
    expect(otherPid).not.toBe(relayPid);

    const cfg = (await (await fetch(`${server.url}/api/config`)).json()) as ServerConfig;
    const iceServers = cfg.turn.filter((e) => e.transport === 'udp').map((e) => ({ urls: e.url, username: cfg.username, credential: cfg.credential }));
    const upSeqs = new Set<number>();
    const legs = await openPageLegs(server.url, iceServers, (rtp) => upSeqs.add(decodeRtpEcho(rtp.payload).upSeq), { dataChannel: true });
    closers.push(() => legs.close());
    await waitFor(() => legs.dataConnected(), { timeoutMs: 20_000, what: 'the data-channel leg connected', state: () => JSON.stringify(legs.errors) });
    await legs.pc.setLocalDescription(await legs.pc.createOffer());
    legs.offerRtp(legs.pc.localDescription?.sdp ?? '');
    await waitFor(() => legs.pc.connectionState === 'connected', {
      timeoutMs: 20_000,
      what: 'the RTP leg connected through the relay in the other process',
      state: () => `rtp ${legs.pc.connectionState}, errors ${JSON.stringify(legs.errors)}`,
    });
    // Both legs are the second plane's; the first holds the relay alone for this test.
    expect(await server.proc.waitForLine(/"msg":"rtp leg connected"/, { timeoutMs: 5_000, what: "the RTP leg's connected line" })).toContain(
      `"pid":${otherPid},`,
    );
    expect(await server.proc.waitForLine(/"msg":"reflector connected"/, { timeoutMs: 5_000, what: "the data-channel leg's line" })).toContain(
      `"pid":${otherPid},`,
    );
    expect(await samples('callprobe_dataplane_sessions_open')).toEqual({ '{plane="0"}': 0, '{plane="1"}': 1 });
    expect(await samples('callprobe_dataplane_up')).toEqual({ '{plane="0"}': 1, '{plane="1"}': 1 });

    const pt = legs.transceiver.sender.codec?.payloadType ?? 111;
    const opus = Uint8Array.of(0xfc, 0xff, 0xfe);
    await paced(PROBES, 10, (i) => {
      const payload = encodeRtpProbe({ probeSeq: i, sendMs: performance.now(), opus });
      void legs.transceiver.sender.sendRtp(new RtpPacket(new RtpHeader({ payloadType: pt, sequenceNumber: i, timestamp: i * 480 }), Buffer.from(payload)));
    });
    await waitFor(() => upSeqs.size >= PROBES, { timeoutMs: 10_000, what: `${PROBES} echoes`, state: () => `${upSeqs.size} echoes` });

    legs.stop();
    await waitFor(() => legs.controlText.some((m) => m.type === 'final'), { timeoutMs: 10_000, what: 'final', state: () => JSON.stringify(legs.controlText) });
    const final = legs.controlText.find((m) => m.type === 'final');
    if (final?.type !== 'final') throw new Error('no final');
    // Both of the page's allocations moved to the second plane's relay, which saw every probe up and every echo down.
    const movedIn = server.proc
      .stdout()
      .split('\n')
      .filter((l) => l.includes('"msg":"TURN allocation moved in from the first data plane"'));
    expect(movedIn).toHaveLength(2);
    for (const l of movedIn) expect(l).toContain(`"pid":${otherPid},`);
    expect(final.relayWitness?.upstream.packets).toBe(PROBES);
    expect(final.relayWitness?.downstream?.packets).toBe(PROBES);
    // The probes crossed the second plane's relay alone: each way, once per probe, on the RTP leg's allocation.
    const relayedBy = (plane: string, all: Record<string, number>): number =>
      Object.entries(all)
        .filter(([labels]) => labels.includes(`plane="${plane}"`))
        .reduce((n, [, v]) => n + v, 0);
    const relayed = await samples('callprobe_turn_relayed_packets_total');
    expect(relayedBy('1', relayed)).toBeGreaterThanOrEqual(2 * PROBES);
    expect(relayedBy('0', relayed)).toBeLessThan(PROBES);
    // The loop reading joins both planes' bins over the session: some bins, in time order, on this plane's clock.
    const bins = final.serverLoop?.bins ?? [];
    expect(bins.length).toBeGreaterThan(0);
    expect(bins.map(([start]) => start)).toEqual([...bins.map(([start]) => start)].sort((a, b) => a - b));
    legs.close();
    await waitFor(async () => (await samples('callprobe_dataplane_sessions_open'))['{plane="1"}'] === 0, {
      timeoutMs: 10_000,
      pollMs: 100,
      what: 'the session closed',
    });
  }, 60_000);

  it("lets a page's allocation reach the other plane's relay ports only where an allocation is open", async () => {
    // A socket of ours on a port of the second plane's share (57344-65535) that no relay holds.
    const bystander = dgram.createSocket('udp4');
    const heard: Buffer[] = [];
    bystander.on('message', (m) => heard.push(m));
    await bindInShare(bystander);
    closers.push(() => bystander.close());
    const port = bystander.address().port;
    const cfg = (await (await fetch(`${server.url}/api/config`)).json()) as ServerConfig;
    const c = await TurnClient.connect({ host: '127.0.0.1', port: turnPort, username: cfg.username, password: cfg.credential });
    closers.push(() => void c.close());
    await c.allocate();
    const target = { ip: parseIp('127.0.0.1'), port };
    // The channel is bound (the address is the relay's, and another plane's port range), but no datagram may go there.
    await c.channelBind(0x4001, target);
    const dropped = async (): Promise<number> =>
      (await samples('callprobe_turn_dropped_total'))[`{plane="0",transport="udp",port="${turnPort}",reason="peer-not-allowed"}`] ?? 0;
    const before = await dropped();
    for (let i = 0; i < 5; i++) c.sendChannelData(0x4001, Buffer.from(`probe ${i}`));
    await waitFor(async () => (await dropped()) >= before + 5, { timeoutMs: 5_000, pollMs: 100, what: 'five datagrams refused' });
    expect(heard).toEqual([]);
  });

  it("ends a test of the second plane as the server's failure when the relay's plane is killed", async () => {
    const [relayPid, otherPid] = planePids();
    // With no test open anywhere, the next goes to the second plane.
    await waitFor(async () => Object.values(await samples('callprobe_dataplane_sessions_open')).every((n) => n === 0), {
      timeoutMs: 15_000,
      pollMs: 100,
      what: 'no test open',
    });
    const client = spawnBounded(process.execPath, [CLIENT, server.url, '30'], { deadlineMs: 60_000, cwd: repoRoot });
    await waitFor(async () => (await samples('callprobe_dataplane_sessions_open'))['{plane="1"}'] === 1, {
      timeoutMs: 20_000,
      pollMs: 100,
      what: 'the test open in the second plane',
    });
    // Streaming: probes cross the relay.
    const relayed = async (): Promise<number> => Object.values(await samples('callprobe_turn_relayed_packets_total')).reduce((a, b) => a + b, 0);
    const before = await relayed();
    await waitFor(async () => (await relayed()) > before + 400, { timeoutMs: 20_000, pollMs: 100, what: 'streaming' });
    process.kill(relayPid, 'SIGKILL');

    const ended = await client.exited;
    expect(ended.code, client.stderr()).toBe(0);
    const report = JSON.parse(client.stdout()) as { outcome: { reason: string; detail: string } | null; summary: { verdict: string } };
    expect(report.summary.verdict).toBe('insufficient');
    expect(report.outcome).toMatchObject({ reason: 'connection-lost', detail: expect.stringContaining('data plane stopped') as unknown });
    await server.proc.waitForLine(/^data plane started again \(pid \d+\)/m, { timeoutMs: 15_000, what: "the relay's plane started again" });
    const exits = server.proc
      .stderr()
      .split('\n')
      .filter((l) => /^data plane( \d+)? \(/.test(l));
    expect(exits).toEqual([
      expect.stringMatching(
        new RegExp(`^data plane \\(pid ${relayPid}\\) exited \\(SIGKILL\\): 1 test ended as the server's failure; starting it again in \\d+ ms$`),
      ),
    ]);
    expect(await samples('callprobe_dataplane_exits_total')).toEqual({ '{plane="0"}': 1, '{plane="1"}': 0 });
    expect(await samples('callprobe_dataplane_sessions_lost_total')).toEqual({ '{plane="0"}': 1, '{plane="1"}': 0 });
    expect(planePids()[1]).toBe(otherPid);
  }, 90_000);
});
