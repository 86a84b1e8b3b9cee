/**
 * Whether a test's busy-line phase runs, and the evidence the analysis gets when it does not:
 * asked for (`?load=1`, `run --load`) and offered by a callprobe server to a client that can
 * load the line, or the reason in words (not offered, not run, the server gone).
 */
import type { TestMode } from '../../analysis/schema/input.js';
import type { LoadEvidence } from '../../analysis/schema/load-input.js';
import type { LoadOffer } from '../../protocol/api-load.js';
import type { EdgeIdentity } from '../../protocol/api.js';
import { DEFAULTS } from '../../protocol/defaults.js';
import type { TestConfig } from '../plan/config.js';

/**
 * The busy-line phase as planned: not asked for; asked for but unable to run here (the evidence
 * that says why, for the report); or planned, with what this server grants and when it starts.
 */
export type LoadPlan =
  | { kind: 'not-asked' }
  | { kind: 'unavailable'; evidence: LoadEvidence }
  | {
      kind: 'planned';
      offer: LoadOffer;
      /** When the phase starts, in ms after the stream's start: after the idle window and its send margin. */
      afterMs: number;
      /** Seconds the probe stream runs on for it: room for the longest phase. */
      extraS: number;
    };

/** The drain between the uploads and the downloads: drainMaxMs, within what the phase's limit leaves after both caps. */
export function loadDrainMs(L: typeof DEFAULTS.load = DEFAULTS.load): number {
  return Math.min(L.drainMaxMs, Math.max(0, L.phaseMaxMs - 2 * L.directionCapMs));
}

/**
 * The longest the phase runs by its own limits (what the page promises, phase.ts keeps): each
 * direction up to its time cap, read at the end of a stop-rule interval (so up to one interval
 * past it), and the drain between them; then the probe stream waits for its last echoes, at
 * least the 1 s loss timeout (stream/drain.ts). 2 x (10 + 0.5) + 3 + 1 = 25 s by default; the
 * bench measured 23.05 s for a phase whose directions both ran to their caps.
 */
function loadPhaseLongestMs(L: typeof DEFAULTS.load = DEFAULTS.load): number {
  return 2 * (L.directionCapMs + L.stopRuleIntervalMs) + loadDrainMs(L) + 1000;
}

/**
 * The busy-line phase: planned only when asked, and only where it can run; else why not, for the
 * report. On a hub's `edge` it runs on that edge's own load sink and source (its offer's `url`),
 * when the hub says the edge offers it.
 */
export function planLoad(asked: boolean, durationS: number, mode: TestMode, config: TestConfig, canLoad: boolean, edge: EdgeIdentity | null = null): LoadPlan {
  if (!asked) return { kind: 'not-asked' };
  if (config.kind === 'override') return unavailable('not-offered', "a TURN server that is not callprobe's has no load sink or source");
  if (mode !== 'reflector')
    return unavailable('not-run', 'the busy-line test needs the reflector (loopback mode has no upstream and downstream to tell apart)');
  const offer = config.server.load ?? null;
  if (offer === null)
    return unavailable(
      'not-offered',
      edge === null
        ? 'this server does not offer the busy-line test (serve --no-load, or an older server)'
        : `the test server in ${edge.azureRegion} (${edge.id}) does not offer the busy-line test`,
    );
  if (!canLoad) return unavailable('not-offered', 'this client cannot load the line');
  return { kind: 'planned', offer, afterMs: durationS * 1000 + DEFAULTS.sendMarginMs, extraS: Math.ceil(loadPhaseLongestMs() / 1000) + 1 };
}

function unavailable(reason: NonNullable<LoadEvidence['outcome']>['reason'], detail: string): LoadPlan {
  return { kind: 'unavailable', evidence: noLoad(reason, detail) };
}

/** The phase's evidence as the analysis gets it: what ran, or why nothing did. */
export function busyOutcome(evidence: LoadEvidence | null, planned: boolean, connectionLost: boolean): LoadEvidence {
  if (evidence !== null && connectionLost && evidence.outcome === null) {
    return { ...evidence, outcome: { reason: 'server-gone', detail: 'the connection to the server was lost during the test' } };
  }
  if (evidence !== null) return evidence;
  const detail = planned
    ? connectionLost
      ? 'the connection to the server was lost before the busy-line test could start'
      : 'the test ended before the busy-line test could start'
    : 'not run';
  return noLoad(connectionLost ? 'server-gone' : 'not-run', detail);
}

/** The evidence of a busy-line phase that moved nothing, and why. */
function noLoad(reason: NonNullable<LoadEvidence['outcome']>['reason'], detail: string): LoadEvidence {
  return { budgetBytes: 0, startedAt: null, startMs: 0, endMs: 0, up: null, down: null, outcome: { reason, detail } };
}
