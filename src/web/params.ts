import type { ProfileSelection, TestMode } from '../analysis/schema/input.js';
import type { TurnServerEntry } from '../protocol/api.js';
import { BOUNDS, DEFAULTS } from '../protocol/defaults.js';
import type { AudioChoice } from '../session/run-session.js';

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
}

export const DEFAULT_DURATION_S = DEFAULTS.testDurationS;
export const MIN_DURATION_S = BOUNDS.testDurationS.min;
export const MAX_DURATION_S = BOUNDS.testDurationS.max;

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
  return { profile, durationS, autostart: q.get('autostart') === '1', mode, turnPick, audio, compare };
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
  const s = q.toString();
  return s ? `?${s}` : '';
}
