import { describe, expect, it } from 'vitest';
import { checkRunFlags, checkScheduleFlags, type RunCommandOptions } from '../../client/options.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { parseTurnUri } from '../../src/protocol/turn-uri.js';

describe('callprobe run flags', () => {
  const base: RunCommandOptions = {
    profile: 'client-to-edge',
    from: 'site',
    compare: false,
    json: false,
    browser: DEFAULTS.browserPath,
    save: true,
    csv: false,
    load: false,
  };

  it('need a server or a TURN server with its credentials', () => {
    expect(() => checkRunFlags(base)).toThrow(ConfigError);
    const turn = parseTurnUri('turn:127.0.0.1:3590?transport=udp');
    expect(() => checkRunFlags({ ...base, turn })).toThrow(/--turn-user and --turn-credential/);
    expect(checkRunFlags({ ...base, turn, turnUser: 'u', turnCredential: 'p' }).turn).toEqual(turn);
    expect(checkRunFlags({ ...base, server: 'http://127.0.0.1:8080' }).server).toBe('http://127.0.0.1:8080');
  });

  it('need a region with the azure-region profile', () => {
    expect(() => checkRunFlags({ ...base, server: 'http://127.0.0.1:8080', profile: 'azure-region' })).toThrow(/--azure-region/);
  });

  it('refuse --json with --csv, a site without the operator token, and empty or long site and ticket', () => {
    const server = 'http://127.0.0.1:8080';
    expect(() => checkRunFlags({ ...base, server, json: true, csv: true })).toThrow(/--json and --csv/);
    expect(() => checkRunFlags({ ...base, server, site: 'Paris' })).toThrow(
      /--site needs the site's upload-only token \(callprobe site-token create\) or the operator token, in --token/,
    );
    expect(checkRunFlags({ ...base, server, site: 'Paris', save: false }).site).toBe('Paris');
    expect(checkRunFlags({ ...base, server, site: 'Paris', adminToken: 'x'.repeat(20) }).site).toBe('Paris');
    expect(() => checkRunFlags({ ...base, server, ticket: ' ' })).toThrow(/--ticket must be 1\.\.128/);
    expect(() => checkRunFlags({ ...base, server, ticket: 'x'.repeat(129) })).toThrow(/--ticket must be 1\.\.128/);
  });

  it('--token (CALLPROBE_TOKEN) is the operator token under another name; two different tokens are refused', () => {
    const server = 'http://127.0.0.1:8080';
    const t = 'y'.repeat(20);
    expect(checkRunFlags({ ...base, server, site: 'Paris', token: t }).adminToken).toBe(t);
    expect(checkRunFlags({ ...base, server, site: 'Paris', token: t, adminToken: t }).adminToken).toBe(t);
    expect(() => checkRunFlags({ ...base, server, site: 'Paris', token: t, adminToken: 'x'.repeat(20) })).toThrow(/differ/);
  });

  it('--every needs a server, a site and saving; --count, --for and --until go with it, --for not with --count or --until', () => {
    const o = checkRunFlags({ ...base, server: 'http://127.0.0.1:8080', site: 'Paris', adminToken: 'x'.repeat(20) });
    const spool = DEFAULTS.schedule.spoolDir;
    expect(checkScheduleFlags(o, { spool })).toBeNull();
    expect(() => checkScheduleFlags(o, { spool, count: 3 })).toThrow(/need --every/);
    expect(() => checkScheduleFlags(o, { spool, for: 60_000 })).toThrow(/need --every/);
    expect(() => checkScheduleFlags(o, { spool, until: Date.UTC(2026, 1, 9) })).toThrow(/need --every/);
    expect(checkScheduleFlags(o, { spool, every: 600_000, count: 6 })).toEqual({
      everyMs: 600_000,
      count: 6,
      forMs: null,
      untilMs: null,
      spoolDir: spool,
      sampleDurationS: DEFAULTS.schedule.sampleDurationS,
    });
    expect(checkScheduleFlags(o, { spool, every: 600_000, until: Date.UTC(2026, 1, 9) })).toMatchObject({ forMs: null, untilMs: Date.UTC(2026, 1, 9) });
    expect(() => checkScheduleFlags(o, { spool, every: 600_000, for: 60_000, until: Date.UTC(2026, 1, 9) })).toThrow(/--for or --until, not both/);
    expect(checkScheduleFlags(o, { spool, every: 600_000, for: 7 * 86_400_000 })).toMatchObject({ count: null, forMs: 7 * 86_400_000 });
    expect(() => checkScheduleFlags(o, { spool, every: 600_000, count: 6, for: 60_000 })).toThrow(/not both/);
    expect(() => checkScheduleFlags({ ...o, site: undefined }, { spool, every: 600_000 })).toThrow(/--site/);
    expect(() => checkScheduleFlags({ ...o, save: false }, { spool, every: 600_000 })).toThrow(/--no-save/);
    expect(() => checkScheduleFlags({ ...o, json: true }, { spool, every: 600_000 })).toThrow(/--json/);
    expect(() => checkScheduleFlags({ ...o, server: undefined }, { spool, every: 600_000 })).toThrow(/--server/);
  });
});
