/**
 * The page URL: everything a test can be told through the test page's query string, written by
 * `callprobe run` (client/test-page.ts), read by the page (src/web/components/app.ts) and
 * written back by it (the address bar, the link that runs a stored test again). One grammar,
 * read and written here. Pure.
 */
import { SHARED_RESULT_PAGE, type TurnServerEntry } from './api.js';
import { BOUNDS, DEFAULTS } from './defaults.js';
import { canonicalSite, SiteNameError } from './site-name.js';
import { TypedError } from './typed-error.js';
import { EDGE_ID_PATTERN } from './edge-id.js';
import { LANGS, pickLang, type Lang } from './lang.js';
import { parseResultCode, ResultCodeError } from './result-code.js';

/**
 * The part of WHATWG URLSearchParams used here. It is a global in the browser and in Node
 * alike, but this unit's lib has neither DOM nor Node types, so its shape is declared here: a
 * real URLSearchParams is one.
 */
export interface QueryParams extends Iterable<[string, string]> {
  get(name: string): string | null;
  set(name: string, value: string): void;
  toString(): string;
}
declare const URLSearchParams: new (init?: string | QueryParams) => QueryParams;

/** The profile a test is graded against (`?profile=`, `?azureRegion=`, `?from=`); src/analysis/schema/input.ts's ProfileSelection. */
interface PageProfile {
  id: 'client-to-edge' | 'edge-to-edge' | 'azure-region';
  /** Only for `azure-region`: the Azure region name as Microsoft names it, e.g. "West Europe". */
  azureRegion?: string;
  /** Only for `azure-region`: `site` (site-RTT column) or `edge` (edge-RTT column). */
  from?: 'site' | 'edge';
}

/** `?turn=udp:3479`: the relay transport to test through, and its port when one is named. */
export interface TurnPick {
  transport: TurnServerEntry['transport'];
  port: number | null;
}

/**
 * A scheduled sample's turn among a hub's edges (`run --every`: `?locateRound=` its slot number,
 * `?locateKeep=` the site's edge, where its last sample ran, `?locateChallenger=` the edge that
 * sample found nearer than it by the keep margin): which edges its locate measures with probes
 * (src/session/plan/edges.ts probePlan) and where its test runs (src/analysis/grade/locate.ts siteEdge).
 */
export interface LocateRotation {
  round: number;
  keep: string | null;
  challenger: string | null;
}

/** Everything a test can be told through the page URL (also what `callprobe run` sets). */
export interface PageParams {
  profile: PageProfile;
  durationS: number;
  autostart: boolean;
  /** `?mode=`: `auto`, or the server's reflector, or a two-peer loop inside the page. */
  mode: 'auto' | 'reflector' | 'loopback';
  turnPick: TurnPick | null;
  /** `?audio=`: the page's audio track (src/session/env.ts's AudioChoice). */
  audio: 'webaudio' | 'fake-device' | 'none';
  /** `?compare=1` (`&compareSeconds=N`): a short stream on every reachable rung after the test. */
  compare: { secondsPerRung: number } | null;
  /** The site this test is run for (`?site=`, the store accepts it only from the operator) and a help-desk ticket (`?ticket=`). */
  site: string | null;
  ticket: string | null;
  /** Whether the page saves its result to the server (`?save=0` opts out; `callprobe run` saves from the CLI). */
  save: boolean;
  /**
   * How RTP echo arrivals are timed: the frame's receiveTime where the browser gives one (default),
   * or `?arrivals=worker`, the transform worker's clock, as in a browser without receiveTime
   * (Firefox before 152, Safari): the engines bench measures what that costs.
   */
  arrivals: 'receive-time' | 'worker';
  /** `?load=1`: after the idle window, test again with the line busy (the busy-line phase). */
  load: boolean;
  /** `?video=1`: after the probes, send video through the relay each way (the video phase). */
  video: boolean;
  /** `?devices=1`: check the microphone, speaker and camera before the test, with no one asked (`callprobe run --devices`). */
  devices: boolean;
  /** `?network=1`: after the test, read the network the user is on (the connection the browser names, a split path) (`callprobe run --network`). */
  network: boolean;
  /** A scheduled sample's turn among a hub's edges; null: the first the hub lists. */
  locate: LocateRotation | null;
  /** `?lang=`: the page's language (src/protocol/lang.ts); null: the server's pick, then the browser's. */
  lang: Lang | null;
  /**
   * `?previous=CODE`: the stored result this test was run again from (its page's "Run the test
   * again"), canonical; the report claims it as `meta.previousCode`, which the server keeps only
   * for a code it stored within CONSTANTS.results.previousCodeMaxAgeMs. null: none.
   */
  previous: string | null;
}

