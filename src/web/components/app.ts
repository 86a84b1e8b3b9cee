import { html, nothing } from 'lit';
import type { LiveFigures } from '../../session/collect/live.js';
import type { Report } from '../../analysis/schema/report-schema.js';
import type { Phase, RunOptions } from '../../session/run-session.js';
import { parseParams, sharedCodeOf, toSearch, ParamError, type PageParams } from '../params.js';
import { progress, publishResult } from '../headless.js';
import { couldNotTestRecord, newSampleId, save, worthRecording, type SaveState } from '../results.js';
import type { CouldNotTestRecord } from '../../session/net/results.js';
import { couldNotTestText } from '../../analysis/present/result-text.js';
import { ResultCard } from './result-card.js';
import { appStyles } from './app.styles.js';
import { CpElement } from './cp-element.js';
import type { CpEventMap } from './events.js';
import { LivePanel } from './live-panel.js';

import { TestForm } from './test-form.js';

/** How often a headless run prints a live line on stderr. */
const LIVE_PROGRESS_EVERY_S = 5;

type State =
  | { kind: 'idle' }
  | { kind: 'running'; phase: Phase; detail: string }
  | { kind: 'done'; report: Report; save: SaveState }
  | { kind: 'error'; reason: string; message: string; record: CouldNotTestRecord | null; save: SaveState | null }
  /** The user cancelled: a neutral state, not an error. */
  | { kind: 'cancelled' };

/** The page: settings, live figures while a test runs, then the graded verdict. It owns the settings. */
export class CpApp extends CpElement {
  // <cp-verdict-view> (and the analysis wording it needs) is loaded when a test starts, like Chart.js.
  static override dependencies = { 'cp-test-form': TestForm, 'cp-live-panel': LivePanel, 'cp-result-card': ResultCard };
  static override properties = {
    state: { state: true },
    params: { state: true },
    live: { state: true },
    paramError: { state: true },
    announcement: { state: true },
  };

  declare state: State;
  declare params: PageParams;
  declare live: LiveFigures | null;
  declare paramError: string | null;
  /** What the page's one live region says: set once per test end, in a region that exists before. */
  declare announcement: string;
  private controller: AbortController | null = null;
  private chartModule: Promise<typeof import('./rtt-chart.js')> | null = null;
  private verdictModule: Promise<typeof import('./cp-verdict-view.js')> | null = null;
  /** Set when the page was opened at /r/<code>: it shows that stored result, read-only. */
  private readonly sharedCode = sharedCodeOf(location.pathname);

  static override styles = appStyles;

  constructor() {
    super();
    this.state = { kind: 'idle' };
    this.live = null;
    this.paramError = null;
    this.announcement = '';
    try {
      this.params = parseParams(location.search);
    } catch (err) {
      this.paramError = err instanceof ParamError ? err.message : String(err);
      this.params = parseParams('');
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.sharedCode !== null) {
      // Loaded only here: a test page never needs it.
      void import('./cp-shared-result.js');
      return;
    }
    if (this.paramError) {
      publishResult({ ok: false, reason: 'bad-parameters', message: this.paramError });
    } else if (this.params.autostart) {
      void this.start(this.params);
    }
  }

