/**
 * The hosts an edge token binds (server/edges/hosts.ts): one DNS name and one address per family,
 * canonical, special-purpose addresses only in a lab; and the hub says once, as it starts, when
 * it stands on one itself.
 */
import { describe, expect, it } from 'vitest';
import { canonicalHost, edgeHosts, isSpecialHost } from '../../../server/edges/hosts.js';
import { hubEdges } from '../../../server/edge-roles.js';
import type { EdgesRepository } from '../../../server/store/edges/types.js';

describe('edge hosts', () => {
  it('reads a DNS name or an IP literal, canonical; anything else is no host', () => {
    expect(['Weu-1.Example.ORG.', '[2001:DB8::1]', '::ffff:192.0.2.1', '203.0.113.9'].map(canonicalHost)).toEqual([
      'weu-1.example.org',
      '2001:db8::1',
      '::ffff:192.0.2.1',
      '203.0.113.9',
    ]);
    for (const bad of ['', 'http://x.example', 'a_b.example', '-a.example', 'single', 'x'.repeat(64) + '.example']) expect(canonicalHost(bad), bad).toBeNull();
  });

  it('knows the special-purpose addresses and the names kept for this machine', () => {
    for (const special of [
      '127.0.0.1',
      '10.213.0.2',
      '100.64.0.1',
      '169.254.1.1',
      '198.51.100.4',
      '::1',
      'fe80::1',
      'fd00::1',
      '64:ff9b::a00:1',
      'localhost',
      'x.localhost',
    ])
      expect(isSpecialHost(canonicalHost(special) ?? ''), special).toBe(true);
    for (const open of ['8.8.8.8', '2001:4860::8888', 'weu-1.example.org']) expect(isSpecialHost(canonicalHost(open) ?? ''), open).toBe(false);
  });

  it('binds one name and one address per family at most, special-purpose only in a lab', () => {
    expect(edgeHosts(['weu-1.example.org', '8.8.8.8', '2001:4860::8888'], false)).toEqual(['weu-1.example.org', '8.8.8.8', '2001:4860::8888']);
    expect(() => edgeHosts(['8.8.8.8', '8.8.4.4'], false)).toThrow(/one address per family/);
    expect(() => edgeHosts([], false)).toThrow(/at most 3/);
    expect(() => edgeHosts(['127.0.0.1'], false)).toThrow(/special-purpose/);
    expect(edgeHosts(['127.0.0.1'], true)).toEqual(['127.0.0.1']);
  });

  it('the hub says once, as it starts, when it stands on a special-purpose address (a lab)', async () => {
    const store = { edges: { heardSince: () => Promise.resolve([]) } as unknown as EdgesRepository };
    const settings = {
      heartbeatMs: 5000,
      silentAfterMs: 30_000,
      offeredWithinMs: 12_000,
      refreshMs: 60_000,
      heartbeatsPerMinutePerToken: 120,
      refusedBeats: { perMinutePerSource: 20, sourcesMax: 100 },
      listPerMinutePerSource: 60,
    };
    for (const [ownHost, lab] of [
      ['127.0.0.1', true],
      ['hub.example.org', false],
      [null, false],
    ] as const) {
      const lines: string[] = [];
      const hub = await hubEdges(store, { edges: { ...settings, ownHost }, credentialTtlS: 600 }, (l) => lines.push(l));
      hub.close();
      expect(hub.app.labAddresses, String(ownHost)).toBe(lab);
      expect(lines).toEqual(
        lab ? ['edges: this hub stands on 127.0.0.1, a special-purpose address (a lab): its edges may advertise special-purpose addresses too'] : [],
      );
    }
  });
});
