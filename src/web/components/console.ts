/**
 * The help desk console (/console): log in (a console user's password, or the company's identity
 * provider, saying when it does not answer that passwords still work), see the known sites with
 * what to look at first (silent, outages, raised alerts: ./console-sites.ts), search stored
 * results (./console-search.ts), open one with the site's baseline, the likely culprit and what to
 * tell the user (./console-result.ts, loaded on the first one opened). Everything comes from
 * /api/console through its one client (src/protocol/console-client.ts; the server redacts tier
 * 1's view); the session is an HttpOnly cookie.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { ConsoleResultView, ConsoleSearchAnswer, ConsoleWho } from '../../protocol/api-console.js';
import type { ConsoleSignIn } from '../../protocol/api-console-sign-in.js';
import { SITES_OVERVIEW_PATH, siteReportPath } from '../../protocol/api.js';
import { ConsoleClient, ConsoleError } from '../../protocol/console-client.js';
import type { ExportHost } from './console-export.js';
import type { SitesOverview } from '../../analysis/site/overview.js';
import type { SiteReport } from '../../analysis/report/site-report.js';
import { CpElement } from './cp-element.js';
import { consoleStyles } from './console.styles.js';
import { CONSOLE_EN, loadConsoleMessages, spliced, type ConsoleMessages } from '../console-i18n.js';
import { readerLang } from '../reader-lang.js';
import type { ConsoleHost } from './console-common.js';
import { foundList, searchForm } from './console-search.js';
import { isSitesOverview, siteList } from './console-sites.js';

/** Whether an answer is a site's report (its contract's kind). */
const isSiteReport = (v: unknown): v is SiteReport => (v as Partial<SiteReport> | null)?.kind === 'site-report';

export class ConsoleView extends CpElement {
  static override properties = {
    who: { state: true },
    signIn: { state: true },
    companyPart: { state: true },
    rows: { state: true },
    open: { state: true },
    sites: { state: true },
    siteReport: { state: true },
    error: { state: true },
    ready: { state: true },
    exportFormat: { state: true },
    exportStatus: { state: true },
    exportView: { state: true },
    m: { state: true },
  };
  static override styles = consoleStyles;
  declare who: ConsoleWho | null;
  /** The ways this server offers to log in (GET /sign-in), loaded when the login form is shown. */
  declare signIn: ConsoleSignIn | null;
  /** The login form's part for the company sign-in (./console-sign-in.ts, loaded where it is offered), or null. */
  declare companyPart: ((ways: ConsoleSignIn) => TemplateResult) | null;
  declare rows: ConsoleSearchAnswer | null;
  /** The result open, with the function that draws it (./console-result.ts, its module loaded on the first one opened). */
  declare open: { result: ConsoleResultView; view: (result: ConsoleResultView, host: ConsoleHost) => TemplateResult } | null;
  /** The all-sites overview of the last 7 days, loaded once logged in. */
  declare sites: SitesOverview | null;
  /** One site's report of the last 7 days, with the function that draws it (its module loaded on the first one opened). */
  declare siteReport: { report: SiteReport; view: (report: SiteReport) => TemplateResult } | null;
  declare error: string | null;
  declare ready: boolean;
  /** The export's format as chosen (the separator applies to CSV only). */
  declare exportFormat: 'csv' | 'ndjson';
  /** What the last export did ("142 results exported"), for the status line. */
  declare exportStatus: string;
  /** Tier 2's export form (./console-export.ts, loaded once a tier 2 user is in), or null. */
  declare exportView: ((host: ExportHost) => TemplateResult) | null;
  /** The console's words in its reader's language (src/web/reader-lang.ts), English until they are loaded. */
  declare m: ConsoleMessages;
  private readonly timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  /** Counts searches and opened results: only the latest one's answer is shown. */
  private turn = 0;
  /** The console's requests, with this browser's session cookie. */
  private readonly client = new ConsoleClient((path, init) => fetch(path, init));

