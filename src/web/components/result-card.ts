import { html, nothing, type TemplateResult } from 'lit';
import { saveFailureWords, type SaveState } from '../results.js';
import { CpElement } from './cp-element.js';
import { resultCardStyles } from './result-card.styles.js';

/**
 * The result code on one line right under the answer, so that on a phone the verdict, the answer
 * and the code are on screen together (the card below has the link, the copy buttons and the
 * JSON). A shared result shows its code in its own header.
 */
export function codeLine(save: SaveState): TemplateResult | typeof nothing {
  switch (save.kind) {
    case 'saved':
      return html`<p class="code-line" data-code-line>Result code for your help desk: <span class="code" data-code>${save.code}</span></p>`;
    case 'saving':
      return html`<p class="code-line" data-code-line>Result code: saving the result…</p>`;
    case 'off':
      return html`<p class="code-line" data-code-line>Not saved (the link says save=0): the details to copy are below.</p>`;
    case 'failed':
      return html`<p class="code-line" data-code-line>Not saved on the server: the details to send your help desk are below.</p>`;
    case 'shared':
      return nothing;
  }
}

/**
 * The result card: the result code to read out to a help desk, the share link,
 * copy buttons (clipboard, or the text selected for Ctrl+C where the browser refuses), and
 * the JSON download. When the result was not saved it says why and offers the details to copy
 * and the JSON, so nothing is lost.
 */
export class ResultCard extends CpElement {
  static override properties = {
    save: { attribute: false },
    details: { attribute: false },
    json: { attribute: false },
    fileName: { attribute: false },
    copyStatus: { state: true },
  };

  declare save: SaveState;
  /** The result as plain text ("Copy details"). */
  declare details: string;
  /** The report or record to download. */
  declare json: unknown;
  declare fileName: string;
  declare copyStatus: string;

  static override styles = resultCardStyles;

  constructor() {
    super();
    this.copyStatus = '';
  }

  private download(): void {
    const blob = new Blob([JSON.stringify(this.json, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = this.fileName;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  /** Copies `text`; where the clipboard is refused, selects `selector`'s text and says to press Ctrl+C. */
  private async copy(text: string, what: string, selector: string): Promise<void> {
    this.copyStatus = '';
    try {
      if (typeof navigator.clipboard?.writeText !== 'function') throw new Error('this browser has no clipboard access here');
      await navigator.clipboard.writeText(text);
      this.copyStatus = `${what} copied.`;
    } catch (err) {
      const el = this.renderRoot.querySelector<HTMLElement>(selector);
      const open = el?.closest('details');
      if (open) open.open = true;
      if (el) {
        const range = document.createRange();
        range.selectNodeContents(el);
        const sel = getSelection();
        sel?.removeAllRanges();
        sel?.addRange(range);
      }
      this.copyStatus = `Could not copy (${(err as Error).message}). The ${what.toLowerCase()} is selected: press Ctrl+C (Cmd+C on a Mac) to copy it.`;
    }
  }

  private downloadButton() {
    return html`<button type="button" @click=${() => this.download()}>Download the full report (JSON)</button>`;
  }

  private detailsBlock() {
    return html`<details>
      <summary>Show the details</summary>
      <pre data-details>${this.details}</pre>
    </details>`;
  }

  private body() {
    const s = this.save;
    switch (s.kind) {
      case 'saved':
      case 'shared':
        return html`
          <h3 id="card-title">${s.kind === 'saved' ? 'Your result code' : 'Result code'}</h3>
          <p class="code" data-result-code>${s.code}</p>
          ${s.kind === 'saved' ? html`<p>Read this code out to your help desk, or send them the link. Anyone with the code or the link can see this result; your IP address is not part of it.</p>` : nothing}
          <p class="link">Link: <a href=${s.url} data-result-link>${s.url}</a></p>
          <div class="actions">
            <button type="button" class="primary" @click=${() => void this.copy(s.code, 'Code', '[data-result-code]')}>Copy code</button>
            <button type="button" @click=${() => void this.copy(s.url, 'Link', '[data-result-link]')}>Copy link</button>
            ${this.downloadButton()}
          </div>`;
      case 'saving':
        return html`<h3 id="card-title">Saving your result…</h3>
          <p>The result code appears here in a moment.</p>
          <div class="actions">${this.downloadButton()}</div>`;
      case 'off':
        return html`<h3 id="card-title">Not saved</h3>
          <p>This result was not saved on the server (the link says <code>save=0</code>). To keep it, copy the details or download the report.</p>
          <div class="actions">
            <button type="button" @click=${() => void this.copy(this.details, 'Details', '[data-details]')}>Copy details</button>
            ${this.downloadButton()}
          </div>
          ${this.detailsBlock()}`;
      case 'failed':
        return html`<h3 id="card-title">${s.reason === 'unreachable' ? 'Not saved: the server could not be reached' : 'Not saved: the server did not store this result'}</h3>
          <p data-save-error>${saveFailureWords(s.reason, s.message)}</p>
          <p>Nothing is lost: copy the details or download the report and send them to your help desk.</p>
          <div class="actions">
            <button type="button" class="primary" @click=${() => void this.copy(this.details, 'Details', '[data-details]')}>Copy details</button>
            ${this.downloadButton()}
          </div>
          ${this.detailsBlock()}`;
    }
  }

  override render() {
    return html`
      <section class="card ${this.save.kind}" aria-labelledby="card-title" data-save=${this.save.kind}>
        ${this.body()}
        <p class="status" role="status" aria-live="polite">${this.copyStatus}</p>
      </section>
    `;
  }
}
