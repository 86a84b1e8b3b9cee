/**
 * The help desk console (/console): log in, see the known sites with what to look at first
 * (silent, outages, raised alerts), search stored results, open one with the site's baseline,
 * the likely culprit and what to tell the user. Everything comes from
 * /api/console (the server redacts tier 1's view); the session is an HttpOnly cookie.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { ErrorBody } from '../../protocol/api.js';
import {
  CONSOLE_API,
  TICKET_HINT,
  type ConsoleChain,
  type ConsoleChainLink,
  type ConsoleResultView,
  type ConsoleSearchAnswer,
  type ConsoleSearchRow,
  type ConsoleWho,
} from '../../protocol/api-console.js';
import { RESULTS_PATH, SITES_OVERVIEW_PATH, siteReportPath } from '../../protocol/api.js';
import { TypedError } from '../../protocol/typed-error.js';
import { edgeName } from '../../analysis/present/locate.js';
import type { SitesOverview } from '../../analysis/site/overview.js';
import type { SiteReport } from '../../analysis/report/site-report.js';
import { CpElement } from './cp-element.js';
import { consoleStyles } from './console.styles.js';

/** An answer of the API that is not 2xx: the server's reason (ErrorBody), `no-reason` when its body named none. */
class ApiError extends TypedError<string> {
  constructor(
    reason: string,
    message: string,
    readonly status: number,
  ) {
    super(reason, message);
  }
}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', ...init });
  if (res.status === 204) return undefined as T;
  const body = (await res.json()) as unknown;
  if (!res.ok) {
    const refusal = body as Partial<ErrorBody> | null;
    throw new ApiError(refusal?.reason ?? 'no-reason', refusal?.message ?? `HTTP ${res.status}`, res.status);
  }
  return body as T;
}
export class ConsoleView extends CpElement {
  static override properties = {
    who: { state: true },
    rows: { state: true },
    open: { state: true },
    sites: { state: true },
    siteReport: { state: true },
    error: { state: true },
    ready: { state: true },
    exportFormat: { state: true },
    exportStatus: { state: true },
  };
  static override styles = consoleStyles;
  declare who: ConsoleWho | null;
  declare rows: ConsoleSearchAnswer | null;
  declare open: ConsoleResultView | null;
  /** The all-sites overview of the last 7 days, loaded once logged in. */
  declare sites: SitesOverview | null;
  /** One site's report of the last 7 days, with the function that draws it (its module loaded on the first one opened). */
  declare siteReport: { report: SiteReport; view: (typeof import('./console-site.js'))['siteReportView'] } | null;
  declare error: string | null;
  declare ready: boolean;
  /** The export's format as chosen (the separator applies to CSV only). */
  declare exportFormat: 'csv' | 'ndjson';
  /** What the last export did ("142 results exported"), for the status line. */
  declare exportStatus: string;
  private readonly timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  /** Counts searches and opened results: only the latest one's answer is shown. */
  private turn = 0;