export const DEFAULT_DURATION_S = DEFAULTS.testDurationS;
export const MIN_DURATION_S = BOUNDS.testDurationS.min;
export const MAX_DURATION_S = BOUNDS.testDurationS.max;
export const MAX_META_TEXT_CHARS = BOUNDS.siteChars;

/**
 * Why a page parameter was refused: `bad-value` (not one the page takes), `missing-param` (a
 * parameter another one needs is absent), `too-long` (free text over its bound), `bad-site` (not
 * a site name: src/protocol/site-name.ts).
 */
export type ParamErrorReason = 'bad-value' | 'missing-param' | 'too-long' | 'bad-site';

/** A page parameter the page does not accept; the message names the parameter and why. */
export class ParamError extends TypedError<ParamErrorReason> {
  override readonly name = 'ParamError';
}

/** `udp`, `udp:3479`, `tcp`, `tls:443`: the relay pick, or null when the text is not one. */
export function parseTurnPick(text: string): TurnPick | null {
  const m = /^(udp|tcp|tls)(?::(\d+))?$/.exec(text);
  if (!m) return null;
  return { transport: m[1] as TurnPick['transport'], port: m[2] ? Number(m[2]) : null };
}

/** A relay pick as `?turn=` takes it. */
function turnPickText(p: TurnPick): string {
  return p.port === null ? p.transport : `${p.transport}:${p.port}`;
}

/** Parses the query string (with or without its `?`); throws ParamError with the offending parameter. */
export function parsePageParams(search: QueryParams | string): PageParams {
  const q = new URLSearchParams(search);
  const profileId = q.get('profile') ?? 'client-to-edge';
  if (profileId !== 'client-to-edge' && profileId !== 'edge-to-edge' && profileId !== 'azure-region') {
    throw new ParamError('bad-value', `profile must be client-to-edge, edge-to-edge or azure-region, not "${profileId}"`);
  }
  const profile: PageProfile = { id: profileId };
  if (profileId === 'azure-region') {
    const region = q.get('azureRegion');
    if (!region) throw new ParamError('missing-param', 'profile azure-region needs azureRegion, e.g. azureRegion=West%20Europe');
    const from = q.get('from') ?? 'site';
    if (from !== 'site' && from !== 'edge') throw new ParamError('bad-value', `from must be site or edge, not "${from}"`);
    profile.azureRegion = region;
    profile.from = from;
  }
  const durationText = q.get('duration');
  const durationS = durationText === null ? DEFAULT_DURATION_S : Number(durationText);
  if (!Number.isFinite(durationS) || durationS < MIN_DURATION_S || durationS > MAX_DURATION_S) {
    throw new ParamError('bad-value', `duration must be ${MIN_DURATION_S}..${MAX_DURATION_S} seconds, not "${durationText}"`);
  }
  const mode = q.get('mode') ?? 'auto';
  if (mode !== 'auto' && mode !== 'reflector' && mode !== 'loopback')
    throw new ParamError('bad-value', `mode must be auto, reflector or loopback, not "${mode}"`);
  const turnText = q.get('turn');
  let turnPick: TurnPick | null = null;
  if (turnText) {
    turnPick = parseTurnPick(turnText);
    if (!turnPick) throw new ParamError('bad-value', `turn must look like udp, udp:3479, tcp or tls:443, not "${turnText}"`);
  }
  const audio = q.get('audio') ?? 'webaudio';
  if (audio !== 'webaudio' && audio !== 'fake-device' && audio !== 'none')
    throw new ParamError('bad-value', `audio must be webaudio, fake-device or none, not "${audio}"`);
  let compare: PageParams['compare'] = null;
  if (q.get('compare') === '1') {
    const text = q.get('compareSeconds');
    const secondsPerRung = text === null ? DEFAULTS.compareSecondsPerRung : Number(text);
    const b = BOUNDS.compareSecondsPerRung;
    if (!Number.isInteger(secondsPerRung) || secondsPerRung < b.min || secondsPerRung > b.max) {
      throw new ParamError('bad-value', `compareSeconds must be ${b.min}..${b.max} seconds, not "${text}"`);
    }
    compare = { secondsPerRung };
  }
  const site = siteText(metaText(q, 'site'));
  const ticket = metaText(q, 'ticket');
  const saveText = q.get('save') ?? '1';
  if (saveText !== '0' && saveText !== '1') throw new ParamError('bad-value', `save must be 0 or 1, not "${saveText}"`);
  const arrivals = q.get('arrivals') ?? 'receive-time';
  if (arrivals !== 'receive-time' && arrivals !== 'worker') throw new ParamError('bad-value', `arrivals must be receive-time or worker, not "${arrivals}"`);
  const loadText = q.get('load') ?? '0';
  if (loadText !== '0' && loadText !== '1') throw new ParamError('bad-value', `load must be 0 or 1, not "${loadText}"`);
  const videoText = q.get('video') ?? '0';
  if (videoText !== '0' && videoText !== '1') throw new ParamError('bad-value', `video must be 0 or 1, not "${videoText}"`);
  const networkText = q.get('network') ?? '0';
  if (networkText !== '0' && networkText !== '1') throw new ParamError('bad-value', `network must be 0 or 1, not "${networkText}"`);
  const devicesText = q.get('devices') ?? '0';
  if (devicesText !== '0' && devicesText !== '1') throw new ParamError('bad-value', `devices must be 0 or 1, not "${devicesText}"`);
  return {
    previous: previousCode(q),
    locate: locateRotation(q),
    profile,
    durationS,
    autostart: q.get('autostart') === '1',
    mode,
    turnPick,
    audio,
    compare,
    site,
    ticket,
    save: saveText === '1',
    load: loadText === '1',
    video: videoText === '1',
    arrivals,
    devices: devicesText === '1',
    network: networkText === '1',
    lang: langParam(q),
  };
}

