import { html, nothing } from 'lit';
import type { LiveFigures } from '../../session/collect/live.js';
import type { Report } from '../../analysis/schema/report-schema.js';
import type { Devices } from '../../analysis/schema/devices-schema.js';
import type { NetworkContext } from '../../analysis/schema/network-schema.js';
import type { Reachability } from '../../analysis/schema/reachability-schema.js';
import type { Phase, RunOptions } from '../../session/env.js';
import { pageSearch, parsePageParams, sharedCodeOf, ParamError, type PageParams } from '../../protocol/page-url.js';
import { progress, publishEvidence, publishResult } from '../headless.js';
import { couldNotTestRecord, newSampleId, save, worthRecording, type CouldNotTestRecord, type SaveState } from '../results.js';
import { couldNotRunTitle, failureWords, whereWords } from '../could-not-run.js';
import type { Messages } from '../../analysis/present/catalogue.js';
import { answerMessages, pageMessages } from '../i18n.js';
import { errorLine, SetupError } from '../../session/net/errors.js';
import { codeNotLoaded, lostOr } from '../server-lost.js';
import { readPageOffers, type PageOffers } from '../../session/net/config.js';
import type { LoadOffer } from '../../protocol/api-load.js';
import { audioMayStart, primeAudio, releaseAudio } from '../audio.js';
import { missingApis } from '../../session/browser-support.js';
import { codeLine, ResultCard } from './result-card.js';
import { codeLineStyles } from './result-card.styles.js';
import { appStyles } from './app.styles.js';
import { CpElement } from './cp-element.js';
import type { CpEventMap } from './events.js';

import { TestForm } from './test-form.js';
import { EarlierTests } from './earlier-tests.js';
import { embedPoster, type EmbedPoster } from '../embed.js';
import { forgetTests, pageStorage, readEarlierTests, rememberTest, type EarlierTest } from '../earlier-tests.js';

/** How the session prefixes the busy-line phase's words on the status line (run-session.ts). */
const BUSY_PREFIX = 'busy line: ';

type State =
  | { kind: 'idle' }
  | { kind: 'running'; phase: Phase; detail: string; said?: string }
  | { kind: 'done'; report: Report; save: SaveState }
  | { kind: 'error'; reason: string; message: string; record: CouldNotTestRecord | null; save: SaveState | null }
  /** The user cancelled: a neutral state, not an error. */
  | { kind: 'cancelled' };

/** The page: settings, live figures while a test runs, then the graded verdict. It owns the settings. */
export class CpApp extends CpElement {
  // <cp-live-panel> and <cp-verdict-view> (and the analysis wording they need) are loaded when a test starts, like Chart.js.
  static override dependencies = { 'cp-test-form': TestForm, 'cp-result-card': ResultCard, 'cp-earlier-tests': EarlierTests };
  static override properties = {
    state: { state: true },
    params: { state: true },
    live: { state: true },
    paramError: { state: true },
    announcement: { state: true },
    viewError: { state: true },
    loadOffer: { state: true },
    devicesOpen: { state: true },
    answerWords: { state: true },
    earlier: { state: true },
    needsGesture: { state: true },
  };

  declare state: State;
  declare params: PageParams;
  declare live: LiveFigures | null;
  declare paramError: string | null;
  /** What the page's one live region says: set once per test end, in a region that exists before. */
  declare announcement: string;
  /** Set when a finished test's view could not load: the result is then shown as plain text. */
  declare viewError: string | null;
  /** The server's offers, read once when the page opens (null before). */
  private offers: Promise<PageOffers> | null = null;
  /** The busy-line phase the server offers (undefined until its config answered; null: not offered). */
  declare loadOffer: LoadOffer | null | undefined;
  /** Whether the device step (<cp-devices>, loaded when opened) is shown. */
  declare devicesOpen: boolean;
  /** The answer layer's words in the page's language, once loaded (with the verdict's code). */
  declare answerWords: Messages | null;
  /** This browser's earlier tests on this server, shown on arrival and after a test ended (not the one just shown); null before, or where storage is refused. */
  declare earlier: { tests: EarlierTest[]; cleared: boolean } | null;
  /** Set when an autostarted test waits for Start: the browser would not start its audio without a click. */
  declare needsGesture: boolean;
  /** Set when the page is in another site's frame: posts the test's progress to the parent. */
  private embed: EmbedPoster | null = null;
  /** What the device step found so far: carried into the report of the next test. */
  private devices: Devices | null = null;
  private controller: AbortController | null = null;
  private chartModule: Promise<typeof import('./rtt-chart.js')> | null = null;
  /** A could-not-test record's details as text (loaded with the test's chunks; until then its message). */
  private recordText: typeof import('../../analysis/present/could-not-test-text.js').couldNotTestText | null = null;
  private verdictModule: Promise<typeof import('./cp-verdict-view.js')> | null = null;
  private liveModule: Promise<typeof import('./cp-live-panel.js')> | null = null;
  /** Set when the page was opened at /r/<code>: it shows that stored result, read-only. */
  private readonly sharedCode = sharedCodeOf(location.pathname);

