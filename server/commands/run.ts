import { isIP } from 'node:net';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import type { TurnServerEntry } from '../../src/protocol/api.js';
import { BOUNDS, ConfigError, DEFAULTS, parseTurnUriParts } from '../../src/protocol/defaults.js';
import type { CouldNotTest } from '../../src/analysis/schema/could-not-test-schema.js';
import { serve, type RunningServer } from './serve.js';
import { formatSummary } from './summary.js';
import { EXIT, exitCodeFor, oneLine, type ExitCode } from './exit.js';
import { saveResult } from './save.js';
import { callprobeVersion } from '../version.js';
import { couldNotTestRow, csvHeader, csvLine, reportRow, type RowIdentity } from '../reports/export.js';

/** `callprobe run`'s flags as commander parses them (cli.ts; --turn already an RFC 7065 entry). */
export interface RunCommandOptions {
  server?: string;
  duration?: number;
  profile: 'client-to-edge' | 'edge-to-edge' | 'azure-region';
  azureRegion?: string;
  from: 'site' | 'edge';
  turn?: TurnServerEntry;
  turnUser?: string;
  turnCredential?: string;
  relay?: string;
  compare: boolean;
  compareSeconds?: number;
  json: boolean;
  browser: string;
  /** false with --no-save. */
  save: boolean;
  site?: string;
  ticket?: string;
  adminToken?: string;
  /** --token (CALLPROBE_TOKEN): the same operator token under the issue's name; checkRunFlags folds it into adminToken. */
  token?: string;
  /** Print the export's CSV header and row instead of the summary. */
  csv: boolean;
}

/** Checks the flags that only make sense together; throws ConfigError (a usage error). */
export function checkRunFlags(o: RunCommandOptions): RunCommandOptions {
  if (o.token !== undefined) {
    if (o.adminToken !== undefined && o.adminToken !== o.token)
      throw new ConfigError('--token and --admin-token (or CALLPROBE_TOKEN and CALLPROBE_ADMIN_TOKEN) differ: give one', 'bad-value');
    o = { ...o, adminToken: o.token };
  }
  if (o.profile === 'azure-region' && !o.azureRegion) throw new ConfigError('--profile azure-region needs --azure-region', 'missing-option');
  if (!o.server && !o.turn) throw new ConfigError('give --server URL (or --turn URI for a TURN server without callprobe)', 'missing-option');
  if (o.turn && (!o.turnUser || !o.turnCredential)) throw new ConfigError('--turn needs --turn-user and --turn-credential', 'missing-option');
  if (o.compareSeconds !== undefined && !o.compare) throw new ConfigError('--compare-seconds needs --compare', 'missing-option');
  if (o.server !== undefined) {
    const url = URL.canParse(o.server) ? new URL(o.server) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ConfigError(`--server must be an http:// or https:// URL, not ${JSON.stringify(o.server)}`, 'bad-value');
    }
  }
  if (o.json && o.csv) throw new ConfigError('--json and --csv both want stdout: give one', 'bad-value');
  for (const [flag, v] of [
    ['--site', o.site],
    ['--ticket', o.ticket],
  ] as const) {
    if (v !== undefined && (v.trim().length === 0 || v.length > BOUNDS.siteChars))
      throw new ConfigError(`${flag} must be 1..${BOUNDS.siteChars} characters`, 'bad-value');
  }
  if (o.site !== undefined && o.save && !o.adminToken) {
    throw new ConfigError(
      '--site needs --admin-token (or --token, CALLPROBE_ADMIN_TOKEN, CALLPROBE_TOKEN): the server accepts results with a site only from its operator; or --no-save',
      'missing-option',
    );
  }
  return o;
}

/** The scheduling flags of run as commander parses them (durations already in ms). */
export interface ScheduleFlags {
  /** --every, ms. */
  every?: number;
  count?: number;
  /** --for, ms. */
  for?: number;
  spool: string;
}

