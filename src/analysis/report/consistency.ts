/**
 * An uploaded report's own conclusions, read again from its own evidence at the door: each
 * decisive grade's status from its value, comparator and threshold (statusOf, the rule the page
 * grades by), the verdict from its grades and outcome (the rule the page's analysis used: verdictOf, and a test
 * that could not finish is insufficient unless its network blocked every port calls use, whose
 * side only its own evidence can say: grade/blocked-ports.ts), a cause named exactly when the verdict is insufficient, and each provisional claim's `held` from the final
 * grade of its target and direction (heldOutcomes), the locate's nearest edge from its edges'
 * figures (nearestEdge), the edge the test ran on among them, the server's event-loop
 * figures against each other, and each leg's report (the region leg) the same way, on the edge it names. A report whose summary says otherwise is
 * refused: what is stored, and shown at /r/<code>, never says "pass" beside failing grades.
 * Pure.
 */
import { statusOf, verdictOf } from '../grade/grade.js';
import { everyOfferedBlocked, unfinishedVerdict } from '../grade/blocked-ports.js';
import { regionLegOf, worseVerdict } from '../grade/region-answer.js';
import { witnessGaps, withWitnessedLoss } from '../grade/witness-gap.js';
import { heldOutcomes } from '../grade/provisional.js';
import { nearestEdge } from '../grade/locate.js';
import type { Report } from '../schema/report-schema.js';

/** The first place where `r`'s conclusions disagree with its evidence, in words; null when none does. */
export function conclusionProblem(r: Report): string | null {
  const graded = gradeProblem(r);
  if (graded !== null) return graded;
  const outcomeProblem = outcomeSideProblem(r) ?? witnessProblem(r);
  if (outcomeProblem !== null) return outcomeProblem;
  const regionProblem = askedProblem(r) ?? legsConclusionProblem(r);
  if (regionProblem !== null) return regionProblem;
  const own = r.outcome !== null ? unfinishedVerdict(r.outcome, r.connectivity) : verdictOf(r.grades);
  // Asked about an Azure region whose edge is not the nearest: the worse of the nearest's verdict and the region leg's (grade/region-answer.ts).
  const leg = r.meta.asked !== undefined ? regionLegOf(r) : null;
  const verdict = leg === null ? own : worseVerdict(own, leg.report?.summary.verdict ?? 'insufficient');
  if (r.summary.verdict !== verdict) {
    const why =
      r.outcome !== null
        ? `a test that did not finish (${r.outcome.reason}) is`
        : leg !== null
          ? 'its grades with its region leg make it'
          : 'its grades make it';
    return `/summary/verdict is "${r.summary.verdict}", but ${why} "${verdict}"`;
  }
  // A cause only for a missing verdict, and a missing verdict always with one: the region's when the nearest had a verdict.
  if ((r.summary.insufficientCause === null) !== (verdict !== 'insufficient')) {
    return `/summary/insufficientCause is ${JSON.stringify(r.summary.insufficientCause)}, but the verdict is "${verdict}"`;
  }
  if (verdict === 'insufficient' && (r.summary.insufficientCause === 'region-not-tested') !== (own !== 'insufficient')) {
    return `/summary/insufficientCause is ${JSON.stringify(r.summary.insufficientCause)}, but the nearest edge's own verdict is "${own}"`;
  }
  const locateProblem = locateConclusionProblem(r);
  if (locateProblem !== null) return locateProblem;
  // The server's figures hold together: no more busy windows than windows, the median not above the 99th percentile.
  const s = r.server;
  if (s !== undefined) {
    if (s.busyWindows > s.windows) return `/server/busyWindows is ${s.busyWindows}, more than the ${s.windows} windows it counts from`;
    if (s.eventLoopDelayMsP50 > s.eventLoopDelayMsP99) {
      return `/server/eventLoopDelayMsP50 is ${s.eventLoopDelayMsP50} ms, above its 99th percentile of ${s.eventLoopDelayMsP99} ms`;
    }
  }
  for (const [i, answer] of (r.provisional ?? []).entries()) {
    for (const [j, c] of answer.claims.entries()) {
      const status = r.grades.find((g) => g.target === c.metric && g.direction === c.direction)?.status;
      const allowed = heldOutcomes(c.kind, c.direction, status);
      if (!allowed.includes(c.held)) {
        return `/provisional/${i}/claims/${j}/held is ${String(c.held)}, but a ${c.kind} claim on ${c.metric} (${c.direction}) whose final grade is ${status ?? 'missing'} makes it ${allowed.map(String).join(' or ')}`;
      }
    }
  }
  return null;
}

/** What the relay's witness says against the reflector's counts (grade/witness-gap.ts): a silent reflector is ours, and so is a failing loss partly past the relay. */
function witnessProblem(r: Report): string | null {
  const facts = (d: Report['directions']['up']) =>
    d === null ? null : { packetsSent: d.packetsSent, packetsReceived: d.packetsReceived, neverArrived: d.lostNeverArrived, lossPct: d.lossPct };
  const gaps = witnessGaps(r.probe.path, r.witness, facts(r.directions.up), facts(r.directions.down));
  const silent = r.outcome?.reason === 'reflector-silent';
  if (gaps.silent !== null && !silent)
    return `/outcome is ${JSON.stringify(r.outcome?.reason ?? null)}, but the relay carried ${gaps.silent.relayed} probes upstream and the reflector counted none: reflector-silent`;
  if (gaps.silent === null && silent) return '/outcome/reason is "reflector-silent", but the relay\'s witness and the reflector\'s counts do not say so';
  for (const [i, g] of r.grades.entries()) {
    const witnessed = withWitnessedLoss(g, gaps);
    if (witnessed.status === g.status) continue;
    const whose =
      witnessed.reason === 'server-missed' ? "our reflector's, past the relay" : 'never sent by this device (the relay and our reflector lost none of it)';
    return `/grades/${i}/status is "fail", but part of its ${g.direction} loss was ${whose}: ${witnessed.reason ?? 'insufficient'}`;
  }
  return null;
}

