/**
 * The help desk console (/console): log in (a console user's password, or the company's identity
 * provider, saying when it does not answer that passwords still work), see the known sites with what to look at first
 * (silent, outages, raised alerts), search stored results, open one with the site's baseline,
 * the likely culprit and what to tell the user. Everything comes from
 * /api/console (the server redacts tier 1's view); the session is an HttpOnly cookie.
 */
import { html, nothing, type TemplateResult } from 'lit';
import {
  CONSOLE_API,
  type ConsoleChain,
  type ConsoleChainLink,
  type ConsoleResultView,
  type ConsoleSearchAnswer,
  type ConsoleSearchRow,
  type ConsoleWho,
} from '../../protocol/api-console.js';
import type { ConsoleSignIn } from '../../protocol/api-console-sign-in.js';
import { SITES_OVERVIEW_PATH, siteReportPath } from '../../protocol/api.js';
import { api, ApiError } from '../console-api.js';
import type { ExportHost } from './console-export.js';
import type { SitesOverview } from '../../analysis/site/overview.js';
import type { SiteReport } from '../../analysis/report/site-report.js';
import { CpElement } from './cp-element.js';
import { consoleStyles } from './console.styles.js';
import { CONSOLE_EN, countText, loadConsoleMessages, spliced, type ConsoleMessages } from '../console-i18n.js';
import { readerLang } from '../reader-lang.js';
import { failureWordsIn, whereWordsIn } from '../could-not-run-words.js';