/** The schedule of `run --every`, or null for one test; throws ConfigError for flags that do not go together. */
export function checkScheduleFlags(
  o: RunCommandOptions,
  f: ScheduleFlags,
): { everyMs: number; count: number | null; forMs: number | null; spoolDir: string } | null {
  if (f.every === undefined) {
    if (f.count !== undefined || f.for !== undefined) throw new ConfigError('--count and --for need --every', 'missing-option');
    return null;
  }
  if (f.count !== undefined && f.for !== undefined) throw new ConfigError('give --count or --for, not both', 'bad-value');
  if (!o.server || o.turn)
    throw new ConfigError('--every needs --server (the callprobe server that tests and stores the samples), not --turn', 'missing-option');
  if (o.site === undefined) throw new ConfigError("--every needs --site NAME: the samples are stored as that site's", 'missing-option');
  if (!o.save) throw new ConfigError('--every stores every sample: --no-save does not go with it', 'bad-value');
  if (o.json || o.csv) throw new ConfigError('--every prints one JSON line per sample on stdout: --json and --csv do not go with it', 'bad-value');
  return { everyMs: f.every, count: f.count ?? null, forMs: f.for ?? null, spoolDir: f.spool };
}

/** The server could not be asked for a test: unreachable, or not a callprobe server. */
export class ServerCheckError extends Error {
  constructor(
    readonly reason: 'server-unreachable' | 'not-callprobe',
    message: string,
  ) {
    super(message);
    this.name = 'ServerCheckError';
  }
}

/**
 * Asks the server for its config before a browser starts, so a wrong URL is answered in
 * seconds ("GET /api/config: 404, not a callprobe server"), not after the page's timeouts.
 */
export async function checkCallprobeServer(base: string, timeoutMs: number = DEFAULTS.serverCheckTimeoutMs): Promise<void> {
  const url = new URL('/api/config', base).toString();
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new ServerCheckError(
      'server-unreachable',
      `cannot reach ${new URL(base).origin}: ${cause === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : cause}`,
    );
  }
  const notCallprobe = (why: string): ServerCheckError => new ServerCheckError('not-callprobe', `GET /api/config: ${why}, not a callprobe server`);
  if (res.status !== 200) throw notCallprobe(String(res.status));
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw notCallprobe('not JSON');
  }
  if (typeof body !== 'object' || body === null || typeof (body as { callprobeVersion?: unknown }).callprobeVersion !== 'string') {
    throw notCallprobe('no callprobeVersion');
  }
}

function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** The test page's URL for one headless test of `o` against `base` (the page runs with save=0: run saves). */
export function testPageUrl(o: RunCommandOptions, base: string): URL {
  const url = new URL(base);
  const q = url.searchParams;
  q.set('autostart', '1');
  q.set('audio', 'fake-device');
  if (o.duration !== undefined) q.set('duration', String(o.duration));
  if (o.profile !== 'client-to-edge') q.set('profile', o.profile);
  if (o.azureRegion) q.set('azureRegion', o.azureRegion);
  if (o.profile === 'azure-region') q.set('from', o.from);
  if (o.relay) q.set('turn', o.relay);
  if (o.turn) q.set('mode', 'loopback');
  if (o.compare) q.set('compare', '1');
  if (o.compareSeconds !== undefined) q.set('compareSeconds', String(o.compareSeconds));
  // The page must not save: run saves once, itself.
  q.set('save', '0');
  if (o.site !== undefined) q.set('site', o.site);
  if (o.ticket !== undefined) q.set('ticket', o.ticket);
  return url;
}

/** How long one headless test of `o` may take before it is abandoned (ms). */
export function testTimeoutMs(o: RunCommandOptions): number {
  const durationS = o.duration ?? DEFAULTS.testDurationS;
  // Compare mode adds one short stream per rung (at most 6 standard rungs, plus connecting).
  return (durationS + 60 + (o.compare ? 6 * ((o.compareSeconds ?? DEFAULTS.compareSecondsPerRung) + 10) : 0)) * 1000;
}

export function isLoopbackUrl(url: URL): boolean {
  return isLoopbackHost(url.hostname);
}

