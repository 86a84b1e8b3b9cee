import { html, nothing, svg } from 'lit';
import { upgradeReport, ReportVersionError } from '../../analysis/report/migrate.js';
import { couldNotTestLines, couldNotTestText, type CouldNotTestFacts } from '../../analysis/present/could-not-test-text.js';
import type { Report } from '../../analysis/schema/report-schema.js';
import type { ReportV1 } from '../../analysis/schema/report-v1-schema.js';
import { ResultsError } from '../../protocol/results-client.js';
import { rerunHref, type RerunSettings } from '../../protocol/page-url.js';
import { absoluteUrl, fetchShared } from '../results.js';
import { SHARED_RESULT_PAGE } from '../../protocol/api.js';
import { CpElement } from './cp-element.js';
import { ResultCard } from './result-card.js';
import { sharedResultStyles } from './shared-result.styles.js';
import { VerdictView } from './verdict-view.js';
import { EN, type Messages } from '../../analysis/present/catalogue.js';
import { answerMessages, pageMessages } from '../i18n.js';
import { couldNotRunTitle, failureWords, whereWords } from '../could-not-run.js';
import { shareQr, type ShareQr } from './share-qr.js';

type Loaded =
  | { kind: 'loading' }
  | { kind: 'report'; code: string; storedAtMs: number; report: Report; stored: unknown }
  | { kind: 'could-not-test'; code: string; storedAtMs: number; record: CouldNotTestFacts & { meta: Partial<RerunSettings> }; stored: unknown }
  | { kind: 'unknown'; message: string }
  | { kind: 'error'; message: string };

/**
 * A stored result opened by its link (`/r/<code>`): read-only, rendered with the same
 * components as a live result (any stored schema version, upgraded), with the date it was
 * stored and a link that runs the test again with the same settings, naming this result as its
 * earlier test (`?previous=`).
 */
export class SharedResultView extends CpElement {
  static override dependencies = { 'cp-verdict-view': VerdictView, 'cp-result-card': ResultCard };
  static override properties = { code: { attribute: false }, loaded: { state: true }, words: { state: true }, qr: { state: true } };

  declare code: string;
  declare loaded: Loaded;
  /** The answer layer's words in the page's language. */
  declare words: Messages;
  /** The QR code of this page's link, drawn for the printed report (null until its library has loaded; failed: the printed report has the link in words only). */
  declare qr: ShareQr | { failed: string } | null;
  /** Resolves when `qr` is drawn or has failed. */
  private qrReady: Promise<void> | null = null;

  static override styles = sharedResultStyles;

  constructor() {
    super();
    this.loaded = { kind: 'loading' };
    this.words = EN;
    this.qr = null;
  }

