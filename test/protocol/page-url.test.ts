import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultPageParams,
  MAX_DURATION_S,
  MAX_META_TEXT_CHARS,
  MIN_DURATION_S,
  pageSearch,
  parsePageParams,
  rerunHref,
  sharedCodeOf,
  ParamError,
  writePageParams,
  type PageParams,
} from '../../src/protocol/page-url.js';
import { BOUNDS } from '../../src/protocol/defaults.js';
import { LANGS } from '../../src/protocol/lang.js';
import { canonicalSite } from '../../src/protocol/site-name.js';
import { testPageParams, testPageUrl } from '../../client/test-page.js';
import type { RunCommandOptions } from '../../client/options.js';

describe('page URL parameters', () => {
  it('defaults to a 15 s client-to-edge test', () => {
    expect(parsePageParams('')).toEqual({
      profile: { id: 'client-to-edge' },
      durationS: 15,
      autostart: false,
      mode: 'auto',
      turnPick: null,
      audio: 'webaudio',
      compare: null,
      site: null,
      ticket: null,
      save: true,
      load: false,
      video: false,
      locate: null,
      arrivals: 'receive-time',
      devices: false,
      network: false,
      lang: null,
      previous: null,
    });
  });

  it('reads ?lang= (a regional tag picks its language; one not shipped is a bad link) and writes it back', () => {
    expect(parsePageParams('?lang=de-CH').lang).toBe('de');
    expect(parsePageParams('?lang=zh-CN').lang).toBe('zh-Hans');
    expect(pageSearch(parsePageParams('?lang=ja'))).toBe('?lang=ja');
    expect(() => parsePageParams('?lang=it')).toThrow('lang must be one of en, de, fr, es, ja, zh-Hans, not "it"');
  });

  it('reads ?network=1 (the network the user is on, after the test) and writes it back', () => {
    expect(parsePageParams('?network=1').network).toBe(true);
    expect(pageSearch(parsePageParams('?network=1'))).toBe('?network=1');
    expect(() => parsePageParams('?network=2')).toThrow(/network must be 0 or 1/);
  });

  it('reads ?devices=1 (the unattended device check of callprobe run --devices) and writes it, but never into a shared link', () => {
    const p = parsePageParams('?devices=1');
    expect(p.devices).toBe(true);
    expect(writePageParams(p).toString()).toBe('devices=1');
    expect(pageSearch(p)).toBe('');
    expect(() => parsePageParams('?devices=yes')).toThrow(/devices must be 0 or 1/);
  });

  it('reads arrivals=worker (the engines bench: arrivals timed as in a browser without receiveTime), and writes it back', () => {
    const p = parsePageParams('?arrivals=worker');
    expect(p.arrivals).toBe('worker');
    expect(parsePageParams(pageSearch(p))).toEqual(p);
    expect(() => parsePageParams('?arrivals=now')).toThrow(/arrivals must be receive-time or worker/);
  });

  it('reads ?load=1 (the busy-line phase) and writes it back; anything else is refused', () => {
    expect(parsePageParams('?load=1').load).toBe(true);
    expect(pageSearch(parsePageParams('?load=1'))).toBe('?load=1');
    expect(() => parsePageParams('?load=yes')).toThrow(/load must be 0 or 1/);
  });

  it('reads compare mode with its seconds per rung, and writes it back', () => {
    expect(parsePageParams('?compare=1').compare).toEqual({ secondsPerRung: 5 });
    const p = parsePageParams('?compare=1&compareSeconds=3');
    expect(p.compare).toEqual({ secondsPerRung: 3 });
    expect(parsePageParams(pageSearch(p))).toEqual(p);
    expect(() => parsePageParams('?compare=1&compareSeconds=1')).toThrow(/compareSeconds must be 2\.\.30 seconds/);
  });

  it('reads an Azure region profile and a relay choice, and writes them back', () => {
    const p = parsePageParams('?profile=azure-region&azureRegion=West%20Europe&from=edge&duration=30&turn=udp:3480&autostart=1');
    expect(p.profile).toEqual({ id: 'azure-region', azureRegion: 'West Europe', from: 'edge' });
    expect(p.turnPick).toEqual({ transport: 'udp', port: 3480 });
    expect(p.autostart).toBe(true);
    expect(parsePageParams(pageSearch(p))).toEqual({ ...p, autostart: false });
  });

  it('refuses bad values with the parameter named', () => {
    expect(() => parsePageParams('?profile=fast')).toThrow(ParamError);
    expect(() => parsePageParams('?profile=azure-region')).toThrow(/azureRegion/);
    expect(() => parsePageParams('?duration=0')).toThrow(/duration/);
    expect(() => parsePageParams('?duration=601')).toThrow(/duration/);
    expect(() => parsePageParams('?turn=quic')).toThrow(/turn/);
  });

  it('reads site, ticket and save=0, and writes them back', () => {
    const p = parsePageParams('?site=Berlin%20HQ&ticket=%20INC-42%20&save=0');
    expect(p).toMatchObject({ site: 'Berlin HQ', ticket: 'INC-42', save: false });
    expect(parsePageParams(pageSearch(p))).toEqual(p);
    expect(parsePageParams('?site=&ticket=')).toMatchObject({ site: null, ticket: null, save: true });
    expect(() => parsePageParams(`?ticket=${'x'.repeat(129)}`)).toThrow(/ticket must be at most 128/);
    expect(() => parsePageParams('?save=no')).toThrow(/save must be 0 or 1/);
  });
});

