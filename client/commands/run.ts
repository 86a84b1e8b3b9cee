/**
 * `callprobe run`: one test in headless Chromium against a callprobe server (or, with --turn
 * and no --server, against someone else's TURN server through the page host), then the result
 * saved once and printed. Returns the process exit code.
 */
import { writeFile } from 'node:fs/promises';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import type { Reachability } from '../../src/analysis/schema/reachability-schema.js';
import { reachabilityLines } from '../../src/analysis/present/reachability.js';
import type { CouldNotTest } from '../../src/analysis/schema/could-not-test-schema.js';
import { parseTurnUriParts } from '../../src/protocol/turn-uri.js';
import { couldNotTestRow, csvDecimalOf, csvHeader, csvLine, reportRows, type RowIdentity } from '../../src/analysis/report/export.js';
import { builtPageDir, callprobeVersion } from '../../host/package.js';
import { EXIT, exitCodeFor, oneLine, type ExitCode } from '../exit.js';
import { checkRelayOffered, type RunCommandOptions } from '../options.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { hostPage, type PageHost } from '../page-host.js';
import { couldNotTest, stampReport } from '../record.js';
import { saveResult } from '../save.js';
import { checkCallprobeServer, ServerCheckError } from '../server-check.js';
import { requireUploadToken } from '../token-check.js';
import { formatSummary } from '../summary.js';
import { loadMessages } from '../../src/analysis/present/catalogue.js';
import { cautionOfReport } from '../../src/analysis/grade/caution.js';
import { isLoopbackHost, testPageUrl, testTimeoutMs } from '../test-page.js';

/** Tries the media relays of `--teams-reachability` (the CLI hands in the relay's STUN/TURN client); null without the flag. */
export type ReachabilityProbe = (() => Promise<Reachability>) | null;

/** `callprobe run`: one headless test; returns the process exit code. */
export async function runCommand(o: RunCommandOptions, reachability: ReachabilityProbe = null): Promise<ExitCode> {
  const progress = (line: string): void => {
    process.stderr.write(`callprobe: ${line}\n`);
  };
  // Loaded on use: Playwright takes about a second to import, which no other command needs.
  const { runHeadless, HeadlessError } = await import('../headless/chromium.js');
  let local: PageHost | null = null;
  const startedAt = new Date().toISOString();
  try {
    let base = o.server;
    const turn = o.turn ?? null;
    if (!base) {
      // No callprobe server: host the page ourselves, without relay or reflector, on loopback.
      local = await hostPage({ webRoot: builtPageDir(), version: callprobeVersion(), turn: turn ? [turn] : [], warn: progress });
      base = local.url;
    }
    const offer = local ? { turn: turn ? [turn] : [] } : await checkCallprobeServer(base);
    // A relay the server does not offer is a usage error, found before a browser starts.
    if (o.relay !== undefined) checkRelayOffered(o.relay, offer.turn);
    // So is a token the server refuses for the site the result would be saved under.
    if (!local && o.save && o.site !== undefined && o.adminToken !== undefined) await requireUploadToken(base, o.site, o.adminToken, progress);
    // Before the browser starts, so the relays are tried on a quiet line; never graded.
    const reached = await tryReachability(reachability, progress);
    const url = testPageUrl(o, base);
    const turnHost = turn ? parseTurnUriParts(turn.url).host : '';
    progress(`testing ${turn ? turn.url : url.origin}`);
    const { result, browserVersion, evidence } = await runHeadless({
      pageUrl: url.toString(),
      browserPath: o.browser,
      allowLoopback: isLoopbackHost(url.hostname) || isLoopbackHost(turnHost),
      override: turn ? { turn: [turn], username: o.turnUser ?? '', credential: o.turnCredential ?? '' } : null,
      ignoreCertificateErrors: false,
      timeoutMs: testTimeoutMs(o),
      progress,
      keepEvidence: o.evidence !== undefined,
    });
    if (o.evidence !== undefined) await keepEvidence(o.evidence, evidence, progress);
    if (!result.ok) {
      progress(`could not test: ${result.message} (${result.reason})`);
      const record = couldNotTest(o, result.reason, result.message, startedAt, `Chromium ${browserVersion}`, turn ? turn.url : url.origin);
      await finish(o, record, progress);
      return exitCodeFor({ notTested: result.reason });
    }
    const stamped = stampReport(result.report, o, browserVersion);
    const report = reached === null ? stamped : { ...stamped, teamsReachability: reached };
    await finish(o, report, progress);
    return exitCodeFor({ verdict: report.summary.verdict, cutShort: report.outcome !== null, caution: cautionOfReport(report) });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const reason = err instanceof HeadlessError || err instanceof ServerCheckError ? err.reason : 'error';
    progress(`could not test: ${oneLine((err as Error).message)}`);
    // No callprobe server answered (or not callprobe): there is nowhere to save to.
    const noServer = err instanceof ServerCheckError;
    await finish(
      noServer ? { ...o, save: false } : o,
      couldNotTest(o, reason, (err as Error).message, startedAt, null, o.server ?? o.turn?.url ?? null),
      progress,
    );
    return EXIT.cannotTest;
  } finally {
    await local?.close();
  }
}