  constructor() {
    super();
    this.who = null;
    this.signIn = null;
    this.companyPart = null;
    this.rows = null;
    this.open = null;
    this.sites = null;
    this.siteReport = null;
    this.error = null;
    this.ready = false;
    this.exportFormat = 'csv';
    this.exportStatus = '';
    this.exportView = null;
    this.m = CONSOLE_EN;
  }

  /** The reader's language's words (English, said on the browser's console, when they cannot be loaded), set on `<html lang>`. */
  private async loadWords(): Promise<void> {
    const lang = readerLang();
    try {
      this.m = await loadConsoleMessages(lang);
    } catch (err) {
      console.warn(`callprobe: the ${lang} words could not be loaded (${err instanceof Error ? err.message : String(err)}): the console stays in English`);
    }
    document.documentElement.lang = this.m.lang;
  }

  /** The known sites (GET /api/sites, tier 1 and up), after each login. */
  private async loadSites(): Promise<void> {
    try {
      this.sites = await this.client.read(`${SITES_OVERVIEW_PATH}?since=7d`, isSitesOverview);
    } catch (err) {
      this.failed(err);
    }
  }

  override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('who') && this.who !== null) {
      void this.loadSites();
      if (this.who.role === 'tier2' && this.exportView === null) void this.loadExport();
    }
  }

  /** The export form's module; the console says why when it cannot be loaded. */
  private async loadExport(): Promise<void> {
    try {
      this.exportView = (await import('./console-export.js')).exportPart;
    } catch (err) {
      this.failed(err);
    }
  }

  /** The export form's view of this console. */
  private exportHost(): ExportHost {
    return {
      m: this.m,
      format: this.exportFormat,
      status: this.exportStatus,
      setFormat: (format) => (this.exportFormat = format),
      setStatus: (status) => {
        this.exportStatus = status;
        if (status !== '') this.error = null;
      },
      failed: (err) => this.failed(err),
    };
  }

  /**
   * The ways to log in (GET /sign-in: the password form, the company's sign-in and whether it
   * answers), asked each time the login form is to be shown; if the server cannot say, the
   * password form alone, and the reason shown.
   */
  private async loadSignIn(): Promise<void> {
    try {
      const ways = await this.client.signIn();
      if (ways.company !== null) this.companyPart ??= await (await import('./console-sign-in.js')).companyPart(this.m.lang);
      this.signIn = ways;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const words = this.loadWords();
    this.client.me().then(
      async (who) => {
        await words;
        this.who = who;
        this.ready = true;
      },
      async (err: Error) => {
        const loggedOut = err instanceof ConsoleError && err.loggedOut;
        await words;
        if (loggedOut) await this.loadSignIn();
        else this.error = err.message;
        this.ready = true;
      },
    );
  }

  private async login(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    try {
      this.who = await this.client.login(String(f.get('name') ?? ''), String(f.get('password') ?? ''));
      this.error = null;
      // The company sign-in's last outcome is spent.
      this.companyPart = null;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('#code')?.focus();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private async logout(): Promise<void> {
    await this.client.logout();
    this.turn++;
    this.companyPart = null;
    void this.loadSignIn();
    this.who = null;
    this.rows = null;
    this.open = null;
    this.sites = null;
    this.siteReport = null;
  }

  private failed(err: unknown): void {
    if (err instanceof ConsoleError && err.loggedOut && this.who !== null) {
      this.who = null;
      void this.loadSignIn();
    }
    this.error = (err as Error).message;
  }

  /**
   * Every search starts from an empty desk: the previous list and the open result go at once, so
   * a refused or slow search never leaves the last caller's result on screen. An answer to an
   * older search (or an older click) is dropped.
   */
  private async search(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    this.open = null;
    this.siteReport = null;
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(e.target as HTMLFormElement)) if (typeof v === 'string' && v.trim() !== '') q.set(k, v.trim());
    await this.latest(
      () => this.client.search(q.toString()),
      (rows) => (this.rows = rows),
      'found',
      () => (this.rows = null),
    );
  }

  /** A site's report of the last 7 days (GET /api/sites/:site/report), hours and days in this browser's time zone. */
  private async showSite(site: string): Promise<void> {
    await this.latest(
      async () => {
        const [report, view] = await Promise.all([
          this.client.read(`${siteReportPath(site)}?since=7d&tz=${encodeURIComponent(this.timeZone)}`, isSiteReport),
          import('./console-site.js').then(async (m) => {
            const words = await m.siteWords(this.m.lang);
            return (report: SiteReport) => m.siteReportView(report, words);
          }),
        ]);
        return { report, view };
      },
      (loaded) => (this.siteReport = loaded),
      'site-report',
      () => (this.siteReport = null),
    );
  }

  /** One result (GET /api/console/results/:id), in this browser's time zone and the console's language, with the module that draws it. */
  private async show(id: string): Promise<void> {
    await this.latest(
      async () => {
        const [result, view] = await Promise.all([this.client.result(id, this.timeZone, this.m.lang), import('./console-result.js').then((m) => m.resultView)]);
        return { result, view };
      },
      (open) => (this.open = open),
      'result',
      () => (this.open = null),
    );
  }

  /**
   * One request of the desk: what it replaces goes at once (`clear`), its answer is shown
   * (`show`) and focused (`#focusId`) only while it is the latest request, so an answer to an
   * older search or click is dropped, and so is its error.
   */
  private async latest<T>(load: () => Promise<T>, show: (answer: T) => void, focusId: string, clear: () => void): Promise<void> {
    const turn = ++this.turn;
    clear();
    this.error = null;
    try {
      const answer = await load();
      if (turn !== this.turn) return;
      show(answer);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`#${focusId}`)?.focus();
    } catch (err) {
      if (turn === this.turn) this.failed(err);
    }
  }

  override render(): TemplateResult {
    const m = this.m;
    return html`<main>
      <h1>${m.t('title')}</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${!this.ready ? html`<p>${m.t('loading')}</p>` : this.who === null ? this.loginForm() : this.desk(this.who)}
    </main>`;
  }

  private loginForm(): TemplateResult {
    const m = this.m;
    const ways = this.signIn ?? { password: true, company: null };
    return html`<h2>${m.t('login.heading')}</h2>
      ${this.companyPart !== null ? this.companyPart(ways) : nothing}
      ${
        ways.password
          ? html`<form @submit=${(e: SubmitEvent) => void this.login(e)}>
            <label>${m.t('login.name')} <input id="name" name="name" autocomplete="username" required /></label>
            <label>${m.t('login.password')} <input id="password" name="password" type="password" autocomplete="current-password" required /></label>
            <button type="submit">${m.t('login.submit')}</button>
          </form>`
          : nothing
      }`;
  }

  /** What the views of the desk read from it and ask of it. */
  private host(): ConsoleHost {
    return { m: this.m, timeZone: this.timeZone, show: (id) => void this.show(id), showSite: (site) => void this.showSite(site) };
  }

  private desk(who: ConsoleWho): TemplateResult {
    const m = this.m;
    const host = this.host();
    return html`<p class="who">
        <span>${spliced(m, 'who.loggedIn', { name: html`<strong>${who.name}</strong>`, tier: m.t(who.role === 'tier2' ? 'who.tier2' : 'who.tier1') })}</span>
        <button class="link" @click=${() => void this.logout()}>${m.t('who.logout')}</button>
      </p>
      ${this.sites ? siteList(this.sites, host) : nothing} ${this.siteReport ? this.siteReport.view(this.siteReport.report) : nothing}
      ${searchForm(host, (e) => void this.search(e))}
      ${this.rows ? foundList(this.rows, host) : nothing} ${this.open ? this.open.view(this.open.result, host) : nothing} ${who.role === 'tier2' && this.exportView !== null ? this.exportView(this.exportHost()) : nothing}`;
  }
}