  private async start(params: PageParams): Promise<void> {
    if (this.state.kind === 'running') return;
    this.params = params;
    history.replaceState(null, '', `${location.pathname}${toSearch(params)}`);
    this.controller = new AbortController();
    this.live = null;
    this.state = { kind: 'running', phase: 'config', detail: 'loading' };
    this.chartModule ??= import('./rtt-chart.js');
    this.verdictModule ??= import('./cp-verdict-view.js');
    const startedAtMs = Date.now();
    const sampleId = newSampleId();
    try {
      const [{ runSession }, env] = await Promise.all([import('../../session/run-session.js'), import('../session-env.js')]);
      let liveStep = 0;
      const report = await runSession(
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
        },
        env.pageEnv(),
        {
          phase: (phase, detail) => {
            this.state = { kind: 'running', phase, detail };
            progress(`${phase}: ${detail}`);
          },
          live: (f) => {
            this.live = f;
            // Headless runs (`callprobe run`) print a live line every 5 s of the stream.
            const step = Math.floor(f.elapsedS / LIVE_PROGRESS_EVERY_S);
            if (step > liveStep) {
              liveStep = step;
              progress(`live: ${String(step * LIVE_PROGRESS_EVERY_S)} s, ${String(f.sent)} probes sent, ${String(f.received)} answered`);
            }
          },
        },
      );
      const done: State = { kind: 'done', report, save: params.save ? { kind: 'saving' } : { kind: 'off' } };
      const verdict = await this.verdictModule;
      this.state = done;
      publishResult({ ok: true, report });
      void this.showAnswer(report, verdict);
      if (params.save) this.finishSave(done, await save(report, sampleId));
    } catch (err) {
      const e = err as Error & { reason?: string };
      const reason = e.reason ?? 'internal-error';
      if (reason === 'cancelled') {
        this.state = { kind: 'cancelled' };
        this.announcement = 'Test cancelled. Nothing was measured or saved.';
        publishResult({ ok: false, reason, message: e.message });
        return;
      }
      this.announcement = `The test could not run: ${e.message}`;
      const record = worthRecording(reason) ? couldNotTestRecord(params, reason, e.message, startedAtMs, Date.now()) : null;
      const failed: State = {
        kind: 'error',
        reason,
        message: e.message,
        record,
        save: record === null ? null : params.save ? { kind: 'saving' } : { kind: 'off' },
      };
      this.state = failed;
      publishResult({ ok: false, reason, message: e.message });
      if (record !== null && params.save) this.finishSave(failed, await save(record, sampleId));
    } finally {
      this.controller = null;
    }
  }

  /** The answer in view and focused, announced once, and in the tab's title. */
  private async showAnswer(report: Report, verdict: typeof import('./cp-verdict-view.js')): Promise<void> {
    const a = verdict.answerView(report);
    this.announcement = `Test finished. ${a.sentence}`;
    document.title = `${a.sentence} – callprobe`;
    await this.updateComplete;
    const view = this.renderRoot.querySelector('cp-verdict-view');
    if (view instanceof verdict.VerdictView) await view.focusAnswer();
  }

  /** Shows how saving ended, unless another test has started since. */
  private finishSave(shown: State, outcome: SaveState): void {
    if (this.state !== shown || (shown.kind !== 'done' && shown.kind !== 'error')) return;
    this.state = { ...shown, save: outcome };
  }

  /** " · 12 s left" while the probes stream. */
  private secondsLeft(phase: Phase): string {
    if (phase !== 'streaming' || this.live === null) return '';
    return ` · ${String(Math.max(0, Math.ceil(this.params.durationS - this.live.elapsedS)))} s left`;
  }

  private cancel(): void {
    this.controller?.abort();
  }

  override render() {
    if (this.sharedCode !== null) return html`<cp-shared-result .code=${this.sharedCode}></cp-shared-result>`;
    const st = this.state;
    const running = st.kind === 'running';
    return html`
      ${this.paramError ? html`<div class="error" role="alert"><h2>Bad link</h2><p>${this.paramError}</p></div>` : nothing}
      <cp-test-form
        .params=${this.params}
        ?running=${running}
        @cp-start=${(e: CpEventMap['cp-start']) => void this.start(e.detail)}
        @cp-cancel=${() => this.cancel()}
        @cp-params-change=${(e: CpEventMap['cp-params-change']) => {
          this.params = e.detail;
        }}
      ></cp-test-form>
      <p class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</p>
      ${st.kind === 'running' ? html`<p class="phase" role="status" aria-live="polite">${phaseText(st.phase)}: ${st.detail}${this.secondsLeft(st.phase)}</p>` : nothing}
      ${st.kind === 'cancelled' ? html`<p class="neutral">Test cancelled. Nothing was measured or saved.</p>` : nothing}
      ${
        running || (st.kind === 'done' && this.live !== null)
          ? html`<cp-live-panel .figures=${this.live} .chart=${this.chartModule} .durationS=${this.params.durationS} ?final=${st.kind === 'done'}></cp-live-panel>`
          : nothing
      }
      ${st.kind === 'done' ? html`<cp-verdict-view .report=${st.report} .save=${st.save}></cp-verdict-view>` : nothing}
      ${
        st.kind === 'error'
          ? html`<div class="error" role="alert"><h2>The test could not run</h2><p>${st.message}</p><p><small>reason: ${st.reason}</small></p></div>
            ${
              st.record !== null && st.save !== null
                ? html`<cp-result-card .save=${st.save} .details=${couldNotTestText(st.record)} .json=${st.record}
                  .fileName=${`callprobe-could-not-test-${st.record.meta.startedAt.replace(/[:.]/g, '-')}.json`}></cp-result-card>`
                : nothing
            }`
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

function phaseText(p: Phase): string {
  return {
    config: 'Preparing',
    connecting: 'Connecting through the relay',
    streaming: 'Measuring',
    draining: 'Collecting late packets',
    analyzing: 'Grading',
    done: 'Done',
  }[p];
}
