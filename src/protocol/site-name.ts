/**
 * Site names, one way everywhere: the page's `?site=`, `run --site`, uploads, site reports,
 * alerts, tokens and the console all pass a name through `canonicalSite()` before any check,
 * so "Paris office", " paris  office " and "PARIS OFFICE" are one site.
 *
 * - `display`: the name as people wrote it, Unicode NFKC-normalised (full-width letters and
 *   signs become their plain forms), trimmed, every run of white space one space.
 * - `key`: `display` with case folded (`toLowerCase` after NFKC): what stores and compares.
 *
 * Refused, with a reason: an empty name (nothing but white space), a name longer than
 * `SITE_NAME_MAX_CHARS`, any control or format character (C0, DEL, C1, U+2028/2029, bidi
 * controls), and a name that starts with a spreadsheet formula prefix (`=`, `+`, `-`, `@`,
 * `;`, `|`; OWASP "CSV Injection"), which a site name never needs.
 */
import { TypedError } from './typed-error.js';

export const SITE_NAME_MAX_CHARS = 128; // the report schema's bound on meta.site

export type SiteNameErrorReason = 'empty' | 'too-long' | 'control-character' | 'formula-prefix';

export class SiteNameError extends TypedError<SiteNameErrorReason> {
  override readonly name = 'SiteNameError';
}

export interface CanonicalSite {
  /** The name to show: NFKC, trimmed, single spaces. */
  readonly display: string;
  /** The name to store and compare: `display` with case folded. */
  readonly key: string;
}

// Cc (C0, DEL, C1) and Cf (format: bidi controls, zero-width characters), plus the line and
// paragraph separators; tab and newlines are white space first, but a name keeps none of them.
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
const FORMULA_PREFIX = /^[=+\-@;|]/;

/** The canonical form of a site name, or a SiteNameError saying why it cannot be one. */
export function canonicalSite(name: string): CanonicalSite {
  const normalised = name.normalize('NFKC');
  // White space (including tab, CR, LF and U+00A0, which NFKC turns into a space) folds first,
  // so a name split over lines by a copy and paste is still one name; other controls refuse.
  const display = normalised.replace(/[\s\u00a0]+/gu, ' ').trim();
  if (display.length === 0) throw new SiteNameError('empty', 'a site name needs at least one letter or digit');
  if (CONTROL.test(display)) throw new SiteNameError('control-character', 'a site name cannot hold control or formatting characters');
  if (FORMULA_PREFIX.test(display))
    throw new SiteNameError('formula-prefix', 'a site name cannot start with = + - @ ; or | (spreadsheets read those as formulas)');
  if ([...display].length > SITE_NAME_MAX_CHARS) throw new SiteNameError('too-long', `a site name has at most ${SITE_NAME_MAX_CHARS} characters`);
  return { display, key: display.toLowerCase() };
}

/** `canonicalSite` for input that may be absent: null stays null. */
export function canonicalSiteOrNull(name: string | null | undefined): CanonicalSite | null {
  return name === null || name === undefined ? null : canonicalSite(name);
}