/** `?lang=`: a language we ship (a regional tag such as de-CH picks its language); null without one. */
function langParam(q: QueryParams): Lang | null {
  const text = q.get('lang');
  if (text === null || text === '') return null;
  const lang = pickLang([text]);
  if (lang === null) throw new ParamError('bad-value', `lang must be one of ${LANGS.join(', ')}, not "${text.slice(0, 32)}"`);
  return lang;
}

/** `?locateRound=N` (an integer from 0), `?locateKeep=EDGE` and `?locateChallenger=EDGE`; null without a round. */
function locateRotation(q: QueryParams): LocateRotation | null {
  const roundText = q.get('locateRound');
  const keep = q.get('locateKeep');
  const challenger = q.get('locateChallenger');
  if (roundText === null) {
    if (keep !== null) throw new ParamError('missing-param', 'locateKeep needs locateRound');
    if (challenger !== null) throw new ParamError('missing-param', 'locateChallenger needs locateRound');
    return null;
  }
  const round = Number(roundText);
  if (!/^\d{1,9}$/.test(roundText) || !Number.isSafeInteger(round))
    throw new ParamError('bad-value', `locateRound must be a whole number from 0, not "${roundText}"`);
  const edgeId = new RegExp(EDGE_ID_PATTERN);
  if (keep !== null && !edgeId.test(keep)) throw new ParamError('bad-value', `locateKeep must be an edge id, not "${keep.slice(0, 64)}"`);
  if (challenger !== null && !edgeId.test(challenger))
    throw new ParamError('bad-value', `locateChallenger must be an edge id, not "${challenger.slice(0, 64)}"`);
  return { round, keep, challenger };
}

/** `?previous=`: a result code in its canonical form, or null when absent or empty. */
function previousCode(q: QueryParams): string | null {
  const text = (q.get('previous') ?? '').trim();
  if (text === '') return null;
  try {
    return parseResultCode(text);
  } catch (err) {
    if (err instanceof ResultCodeError) throw new ParamError('bad-value', `previous: ${err.message}`);
    throw err;
  }
}

/** `?site=` or `?ticket=`: trimmed, empty is none, at most BOUNDS.siteChars. */
function metaText(q: QueryParams, name: 'site' | 'ticket'): string | null {
  const text = (q.get(name) ?? '').trim();
  if (text.length > MAX_META_TEXT_CHARS) throw new ParamError('too-long', `${name} must be at most ${MAX_META_TEXT_CHARS} characters, not ${text.length}`);
  return text.length > 0 ? text : null;
}

/** `?site=` in its canonical form (src/protocol/site-name.ts), or a ParamError saying why it cannot be a site's name. */
function siteText(text: string | null): string | null {
  if (text === null) return null;
  try {
    return canonicalSite(text).display;
  } catch (err) {
    if (err instanceof SiteNameError) throw new ParamError('bad-site', `site: ${err.message}`);
    throw err;
  }
}

/** The page parameters of a URL without a query string (a new object each call). */
export function defaultPageParams(): PageParams {
  return parsePageParams('');
}

