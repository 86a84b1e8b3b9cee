/**
 * `callprobe run --every 10m [--count N] [--for 7d | --until TIME] --site NAME`: one long-lived
 * process that samples a site on a grid of slots (plan.ts), in one headless Chromium kept across
 * samples (started again when it dies), and stores every sample on the server through the spool
 * (spool.ts): written to disk first, then sent in order, idempotent by sampleId. A sample that
 * could not test is stored as a could-not-test record. The schedule (grid origin, next slot,
 * end) is kept in the spool folder (state.ts): the same command started again resumes it and
 * names the slots that passed while it was not running. One NDJSON line per sample, and one per
 * missed slot (`{"kind":"missed",...}`), on stdout; one progress line per sample on stderr.
 * SIGTERM (or SIGINT) abandons the running sample: it is recorded as could-not-test
 * `interrupted` and stored like any other; then the spool is flushed once and the process exits.
 * Exit 0 when every sample of this run was stored, whatever its verdict (a pass, a fail and a
 * pass only over a fallback path, which `run` alone exits 5 for, are all stored samples), else 4
 * (3 for a usage error the page reported).
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import type * as Headless from '../headless/chromium.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import type { CouldNotTest } from '../../src/analysis/schema/could-not-test-schema.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { formatDurationMs } from '../../src/protocol/values.js';
import { EXIT, oneLine, type ExitCode } from '../exit.js';
import { checkRelayOffered, type RunCommandOptions, type ScheduleOptions } from '../options.js';
import { checkCallprobeServer, ServerCheckError } from '../server-check.js';
import { isLoopbackUrl, testPageUrl, testTimeoutMs } from '../test-page.js';
import { couldNotTest, stampReport } from '../record.js';
import { countingQos } from '../qos-count.js';
import { cautionOfReport } from '../../src/analysis/grade/caution.js';
import { verdictWords } from '../../src/analysis/present/answer.js';
import { requireUploadToken } from '../token-check.js';
import { canonicalSite } from '../../src/protocol/site-name.js';
import { nextSample, resumeSchedule, scheduleOver, slotMs, type MissedSlot, type NextSample, type SavedSchedule, type SchedulePlan } from './plan.js';
import { Spool } from './spool.js';
import { UploadLedger, type Upload } from './upload-ledger.js';
import { readScheduleState, ScheduleStateError, setAsideScheduleState, STATE_FILE, writeScheduleState } from './state.js';

/** One line of stdout per sample (NDJSON). */
interface SampleLine {
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
  /** Why a pass is not a plain one (summary.caution, e.g. "fallback-path"), or null. A stored sample all the same. */
  caution: string | null;
  /** The could-not-test reason, or null. */
  reason: string | null;
  /** The result code when stored at once, else null. */
  code: string | null;
  /** stored: on the server; spooled: waiting in the spool; refused: the server refused it (kept in refused/); lost: neither spooled nor stored. */
  upload: 'stored' | 'spooled' | 'refused' | 'lost';
}

/** Why a slot passed without a sample. */
export type MissedReason = 'overrun' | 'not-running' | 'interrupted';

/**
 * One line of stdout per missed slot (NDJSON), or one for a run of slots beyond those listed
 * (`throughSlot` and `slots` set): overrun (the sample before ran past it), not-running (no
 * scheduler ran: stopped, crashed, machine down) or interrupted (its sample was running when
 * the scheduler was killed).
 */
export interface MissedLine {
  kind: 'missed';
  slot: number;
  scheduledAt: string;
  reason: MissedReason;
  site: string | null;
  throughSlot?: number;
  slots?: number;
}

/** The missed lines of one answer of the plan (listed slots, then the counted rest as one line). */
export function missedLines(next: Pick<NextSample, 'missed' | 'missedMore'>, reason: MissedReason, site: string | null, plan: SchedulePlan): MissedLine[] {
  const at = (slot: number): string => new Date(slotMs(plan, slot)).toISOString();
  const lines: MissedLine[] = next.missed.map((m) => ({ kind: 'missed', slot: m.slot, scheduledAt: new Date(m.atMs).toISOString(), reason, site }));
  const more = next.missedMore ?? 0;
  const first = (next.missed.at(-1)?.slot ?? -1) + 1;
  if (more > 0) lines.push({ kind: 'missed', slot: first, scheduledAt: at(first), reason, site, throughSlot: first + more - 1, slots: more });
  return lines;
}

const MISSED_WHY: Record<MissedReason, string> = {
  overrun: 'the sample before overran',
  'not-running': 'no scheduler was running',
  interrupted: 'the scheduler was stopped during its sample',
};

function whyText(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err));
}