describe('the link that runs a stored test again', () => {
  it('keeps profile, region, duration, relay pick, site and ticket', () => {
    const href = rerunHref({
      profile: { id: 'azure-region', azureRegion: 'West Europe', from: 'edge' },
      durationS: 30,
      turn: 'tcp:3478',
      site: 'Berlin',
      ticket: 'INC-1',
    });
    expect(href.startsWith('/?')).toBe(true);
    expect(parsePageParams(href.slice(1))).toMatchObject({
      profile: { id: 'azure-region', azureRegion: 'West Europe', from: 'edge' },
      durationS: 30,
      turnPick: { transport: 'tcp', port: 3478 },
      site: 'Berlin',
      ticket: 'INC-1',
      save: true,
      autostart: false,
    });
  });

  it('names the stored result as the earlier test, in its canonical form; a code that is none is a bad link', () => {
    const href = rerunHref({ profile: { id: 'client-to-edge' }, durationS: 15, previous: 'K7QF-3MZD' });
    expect(href).toBe('/?previous=K7QF-3MZD');
    expect(parsePageParams('?previous=k7qf3mzo').previous).toBe('K7QF-3MZ0');
    expect(parsePageParams('?previous=').previous).toBeNull();
    expect(() => parsePageParams('?previous=K7QF')).toThrow(/previous: a result code is 8 symbols/);
    // A link whose code this page cannot read runs again without it.
    expect(rerunHref({ profile: { id: 'client-to-edge' }, durationS: 15, previous: 'nope' })).toBe('/');
  });

  it('is the plain page for a default test, and drops what this page no longer accepts', () => {
    expect(rerunHref({ profile: { id: 'client-to-edge', azureRegion: null, from: null }, durationS: 15 })).toBe('/');
    expect(rerunHref({ profile: { id: 'warp-drive' }, durationS: 9999, turn: 'quic', ticket: 'T-9' })).toBe('/?ticket=T-9');
    expect(rerunHref({ profile: { id: 'azure-region', azureRegion: null, from: null }, durationS: 20 })).toBe('/?duration=20');
  });
});

describe('the code of a shared result in the page path', () => {
  it('reads /r/<code> as typed, and nothing else', () => {
    expect(sharedCodeOf('/r/K7QF-3MZD')).toBe('K7QF-3MZD');
    expect(sharedCodeOf('/r/k7qf3mzd/')).toBe('k7qf3mzd');
    expect(sharedCodeOf('/')).toBeNull();
    expect(sharedCodeOf('/r/')).toBeNull();
    expect(sharedCodeOf('/r/a/b')).toBeNull();
    expect(sharedCodeOf('/r/%E0%A4%A')).toBeNull();
    expect(sharedCodeOf('/api/r/K7QF-3MZD')).toBeNull();
  });
});

/** `callprobe run` with no flag that reaches the page (the options commander hands over). */
const RUN: RunCommandOptions = {
  server: 'http://127.0.0.1:8080',
  profile: 'client-to-edge',
  from: 'site',
  compare: false,
  json: false,
  browser: 'chromium',
  save: true,
  csv: false,
  load: false,
  video: false,
};

