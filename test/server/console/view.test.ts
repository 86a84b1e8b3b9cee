/**
 * The console's pure parts (issue 12): the culprit lines come only from contrasts the report
 * supports (direction, UDP vs TCP, one port vs the others, this result vs the site's
 * baseline), the hour band wraps at midnight, and the tier 1 redaction drops path and NAT and
 * every form of the client's address.
 */
import { describe, expect, it } from 'vitest';
import { addressSecrets, culpritLines, hourBand, redactForTier1, scrubAddresses, type Baseline } from '../../../server/console/view.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { reflectorInput } from '../../analysis/report/inputs.js';

const clean = (): Report => JSON.parse(JSON.stringify(analyze(reflectorInput({ count: 1500 })))) as Report;

describe('culprit lines', () => {
  it('say nothing for a clean result without a baseline', () => {
    expect(culpritLines(clean(), null)).toEqual([]);
  });

  it('name the UDP block when the test fell back to TCP', () => {
    const r = clean();
    r.path.transport = 'tcp';
    r.connectivity = r.connectivity.map((g) => (g.transport === 'udp' ? { ...g, reachable: false, error: 'timeout' } : g));
    expect(culpritLines(r, null).join(' ')).toMatch(/No UDP port answered, so media went over TCP/);
  });

  it('name one port that did not answer while the others did', () => {
    const r = clean();
    const udp = r.connectivity.filter((g) => g.transport === 'udp');
    expect(udp.length).toBeGreaterThan(2);
    const blocked = udp[1];
    r.connectivity = r.connectivity.map((g) => (g === blocked ? { ...g, reachable: false, error: 'timeout' } : g));
    expect(culpritLines(r, null)).toEqual([`UDP ${blocked?.port} did not answer while the other ports did: a firewall rule on that port.`]);
  });

  it('point at the site when a failed result is within its usual range, at the user when above its P90', () => {
    const r = clean();
    r.summary.verdict = 'fail';
    const base = (standing: 'typical' | 'above-p90'): Baseline => ({
      site: 'HQ',
      sinceMs: 0,
      hours: [8, 9, 10, 11, 12],
      timeZone: 'UTC',
      samples: 60,
      metrics: [
        {
          target: 'latency-rtt',
          label: 'Round trip',
          direction: 'roundTrip',
          unit: 'ms',
          threshold: 100,
          value: 180,
          p50: 150,
          p90: standing === 'typical' ? 200 : 170,
          samples: 60,
          standing,
        },
      ],
    });
    expect(culpritLines(r, base('typical'))).toEqual([
      "This result is within the site's usual range at 8:00-13:00: the site itself is the likely culprit, not this user.",
    ]);
    expect(culpritLines(r, base('above-p90')).join(' ')).toMatch(
      /Worse than this site usually is at 8:00-13:00 \(60 samples, last 7 days\): Round trip roundTrip 180 ms vs site P90 170 ms/,
    );
  });
});

describe('hour band', () => {
  it('wraps at midnight', () => {
    expect(hourBand(1, 2)).toEqual([0, 1, 2, 3, 23]);
    expect(hourBand(10, 2)).toEqual([8, 9, 10, 11, 12]);
  });
});

describe('tier 1 redaction', () => {
  it('drops path, NAT and the client address in every form', () => {
    const r = clean() as unknown as Record<string, unknown>;
    (r.meta as Record<string, unknown>).ticket = 'user at 192.0.2.44 says hi';
    (r.explanation as string[]).push('seen from 192.0.2.44 (192.0.2.0/24), 2001:db8:5:1::9');
    const secrets = addressSecrets([
      { address: '192.0.2.44', truncated: '192.0.2.0/24', storedAtMs: 0 },
      { address: '2001:db8:5:1::9', truncated: '2001:db8:5::/48', storedAtMs: 0 },
    ]);
    const text = JSON.stringify(redactForTier1(r, secrets));
    expect(text).not.toMatch(/192\.0\.2\.|2001:db8:5:|"path":\{|"nat":/);
    expect(text).toContain('user at [address] says hi');
  });

  it('scrubs any address literal from free text, and nothing else', () => {
    expect(scrubAddresses('INC-1 from 10.1.2.3 and fe80::1 at 10:30:00, v0.1.0')).toBe('INC-1 from [address] and [address] at 10:30:00, v0.1.0');
  });
});