  static override styles = [appStyles, codeLineStyles];

  constructor() {
    super();
    this.state = { kind: 'idle' };
    this.live = null;
    this.paramError = null;
    this.announcement = '';
    this.viewError = null;
    this.devicesOpen = false;
    this.answerWords = null;
    this.earlier = null;
    this.needsGesture = false;
    try {
      this.params = parsePageParams(location.search);
    } catch (err) {
      this.paramError = err instanceof ParamError ? err.message : String(err);
      this.params = parsePageParams('');
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.sharedCode !== null) {
      // Loaded only here: a test page never needs it.
      void import('./cp-shared-result.js');
      return;
    }
    // First: an autostarted test in a frame tells its parent it started.
    void this.readOffers();
    if (this.paramError) {
      publishResult({ ok: false, reason: 'bad-parameters', message: this.paramError });
    } else if (this.params.autostart) {
      void this.autostart(this.params);
    } else {
      this.showEarlier();
    }
  }

  /**
   * An autostarted test (a link, an embed) starts only where the browser lets the page play its
   * audio without a click: otherwise its probes would carry nothing and the result be "no
   * answer". It then waits for Start, says so, and tells the embedding page (`needs-gesture`).
   */
  private async autostart(params: PageParams): Promise<void> {
    // A browser that cannot run the test at all is told so at once (browser-unsupported), never asked for a click.
    const runnable = missingApis(globalThis as unknown as Record<string, unknown>).length === 0;
    if (params.audio !== 'none' && runnable && !(await audioMayStart())) {
      this.needsGesture = true;
      this.embed?.post('needs-gesture', { code: null, verdict: null, answer: pageMessages().t('page.needsGesture') });
      this.showEarlier();
      return;
    }
    await this.start(params);
  }

  /** This browser's earlier tests on this server, listed on the idle page (none listed when there are none or storage is refused). */
  private showEarlier(): void {
    const storage = pageStorage();
    if (storage === null) return;
    const tests = readEarlierTests(storage);
    if (tests.length > 0) this.earlier = { tests, cleared: false };
  }

  /**
   * Asks the server what busy-line phase it offers, so the form states its real byte limit, and,
   * in a frame, which origins may be told the result (none when it cannot be read).
   */
  private async readOffers(): Promise<void> {
    const offers = readPageOffers(location.origin);
    this.offers = offers;
    this.embed = embedPoster(offers.then((o) => o.embedOrigins).catch(() => []));
    try {
      this.loadOffer = (await offers).load;
    } catch (err) {
      // The choice stays hidden; a test started now reports the unreachable server itself.
      this.loadOffer = null;
      console.warn(`callprobe: the server's config could not be read (${errorLine(err)}): the busy-line choice is hidden`);
    }
  }

  /**
   * A test ended with a stored result or none: the page's parent told (embedded), and this
   * browser's list of earlier tests shown (without this one, and unless another test started
   * since) and then kept with it.
   */
  private ended(end: { code: string | null; verdict: EarlierTest['verdict']; answer: string; atMs: number }): void {
    this.embed?.post('result', { code: end.code, verdict: end.verdict, answer: end.answer });
    const storage = pageStorage();
    if (storage === null) return;
    const before = readEarlierTests(storage).filter((t) => t.code !== end.code);
    if (this.state.kind !== 'running') this.earlier = { tests: before, cleared: false };
    if (end.code === null) return;
    // A page opened from a stored result goes on claiming the test just stored as the earlier one.
    if (this.params.previous !== null) this.params = { ...this.params, previous: end.code };
    try {
      rememberTest(storage, { code: end.code, atMs: end.atMs, verdict: end.verdict });
    } catch (err) {
      // Full or refused storage: this test is not kept in the list; nothing else changes.
      if (!(err instanceof DOMException)) throw err;
    }
  }