/** `callprobe run`: one headless test; returns the process exit code. */
export async function runCommand(o: RunCommandOptions): Promise<ExitCode> {
  const progress = (line: string): void => {
    process.stderr.write(`callprobe: ${line}\n`);
  };
  // Loaded on use: Playwright takes about a second to import, which no other command needs.
  const { runHeadless, HeadlessError } = await import('../headless/chromium.js');
  let local: RunningServer | null = null;
  const startedAt = new Date().toISOString();
  try {
    let base = o.server;
    const turn = o.turn ?? null;
    if (!base) {
      // No callprobe server: serve the page ourselves, without relay or reflector, on loopback.
      local = await serve(
        {
          host: '127.0.0.1',
          httpPort: 0,
          turnUdpPorts: [],
          tcpPorts: [],
          tls: null,
          relayIp: '127.0.0.1',
          relayPortRange: DEFAULTS.relayPortRange,
          secret: null,
          credentialTtlS: DEFAULTS.credentialTtlS,
          advertise: null,
          allowPeers: [],
          externalTurn: turn ? [turn] : [],
          quotas: DEFAULTS.relayQuotas,
          reflector: false,
          signalLimits: DEFAULTS.signalling,
          allowedOrigins: [],
          configPerMinutePerSource: DEFAULTS.signalling.configPerMinutePerSource,
          metricsListen: null,
          logLevel: 'warn',
          results: null,
          adminToken: null,
          trustProxy: [],
          alerts: null,
        },
        () => undefined,
      );
      base = local.url;
    }
    if (!local) await checkCallprobeServer(base);
    const url = testPageUrl(o, base);
    const turnHost = turn ? parseTurnUriParts(turn.url).host : '';
    progress(`testing ${turn ? turn.url : url.origin}`);
    const { result, browserVersion } = await runHeadless({
      pageUrl: url.toString(),
      browserPath: o.browser,
      allowLoopback: isLoopbackHost(url.hostname) || isLoopbackHost(turnHost),
      override: turn ? { turn: [turn], username: o.turnUser ?? '', credential: o.turnCredential ?? '' } : null,
      ignoreCertificateErrors: false,
      timeoutMs: testTimeoutMs(o),
      progress,
    });
    if (!result.ok) {
      progress(`could not test: ${result.message} (${result.reason})`);
      const record = couldNotTest(o, result.reason, result.message, startedAt, `Chromium ${browserVersion}`, turn ? turn.url : url.origin);
      await finish(o, record, progress);
      return exitCodeFor({ notTested: result.reason });
    }
    const report = stampReport(result.report, o, browserVersion);
    await finish(o, report, progress);
    return exitCodeFor({ verdict: report.summary.verdict, cutShort: report.outcome !== null });
  } catch (err) {
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
  return {
    kind: 'could-not-test',
    reason: code,
    message: message.slice(0, 4096),
    atMs: Date.now(),
    meta: {
      callprobeVersion: callprobeVersion(),
      startedAt,
      site: o.site ?? null,
      ticket: o.ticket ?? null,
      ...(browser !== null ? { browser } : {}),
      ...(server !== null ? { server } : {}),
    },
  };
}

/**
 * Saves the result (unless --no-save; only to a callprobe server), prints the code and link on
 * stderr, then stdout: the JSON (--json), the export's CSV header and row (--csv) or the summary.
 */
async function finish(o: RunCommandOptions, record: Report | CouldNotTest, progress: (line: string) => void): Promise<void> {
  let who: RowIdentity = { id: null, code: null };
  // Page parameters the page refused are a usage error, not a test: nothing to keep.
  const usage = 'kind' in record && record.reason === 'bad-parameters';
  if (o.save && o.server && !usage) {
    const saved = await saveResult(record, { server: o.server, adminToken: o.adminToken ?? null });
    if (saved.ok) {
      who = { id: saved.ack.id, code: saved.ack.code };
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
    const row = isReport ? reportRow(who, record) : couldNotTestRow(who, record, Date.parse(record.meta.startedAt ?? '') || record.atMs);
    process.stdout.write(csvHeader() + csvLine(row));
  } else if (isReport) {
    process.stdout.write(formatSummary(record));
  }
}
