import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BOUNDS,
  ConfigError,
  DEFAULTS,
  formatTurnUri,
  formatDurationMs,
  parseAdvertise,
  parseDurationMs,
  parseIntInRange,
  parsePortList,
  parseRelayPortRange,
  parseSinceSpan,
  parseTimeZone,
  parseTurnUri,
  parseTurnUriParts,
  tryParseTurnUriParts,
} from '../../src/protocol/defaults.js';
import { DEFAULT_PAYLOAD_BYTES, encodeProbe } from '../../src/protocol/wire.js';
import { MAX_DURATION_S, parseParams } from '../../src/web/params.js';
import { ReflectorCore } from '../../server/reflector/core.js';
import { DEFAULT_QUOTAS } from '../../server/turn/index.js';
import { renderCoturnConfig } from '../../server/turn/coturn-config.js';
import { portOfTurnUrl } from '../../src/session/stats/adapter.js';

/** The reason of the ConfigError `f` throws (fails the test when it throws nothing else). */
function reasonOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof ConfigError) return err.reason;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('server configuration parsing', () => {
  it('parses port lists and ranges', () => {
    expect(parsePortList('3478-3481')).toEqual([3478, 3479, 3480, 3481]);
    expect(parsePortList('3478,443')).toEqual([3478, 443]);
    expect(() => parsePortList('3481-3478')).toThrow(ConfigError);
    expect(() => parsePortList('http')).toThrow(ConfigError);
    expect(() => parsePortList('1-1000')).toThrow(/too long/);
  });

  it('parses --advertise with and without ports, IPv6 in brackets', () => {
    expect(parseAdvertise('203.0.113.7')).toEqual({ host: '203.0.113.7', udpPorts: null });
    expect(parseAdvertise('127.0.0.1:13478-13479')).toEqual({ host: '127.0.0.1', udpPorts: [13478, 13479] });
    expect(parseAdvertise('[::1]:3478')).toEqual({ host: '::1', udpPorts: [3478] });
    expect(parseAdvertise('turn.example.org')).toEqual({ host: 'turn.example.org', udpPorts: null });
  });

  it('parses RFC 7065 TURN URIs', () => {
    expect(parseTurnUri('turn:127.0.0.1:3479?transport=udp')).toEqual({ url: 'turn:127.0.0.1:3479?transport=udp', transport: 'udp', port: 3479 });
    expect(parseTurnUri('turn:relay.example.org?transport=tcp')).toMatchObject({ transport: 'tcp', port: 3478 });
    expect(parseTurnUri('turns:relay.example.org:443?transport=tcp')).toMatchObject({ transport: 'tls', port: 443 });
    expect(() => parseTurnUri('stun:x')).toThrow(ConfigError);
  });
});

describe('one set of defaults', () => {
  it('the page, the CLI, the reflector and the relay read the same numbers', () => {
    // Page: no ?duration= is the default test length; the form's max is the parser's max.
    expect(parseParams('').durationS).toBe(DEFAULTS.testDurationS);
    expect(MAX_DURATION_S).toBe(BOUNDS.testDurationS.max);
    expect(parseParams(`?duration=${BOUNDS.testDurationS.max}`).durationS).toBe(BOUNDS.testDurationS.max);
    expect(() => parseParams(`?duration=${BOUNDS.testDurationS.max + 1}`)).toThrow(/duration/);
    expect(() => parseParams(`?duration=${BOUNDS.testDurationS.min - 1}`)).toThrow(/duration/);
    // Reflector: with no size given it echoes probes of the default payload size.
    const probe = encodeProbe({ seq: 1, sendMs: 0 }, new Uint8Array(DEFAULTS.payloadBytes));
    expect(new ReflectorCore().onProbe(probe, 0, () => 0).byteLength).toBe(DEFAULTS.payloadBytes);
    expect(DEFAULT_PAYLOAD_BYTES).toBe(DEFAULTS.payloadBytes);
    // Relay: the core's quotas are the defaults' quotas; coturn-config shares out the same ports and range.
    expect(DEFAULT_QUOTAS).toEqual(DEFAULTS.relayQuotas);
    const confs = renderCoturnConfig({ listeningIp: '127.0.0.1', relayIp: '127.0.0.1', realm: DEFAULTS.realm, secret: 's' });
    expect(confs.map((c) => c.port)).toEqual(DEFAULTS.turnUdpPorts);
    expect(confs[0]?.relayPortRange.min).toBe(DEFAULTS.relayPortRange.min);
    expect(confs.at(-1)?.relayPortRange.max).toBe(DEFAULTS.relayPortRange.max);
  });

  it('sizes the per-address relay quota for 20+ page tests behind one NAT', () => {
    // One page test: a port check on every offered entry (4 UDP + TCP + TLS) plus 2 peer connections (loopback mode).
    const allocationsPerTest = DEFAULTS.turnUdpPorts.length + 2 + 2;
    expect(allocationsPerTest).toBeLessThanOrEqual(DEFAULTS.relayQuotas.maxAllocationsPerUsername);
    expect(Math.floor(DEFAULTS.relayQuotas.maxAllocationsPerSourceIp / allocationsPerTest)).toBeGreaterThanOrEqual(20);
    expect(DEFAULTS.relayQuotas.maxAllocationsTotal).toBeGreaterThanOrEqual(DEFAULTS.relayQuotas.maxAllocationsPerSourceIp);
  });
});

