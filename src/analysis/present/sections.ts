/**
 * Report sections from the facts grading returns and the sentences built from them. Each
 * function only adds words: every number, status and reason comes from its input. Field
 * order follows the report schema, so the JSON reads the same as before the split.
 */
import type { DiagnosticsFacts } from '../grade/diagnostics.js';
import type { GradeResult } from '../grade/grade.js';
import type { MosFacts } from '../grade/mos.js';
import type { TargetResolution } from '../grade/resolution.js';
import type { SecondOpinionFacts } from '../grade/second-opinion.js';
import type { TeamsTierFacts } from '../grade/teams-tier.js';
import type { RungFacts } from '../grade/connectivity.js';
import { cautionOf } from '../grade/caution.js';
import type { HintFacts } from '../grade/hints.js';
import type {
  Rung,
  Diagnostics,
  GradedPathOut,
  GradeEntry,
  Hint,
  MosReport,
  SecondOpinion,
  Summary,
  TargetMeta,
  TeamsPoorStream,
  Verdict,
} from '../schema/report-schema.js';
import {
  caveatText,
  disagreementSentence,
  gradeSentence,
  gradeStatistic,
  hintSentence,
  mosSentence,
  rungErrorText,
  targetNote,
  teamsSentence,
  toleranceText,
  unavailableSentence,
  warningMessage,
} from './sentences.js';

export function describeGrade(g: GradeResult): GradeEntry {
  return {
    target: g.target,
    label: g.label,
    statistic: gradeStatistic(g.facts),
    direction: g.direction,
    unit: g.unit,
    threshold: g.threshold,
    comparator: g.comparator,
    value: g.value,
    worstWindow: g.worstWindow,
    status: g.status,
    reason: g.reason,
    resolution: g.resolution,
    confidence: g.confidence,
    sentence: gradeSentence(g),
  };
}

export function describeTarget(t: TargetResolution): TargetMeta {
  return {
    target: t.target,
    label: t.label,
    threshold: t.threshold,
    unit: t.unit,
    windowMs: t.windowMs,
    resolution: t.resolution,
    resolvable: t.resolvable,
    note: targetNote(t),
  };
}

export function describeMos(m: MosFacts, verdict: Verdict): MosReport {
  return { ...m, sentence: mosSentence(m, verdict) };
}

export function describeTeams(t: TeamsTierFacts): TeamsPoorStream {
  return { ...t, sentence: teamsSentence(t) };
}

export function describeSecondOpinion(s: SecondOpinionFacts): SecondOpinion {
  const { disagreements, caveats, unavailable, ...figures } = s;
  const lacking = unavailable.map((source) => ({ source, sentence: unavailableSentence(source) }));
  return {
    ...figures,
    tolerance: toleranceText(),
    ...(lacking.length > 0 ? { unavailable: lacking } : {}),
    disagreements: disagreements.map((d) => ({ ...d, sentence: disagreementSentence(d, s.statsRttScale) })),
    notes: [...lacking.map((u) => u.sentence), ...caveats.map(caveatText)],
  };
}

export function describeDiagnostics(d: DiagnosticsFacts): Diagnostics {
  return { ...d, warnings: d.warnings.map((w) => ({ code: w.code, message: warningMessage(w) })) };
}

export function describeRung(r: RungFacts): Rung {
  return {
    transport: r.transport,
    port: r.port,
    family: r.family,
    url: r.url,
    reachable: r.reachable,
    allocateMs: r.allocateMs,
    connectMs: r.connectMs,
    error: r.error,
    errorText: rungErrorText(r),
  };
}

/** The network hints, each with its sentence. */
export function describeHints(found: readonly HintFacts[]): Hint[] {
  return found.map((h) => ({ code: h.code, sentence: hintSentence(h) }));
}

/** The path section: the selected candidate pair as recorded, and what follows from it. */
export function describePath(path: Pick<GradedPathOut, 'transport' | 'port' | 'candidateType' | 'changes'>, family: GradedPathOut['family']): GradedPathOut {
  return {
    transport: path.transport,
    port: path.port,
    family,
    relayed: path.candidateType === 'relay',
    candidateType: path.candidateType,
    changes: path.changes,
    changed: path.changes > 0,
  };
}

/**
 * The summary with the caution it carries over these hints and this path, and a device too busy
 * (`deviceBusy`, grade/caution.ts) (none: the summary as it is).
 */
export function withCaution<S extends Pick<Summary, 'verdict' | 'caution'>>(
  summary: S,
  hints: readonly Hint[],
  transport: GradedPathOut['transport'],
  deviceBusy = false,
): S {
  const caution = cautionOf(
    summary.verdict,
    hints.map((h) => h.code),
    transport,
    deviceBusy,
  );
  return caution === null ? summary : { ...summary, caution };
}
