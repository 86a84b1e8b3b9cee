import { html, nothing } from 'lit';
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
  static override properties = { code: { attribute: false }, loaded: { state: true } };

  declare code: string;
  declare loaded: Loaded;

  static override styles = sharedResultStyles;

  constructor() {
    super();
    this.loaded = { kind: 'loading' };
  }

  /** After the first render: `code` may have been set before this element was defined (it is loaded lazily). */
  override firstUpdated(): void {
    document.title = `Shared result ${this.code} · callprobe`;
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const found = await fetchShared(this.code);
      if (found.kind === 'unknown') {
        this.loaded = { kind: 'unknown', message: found.message };
        return;
      }
      const { code, storedAtMs, report: stored } = found.result;
      if ((stored as { kind?: unknown }).kind === 'could-not-test') {
        this.loaded = { kind: 'could-not-test', code, storedAtMs, record: stored as CouldNotTestFacts & { meta: Partial<RerunSettings> }, stored };
        return;
      }
      this.loaded = { kind: 'report', code, storedAtMs, report: upgradeReport(stored as Report | ReportV1), stored };
    } catch (err) {
      if (err instanceof ResultsError || err instanceof ReportVersionError) {
        this.loaded = { kind: 'error', message: err.message };
        return;
      }
      throw err;
    }
  }

  private header(code: string, storedAtMs: number, rerun: string, meta: { site?: string | null; ticket?: string | null }) {
    const stored = new Date(storedAtMs);
    const when = stored.toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });
    const tags = [meta.site ? `Site: ${meta.site}` : null, meta.ticket ? `Ticket: ${meta.ticket}` : null].filter((t) => t !== null);
    return html`
      <h2 class="shared">Shared result <span class="code">${code}</span></h2>
      <p class="meta">Stored <time datetime=${stored.toISOString()}>${when}</time>. This is the result as the person who ran the test saw it.</p>
      ${tags.length > 0 ? html`<p class="meta" data-shared-tags>${tags.join(' · ')}</p>` : nothing}
      <p><a class="again" href=${rerun}>Run the test again</a></p>
    `;
  }

  override render() {
    const l = this.loaded;
    switch (l.kind) {
      case 'loading':
        return html`<p role="status" aria-live="polite">Loading the shared result ${this.code}…</p>`;
      case 'unknown':
        return html`<section class="notice" role="alert" data-shared="unknown">
          <h2>No result with this code</h2>
          <p>No result is stored under <span class="code">${this.code}</span>. Check the code (it has 8 letters and digits, like
            K7QF-3MZD); results are kept for a limited time.</p>
          <p><small>${l.message}</small></p>
          <p><a href="/">Run a test</a></p>
        </section>`;
      case 'error':
        return html`<section class="notice" role="alert" data-shared="error">
          <h2>The shared result could not be shown</h2>
          <p>${l.message}</p>
          <p><a href="/">Run a test</a></p>
        </section>`;
      case 'report': {
        const m = l.report.meta;
        const rerun = rerunHref({ profile: m.profile, durationS: m.durationS, site: m.site, ticket: m.ticket, previous: l.code });
        return html`${this.header(l.code, l.storedAtMs, rerun, m)}
          <cp-verdict-view .report=${l.report} .json=${l.stored} .save=${{ kind: 'shared', code: l.code, url: absoluteUrl(`${SHARED_RESULT_PAGE}/${l.code}`) }}></cp-verdict-view>`;
      }
      case 'could-not-test': {
        const r = l.record;
        const [title, ...lines] = couldNotTestLines(r);
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
