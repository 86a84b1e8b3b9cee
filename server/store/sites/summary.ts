/**
 * A stored sample's summary read back from its columns (../summary.ts), and the sample the site
 * report reads made of it alone (never the body).
 */
import { SITE_METRIC_KEYS, type SiteGrade, type SiteReportFields, type SiteSample } from '../../../src/analysis/site/site.js';
import type { SiteLoadFields } from '../../../src/analysis/site/busy-line.js';
import { blockedPortsOfText, locatedOfText, METRIC_COLUMNS, type LoadSummary, type SampleSummary } from '../summary.js';
import { isSide, sideOf } from '../../../src/protocol/could-not-finish.js';

/** A summary row as either driver returns it. */
export type SummaryDbRow = Record<string, unknown>;

function text(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** The summary of a row holding the SUMMARY_COLUMNS. */
export function summaryFromRow(row: SummaryDbRow): SampleSummary {
  const body = row.body_state;
  return {
    body: body === 'report' || body === 'could-not-test' ? body : 'unreadable',
    note: body === 'report' || body === 'could-not-test' || body === 'unreadable' ? text(row.body_note) : `unknown body state ${String(body)}`,
    side: isSide(row.outcome_side) ? row.outcome_side : null,
    blockedPorts: blockedPortsOfText(text(row.blocked_ports)),
    insufficientCause: text(row.insufficient_cause),
    profileId: text(row.profile_id),
    profileRegion: text(row.profile_region),
    profileFrom: text(row.profile_from),
    probePath: text(row.probe_path),
    verdict: text(row.report_verdict),
    metrics: METRIC_COLUMNS.map((c) => num(row[c])),
    insufficientMask: num(row.insufficient_mask) ?? 0,
    load: loadFromRow(row),
    edge: row.edge_id === null || row.edge_id === undefined ? null : { id: String(row.edge_id), azureRegion: text(row.edge_region) ?? '' },
    located: locatedOfText(text(row.locate_edges)),
    regionEdge:
      row.region_edge_id === null || row.region_edge_id === undefined
        ? null
        : { id: String(row.region_edge_id), azureRegion: text(row.region_edge_region) ?? '' },
  };
}

const LOAD_STATES: ReadonlyArray<LoadSummary['state']> = ['suffers', 'no-effect', 'could-not-load', 'device-busy', 'server-busy', 'not-run'];

function loadFromRow(row: SummaryDbRow): LoadSummary | null {
  const state = row.load_state;
  if (state === null || state === undefined) return null;
  return {
    // A state this build does not know (a newer one's) counts as a phase that did not run.
    state: LOAD_STATES.find((k) => k === state) ?? 'not-run',
    upAddedDelayMs: num(row.load_up_added_ms),
    downAddedDelayMs: num(row.load_down_added_ms),
    upGoodputMbps: num(row.load_up_goodput_mbps),
    downGoodputMbps: num(row.load_down_goodput_mbps),
  };
}

/** The report's busy line from its summary: the fields the site report reads. */
function loadOf(l: LoadSummary): SiteLoadFields {
  const dir = (addedDelayMs: number | null, goodputMbps: number | null) =>
    addedDelayMs === null && goodputMbps === null ? null : { addedDelayMs, goodputMbps };
  return {
    ...(l.state === 'not-run' ? { outcome: { reason: 'not-run' as const } } : { verdict: { kind: l.state } }),
    up: dir(l.upAddedDelayMs, l.upGoodputMbps),
    down: dir(l.downAddedDelayMs, l.downGoodputMbps),
  };
}

/** The grades of a summary, in SITE_METRIC_KEYS order (the order grade/grade.ts grades them). */
function gradesOf(s: SampleSummary): SiteGrade[] {
  const out: SiteGrade[] = [];
  SITE_METRIC_KEYS.forEach((k, i) => {
    const value = s.metrics[i] ?? null;
    if ((s.insufficientMask & (1 << i)) !== 0) out.push({ target: k.target, direction: k.direction, status: 'insufficient', value: null });
    // Only pass or fail matter from here on: the site report grades the values, not each test's status.
    else if (value !== null) out.push({ target: k.target, direction: k.direction, status: 'pass', value });
  });
  return out;
}

/** The sample the site report reads, from the summary columns alone (never the body). */
export function siteSampleOfSummary(base: { id: string; code: string | null; startedAtMs: number }, s: SampleSummary): SiteSample {
  if (s.body === 'could-not-test') {
    const reason = s.note ?? 'unknown';
    const verdict = s.verdict === 'pass' || s.verdict === 'fail' || s.verdict === 'insufficient' ? s.verdict : null;
    return { ...base, body: { kind: 'could-not-test', reason, side: s.side ?? sideOf(reason), blockedPorts: s.blockedPorts, verdict } };
  }
  if (s.body === 'unreadable') return { ...base, body: { kind: 'unreadable', problem: s.note ?? 'unreadable' } };
  return {
    ...base,
    body: {
      kind: 'report',
      report: {
        meta: {
          profile: {
            id: s.profileId as SiteReportFields['meta']['profile']['id'],
            azureRegion: s.profileRegion,
            from: s.profileFrom as SiteReportFields['meta']['profile']['from'],
          },
          ...(s.edge === null ? {} : { edge: s.edge }),
        },
        ...(s.regionEdge === null ? {} : { regionEdge: s.regionEdge }),
        ...(s.located.length === 0 ? {} : { locate: { edges: s.located.map((e) => ({ ...e, state: 'ok' as const })) } }),
        probe: { path: s.probePath as SiteReportFields['probe']['path'] },
        summary: {
          verdict: s.verdict as SiteReportFields['summary']['verdict'],
          insufficientCause: s.insufficientCause as SiteReportFields['summary']['insufficientCause'],
        },
        grades: gradesOf(s),
        ...(s.load === null ? {} : { load: loadOf(s.load) }),
      },
    },
  };
}
