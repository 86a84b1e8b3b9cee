/**
 * What `callprobe run` keeps of one test: the page's report stamped with the browser and the
 * test's site and ticket, or a could-not-test record (a valid POST /api/results body).
 */
import type { Report } from '../src/analysis/schema/report-schema.js';
import type { CouldNotTest } from '../src/analysis/schema/could-not-test-schema.js';
import { callprobeVersion } from '../host/package.js';
import { withoutClientAddresses } from '../src/analysis/report/client-addresses.js';
import type { RunCommandOptions } from './options.js';
import { sideOf } from '../src/protocol/could-not-finish.js';

/** The report as run keeps it: the browser's version, and --site and --ticket as given. */
export function stampReport(report: Report, o: Pick<RunCommandOptions, 'site' | 'ticket'>, browserVersion: string): Report {
  const meta = report.meta as { browser: string; site: string | null; ticket: string | null };
  meta.browser = `Chromium ${browserVersion}`;
  if (o.site !== undefined) meta.site = o.site;
  if (o.ticket !== undefined) meta.ticket = o.ticket;
  return report;
}

/** The could-not-test record run prints with --json and saves: a valid POST /api/results body. */
export function couldNotTest(
  o: RunCommandOptions,
  reason: string,
  message: string,
  startedAt: string,
  browser: string | null,
  server: string | null,
): CouldNotTest {
  // The schema's reason is a machine code: lower case, digits and hyphens.
  const code =
    reason
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+/, '')
      .slice(0, 64) || 'error';
  // The message may quote a browser or server error that names the client's address: scrubbed (client-addresses.ts).
  return withoutClientAddresses<CouldNotTest>({
    kind: 'could-not-test',
    reason: code,
    message: message.slice(0, 4096),
    side: sideOf(code),
    atMs: Date.now(),
    meta: {
      callprobeVersion: callprobeVersion(),
      startedAt,
      site: o.site ?? null,
      ticket: o.ticket ?? null,
      ...(browser !== null ? { browser } : {}),
      ...(server !== null ? { server } : {}),
    },
  }).value;
}
