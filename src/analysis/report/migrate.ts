/**
 * One way in for stored and uploaded reports: `upgradeReport` turns a report of any schema
 * version callprobe has written into the current shape, so `aggregate`, the results store
 * and the report page read every version through one function. It never re-grades: every
 * graded figure, sentence and verdict is kept as it was written.
 *
 * v1 -> v2: meta.path -> path, meta.ports -> connectivity (the standard rungs the server did
 * not offer added as not-offered), meta.timingsMs -> setupMs and timelineMs; v1 tests always
 * probed over the data channel and had no outcome, compare, NAT, hints, witness, site or ticket.
 * v2 -> v3: `attribution` null (no view outside the page was recorded for the windows), and
 * `summary.insufficientCause` derived from the grades and the suspect intervals' reasons
 * (grade/cause.ts), null unless the verdict is insufficient.
 * The older schemas are frozen beside the current one (../schema/report-v1-schema.ts, report-v2-schema.ts).
 */
import { ladder } from '../grade/connectivity.js';
import { networkHints } from '../grade/hints.js';
import { describeHints, describePath, describeRung, withCaution } from '../present/sections.js';
import { insufficientCause } from '../grade/cause.js';
import { SUSTAINED_WINDOW_MS } from '../grade/targets.js';
import type { Report } from '../schema/report-schema.js';
import type { ReportV2 } from '../schema/report-v2-schema.js';
import type { ReportV1 } from '../schema/report-v1-schema.js';
import { SCHEMA_VERSION } from '../schema/version.js';
import { ReasonedError } from '../../protocol/typed-error.js';

/** Typed error: a value that is no callprobe report of a known version. */
export class ReportVersionError extends ReasonedError<'unknown-version'> {
  override readonly name = 'ReportVersionError';
}

function upgradeV1(r: ReportV1): ReportV2 {
  const { path, ports, timingsMs, schemaVersion: _v, ...meta } = r.meta;
  const { meta: _m, schemaVersion: _s, ...sections } = r;
  const rungs = ladder(ports);
  // The ladder and the path were recorded: the hints they support, and a pass's caution, are derived as today.
  const hints = describeHints(networkHints(rungs, path, null, meta.browser));
  return {
    schemaVersion: 2,
    meta: { schemaVersion: 2, ...meta, site: null, ticket: null },
    connectivity: rungs.map(describeRung),
    path: describePath(path, null),
    setupMs: {
      config: timingsMs.config,
      allocation: timingsMs.relayChosen,
      iceConnected: null,
      dtls: null,
      channelOpen: timingsMs.connected,
      firstEcho: timingsMs.firstPacket,
    },
    timelineMs: { lastProbe: timingsMs.streamEnd, verdict: timingsMs.verdict },
    outcome: null,
    probe: { path: 'datachannel', reason: 'schema 1: every test probed over the data channel' },
    compare: null,
    nat: null,
    hints,
    witness: null,
    ...sections,
    summary: withCaution(sections.summary, hints, path.transport),
  };
}

function upgradeV2(r: ReportV2): Report {
  const { schemaVersion: _s, meta, summary, ...sections } = r;
  const suspectReasons = [sections.directions.up, sections.directions.down, sections.directions.loop].flatMap((d) => d?.suspect.map((s) => s.reason) ?? []);
  const cause = insufficientCause({
    verdict: summary.verdict,
    unfinished: sections.outcome !== null,
    grades: sections.grades,
    suspectReasons,
    busy: null,
    plannedShort: meta.durationS * 1000 < SUSTAINED_WINDOW_MS,
  });
  return {
    ...sections,
    schemaVersion: SCHEMA_VERSION,
    meta: { ...meta, schemaVersion: SCHEMA_VERSION },
    summary: { ...summary, insufficientCause: cause },
    attribution: null,
  };
}

/** A report as stored: of any schema version callprobe has written. */
export type StoredReport = Report | ReportV2 | ReportV1;

/** The current shape of a report of any known schema version (already schema-checked by the caller). */
export function upgradeReport(r: StoredReport): Report {
  if (r.schemaVersion === SCHEMA_VERSION) return r as Report;
  if (r.schemaVersion === 2) return upgradeV2(r as ReportV2);
  if (r.schemaVersion === 1) return upgradeV2(upgradeV1(r as ReportV1));
  throw new ReportVersionError('unknown-version', `schemaVersion ${String((r as { schemaVersion: unknown }).schemaVersion)}`);
}
