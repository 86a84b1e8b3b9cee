/** What the console's views share: the tables' scrolling region, a verdict in words, and what a view reads from and asks of the console. */
import { html, type TemplateResult } from 'lit';
import type { ConsoleMessages } from '../console-i18n.js';

/** What a view of the console reads (its words, the agent's time zone) and asks of it (open a result, a site's report). */
export interface ConsoleHost {
  m: ConsoleMessages;
  timeZone: string;
  /** Opens the result with this id (or code). */
  show(id: string): void;
  /** Opens a site's report of the last 7 days. */
  showSite(site: string): void;
}

/** A verdict as the console names it; null: the test could not run. */
export function verdictWord(m: ConsoleMessages, v: string | null): string {
  return v === 'pass' || v === 'fail' || v === 'insufficient' ? m.t(`verdict.${v}`) : v === null ? m.t('verdict.none') : v;
}

/**
 * A table in a region that scrolls sideways when the table cannot fit (a phone, a long name), so
 * the page itself never does; focusable, so a keyboard can scroll it too.
 */
export function region(label: string, table: TemplateResult): TemplateResult {
  return html`<div class="scroll" tabindex="0" role="region" aria-label=${label}>${table}</div>`;
}
