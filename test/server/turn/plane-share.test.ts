/**
 * `serve --workers N`'s relays split the relay port range (server/turn/index.ts planeShare):
 * every port in exactly one plane's share, the last taking what is left over; and a range too
 * small for the planes, or none (the OS's ports), is refused at start.
 */
import { describe, expect, it } from 'vitest';
import { planeShare, startRelay } from '../../../server/turn/index.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const link = { grantedBy: () => null, move: () => Promise.resolve(false), returned: () => undefined, announce: () => undefined };

describe("the planes' shares of the relay ports", () => {
  it('gives every port of the range to exactly one plane', () => {
    const range = { min: 49152, max: 65535 };
    expect([0, 1].map((i) => planeShare(range, i, 2))).toEqual([
      { min: 49152, max: 57343 },
      { min: 57344, max: 65535 },
    ]);
    expect([0, 1, 2].map((i) => planeShare({ min: 10, max: 20 }, i, 3))).toEqual([
      { min: 10, max: 12 },
      { min: 13, max: 15 },
      { min: 16, max: 20 },
    ]);
    const shares = [0, 1, 2].map((i) => planeShare({ min: 10, max: 20 }, i, 3));
    for (let port = 10; port <= 20; port++) expect(shares.filter((r) => port >= r.min && port <= r.max)).toHaveLength(1);
  });

  it('refuses planes without a port range of their own to share', async () => {
    const base = {
      listenHosts: ['127.0.0.1'],
      relayIp: '127.0.0.1',
      udpPorts: [],
      tcpPorts: [],
      tls: null,
      realm: 'r',
      secret: 's',
      allowPeers: [],
      logger: silent,
    };
    await expect(startRelay({ ...base, relayPortRange: { min: 0, max: 0 }, planes: { index: 0, count: 2, ...link } })).rejects.toMatchObject({
      reason: 'bad-config',
      message: expect.stringContaining('2 data planes need a relay port range of at least 4 ports, not 0-0') as unknown,
    });
    await expect(startRelay({ ...base, relayPortRange: { min: 50000, max: 50002 }, planes: { index: 1, count: 2, ...link } })).rejects.toMatchObject({
      reason: 'bad-config',
    });
    const relay = await startRelay({ ...base, relayPortRange: { min: 50000, max: 50003 }, planes: { index: 1, count: 2, ...link } });
    await relay.close();
  });
});
