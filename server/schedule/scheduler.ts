/**
 * `callprobe run --every 10m [--count N | --for 7d] --site NAME`: one long-lived process that
 * samples a site on a grid of slots (plan.ts), in one headless Chromium kept across samples
 * (started again when it dies), and stores every sample on the server through the spool
 * (spool.ts): written to disk first, then sent in order, idempotent by sampleId. A sample that
 * could not test is stored as a could-not-test record. One NDJSON line per sample on stdout,
 * one progress line per sample on stderr. SIGTERM (or SIGINT) abandons the running sample: it
 * is recorded as could-not-test `interrupted` and stored like any other; then the spool is
 * flushed once and the process exits. Exit 0 when every sample of this run was stored, else 4
 * (3 for a usage error the page reported).
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import type { CouldNotTest } from '../../src/analysis/schema/could-not-test-schema.js';
import { ConfigError, DEFAULTS, formatDurationMs } from '../../src/protocol/defaults.js';
import { EXIT, oneLine, type ExitCode } from '../commands/exit.js';
import {
  checkCallprobeServer,
  couldNotTest,
  isLoopbackUrl,
  ServerCheckError,
  stampReport,
  testPageUrl,
  testTimeoutMs,
  type RunCommandOptions,
} from '../commands/run.js';
import { saveResult } from '../commands/save.js';
import { nextSample, type MissedSlot, type SchedulePlan } from './plan.js';
import { Spool, type SendOutcome, type SpoolEntry } from './spool.js';

export interface ScheduleOptions {
  everyMs: number;
  /** --count, or null. */
  count: number | null;
  /** --for, or null (with neither: until stopped). */
  forMs: number | null;
  spoolDir: string;
}

/** One line of stdout per sample (NDJSON). */
export interface SampleLine {
  sampleId: string;
  slot: number;
  /** When the slot began (the sample started then, or `lateMs` after it). */
  scheduledAt: string;
  startedAt: string;
  lateMs: number;
  /** Slots that passed without a sample because the one before overran. */
  missedSlots: { slot: number; at: string }[];
  site: string | null;
  kind: 'report' | 'could-not-test';
  verdict: string | null;
  /** The could-not-test reason, or null. */
  reason: string | null;
  /** The result code when stored at once, else null. */
  code: string | null;
  /** stored: on the server; spooled: waiting in the spool; refused: the server refused it (kept in refused/); lost: neither spooled nor stored. */
  upload: 'stored' | 'spooled' | 'refused' | 'lost';
}

/** The server's answer to one upload, sorted into stored, try later, refused for good. */
async function send(entry: SpoolEntry, o: RunCommandOptions, server: string, codes: Map<string, string>): Promise<SendOutcome> {
  const saved = await saveResult(entry.record as unknown as Report | CouldNotTest, { server, adminToken: o.adminToken ?? null, sampleId: entry.sampleId });
  if (saved.ok) {
    codes.set(entry.sampleId, saved.ack.code);
    return { kind: 'stored' };
  }
  const why = `${saved.message} (${saved.reason})`;
  // No answer, the server's fault, or "slow down": the sample waits. Anything else is about the sample or the token.
  if (saved.status === null || saved.status >= 500 || saved.status === 429 || saved.status === 408) return { kind: 'retry', why };
  return { kind: 'refused', why };
}

function whyText(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err));
}