/** The listed relays' answers, each said on stderr as it is; null without --teams-reachability. */
async function tryReachability(probe: ReachabilityProbe, progress: (line: string) => void): Promise<Reachability | null> {
  if (probe === null) return null;
  progress('trying the listed media relays (reachability, not quality)');
  const r = await probe();
  for (const line of reachabilityLines(r).slice(1)) progress(line);
  return r;
}

/** --evidence: the evidence as JSON in its file; a test that measured nothing has none (said on stderr). A write that fails is said, and the result still printed. */
async function keepEvidence(file: string, evidence: unknown, progress: (line: string) => void): Promise<void> {
  if (evidence === null) {
    progress(`no evidence to write to ${file}: the test measured nothing`);
    return;
  }
  try {
    await writeFile(file, `${JSON.stringify(evidence)}\n`);
    progress(`evidence written to ${file}`);
  } catch (err) {
    progress(`could not write the evidence to ${file}: ${oneLine((err as Error).message)}`);
  }
}

/**
 * Saves the result (unless --no-save; only to a callprobe server), prints the code and link on
 * stderr, then stdout: the JSON (--json), the export's CSV header and row (--csv) or the summary.
 */
async function finish(o: RunCommandOptions, record: Report | CouldNotTest, progress: (line: string) => void): Promise<void> {
  let who: RowIdentity = { id: null, code: null, sampleId: null };
  // Page parameters the page refused are a usage error, not a test: nothing to keep.
  const usage = 'kind' in record && record.reason === 'bad-parameters';
  if (o.save && o.server && !usage) {
    const saved = await saveResult(record, { server: o.server, adminToken: o.adminToken ?? null, ...(o.lang === undefined ? {} : { lang: o.lang }) });
    if (saved.ok) {
      who = { id: saved.ack.id, code: saved.ack.code, sampleId: saved.sampleId };
      process.stderr.write(`result: ${saved.ack.code} ${saved.link}\n`);
    } else {
      progress(`result not saved: ${saved.message} (${saved.reason})`);
    }
  } else if (o.save && !usage) {
    progress('result not saved: no callprobe server to save to (give --server)');
  }
  const isReport = !('kind' in record);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
  } else if (o.csv) {
    const rows = isReport ? reportRows(who, record, 'page') : [couldNotTestRow(who, record, Date.parse(record.meta.startedAt ?? '') || record.atMs)];
    const csv = { sep: o.csvSep ?? ',', bom: false, decimal: csvDecimalOf(undefined, o.lang) } as const;
    process.stdout.write(csvHeader(csv) + rows.map((row) => csvLine(row, csv)).join(''));
  } else if (isReport) {
    process.stdout.write(formatSummary(record, await loadMessages(o.lang ?? 'en')));
  }
}
