/**
 * Why a test has no verdict, in one sentence: `summary.insufficientCause` in words, with the
 * figure behind it (the same sentence on the page, in the CLI, on the console and in the CSV).
 * Numbers through format.ts.
 */
import type { InsufficientCause, Report } from '../schema/report-schema.js';
import { CONSTANTS } from '../../protocol/defaults.js';
import { EN, type Messages } from './catalogue.js';

type CauseReport = Pick<Report, 'summary' | 'outcome'> & {
  attribution?: Report['attribution'] | undefined;
  meta?: Pick<Report['meta'], 'ratePps'>;
  probe?: Pick<Report['probe'], 'fallback'>;
};

/**
 * Why a planned audio (RTP) stream gave way to the data channel, as the test server's or the
 * path's fact (never this device's): the clause a sentence about the fallback starts with; null
 * when the probe path is the one planned.
 */
export function fallbackClause(probe: Pick<Report['probe'], 'fallback'> | undefined, m: Messages = EN): string | null {
  const fallback = probe?.fallback ?? null;
  if (fallback === null) return null;
  return fallback === 'not-connected' ? m.t('clause.not-connected', { seconds: m.fmt.seconds(CONSTANTS.rtp.connectGraceMs) }) : m.t(`clause.${fallback}`);
}

/** The figure that shows whose time it was: its value, and the messages of its key figure and of the sentence's words around it. */
export interface BusyFigure {
  /** The key figure's label and value ("This device: timer late (p99) 12.0 ms"). */
  label: 'figures.timerLate' | 'figures.receiveLag' | 'figures.serverHold' | 'figures.serverLoop';
  valueMs: number;
  /** The sentence's words around the value. */
  key: 'cause.timerLate' | 'cause.receiveLag' | 'cause.serverHold' | 'cause.serverLoop';
}

/**
 * The one figure behind a device-busy or server-busy cause: this device's timer lateness (p99,
 * when above one probe interval, as the timer-late warning) or its longest receive lag (above the
 * attribution's threshold), the larger; for the server its longest hold or event-loop delay
 * (above theirs). Null when none stands out (the windows' share is said instead).
 */
export function busyFigure(r: CauseReport): BusyFigure | null {
  const a = r.attribution;
  const cause = r.summary.insufficientCause;
  if (a === undefined || a === null || (cause !== 'device-busy' && cause !== 'server-busy')) return null;
  const intervalMs = r.meta === undefined || r.meta.ratePps <= 0 ? 0 : 1000 / r.meta.ratePps;
  const above = (v: number | null, limit: number): number | null => (v !== null && v > limit ? v : null);
  const pick = (x: BusyFigure | null, y: BusyFigure | null): BusyFigure | null => (x === null ? y : y === null || x.valueMs >= y.valueMs ? x : y);
  if (cause === 'device-busy') {
    const timer = above(a.device.timerLateMsP99, intervalMs);
    const lag = above(a.device.receiveLagMsMax, a.rules.receiveLagMs);
    return pick(
      timer === null ? null : { label: 'figures.timerLate', valueMs: timer, key: 'cause.timerLate' },
      lag === null ? null : { label: 'figures.receiveLag', valueMs: lag, key: 'cause.receiveLag' },
    );
  }
  const hold = above(a.server.holdMsMax, a.rules.serverHoldMs);
  const loop = above(a.server.loopDelayMsMax, a.rules.serverLoopMs);
  return pick(
    hold === null ? null : { label: 'figures.serverHold', valueMs: hold, key: 'cause.serverHold' },
    loop === null ? null : { label: 'figures.serverLoop', valueMs: loop, key: 'cause.serverLoop' },
  );
}

/** Whose-time windows of the attributed 200 ms windows, summed over the directions. */
function windowShare(m: Messages, a: Report['attribution'] | undefined, who: 'device' | 'server'): string | null {
  if (a === undefined || a === null) return null;
  const busy = a.directions.reduce((n, d) => n + d.windows200ms[who], 0);
  const all = a.directions.reduce((n, d) => n + d.windows200ms.network + d.windows200ms.device + d.windows200ms.server, 0);
  return all === 0 || busy === 0 ? null : m.t('cause.windowShare', { busy: m.fmt.count(busy), all: m.fmt.count(all) });
}

function figureWords(m: Messages, r: CauseReport, who: 'device' | 'server'): string | null {
  const f = busyFigure(r);
  return f === null ? windowShare(m, r.attribution, who) : m.t(f.key, { value: m.fmt.figureMs(f.valueMs) });
}

const withFigure = (m: Messages, sentence: string, figure: string | null): string =>
  figure === null ? m.t('cause.plain', { sentence }) : m.t('cause.withFigure', { sentence, figure });

/** The cause in plain words, starting "No verdict: "; null when the verdict is not insufficient. */
export function insufficientCauseText(r: CauseReport, m: Messages = EN): string | null {
  const cause: InsufficientCause | null = r.summary.insufficientCause;
  switch (cause) {
    case null:
      return null;
    case 'device-busy': {
      // The data channel stood in for a refused or failed audio stream: that is the cause, said first.
      const fallback = fallbackClause(r.probe, m);
      if (fallback !== null) return withFigure(m, m.t('cause.deviceBusyFallback', { clause: fallback }), figureWords(m, r, 'device'));
      return withFigure(m, m.t('cause.deviceBusy'), figureWords(m, r, 'device'));
    }
    case 'server-busy':
      return withFigure(m, m.t('cause.serverBusy'), figureWords(m, r, 'server'));
    case 'page-hidden':
      return m.t('cause.pageHidden');
    case 'could-not-finish':
      if (r.outcome?.reason !== 'could-not-connect') return m.t('cause.connectionLost');
      // This network's side only on the relay's own evidence (grade/blocked-ports.ts).
      return m.t(r.outcome.side === 'network' ? 'cause.blockedPorts' : 'cause.couldNotConnect');
    case 'path-changed':
      return m.t('cause.pathChanged');
    case 'region-not-tested':
      return m.t('cause.regionNotTested');
    case 'server-missed':
      return m.t('cause.serverMissed');
    case 'reliable-channel':
      return m.t('cause.reliableChannel');
    case 'too-few-probes':
      return m.t('cause.tooFewProbes');
    case 'too-short':
      return m.t('cause.tooShort');
    case 'not-resolvable':
      return m.t('cause.notResolvable');
  }
}
