/** The allocations bench reads the relay's own /metrics text: figures off the real rendering, so a renamed metric fails here. */
import { describe, expect, it } from 'vitest';
import { pagePeak, relayFigures } from '../../../bench/allocations/relay-metrics.js';
import { CREDENTIAL_PEAK_BUCKETS } from '../../../server/turn/core/credential-peaks.js';
import { RelayMetrics, registerRelayMetrics } from '../../../server/turn/metrics.js';
import { metricsText } from '../../kit/metrics.js';

const empty = { buckets: CREDENTIAL_PEAK_BUCKETS.map(() => 0), overflow: 0, sum: 0, count: 0 };

describe('relayFigures', () => {
  it("reads the page's and the reflector's peaks, and what the public ports made and still hold", async () => {
    const m = new RelayMetrics();
    m.listener('udp', 3478).allocationsTotal = 5;
    m.listener('udp', 3479).allocationsTotal = 2;
    m.listener('udp', 3479).allocationsActive = 1;
    m.listener('tcp', 3478).allocationsTotal = 1;
    // The reflector's loopback listener: not a public port.
    m.listener('udp', 40123).allocationsTotal = 3;
    m.listener('udp', 3478).refusals.set('quota-username', 2);
    m.listener('udp', 3480).refusals.set('quota-source-ip', 7);
    const peaks = { page: { ended: empty, followedMax: 6 }, reflector: { ended: { ...empty, sum: 3, count: 1 }, followedMax: 3 } };
    const text = await metricsText((r) => registerRelayMetrics(r, { listeners: m, credentialPeaks: (owner) => peaks[owner], logLinesSuppressed: () => 0 }));
    const f = relayFigures(text, [3478, 3479, 3480, 3481]);
    expect(f).toEqual({
      page: { recentPeakMax: 6, endedCount: 0 },
      reflector: { recentPeakMax: 3, endedCount: 1 },
      created: 8,
      held: 1,
      refusedPerUsername: 2,
    });
    expect(pagePeak(f)).toBe(6);
    expect(pagePeak(relayFigures('', [3478]))).toBeNull();
  });
});