describe('integer and relay-range parsers', () => {
  it('takes integers within the bounds, nothing else', () => {
    expect(parseIntInRange('8080', '--http-port', BOUNDS.listenPort)).toBe(8080);
    expect(parseIntInRange('0', '--http-port', BOUNDS.listenPort)).toBe(0);
    expect(parseIntInRange(' 65535 ', '--http-port', BOUNDS.listenPort)).toBe(65535);
    for (const bad of ['65536', '-1', '1.5', '1e3', '', 'x', '0x10']) {
      expect(() => parseIntInRange(bad, '--http-port', BOUNDS.listenPort), bad).toThrow(/--http-port must be an integer 0\.\.65535/);
    }
    expect(() => parseIntInRange('0', '--max-allocations', BOUNDS.allocations)).toThrow(ConfigError);
  });

  it('checks relay ranges: 1..65535 and min <= max', () => {
    expect(parseRelayPortRange('49152-65535')).toEqual({ min: 49152, max: 65535 });
    expect(parseRelayPortRange('1-65535')).toEqual({ min: 1, max: 65535 });
    expect(parseRelayPortRange('5000-5000')).toEqual({ min: 5000, max: 5000 });
    expect(parseRelayPortRange(' 46000 - 47999 ')).toEqual({ min: 46000, max: 47999 });
    expect(() => parseRelayPortRange('0-100')).toThrow(/1\.\.65535/);
    expect(() => parseRelayPortRange('49152-65536')).toThrow(/1\.\.65535/);
    expect(() => parseRelayPortRange('70000-80000')).toThrow(/1\.\.65535/);
    expect(() => parseRelayPortRange('5001-5000')).toThrow(/above the last/);
    expect(() => parseRelayPortRange('49152', '--relay-range')).toThrow(/--relay-range must look like 49152-65535/);
    expect(reasonOf(() => parseRelayPortRange('abc'))).toBe('bad-port-range');
    expect(reasonOf(() => parseRelayPortRange('9-8'))).toBe('bad-port-range');
  });
});

