/**
 * blocked-ports.ts: whose side a test that connected through no relay port is, and when that is
 * a fail (every port Teams uses blocked), by hand-built ladders.
 */
import { describe, expect, it } from 'vitest';
import { blockedPorts, couldNotConnectSide, everyOfferedBlocked, unfinishedVerdict } from '../../../src/analysis/grade/blocked-ports.js';
import { ladder, type RungCheck } from '../../../src/analysis/grade/connectivity.js';
import type { RelayEvidence } from '../../../src/protocol/could-not-finish.js';

const EVIDENCE: RelayEvidence = { kind: 'recent-test', atMs: 1_700_000_000_000 };

const rung = (transport: RungCheck['transport'], port: number, error: string | null): RungCheck => ({
  transport,
  port,
  url: `turn${transport === 'tls' ? 's' : ''}:relay.example.test:${port}?transport=${transport === 'tls' ? 'tcp' : transport}`,
  reachable: error === null,
  allocateMs: error === null ? 20 : null,
  error,
});
const udp = (error: string | null) => [3478, 3479, 3480, 3481].map((p) => rung('udp', p, error));

describe('blocked relay ports', () => {
  it('is the network only when every offered rung was blocked and the relay was seen answering others', () => {
    const blocked = ladder([...udp('timeout'), rung('tcp', 3478, 'timeout')]);
    expect(everyOfferedBlocked(blocked)).toBe(true);
    expect(couldNotConnectSide(blocked, EVIDENCE)).toBe('network');
    // Without the evidence the relay may be down: either side.
    expect(couldNotConnectSide(blocked, null)).toBe('network-or-server');
    // A port our relay answered with a refusal is not blocked by the network.
    const refused = ladder([...udp('timeout'), rung('tcp', 3478, '486 Allocation Quota Reached')]);
    expect(everyOfferedBlocked(refused)).toBe(false);
    expect(couldNotConnectSide(refused, EVIDENCE)).toBe('network-or-server');
    // A relay on loopback that the browser refused is the browser's, whatever the evidence.
    expect(couldNotConnectSide(ladder([rung('udp', 3478, 'loopback address refused')]), EVIDENCE)).toBe('browser');
    // A TLS handshake that failed (an inspecting proxy) and a gathering that failed are blocked too.
    expect(everyOfferedBlocked(ladder([rung('udp', 3478, 'gather failed'), rung('tls', 443, 'TLS handshake failed')]))).toBe(true);
    // Nothing offered is nothing blocked.
    expect(everyOfferedBlocked(ladder([]))).toBe(false);
  });

  it('fails only when UDP 3478-3481 and TCP or TLS on 443 were all offered and all blocked', () => {
    const network = { reason: 'could-not-connect', side: 'network' as const };
    const all = ladder([...udp('timeout'), rung('tcp', 443, 'timeout'), rung('tls', 443, 'timeout')]);
    expect(blockedPorts(all)).toMatchObject({ everyTeamsPort: true, notOffered: [] });
    expect(unfinishedVerdict(network, all)).toBe('fail');
    // TLS on 443 alone is enough of the fallback.
    expect(unfinishedVerdict(network, ladder([...udp('timeout'), rung('tls', 443, 'timeout')]))).toBe('fail');
    // The default server: no 443 offered, so whether calls would fall back there is not known.
    const defaults = ladder([...udp('timeout'), rung('tcp', 3478, 'timeout')]);
    expect(blockedPorts(defaults)).toEqual({
      blocked: [
        { transport: 'udp', port: 3478 },
        { transport: 'udp', port: 3479 },
        { transport: 'udp', port: 3480 },
        { transport: 'udp', port: 3481 },
        { transport: 'tcp', port: 3478 },
      ],
      notOffered: [
        { transport: 'tcp', port: 443 },
        { transport: 'tls', port: 443 },
      ],
      everyTeamsPort: false,
    });
    expect(unfinishedVerdict(network, defaults)).toBe('insufficient');
    // A UDP port missing from the offer, too.
    expect(unfinishedVerdict(network, ladder([...udp('timeout').slice(0, 3), rung('tcp', 443, 'timeout')]))).toBe('insufficient');
    // Without the network's side, or for a connection lost, no verdict.
    expect(unfinishedVerdict({ reason: 'could-not-connect', side: 'network-or-server' }, all)).toBe('insufficient');
    expect(unfinishedVerdict({ reason: 'could-not-connect' }, all)).toBe('insufficient');
    expect(unfinishedVerdict({ reason: 'connection-lost', side: 'network' }, all)).toBe('insufficient');
  });
});