export async function scheduleCommand(o: RunCommandOptions, s: ScheduleOptions): Promise<ExitCode> {
  const server = o.server;
  if (server === undefined) throw new ConfigError('--every needs --server', 'missing-option');
  const origin = new URL(server).origin;
  const progress = (line: string): void => {
    process.stderr.write(`callprobe: ${line}\n`);
  };
  const { launchChromium, runTestPage, HeadlessError } = await import('../headless/chromium.js');
  const spool = new Spool(resolve(s.spoolDir));
  await spool.open();

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) return;
    progress(`${signal}: abandoning the running sample (if any), flushing the spool, exiting`);
    stop.abort(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const codes = new Map<string, string>();
  /** This run's samples not yet stored, and those refused. */
  const pending = new Set<string>();
  const refused = new Set<string>();
  /** Samples neither spooled (the disk refused) nor stored. */
  const lost = new Set<string>();
  /** One pass over the spool; `current` is the sample just taken (reported on its own line). */
  /** Returns what still waits (said on the sample's own line when there is one). */
  const flush = async (current: string | null): Promise<string | null> => {
    let r;
    try {
      r = await spool.drain(origin, DEFAULTS.schedule.spoolUploadsPerPass, (e) => send(e, o, server, codes));
    } catch (err) {
      progress(`spool ${spool.dir}: ${whyText(err)}`);
      return `spool unreadable: ${whyText(err)}`;
    }
    for (const id of r.stored) pending.delete(id);
    for (const x of r.refused) {
      progress(`the server refused sample ${x.sampleId}: ${x.why}; kept in ${spool.dir}/refused/`);
      if (pending.delete(x.sampleId)) refused.add(x.sampleId);
    }
    const backlog = r.stored.filter((id) => id !== current).length;
    if (backlog > 0) progress(`sent ${backlog} spooled sample(s) from ${spool.dir}`);
    if (r.otherServers > 0) progress(`${r.otherServers} spooled sample(s) in ${spool.dir} are for another server: left alone`);
    const waiting = r.left > 0 ? `${r.left} waiting${r.stoppedBy ? `: ${oneLine(r.stoppedBy)}` : ''}` : null;
    if (waiting !== null && current === null) progress(`${spool.dir}: ${waiting}`);
    return waiting;
  };

  let browser: Browser | null = null;
  let launches = 0;
  const pageUrl = testPageUrl(o, server);
  const launch = { browserPath: o.browser, allowLoopback: isLoopbackUrl(pageUrl), ignoreCertificateErrors: false };
  const ensureBrowser = async (): Promise<Browser> => {
    if (browser?.isConnected()) return browser;
    let last: unknown = null;
    for (let i = 0; i < DEFAULTS.schedule.browserLaunchTries; i++) {
      try {
        browser = await launchChromium(launch);
        progress(launches++ === 0 ? `Chromium ${browser.version()} started` : `Chromium had stopped: started again (${launches} starts)`);
        return browser;
      } catch (err) {
        last = err;
      }
    }
    throw last;
  };
  const closeBrowser = (): void => {
    void browser?.close().catch((err: Error) => progress(`closing Chromium: ${err.message}`));
  };
  stop.signal.addEventListener('abort', closeBrowser, { once: true });

  const plan: SchedulePlan = { anchorMs: Date.now(), everyMs: s.everyMs, count: s.count, endMs: s.forMs === null ? null : Date.now() + s.forMs };
  const state = { samples: 0, lastSlot: null as number | null };
  const limit = s.count !== null ? `/${s.count}` : '';
  progress(
    `sampling ${o.site ?? origin} every ${formatDurationMs(s.everyMs)}${s.count !== null ? `, ${s.count} sample${s.count === 1 ? '' : 's'}` : s.forMs !== null ? ` for ${formatDurationMs(s.forMs)}` : ' until stopped'}; spool ${spool.dir}`,
  );
  let usage = false;
  // Samples of an earlier run that are still waiting go first.
  await flush(null);
  try {
    while (!stop.signal.aborted) {
      const next = nextSample(plan, state, Date.now());
      const missed = (m: MissedSlot[]): { slot: number; at: string }[] => m.map((x) => ({ slot: x.slot, at: new Date(x.atMs).toISOString() }));
      if (next.missed.length > 0)
        progress(`missed slot(s) ${next.missed.map((m) => m.slot).join(', ')}: the sample before overran ${formatDurationMs(s.everyMs)}`);
      if (next.kind === 'done') break;
      const waitMs = next.startMs - Date.now();
      if (waitMs > 0) {
        try {
          await pause(waitMs, undefined, { signal: stop.signal });
        } catch (err) {
          if (stop.signal.aborted) break;
          throw err;
        }
      }
      state.samples++;
      state.lastSlot = next.slot;
      const sampleId = randomUUID();
      const startedAtMs = Date.now();
      const startedAt = new Date(startedAtMs).toISOString();
      let record: Report | CouldNotTest;
      try {
        await checkCallprobeServer(server);
        const b = await ensureBrowser();
        // A signal while Chromium was starting: abandon before the test begins.
        if (stop.signal.aborted) throw new Error('stopped before the test began');
        const { result, browserVersion } = await runTestPage(b, {
          pageUrl: pageUrl.toString(),
          ...launch,
          override: null,
          timeoutMs: testTimeoutMs(o),
          progress: () => undefined,
        });
        if (result.ok) {
          record = stampReport(result.report, o, browserVersion);
        } else {
          if (result.reason === 'bad-parameters') {
            progress(`the page refused its parameters: ${oneLine(result.message)}`);
            usage = true;
            break;
          }
          record = couldNotTest(o, result.reason, result.message, startedAt, `Chromium ${browserVersion}`, origin);
        }
      } catch (err) {
        if (stop.signal.aborted) {
          record = couldNotTest(
            o,
            'interrupted',
            `stopped by ${String(stop.signal.reason)} ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s into the sample`,
            startedAt,
            null,
            origin,
          );
        } else {
          const reason = err instanceof HeadlessError || err instanceof ServerCheckError ? err.reason : 'error';
          record = couldNotTest(o, reason, whyText(err), startedAt, null, origin);
        }
      }
      const entry: SpoolEntry = { v: 1, server: origin, sampleId, startedAtMs, record: record as unknown as Record<string, unknown> };
      pending.add(sampleId);
      let waiting: string | null = null;
      try {
        await spool.put(entry);
        waiting = await flush(sampleId);
      } catch (err) {
        // The disk refused (full, read-only): send this sample straight away; if that fails too it is lost, and said so.
        progress(`could not spool sample ${sampleId} in ${spool.dir}: ${whyText(err)}; sending it directly`);
        const r = await send(entry, o, server, codes);
        if (r.kind === 'stored') pending.delete(sampleId);
        else {
          progress(`sample ${sampleId} is lost: ${oneLine(r.why)}`);
          pending.delete(sampleId);
          lost.add(sampleId);
        }
      }
      const cnt = 'kind' in record ? record : null;
      const verdict = 'kind' in record ? null : record.summary.verdict;
      const line: SampleLine = {
        sampleId,
        slot: next.slot,
        scheduledAt: new Date(next.slotMs).toISOString(),
        startedAt,
        lateMs: Math.max(0, startedAtMs - next.slotMs),
        missedSlots: missed(next.missed),
        site: o.site ?? null,
        kind: cnt ? 'could-not-test' : 'report',
        verdict,
        reason: cnt ? cnt.reason : null,
        code: codes.get(sampleId) ?? null,
        upload: lost.has(sampleId) ? 'lost' : refused.has(sampleId) ? 'refused' : pending.has(sampleId) ? 'spooled' : 'stored',
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
      // Codes are only for this line: a year of samples keeps no map.
      codes.clear();
      const outcome = cnt ? `could not test (${cnt.reason})` : (verdict ?? '');
      progress(
        `sample ${state.samples}${limit} at ${startedAt}: ${outcome}, ${line.upload}${line.code ? ` ${line.code}` : ''}${waiting !== null ? ` (${waiting})` : ''}${line.lateMs >= 1000 ? `, ${(line.lateMs / 1000).toFixed(1)} s late` : ''}`,
      );
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    stop.signal.removeEventListener('abort', closeBrowser);
    await (browser as Browser | null)?.close().catch((err: Error) => progress(`closing Chromium: ${err.message}`));
  }
  if (pending.size > 0) await flush(null);
  progress(
    `${state.samples} sample(s): ${state.samples - pending.size - refused.size - lost.size} stored, ${pending.size} waiting in ${spool.dir}, ${refused.size} refused, ${lost.size} lost` +
      (pending.size > 0 ? ' (the next run sends the waiting ones first)' : ''),
  );
  if (usage) return EXIT.usage;
  return pending.size === 0 && refused.size === 0 && lost.size === 0 ? EXIT.pass : EXIT.cannotTest;
}
