/**
 * Captures what Chromium really sends to a TURN server: runs our relay behind a recording UDP
 * proxy, opens two relay-only peer connections in headless Chromium (in-page loop), and writes
 * the first message of each kind as hex to stdout (JSON). Loopback only: run it inside
 * scripts/netns-run.sh (Chromium needs --allow-loopback-in-peer-connection there).
 *
 *   npx tsc -b bench && scripts/netns-run.sh node dist/bench/relay/capture-chromium.js [udp|tcp|tls]
 *
 * With `tcp` or `tls` Chromium talks to the relay's stream listener directly (nothing is
 * recorded; the run checks that a relay candidate pair carries data). `tls` uses a throwaway
 * self-signed certificate and --ignore-certificate-errors.
 */
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Registry } from 'prom-client';
import { CHROMIUM_ARGS } from '../../client/headless/chromium.js';
import { decodeStun } from '../../server/turn/codec/index.js';
import { mintRestCredential, startRelay } from '../../server/turn/index.js';
import { silentLogger } from '../../server/turn/transport/logger.js';

const SECRET = 'capture-secret';

function kindOf(buf: Buffer): string {
  const b0 = buf[0] ?? 0;
  if (b0 >= 0x40 && b0 <= 0x7f) return 'channel-data';
  try {
    const m = decodeStun(buf);
    const auth = m.attributes.some((a) => a.type === 0x0008);
    return `method-${m.method}-class-${m.cls}${auth ? '-auth' : ''}`;
  } catch {
    return 'undecodable';
  }
}

function selfSigned(): { certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-capture-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { certPem: readFileSync(join(dir, 'c.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'k.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The relay's families as /metrics shows them. */
function relayText(relay: { registerMetrics(registry: Registry): void }): Promise<string> {
  const registry = new Registry();
  relay.registerMetrics(registry);
  return registry.metrics();
}

async function main(): Promise<void> {
  const transport = process.argv[2] ?? 'udp';
  if (!['udp', 'tcp', 'tls'].includes(transport)) throw new Error(`transport must be udp, tcp or tls, not ${transport}`);
  const relay = await startRelay({
    listenHosts: ['127.0.0.1'],
    relayIp: '127.0.0.1',
    udpPorts: [0],
    tcpPorts: transport === 'tcp' ? [0] : [],
    tls: transport === 'tls' ? { port: 0, ...selfSigned() } : null,
    relayPortRange: { min: 0, max: 0 },
    realm: 'callprobe',
    secret: SECRET,
    allowPeers: [],
    logger: silentLogger,
  });
  const relayPort = relay.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
  const streamPort = relay.listeners.find((l) => l.transport === transport)?.port ?? 0;
  // Recording proxy: one upstream socket per browser 5-tuple.
  const captured = new Map<string, string>();
  const proxy = dgram.createSocket('udp4');
  await new Promise<void>((r) => proxy.bind(0, '127.0.0.1', () => r()));
  const upstreams = new Map<string, dgram.Socket>();
  proxy.on('message', (msg, rinfo) => {
    const kind = kindOf(msg);
    if (!captured.has(kind)) captured.set(kind, msg.toString('hex'));
    const key = `${rinfo.address}:${rinfo.port}`;
    let up = upstreams.get(key);
    if (!up) {
      const u = dgram.createSocket('udp4');
      u.on('message', (m) => proxy.send(m, rinfo.port, rinfo.address));
      upstreams.set(key, u);
      up = u;
    }
    up.send(msg, relayPort, '127.0.0.1');
  });
  const cred = mintRestCredential(SECRET, 'capture', 600, Date.now());
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--allow-loopback-in-peer-connection', ...(transport === 'tls' ? ['--ignore-certificate-errors'] : [])],
  });
  try {
    const page = await browser.newPage();
    const url =
      transport === 'udp'
        ? `turn:127.0.0.1:${proxy.address().port}?transport=udp`
        : transport === 'tcp'
          ? `turn:127.0.0.1:${streamPort}?transport=tcp`
          : `turns:localhost:${streamPort}?transport=tcp`;
    const args = { url, username: cred.username, credential: cred.credential };
    // The page script is plain JavaScript so that this file compiles without DOM types.
    const result = (await page.evaluate(`(async (o) => {
      const cfg = { iceServers: [{ urls: o.url, username: o.username, credential: o.credential }], iceTransportPolicy: 'relay' };
      const a = new RTCPeerConnection(cfg), b = new RTCPeerConnection(cfg);
      a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
      b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
      const dc = a.createDataChannel('probe', { ordered: false, maxRetransmits: 0 });
      const echoed = new Promise((resolve) => { b.ondatachannel = (ev) => { ev.channel.onmessage = (m) => resolve(String(m.data)); }; });
      const opened = new Promise((resolve) => { dc.onopen = resolve; });
      await a.setLocalDescription(await a.createOffer());
      await b.setRemoteDescription(a.localDescription);
      await b.setLocalDescription(await b.createAnswer());
      await a.setRemoteDescription(b.localDescription);
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no data channel in 15 s')), 15000));
      await Promise.race([opened, timeout]);
      dc.send('hello through callprobe');
      const got = await Promise.race([echoed, timeout]);
      // The selected pair, as the transport reports it (proves the path, not only delivery).
      const stats = await a.getStats();
      let pairId = '';
      stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId; });
      const pair = stats.get(pairId);
      const local = pair ? stats.get(pair.localCandidateId) : undefined;
      const remote = pair ? stats.get(pair.remoteCandidateId) : undefined;
      const localType = local ? local.candidateType : '';
      const remoteType = remote ? remote.candidateType : '';
      a.close(); b.close();
      return { got, localType, remoteType, userAgent: navigator.userAgent };
    })(${JSON.stringify(args)})`)) as { got: string; localType: string; remoteType: string; userAgent: string };
    process.stdout.write(
      JSON.stringify(
        {
          transport,
          url,
          ...result,
          metrics: (await relayText(relay)).split('\n').filter((l) => /relayed_packets_total\{transport="(tcp|tls)"/.test(l)),
          username: cred.username,
          password: cred.credential,
          realm: 'callprobe',
          captured: Object.fromEntries(captured),
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await browser.close();
    for (const u of upstreams.values()) u.close();
    proxy.close();
    await relay.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`capture failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
