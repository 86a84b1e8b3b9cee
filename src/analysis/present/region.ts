/**
 * The region leg in words (docs/regions.md): one plain sentence per region leg ("To West Europe,
 * where your Teams tenant is: 41 ms, within the 95 ms limit."), its own verdict beside it, the
 * nearest edge's figure said of that edge on its own targets ("To North Europe, the nearest test
 * server: 11 ms, within the 100 ms limit of the client-to-edge targets"), a leg that could not run
 * said as such, and a plain sentence when the profile's Azure region has no test server. The page,
 * `run`'s summary and the console say the same. Pure.
 */
import type { Report, ReportLeg } from '../schema/report-schema.js';
import { azureRowOf } from '../grade/targets.js';
import { EN, type Messages } from './catalogue.js';

const FAILED_PREFIX = 'The region test on the test server in ';

/** The note a report carries when its region leg could not run (the report is then the nearest edge's alone). */
export function regionLegFailedNote(azureRegion: string, why: string): string {
  return `${FAILED_PREFIX}${azureRegion} could not run (${why}): this report is graded on the nearest edge only.`;
}

/** A report's round trip and its grade: the figure a sentence says, the same as the report's grade; null without one. */
function rttOf(r: Pick<Report, 'grades'>): { valueMs: number | null; limitMs: number; status: string } | null {
  const g = r.grades.find((x) => x.target === 'latency-rtt');
  return g === undefined ? null : { valueMs: g.value, limitMs: g.threshold, status: g.status };
}

/** The region leg's round trip and its grade (null when it has none, or could not run). */
export const regionLegRtt = (leg: ReportLeg): ReturnType<typeof rttOf> => (leg.report === null ? null : rttOf(leg.report));

/** How a round trip stands against its limit, for a sentence's key, with its figures in `m`'s words. */
function rttWords(m: Messages, rtt: ReturnType<typeof rttOf>): { how: 'pass' | 'fail' | 'other'; value: string; limit: string } | null {
  if (rtt === null || rtt.valueMs === null) return null;
  return {
    how: rtt.status === 'pass' ? 'pass' : rtt.status === 'fail' ? 'fail' : 'other',
    value: m.fmt.ms(rtt.valueMs, rtt.limitMs),
    limit: m.fmt.limitValue(rtt.limitMs, 'ms'),
  };
}

/** "To West Europe, where your Teams tenant is: 41 ms, within the 95 ms limit. That test's verdict: PASS." */
function legSentence(m: Messages, leg: ReportLeg): string {
  const region = leg.edge.azureRegion;
  if (leg.report === null) {
    const why = leg.couldNotRun?.reason ?? 'could-not-finish';
    return why === 'edge-down' ? m.t('region.leg.down', { region }) : m.t('region.leg.notRun', { region, why });
  }
  const verdict = m.t(`verdict.${leg.report.summary.verdict}`);
  const w = rttWords(m, regionLegRtt(leg));
  if (w === null) return m.t('region.leg.none', { region, verdict });
  return m.t(`region.leg.${w.how}`, { region, value: w.value, limit: w.limit, verdict });
}

/** "To West Europe, the nearest test server: 11 ms, within the 100 ms limit of the client-to-edge targets." */
function nearestSentence(m: Messages, r: Pick<Report, 'meta' | 'grades'>): string {
  const nearest = r.meta.edge?.azureRegion ?? '';
  const w = rttWords(m, rttOf(r));
  if (w === null) return m.t('region.nearest.none', { nearest });
  return m.t(`region.nearest.${w.how}`, { nearest, value: w.value, limit: w.limit });
}

/**
 * What a report graded against an Azure row says of that row's region: a sentence per region
 * leg, or why there is none (no test server there, or its test could not run); nothing when the
 * test ran in that region, or is not graded against a row, or ran on no edge.
 */
export function regionSentences(r: Pick<Report, 'meta' | 'legs' | 'diagnostics' | 'grades'>, m: Messages = EN): string[] {
  const legs = (r.legs ?? []).filter((l) => l.role === 'region');
  // Asked about a region answered by its leg: each figure said of the edge it was measured to, the nearest's on its own targets.
  if (legs.length > 0) return [...(r.meta.asked !== undefined ? [nearestSentence(m, r)] : []), ...legs.map((l) => legSentence(m, l))];
  const p = r.meta.profile;
  const ran = r.meta.edge;
  if (p.id !== 'azure-region' || p.azureRegion === null || ran === undefined) return [];
  const row = azureRowOf(p.azureRegion);
  if (row === null || row.azureRegion.toLowerCase() === ran.azureRegion.toLowerCase()) return [];
  const failed = r.diagnostics.notes.find((n) => n.startsWith(`${FAILED_PREFIX}${row.azureRegion} `));
  const words = { region: row.azureRegion, nearest: ran.azureRegion };
  return [m.t(failed !== undefined ? 'region.notTested' : 'region.noServer', words)];
}