describe('TURN URIs (RFC 7065)', () => {
  it('reads the examples of RFC 7065 Appendix B (secure, port, transport as written)', () => {
    const cases: [string, ReturnType<typeof parseTurnUriParts>][] = [
      ['turn:example.org', { scheme: 'turn', host: 'example.org', port: null, transport: null }],
      ['turns:example.org', { scheme: 'turns', host: 'example.org', port: null, transport: null }],
      ['turn:example.org:8000', { scheme: 'turn', host: 'example.org', port: 8000, transport: null }],
      ['turn:example.org?transport=udp', { scheme: 'turn', host: 'example.org', port: null, transport: 'udp' }],
      ['turn:example.org?transport=tcp', { scheme: 'turn', host: 'example.org', port: null, transport: 'tcp' }],
      ['turns:example.org?transport=tcp', { scheme: 'turns', host: 'example.org', port: null, transport: 'tcp' }],
    ];
    for (const [uri, parts] of cases) expect(parseTurnUriParts(uri), uri).toEqual(parts);
  });

  it('defaults the port (3478, turns: 5349) and the transport into the page entry', () => {
    expect(parseTurnUri('turn:example.org')).toEqual({ url: 'turn:example.org', transport: 'udp', port: 3478 });
    expect(parseTurnUri('turns:example.org')).toEqual({ url: 'turns:example.org', transport: 'tls', port: 5349 });
    expect(parseTurnUri('turn:example.org:8000')).toEqual({ url: 'turn:example.org:8000', transport: 'udp', port: 8000 });
    expect(parseTurnUri('turn:example.org?transport=tcp')).toEqual({ url: 'turn:example.org?transport=tcp', transport: 'tcp', port: 3478 });
    expect(parseTurnUri('turns:example.org?transport=tcp')).toEqual({ url: 'turns:example.org?transport=tcp', transport: 'tls', port: 5349 });
    expect(parseTurnUri('  turn:192.0.2.1:3479?transport=udp ')).toEqual({ url: 'turn:192.0.2.1:3479?transport=udp', transport: 'udp', port: 3479 });
  });

  it('reads IPv6 literals in brackets (RFC 3986 §3.2.2)', () => {
    expect(parseTurnUriParts('turn:[2001:db8::1]:3480?transport=udp')).toEqual({ scheme: 'turn', host: '2001:db8::1', port: 3480, transport: 'udp' });
    expect(parseTurnUri('turns:[::1]?transport=tcp')).toEqual({ url: 'turns:[::1]?transport=tcp', transport: 'tls', port: 5349 });
    expect(parseTurnUriParts('turn:[::ffff:192.0.2.1]').host).toBe('::ffff:192.0.2.1');
  });

  it('refuses what is not a TURN URI, with the reason', () => {
    const bad = [
      'stun:example.org',
      'turn:',
      'turn://example.org',
      'turn:example.org:',
      'turn:example.org:0',
      'turn:example.org:65536',
      'turn:example.org?transport=sctp',
      'turn:example.org?transport=',
      'turns:example.org?transport=udp',
      'turn:2001:db8::1',
      'turn:[example.org]',
      'TURN:example.org',
      'turn:user@example.org',
    ];
    for (const uri of bad) {
      expect(
        reasonOf(() => parseTurnUri(uri)),
        uri,
      ).toBe('bad-turn-uri');
      expect(tryParseTurnUriParts(uri), uri).toBeNull();
    }
    expect(() => parseTurnUri('turn:example.org:65536')).toThrow(/port 65536 is not 1\.\.65535/);
    expect(() => parseTurnUri('turns:example.org?transport=udp')).toThrow(/DTLS/);
  });

  it('formats what it parses back: every listener URI round-trips', () => {
    const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain());
    const transport = fc.constantFrom('udp' as const, 'tcp' as const, 'tls' as const);
    fc.assert(
      fc.property(host, fc.integer({ min: 1, max: 65535 }), transport, (h, port, t) => {
        const url = formatTurnUri(h, port, t);
        expect(parseTurnUri(url)).toEqual({ url, transport: t, port });
        expect(parseTurnUriParts(url).host).toBe(h);
      }),
    );
  });

  it('gives the stats adapter the port as written, or null', () => {
    expect(portOfTurnUrl('turn:[::1]:3480?transport=udp')).toBe(3480);
    expect(portOfTurnUrl('turn:relay.example.org')).toBeNull();
    expect(portOfTurnUrl('not a uri')).toBeNull();
  });
});

describe('parseHostPort (--metrics-listen)', () => {
  it('reads HOST:PORT and [IPV6]:PORT, refuses the rest', async () => {
    const { parseHostPort } = await import('../../src/protocol/defaults.js');
    expect(parseHostPort('127.0.0.1:9100', '--metrics-listen')).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(parseHostPort('[::1]:0', '--metrics-listen')).toEqual({ host: '::1', port: 0 });
    expect(() => parseHostPort('::1:9100', '--metrics-listen')).toThrow(/--metrics-listen must look like/);
    expect(() => parseHostPort('127.0.0.1:70000', '--metrics-listen')).toThrow(/0\.\.65535/);
  });
});