/** What every headless test tells the page, whatever the flags: start at once, the fake audio device, do not save (run saves). */
const HEADLESS: PageParams = { ...defaultPageParams(), autostart: true, audio: 'fake-device', save: false };

interface FlagCase {
  /** The options as commander and checkRunFlags hand them over. */
  set: Partial<RunCommandOptions>;
  /** What the page must read from the URL, beyond HEADLESS. */
  page: Partial<PageParams>;
}

const TURN = { url: 'turn:turn.example:3478?transport=udp', transport: 'udp', port: 3478 } as const;

/**
 * Every `callprobe run` option (a key missing here does not compile): the flags that reach the
 * page, each with the settings the page must read, or why one does not reach it.
 */
const RUN_FLAGS: { [K in keyof RunCommandOptions]-?: FlagCase[] | string } = {
  server: 'the page is opened on it (the URL base)',
  duration: [
    { set: { duration: MIN_DURATION_S }, page: { durationS: MIN_DURATION_S } },
    { set: { duration: 30 }, page: { durationS: 30 } },
    { set: { duration: MAX_DURATION_S }, page: { durationS: MAX_DURATION_S } },
  ],
  profile: [
    { set: { profile: 'edge-to-edge' }, page: { profile: { id: 'edge-to-edge' } } },
    { set: { profile: 'azure-region', azureRegion: 'West Europe' }, page: { profile: { id: 'azure-region', azureRegion: 'West Europe', from: 'site' } } },
  ],
  azureRegion: [
    { set: { profile: 'azure-region', azureRegion: 'Japan East' }, page: { profile: { id: 'azure-region', azureRegion: 'Japan East', from: 'site' } } },
    // Without --profile azure-region the page has no region to read.
    { set: { azureRegion: 'Japan East' }, page: {} },
  ],
  from: [
    {
      set: { profile: 'azure-region', azureRegion: 'West Europe', from: 'edge' },
      page: { profile: { id: 'azure-region', azureRegion: 'West Europe', from: 'edge' } },
    },
  ],
  turn: [{ set: { server: undefined, turn: TURN, turnUser: 'u', turnCredential: 'c' }, page: { mode: 'loopback' } }],
  turnUser: "--turn's credentials reach the page through the page host's /api/config",
  turnCredential: "--turn's credentials reach the page through the page host's /api/config",
  turnCredentialFile: "--turn's credentials reach the page through the page host's /api/config",
  relay: [
    { set: { relay: 'udp' }, page: { turnPick: { transport: 'udp', port: null } } },
    { set: { relay: 'udp:3479' }, page: { turnPick: { transport: 'udp', port: 3479 } } },
    { set: { relay: 'tcp' }, page: { turnPick: { transport: 'tcp', port: null } } },
    { set: { relay: 'tls:443' }, page: { turnPick: { transport: 'tls', port: 443 } } },
  ],
  compare: [{ set: { compare: true }, page: { compare: { secondsPerRung: 5 } } }],
  compareSeconds: [
    { set: { compare: true, compareSeconds: BOUNDS.compareSecondsPerRung.min }, page: { compare: { secondsPerRung: BOUNDS.compareSecondsPerRung.min } } },
    { set: { compare: true, compareSeconds: 5 }, page: { compare: { secondsPerRung: 5 } } },
    { set: { compare: true, compareSeconds: BOUNDS.compareSecondsPerRung.max }, page: { compare: { secondsPerRung: BOUNDS.compareSecondsPerRung.max } } },
  ],
  // The page never saves a headless test, --no-save or not: run saves once, itself.
  save: [{ set: { save: false }, page: {} }],
  site: [
    { set: { site: 'Berlin HQ', adminToken: 't'.repeat(32) }, page: { site: 'Berlin HQ' } },
    { set: { site: 'Zürich – Ost', save: false }, page: { site: 'Zürich – Ost' } },
  ],
  ticket: [
    { set: { ticket: 'INC-42' }, page: { ticket: 'INC-42' } },
    // The page trims a ticket, as it does a typed one.
    { set: { ticket: ' INC 42 & more ' }, page: { ticket: 'INC 42 & more' } },
  ],
  load: [{ set: { load: true }, page: { load: true } }],
  video: [{ set: { video: true }, page: { video: true } }],
  devices: [{ set: { devices: true }, page: { devices: true } }],
  network: [{ set: { network: true }, page: { network: true } }],
  json: 'how run prints the result',
  csv: 'how run prints the result',
  csvSep: 'how run prints the result',
  lang: 'run prints the summary in it; the page it drives headless is never read by a person',
  browser: 'which browser opens the page',
  evidence: 'run writes the evidence itself, read from the page after the test',
  qos: 'run counts the marks that arrive itself, around the test (client/qos-count.ts); the page always asks for EF',
  teamsReachability: 'run tries the listed relays itself, before the browser starts',
  adminToken: 'run saves the result itself, with the token',
  token: 'run saves the result itself, with the token',
};