type OverviewSite = SitesOverview['sites'][number];
/** A site's flag (src/analysis/site/health.ts): what IT should look at, by kind and figures. */
type SiteFlag = NonNullable<OverviewSite['health']>['flags'][number];

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
  declare open: ConsoleResultView | null;
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
      this.sites = await api<SitesOverview>(`${SITES_OVERVIEW_PATH}?since=7d`);
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
      const ways = await api<ConsoleSignIn>(`${CONSOLE_API}/sign-in`);
      if (ways.company !== null) this.companyPart ??= await (await import('./console-sign-in.js')).companyPart(this.m.lang);
      this.signIn = ways;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const words = this.loadWords();
    api<ConsoleWho>(`${CONSOLE_API}/me`).then(
      async (who) => {
        await words;
        this.who = who;
        this.ready = true;
      },
      async (err: Error) => {
        const loggedOut = err instanceof ApiError && err.status === 401;
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
      this.who = await api<ConsoleWho>(`${CONSOLE_API}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: f.get('name'), password: f.get('password') }),
      });
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
    await api<unknown>(`${CONSOLE_API}/logout`, { method: 'POST' });
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
    if (err instanceof ApiError && err.status === 401 && this.who !== null) {
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
      () => api<ConsoleSearchAnswer>(`${CONSOLE_API}/results?${q.toString()}`),
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
          api<SiteReport>(`${siteReportPath(site)}?since=7d&tz=${encodeURIComponent(this.timeZone)}`),
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

  private async show(row: Pick<ConsoleSearchRow, 'id'>): Promise<void> {
    await this.latest(
      () =>
        api<ConsoleResultView>(
          `${CONSOLE_API}/results/${encodeURIComponent(row.id)}?tz=${encodeURIComponent(this.timeZone)}&lang=${encodeURIComponent(this.m.lang)}`,
        ),
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

  private desk(who: ConsoleWho): TemplateResult {
    const m = this.m;
    return html`<p class="who">
        <span>${spliced(m, 'who.loggedIn', { name: html`<strong>${who.name}</strong>`, tier: m.t(who.role === 'tier2' ? 'who.tier2' : 'who.tier1') })}</span>
        <button class="link" @click=${() => void this.logout()}>${m.t('who.logout')}</button>
      </p>
      ${this.sites ? this.siteList(this.sites) : nothing} ${this.siteReport ? this.siteReport.view(this.siteReport.report) : nothing}
      <h2>${m.t('find.heading')}</h2>
      <form @submit=${(e: SubmitEvent) => void this.search(e)}>
        <label>${m.t('find.code')} <input id="code" name="code" autocomplete="off" placeholder="7K3M-Q2XA" /></label>
        <label>${m.t('find.ticket')} <input name="ticket" autocomplete="off" /></label>
        <label>${m.t('find.site')} <input name="site" autocomplete="off" /></label>
        <label>${m.t('find.from')} <input name="from" placeholder="2026-01-15" /></label>
        <label>${m.t('find.to')} <input name="to" placeholder="2026-01-16T00:00:00Z" /></label>
        <label
          >${m.t('find.verdict')}
          <select name="verdict">
            <option value="">${m.t('find.any')}</option>
            <option value="fail">${m.t('verdict.fail')}</option>
            <option value="pass">${m.t('verdict.pass')}</option>
            <option value="insufficient">${m.t('verdict.insufficient')}</option>
            <option value="could-not-test">${m.t('verdict.none')}</option>
          </select>
        </label>
        <input type="hidden" name="tz" .value=${this.timeZone} />
        <button type="submit">${m.t('find.submit')}</button>
      </form>
      <p class="hint" data-testid="ticket-hint">${m.t('find.ticketHint')}</p>
      ${this.rows ? this.list(this.rows) : nothing} ${this.open ? this.result(this.open) : nothing} ${who.role === 'tier2' && this.exportView !== null ? this.exportView(this.exportHost()) : nothing}`;
  }

  /** A verdict as the console names it; null: the test could not run. */
  private verdictWord(v: string | null): string {
    const m = this.m;
    return v === 'pass' || v === 'fail' || v === 'insufficient' ? m.t(`verdict.${v}`) : v === null ? m.t('verdict.none') : v;
  }

  /** An edge in a list for IT: "edge ams-1 (West Europe)". */
  private edgeWords(e: { id: string; azureRegion: string | null }): string {
    const m = this.m;
    return e.azureRegion === null || e.azureRegion === '' ? m.t('sites.edge', { id: e.id }) : m.t('sites.edgeIn', { id: e.id, region: e.azureRegion });
  }

  /** A site's flag in the console's language (English: the server's sentence). */
  private flagWords(f: SiteFlag, s: OverviewSite): string {
    const m = this.m;
    if (m.lang === 'en') return f.sentence;
    const span = (ms: number): string => {
      const minutes = Math.floor(ms / 60_000);
      const h = countText(m, Math.floor(minutes / 60));
      const min = countText(m, minutes % 60);
      return minutes < 60 ? m.t('span.min', { m: min }) : minutes % 60 === 0 ? m.t('span.h', { h }) : m.t('span.hMin', { h, m: min });
    };
    switch (f.kind) {
      case 'not-installed':
        return m.t('flag.notInstalled', { since: f.tokenSince });
      case 'never-reported':
        return m.t('flag.neverReported', { since: f.tokenSince, span: span(f.silentUpMs) });
      case 'silent': {
        const last = s.health?.lastReportAt ?? null;
        return last === null ? m.t('flag.silentNever', { span: span(f.silentUpMs) }) : m.t('flag.silent', { span: span(f.silentUpMs), last });
      }
      case 'outages':
        return m.t('flag.outages', {
          n: countText(m, f.samples),
          total: countText(m, s.samplesTotal),
          pct: m.t('unit.pct', { n: countText(m, Math.round(f.pct)) }),
        });
      case 'alert':
        return f.since === null ? m.t('flag.alert', { metric: f.metric }) : m.t('flag.alertSince', { metric: f.metric, since: f.since });
    }
  }

  /** Every known site, with its verdict over the last 7 days and what to look at first. */
  private siteList(o: SitesOverview): TemplateResult {
    const m = this.m;
    return html`<h2>${m.t('sites.heading')}</h2>
      ${
        o.sites.length === 0
          ? html`<p>${m.t('sites.none')}</p>`
          : region(
              m.t('sites.heading'),
              html`<table class="sites" data-testid="sites">
            <caption class="sr-only">${m.t('sites.heading')}</caption>
            <thead><tr><th scope="col">${m.t('sites.site')}</th><th scope="col">${m.t('sites.samples')}</th><th scope="col">${m.t('sites.verdict')}</th><th scope="col">${m.t('sites.lastTested')}</th><th scope="col">${m.t('sites.lookAt')}</th></tr></thead>
            <tbody>
              ${o.sites.map(
                (s) =>
                  html`<tr>
                      <td class="name">
                        <button class="link" @click=${() => void this.showSite(s.site)} aria-label=${m.t('sites.open', { site: s.site })}>${s.site}</button>${
                          s.edge ? html` <small>${m.t('sites.on', { edge: this.edgeWords(s.edge) })}</small>` : nothing
                        }
                      </td>
                      <td class="nowrap">${m.t('sites.samplesOf', { n: countText(m, s.samples), total: countText(m, s.samplesTotal) })}</td>
                      <td class="nowrap ${s.verdict}">${this.verdictWord(s.verdict)}</td>
                      <td class="nowrap">${s.health?.lastReportAt ?? '–'}</td>
                      <td class="look">${(s.health?.flags.length ?? 0) === 0 ? '–' : html`<ul class="flags">${s.health?.flags.map((f) => html`<li>${this.flagWords(f, s)}</li>`)}</ul>`}</td>
                    </tr>
                    ${(s.otherEdges ?? []).map(
                      (e) =>
                        html`<tr data-testid="other-edge">
                          <td><small>${m.t('sites.otherEdge', { site: s.site, edge: this.edgeWords(e.edge) })}</small></td>
                          <td>${countText(m, e.samples)}</td>
                          <td class="nowrap ${e.verdict}">${this.verdictWord(e.verdict)}</td>
                          <td>–</td>
                          <td>–</td>
                        </tr>`,
                    )}`,
              )}
            </tbody>
          </table>`,
            )
      }`;
  }

  private list(a: ConsoleSearchAnswer): TemplateResult {
    const m = this.m;
    const n = countText(m, a.results.length);
    const heading = a.truncated
      ? m.plural(a.results.length, 'foundMore.one', 'foundMore.other', { n })
      : m.plural(a.results.length, 'found.one', 'found.other', { n });
    return html`<h2 id="found" tabindex="-1">${heading}</h2>
      ${
        a.results.length === 0
          ? nothing
          : region(
              heading,
              html`<table>
            <caption class="sr-only">${heading}</caption>
            <thead>
              <tr><th scope="col">${m.t('found.code')}</th><th scope="col">${m.t('found.started', { timeZone: this.timeZone })}</th><th scope="col">${m.t('found.site')}</th><th scope="col">${m.t('found.ticket')}</th><th scope="col">${m.t('found.verdict')}</th></tr>
            </thead>
            <tbody>
              ${a.results.map(
                (r) =>
                  html`<tr>
                    <td><button class="link code" @click=${() => void this.show(r)} aria-label=${m.t('found.open', { code: r.code })}>${r.code}</button></td>
                    <td class="nowrap">${r.startedAtLocal}</td>
                    <td class="name">${r.site ?? (r.siteUnverified === null ? '–' : html`${r.siteUnverified} <em class="unverified">${m.t('found.unverified')}</em>`)}</td>
                    <td class="name">${r.ticket ?? '–'}</td>
                    <td class=${r.verdict ?? ''}>${this.verdictWord(r.verdict)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`,
            )
      }`;
  }

  /** What failed and where to look, for a test that could not run: the page's words in the console's language (English: the server's). */
  private couldNotTest(c: NonNullable<ConsoleResultView['couldNotTest']>): TemplateResult {
    const m = this.m;
    const words = m.page === null ? c.words : failureWordsIn(m.page, c.reason);
    const where = m.page === null ? c.where : whereWordsIn(m.page, c.side);
    return html`<p class="culprit" data-side=${c.side}>${m.t('result.couldNotTest', { words })}</p>
      <p>${where}</p>
      <p><small>${m.t('result.detail', { message: c.message, reason: c.reason })}</small></p>`;
  }

  private result(r: ConsoleResultView): TemplateResult {
    const m = this.m;
    return html`<section aria-labelledby="result">
      <h2 id="result" tabindex="-1">${spliced(m, 'result.heading', { code: html`<span class="code">${r.code}</span>`, verdict: html`<span class=${r.verdict ?? ''}>${this.verdictWord(r.verdict)}</span>` })}</h2>
      <p>${m.t('result.started', { when: r.startedAtLocal })}${r.site ? m.t('result.site', { site: r.site }) : nothing}${r.siteUnverified ? m.t('result.siteUnverified', { site: r.siteUnverified }) : nothing}${r.ticket ? html`${m.t('result.ticket', { ticket: r.ticket })} <em>${m.t('result.ticketHint')}</em>` : nothing}</p>
      ${r.networkContext ? html`<ul data-testid="network-context" aria-label=${m.t('result.network')}>${r.networkContext.map((line) => html`<li>${line}</li>`)}</ul>` : nothing}
      ${r.relayReachability ? html`<ul data-testid="relay-reachability" aria-label=${m.t('result.reachability')}>${r.relayReachability.map((line) => html`<li>${line}</li>`)}</ul>` : nothing}
      ${r.devices ? html`<ul data-testid="devices" aria-label=${m.t('result.devices')}>${r.devices.map((line) => html`<li>${line}</li>`)}</ul>` : nothing}
      ${this.chain(r.chain)}
      ${r.edge ? html`<p data-testid="edge">${r.edge.sentence} <small>${m.t('result.edgeId', { id: r.edge.id })}</small></p>` : nothing}
      ${r.regions.map((s) => html`<p data-testid="region-leg">${s}</p>`)}
      ${r.couldNotTest ? this.couldNotTest(r.couldNotTest) : nothing}
      ${
        r.answer
          ? html`<h3>${m.t('result.tell')}</h3>
            <div class="tell">
              <p>${r.answer.sentence}</p>
              ${r.answer.withdrawn ? html`<p class="caution" data-withdrawn>${r.answer.withdrawn}</p>` : nothing}
              ${r.answer.caution ? html`<p class="caution" data-caution>${r.answer.caution}</p>` : nothing}
              ${r.answer.facts.map((f) => html`<p class="fact" data-fact=${f.id}><strong>${f.text}</strong> ${f.action}</p>`)}
              ${r.answer.findings.map((f) => html`<p>${f.sentence}</p>`)}
              ${r.answer.advice.length > 0 ? html`<ul>${r.answer.advice.map((a) => html`<li>${a.text} <em>(${a.because})</em></li>`)}</ul>` : nothing}
            </div>`
          : nothing
      }
      ${
        r.busyLine
          ? html`<h3>${m.t('result.busyLine')}</h3>
            <div data-testid="busy-line"><p>${r.busyLine.sentence}</p><ul>${r.busyLine.lines.map((x) => html`<li>${x}</li>`)}</ul>${r.busyLine.capacity ? html`<p>${r.busyLine.capacity}</p>` : nothing}</div>`
          : nothing
      }
      <h3>${m.t('result.culprit')}</h3>
      ${
        r.culprit.length > 0
          ? html`<ul class="culprit" data-testid="culprit">${r.culprit.map((c) => html`<li>${c}</li>`)}</ul>`
          : html`<p data-testid="culprit">${m.t('result.noCulprit')}</p>`
      }
      ${r.baseline ? this.baseline(r.baseline) : html`<p>${m.t('result.noSite')}</p>`}
      ${r.site ? html`<p><button class="link" @click=${() => void this.showSite(r.site ?? '')}>${m.t('sites.open', { site: r.site })}</button></p>` : nothing}
      ${r.cqd ? html`<h3>${m.t('result.cqd')}</h3><p>${r.cqd.sentence} <small>(${r.cqd.basis})</small></p>` : nothing}
      ${
        r.grades.length > 0
          ? html`<h3>${m.t('result.targets')}</h3>
            ${region(
              m.t('result.targets'),
              html`<table>
              <caption class="sr-only">${m.t('result.targets')}</caption>
              <thead><tr><th scope="col">${m.t('result.target')}</th><th scope="col">${m.t('result.direction')}</th><th scope="col">${m.t('result.value')}</th><th scope="col">${m.t('result.limit')}</th><th scope="col">${m.t('result.status')}</th></tr></thead>
              <tbody>${r.grades.map((g) => html`<tr><td class="label">${g.label}</td><td>${this.directionWord(g.direction)}</td><td class="nowrap">${g.measured}</td><td class="nowrap">${g.limit}</td><td class=${g.status}>${m.t(`status.${g.status}`)}</td></tr>`)}</tbody>
            </table>`,
            )}`
          : nothing
      }
      ${r.network ? this.network(r.network) : nothing}
    </section>`;
  }

  /** A graded direction's code in the console's words (English: the code itself). */
  private directionWord(d: string): string {
    return d === 'up' || d === 'down' || d === 'loop' || d === 'round-trip' ? this.m.t(`dir.${d}`) : d;
  }

  /**
   * The same browser's other tests, each a link that opens it: said as the browser's claim (the
   * page sent the earlier code; the server checked that it stored it within 30 days and that it
   * started before), the later ones newest first with how many more, and a claim from another
   * network than the claimed result's marked.
   */
  private chain(c: ConsoleChain): TemplateResult | typeof nothing {
    const m = this.m;
    if (c.earlier === null && c.later.length === 0) return nothing;
    const link = (l: ConsoleChainLink) =>
      html`<button class="link code" @click=${() => void this.show({ id: l.code })} aria-label=${m.t('found.open', { code: l.code })}>${l.code}</button>
        ${m.t('chain.link', { when: l.startedAtLocal, verdict: this.verdictWord(l.verdict) })}
        ${l.otherNetwork ? html`<strong data-chain-other>${m.t('chain.otherNetwork')}</strong>` : nothing}`;
    return html`<div data-testid="chain">
      ${c.earlier ? html`<p data-chain="earlier">${spliced(m, 'chain.earlier', { link: link(c.earlier) })}</p>` : nothing}
      ${
        c.later.length > 0
          ? html`<p data-chain="later">${m.t('chain.later')}</p>
            <ul>${c.later.map((l) => html`<li data-chain-code=${l.code}>${link(l)}</li>`)}</ul>
            ${c.laterMore > 0 ? html`<p data-chain="more">${m.t('chain.more', { count: c.laterMore })}</p>` : nothing}`
          : nothing
      }
    </div>`;
  }

  private baseline(b: NonNullable<ConsoleResultView['baseline']>): TemplateResult {
    const m = this.m;
    const hours = `${b.hours[0] ?? 0}:00–${(b.hours[b.hours.length - 1] ?? 0) + 1}:00`;
    const standing = (s: (typeof b.metrics)[number]['standing']): string => (s === null ? '–' : m.t(`baseline.${s}`));
    return html`<h3>${m.t('baseline.heading')}</h3>
      <p data-testid="baseline">
        ${
          b.samples === 0
            ? m.t('baseline.none', { hours, timeZone: b.timeZone })
            : m.plural(b.samples, 'baseline.samples.one', 'baseline.samples.other', { n: countText(m, b.samples), hours, timeZone: b.timeZone })
        }
      </p>
      ${
        b.samples === 0
          ? nothing
          : region(
              m.t('baseline.heading'),
              html`<table>
            <caption class="sr-only">${m.t('baseline.heading')}</caption>
            <thead><tr><th scope="col">${m.t('baseline.metric')}</th><th scope="col">${m.t('baseline.direction')}</th><th scope="col">${m.t('baseline.value')}</th><th scope="col">${m.t('baseline.p50')}</th><th scope="col">${m.t('baseline.p90')}</th><th scope="col">${m.t('baseline.standing')}</th></tr></thead>
            <tbody>
              ${b.metrics.map(
                (x) =>
                  html`<tr><td class="label">${x.label}</td><td>${this.directionWord(x.direction)}</td><td class="nowrap">${x.figures.value}</td><td class="nowrap">${x.figures.p50}</td><td class="nowrap">${x.figures.p90}</td><td>${standing(x.standing)}</td></tr>`,
              )}
            </tbody>
          </table>`,
            )
      }`;
  }

  private network(n: NonNullable<ConsoleResultView['network']>): TemplateResult {
    const m = this.m;
    return html`<h3>${m.t('network.heading')}</h3>
      <ul data-testid="network">
        ${
          n.addresses.length === 0
            ? html`<li>${m.t('network.noAddress')}</li>`
            : n.addresses.map((a) => html`<li>${m.t('network.address', { address: a.address, truncated: a.truncated, at: a.storedAt })}</li>`)
        }
        <li>${m.t('network.nat', { nat: n.nat ? `${n.nat.mapping} (${n.nat.reason})` : m.t('network.notMeasured') })}</li>
        <li>${m.t('network.path', { path: n.path ? `${n.path.transport.toUpperCase()} ${n.path.port ?? ''} ${n.path.candidateType ?? ''}` : m.t('network.unknown') })}</li>
      </ul>`;
  }
}

/**
 * A table in a region that scrolls sideways when the table cannot fit (a phone, a long name), so
 * the page itself never does; focusable, so a keyboard can scroll it too.
 */
function region(label: string, table: TemplateResult): TemplateResult {
  return html`<div class="scroll" tabindex="0" role="region" aria-label=${label}>${table}</div>`;
}
