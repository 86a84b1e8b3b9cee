/** What the allocations bench hands its page driver (page-main.ts) and what it prints back. */
import type { Engine } from '../lib/engines.js';

export interface PageRun {
  engine: Engine;
  /** The server's address and HTTP port (the page's origin). */
  host: string;
  httpPort: number;
  /** Grant the origin the microphone before the page opens, and let the page open it (`?audio=fake-device`). */
  microphone: boolean;
  durationS: number;
  timeoutMs: number;
}

export interface PageOutcome {
  ok: boolean;
  /** The page's could-not-test reason and message when not ok. */
  reason: string | null;
  message: string | null;
  /** The probe path graded and why; the verdict; the answer's sentence. */
  path: string | null;
  pathReason: string | null;
  verdict: string | null;
  /** Why the verdict is insufficient (summary.insufficientCause), else null. */
  cause: string | null;
  answer: string | null;
  /** Each rung as `transport/port/family: ok|error`. */
  rungs: string[];
  /** Whether the permission was granted before the page opened (false when not asked, or the engine refused the override). */
  granted: boolean;
  grantError: string | null;
  browser: string | null;
}

/** The driver's one line of result: this prefix, then the PageOutcome as JSON. */
export const RESULT_PREFIX = 'RESULT ';

/** The PageOutcome in a driver's stdout; null when it printed none. */
export function pageOutcomeOf(stdout: string): PageOutcome | null {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  return line === undefined ? null : (JSON.parse(line.slice(RESULT_PREFIX.length)) as PageOutcome);
}