  private clearEarlier(): void {
    const storage = pageStorage();
    if (storage !== null) forgetTests(storage);
    this.earlier = { tests: [], cleared: true };
  }

  private async start(params: PageParams): Promise<void> {
    if (this.state.kind === 'running') return;
    this.needsGesture = false;
    // Before the first await, inside the Start click: an AudioContext made later may stay suspended (Safari).
    const primed = primeAudio(params.audio);
    this.params = params;
    history.replaceState(null, '', `${location.pathname}${pageSearch(params)}`);
    this.controller = new AbortController();
    this.live = null;
    this.viewError = null;
    this.state = { kind: 'running', phase: 'config', detail: 'loading' };
    progress("config: loading the test's code");
    this.earlier = null;
    this.embed?.post('started', { code: null, verdict: null, answer: null });
    this.chartModule ??= import('./rtt-chart.js');
    this.verdictModule ??= import('./cp-verdict-view.js');
    this.liveModule ??= import('./cp-live-panel.js');
    const startedAtMs = Date.now();
    const sampleId = newSampleId();
    let report: Report;
    try {
      // Every chunk an answer needs, loaded before the first probe: a server lost at any moment
      // after this leaves the page able to say so, with what was measured.
      const [{ runSession }, env, { provisionalProgress, provisionalView }, words] = await Promise.all([
        import('../../session/run-session.js'),
        import('../session-env.js'),
        this.liveModule,
        // The words of the live answer and the verdict, in the page's language.
        answerMessages(),
        this.verdictModule,
        this.chartModule,
        // simple-peer, which the session loads as it connects.
        import('../simple-peer-loader.js').then((m) => m.loadSimplePeer()),
        import('../../analysis/present/could-not-test-text.js').then((m) => {
          this.recordText = m.couldNotTestText;
        }),
      ]).catch(async (err: unknown) => {
        this.chartModule = this.verdictModule = this.liveModule = null;
        // Another release on the server (a page cached from an older one), or a server that stopped answering.
        const m = pageMessages();
        throw await codeNotLoaded(errorLine(err), import.meta.url, {
          mismatch: (detail) => m.t('page.versionMismatch', { detail }),
          lost: (detail) => m.t('page.connectionLost', { detail }),
        });
      });
      this.answerWords = words;
      // `?devices=1` (callprobe run --devices): the unattended device check first, with no one asked.
      if (params.devices) this.devices = await this.checkDevicesUnattended();
      let lastAnswerS: number | null = null;
      report = await runSession(
        {
          baseUrl: location.origin,
          durationS: params.durationS,
          profile: params.profile,
          mode: params.mode,
          turnPick: params.turnPick,
          override: readOverride(),
          audio: params.audio,
          compare: params.compare,
          signal: this.controller.signal,
          version: __CALLPROBE_VERSION__,
          site: params.site,
          ticket: params.ticket,
          arrivals: params.arrivals,
          load: params.load,
          video: params.video,
          locate: params.locate,
        },
        env.pageEnv(primed),
        {
          phase: (phase, detail) => {
            this.state = { kind: 'running', phase, detail };
            progress(`${phase}: ${detail}`);
          },
          // The budget's detail, said in the page's language (the session's detail is English).
          budget: (bytes) => {
            if (this.state.kind === 'running') this.state = { ...this.state, said: budgetWords(bytes, words) };
          },
          live: (f) => {
            this.live = f;
            // Headless runs (`callprobe run`) print each provisional answer on stderr, the first with what it means.
            const p = f.provisional;
            if (p !== null && p.atS !== lastAnswerS) {
              for (const line of provisionalProgress(p, lastAnswerS === null)) progress(line);
              lastAnswerS = p.atS;
              // The parent gets the headline in the page's language (the session words it in English).
              const from = f.provisionalFrom;
              const headline = words.lang === 'en' || from === null ? p.headline : provisionalView(from.facts, from.context, words).headline;
              this.embed?.post('provisional', { code: null, verdict: null, answer: headline });
            }
          },
          evidence: publishEvidence,
        },
      );
    } catch (err) {
      // A test that could not start because the server stopped answering is told as that.
      await this.failed(await lostOr(err, import.meta.url, (detail) => pageMessages().t('page.connectionLost', { detail })), params, startedAtMs, sampleId);
      return;
    } finally {
      this.controller = null;
      releaseAudio(primed);
    }
    // The device check, when one ran before: never graded, so the verdict is the session's.
    if (this.devices !== null) report = { ...report, devices: this.devices };
    if (params.network) report = { ...report, network: await this.readNetwork() };
    const reached = await this.tryListedRelays();
    if (reached !== null) report = { ...report, teamsReachability: reached };
    // Run again from a stored result's page: the browser's claim, checked by the server before it is kept.
    if (params.previous !== null) report = { ...report, meta: { ...report.meta, previousCode: params.previous } };
    // Measured evidence from here on: published and saved before anything that could fail to show it.
    const done: State = { kind: 'done', report, save: params.save ? { kind: 'saving' } : { kind: 'off' } };
    this.state = done;
    publishResult({ ok: true, report });
    const saving = params.save ? save(report, sampleId) : null;
    let answer = report.explanation[0] ?? report.summary.verdict;
    try {
      const [verdict, words] = await Promise.all([this.verdictModule, answerMessages()]);
      this.answerWords = words;
      answer = verdict.answerView(report, words).sentence;
      void this.showAnswer(report, verdict, words);
    } catch (err) {
      // The verdict's view could not load (a page cached from another release, a network cut): the result stays, in plain text.
      this.viewError = errorLine(err);
      this.announcement = pageMessages().t('page.finished', { sentence: answer });
    }
    const saved = saving ? await saving : null;
    if (saved) this.finishSave(done, saved);
    this.ended({ code: saved?.kind === 'saved' ? saved.code : null, verdict: report.summary.verdict, answer, atMs: startedAtMs });
  }

