// Placeholder until the measurement branch lands (it replaces this file).
export interface GradeEntry { targetId: string; statistic: string; direction: string; value: number | null; unit: string; threshold: number; status: 'pass' | 'fail' | 'insufficient'; sentence: string }
export interface Report {
  schemaVersion: 1;
  meta: Record<string, unknown>;
  summary: { rttMsP50: number | null; rttMsP90: number | null; jitterMs: number | null; lossPct: number | null; reorderPct: number | null; packetsSent: number; packetsReceived: number; verdict: 'pass' | 'fail' | 'insufficient' };
  grades: GradeEntry[];
  explanation: string[];
  diagnostics: { notes?: string[] };
}
