/**
 * After the last probe was sent and the reflector's tally closed, the evidence is measured:
 * nothing that fails later (getStats, the page watch, compare mode, the NAT check, the page's
 * own progress display, a second opinion the analysis cannot read) may throw it away. Each
 * such step runs here; a throw becomes a note in the report and the test is graded on what was
 * measured. Before that moment a throw keeps today's outcome (cancelled, connection-lost, a
 * SetupError), because then there is no complete evidence to grade.
 */
import type { AnalysisInput } from '../analysis/schema/input.js';
import type { Report } from '../analysis/schema/report-schema.js';
import { analyze } from '../analysis/report/analyze.js';
import { errorLine } from './net/errors.js';

/** The steps after the stream, each guarded: what failed is kept as notes for the report. */
export class AfterStream {
  readonly notes: string[] = [];

  /** Runs `run`; on a throw notes "<what> failed: <error>" and gives `fallback`. */
  async step<T>(what: string, run: () => T | Promise<T>, fallback: T): Promise<T> {
    try {
      return await run();
    } catch (err) {
      this.notes.push(`${what} failed after the stream, so it is left out: ${errorLine(err)}`);
      return fallback;
    }
  }

  /**
   * The report from `input`. When the analysis refuses it, it is graded again without the
   * parts that only inform (getStats' second opinion and path, compare mode, the NAT check, the
   * relay's witness, the views outside the page): the probes' evidence alone, with a note saying what was left out.
   * Only an analysis that cannot grade the probes themselves still throws.
   */
  report(input: AnalysisInput, chosenPath: AnalysisInput['path']): Report {
    try {
      return analyze({ ...input, notes: [...input.notes, ...this.notes] });
    } catch (err) {
      const note = `the report could not include the browser's statistics, compare mode, the NAT check, the relay's witness and the views outside the page (${errorLine(err)}): graded on the probes alone`;
      return analyze({
        ...input,
        path: chosenPath,
        stats: null,
        compare: null,
        nat: null,
        witness: null,
        views: null,
        notes: [...input.notes, ...this.notes, note],
      });
    }
  }
}