/** The query parameters for a set of page parameters, every key the parser reads; a setting at its default is left out, so the URL stays short. */
export function writePageParams(p: PageParams): QueryParams {
  const q = new URLSearchParams();
  if (p.autostart) q.set('autostart', '1');
  if (p.profile.id !== 'client-to-edge') q.set('profile', p.profile.id);
  if (p.profile.azureRegion) q.set('azureRegion', p.profile.azureRegion);
  if (p.profile.from) q.set('from', p.profile.from);
  if (p.durationS !== DEFAULT_DURATION_S) q.set('duration', String(p.durationS));
  if (p.mode !== 'auto') q.set('mode', p.mode);
  if (p.turnPick) q.set('turn', turnPickText(p.turnPick));
  if (p.audio !== 'webaudio') q.set('audio', p.audio);
  if (p.compare) {
    q.set('compare', '1');
    if (p.compare.secondsPerRung !== DEFAULTS.compareSecondsPerRung) q.set('compareSeconds', String(p.compare.secondsPerRung));
  }
  if (p.site !== null) q.set('site', p.site);
  if (p.ticket !== null) q.set('ticket', p.ticket);
  if (!p.save) q.set('save', '0');
  if (p.arrivals !== 'receive-time') q.set('arrivals', p.arrivals);
  if (p.load) q.set('load', '1');
  if (p.video) q.set('video', '1');
  if (p.devices) q.set('devices', '1');
  if (p.network) q.set('network', '1');
  if (p.locate !== null) {
    q.set('locateRound', String(p.locate.round));
    if (p.locate.keep !== null) q.set('locateKeep', p.locate.keep);
    if (p.locate.challenger !== null) q.set('locateChallenger', p.locate.challenger);
  }
  if (p.lang !== null) q.set('lang', p.lang);
  if (p.previous !== null) q.set('previous', p.previous);
  return q;
}

/**
 * The query string to share a test's settings, `?...` or empty: as writePageParams, but never
 * `autostart` (a shared link waits for its Start), nor `devices` (the unattended device check of
 * a headless run; a person opens the device step themselves), nor a scheduled sample's locate turn.
 */
export function pageSearch(p: PageParams): string {
  const s = writePageParams({ ...p, autostart: false, devices: false, locate: null }).toString();
  return s ? `?${s}` : '';
}

/** The settings of a stored test, as a report or a could-not-test record wrote them. */
export interface RerunSettings {
  profile: { id: string; azureRegion?: string | null; from?: string | null };
  durationS: number;
  /** The relay pick asked for (`udp:3478`), when the record kept it. */
  turn?: string | null;
  site?: string | null;
  ticket?: string | null;
  /** The stored result's own code: the new test claims it as its earlier one (`?previous=`). */
  previous?: string | null;
}

/**
 * The page link that runs a stored test again with its settings (profile, duration, relay
 * pick, site, ticket), naming it as the earlier test (`previous`). A setting this page no longer accepts is left to its default, so the
 * link always works.
 */
export function rerunHref(s: RerunSettings): string {
  const keep = (q: QueryParams): QueryParams | null => {
    try {
      parsePageParams(q);
      return q;
    } catch (err) {
      if (err instanceof ParamError) return null;
      throw err;
    }
  };
  let q = new URLSearchParams();
  const add = (name: string, value: string | null | undefined) => {
    if (value === null || value === undefined || value === '') return;
    const next = new URLSearchParams(q);
    next.set(name, value);
    q = keep(next) ?? q;
  };
  if (s.profile.id === 'azure-region') {
    const next = new URLSearchParams(q);
    next.set('profile', 'azure-region');
    if (s.profile.azureRegion) next.set('azureRegion', s.profile.azureRegion);
    if (s.profile.from) next.set('from', s.profile.from);
    q = keep(next) ?? q;
  } else {
    add('profile', s.profile.id);
  }
  add('duration', String(s.durationS));
  add('turn', s.turn);
  add('site', s.site);
  add('ticket', s.ticket);
  add('previous', s.previous);
  return `/${pageSearch(parsePageParams(q))}`;
}

/** The code in a shared result's path (`/r/K7QF-3MZD`, as typed: the server reads it leniently), or null on any other path. */
export function sharedCodeOf(pathname: string): string | null {
  const prefix = `${SHARED_RESULT_PAGE}/`;
  if (!pathname.startsWith(prefix)) return null;
  let code: string;
  try {
    code = decodeURIComponent(pathname.slice(prefix.length)).replace(/\/+$/, '');
  } catch (err) {
    if (err instanceof URIError) return null;
    throw err;
  }
  return code.length > 0 && !code.includes('/') ? code : null;
}
