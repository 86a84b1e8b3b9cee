import { LitElement, html, css, nothing } from 'lit';
import type { GradeEntry, Report } from '../../analysis/schema/report-schema.js';
import { fmtMs, fmtNum, fmtPct } from '../format.js';
import './report-details.js';

const VERDICT_TITLE = { pass: 'Pass', fail: 'Fail', insufficient: 'No verdict: not enough evidence' } as const;
const DIRECTION_TEXT = { up: 'upstream', down: 'downstream', loop: 'one way', 'round-trip': 'round trip' } as const;

function value(g: GradeEntry): string {
  if (g.value === null) return '–';
  return g.unit === '%' ? fmtPct(g.value, g.value < 0.1 ? 3 : 2) : fmtMs(g.value);
}

/** The graded verdict: a banner with the explanation, one row per target, details, and the JSON report. */
export class VerdictView extends LitElement {
  static override properties = { report: { attribute: false } };
  declare report: Report;

  static override styles = css`
    :host { display: block; margin-top: 1rem; }
    .banner { border-radius: 8px; padding: 0.75rem 1rem; border: 2px solid; }
    .banner.pass { border-color: var(--pass); background: #effaf1; }
    .banner.fail { border-color: var(--fail); background: #fff3f4; }
    .banner.insufficient { border-color: var(--insufficient); background: #fff8e6; }
    .banner h2 { margin: 0 0 0.25rem; font-size: 1.4rem; }
    .banner p { margin: 0.35rem 0; }
    .pass h2, .status.pass { color: var(--pass); }
    .fail h2, .status.fail { color: var(--fail); }
    .insufficient h2, .status.insufficient { color: var(--insufficient); }
    .figures { display: flex; flex-wrap: wrap; gap: 0.4rem 1.5rem; margin: 0.75rem 0 0; padding: 0; list-style: none; }
    .figures strong { font-variant-numeric: tabular-nums; }
    table { border-collapse: collapse; width: 100%; margin-top: 1rem; font-size: 0.95rem; }
    caption { text-align: left; font-weight: 700; padding: 0.25rem 0; }
    th, td { text-align: left; padding: 0.4rem 0.5rem; border-bottom: 1px solid var(--border); vertical-align: top; }
    thead th { background: var(--panel); }
    td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
    .status { font-weight: 700; text-transform: uppercase; font-size: 0.85rem; }
    small { color: var(--muted); }
    button { font: inherit; margin-top: 1rem; padding: 0.5rem 1rem; border: 2px solid var(--accent); color: var(--accent);
      background: #fff; border-radius: 6px; cursor: pointer; }
    button:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
  `;

  private download(): void {
    const blob = new Blob([JSON.stringify(this.report, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `callprobe-${this.report.meta.startedAt.replace(/[:.]/g, '-')}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  override render() {
    const r = this.report;
    const s = r.summary;
    const [headline, ...more] = r.explanation;
    return html`
      <section class="banner ${s.verdict}" role="status" aria-live="polite" data-verdict=${s.verdict}>
        <h2>${VERDICT_TITLE[s.verdict]}</h2>
        <p>${headline}</p>
        ${more.map((line) => html`<p>${line}</p>`)}
        <ul class="figures" aria-label="Key figures">
          <li>Round trip p50 <strong>${fmtMs(s.rttMsP50)}</strong>, p90 <strong>${fmtMs(s.rttMsP90)}</strong></li>
          <li>Jitter <strong>${fmtMs(s.jitterMs)}</strong></li>
          <li>Loss <strong>${fmtPct(s.lossPct)}</strong> (worst 200 ms: <strong>${fmtPct(s.burstLossPctMax200ms)}</strong>)</li>
          <li>Reorder <strong>${fmtPct(s.reorderPct, 3)}</strong></li>
          <li>MOS estimate <strong>${s.mos === null ? '–' : s.mos.toFixed(2)}</strong></li>
          <li>Probes <strong>${fmtNum(s.packetsReceived)} / ${fmtNum(s.packetsSent)}</strong> at ${fmtNum(s.ratePps)}/s</li>
        </ul>
      </section>
      ${s.upstream && s.downstream
        ? html`<table aria-label="Upstream and downstream">
            <caption>Each direction</caption>
            <thead><tr><th scope="col">Direction</th><th scope="col">Loss</th><th scope="col">Jitter (RFC 3550)</th><th scope="col">Reorder</th><th scope="col">Lost probes</th></tr></thead>
            <tbody>
              ${(
                [
                  ['Upstream (you → relay)', s.upstream],
                  ['Downstream (relay → you)', s.downstream],
                ] as const
              ).map(
                ([name, d]) => html`<tr><th scope="row">${name}</th><td class="num">${fmtPct(d.lossPct)}</td><td class="num">${fmtMs(d.jitterMs)}</td>
                  <td class="num">${fmtPct(d.reorderPct, 3)}</td><td class="num">${fmtNum(d.packetsLost)}</td></tr>`,
              )}
            </tbody>
          </table>`
        : nothing}
      <table aria-label="Targets">
        <caption>Targets: ${r.meta.profile.label}</caption>
        <thead><tr><th scope="col">Target</th><th scope="col">Measured</th><th scope="col">Limit</th><th scope="col">Result</th><th scope="col">What it means</th></tr></thead>
        <tbody>
          ${r.grades.map(
            (g) => html`<tr data-target=${g.target} data-direction=${g.direction}>
              <th scope="row">${g.label}<br /><small>${DIRECTION_TEXT[g.direction]}, ${g.statistic}</small></th>
              <td class="num">${value(g)}</td>
              <td class="num">&lt; ${g.threshold} ${g.unit}</td>
              <td><span class="status ${g.status}">${g.status}</span>${g.reason ? html`<br /><small>${g.reason.replace(/-/g, ' ')}</small>` : nothing}</td>
              <td>${g.sentence}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <cp-report-details .report=${r}></cp-report-details>
      <button type="button" @click=${() => this.download()}>Download the full report (JSON)</button>
    `;
  }
}

customElements.define('cp-verdict-view', VerdictView);
