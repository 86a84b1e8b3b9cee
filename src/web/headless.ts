import type { Report } from '../analysis/schema/report-schema.js';
import type { HeadlessResult as Contract } from '../protocol/headless.js';

/** What `callprobe run` reads from the page when a test ends. */
export type HeadlessResult = Contract<Report>;

interface HeadlessWindow {
  __callprobeResult?: HeadlessResult;
  /** Exposed by `callprobe run` (Playwright exposeFunction) to print progress on stderr. */
  __callprobeProgress?: (line: string) => void;
}

const w = globalThis as unknown as HeadlessWindow;

export function publishResult(result: HeadlessResult): void {
  w.__callprobeResult = result;
  document.dispatchEvent(new CustomEvent('callprobe:result', { detail: result }));
}

export function progress(line: string): void {
  if (typeof w.__callprobeProgress === 'function') void w.__callprobeProgress(line);
}
