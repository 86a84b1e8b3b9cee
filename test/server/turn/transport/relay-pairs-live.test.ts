/**
 * Relay pairs on a real relay (server/turn/core/relay-pairs.ts), on loopback: a page's relayed
 * address hears nothing from another credential's allocation, however it sends (Send indications
 * after an IP-level permission, a channel refused); the page's own second allocation (its loopback
 * mode) still reaches it, and the data-channel leg of a real reflector session connects to a
 * relay-only page through the relay because the session registers the page's candidates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintRestCredential, type Relay } from '../../../../server/turn/index.js';
import { TurnClient, TurnClientError } from '../../../../server/turn/client/turn-client.js';
import { parseIp } from '../../../../src/protocol/ip.js';
import { encodeProbe } from '../../../../src/protocol/wire.js';
import { reflectorRelayOn, startTestRelay } from '../helpers/relay.js';
import { quietSession } from '../../reflector/session-kit.js';
import { startRtcClient } from '../../../kit/rtc.js';
import { collector, waitFor } from '../../../kit/wait.js';

const SECRET = 'relay-pairs-secret';
let relay: Relay;
let udpPort: number;

beforeAll(async () => {
  relay = await startTestRelay({ secret: SECRET });
  udpPort = relay.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
});

afterAll(async () => {
  await relay.close();
});

async function client(id: string): Promise<TurnClient> {
  const c = mintRestCredential(SECRET, id, 600, Date.now());
  return TurnClient.connect({ host: '127.0.0.1', port: udpPort, transport: 'udp', username: c.username, password: c.credential });
}

function dropped(reason: string): number {
  const m = new RegExp(`callprobe_turn_dropped_total\\{[^}]*reason="${reason}"\\} (\\d+)`).exec(relay.metricsText());
  return Number(m?.[1] ?? 0);
}

describe('relay pairs on a real relay', () => {
  it("gives a page's relayed address none of another allocation's 500 datagrams, and its own second allocation's all", async () => {
    const page = await client('victim-page');
    const attacker = await client('attacker');
    const twin = await client('victim-page');
    try {
      const { relayed } = await page.allocate();
      const got = collector<string>();
      page.onData = (d) => got.push(Buffer.from(d).toString());
      // The page permits the relay's IP, as every test page does for the reflector's legs.
      await page.createPermission([{ ip: parseIp('127.0.0.1'), port: 9 }]);
      const at = { ip: parseIp('127.0.0.1'), port: relayed.port };
      await attacker.allocate();
      await attacker.createPermission([at]);
      await expect(attacker.channelBind(0x4001, at)).rejects.toSatisfy((e) => e instanceof TurnClientError && e.code === 403);
      const before = dropped('peer-other-test');
      for (let i = 0; i < 500; i++) attacker.sendIndication(at, Buffer.from(`flood ${i}`));
      // The page's own second allocation (one credential: its loopback mode) is heard; sent after the flood, it arrives after it.
      await twin.allocate();
      await twin.createPermission([at]);
      twin.sendIndication(at, Buffer.from('own'));
      await waitFor(() => got.items.includes('own'), { timeoutMs: 5000, what: "the page's own allocation's datagram" });
      await waitFor(() => dropped('peer-other-test') - before >= 500, { timeoutMs: 5000, what: 'the 500 datagrams counted as dropped' });
      expect(got.items).toEqual(['own']);
    } finally {
      await Promise.all([page.close(), attacker.close(), twin.close()]);
    }
  });

  it('connects the data-channel leg to a relay-only page through the relay: the session registers the pair', async () => {
    const c = mintRestCredential(SECRET, 'dc-page', 600, Date.now());
    const { session, toPage } = quietSession({
      id: 'pairs',
      rtp: false,
      relay: { addresses: ['127.0.0.1'], portRange: { min: 0, max: 0 } },
      relayServer: reflectorRelayOn(relay, SECRET)('pairs'),
      allowRelayPair: (username, ip, port) => relay.allowRelayPair(username, ip, port),
    });
    let sent = 0;
    const page = startRtcClient({
      send: (data) => session.signal(data),
      turn: { url: `turn:127.0.0.1:${udpPort}?transport=udp`, username: c.username, credential: c.credential },
    });
    const forward = setInterval(() => {
      for (; sent < toPage.length; sent++) page.accept((toPage[sent] as { data: Parameters<typeof page.accept>[0] }).data);
    }, 10);
    try {
      await page.connected(15_000);
      page.peer.send(encodeProbe({ seq: 0, sendMs: 1 }, new Uint8Array(160)));
      await page.data.atLeast(1, { timeoutMs: 5000, what: 'the echo of the probe' });
    } finally {
      clearInterval(forward);
      page.close();
      session.close('test over');
    }
  });
});