  /** After the first render: `code` may have been set before this element was defined (it is loaded lazily). */
  override firstUpdated(): void {
    document.title = pageMessages().t('shared.docTitle', { code: this.code });
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.words = await answerMessages();
      const found = await fetchShared(this.code);
      if (found.kind === 'unknown') {
        this.loaded = { kind: 'unknown', message: found.message };
        return;
      }
      const { code, storedAtMs, report: stored } = found.result;
      if ((stored as { kind?: unknown }).kind === 'could-not-test') {
        this.loaded = { kind: 'could-not-test', code, storedAtMs, record: stored as CouldNotTestFacts & { meta: Partial<RerunSettings> }, stored };
        this.drawQr(code);
        return;
      }
      this.loaded = { kind: 'report', code, storedAtMs, report: upgradeReport(stored as Report | ReportV1), stored };
      this.drawQr(code);
    } catch (err) {
      if (err instanceof ResultsError || err instanceof ReportVersionError) {
        this.loaded = { kind: 'error', message: err.message };
        return;
      }
      throw err;
    }
  }

  /** Loads the QR library (only a stored result's page needs it, and only for print) and draws this result's link. */
  private drawQr(code: string): void {
    const url = absoluteUrl(`${SHARED_RESULT_PAGE}/${code}`);
    this.qrReady ??= shareQr(url).then(
      (qr) => {
        this.qr = qr;
      },
      (err: unknown) => {
        this.qr = { failed: err instanceof Error ? err.message : String(err) };
      },
    );
  }

  /** Prints the page (the browser's dialog offers "Save as PDF") once the QR code is drawn. */
  private async print(): Promise<void> {
    await this.qrReady;
    await this.updateComplete;
    window.print();
  }

  private header(code: string, storedAtMs: number, rerun: string, meta: { site?: string | null; ticket?: string | null }) {
    const m = pageMessages();
    const stored = new Date(storedAtMs);
    // The date in the reader's language (the page's), in the browser's time zone.
    const when = new Intl.DateTimeFormat(m.lang, { dateStyle: 'long', timeStyle: 'short' }).format(stored);
    const tags = [meta.site ? m.t('shared.site', { site: meta.site }) : null, meta.ticket ? m.t('shared.ticket', { ticket: meta.ticket }) : null].filter(
      (t) => t !== null,
    );
    const [heading = '', headingAfter = ''] = m.template('shared.heading').split('{code}');
    const [storedBefore = '', storedAfter = ''] = m.template('shared.stored').split('{when}');
    return html`
      <h2 class="shared">${heading}<span class="code">${code}</span>${headingAfter}</h2>
      <p class="meta">${storedBefore}<time datetime=${stored.toISOString()}>${when}</time>${storedAfter}</p>
      ${tags.length > 0 ? html`<p class="meta" data-shared-tags>${tags.join(' · ')}</p>` : nothing}
      <p class="actions">
        <a class="again" href=${rerun}>${m.t('shared.again')}</a>
        <button type="button" class="print" data-print @click=${() => void this.print()}>${m.t('shared.print')}</button>
      </p>
      ${this.qrFigure(code)}
    `;
  }

  /** The printed report's link to this page: the QR code and the address in words (shown only in print). */
  private qrFigure(code: string) {
    const m = pageMessages();
    const url = absoluteUrl(`${SHARED_RESULT_PAGE}/${code}`);
    const qr = this.qr;
    return html`<figure class="qr" data-qr data-qr-failed=${qr !== null && 'failed' in qr ? qr.failed : nothing}>
      ${
        qr === null || 'failed' in qr
          ? nothing
          : html`<svg role="img" aria-label=${m.t('shared.qr')} viewBox=${`-4 -4 ${qr.size + 8} ${qr.size + 8}`} shape-rendering="crispEdges" data-qr-code>
            ${svg`<rect x="-4" y="-4" width=${qr.size + 8} height=${qr.size + 8} fill="#fff"></rect><path d=${qr.path} fill="#000"></path>`}
          </svg>`
      }
      <figcaption>${m.t('shared.qrCaption')}<br /><span class="url">${url}</span></figcaption>
    </figure>`;
  }

  override render() {
    const l = this.loaded;
    const m = pageMessages();
    switch (l.kind) {
      case 'loading':
        return html`<p role="status" aria-live="polite">${m.t('shared.loading', { code: this.code })}</p>`;
      case 'unknown': {
        const [before = '', after = ''] = m.template('shared.unknown.text').split('{code}');
        return html`<section class="notice" role="alert" data-shared="unknown">
          <h2>${m.t('shared.unknown')}</h2>
          <p>${before}<span class="code">${this.code}</span>${after}</p>
          <p><small>${l.message}</small></p>
          <p><a href="/">${m.t('shared.runTest')}</a></p>
        </section>`;
      }
      case 'error':
        return html`<section class="notice" role="alert" data-shared="error">
          <h2>${m.t('shared.error')}</h2>
          <p>${l.message}</p>
          <p><a href="/">${m.t('shared.runTest')}</a></p>
        </section>`;
      case 'report': {
        const m = l.report.meta;
        const rerun = rerunHref({ profile: m.profile, durationS: m.durationS, site: m.site, ticket: m.ticket, previous: l.code });
        return html`${this.header(l.code, l.storedAtMs, rerun, m)}
          <cp-verdict-view .report=${l.report} .json=${l.stored} .messages=${this.words} .save=${{ kind: 'shared', code: l.code, url: absoluteUrl(`${SHARED_RESULT_PAGE}/${l.code}`) }}></cp-verdict-view>`;
      }
      case 'could-not-test': {
        const r = l.record;
        // What failed and where to look in the reader's language; the detail, time, site and browser lines as stored.
        const [, , , ...facts] = couldNotTestLines(r);
        const title = `${couldNotRunTitle(r.reason)}.`;
        const lines = [failureWords(r.reason), whereWords(r.reason, r.side), ...facts];
        const rerun =
          r.meta.profile && typeof r.meta.durationS === 'number'
            ? rerunHref({
                profile: r.meta.profile,
                durationS: r.meta.durationS,
                turn: r.meta.turn ?? null,
                site: r.meta.site ?? null,
                ticket: r.meta.ticket ?? null,
                previous: l.code,
              })
            : '/';
        return html`${this.header(l.code, l.storedAtMs, rerun, r.meta)}
          <section class="error" data-shared="could-not-test">
            <h3>${title}</h3>
            ${lines.map((line) => html`<p>${line}</p>`)}
          </section>
          <cp-result-card .save=${{ kind: 'shared', code: l.code, url: absoluteUrl(`${SHARED_RESULT_PAGE}/${l.code}`) }} .details=${couldNotTestText(r)} .json=${l.stored}
            .fileName=${`callprobe-${l.code}.json`}></cp-result-card>`;
      }
    }
    return nothing;
  }
}
