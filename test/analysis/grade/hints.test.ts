import { describe, expect, it } from 'vitest';
import { ladder, type RungCheck } from '../../../src/analysis/grade/connectivity.js';
import { farRelayHint, isLoopbackUri, networkHints } from '../../../src/analysis/grade/hints.js';
import { hintSentence, outcomeSentence, rungErrorText } from '../../../src/analysis/present/sentences.js';

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
    expect(hints[0] && hintSentence(hints[0])).toMatch(/^UDP to the relay is blocked from here \(UDP 3478-3481 did not answer\)/);
    // Nothing connected at all: not "UDP blocked" but one cause, the relay was not heard from (the could-not-connect answer).
    expect(codes([udp(3478, false), tcp(false), tls(false)])).toEqual(['relay-silent']);
    // A UDP rung refused with a TURN error is not a firewall.
    expect(codes([udp(3478, false, '486 Allocation Quota Reached'), tcp(true), tls(true)])).toEqual([]);
    // Our relay's quota and capacity are said as the server's limit, the port as one that answered.
    const [quota, full] = ladder([udp(3478, false, '486 Allocation Quota Reached'), udp(3479, false, '508 Insufficient Capacity')]);
    expect(quota && rungErrorText(quota)).toBe(
      "UDP 3478 answered, but the test server's relay refused this test an allocation there (TURN 486: its allocation quota, for this test or this address): the server's limit, not your network.",
    );
    expect(full && rungErrorText(full)).toBe("UDP 3479 answered, but the test server's relay is full (TURN 508): the server's limit, not your network.");
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

describe('a relay that answers on no port', () => {
  const lo = (transport: 'udp' | 'tcp', port: number): RungCheck => ({
    transport,
    port,
    url: `turn:127.0.0.1:${port}?transport=${transport}`,
    reachable: false,
    allocateMs: null,
    error: 'timeout',
  });
  const hints = (checks: RungCheck[]) => networkHints(ladder(checks), { transport: 'unknown', changes: 0 });

  it('is one cause, "relay-silent", on a loopback address as elsewhere: timeouts alone never blame the browser', () => {
    expect(hints([lo('udp', 3478), lo('udp', 3479), lo('tcp', 3478)])).toEqual([{ code: 'relay-silent', loopback: true }]);
    expect(hints([udp(3478, false), tcp(false), tls(false)])).toEqual([{ code: 'relay-silent', loopback: false }]);
    expect(isLoopbackUri('turn:[::1]:3478?transport=udp')).toBe(true);
    expect(isLoopbackUri('turn:localhost:3478')).toBe(true);
    expect(isLoopbackUri('turn:127.0.0.2:3478')).toBe(true);
    expect(isLoopbackUri('turn:10.0.0.1:3478')).toBe(false);
    // A rung that answered with an error is heard from: not silent.
    expect(codes([udp(3478, false, '401 Unauthorized'), tcp(false), tls(false)])).not.toContain('relay-silent');
  });

  it('says what this browser does with it: Chromium has a flag, Firefox refuses whatever its settings, others are not claimed', () => {
    const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
    const safari = 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
    const said = [udp(3478, false, 'loopback address refused'), tcp(false)];
    const silent = [lo('udp', 3478), lo('tcp', 3478)];
    const first = (checks: RungCheck[], ua: string) =>
      networkHints(ladder(checks), { transport: 'unknown', changes: 0 }, null, ua)[0] ?? { code: 'tls-not-offered' as const };
    expect(hintSentence(first(said, chrome))).toBe(
      'The browser did not use the relay on a loopback address (one that reaches only the same machine), which Chrome, Edge and other Chromium browsers refuse unless started with --allow-loopback-in-peer-connection: start the browser with --allow-loopback-in-peer-connection for a local test, or give the server an address clients can reach.',
    );
    // Firefox refuses one whatever its settings: every loopback rung silent in Firefox is that refusal; in Chromium it may be a relay that is down.
    expect(first(silent, firefox)).toEqual({ code: 'loopback-refused', policy: 'refused' });
    expect(first(silent, chrome)).toEqual({ code: 'relay-silent', loopback: true });
    expect(hintSentence(first(silent, firefox))).toBe(
      'The browser did not use the relay on a loopback address (one that reaches only the same machine), which Firefox refuses whatever its settings: give the server an address clients can reach (for a local test, a LAN address of this machine).',
    );
    expect(hintSentence(first(said, safari))).not.toMatch(/Chromium|Firefox|flag/);
    expect(outcomeSentence({ reason: 'could-not-connect', atMs: null, detail: 'x' }, ['loopback-refused'], 'refused')).toBe(
      'This browser could not use the relay: it is on a loopback address (one that reaches only the same machine), which Firefox refuses whatever its settings. That says nothing about your network: start the server on an address clients can reach (--host, --relay-ip, --advertise).',
    );
  });

  it('blames the browser only when the browser said so', () => {
    expect(codes([udp(3478, false, 'loopback address refused'), tcp(false)])).toEqual(['loopback-refused']);
    expect(outcomeSentence({ reason: 'could-not-connect', atMs: null, detail: 'x' }, ['loopback-refused'])).toMatch(
      /^This browser could not use the relay: it is on a loopback address/,
    );
  });

  it('says the same cause in every line: the relay did not answer', () => {
    const silent = hints([udp(3478, false), tcp(false)]);
    const sentence = silent[0] ? hintSentence(silent[0]) : '';
    expect(sentence).toMatch(
      /^No port of the relay answered, so this test cannot tell a network that blocks them from a relay that is down: try the test from another network/,
    );
    expect(outcomeSentence({ reason: 'could-not-connect', atMs: null, detail: 'no relay port connected (UDP 3478: timeout)' }, ['relay-silent'])).toBe(
      'The relay did not answer on any port this test tried: no relay port connected (UDP 3478: timeout).',
    );
    for (const r of ladder([udp(3478, false), tcp(false)]).filter((x) => x.url !== null))
      expect(rungErrorText(r)).toMatch(/^(UDP 3478|TCP 443) did not answer\.$/);
    expect(hintSentence({ code: 'relay-silent', loopback: true })).toMatch(/on a loopback address, on this machine: check that the test server is running/);
  });
});
