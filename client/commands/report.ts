/**
 * `callprobe report --server URL --site NAME`: one site's report over its stored samples,
 * printed as a summary, JSON or CSV; `--all` instead of `--site`: the all-sites overview, each
 * site's P90s graded. Exit codes as `run`: the site's verdict (0, 1, 2), 3 usage (a flag, or
 * the server refused the request or the token), 4 the server could not be reached or answered
 * no report.
 */
import { verdictOf } from '../../src/analysis/grade/grade.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { exitCodeFor, type ExitCode } from '../exit.js';
import { fetchOverview, fetchSiteReport, formatOverview, formatSiteReport, overviewCsv, siteReportCsv } from '../site-report.js';
import type { ReportCommandOptions } from '../options.js';

/** `callprobe report`: prints the site report; exit code from its verdict. */
export async function reportCommand(o: ReportCommandOptions): Promise<ExitCode> {
  if (o.json && o.csv) throw new ConfigError('bad-value', 'give --json or --csv, not both');
  if (o.csvSep !== undefined && !o.csv) throw new ConfigError('missing-option', '--csv-sep needs --csv');
  const csv = { sep: o.csvSep ?? ',', bom: false } as const;
  if ((o.site === undefined) === (o.all !== true))
    throw new ConfigError('missing-option', 'give --site NAME for one site, or --all for the all-sites overview');
  if (o.site === undefined) {
    const overview = await fetchOverview(o);
    process.stdout.write(o.json ? `${JSON.stringify(overview, null, 2)}\n` : o.csv ? overviewCsv(overview, csv) : formatOverview(overview));
    // The fleet's exit code: fail when a site fails, else insufficient when one is, else pass.
    return exitCodeFor({ verdict: verdictOf(overview.sites.map((s) => ({ status: s.verdict }))) });
  }
  const r = await fetchSiteReport({ ...o, site: o.site });
  process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : o.csv ? siteReportCsv(r, csv) : formatSiteReport(r));
  return exitCodeFor({ verdict: r.verdict });
}
