import { html, nothing } from 'lit';
import type { LiveFigures } from '../../session/collect/live.js';
import type { Report } from '../../analysis/schema/report-schema.js';
import type { Phase, RunOptions } from '../../session/run-session.js';
import { parseParams, toSearch, ParamError, type PageParams } from '../params.js';
import { progress, publishResult } from '../headless.js';
import { appStyles } from './app.styles.js';
import { CpElement } from './cp-element.js';
import type { CpEventMap } from './events.js';
import { LivePanel } from './live-panel.js';

import { TestForm } from './test-form.js';
import { VerdictView } from './verdict-view.js';

/** How often a headless run prints a live line on stderr. */
const LIVE_PROGRESS_EVERY_S = 5;

type State =
  | { kind: 'idle' }
  | { kind: 'running'; phase: Phase; detail: string }
  | { kind: 'done'; report: Report }
  | { kind: 'error'; reason: string; message: string };

/** The page: settings, live figures while a test runs, then the graded verdict. It owns the settings. */
export class CpApp extends CpElement {
  static override dependencies = { 'cp-test-form': TestForm, 'cp-live-panel': LivePanel, 'cp-verdict-view': VerdictView };
  static override properties = {
    state: { state: true },
    params: { state: true },
    live: { state: true },
    paramError: { state: true },
  };

  declare state: State;
  declare params: PageParams;
  declare live: LiveFigures | null;
  declare paramError: string | null;
  private controller: AbortController | null = null;
  private chartModule: Promise<typeof import('./rtt-chart.js')> | null = null;

  static override styles = appStyles;

  constructor() {
    super();
    this.state = { kind: 'idle' };
    this.live = null;
    this.paramError = null;
    try {
      this.params = parseParams(location.search);
    } catch (err) {
      this.paramError = err instanceof ParamError ? err.message : String(err);
      this.params = parseParams('');
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
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
      this.state = { kind: 'done', report };
      publishResult({ ok: true, report });
    } catch (err) {
      const e = err as Error & { reason?: string };
      const reason = e.reason ?? 'internal-error';
      this.state = { kind: 'error', reason, message: e.message };
      publishResult({ ok: false, reason, message: e.message });
    } finally {
      this.controller = null;
    }
  }

  private cancel(): void {
    this.controller?.abort();
  }

  override render() {
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
      ${st.kind === 'running' ? html`<p class="phase" role="status" aria-live="polite">${phaseText(st.phase)}: ${st.detail}</p>` : nothing}
      ${running || this.state.kind === 'done'
        ? html`<cp-live-panel .figures=${this.live} .chart=${this.chartModule} .durationS=${this.params.durationS}></cp-live-panel>`
        : nothing}
      ${this.state.kind === 'done' ? html`<cp-verdict-view .report=${this.state.report}></cp-verdict-view>` : nothing}
      ${this.state.kind === 'error'
        ? html`<div class="error" role="alert"><h2>The test could not run</h2><p>${this.state.message}</p><p><small>reason: ${this.state.reason}</small></p></div>`
        : nothing}
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
