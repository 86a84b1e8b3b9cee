import { LitElement, html, css, nothing } from 'lit';
import type { Report } from '../../analysis/schema/report-schema.js';
import { fmtMs } from '../format.js';

/** The evidence behind the verdict: relay ports, second opinion, MOS assumptions, warnings. */
export class ReportDetails extends LitElement {
  static override properties = { report: { attribute: false } };
  declare report: Report;

  static override styles = css`
    :host { display: block; margin-top: 1rem; }
    details { border: 1px solid var(--border); border-radius: 6px; padding: 0.5rem 0.75rem; margin-top: 0.5rem; }
    summary { cursor: pointer; font-weight: 600; }
    summary:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
    ul { margin: 0.5rem 0; padding-left: 1.25rem; }
    .ok { color: var(--pass); font-weight: 700; }
    .no { color: var(--fail); font-weight: 700; }
  `;

  override render() {
    const r = this.report;
    const so = r.secondOpinion;
    const d = r.diagnostics;
    return html`
      <details open>
        <summary>Relay ports (${r.meta.path.transport.toUpperCase()} ${r.meta.path.port ?? ''} used for this test)</summary>
        <ul>
          ${r.meta.ports.map(
            (p) => html`<li>${p.transport.toUpperCase()} ${p.port}:
              ${p.reachable ? html`<span class="ok">open</span> (allocated in ${fmtMs(p.allocateMs, 0)})` : html`<span class="no">no answer</span> (${p.error})`}</li>`,
          )}
        </ul>
      </details>
      ${d.warnings.length > 0
        ? html`<details open>
            <summary>Worth knowing (${d.warnings.length})</summary>
            <ul>${d.warnings.map((w) => html`<li>${w.message}</li>`)}</ul>
          </details>`
        : nothing}
      <details>
        <summary>Second opinion from the browser's WebRTC statistics</summary>
        <ul>
          <li>ICE round trip (median of ${so.iceSamples}): ${fmtMs(so.iceRttMsMedian)}; RTCP round trip (median of ${so.rtcpSamples}): ${fmtMs(so.rtcpRttMsMedian)}; probes: ${fmtMs(so.probeRttMsP50)}</li>
          <li>Audio inbound jitter (median): ${fmtMs(so.inboundJitterMsMedian)} (source: ${so.audioSource ?? 'none'})</li>
          ${so.disagreements.map((x) => html`<li>${x.sentence}</li>`)}
          ${so.notes.map((n) => html`<li>${n}</li>`)}
        </ul>
      </details>
      <details>
        <summary>Call quality estimate (E-model) and Teams dashboard tier</summary>
        <p>${r.mos.sentence}</p>
        <p>${r.teamsPoorStream.sentence}</p>
        <ul>${r.mos.assumptions.map((a) => html`<li>${a}</li>`)}</ul>
      </details>
      <details>
        <summary>How this was measured</summary>
        <ul>
          ${r.meta.methods.map((m) => html`<li>${m}</li>`)}
          ${r.meta.targets.map((t) => html`<li>${t.label}: ${t.note}</li>`)}
          ${d.notes.map((n) => html`<li>${n}</li>`)}
        </ul>
      </details>
    `;
  }
}

customElements.define('cp-report-details', ReportDetails);