  /** The device check with no one at the page (the browser's fake devices in `callprobe run --devices`). */
  private async checkDevicesUnattended(): Promise<Devices> {
    this.state = { kind: 'running', phase: 'config', detail: 'checking the microphone, speaker and camera' };
    const { unattendedDeviceCheck } = await import('../devices/check.js');
    return unattendedDeviceCheck(progress);
  }

  /** The network the user is on (`?network=1`), read after the test; what could not be read is said as not compared, never a failed test. */
  private async readNetwork(): Promise<NetworkContext> {
    this.state = { kind: 'running', phase: 'analyzing', detail: 'reading the network this device is on' };
    progress('network: reading the connection and comparing the web and call paths');
    try {
      const { networkContext } = await import('../network/context.js');
      return await networkContext(location.origin);
    } catch (err) {
      console.warn(`callprobe: the network context could not be read (${errorLine(err)})`);
      return { connectionType: null, effectiveType: null, splitPath: 'not-compared' };
    }
  }

  /**
   * The media relays the server lists (`serve --teams-reachability`), tried after the test, their
   * code loaded only then; null when none are listed or the list could not be read (said in the
   * console, never a failed test).
   */
  private async tryListedRelays(): Promise<Reachability | null> {
    try {
      const targets = (await (this.offers ?? readPageOffers(location.origin))).teamsReachability;
      if (targets.length === 0) return null;
      this.state = { kind: 'running', phase: 'analyzing', detail: 'trying the listed media relays (reachability, not quality)' };
      progress('trying the listed media relays (reachability, not quality)');
      const { gatherReachability } = await import('../network/reachability.js');
      return await gatherReachability(targets);
    } catch (err) {
      console.warn(`callprobe: the listed media relays could not be tried (${errorLine(err)})`);
      return null;
    }
  }

  /** Opens the device step, loading its code now (it is not in the page's first bundle). */
  private async openDevices(): Promise<void> {
    try {
      const [, words] = await Promise.all([import('../devices/cp-devices.js'), answerMessages()]);
      this.answerWords ??= words;
      this.devicesOpen = true;
    } catch (err) {
      this.announcement = pageMessages().t('page.devicesNotLoaded', { detail: errorLine(err) });
    }
  }

