import { canonicalSite, SiteNameError } from '../protocol/site-name.js';
import type { ProfileSelection, TestMode } from '../analysis/schema/input.js';
import { SHARED_RESULT_PAGE, type TurnServerEntry } from '../protocol/api.js';
import { BOUNDS, DEFAULTS } from '../protocol/defaults.js';
import type { ArrivalClock, AudioChoice } from '../session/env.js';

/** Everything a test can be told through the page URL (also what `callprobe run` sets). */
export interface PageParams {
  profile: ProfileSelection;
  durationS: number;
  autostart: boolean;
  mode: 'auto' | TestMode;
  turnPick: { transport: TurnServerEntry['transport']; port: number | null } | null;
  audio: AudioChoice;
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
  arrivals: ArrivalClock;
  /** `?load=1`: after the idle window, test again with the line busy (the busy-line phase). */
  load: boolean;
}

export const DEFAULT_DURATION_S = DEFAULTS.testDurationS;
export const MIN_DURATION_S = BOUNDS.testDurationS.min;
export const MAX_DURATION_S = BOUNDS.testDurationS.max;
export const MAX_META_TEXT_CHARS = BOUNDS.siteChars;

export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

/** Parses the query string; throws ParamError with the offending parameter. Pure. */
export function parseParams(search: string): PageParams {
  const q = new URLSearchParams(search);
  const profileId = q.get('profile') ?? 'client-to-edge';
  if (profileId !== 'client-to-edge' && profileId !== 'edge-to-edge' && profileId !== 'azure-region') {
    throw new ParamError(`profile must be client-to-edge, edge-to-edge or azure-region, not "${profileId}"`);
  }
  const profile: ProfileSelection = { id: profileId };
  if (profileId === 'azure-region') {
    const region = q.get('azureRegion');
    if (!region) throw new ParamError('profile azure-region needs azureRegion, e.g. azureRegion=West%20Europe');
    const from = q.get('from') ?? 'site';
    if (from !== 'site' && from !== 'edge') throw new ParamError(`from must be site or edge, not "${from}"`);
    profile.azureRegion = region;
    profile.from = from;
  }
  const durationText = q.get('duration');
  const durationS = durationText === null ? DEFAULT_DURATION_S : Number(durationText);
  if (!Number.isFinite(durationS) || durationS < MIN_DURATION_S || durationS > MAX_DURATION_S) {
    throw new ParamError(`duration must be ${MIN_DURATION_S}..${MAX_DURATION_S} seconds, not "${durationText}"`);
  }
  const mode = q.get('mode') ?? 'auto';
  if (mode !== 'auto' && mode !== 'reflector' && mode !== 'loopback') throw new ParamError(`mode must be auto, reflector or loopback, not "${mode}"`);
  const turnText = q.get('turn');
  let turnPick: PageParams['turnPick'] = null;
  if (turnText) {
    const m = /^(udp|tcp|tls)(?::(\d+))?$/.exec(turnText);
    if (!m) throw new ParamError(`turn must look like udp, udp:3479, tcp or tls:443, not "${turnText}"`);
    turnPick = { transport: m[1] as TurnServerEntry['transport'], port: m[2] ? Number(m[2]) : null };
  }
  const audio = q.get('audio') ?? 'webaudio';
  if (audio !== 'webaudio' && audio !== 'fake-device' && audio !== 'none') throw new ParamError(`audio must be webaudio, fake-device or none, not "${audio}"`);
  let compare: PageParams['compare'] = null;
  if (q.get('compare') === '1') {
    const text = q.get('compareSeconds');
    const secondsPerRung = text === null ? DEFAULTS.compareSecondsPerRung : Number(text);
    const b = BOUNDS.compareSecondsPerRung;
    if (!Number.isInteger(secondsPerRung) || secondsPerRung < b.min || secondsPerRung > b.max) {
      throw new ParamError(`compareSeconds must be ${b.min}..${b.max} seconds, not "${text}"`);
    }
    compare = { secondsPerRung };
  }
  const site = siteText(metaText(q, 'site'));
  const ticket = metaText(q, 'ticket');
  const saveText = q.get('save') ?? '1';
  if (saveText !== '0' && saveText !== '1') throw new ParamError(`save must be 0 or 1, not "${saveText}"`);
  const arrivals = q.get('arrivals') ?? 'receive-time';
  if (arrivals !== 'receive-time' && arrivals !== 'worker') throw new ParamError(`arrivals must be receive-time or worker, not "${arrivals}"`);
  const loadText = q.get('load') ?? '0';
  if (loadText !== '0' && loadText !== '1') throw new ParamError(`load must be 0 or 1, not "${loadText}"`);
  return {
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
    arrivals,
  };
}

/** `?site=` or `?ticket=`: trimmed, empty is none, at most BOUNDS.siteChars. */
function metaText(q: URLSearchParams, name: 'site' | 'ticket'): string | null {
  const text = (q.get(name) ?? '').trim();
  if (text.length > MAX_META_TEXT_CHARS) throw new ParamError(`${name} must be at most ${MAX_META_TEXT_CHARS} characters, not ${text.length}`);
  return text.length > 0 ? text : null;
}

/** `?site=` in its canonical form (src/protocol/site-name.ts), or a ParamError saying why it cannot be a site's name. */
function siteText(text: string | null): string | null {
  if (text === null) return null;
  try {
    return canonicalSite(text).display;
  } catch (err) {
    if (err instanceof SiteNameError) throw new ParamError(`site: ${err.message}`);
    throw err;
  }
}

/** The query string for a set of parameters (to share a test's settings). */
export function toSearch(p: PageParams): string {
  const q = new URLSearchParams();
  if (p.profile.id !== 'client-to-edge') q.set('profile', p.profile.id);
  if (p.profile.azureRegion) q.set('azureRegion', p.profile.azureRegion);
  if (p.profile.from) q.set('from', p.profile.from);
  if (p.durationS !== DEFAULT_DURATION_S) q.set('duration', String(p.durationS));
  if (p.mode !== 'auto') q.set('mode', p.mode);
  if (p.turnPick) q.set('turn', p.turnPick.port === null ? p.turnPick.transport : `${p.turnPick.transport}:${p.turnPick.port}`);
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
  const s = q.toString();
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
}

/**
 * The page link that runs a stored test again with its settings (profile, duration, relay
 * pick, site, ticket). A setting this page no longer accepts is left to its default, so the
 * link always works.
 */
export function rerunHref(s: RerunSettings): string {
  const keep = (q: URLSearchParams): URLSearchParams | null => {
    try {
      parseParams(`?${q.toString()}`);
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
  return `/${toSearch(parseParams(`?${q.toString()}`))}`;
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
