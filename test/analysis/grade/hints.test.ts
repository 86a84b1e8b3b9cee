import { describe, expect, it } from 'vitest';
import { ladder, type RungCheck } from '../../../src/analysis/grade/connectivity.js';
import { farRelayHint, isLoopbackUri, networkHints } from '../../../src/analysis/grade/hints.js';
import { hintSentence, outcomeSentence } from '../../../src/analysis/present/sentences.js';

const udp = (port: number, reachable: boolean, error: string | null = reachable ? null : 'timeout'): RungCheck => ({
  transport: 'udp',
  port,
  url: `turn:relay.example.test:${port}?transport=udp`,
  reachable,
  allocateMs: reachable ? 12 : null,
  error,
});
const tcp = (reachable: boolean): RungCheck => ({
  transport: 'tcp',
  port: 443,
  url: 'turn:relay.example.test:443?transport=tcp',
  reachable,
  allocateMs: reachable ? 20 : null,
  error: reachable ? null : 'timeout',
});
const tls = (reachable: boolean, error: string | null = reachable ? null : 'timeout'): RungCheck => ({
  transport: 'tls',
  port: 443,
  url: 'turns:relay.example.test:443?transport=tcp',
  reachable,
  allocateMs: reachable ? 30 : null,
  error,
});
const udpPath = { transport: 'udp' as const, changes: 0 };
const codes = (checks: RungCheck[], path: { transport: 'udp' | 'tcp' | 'tls'; changes: number } = udpPath) =>
  networkHints(ladder(checks), path).map((h) => h.code);

describe('network hints from the ladder', () => {
  it('says nothing when every offered rung answered', () => {
    expect(codes([udp(3478, true), udp(3479, true), udp(3480, true), udp(3481, true), tcp(true), tls(true)])).toEqual([]);
  });

  it('calls UDP blocked only when every offered UDP rung timed out and TCP or TLS connected', () => {
    const blocked = [udp(3478, false), udp(3479, false), udp(3480, false), udp(3481, false), tcp(true), tls(true)];
    const hints = networkHints(ladder(blocked), { transport: 'tcp', changes: 0 });
    expect(hints).toEqual([
      { code: 'udp-blocked', udpPorts: [3478, 3479, 3480, 3481] },
      { code: 'tcp-fallback', transport: 'tcp' },
    ]);
    expect(hints[0] && hintSentence(hints[0])).toMatch(/^UDP to the relay is blocked from here \(UDP 3478, 3479, 3480 and 3481 did not answer\)/);
    // Nothing connected at all: not "UDP blocked", that is the could-not-connect answer.
    expect(codes([udp(3478, false), tcp(false), tls(false)])).toEqual([]);
    // A UDP rung refused with a TURN error is not a firewall.
    expect(codes([udp(3478, false, '486 Allocation Quota Reached'), tcp(true), tls(true)])).toEqual([]);
  });

  it('names exactly the UDP ports a firewall filters', () => {
    const hints = networkHints(ladder([udp(3478, true), udp(3479, false), udp(3480, true), udp(3481, false), tcp(true)]), udpPath);
    expect(hints).toEqual([{ code: 'udp-port-blocked', blockedPorts: [3479, 3481], openPorts: [3478, 3480] }, { code: 'tls-not-offered' }]);
    expect(hints[0] && hintSentence(hints[0])).toMatch(/^UDP ports 3479 and 3481 did not answer while UDP 3478 and 3480 did/);
  });

  it('tells TLS not offered (no certificate) from TLS blocked (offered, timed out or failed while TCP worked)', () => {
    expect(codes([udp(3478, true), tcp(true)])).toEqual(['tls-not-offered']);
    expect(codes([udp(3478, true), tcp(true), tls(false)])).toEqual(['tls-blocked']);
    expect(codes([udp(3478, true), tcp(true), tls(false, 'TLS handshake failed')])).toEqual(['tls-blocked']);
    // TCP did not work either: no claim about TLS in particular.
    expect(codes([udp(3478, true), tcp(false), tls(false)])).toEqual([]);
  });

  it('reports a path change and a refused loopback relay', () => {
    expect(codes([udp(3478, true), tcp(true), tls(true)], { transport: 'udp', changes: 2 })).toEqual(['path-changed']);
    expect(codes([udp(3478, false, 'loopback address refused'), tcp(true), tls(true)])).toEqual(['loopback-refused']);
  });

  it('makes no claim from a ladder that was never checked', () => {
    expect(codes([])).toEqual([]);
  });
});

describe('the far-relay hint', () => {
  const rtt = (status: 'pass' | 'fail', value: number | null) => [{ target: 'latency-rtt' as const, status, value, threshold: 135 }];
  it('appears only with the Azure-region profile and a failed round trip', () => {
    expect(farRelayHint({ id: 'azure-region', azureRegion: 'West Europe' }, rtt('fail', 160))).toEqual({
      code: 'far-relay',
      region: 'West Europe',
      rttMsP50: 160,
      thresholdMs: 135,
    });
    expect(farRelayHint({ id: 'azure-region', azureRegion: 'West Europe' }, rtt('pass', 120))).toBeNull();
    expect(farRelayHint({ id: 'client-to-edge' }, rtt('fail', 160))).toBeNull();
    const h = farRelayHint({ id: 'azure-region', azureRegion: 'West Europe' }, rtt('fail', 160));
    expect(h && hintSentence(h)).toMatch(/^The relay is far from here for West Europe: a round trip of 160 ms against the region's 135 ms target/);
  });
});

describe('a relay on loopback that the browser refuses', () => {
  const lo = (transport: 'udp' | 'tcp', port: number): RungCheck => ({
    transport,
    port,
    url: `turn:127.0.0.1:${port}?transport=${transport}`,
    reachable: false,
    allocateMs: null,
    error: 'timeout',
  });
  it('is told apart from a firewall by the address alone, and says so instead of "UDP blocked"', () => {
    expect(codes([lo('udp', 3478), lo('udp', 3479), lo('tcp', 3478)])).toEqual(['loopback-refused']);
    expect(isLoopbackUri('turn:[::1]:3478?transport=udp')).toBe(true);
    expect(isLoopbackUri('turn:localhost:3478')).toBe(true);
    expect(isLoopbackUri('turn:127.0.0.2:3478')).toBe(true);
    expect(isLoopbackUri('turn:10.0.0.1:3478')).toBe(false);
    // On a routable address every rung timing out is the firewall answer, no loopback claim.
    expect(codes([udp(3478, false), tcp(false), tls(false)])).toEqual([]);
  });

  it('words the could-not-connect answer for it', () => {
    expect(outcomeSentence({ reason: 'could-not-connect', atMs: null, detail: 'x' }, ['loopback-refused'])).toMatch(
      /^This browser could not use the relay: it is on a loopback address/,
    );
    expect(outcomeSentence({ reason: 'could-not-connect', atMs: null, detail: 'x' })).toMatch(/^Media cannot get through from here/);
  });
});
