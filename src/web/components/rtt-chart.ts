import { Chart, LineController, LineElement, PointElement, LinearScale, Tooltip } from 'chart.js';
import type { LiveFigures } from '../../session/collect/live.js';
import type { ChartPoint } from '../../analysis/present/view.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip);

/** Round trip and jitter over the test. This module (and Chart.js) loads when a test starts. */
export class RttChart {
  private readonly chart: Chart<'line', { x: number; y: number }[]>;
  private lastElapsedS = -1;

  /** `durationS`: the test's length, the x axis's end (it grows if the drawing goes on past it). */
  constructor(canvas: HTMLCanvasElement, durationS: number) {
    // The theme's colours (light or dark, as the system says) from the page's custom properties.
    const css = getComputedStyle(canvas);
    const color = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
    const rttColor = color('--chart-rtt', '#0b5cad');
    const jitterColor = color('--chart-jitter', '#a35200');
    const textColor = color('--muted', '#4a525c');
    const gridColor = color('--border', '#c9d0d8');
    this.chart = new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: 'Round trip (ms)', data: [], borderColor: rttColor, backgroundColor: rttColor, pointRadius: 0, borderWidth: 2 },
          { label: 'Jitter (ms)', data: [], borderColor: jitterColor, backgroundColor: jitterColor, pointRadius: 0, borderWidth: 2.5, borderDash: [7, 4] },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: {
            type: 'linear',
            title: { display: true, text: 'seconds', color: textColor },
            min: 0,
            suggestedMax: durationS,
            ticks: { color: textColor },
            grid: { color: gridColor },
          },
          y: {
            type: 'linear',
            title: { display: true, text: 'ms', color: textColor },
            beginAtZero: true,
            ticks: { color: textColor },
            grid: { color: gridColor },
          },
        },
        // The legend is the page's own (live-panel.ts): a line sample per dataset, solid or dashed, that stays readable.
        plugins: { legend: { display: false } },
      },
    });
  }

  add(f: LiveFigures): void {
    if (f.elapsedS <= this.lastElapsedS) return;
    this.lastElapsedS = f.elapsedS;
    const [rtt, jitter] = this.chart.data.datasets;
    if (f.rttMs !== null) rtt?.data.push({ x: f.elapsedS, y: f.rttMs });
    if (f.jitterMs !== null) jitter?.data.push({ x: f.elapsedS, y: f.jitterMs });
    this.chart.update('none');
  }

  /** Every point at once, drawn once (a test whose probes the page's main thread sends). */
  addAll(points: readonly ChartPoint[]): void {
    const [rtt, jitter] = this.chart.data.datasets;
    for (const p of points) {
      if (p.elapsedS <= this.lastElapsedS) continue;
      this.lastElapsedS = p.elapsedS;
      if (p.rttMs !== null) rtt?.data.push({ x: p.elapsedS, y: p.rttMs });
      if (p.jitterMs !== null) jitter?.data.push({ x: p.elapsedS, y: p.jitterMs });
    }
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}