  /** A test that could not run: said, published, and saved with its reason (a cancel is only said). */
  private async failed(err: unknown, params: PageParams, startedAtMs: number, sampleId: string): Promise<void> {
    const coded = err as { reason?: unknown } | null;
    const reason = err instanceof Error && typeof coded?.reason === 'string' ? coded.reason : 'internal-error';
    const message = errorLine(err);
    if (reason === 'cancelled') {
      this.state = { kind: 'cancelled' };
      this.announcement = pageMessages().t('page.cancelled');
      publishResult({ ok: false, reason, message });
      return;
    }
    const text = err instanceof Error && reason !== 'internal-error' ? err.message : message;
    this.announcement = `${couldNotRunTitle(reason)}: ${text}`;
    // Where it points and the edge it was on, when the session's evidence decided it (a hub's edges).
    const facts = err instanceof SetupError ? { ...(err.side !== null ? { side: err.side } : {}), ...(err.edge !== null ? { edge: err.edge } : {}) } : {};
    const record = worthRecording(reason) ? couldNotTestRecord(params, reason, text, startedAtMs, Date.now(), facts) : null;
    const failed: State = {
      kind: 'error',
      reason,
      message: text,
      record,
      save: record === null ? null : params.save ? { kind: 'saving' } : { kind: 'off' },
    };
    this.state = failed;
    publishResult({ ok: false, reason, message: text, ...facts });
    void this.focusCouldNotRun();
    const saved = record !== null && params.save ? await save(record, sampleId) : null;
    if (saved !== null) this.finishSave(failed, saved);
    this.ended({ code: saved?.kind === 'saved' ? saved.code : null, verdict: null, answer: failureWords(reason), atMs: startedAtMs });
  }

  /** The answer in view and focused, announced once, and in the tab's title. */
  private async showAnswer(report: Report, verdict: typeof import('./cp-verdict-view.js'), words: Messages): Promise<void> {
    const a = verdict.answerView(report, words);
    this.announcement = pageMessages().t('page.finished', { sentence: a.sentence });
    document.title = pageMessages().t('page.answerTitle', { sentence: a.sentence });
    await this.updateComplete;
    const view = this.renderRoot.querySelector('cp-verdict-view');
    if (view instanceof verdict.VerdictView) await view.focusAnswer();
  }

  /** A test that could not run: its title, what failed and the result code in view, the title focused. */
  private async focusCouldNotRun(): Promise<void> {
    await this.updateComplete;
    const box = this.renderRoot.querySelector<HTMLElement>('[data-could-not-run]');
    box?.scrollIntoView({ block: 'start' });
    box?.querySelector<HTMLElement>('#could-not-run')?.focus({ preventScroll: true });
  }

  /** Shows how saving ended, unless another test has started since. */
  private finishSave(shown: State, outcome: SaveState): void {
    if (this.state !== shown || (shown.kind !== 'done' && shown.kind !== 'error')) return;
    this.state = { ...shown, save: outcome };
  }

  /** " · 12 s left" while the idle probes stream (the busy-line phase ends by its own stop rule). */
  private secondsLeft(phase: Phase): string {
    if (phase !== 'streaming' || this.live === null || this.live.elapsedS > this.params.durationS) return '';
    return ` · ${pageMessages().t('page.secondsLeft', { seconds: String(Math.max(0, Math.ceil(this.params.durationS - this.live.elapsedS))) })}`;
  }

  private cancel(): void {
    this.controller?.abort();
  }

