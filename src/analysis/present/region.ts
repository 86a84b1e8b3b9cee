/**
 * The region leg in words (docs/regions.md): one plain sentence per region leg ("To West Europe,
 * where your Teams tenant is: 41 ms, within the 95 ms limit."), its own verdict beside it, and a
 * plain sentence when the profile's Azure region has no test server. The page, `run`'s summary
 * and the console say the same. Pure.
 */
import type { Report, ReportLeg } from '../schema/report-schema.js';
import { azureRowOf } from '../grade/targets.js';
import { EN, type Messages } from './catalogue.js';

const FAILED_PREFIX = 'The region test on the test server in ';

/** The note a report carries when its region leg could not run (the report is then the nearest edge's alone). */
export function regionLegFailedNote(azureRegion: string, why: string): string {
  return `${FAILED_PREFIX}${azureRegion} could not run (${why}): this report is graded on the nearest edge only.`;
}

/** The region leg's round trip and its grade: the figure the sentence says, the same as the leg report's grade. */
export function regionLegRtt(leg: ReportLeg): { valueMs: number | null; limitMs: number; status: string } | null {
  const g = leg.report.grades.find((x) => x.target === 'latency-rtt');
  return g === undefined ? null : { valueMs: g.value, limitMs: g.threshold, status: g.status };
}

/** "To West Europe, where your Teams tenant is: 41 ms, within the 95 ms limit. That test's verdict: PASS." */
function legSentence(m: Messages, leg: ReportLeg): string {
  const region = leg.edge.azureRegion;
  const verdict = m.t(`verdict.${leg.report.summary.verdict}`);
  const rtt = regionLegRtt(leg);
  if (rtt === null || rtt.valueMs === null) return m.t('region.leg.none', { region, verdict });
  const value = m.fmt.ms(rtt.valueMs, rtt.limitMs);
  const limit = m.fmt.limitValue(rtt.limitMs, 'ms');
  const how = rtt.status === 'pass' ? 'pass' : rtt.status === 'fail' ? 'fail' : 'other';
  return m.t(`region.leg.${how}`, { region, value, limit, verdict });
}

/**
 * What a report graded against an Azure row says of that row's region: a sentence per region
 * leg, or why there is none (no test server there, or its test could not run); nothing when the
 * test ran in that region, or is not graded against a row, or ran on no edge.
 */
export function regionSentences(r: Pick<Report, 'meta' | 'legs' | 'diagnostics'>, m: Messages = EN): string[] {
  const legs = (r.legs ?? []).filter((l) => l.role === 'region');
  if (legs.length > 0) return legs.map((l) => legSentence(m, l));
  const p = r.meta.profile;
  const ran = r.meta.edge;
  if (p.id !== 'azure-region' || p.azureRegion === null || ran === undefined) return [];
  const row = azureRowOf(p.azureRegion);
  if (row === null || row.azureRegion.toLowerCase() === ran.azureRegion.toLowerCase()) return [];
  const failed = r.diagnostics.notes.find((n) => n.startsWith(`${FAILED_PREFIX}${row.azureRegion} `));
  const words = { region: row.azureRegion, nearest: ran.azureRegion };
  return [m.t(failed !== undefined ? 'region.notTested' : 'region.noServer', words)];
}