/** The schedule of this run: the one kept in the spool folder when the same command runs again, else a new grid. */
async function loadSchedule(
  dir: string,
  want: Parameters<typeof resumeSchedule>[1],
  progress: (line: string) => void,
): Promise<{ saved: SavedSchedule; resumed: boolean }> {
  let kept: SavedSchedule | null = null;
  try {
    kept = await readScheduleState(dir);
  } catch (err) {
    if (!(err instanceof ScheduleStateError)) throw err;
    progress(`${err.message}: moved to ${await setAsideScheduleState(dir, Date.now())}; a new schedule starts`);
  }
  const r = resumeSchedule(kept, want, Date.now());
  if (r.replaced !== null) progress(`${join(dir, STATE_FILE)} held another schedule (${r.replaced}): a new one starts`);
  if (!r.resumed && want.untilMs !== null && want.untilMs <= Date.now())
    throw new ConfigError('bad-value', `--until ${new Date(want.untilMs).toISOString()} is in the past: nothing to sample`);
  return r;
}

/** The one Chromium of a schedule, kept across samples and started again when it died (a few tries, then the sample could not test). */
class KeptBrowser {
  private browser: Browser | null = null;
  private launches = 0;

  constructor(
    private readonly launch: () => Promise<Browser>,
    private readonly progress: (line: string) => void,
  ) {}

