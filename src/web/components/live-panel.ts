import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { LiveFigures } from '../../session/collect/live.js';
import { chartTable, liveView, type ChartPoint } from '../../analysis/present/view.js';
import { CpElement } from './cp-element.js';
import { livePanelStyles } from './live-panel.styles.js';

type ChartModule = typeof import('./rtt-chart.js');

/** Live figures while a test runs, and a chart of them (Chart.js, loaded when a test starts). */
export class LivePanel extends CpElement {
  static override properties = {
    figures: { attribute: false },
    chart: { attribute: false },
    durationS: { type: Number },
    final: { type: Boolean },
  };

  declare figures: LiveFigures | null;
  declare chart: Promise<ChartModule> | null;
  declare durationS: number;
  /** The verdict is shown: its figures replace the live tiles (one number per thing on screen). */
  declare final: boolean;
  private plot: InstanceType<ChartModule['RttChart']> | null = null;
  /** The chart's points (one per new whole second), for its text summary and data table. */
  private points: ChartPoint[] = [];
  private plotLoading = false;

  static override styles = livePanelStyles;

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
    if (this.figures) this.plot?.add(this.figures);
  }

  private async ensurePlot(): Promise<void> {
    if (this.plot || this.plotLoading || !this.chart) return;
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas) return;
    this.plotLoading = true;
    const mod = await this.chart;
    this.plot = new mod.RttChart(canvas);
    this.plotLoading = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.plot?.destroy();
    this.plot = null;
  }

  override render() {
    const f = this.figures;
    const v = liveView(f);
    // One template, so the chart's canvas (and its plot) stays when the tiles go.
    return html`
      <section aria-label=${this.final ? 'The test over time' : 'Live figures'}>
        ${
          this.final
            ? nothing
            : html`<progress max=${this.durationS} .value=${f ? Math.min(f.elapsedS, this.durationS) : 0} aria-label="Test progress"></progress>
              <dl aria-live="off">
                <div class="fig"><dt>Round trip (last 2 s, median)</dt><dd data-live="rtt">${v.rtt}</dd></div>
                <div class="fig"><dt>Jitter (RFC 3550)</dt><dd data-live="jitter">${v.jitter}</dd></div>
                <div class="fig"><dt>Round-trip loss so far</dt><dd data-live="loss">${v.loss}</dd></div>
                <div class="fig"><dt>Probes sent / echoes back</dt><dd data-live="count">${v.count}</dd></div>
              </dl>`
        }
        <div class="chart"><canvas role="img" aria-describedby=${ifDefined(this.final ? 'chart-summary' : undefined)} aria-label=${this.final ? 'Round trip and jitter over the test, as measured live; the graded figures are in the result below' : 'Round trip and jitter over the test'}></canvas></div>
        ${this.final ? this.renderTable() : nothing}
      </section>
    `;
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