const flagCases = Object.entries(RUN_FLAGS).flatMap(([flag, cases]) =>
  typeof cases === 'string' ? [] : cases.map((c, i) => ({ name: `${flag} #${i + 1}`, ...c })),
);

describe("callprobe run's flags, through the page URL", () => {
  it.each(flagCases)('$name: the page reads what run was told', ({ set, page }) => {
    const o: RunCommandOptions = { ...RUN, ...set };
    const url = testPageUrl(o, 'http://127.0.0.1:8080/');
    const read = parsePageParams(url.searchParams);
    expect(read).toEqual({ ...HEADLESS, ...page });
    expect(testPageParams(o)).toMatchObject({ ...page, ticket: o.ticket ?? null });
  });

  it('carries every flag at once', () => {
    const o: RunCommandOptions = { ...RUN, ...Object.assign({}, ...flagCases.map((c) => c.set)) } as RunCommandOptions;
    const read = parsePageParams(testPageUrl(o, 'http://127.0.0.1:8080/').searchParams);
    expect(read).toEqual({ ...HEADLESS, ...Object.assign({}, ...flagCases.map((c) => c.page)) });
  });

  it('covers every flag that reaches the page', () => {
    const reaching = Object.entries(RUN_FLAGS).filter(([, c]) => typeof c !== 'string');
    expect(reaching.map(([flag]) => flag).sort()).toEqual(
      [
        'azureRegion',
        'compare',
        'compareSeconds',
        'devices',
        'duration',
        'from',
        'load',
        'network',
        'profile',
        'relay',
        'save',
        'site',
        'ticket',
        'turn',
        'video',
      ].sort(),
    );
  });

  it("keeps the server URL's path and query, and replaces only the page's own keys", () => {
    const url = testPageUrl({ ...RUN, duration: 3 }, 'https://probe.example:8443/callprobe/?tenant=acme&duration=60');
    expect(`${url.origin}${url.pathname}`).toBe('https://probe.example:8443/callprobe/');
    expect(url.searchParams.get('tenant')).toBe('acme');
    expect(parsePageParams(url.searchParams)).toEqual({ ...HEADLESS, durationS: 3 });
  });
});

/** A valid site name as the page holds it (canonical), or nothing. */
const siteArb = fc.option(
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
    .map((t) => {
      try {
        return canonicalSite(t).display;
      } catch {
        return null;
      }
    })
    .filter((t): t is string => t !== null),
  { nil: null },
);

/** A ticket as the page holds it: trimmed, not empty, at most MAX_META_TEXT_CHARS UTF-16 units. */
const ticketArb = fc.option(
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
    .map((t) => t.trim())
    .filter((t) => t.length > 0 && t.length <= MAX_META_TEXT_CHARS),
  { nil: null },
);

const profileArb: fc.Arbitrary<PageParams['profile']> = fc.oneof(
  fc.constant({ id: 'client-to-edge' as const }),
  fc.constant({ id: 'edge-to-edge' as const }),
  fc.record({
    id: fc.constant('azure-region' as const),
    azureRegion: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
    from: fc.constantFrom('site' as const, 'edge' as const),
  }),
);

