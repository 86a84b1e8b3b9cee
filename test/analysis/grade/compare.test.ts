import { describe, expect, it } from 'vitest';
import { compareRow, unreachableRow, worstRung, type CompareRow } from '../../../src/analysis/grade/compare.js';
import { rungErrorText, worstRungReason } from '../../../src/analysis/present/sentences.js';
import { stream } from '../measure/fixtures.js';
import { roundTrips } from '../report/inputs.js';

const row = (port: number, over: Partial<CompareRow> = {}): CompareRow => ({
  transport: 'udp',
  port,
  family: 'ipv4',
  reachable: true,
  rttMsP50: 20,
  jitterMs: 1,
  lossPct: 0,
  reorderPct: 0,
  packetsSent: 500,
  packetsReceived: 500,
  error: null,
  ...over,
});

describe('compare mode', () => {
  it('reduces a stream to the worse direction and the round trip', () => {
    // 500 probes; upstream loses every 50th (2 %), downstream every 100th (1 %).
    const up = stream({ count: 500, intervalMs: 10, baseDelayMs: 5, lost: (i) => i % 50 === 0 });
    const down = stream({ count: 500, intervalMs: 10, baseDelayMs: 5, lost: (i) => i % 100 === 0 });
    const r = compareRow(
      { transport: 'udp', port: 3480, family: 'ipv4' },
      {
        up,
        down,
        loop: null,
        roundTrip: roundTrips(
          up,
          () => 12,
          (i) => i % 50 === 0,
        ),
      },
      1000,
    );
    expect(r.lossPct).toBe(2);
    expect(r.rttMsP50).toBe(12);
    expect(r.packetsSent).toBe(500);
    expect(r.packetsReceived).toBe(490);
    expect(r.reachable).toBe(true);
  });

  it('names the worst rung by call impact: unreachable, then loss, then jitter, then round trip', () => {
    expect(worstRung([row(3478), row(3479, { reachable: false, error: 'timeout' })])?.by).toBe('unreachable');
    const lossy = worstRung([row(3478), row(3479, { lossPct: 0.2 }), row(3480, { lossPct: 5, jitterMs: 1 }), row(3481, { jitterMs: 9 })]);
    expect(lossy).toMatchObject({ rung: { port: 3480 }, by: 'loss', bestOtherValue: 0 });
    expect(lossy && worstRungReason(lossy)).toBe(
      'UDP 3480 lost 5% of its probes, against at best 0% on the other rungs: something on the way polices or drops this port or transport.',
    );
    expect(worstRung([row(3478), row(3481, { jitterMs: 9 })])).toMatchObject({ rung: { port: 3481 }, by: 'jitter' });
    expect(worstRung([row(3478), row(443, { transport: 'tcp', rttMsP50: 45 })])).toMatchObject({ rung: { transport: 'tcp' }, by: 'rtt' });
  });

  it('names no rung when none stands out, or with fewer than two', () => {
    expect(worstRung([row(3478), row(3479, { lossPct: 0.4, jitterMs: 2.5, rttMsP50: 28 })])).toBeNull();
    expect(worstRung([row(3478, { lossPct: 30 })])).toBeNull();
    expect(
      worstRung([
        unreachableRow({ transport: 'udp', port: 3478, family: 'ipv4' }, 'timeout'),
        unreachableRow({ transport: 'tcp', port: 443, family: 'ipv4' }, 'timeout'),
      ]),
    ).toBeNull();
  });

  it('never names a rung our own server refused as the worst: its capacity says nothing of the network', () => {
    const busy = unreachableRow({ transport: 'udp', port: 3481, family: 'ipv4' }, 'server-busy');
    // Alone beside one measured rung, nothing is left to compare.
    expect(worstRung([row(3478), busy])).toBeNull();
    // Among measured rungs, the comparison is theirs alone.
    expect(worstRung([row(3478), busy, row(3480, { lossPct: 5 })])).toMatchObject({ rung: { port: 3480 }, by: 'loss' });
    // The relay's own limits (TURN 486, 508) likewise; a rung that timed out still is the worst.
    expect(worstRung([row(3478), row(3479), unreachableRow({ transport: 'udp', port: 3480, family: 'ipv4' }, 'turn-508')])).toBeNull();
    expect(worstRung([row(3478), busy, row(3479, { reachable: false, error: 'timeout' })])).toMatchObject({ rung: { port: 3479 }, by: 'unreachable' });
    expect(
      rungErrorText({
        transport: 'udp',
        port: 3481,
        family: 'ipv4',
        url: 'turn:127.0.0.1:3481?transport=udp',
        reachable: false,
        allocateMs: null,
        connectMs: null,
        error: 'server-busy',
      }),
    ).toBe("UDP 3481 was not measured: the test server was too busy to take this stream, the server's limit, not your network.");
  });
});
