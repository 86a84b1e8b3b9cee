/**
 * Interop with coturn's own client: turnutils_uclient + turnutils_peer against OUR relay,
 * on every UDP port and on TCP, loopback only, bounded in time.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Relay } from '../../../server/turn/index.js';
import { startTestRelay } from './helpers/relay.js';
import { parseUclient, uclientArgs } from '../../../bench/relay/uclient.js';
import { freePorts, waitUdpBound } from '../../kit/net.js';
import { runProcess, spawnBounded, type ProcessHandle, type ProcessResult } from '../../kit/process.js';
import { metricsText } from '../../kit/metrics.js';

const SECRET = 'interop-secret';
let relay: Relay;
let peerPort: number;
let peer: ProcessHandle;

beforeAll(async () => {
  const [pp, relayBase] = await freePorts(2);
  peerPort = pp ?? 0;
  // A 1000-port relay block in 10000-19999, which no other test uses and which lies below Linux's
  // ephemeral range (32768-60999): uclient's EVEN-PORT reservation holds port+1 without a socket, and
  // a parallel test's outgoing socket that took it meanwhile made the reserved Allocate fail with 508.
  const base = 10000 + ((relayBase ?? 0) % 10) * 1000;
  relay = await startTestRelay({
    udpPorts: [0, 0, 0, 0],
    relayPortRange: { min: base, max: base + 999 },
    secret: SECRET,
    allowPeers: ['127.0.0.1/32'],
    quotas: { maxAllocationsPerUsername: 64 },
  });
  peer = spawnBounded('turnutils_peer', ['-L', '127.0.0.1', '-p', String(peerPort)], { deadlineMs: 120_000 });
  await waitUdpBound(peerPort);
});

afterAll(async () => {
  await peer.stop();
  await relay.close();
});

function uclient(port: number, extra: string[]): Promise<ProcessResult> {
  return runProcess(
    'turnutils_uclient',
    [...extra, ...uclientArgs({ messages: 30, sessions: 2, lengthBytes: 120, intervalMs: 5, peerPort, relayPort: port })],
    {
      timeoutMs: 25_000,
    },
  );
}

describe('turnutils_uclient through our relay', () => {
  it('relays with 0 % loss on every UDP port and on TCP (channels, RTP/RTCP pairs with EVEN-PORT reservations)', async () => {
    const udp = relay.listeners.filter((l) => l.transport === 'udp').map((l) => l.port);
    const tcp = relay.listeners.filter((l) => l.transport === 'tcp').map((l) => l.port);
    expect(udp).toHaveLength(4);
    const runs = await Promise.all([
      // First UDP port without -c: uclient allocates RTP+RTCP pairs (EVEN-PORT R=1 + RESERVATION-TOKEN).
      ...udp.map((p, i) => uclient(p, [...(i === 0 ? [] : ['-c']), '-W', SECRET, '-u', `udp${i}`])),
      ...tcp.map((p) => uclient(p, ['-t', '-c', '-W', SECRET, '-u', 'tcp'])),
    ]);
    for (const r of runs) {
      const s = parseUclient(r.output);
      expect(s, r.output.slice(-600)).not.toBeNull();
      expect(s?.sent, r.output.slice(-1500)).toBe(60);
      expect(s?.received).toBe(60);
      expect(s?.lostPct).toBe(0);
    }
    const metrics = await metricsText((r) => relay.registerMetrics(r));
    for (const p of udp) expect(metrics).toMatch(new RegExp(`callprobe_turn_allocations_total\\{transport="udp",port="${p}"\\} [1-9]`));
    expect(metrics).toMatch(/callprobe_turn_relayed_packets_total\{transport="tcp",port="\d+",direction="peer_to_client"\} 60/);
  }, 30_000);

  it('refuses a wrong secret (401) and an expired credential', async () => {
    const udp = relay.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
    const expiredUser = '1000000000:old';
    const expiredPass = createHmac('sha1', SECRET).update(expiredUser).digest('base64');
    const [wrong, expired] = await Promise.all([
      uclient(udp, ['-c', '-W', 'not-the-secret', '-u', 'intruder']),
      uclient(udp, ['-c', '-u', expiredUser, '-w', expiredPass]),
    ]);
    for (const r of [wrong, expired]) {
      expect(r.output, r.output.slice(-800)).toMatch(/Cannot complete Allocation/);
      expect(parseUclient(r.output)?.received ?? 0).toBe(0);
    }
    const metrics = await metricsText((r) => relay.registerMetrics(r));
    expect(metrics).toMatch(/reason="wrong-credentials"\} [1-9]/);
    expect(metrics).toMatch(/reason="credential-expired"\} [1-9]/);
  }, 30_000);
});