/** Each pass or fail graded again from its value, comparator and threshold: the first that disagrees, named. */
function gradeProblem(r: Report): string | null {
  for (const [i, g] of r.grades.entries()) {
    if (g.status !== 'pass' && g.status !== 'fail') continue;
    const which = `${g.target}, ${g.direction}`;
    if (g.value === null) return `/grades/${i}/status is "${g.status}" without a value to grade (${which})`;
    const status = statusOf(g.value, g.comparator, g.threshold);
    if (g.status !== status)
      return `/grades/${i}/status is "${g.status}", but its value ${g.value} ${g.unit} against ${g.comparator} ${g.threshold} ${g.unit} makes it "${status}" (${which})`;
  }
  return null;
}

/**
 * A could-not-connect outcome says the caller's network only from its own evidence: every offered
 * rung blocked and the server's relay evidence with it (grade/blocked-ports.ts).
 */
function outcomeSideProblem(r: Report): string | null {
  const o = r.outcome;
  if (o === null || o.side !== 'network') return null;
  if (o.reason !== 'could-not-connect') return `/outcome/side is "network", which only a test that could not connect can be (this one: ${o.reason})`;
  if (o.relayEvidence === undefined || o.relayEvidence === null) return '/outcome/side is "network" without the relay\'s evidence (/outcome/relayEvidence)';
  if (!everyOfferedBlocked(r.connectivity)) return '/outcome/side is "network", but not every relay port the server offered was blocked (/connectivity)';
  return null;
}

/** The locate's nearest from its own figures, the edge the test ran on one it measured, and a changed path's locate figure that edge's. */
function locateConclusionProblem(r: Report): string | null {
  const l = r.locate;
  if (l === undefined) return null;
  const nearest = nearestEdge(l.edges, l.lossTargetPct);
  if (l.nearest !== nearest) return `/locate/nearest is ${JSON.stringify(l.nearest)}, but its edges' figures make it ${JSON.stringify(nearest)}`;
  const ids = l.edges.map((e) => e.id);
  if (new Set(ids).size !== ids.length) return '/locate/edges names an edge twice';
  const ranOn = r.meta.edge?.id;
  if (ranOn !== undefined && !ids.includes(ranOn)) return `/meta/edge/id is ${JSON.stringify(ranOn)}, an edge the locate did not measure`;
  const changed = l.pathChanged;
  const p90 = l.edges.find((e) => e.id === ranOn)?.rttMsP90 ?? null;
  if (changed !== undefined && changed.locateRttMsP90 !== p90)
    return `/locate/pathChanged/locateRttMsP90 is ${changed.locateRttMsP90}, but the locate's p90 to the edge the test ran on is ${JSON.stringify(p90)}`;
  return null;
}

/** A report asked about an Azure region answers it with its region leg, its own grades on the client-to-edge targets. */
function askedProblem(r: Report): string | null {
  if (r.meta.asked === undefined) return null;
  if (r.meta.profile.id !== 'client-to-edge') return `/meta/asked is set, but the nearest edge's test is graded on ${r.meta.profile.id}, not client-to-edge`;
  if (regionLegOf(r) === null) return '/meta/asked is set, but the report has no region leg (/legs)';
  return null;
}

/** Each leg's report holds together on its own, ran on the edge the leg names, and that edge is not the one the report ran on. */
function legsConclusionProblem(r: Report): string | null {
  for (const [i, leg] of (r.legs ?? []).entries()) {
    if (leg.report === null) {
      if (leg.couldNotRun === undefined) return `/legs/${i} has no report and does not say why (/legs/${i}/couldNotRun)`;
      continue;
    }
    const ranOn = leg.report.meta.edge;
    if (ranOn?.id !== leg.edge.id || ranOn.azureRegion !== leg.edge.azureRegion) {
      return `/legs/${i}/edge is ${JSON.stringify(leg.edge)}, but its report ran on ${JSON.stringify(ranOn ?? null)}`;
    }
    if (r.meta.edge === undefined || r.meta.edge.id === leg.edge.id)
      return `/legs/${i} is a test on ${leg.edge.id}, but the report itself ran ${r.meta.edge === undefined ? 'on no edge' : 'there too'}`;
    const asked = r.meta.asked;
    const legProfile = leg.report.meta.profile;
    if (asked !== undefined && (legProfile.id !== 'azure-region' || legProfile.azureRegion?.toLowerCase() !== asked.azureRegion.toLowerCase()))
      return `/legs/${i}/report is graded on ${legProfile.id}${legProfile.azureRegion ? ` (${legProfile.azureRegion})` : ''}, not the asked row (${asked.azureRegion})`;
    const own = conclusionProblem(leg.report);
    if (own !== null) return `/legs/${i}/report${own}`;
  }
  return null;
}