  override render() {
    if (this.sharedCode !== null) return html`<cp-shared-result .code=${this.sharedCode}></cp-shared-result>`;
    const st = this.state;
    const running = st.kind === 'running';
    const m = pageMessages();
    return html`
      ${this.paramError ? html`<div class="error" role="alert"><h2>${m.t('page.badLink')}</h2><p>${this.paramError}</p></div>` : nothing}
      <cp-test-form
        .params=${this.params}
        .loadOffer=${this.loadOffer}
        ?running=${running}
        @cp-start=${(e: CpEventMap['cp-start']) => void this.start(e.detail)}
        @cp-cancel=${() => this.cancel()}
        @cp-params-change=${(e: CpEventMap['cp-params-change']) => {
          this.params = e.detail;
        }}
      ></cp-test-form>
      ${
        this.devicesOpen
          ? html`<cp-devices .messages=${this.answerWords ?? undefined} @cp-devices=${(e: CpEventMap['cp-devices']) => {
              this.devices = e.detail;
            }}></cp-devices>`
          : html`<p class="devices-open"><button type="button" ?disabled=${running} @click=${() => void this.openDevices()}>${m.t('page.devices')}</button></p>`
      }
      <p class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</p>
      ${st.kind === 'running' ? html`<p class="phase" role="status" aria-live="polite">${phaseLine(st.phase, st.detail, st.said)}${this.secondsLeft(st.phase)}</p>` : nothing}
      ${st.kind === 'idle' && this.needsGesture ? html`<p class="neutral" role="status" data-needs-gesture>${m.t('page.needsGesture')}</p>` : nothing}
      ${st.kind === 'cancelled' ? html`<p class="neutral">${m.t('page.cancelled')}</p>` : nothing}
      ${
        running || (st.kind === 'done' && this.live !== null)
          ? html`<cp-live-panel .figures=${this.live} .messages=${this.answerWords ?? undefined} .chart=${this.chartModule} .durationS=${this.params.durationS} ?final=${st.kind === 'done'} .busy=${st.kind === 'running' && st.detail.startsWith(BUSY_PREFIX) ? st.detail.slice(BUSY_PREFIX.length) : null}
              .stage=${st.kind === 'running' ? stageOf(st.phase) : 'finishing'}></cp-live-panel>`
          : nothing
      }
      ${
        st.kind === 'done' && this.viewError === null && this.answerWords !== null
          ? html`<cp-verdict-view .report=${st.report} .save=${st.save} .messages=${this.answerWords}></cp-verdict-view>`
          : nothing
      }
      ${
        st.kind === 'done' && this.viewError !== null
          ? html`<div class="error" role="alert"><h2>${m.t('page.viewError')}</h2>
              <p>${m.t('page.viewError.text', { detail: this.viewError })}</p></div>
            <cp-result-card .save=${st.save} .details=${st.report.explanation.join('\n')} .json=${st.report}
              .fileName=${`callprobe-${st.report.meta.startedAt.replace(/[:.]/g, '-')}.json`}></cp-result-card>`
          : nothing
      }
      ${
        st.kind === 'error'
          ? html`<div class="error" role="alert" data-could-not-run><h2 id="could-not-run" tabindex="-1">${couldNotRunTitle(st.reason)}</h2>
              <p data-could-not-run-answer>${failureWords(st.reason)}</p>
              ${st.save === null ? nothing : codeLine(st.save)}
              <p>${whereWords(st.reason)}</p>
              <p><small>${m.t('page.detail', { message: st.message, reason: st.reason })}</small></p></div>
            ${
              st.record !== null && st.save !== null
                ? html`<cp-result-card .save=${st.save} .details=${this.recordText === null ? st.message : this.recordText(st.record)} .json=${st.record}
                  .fileName=${`callprobe-could-not-test-${st.record.meta.startedAt.replace(/[:.]/g, '-')}.json`}></cp-result-card>`
                : nothing
            }`
          : nothing
      }
      ${
        this.earlier !== null && (st.kind === 'done' || st.kind === 'error' || st.kind === 'idle')
          ? html`<cp-earlier-tests .tests=${this.earlier.tests} ?cleared=${this.earlier.cleared} @cp-earlier-clear=${() => this.clearEarlier()}></cp-earlier-tests>`
          : nothing
      }
    `;
  }
}

/** A TURN server handed in by `callprobe run --turn` (never through the URL: it holds credentials). */
function readOverride(): RunOptions['override'] {
  const o = (globalThis as { __callprobeOverride?: RunOptions['override'] }).__callprobeOverride;
  return o ?? null;
}

/** Where the live panel says the test is. */
function stageOf(p: Phase): 'connecting' | 'measuring' | 'finishing' {
  return p === 'config' || p === 'connecting' ? 'connecting' : p === 'streaming' ? 'measuring' : 'finishing';
}

/** The progress line: the phase, and in English the session's detail ("Measuring: sending packets like a call's audio…"), which is English only; another language says only what the page words itself (the busy-line budget). */
function phaseLine(p: Phase, detail: string, said: string | undefined): string {
  const m = pageMessages();
  const phase = m.t(`page.phase.${p}`);
  return m.lang === 'en' ? `${phase}: ${detail}` : said === undefined ? phase : `${phase}: ${said}`;
}

/** The busy-line budget in the answer layer's words (present/load.ts's budgetSentence, which the page's first load leaves out). */
function budgetWords(bytes: number, m: Messages): string {
  const mb = (b: number): string => m.t('load.megabytes', { value: m.fmt.num(b / 1e6) });
  return m.t('load.budget', { each: mb(bytes), total: mb(2 * bytes) });
}
