import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { LiveFigures } from '../../session/collect/live.js';
import { chartTable, liveView, type ChartPoint } from '../../analysis/present/view.js';
import { beforeFirstWords, connectingWords, provisionalView, provisionalWhen, type ProvisionalView } from '../../analysis/present/provisional.js';
import { EN, type Messages } from '../../analysis/present/catalogue.js';
import { CpElement } from './cp-element.js';
import { livePanelStyles } from './live-panel.styles.js';

type ChartModule = typeof import('./rtt-chart.js');

/** Where the test is: connecting (no probe yet), measuring (the probes run), finishing (they stopped; the verdict is being made). */
export type LiveStage = 'connecting' | 'measuring' | 'finishing';

/**
 * While a test runs: "connecting" until the probes start, then the provisional answer (what the
 * probes so far say, 3 s after they started and then every 1-2 s; at once when a fail settles),
 * its numbers in an expert layer, and a chart of the round trip and jitter (Chart.js, loaded
 * when a test starts) with a legend that names each line by its colour and its dash.
 */
export class LivePanel extends CpElement {
  static override properties = {
    figures: { attribute: false },
    chart: { attribute: false },
    durationS: { type: Number },
    final: { type: Boolean },
    busy: { attribute: false },
    stage: { attribute: false },
    messages: { attribute: false },
  };

  declare figures: LiveFigures | null;
  declare chart: Promise<ChartModule> | null;
  declare durationS: number;
  /** The verdict is shown: its figures replace the live tiles (one number per thing on screen). */
  declare final: boolean;
  /** While the busy-line phase runs: what it is doing ("uploading: 4.8 Mbit/s"), else null. */
  declare busy: string | null;
  declare stage: LiveStage;
  /** The answer layer's words, in the page's language (English until set). */
  declare messages: Messages | undefined;
  private plot: InstanceType<ChartModule['RttChart']> | null = null;
  /** The chart's points (one per new whole second), for its text summary and data table. */
  private points: ChartPoint[] = [];
  private plotLoading = false;

  static override styles = livePanelStyles;

  constructor() {
    super();
    this.stage = 'measuring';
  }

  private get words(): Messages {
    return this.messages ?? EN;
  }

  override willUpdate(): void {
    const f = this.figures;
    if (!f) {
      this.points = [];
      return;
    }
    const last = this.points.at(-1);
    if (last === undefined || Math.floor(f.elapsedS) > Math.floor(last.elapsedS))
      this.points = [...this.points, { elapsedS: f.elapsedS, rttMs: f.rttMs, jitterMs: f.jitterMs }];
  }

  override updated(): void {
    void this.ensurePlot();
    if (!this.figures || !this.plot) return;
    // Drawing the chart takes the main thread for tens of ms: while the graded probes are sent from
    // it (the data channel), that would delay them and mark the test's own moments suspect, so the
    // chart is drawn once, at the end, from the points of every second.
    if (!this.figures.mainThreadSender) this.plot.add(this.figures);
    else if (this.final) this.plot.addAll(this.points);
  }

