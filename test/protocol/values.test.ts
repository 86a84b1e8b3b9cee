import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOUNDS, CONSTANTS } from '../../src/protocol/defaults.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import {
  formatDurationMs,
  isSampleId,
  parseAdminToken,
  parseDurationMs,
  parseIntInRange,
  parsePortList,
  parseRelayPortRange,
  parseSinceSpan,
  parseTimeZone,
} from '../../src/protocol/values.js';

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

describe('port lists', () => {
  it('parses port lists and ranges', () => {
    expect(parsePortList('3478-3481')).toEqual([3478, 3479, 3480, 3481]);
    expect(parsePortList('3478,443')).toEqual([3478, 443]);
    expect(() => parsePortList('3481-3478')).toThrow(ConfigError);
    expect(() => parsePortList('http')).toThrow(ConfigError);
    expect(() => parsePortList('1-1000')).toThrow(/too long/);
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

describe('site report spans and time zones', () => {
  it('parses a span back from now in days, hours or minutes, within its bounds', () => {
    expect(parseSinceSpan('7d')).toBe(7 * 86_400_000);
    expect(parseSinceSpan(' 36h ')).toBe(36 * 3_600_000);
    expect(parseSinceSpan('90m')).toBe(90 * 60_000);
    for (const bad of ['0d', '59m', '7', 'd7', '7w', '-1d', '1.5d', `${3651}d`, '']) {
      expect(() => parseSinceSpan(bad), bad).toThrow(ConfigError);
    }
    expect(parseSinceSpan(`${BOUNDS.siteReportSinceMs.max / 86_400_000}d`)).toBe(BOUNDS.siteReportSinceMs.max);
    expect(CONSTANTS.siteReport.sinceMs).toBe(parseSinceSpan('7d'));
  });

  it('accepts IANA time zone names the runtime knows and refuses the rest', () => {
    expect(parseTimeZone('UTC')).toBe('UTC');
    expect(parseTimeZone('Europe/Paris')).toBe('Europe/Paris');
    // Returned as the runtime spells it canonically (ICU may fold an alias).
    expect(parseTimeZone('America/Argentina/Buenos_Aires')).toMatch(/Buenos_Aires$/);
    for (const bad of ['Mars/Olympus', '', 'Europe/Paris; rm -rf', 'x'.repeat(65), 'Europe/../../etc']) {
      expect(() => parseTimeZone(bad), bad).toThrow(ConfigError);
    }
    expect(parseTimeZone(CONSTANTS.siteReport.timeZone)).toBe(CONSTANTS.siteReport.timeZone);
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
});

describe('operator token and sample id', () => {
  it('bounds the admin token and the sampleId', () => {
    expect(parseAdminToken('a'.repeat(16))).toBe('a'.repeat(16));
    expect(() => parseAdminToken('short')).toThrow(ConfigError);
    expect(() => parseAdminToken(`${'a'.repeat(16)} b`)).toThrow(ConfigError);
    expect(isSampleId('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe(true);
    expect(isSampleId('short')).toBe(false);
    expect(isSampleId('x'.repeat(65))).toBe(false);
    expect(isSampleId('abc def ghi')).toBe(false);
    expect(isSampleId(12345678)).toBe(false);
  });
});
