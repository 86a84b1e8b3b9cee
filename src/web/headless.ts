import type { AnalysisInput } from '../analysis/schema/input.js';
import type { Report } from '../analysis/schema/report-schema.js';
import type { HeadlessResult as Contract } from '../protocol/headless.js';

/** What `callprobe run` reads from the page when a test ends. */
export type HeadlessResult = Contract<Report>;

interface HeadlessWindow {
  __callprobeResult?: HeadlessResult;
  /** The evidence the last report was graded from (every probe, the views outside the page), for tools that keep it. */
  __callprobeEvidence?: AnalysisInput;
  /** Exposed by `callprobe run` (Playwright exposeFunction) to print progress on stderr. */
  __callprobeProgress?: (line: string) => void;
}

const w = globalThis as unknown as HeadlessWindow;

export function publishResult(result: HeadlessResult): void {
  w.__callprobeResult = result;
  document.dispatchEvent(new CustomEvent('callprobe:result', { detail: result }));
}

/** Keeps the evidence of the test that just measured, beside its result (the benches save it to re-grade it later). */
export function publishEvidence(input: AnalysisInput): void {
  w.__callprobeEvidence = input;
}

export function progress(line: string): void {
  if (typeof w.__callprobeProgress === 'function') void w.__callprobeProgress(line);
}