  private async ensurePlot(): Promise<void> {
    if (this.plot || this.plotLoading || !this.chart) return;
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas) return;
    this.plotLoading = true;
    const mod = await this.chart;
    this.plot = new mod.RttChart(canvas, this.durationS);
    this.plotLoading = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.plot?.destroy();
    this.plot = null;
  }

  /** The provisional answer in the page's language: the session words it in English, the page rewords it from the same facts. */
  private answerOf(f: LiveFigures | null): ProvisionalView | null {
    const m = this.words;
    if (f === null || m.lang === 'en' || f.provisionalFrom === null) return f?.provisional ?? null;
    return provisionalView(f.provisionalFrom.facts, f.provisionalFrom.context, m);
  }

  override render() {
    const f = this.figures;
    const m = this.words;
    // One template, so the chart's canvas (and its plot) stays when the answer goes.
    return html`
      <section aria-label=${m.t(this.final ? 'live.over' : 'live.running')}>
        ${
          this.final
            ? nothing
            : html`<progress max=${this.durationS} .value=${f ? Math.min(f.elapsedS, this.durationS) : 0} aria-label=${m.t('live.progress')}></progress>
              ${this.busy ? this.renderBusy(this.busy) : this.renderAnswer(this.answerOf(f))} ${this.renderExpert(f)}`
        }
        <ul class="legend">
          <li><svg class="rtt" width="32" height="12" aria-hidden="true"><line x1="1" y1="6" x2="31" y2="6"></line></svg>${m.t('live.legend.rtt')}</li>
          <li><svg class="jitter" width="32" height="12" aria-hidden="true"><line x1="1" y1="6" x2="31" y2="6"></line></svg>${m.t('live.legend.jitter')}</li>
        </ul>
        <div class="chart"><canvas role="img" aria-describedby=${ifDefined(this.final ? 'chart-summary' : undefined)} aria-label=${m.t(this.final ? 'live.chartFinal' : 'live.chart')}></canvas></div>
        ${this.final ? this.renderTable() : nothing}
      </section>
    `;
  }

  /** The provisional answer for everyone: settled, likely and so far, and what is not known yet. */
  private renderAnswer(p: ProvisionalView | null) {
    const m = this.words;
    if (p === null) {
      const before = this.stage === 'connecting' ? connectingWords(m) : this.stage === 'finishing' ? m.t('live.finishing') : beforeFirstWords(m);
      return html`<div class="answer" data-provisional="none"><p class="before">${before}</p></div>`;
    }
    return html`<div class="answer ${p.tone}" data-provisional=${p.tone}>
      <p class="when">${provisionalWhen(p.atS, this.durationS, this.stage === 'finishing', m)}</p>
      <p class="headline" role="status" aria-live="polite" aria-atomic="true">${p.headline}</p>
      <ul class="items">
        ${p.items.map((it) => html`<li data-state=${it.state}><span class="tag">${m.t(`live.tag.${it.state}`)}</span> ${it.text}</li>`)}
      </ul>
      <p class="unknown">${p.notYetKnown}</p>
      ${p.held === null ? nothing : html`<p class="held">${p.held}</p>`}
      <p class="meaning">${m.t('prov.meaning')}</p>
    </div>`;
  }

  /** The busy-line phase in progress: what it is doing, never the quiet line's provisional answer as if it were still news. */
  private renderBusy(detail: string) {
    // The session's detail is English: another language says the phase alone.
    const m = this.words;
    return html`<div class="answer" data-provisional="busy-line">
      <p class="headline" role="status" aria-live="polite" aria-atomic="true">${m.lang === 'en' ? m.t('live.busy', { detail }) : m.t('live.busyPlain')}</p>
      <p class="unknown">${m.t('live.busy.note')}</p>
    </div>`;
  }

  /** The numbers behind the answer, and how the probes are sent. */
  private renderExpert(f: LiveFigures | null) {
    const v = liveView(f === null ? null : { ...f, lossPct: null });
    const p = f?.provisional ?? null;
    return html`<details class="expert">
      <summary>The numbers so far</summary>
      <ul>
        ${p === null ? nothing : p.items.filter((it) => it.expert !== '').map((it) => html`<li>${it.expert}</li>`)}
        <li>Probes sent / echoes back: <span data-live="count">${v.count}</span></li>
        <li>Round trip, last 2 s (median): <span data-live="rtt">${v.rtt}</span>; jitter (RFC 3550): <span data-live="jitter">${v.jitter}</span></li>
        ${f === null ? nothing : html`<li>How: ${f.method}</li>`}
      </ul>
    </details>`;
  }

  /** The chart in words and as a data table, once the test is over (nothing streams into it then). */
  private renderTable() {
    const t = chartTable(this.points);
    return html`<p id="chart-summary" class="summary">${t.summary}</p>
      ${
        t.rows.length > 0
          ? html`<details>
            <summary>The chart as a table</summary>
            <div class="scroll" tabindex="0" role="region" aria-label="The chart's figures by second">
              <table>
                <thead><tr><th scope="col">Second</th><th scope="col">Round trip</th><th scope="col">Jitter</th></tr></thead>
                <tbody>${t.rows.map((r) => html`<tr><th scope="row">${r.seconds}</th><td>${r.rtt}</td><td>${r.jitter}</td></tr>`)}</tbody>
              </table>
            </div>
          </details>`
          : nothing
      }`;
  }
}
