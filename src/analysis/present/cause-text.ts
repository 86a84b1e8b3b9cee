/**
 * Why a test has no verdict, in one sentence: `summary.insufficientCause` in words, with the
 * figure behind it (the same sentence on the page, in the CLI, on the console and in the CSV).
 * Numbers through format.ts.
 */
import type { InsufficientCause, Report } from '../schema/report-schema.js';
import { count, figureMs, seconds } from './format.js';
import { DEFAULTS } from '../../protocol/defaults.js';

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
export function fallbackClause(probe: Pick<Report['probe'], 'fallback'> | undefined): string | null {
  switch (probe?.fallback ?? null) {
    case null:
      return null;
    case 'relay-refused':
      return "the test server's relay refused the call-like audio stream (its allocation quota or its capacity)";
    case 'not-connected':
      return `the call-like audio stream did not connect to the test server within ${seconds(DEFAULTS.rtp.connectGraceMs)}, though the data channel through the same relay did`;
    case 'failed':
      return 'the call-like audio stream to the test server failed to connect, though the data channel through the same relay did';
  }
}

/** The figure that shows whose time it was: a label for the key figures, its value, and how the sentence says it. */
export interface BusyFigure {
  /** As the key figures print it: "This device: timer late (p99) ". */
  label: string;
  valueMs: number;
  /** The sentence's words around the value. */
  words: (value: string) => string;
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
      timer === null ? null : { label: 'This device: timer late (p99) ', valueMs: timer, words: (v) => `its timer ran ${v} late at the 99th percentile` },
      lag === null ? null : { label: 'This device: longest receive lag ', valueMs: lag, words: (v) => `it read arrivals up to ${v} after they came in` },
    );
  }
  const hold = above(a.server.holdMsMax, a.rules.serverHoldMs);
  const loop = above(a.server.loopDelayMsMax, a.rules.serverLoopMs);
  return pick(
    hold === null ? null : { label: 'Test server: longest hold ', valueMs: hold, words: (v) => `it held probes up to ${v} before echoing them` },
    loop === null ? null : { label: 'Test server: event loop late ', valueMs: loop, words: (v) => `its event loop ran up to ${v} late` },
  );
}

/** Whose-time windows of the attributed 200 ms windows, summed over the directions. */
function windowShare(a: Report['attribution'] | undefined, who: 'device' | 'server'): string | null {
  if (a === undefined || a === null) return null;
  const busy = a.directions.reduce((n, d) => n + d.windows200ms[who], 0);
  const all = a.directions.reduce((n, d) => n + d.windows200ms.network + d.windows200ms.device + d.windows200ms.server, 0);
  return all === 0 || busy === 0 ? null : `${count(busy)} of ${count(all)} 200 ms windows fell in its busy time`;
}

function figureWords(r: CauseReport, who: 'device' | 'server'): string | null {
  const f = busyFigure(r);
  return f === null ? windowShare(r.attribution, who) : f.words(figureMs(f.valueMs));
}

const withFigure = (sentence: string, figure: string | null): string => (figure === null ? `${sentence}.` : `${sentence} (${figure}).`);

/** The cause in plain words, starting "No verdict: "; null when the verdict is not insufficient. */
export function insufficientCauseText(r: CauseReport): string | null {
  const cause: InsufficientCause | null = r.summary.insufficientCause;
  switch (cause) {
    case null:
      return null;
    case 'device-busy': {
      // The data channel stood in for a refused or failed audio stream: that is the cause, said first.
      const fallback = fallbackClause(r.probe);
      if (fallback !== null) {
        return withFigure(
          `No verdict: ${fallback}, so this test fell back to a data-channel stream, which was sent too unevenly here to judge`,
          figureWords(r, 'device'),
        );
      }
      return withFigure('No verdict: this device was too busy to measure the network', figureWords(r, 'device'));
    }
    case 'server-busy':
      return withFigure('No verdict: the test server was too busy to measure the network', figureWords(r, 'server'));
    case 'page-hidden':
      return 'No verdict: the page was in the background, where the browser slows its timers, so its figures are not the network.';
    case 'could-not-finish':
      return r.outcome?.reason === 'could-not-connect'
        ? 'No verdict: the test could not connect, so it measured nothing to grade.'
        : 'No verdict: the test lost its connection before it finished, and nothing after that is graded.';
    case 'path-changed':
      return "No verdict: the connection's path changed during the stretches that matter.";
    case 'reliable-channel':
      return 'No verdict: the probe channel resent lost packets, which hides loss.';
    case 'too-few-probes':
      return 'No verdict: too few probes came back to judge every target.';
    case 'too-short':
      return 'No verdict: the test was shorter than the 15 s windows calls are judged over.';
    case 'not-resolvable':
      return "No verdict: the probe rate or this browser's clock is too coarse to judge a target this finely.";
  }
}
