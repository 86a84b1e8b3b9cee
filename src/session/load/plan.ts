/**
 * Whether a test's busy-line phase runs, and the evidence the analysis gets when it does not:
 * asked for (`?load=1`, `run --load`) and offered by a callprobe server to a client that can
 * load the line, or the reason in words (not offered, not run, the server gone).
 */
import type { ServerConfig } from '../../protocol/api.js';
import type { TestMode } from '../../analysis/schema/input.js';
import type { LoadEvidence } from '../../analysis/schema/load-input.js';
import type { RunOptions, SessionEnv } from '../env.js';

/** Why the busy-line phase cannot run here, as the evidence that says so; null when it can. */
export function loadUnavailable(
  opts: RunOptions,
  mode: TestMode,
  cfg: ServerConfig | Pick<ServerConfig, 'turn' | 'username' | 'credential'>,
  env: SessionEnv,
): LoadEvidence | null {
  if (opts.override) return noLoad('not-offered', "a TURN server that is not callprobe's has no load sink or source");
  if (mode !== 'reflector') return noLoad('not-run', 'the busy-line test needs the reflector (loopback mode has no upstream and downstream to tell apart)');
  if (((cfg as ServerConfig).load ?? null) === null)
    return noLoad('not-offered', 'this server does not offer the busy-line test (serve --no-load, or an older server)');
  if (!env.loadTransport) return noLoad('not-offered', 'this client cannot load the line');
  return null;
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
