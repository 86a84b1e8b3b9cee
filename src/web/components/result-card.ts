import { html, nothing, type TemplateResult } from 'lit';
import { saveFailureWords, type SaveState } from '../results.js';
import { CpElement } from './cp-element.js';
import { resultCardStyles } from './result-card.styles.js';
import { pageMessages } from '../i18n.js';

/**
 * The result code on one line right under the answer, so that on a phone the verdict, the answer
 * and the code are on screen together (the card below has the link, the copy buttons and the
 * JSON). A shared result shows its code in its own header.
 */
export function codeLine(save: SaveState): TemplateResult | typeof nothing {
  const m = pageMessages();
  switch (save.kind) {
    case 'saved': {
      const [before = '', after = ''] = m.template('code.saved').split('{code}');
      return html`<p class="code-line" data-code-line>${before}<span class="code" data-code>${save.code}</span>${after}</p>`;
    }
    case 'saving':
      return html`<p class="code-line" data-code-line>${m.t('code.saving')}</p>`;
    case 'off':
      return html`<p class="code-line" data-code-line>${m.t('code.off')}</p>`;
    case 'failed':
      return html`<p class="code-line" data-code-line>${m.t('code.failed')}</p>`;
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
  private async copy(text: string, what: 'code' | 'link' | 'details', selector: string): Promise<void> {
    const m = pageMessages();
    this.copyStatus = '';
    try {
      if (typeof navigator.clipboard?.writeText !== 'function') throw new Error('this browser has no clipboard access here');
      await navigator.clipboard.writeText(text);
      this.copyStatus = m.t(`card.copied.${what}`);
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
      this.copyStatus = m.t(`card.copyFailed.${what}`, { error: (err as Error).message });
    }
  }

  private downloadButton() {
    return html`<button type="button" @click=${() => this.download()}>${pageMessages().t('card.download')}</button>`;
  }

  private detailsBlock() {
    return html`<details>
      <summary>${pageMessages().t('card.showDetails')}</summary>
      <pre data-details>${this.details}</pre>
    </details>`;
  }

  private body() {
    const s = this.save;
    const m = pageMessages();
    switch (s.kind) {
      case 'saved':
      case 'shared': {
        const [before = '', after = ''] = m.template('card.link').split('{link}');
        return html`
          <h3 id="card-title">${m.t(s.kind === 'saved' ? 'card.yourCode' : 'card.code')}</h3>
          <p class="code" data-result-code>${s.code}</p>
          ${s.kind === 'saved' ? html`<p>${m.t('card.readOut')}</p>` : nothing}
          <p class="link">${before}<a href=${s.url} data-result-link>${s.url}</a>${after}</p>
          <div class="actions">
            <button type="button" class="primary" @click=${() => void this.copy(s.code, 'code', '[data-result-code]')}>${m.t('card.copyCode')}</button>
            <button type="button" @click=${() => void this.copy(s.url, 'link', '[data-result-link]')}>${m.t('card.copyLink')}</button>
            ${this.downloadButton()}
          </div>`;
      }
      case 'saving':
        return html`<h3 id="card-title">${m.t('card.saving')}</h3>
          <p>${m.t('card.saving.text')}</p>
          <div class="actions">${this.downloadButton()}</div>`;
      case 'off': {
        const [before = '', after = ''] = m.template('card.notSaved.text').split('{param}');
        return html`<h3 id="card-title">${m.t('card.notSaved')}</h3>
          <p>${before}<code>save=0</code>${after}</p>
          <div class="actions">
            <button type="button" @click=${() => void this.copy(this.details, 'details', '[data-details]')}>${m.t('card.copyDetails')}</button>
            ${this.downloadButton()}
          </div>
          ${this.detailsBlock()}`;
      }
      case 'failed':
        return html`<h3 id="card-title">${m.t(s.reason === 'unreachable' ? 'card.unreachable' : 'card.notStored')}</h3>
          <p data-save-error>${saveFailureWords(s.reason, s.message)}</p>
          <p>${m.t('card.nothingLost')}</p>
          <div class="actions">
            <button type="button" class="primary" @click=${() => void this.copy(this.details, 'details', '[data-details]')}>${m.t('card.copyDetails')}</button>
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