/** Any settings the page accepts, in the form its parser gives them. */
const pageParamsArb: fc.Arbitrary<PageParams> = fc.record({
  profile: profileArb,
  durationS: fc.oneof(fc.integer({ min: MIN_DURATION_S, max: MAX_DURATION_S }), fc.double({ min: MIN_DURATION_S, max: MAX_DURATION_S, noNaN: true })),
  autostart: fc.boolean(),
  mode: fc.constantFrom('auto' as const, 'reflector' as const, 'loopback' as const),
  turnPick: fc.option(fc.record({ transport: fc.constantFrom('udp' as const, 'tcp' as const, 'tls' as const), port: fc.option(fc.nat(), { nil: null }) }), {
    nil: null,
  }),
  audio: fc.constantFrom('webaudio' as const, 'fake-device' as const, 'none' as const),
  compare: fc.option(fc.record({ secondsPerRung: fc.integer(BOUNDS.compareSecondsPerRung) }), { nil: null }),
  site: siteArb,
  ticket: ticketArb,
  save: fc.boolean(),
  arrivals: fc.constantFrom('receive-time' as const, 'worker' as const),
  load: fc.boolean(),
  video: fc.boolean(),
  devices: fc.boolean(),
  network: fc.boolean(),
  locate: fc.option(
    fc.record({
      round: fc.integer({ min: 0, max: 999_999_999 }),
      keep: fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/), { nil: null }),
      challenger: fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/), { nil: null }),
    }),
    {
      nil: null,
    },
  ),
  lang: fc.option(fc.constantFrom(...LANGS), { nil: null }),
  previous: fc.option(fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/), { nil: null }),
});

/** Query strings over the page's keys, with good values and bad ones. */
const searchArb: fc.Arbitrary<string> = fc
  .record(
    {
      profile: fc.constantFrom('client-to-edge', 'edge-to-edge', 'azure-region', 'fast'),
      azureRegion: fc.constantFrom('West Europe', ''),
      from: fc.constantFrom('site', 'edge', 'moon'),
      duration: fc.oneof(fc.integer({ min: -5, max: 700 }).map(String), fc.constantFrom('2.5', 'x', '')),
      autostart: fc.constantFrom('1', '0', 'yes'),
      mode: fc.constantFrom('auto', 'reflector', 'loopback', 'p2p'),
      turn: fc.constantFrom('udp', 'udp:3479', 'tcp:0443', 'tls:443', 'quic', ''),
      audio: fc.constantFrom('webaudio', 'fake-device', 'none', 'mic'),
      compare: fc.constantFrom('1', '0'),
      compareSeconds: fc.oneof(fc.integer({ min: 0, max: 40 }).map(String), fc.constant('2.5')),
      site: fc.string({ unit: 'grapheme', maxLength: 20 }),
      ticket: fc.string({ unit: 'grapheme', maxLength: 20 }),
      save: fc.constantFrom('0', '1', 'no'),
      arrivals: fc.constantFrom('receive-time', 'worker', 'now'),
      load: fc.constantFrom('0', '1', 'yes'),
      video: fc.constantFrom('0', '1', 'yes'),
      devices: fc.constantFrom('0', '1', 'yes'),
      network: fc.constantFrom('0', '1', 'yes'),
    },
    { requiredKeys: [] },
  )
  .map((r) => new URLSearchParams(Object.entries(r) as [string, string][]).toString());

describe('the page URL, written and read back (properties)', () => {
  it('reads back every setting it wrote: parse(write(p)) is p', () => {
    fc.assert(
      fc.property(pageParamsArb, (p) => {
        expect(parsePageParams(writePageParams(p))).toEqual(p);
        // Through the string the address bar holds, too.
        expect(parsePageParams(writePageParams(p).toString())).toEqual(p);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every key of what it read: parse -> write -> parse is the first parse, and the written URL is stable', () => {
    let accepted = 0;
    fc.assert(
      fc.property(searchArb, (search) => {
        let read: PageParams;
        try {
          read = parsePageParams(search);
        } catch (err) {
          expect(err).toBeInstanceOf(ParamError);
          return;
        }
        accepted++;
        const written = writePageParams(read);
        const again = parsePageParams(written);
        for (const key of Object.keys(read) as (keyof PageParams)[]) expect(again[key], key).toEqual(read[key]);
        expect(again).toEqual(read);
        expect(writePageParams(again).toString()).toBe(written.toString());
      }),
      // Each key may be a bad value, so few random searches are accepted (about 2 in 100 since ?video joined them): 2 000 runs keep the check of the accepted ones well fed.
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(20);
  });

  it('leaves defaults out, so a default test is the plain page, and never shares autostart', () => {
    expect(writePageParams(defaultPageParams()).toString()).toBe('');
    expect(pageSearch({ ...defaultPageParams(), autostart: true })).toBe('');
    expect(writePageParams({ ...defaultPageParams(), autostart: true }).toString()).toBe('autostart=1');
  });
});