describe('site report spans and time zones (issue 12)', () => {
  it('parses a span back from now in days, hours or minutes, within its bounds', () => {
    expect(parseSinceSpan('7d')).toBe(7 * 86_400_000);
    expect(parseSinceSpan(' 36h ')).toBe(36 * 3_600_000);
    expect(parseSinceSpan('90m')).toBe(90 * 60_000);
    for (const bad of ['0d', '59m', '7', 'd7', '7w', '-1d', '1.5d', `${3651}d`, '']) {
      expect(() => parseSinceSpan(bad), bad).toThrow(ConfigError);
    }
    expect(parseSinceSpan(`${BOUNDS.siteReportSinceMs.max / 86_400_000}d`)).toBe(BOUNDS.siteReportSinceMs.max);
    expect(DEFAULTS.siteReport.sinceMs).toBe(parseSinceSpan('7d'));
  });

  it('accepts IANA time zone names the runtime knows and refuses the rest', () => {
    expect(parseTimeZone('UTC')).toBe('UTC');
    expect(parseTimeZone('Europe/Paris')).toBe('Europe/Paris');
    // Returned as the runtime spells it canonically (ICU may fold an alias).
    expect(parseTimeZone('America/Argentina/Buenos_Aires')).toMatch(/Buenos_Aires$/);
    for (const bad of ['Mars/Olympus', '', 'Europe/Paris; rm -rf', 'x'.repeat(65), 'Europe/../../etc']) {
      expect(() => parseTimeZone(bad), bad).toThrow(ConfigError);
    }
    expect(parseTimeZone(DEFAULTS.siteReport.timeZone)).toBe(DEFAULTS.siteReport.timeZone);
  });
});

describe('durations (run --every, --for)', () => {
  it('parse an integer and a unit s, m, h or d into ms', () => {
    expect(parseDurationMs('5s', '--every', BOUNDS.scheduleEveryMs)).toBe(5_000);
    expect(parseDurationMs('10m', '--every', BOUNDS.scheduleEveryMs)).toBe(600_000);
    expect(parseDurationMs(' 2h ', '--every', BOUNDS.scheduleEveryMs)).toBe(7_200_000);
    expect(parseDurationMs('7d', '--for', BOUNDS.scheduleForMs)).toBe(604_800_000);
    expect(parseDurationMs('7d', '--every', BOUNDS.scheduleEveryMs)).toBe(BOUNDS.scheduleEveryMs.max);
  });

  it('refuse a bare number, other units, fractions, negatives and values out of bounds, naming the flag and the bounds', () => {
    for (const bad of ['10', '10min', '1.5m', '-5s', '', 's', '5 s s', '4s', '8d', '99999999999d']) {
      expect(
        reasonOf(() => parseDurationMs(bad, '--every', BOUNDS.scheduleEveryMs)),
        bad,
      ).toBe('bad-value');
    }
    expect(() => parseDurationMs('4s', '--every', BOUNDS.scheduleEveryMs)).toThrow(
      '--every must be a duration 5s..7d written like 5s, 10m, 2h or 7d, not "4s"',
    );
    expect(() => parseDurationMs('367d', '--for', BOUNDS.scheduleForMs)).toThrow(/1s\.\.366d/);
  });

  it('format back as the largest whole unit', () => {
    expect([5_000, 600_000, 5_400_000, 86_400_000, 1_500].map(formatDurationMs)).toEqual(['5s', '10m', '90m', '1d', '1500ms']);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('s', 'm', 'h', 'd'), (n, u) => {
        const ms = parseDurationMs(`${n}${u}`, 'x', { min: 0, max: Number.MAX_SAFE_INTEGER });
        expect(parseDurationMs(formatDurationMs(ms), 'x', { min: 0, max: Number.MAX_SAFE_INTEGER })).toBe(ms);
      }),
      { seed: 12 },
    );
  });

  it('the schedule defaults sit within their bounds', () => {
    expect(DEFAULTS.schedule.spoolUploadsPerPass).toBeLessThan(DEFAULTS.results.postsPerMinutePerIp);
    expect(BOUNDS.scheduleEveryMs.min).toBeGreaterThanOrEqual(5_000);
  });
});
