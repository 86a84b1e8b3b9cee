/**
 * What a locate must say of the testbed's edges, from what their proxies were told: the right
 * nearest (the lowest injected round trip whose injected loss is under the locate's target, among
 * the edges left alive), each p50 within 3 ms + 10 % of the injected round trip plus the clean
 * base, a killed edge `unreachable` (an edge losing more than the target may be too: its set-up
 * may not finish within the budget), and, after a first pass, no relay candidate sooner than the
 * two round trips it takes (whether the probes measured the four nearest is the bench's own count:
 * a busy machine's scheduling can swap two edges a few tens of ms apart). Pure.
 */
import { LOCATE_LOSS_TARGET_PCT } from '../../src/analysis/grade/locate.js';
import type { Locate } from '../../src/analysis/schema/locate-schema.js';
import type { EdgeSpec } from './testbed.js';

/** A probe crosses an edge's proxy twice (up from one peer, down to the other): the round trip's loss from each crossing's, percent. */
function roundTripLossPct(spec: EdgeSpec): number {
  return 100 * (1 - (1 - spec.lossPct / 100) ** 2);
}

/** The nearest by the injected truth among the edges not killed; null when none is under the loss target. */
export function rightNearest(specs: readonly EdgeSpec[], killed: ReadonlySet<string>): string | null {
  const eligible = specs.filter((s) => !killed.has(s.id) && roundTripLossPct(s) < LOCATE_LOSS_TARGET_PCT);
  return [...eligible].sort((a, b) => a.rttMs - b.rttMs || roundTripLossPct(a) - roundTripLossPct(b))[0]?.id ?? null;
}

/** How far a locate p50 may stand from the injected round trip plus the clean base, ms. */
function p50ToleranceMs(injectedRttMs: number): number {
  return 3 + 0.1 * injectedRttMs;
}

/**
 * Where a locate disagrees with the testbed's truth, in words; empty when it agrees. `base`: the
 * clean base (a locate's p50 through a proxy that adds nothing), measured (`minMs` = `maxMs`), or
 * known only to lie in a range (a run that measured no clean edge).
 */
export function locateProblems(
  locate: Locate | undefined,
  specs: readonly EdgeSpec[],
  killed: ReadonlySet<string>,
  base: { minMs: number; maxMs: number },
): string[] {
  if (locate === undefined) return ['the report has no locate'];
  const problems: string[] = [];
  const nearest = rightNearest(specs, killed);
  if (locate.nearest !== nearest) problems.push(`nearest is ${String(locate.nearest)}, the truth says ${String(nearest)}`);
  for (const spec of specs) {
    const e = locate.edges.find((x) => x.id === spec.id);
    if (e === undefined) {
      problems.push(`${spec.id} was not measured`);
      continue;
    }
    // A relay candidate is two round trips through the edge's proxy (the Allocate and its challenge, the Allocate again): never sooner.
    if (locate.firstPassMs !== undefined && e.allocateMs !== null && e.allocateMs < 2 * spec.rttMs)
      problems.push(
        `${spec.id}: its relay candidate came after ${e.allocateMs.toFixed(1)} ms, sooner than the two round trips (${2 * spec.rttMs} ms) it takes`,
      );
    // Reached by the first pass alone: no probes, no round trip to hold to the truth.
    if (e.firstPassOnly === true && e.state === 'ok') continue;
    if (killed.has(spec.id)) {
      if (e.state !== 'unreachable') problems.push(`${spec.id} was killed but is ${e.state} (p50 ${String(e.rttMsP50)} ms)`);
      continue;
    }
    if (e.state !== 'ok' || e.rttMsP50 === null) {
      // An edge losing more than the target may lose its set-up too (DTLS, SCTP) within the budget: not answering is then a true answer.
      if (roundTripLossPct(spec) < LOCATE_LOSS_TARGET_PCT) problems.push(`${spec.id} is ${e.state}`);
      continue;
    }
    const off = e.rttMsP50 - spec.rttMs;
    const tol = p50ToleranceMs(spec.rttMs);
    if (off < base.minMs - tol || off > base.maxMs + tol)
      problems.push(
        `${spec.id}: p50 ${e.rttMsP50.toFixed(2)} ms, injected ${spec.rttMs} ms: ${off.toFixed(2)} ms over it, outside ${(base.minMs - tol).toFixed(1)}..${(base.maxMs + tol).toFixed(1)} (the clean base ${base.minMs.toFixed(1)}-${base.maxMs.toFixed(1)} ms, ± 3 ms + 10 %)`,
      );
  }
  return problems;
}