  constructor() {
    super();
    this.who = null;
    this.rows = null;
    this.open = null;
    this.sites = null;
    this.siteReport = null;
    this.error = null;
    this.ready = false;
    this.exportFormat = 'csv';
    this.exportStatus = '';
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
    if (changed.has('who') && this.who !== null) void this.loadSites();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    api<ConsoleWho>(`${CONSOLE_API}/me`).then(
      (who) => {
        this.who = who;
        this.ready = true;
      },
      (err: Error) => {
        this.error = err instanceof ApiError && err.status === 401 ? null : err.message;
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
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('#code')?.focus();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private async logout(): Promise<void> {
    await api<unknown>(`${CONSOLE_API}/logout`, { method: 'POST' });
    this.turn++;
    this.who = null;
    this.rows = null;
    this.open = null;
    this.sites = null;
    this.siteReport = null;
  }

  private failed(err: unknown): void {
    if (err instanceof ApiError && err.status === 401) this.who = null;
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

  /**
   * Tier 2's export (GET /api/results, the console session counts as tier 2): CSV with the
   * separator chosen, or NDJSON, downloaded as a file; a refusal is shown in the server's words.
   */
  private async exportResults(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(e.target as HTMLFormElement)) if (typeof v === 'string' && v.trim() !== '') q.set(k, v.trim());
    if (q.get('format') !== 'csv') q.delete('sep');
    this.exportStatus = 'Exporting…';
    this.error = null;
    try {
      const res = await fetch(`${RESULTS_PATH}?${q.toString()}`, { credentials: 'same-origin' });
      if (!res.ok) {
        const refusal = (await res.json().catch(() => null)) as Partial<ErrorBody> | null;
        throw new ApiError(refusal?.reason ?? 'no-reason', refusal?.message ?? `HTTP ${res.status}`, res.status);
      }
      const text = await res.text();
      const format = q.get('format') === 'ndjson' ? 'ndjson' : 'csv';
      const rows = text.split('\n').filter((line) => line.trim() !== '').length - (format === 'csv' ? 1 : 0);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([text], { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' }));
      a.download = `callprobe-results-${new Date().toISOString().slice(0, 10)}.${format}`;
      a.click();
      URL.revokeObjectURL(a.href);
      const more = res.headers.get('x-callprobe-truncated');
      this.exportStatus = `${rows} result${rows === 1 ? '' : 's'} exported to ${a.download}${more === null ? '.' : `; more matched: export again from ${more} for the rest.`}`;
    } catch (err) {
      this.exportStatus = '';
      this.failed(err);
    }
  }

  /** A site's report of the last 7 days (GET /api/sites/:site/report), hours and days in this browser's time zone. */
  private async showSite(site: string): Promise<void> {
    await this.latest(
      async () => {
        const [report, view] = await Promise.all([
          api<SiteReport>(`${siteReportPath(site)}?since=7d&tz=${encodeURIComponent(this.timeZone)}`),
          import('./console-site.js').then((m) => m.siteReportView),
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
      () => api<ConsoleResultView>(`${CONSOLE_API}/results/${encodeURIComponent(row.id)}?tz=${encodeURIComponent(this.timeZone)}`),
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
    return html`<main>
      <h1>callprobe help desk</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${!this.ready ? html`<p>Loading…</p>` : this.who === null ? this.loginForm() : this.desk(this.who)}
    </main>`;
  }

  private loginForm(): TemplateResult {
    return html`<h2>Log in</h2>
      <form @submit=${(e: SubmitEvent) => void this.login(e)}>
        <label>User name <input id="name" name="name" autocomplete="username" required /></label>
        <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required /></label>
        <button type="submit">Log in</button>
      </form>`;
  }

  private desk(who: ConsoleWho): TemplateResult {
    return html`<p class="who">
        <span>Logged in as <strong>${who.name}</strong> (${who.role === 'tier2' ? 'tier 2' : 'tier 1'})</span>
        <button class="link" @click=${() => void this.logout()}>Log out</button>
      </p>
      ${this.sites ? this.siteList(this.sites) : nothing} ${this.siteReport ? this.siteReport.view(this.siteReport.report) : nothing}
      <h2>Find a result</h2>
      <form @submit=${(e: SubmitEvent) => void this.search(e)}>
        <label>Result code <input id="code" name="code" autocomplete="off" placeholder="7K3M-Q2XA" /></label>
        <label>Ticket <input name="ticket" autocomplete="off" /></label>
        <label>Site <input name="site" autocomplete="off" /></label>
        <label>From (ISO date or time) <input name="from" placeholder="2026-01-15" /></label>
        <label>To (ISO date or time) <input name="to" placeholder="2026-01-16T00:00:00Z" /></label>
        <label
          >Verdict
          <select name="verdict">
            <option value="">any</option>
            <option value="fail">fail</option>
            <option value="pass">pass</option>
            <option value="insufficient">insufficient</option>
            <option value="could-not-test">could not test</option>
          </select>
        </label>
        <input type="hidden" name="tz" .value=${this.timeZone} />
        <button type="submit">Search</button>
      </form>
      <p class="hint" data-testid="ticket-hint">${TICKET_HINT}</p>
      ${this.rows ? this.list(this.rows) : nothing} ${this.open ? this.result(this.open) : nothing} ${who.role === 'tier2' ? this.exportForm() : nothing}`;
  }

  /** Tier 2: the results as a file, CSV (with the separator a spreadsheet wants) or NDJSON. */
  private exportForm(): TemplateResult {
    return html`<h2>Export results</h2>
      <form data-testid="export" @submit=${(e: SubmitEvent) => void this.exportResults(e)}>
        <label
          >Format
          <select name="format" @change=${(e: Event) => (this.exportFormat = (e.target as HTMLSelectElement).value === 'ndjson' ? 'ndjson' : 'csv')}>
            <option value="csv">CSV (spreadsheet)</option>
            <option value="ndjson">NDJSON (one result per line)</option>
          </select>
        </label>
        <label
          >CSV separator
          <select name="sep" ?disabled=${this.exportFormat !== 'csv'}>
            <option value="comma">comma (,)</option>
            <option value="semicolon">semicolon (;)</option>
          </select>
        </label>
        <label>Since (ISO date or time) <input name="since" placeholder="2026-01-15" /></label>
        <label>Site (verified only) <input name="site" autocomplete="off" /></label>
        <button type="submit">Export</button>
      </form>
      <p class="hint">Oldest first; when more results match than one file holds, the status says from when to export the rest. Pick the semicolon for a spreadsheet whose list separator is ";" (where the comma is the decimal mark).</p>
      <p role="status" data-testid="export-status">${this.exportStatus}</p>`;
  }

  /** Every known site, with its verdict over the last 7 days and what to look at first. */
  private siteList(o: SitesOverview): TemplateResult {
    return html`<h2>Sites (last 7 days)</h2>
      ${
        o.sites.length === 0
          ? html`<p>No site has stored a sample yet.</p>`
          : html`<table data-testid="sites">
            <thead><tr><th scope="col">Site</th><th scope="col">Samples</th><th scope="col">Verdict</th><th scope="col">Last tested</th><th scope="col">Look at</th></tr></thead>
            <tbody>
              ${o.sites.map(
                (s) =>
                  html`<tr>
                      <td>
                        <button class="link" @click=${() => void this.showSite(s.site)} aria-label="Open the site report of ${s.site}">${s.site}</button>${
                          s.edge ? html` <small>on ${edgeName(s.edge)}</small>` : nothing
                        }
                      </td>
                      <td>${s.samples} of ${s.samplesTotal}</td>
                      <td class=${s.verdict}>${s.verdict}</td>
                      <td>${s.health?.lastReportAt ?? '–'}</td>
                      <td>${(s.health?.flags.length ?? 0) === 0 ? '–' : html`<ul class="flags">${s.health?.flags.map((f) => html`<li>${f.sentence}</li>`)}</ul>`}</td>
                    </tr>
                    ${(s.otherEdges ?? []).map(
                      (e) =>
                        html`<tr data-testid="other-edge">
                          <td><small>${s.site} on ${edgeName(e.edge)}, graded apart</small></td>
                          <td>${e.samples}</td>
                          <td class=${e.verdict}>${e.verdict}</td>
                          <td>–</td>
                          <td>–</td>
                        </tr>`,
                    )}`,
              )}
            </tbody>
          </table>`
      }`;
  }

  private list(a: ConsoleSearchAnswer): TemplateResult {
    return html`<h2 id="found" tabindex="-1">${a.results.length} result${a.results.length === 1 ? '' : 's'}${a.truncated ? ' (more matched: narrow the search)' : ''}</h2>
      ${
        a.results.length === 0
          ? nothing
          : html`<table>
            <thead>
              <tr><th scope="col">Code</th><th scope="col">Started (${this.timeZone})</th><th scope="col">Site</th><th scope="col">Ticket</th><th scope="col">Verdict</th></tr>
            </thead>
            <tbody>
              ${a.results.map(
                (r) =>
                  html`<tr>
                    <td><button class="link code" @click=${() => void this.show(r)} aria-label="Open result ${r.code}">${r.code}</button></td>
                    <td>${r.startedAtLocal}</td>
                    <td>${r.site ?? (r.siteUnverified === null ? '–' : html`${r.siteUnverified} <em class="unverified">(not verified: named by the link)</em>`)}</td>
                    <td>${r.ticket ?? '–'}</td>
                    <td class=${r.verdict ?? ''}>${r.verdict ?? 'could not test'}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
      }`;
  }

  private result(r: ConsoleResultView): TemplateResult {
    return html`<section aria-labelledby="result">
      <h2 id="result" tabindex="-1">Result <span class="code">${r.code}</span>: <span class=${r.verdict ?? ''}>${r.verdict ?? 'could not test'}</span></h2>
      <p>Started ${r.startedAtLocal}${r.site ? html`, site ${r.site}` : nothing}${r.siteUnverified ? html`, site named by the link (not verified): ${r.siteUnverified}` : nothing}${r.ticket ? html`, ticket ${r.ticket} <em>(a hint, typed by the tester)</em>` : nothing}</p>
      ${r.networkContext ? html`<ul data-testid="network-context" aria-label="The user's network">${r.networkContext.map((line) => html`<li>${line}</li>`)}</ul>` : nothing}
      ${r.relayReachability ? html`<ul data-testid="relay-reachability" aria-label="The listed media relays' reachability (not quality)">${r.relayReachability.map((line) => html`<li>${line}</li>`)}</ul>` : nothing}
      ${r.devices ? html`<ul data-testid="devices" aria-label="The user's devices">${r.devices.map((line) => html`<li>${line}</li>`)}</ul>` : nothing}
      ${this.chain(r.chain)}
      ${r.edge ? html`<p data-testid="edge">${r.edge.sentence} <small>(test server ${r.edge.id})</small></p>` : nothing}
      ${r.regions.map((s) => html`<p data-testid="region-leg">${s}</p>`)}
      ${
        r.couldNotTest
          ? html`<p class="culprit" data-side=${r.couldNotTest.side}>Could not test: ${r.couldNotTest.words}</p>
              <p>${r.couldNotTest.where}</p>
              <p><small>Detail: ${r.couldNotTest.message} (reason: ${r.couldNotTest.reason})</small></p>`
          : nothing
      }
      ${
        r.answer
          ? html`<h3>What to tell the user</h3>
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
          ? html`<h3>With the line busy</h3>
            <div data-testid="busy-line"><p>${r.busyLine.sentence}</p><ul>${r.busyLine.lines.map((x) => html`<li>${x}</li>`)}</ul>${r.busyLine.capacity ? html`<p>${r.busyLine.capacity}</p>` : nothing}</div>`
          : nothing
      }
      <h3>Likely culprit</h3>
      ${
        r.culprit.length > 0
          ? html`<ul class="culprit" data-testid="culprit">${r.culprit.map((c) => html`<li>${c}</li>`)}</ul>`
          : html`<p data-testid="culprit">No contrast in the data points at one culprit.</p>`
      }
      ${r.baseline ? this.baseline(r.baseline) : html`<p>No site: no baseline to compare with.</p>`}
      ${r.site ? html`<p><button class="link" @click=${() => void this.showSite(r.site ?? '')}>Open the site report of ${r.site}</button></p>` : nothing}
      ${r.cqd ? html`<h3>Teams call quality dashboard</h3><p>${r.cqd.sentence} <small>(${r.cqd.basis})</small></p>` : nothing}
      ${
        r.grades.length > 0
          ? html`<h3>Teams network targets (strict)</h3>
            <table>
              <thead><tr><th scope="col">Target</th><th scope="col">Direction</th><th scope="col">Value</th><th scope="col">Target</th><th scope="col">Status</th></tr></thead>
              <tbody>${r.grades.map((g) => html`<tr><td>${g.label}</td><td>${g.direction}</td><td>${g.measured}</td><td>${g.limit}</td><td class=${g.status}>${g.status}</td></tr>`)}</tbody>
            </table>`
          : nothing
      }
      ${r.network ? this.network(r.network) : nothing}
    </section>`;
  }

  /**
   * The same browser's other tests, each a link that opens it: said as the browser's claim (the
   * page sent the earlier code; the server checked only that it stored it within 30 days).
   */
  private chain(c: ConsoleChain): TemplateResult | typeof nothing {
    if (c.earlier === null && c.later.length === 0) return nothing;
    const link = (l: ConsoleChainLink) =>
      html`<button class="link code" @click=${() => void this.show({ id: l.code })} aria-label="Open result ${l.code}">${l.code}</button>
        (${l.startedAtLocal}, ${l.verdict ?? 'could not test'})`;
    return html`<div data-testid="chain">
      ${c.earlier ? html`<p data-chain="earlier">Earlier test from the same browser (the browser's claim): ${link(c.earlier)}</p>` : nothing}
      ${
        c.later.length > 0
          ? html`<p data-chain="later">Tested again from the same browser (the browser's claim):</p>
            <ul>${c.later.map((l) => html`<li data-chain-code=${l.code}>${link(l)}</li>`)}</ul>`
          : nothing
      }
    </div>`;
  }

  private baseline(b: NonNullable<ConsoleResultView['baseline']>): TemplateResult {
    const hours = `${b.hours[0] ?? 0}:00–${(b.hours[b.hours.length - 1] ?? 0) + 1}:00`;
    return html`<h3>Beside the site's baseline</h3>
      <p data-testid="baseline">
        ${
          b.samples === 0
            ? `No baseline: the site has no sample of the last 7 days started ${hours} (${b.timeZone}) to compare with.`
            : `The site's ${b.samples === 1 ? '1 sample' : `${b.samples} samples`} of the last 7 days started ${hours} (${b.timeZone}).`
        }
      </p>
      ${
        b.samples === 0
          ? nothing
          : html`<table>
            <thead><tr><th scope="col">Metric</th><th scope="col">Direction</th><th scope="col">This result</th><th scope="col">Site P50</th><th scope="col">Site P90</th><th scope="col">Standing</th></tr></thead>
            <tbody>
              ${b.metrics.map(
                (m) =>
                  html`<tr><td>${m.label}</td><td>${m.direction}</td><td>${m.figures.value}</td><td>${m.figures.p50}</td><td>${m.figures.p90}</td><td>${m.standing === 'above-p90' ? 'worse than usual' : m.standing === 'above-p50' ? 'a bit worse' : m.standing === 'typical' ? 'usual' : '–'}</td></tr>`,
              )}
            </tbody>
          </table>`
      }`;
  }

  private network(n: NonNullable<ConsoleResultView['network']>): TemplateResult {
    return html`<h3>Network details (tier 2, personal data: every view is logged)</h3>
      <ul data-testid="network">
        ${n.addresses.length === 0 ? html`<li>No client address kept (past retention or unknown).</li>` : n.addresses.map((a) => html`<li>Client address ${a.address} (${a.truncated}), stored ${a.storedAt}</li>`)}
        <li>NAT: ${n.nat ? `${n.nat.mapping} (${n.nat.reason})` : 'not measured'}</li>
        <li>Path: ${n.path ? `${n.path.transport.toUpperCase()} ${n.path.port ?? ''} ${n.path.candidateType ?? ''}` : 'unknown'}</li>
      </ul>`;
  }
}
