import { Chart, LineController, LineElement, PointElement, LinearScale, Legend, Tooltip } from 'chart.js';
import type { LiveFigures } from '../../session/collect/live.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

/** Round trip and jitter over the test. This module (and Chart.js) loads when a test starts. */
export class RttChart {
  private readonly chart: Chart<'line', { x: number; y: number }[]>;
  private lastElapsedS = -1;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: 'Round trip (ms)', data: [], borderColor: '#0b5cad', backgroundColor: '#0b5cad', pointRadius: 0, borderWidth: 2 },
          { label: 'Jitter (ms)', data: [], borderColor: '#a35200', backgroundColor: '#a35200', pointRadius: 0, borderWidth: 2, borderDash: [6, 3] },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'seconds' }, min: 0 },
          y: { type: 'linear', title: { display: true, text: 'ms' }, beginAtZero: true },
        },
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

  destroy(): void {
    this.chart.destroy();
  }
}
