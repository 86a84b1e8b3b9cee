/** IPv4 and IPv6 listen hosts, and an IPv6 relayed address on request (RFC 8656 §7.2 REQUESTED-ADDRESS-FAMILY). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurnClient } from '../../../server/turn/client/turn-client.js';
import { mintRestCredential } from '../../../server/turn/credentials.js';
import { startRelay, RelayStartError, type Relay } from '../../../server/turn/index.js';
import { startTestRelay } from './helpers/relay.js';
import { formatIp, parseIp } from '../../../src/protocol/ip.js';
import { silentLogger } from '../../../server/turn/transport/logger.js';
import { startUdpEcho, type UdpEcho } from '../../kit/net.js';
import { collector } from '../../kit/wait.js';

const SECRET = 'v6-secret';
let relay: Relay;
let echo6: UdpEcho;

beforeAll(async () => {
  echo6 = await startUdpEcho({ host: '::1' });
  relay = await startTestRelay({ listenHosts: ['127.0.0.1', '::1'], relayIpV6: '::1', tcpPorts: [], secret: SECRET });
  relay.allowPeerEndpoint('::1', echo6.port);
});

afterAll(async () => {
  await relay.close();
  await echo6.close();
});

describe('IPv6', () => {
  it('listens on both hosts', () => {
    expect(relay.listeners.map((l) => l.address).sort()).toEqual(['127.0.0.1', '::1']);
  });

  it('allocates an IPv6 relayed address over the ::1 listener and relays to an IPv6 peer', async () => {
    const port = relay.listeners.find((l) => l.address === '::1')?.port ?? 0;
    const c = mintRestCredential(SECRET, 'v6', 600, Date.now());
    const client = await TurnClient.connect({ host: '::1', port, username: c.username, password: c.credential });
    try {
      const a = await client.allocate({ family: 6 });
      expect(formatIp(a.relayed.ip)).toBe('::1');
      expect(formatIp(a.mapped.ip)).toBe('::1');
      await client.channelBind(0x4abc, { ip: parseIp('::1'), port: echo6.port });
      const got = collector<Buffer>();
      client.onData = (d) => got.push(Buffer.from(d));
      client.sendChannelData(0x4abc, Buffer.from('v6 hello'));
      expect((await got.atLeast(1, { timeoutMs: 3000, what: 'the relayed message' }))[0]?.toString()).toBe('v6 hello');
      // An IPv4 peer on an IPv6 allocation is a family mismatch (443).
      await expect(client.createPermission([{ ip: parseIp('127.0.0.1'), port: 9 }])).rejects.toMatchObject({ code: 443 });
    } finally {
      await client.close();
    }
  });

  it('rejects configurations it cannot serve, with a typed error', async () => {
    const base = {
      listenHosts: ['127.0.0.1'],
      udpPorts: [0],
      tcpPorts: [],
      tls: null,
      relayPortRange: { min: 0, max: 0 },
      realm: 'r',
      secret: 's',
      allowPeers: [],
      logger: silentLogger,
    };
    await expect(startRelay({ ...base, relayIp: 'not-an-ip' })).rejects.toBeInstanceOf(RelayStartError);
    await expect(startRelay({ ...base, relayIp: '0.0.0.0' })).rejects.toBeInstanceOf(RelayStartError);
    await expect(startRelay({ ...base, relayIp: '127.0.0.1', allowPeers: ['10.0.0.0/40'] })).rejects.toBeInstanceOf(RelayStartError);
    await expect(startRelay({ ...base, relayIp: '127.0.0.1', secret: '' })).rejects.toBeInstanceOf(RelayStartError);
    const busy = relay.listeners[0];
    await expect(startRelay({ ...base, relayIp: '127.0.0.1', udpPorts: [busy?.port ?? 1] })).rejects.toBeInstanceOf(RelayStartError);
  });
});
