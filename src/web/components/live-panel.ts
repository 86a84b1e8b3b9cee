import { LitElement, html, css } from 'lit';
import type { LiveFigures } from '../../session/collect/live.js';
import { fmtMs, fmtNum, fmtPct } from '../format.js';

type ChartModule = typeof import('./rtt-chart.js');

/** Live figures while a test runs, and a chart of them (Chart.js, loaded when a test starts). */
export class LivePanel extends LitElement {
  static override properties = {
    figures: { attribute: false },
    chart: { attribute: false },
    durationS: { type: Number },
  };

  declare figures: LiveFigures | null;
  declare chart: Promise<ChartModule> | null;
  declare durationS: number;
  private plot: InstanceType<ChartModule['RttChart']> | null = null;
  private plotLoading = false;

  static override styles = css`
    :host { display: block; margin: 1rem 0; }
    dl { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: 0.5rem; margin: 0; }
    div.fig { border: 1px solid var(--border); border-radius: 6px; padding: 0.5rem 0.75rem; }
    dt { font-size: 0.85rem; color: var(--muted); }
    dd { margin: 0; font-size: 1.4rem; font-variant-numeric: tabular-nums; font-weight: 600; }
    progress { width: 100%; height: 0.6rem; margin: 0.5rem 0; }
    .chart { position: relative; height: 200px; margin-top: 0.75rem; }
  `;

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
    return html`
      <section aria-label="Live figures">
        <progress max=${this.durationS} .value=${f ? Math.min(f.elapsedS, this.durationS) : 0} aria-label="Test progress"></progress>
        <dl aria-live="off">
          <div class="fig"><dt>Round trip (last 2 s, median)</dt><dd data-live="rtt">${fmtMs(f?.rttMs)}</dd></div>
          <div class="fig"><dt>Jitter (RFC 3550)</dt><dd data-live="jitter">${fmtMs(f?.jitterMs)}</dd></div>
          <div class="fig"><dt>Round-trip loss so far</dt><dd data-live="loss">${fmtPct(f?.lossPct)}</dd></div>
          <div class="fig"><dt>Probes sent / echoes back</dt><dd data-live="count">${fmtNum(f?.sent)} / ${fmtNum(f?.received)}</dd></div>
        </dl>
        <div class="chart"><canvas role="img" aria-label="Round trip and jitter over the test"></canvas></div>
      </section>
    `;
  }
}

customElements.define('cp-live-panel', LivePanel);
