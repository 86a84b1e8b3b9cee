/**
 * The witness inside the Sans-IO core: only what is relayed is witnessed (a dropped datagram
 * is not), both directions (ChannelData, Send, Data indications), and a deleted allocation's
 * witness is readable for CONSTANTS.relayWitness.graceMs and then released.
 */
import { describe, expect, it } from 'vitest';
import { buildChannelBind, buildChannelData, buildRefresh, buildSend } from '../../../../server/turn/client/requests.js';
import { parseIp } from '../../../../src/protocol/ip.js';
import { CONSTANTS } from '../../../../src/protocol/defaults.js';
import { T0, allocate, fromPeer, makeHarness, peer, reply } from '../helpers/core-harness.js';
import { TICKS_10MS, rtp } from './rtp-fixtures.js';

describe('the witness in the TURN core', () => {
  it('witnesses relayed RTP both ways, not what the policy drops, and forgets it a grace period after the allocation', () => {
    const h = makeHarness();
    const c = h.client(52001);
    const { auth, relayId } = allocate(h, c);
    h.policy.allowEndpoint(parseIp('127.0.0.1'), 5000);
    reply(h.core.handleClient(c, buildChannelBind(auth, 0x4001, peer('127.0.0.1', 5000)), T0));
    for (const seq of [1, 2, 4]) h.core.handleClient(c, buildChannelData(0x4001, rtp({ seq, timestamp: seq * TICKS_10MS })), T0 + seq * 10);
    h.core.handleClient(c, buildSend(peer('127.0.0.1', 5000), rtp({ seq: 5, timestamp: 5 * TICKS_10MS })), T0 + 50);
    // Not registered: dropped by the peer policy, so not relayed and not witnessed.
    h.core.handleClient(c, buildSend(peer('127.0.0.1', 5001), rtp({ seq: 9, timestamp: 0 })), T0 + 60);
    // Downstream as ChannelData (the bound peer) and as a Data indication (an unbound, registered peer).
    for (const seq of [7, 8]) expect(fromPeer(h, relayId, '127.0.0.1', 5000, rtp({ seq, timestamp: 0, ssrc: 99 }), T0 + 70)).toHaveLength(1);
    h.policy.allowEndpoint(parseIp('127.0.0.1'), 5002);
    expect(fromPeer(h, relayId, '127.0.0.1', 5002, rtp({ seq: 3, timestamp: 0, ssrc: 77 }), T0 + 80)).toHaveLength(1);
    expect(h.core.witnessFor('127.0.0.1|5002', T0 + 100)).toMatchObject({ upstream: { packets: 0, ssrc: null }, downstream: { ssrc: 77, packets: 1 } });

    const w = h.core.witnessFor('127.0.0.1|5000', T0 + 100);
    expect(w?.upstream).toMatchObject({ packets: 4, expected: 5, lost: 1, ssrcs: 1 });
    expect(w?.downstream).toMatchObject({ ssrc: 99, packets: 2, expected: 2, lost: 0 });
    expect(h.core.witnessFor('127.0.0.1|5001', T0 + 100)).toBeNull();

    const deletedAt = T0 + 1000;
    h.core.handleClient(c, buildRefresh(auth, 0), deletedAt);
    expect(h.core.allocationCount).toBe(0);
    expect(h.core.witnessFor('127.0.0.1|5000', deletedAt + CONSTANTS.relayWitness.graceMs - 1)?.upstream.packets).toBe(4);
    expect(h.core.witnessCensus()).toMatchObject({ allocations: 0, peers: 2, retired: 2 });
    expect(h.core.witnessFor('127.0.0.1|5000', deletedAt + CONSTANTS.relayWitness.graceMs)).toBeNull();
    expect(h.core.witnessCensus()).toEqual({ allocations: 0, peers: 0, retired: 0, unwatchedPackets: 0 });
  });
});
