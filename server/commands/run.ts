import { isIP } from 'node:net';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import type { TurnServerEntry } from '../../src/protocol/api.js';
import { ConfigError, DEFAULTS, parseTurnUriParts } from '../../src/protocol/defaults.js';
import { serve, type RunningServer } from './serve.js';
import { formatSummary } from './summary.js';
import { EXIT, exitCodeFor, type ExitCode } from './exit.js';

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
  json: boolean;
  browser: string;
}

/** Checks the flags that only make sense together; throws ConfigError (a usage error). */
export function checkRunFlags(o: RunCommandOptions): RunCommandOptions {
  if (o.profile === 'azure-region' && !o.azureRegion) throw new ConfigError('--profile azure-region needs --azure-region', 'missing-option');
  if (!o.server && !o.turn) throw new ConfigError('give --server URL (or --turn URI for a TURN server without callprobe)', 'missing-option');
  if (o.turn && (!o.turnUser || !o.turnCredential)) throw new ConfigError('--turn needs --turn-user and --turn-credential', 'missing-option');
  return o;
}

function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** `callprobe run`: one headless test; returns the process exit code. */
export async function runCommand(o: RunCommandOptions): Promise<ExitCode> {
  const progress = (line: string): void => {
    process.stderr.write(`callprobe: ${line}\n`);
  };
  // Loaded on use: Playwright takes about a second to import, which no other command needs.
  const { runHeadless, HeadlessError } = await import('../headless/chromium.js');
  let local: RunningServer | null = null;
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
        },
        () => undefined,
      );
      base = local.url;
    }
    const url = new URL(base);
    const q = url.searchParams;
    q.set('autostart', '1');
    q.set('audio', 'fake-device');
    if (o.duration !== undefined) q.set('duration', String(o.duration));
    if (o.profile !== 'client-to-edge') q.set('profile', o.profile);
    if (o.azureRegion) q.set('azureRegion', o.azureRegion);
    if (o.profile === 'azure-region') q.set('from', o.from);
    if (o.relay) q.set('turn', o.relay);
    if (turn) q.set('mode', 'loopback');
    const turnHost = turn ? parseTurnUriParts(turn.url).host : '';
    progress(`testing ${turn ? turn.url : url.origin}`);
    const durationS = o.duration ?? DEFAULTS.testDurationS;
    const { result, browserVersion } = await runHeadless({
      pageUrl: url.toString(),
      browserPath: o.browser,
      allowLoopback: isLoopbackHost(url.hostname) || isLoopbackHost(turnHost),
      override: turn ? { turn: [turn], username: o.turnUser ?? '', credential: o.turnCredential ?? '' } : null,
      ignoreCertificateErrors: false,
      timeoutMs: (durationS + 60) * 1000,
      progress,
    });
    if (!result.ok) {
      progress(`could not test: ${result.message} (${result.reason})`);
      if (o.json) process.stdout.write(`${JSON.stringify({ error: { reason: result.reason, message: result.message } }, null, 2)}\n`);
      return exitCodeFor({ notTested: result.reason });
    }
    const report: Report = result.report;
    (report.meta as { browser: string }).browser = `Chromium ${browserVersion}`;
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatSummary(report));
    return exitCodeFor({ verdict: report.summary.verdict });
  } catch (err) {
    const reason = err instanceof HeadlessError ? err.reason : 'error';
    progress(`could not test: ${(err as Error).message}`);
    if (o.json) process.stdout.write(`${JSON.stringify({ error: { reason, message: (err as Error).message } }, null, 2)}\n`);
    return EXIT.cannotTest;
  } finally {
    await local?.close();
  }
}
