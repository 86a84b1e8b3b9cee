/**
 * Tier 2's export form (GET /api/results; the console session counts as tier 2), loaded once a
 * tier 2 user is logged in so the console's first load stays small: CSV in the spreadsheet
 * convention of the console's language (or the other, spelled out) with a UTF-8 mark, or NDJSON,
 * downloaded as a file; a refusal is shown in the server's words.
 */
import { html, type TemplateResult } from 'lit';
import { RESULTS_PATH } from '../../protocol/api.js';
import { DECIMAL_COMMA_LANGS } from '../../protocol/lang.js';
import { refusalOf } from '../../protocol/console-client.js';
import { countText, type ConsoleMessages } from '../console-i18n.js';

/** What the form reads from and writes to the console that shows it. */
export interface ExportHost {
  m: ConsoleMessages;
  /** The format as chosen (the convention and the mark apply to CSV only). */
  format: 'csv' | 'ndjson';
  /** What the last export did ("142 results exported"), for the status line. */
  status: string;
  setFormat(format: 'csv' | 'ndjson'): void;
  setStatus(status: string): void;
  /** A refusal or a failure, said where the console says its errors. */
  failed(err: unknown): void;
}

/** The form's fields as the API names them: the convention becomes `sep` and `decimal`; `bom` for CSV only. */
export function exportQuery(form: FormData): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of form) if (typeof v === 'string' && v.trim() !== '') q.set(k, v.trim());
  const convention = q.get('convention');
  q.delete('convention');
  if (q.get('format') === 'csv') {
    q.set('sep', convention === 'semicolon-comma' ? 'semicolon' : 'comma');
    q.set('decimal', convention === 'semicolon-comma' ? 'comma' : 'point');
  } else q.delete('bom');
  return q;
}

async function exportResults(host: ExportHost, e: SubmitEvent): Promise<void> {
  e.preventDefault();
  const m = host.m;
  const q = exportQuery(new FormData(e.target as HTMLFormElement));
  host.setStatus(m.t('export.running'));
  try {
    const res = await fetch(`${RESULTS_PATH}?${q.toString()}`, { credentials: 'same-origin' });
    if (!res.ok) throw await refusalOf(res);
    const text = await res.text();
    const format = q.get('format') === 'ndjson' ? 'ndjson' : 'csv';
    const rows = text.split('\n').filter((line) => line.trim() !== '').length - (format === 'csv' ? 1 : 0);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' }));
    a.download = `callprobe-results-${new Date().toISOString().slice(0, 10)}.${format}`;
    a.click();
    URL.revokeObjectURL(a.href);
    const more = res.headers.get('x-callprobe-truncated');
    const done = { n: countText(m, rows), file: a.download };
    host.setStatus(
      more === null
        ? m.plural(rows, 'export.done.one', 'export.done.other', done)
        : m.plural(rows, 'export.doneMore.one', 'export.doneMore.other', { ...done, more }),
    );
  } catch (err) {
    host.setStatus('');
    host.failed(err);
  }
}

/** The export form and its status line. */
export function exportPart(host: ExportHost): TemplateResult {
  const m = host.m;
  // The console's language picks the convention its spreadsheets read (a German Excel: ";" and "1,5").
  const commaDecimal = DECIMAL_COMMA_LANGS.has(m.lang);
  const notCsv = host.format !== 'csv';
  return html`<h2>${m.t('export.heading')}</h2>
    <form data-testid="export" @submit=${(e: SubmitEvent) => void exportResults(host, e)}>
      <label
        >${m.t('export.format')}
        <select name="format" @change=${(e: Event) => host.setFormat((e.target as HTMLSelectElement).value === 'ndjson' ? 'ndjson' : 'csv')}>
          <option value="csv">${m.t('export.csv')}</option>
          <option value="ndjson">${m.t('export.ndjson')}</option>
        </select>
      </label>
      <label
        >${m.t('export.convention')}
        <select name="convention" ?disabled=${notCsv}>
          <option value="comma-point" ?selected=${!commaDecimal}>${m.t('export.commaPoint')}</option>
          <option value="semicolon-comma" ?selected=${commaDecimal}>${m.t('export.semicolonComma')}</option>
        </select>
      </label>
      <label><input type="checkbox" name="bom" value="1" checked ?disabled=${notCsv} /> ${m.t('export.bom')}</label>
      <label>${m.t('export.since')} <input name="since" placeholder="2026-01-15" /></label>
      <label>${m.t('export.site')} <input name="site" autocomplete="off" /></label>
      <button type="submit">${m.t('export.submit')}</button>
    </form>
    <p class="hint">${m.t('export.hint')}</p>
    <p role="status" data-testid="export-status">${host.status}</p>`;
}