  async ensure(): Promise<Browser> {
    if (this.browser?.isConnected()) return this.browser;
    let last: unknown = null;
    for (let i = 0; i < DEFAULTS.schedule.browserLaunchTries; i++) {
      try {
        const b = await this.launch();
        this.browser = b;
        this.progress(this.launches++ === 0 ? `Chromium ${b.version()} started` : `Chromium had stopped: started again (${this.launches} starts)`);
        return b;
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  /** Closes it without waiting (a signal): a failure is said. */
  close(): void {
    void this.closed();
  }

  async closed(): Promise<void> {
    await this.browser?.close().catch((err: Error) => this.progress(`closing Chromium: ${err.message}`));
  }
}

/** A run stopped by a refused token: a usage error (exit 3, which systemd's unit does not restart), the samples waiting for a good token. */
function tokenStop(dir: string, waiting: number, progress: (line: string) => void): ExitCode {
  progress(
    `${waiting} sample(s) wait in ${dir} for a live token of this site: give one (--token or CALLPROBE_TOKEN) and start again, or send them with callprobe spool send --spool ${dir}`,
  );
  return EXIT.usage;
}

/**
 * The site's edge (where its last sample ran) and the edge that sample found clearly nearer: the
 * site keeps its edge until another is clearly nearer on two samples in a row (siteEdge), and both
 * are measured in every locate while the others take turns (probePlan).
 */
interface SiteEdge {
  keep: string | null;
  challenger: string | null;
}

/** What takes a sample: the command's options, the server, the kept browser and how it was launched, the run's stop signal. */
interface Sampler {
  o: RunCommandOptions;
  server: string;
  origin: string;
  headless: { runTestPage: typeof Headless.runTestPage; HeadlessError: typeof Headless.HeadlessError };
  browser: KeptBrowser;
  launch: Headless.LaunchOptions;
  stop: AbortSignal;
  progress: (line: string) => void;
}

/** One sample's test: its record and the site's edge after it, or a usage error (no sample can run; `closeSlot`: the slot is not left running). */
type Taken = { kind: 'record'; record: Report | CouldNotTest; siteEdge: SiteEdge } | { kind: 'usage'; closeSlot: boolean };

/** The test of the sample of `slot`, started at `startedAtMs`: a report, or a could-not-test record (`interrupted` when the run was stopped). */
async function takeSample(x: Sampler, slot: number, siteEdge: SiteEdge, startedAtMs: number): Promise<Taken> {
  const { o, server, origin, stop, progress } = x;
  const startedAt = new Date(startedAtMs).toISOString();
  try {
    const offer = await checkCallprobeServer(server);
    if (o.relay !== undefined) checkRelayOffered(o.relay, offer.turn);
    const b = await x.browser.ensure();
    // A signal while Chromium was starting: abandon before the test begins.
    if (stop.aborted) throw new Error('stopped before the test began');
    const { result, browserVersion } = await countingQos(o.qos === true, offer.turn, progress, () =>
      x.headless.runTestPage(b, {
        pageUrl: testPageUrl(o, server, { round: slot, ...siteEdge }).toString(),
        ...x.launch,
        override: null,
        timeoutMs: testTimeoutMs(o),
        progress: () => undefined,
      }),
    );
    if (result.ok) {
      const record = stampReport(result.report, o, browserVersion);
      return {
        kind: 'record',
        record,
        siteEdge: { keep: result.report.meta.edge?.id ?? siteEdge.keep, challenger: result.report.locate?.site?.challenger ?? null },
      };
    }
    if (result.reason === 'bad-parameters') {
      progress(`the page refused its parameters: ${oneLine(result.message)}`);
      return { kind: 'usage', closeSlot: true };
    }
    const record = couldNotTest(o, result.reason, result.message, startedAt, `Chromium ${browserVersion}`, origin, result);
    // Not a sample in a row: a challenger must be nearer on two that measured.
    return { kind: 'record', record, siteEdge: { ...siteEdge, challenger: null } };
  } catch (err) {
    if (err instanceof ConfigError) {
      // The server does not offer the relay --relay names: no sample could ever run.
      progress(oneLine(err.message));
      return { kind: 'usage', closeSlot: false };
    }
    if (stop.aborted) {
      const why = `stopped by ${String(stop.reason)} ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s into the sample`;
      return { kind: 'record', record: couldNotTest(o, 'interrupted', why, startedAt, null, origin), siteEdge };
    }
    const reason = err instanceof x.headless.HeadlessError || err instanceof ServerCheckError ? err.reason : 'error';
    return { kind: 'record', record: couldNotTest(o, reason, whyText(err), startedAt, null, origin), siteEdge };
  }
}

/** The stdout line of a sample taken in `next`'s slot at `startedAtMs`, after the slots it overran. */
function sampleLine(
  sampleId: string,
  next: { slot: number; slotMs: number },
  startedAtMs: number,
  overran: MissedSlot[],
  site: string | null,
  record: Report | CouldNotTest,
  up: Upload,
): SampleLine {
  const cnt = 'kind' in record ? record : null;
  return {
    sampleId,
    slot: next.slot,
    scheduledAt: new Date(next.slotMs).toISOString(),
    startedAt: new Date(startedAtMs).toISOString(),
    lateMs: Math.max(0, startedAtMs - next.slotMs),
    missedSlots: overran.map((x) => ({ slot: x.slot, at: new Date(x.atMs).toISOString() })),
    site,
    kind: cnt ? 'could-not-test' : 'report',
    verdict: 'kind' in record ? null : record.summary.verdict,
    caution: cnt ? null : cautionOfReport(record as Report),
    reason: cnt ? cnt.reason : null,
    code: up.code,
    upload: up.upload,
  };
}

/** The stderr line of a sample: the n-th of the run, its outcome, where it went, and how late it started. */
function sampleProgress(n: string, line: SampleLine, record: Report | CouldNotTest, waiting: string | null): string {
  const outcome = 'kind' in record ? `could not test (${record.reason})` : verdictWords(record).toLowerCase();
  return `sample ${n} at ${line.startedAt}: ${outcome}, ${line.upload}${line.code ? ` ${line.code}` : ''}${waiting !== null ? ` (${waiting})` : ''}${line.lateMs >= 1000 ? `, ${(line.lateMs / 1000).toFixed(1)} s late` : ''}`;
}

export async function scheduleCommand(o0: RunCommandOptions, s: ScheduleOptions): Promise<ExitCode> {
  const o: RunCommandOptions = { ...o0, duration: s.sampleDurationS };
  const server = o.server;
  if (server === undefined) throw new ConfigError('missing-option', '--every needs --server');
  if (o.site === undefined) throw new ConfigError('missing-option', '--every needs --site');
  const site = o.site;
  const origin = new URL(server).origin;
  const progress = (line: string): void => {
    process.stderr.write(`callprobe: ${line}\n`);
  };
  // A wrong or revoked token ends the run here, in a second, before a browser or a sample (exit 3).
  if (o.adminToken !== undefined) await requireUploadToken(server, site, o.adminToken, progress);
  const headless = await import('../headless/chromium.js');
  const spool = new Spool(resolve(s.spoolDir));
  await spool.open();
  const siteKey = canonicalSite(site).key;
  const loaded = await loadSchedule(spool.dir, { server: origin, siteKey, everyMs: s.everyMs, forMs: s.forMs, untilMs: s.untilMs }, progress);
  let sched = loaded.saved;
  const save = async (next: Partial<SavedSchedule>): Promise<void> => {
    sched = { ...sched, ...next };
    await writeScheduleState(spool.dir, sched);
  };
  const print = (line: object): void => {
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  const plan: SchedulePlan = { anchorMs: sched.anchorMs, everyMs: s.everyMs, count: s.count, endMs: sched.endMs };
  const reportMissed = (next: Pick<NextSample, 'missed' | 'missedMore'>, reason: MissedReason): void => {
    const lines = missedLines(next, reason, site, plan);
    if (lines.length === 0) return;
    for (const l of lines) print(l);
    const n = next.missed.length + (next.missedMore ?? 0);
    progress(`missed ${n} slot(s) from ${lines[0]?.slot ?? 0}: ${MISSED_WHY[reason]}`);
  };
  if (loaded.resumed)
    progress(
      `resuming the schedule in ${join(spool.dir, STATE_FILE)}: slots from ${new Date(sched.anchorMs).toISOString()}, next slot ${sched.nextSlot}${sched.endMs === null ? '' : `, ending ${new Date(sched.endMs).toISOString()}`}`,
    );
  // The slot whose sample was running when a scheduler was killed: no sample was kept for it.
  if (sched.runningSlot !== null) reportMissed({ missed: [{ slot: sched.runningSlot, atMs: slotMs(plan, sched.runningSlot) }] }, 'interrupted');
  await save({ runningSlot: null });

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) return;
    progress(`${signal}: abandoning the running sample (if any), flushing the spool, exiting`);
    stop.abort(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const ledger = new UploadLedger(spool, { origin, server, token: o.adminToken ?? null, siteKey, site }, progress);
  const pageUrl = testPageUrl(o, server);
  const launch = { browserPath: o.browser, allowLoopback: isLoopbackUrl(pageUrl), ignoreCertificateErrors: false };
  const browser = new KeptBrowser(() => headless.launchChromium(launch), progress);
  const closeBrowser = (): void => browser.close();
  stop.signal.addEventListener('abort', closeBrowser, { once: true });
  const sampler: Sampler = { o, server, origin, headless, browser, launch, stop: stop.signal, progress };

  const state = { samples: 0, lastSlot: sched.nextSlot === 0 ? null : sched.nextSlot - 1 };
  const limit = s.count !== null ? `/${s.count}` : '';
  const end = sched.endMs === null ? '' : ` until ${new Date(sched.endMs).toISOString()}`;
  progress(
    `sampling ${site} every ${formatDurationMs(s.everyMs)} (${s.sampleDurationS} s tests)${s.count !== null ? `, ${s.count} sample${s.count === 1 ? '' : 's'}` : ''}${end}${s.count === null && end === '' ? ' until stopped' : ''}; spool ${spool.dir}`,
  );
  let usage = false;
  let siteEdge: SiteEdge = { keep: null, challenger: null };
  // Samples of an earlier run that are still waiting go first.
  const waitingBefore = await ledger.flush(null);
  if (ledger.tokenRefused !== null) return tokenStop(spool.dir, ledger.waitingCount + (await spool.files()).length, progress);
  if (scheduleOver(sched)) {
    progress(
      `the schedule ended at ${new Date(sched.endMs ?? 0).toISOString()}: nothing to sample (to start another, change --for or --until, or remove ${join(spool.dir, STATE_FILE)})`,
    );
    return waitingBefore === null ? EXIT.pass : EXIT.cannotTest;
  }
  /** Slots missed before this run's first answer passed while no scheduler ran. */
  let firstAnswer = loaded.resumed;
  try {
    while (!stop.signal.aborted) {
      const next = nextSample(plan, state, Date.now());
      reportMissed(next, firstAnswer ? 'not-running' : 'overrun');
      const overran = firstAnswer ? [] : next.missed;
      firstAnswer = false;
      if (next.kind === 'done') {
        // The end of --for or --until reached (not this run's --count): every slot before it is accounted for, and the schedule is over.
        const countDone = plan.count !== null && state.samples >= plan.count;
        if (!countDone && plan.endMs !== null) await save({ nextSlot: Math.max(sched.nextSlot, Math.ceil((plan.endMs - plan.anchorMs) / plan.everyMs)) });
        break;
      }
      await save({ nextSlot: next.slot });
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
      await save({ nextSlot: next.slot + 1, runningSlot: next.slot });
      const sampleId = randomUUID();
      const startedAtMs = Date.now();
      const taken = await takeSample(sampler, next.slot, siteEdge, startedAtMs);
      if (taken.kind === 'usage') {
        if (taken.closeSlot) await save({ runningSlot: null });
        usage = true;
        break;
      }
      siteEdge = taken.siteEdge;
      const up = await ledger.put({ v: 1, server: origin, sampleId, startedAtMs, record: taken.record as unknown as Record<string, unknown> });
      await save({ runningSlot: null });
      const line = sampleLine(sampleId, next, startedAtMs, overran, site, taken.record, up);
      print(line);
      if (ledger.tokenRefused !== null) break;
      progress(sampleProgress(`${state.samples}${limit}`, line, taken.record, up.waiting));
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    stop.signal.removeEventListener('abort', closeBrowser);
    await browser.closed();
  }
  await ledger.finish(state.samples);
  if (ledger.tokenRefused !== null) return tokenStop(spool.dir, (await spool.files()).length, progress);
  if (usage) return EXIT.usage;
  return ledger.allStored ? EXIT.pass : EXIT.cannotTest;
}
