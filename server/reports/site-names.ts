/**
 * A site asked for by name: its canonical form (src/protocol/site-name.ts), the known site it
 * names (table sites, by key), or, when none, the known sites it most likely meant, so a typo is
 * answered "no such site; did you mean Paris office?" instead of an empty report.
 */
import { canonicalSite, SiteNameError } from '../../src/protocol/site-name.js';
import type { KnownSite } from '../store/sites/types.js';
import { TypedError } from '../../src/protocol/typed-error.js';

/** Typed error: a site name that cannot be one (canonicalSite refused it). */
export class BadSiteName extends TypedError<'bad-site'> {
  override readonly name = 'BadSiteName';
}

/** Typed error: no stored sample has this site; `suggestions` are the display names it most likely meant. */
export class UnknownSite extends TypedError<'unknown-site'> {
  override readonly name = 'UnknownSite';
  constructor(
    readonly asked: string,
    readonly suggestions: readonly string[],
    known: number,
  ) {
    super(
      'unknown-site',
      suggestions.length > 0
        ? `no such site; did you mean ${orList(suggestions)}?`
        : `no such site: "${asked}" (${known} known site${known === 1 ? '' : 's'}: callprobe report --all lists them)`,
    );
  }
}

function orList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}

/** canonicalSite's key of a name from a request, or BadSiteName. */
function siteKeyParam(name: string): { display: string; key: string } {
  try {
    return canonicalSite(name);
  } catch (err) {
    if (err instanceof SiteNameError) throw new BadSiteName('bad-site', `site: ${err.message}`);
    throw err;
  }
}

/** Optimal string alignment distance (Levenshtein with adjacent transpositions), for typos. */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, (d[i - 2]?.[j - 2] ?? 0) + 1);
      row[j] = v;
    }
  }
  return d[x.length]?.[y.length] ?? 0;
}

/**
 * The known sites a key most likely meant, best first, at most `max`: those whose key starts with
 * it word by word ("paris" for "paris office"), then those within a few typos of it, or of their
 * first words (an edit distance up to a quarter of its length, at least 2), nearest first.
 */
export function closestSites(key: string, known: readonly KnownSite[], max = 3): string[] {
  const words = key.split(' ');
  const scored: Array<{ display: string; score: number }> = [];
  for (const s of known) {
    const theirs = s.key.split(' ');
    const prefix = words.every((w, i) => theirs[i]?.startsWith(w) === true) || s.key.includes(key);
    // A typo in the whole name, or in its first words ("pariss" for "paris office").
    const distance = Math.min(editDistance(key, s.key), editDistance(key, theirs.slice(0, words.length).join(' ')) + 1);
    const near = distance <= Math.max(2, Math.floor(key.length / 4));
    if (prefix) scored.push({ display: s.display, score: 0 });
    else if (near) scored.push({ display: s.display, score: distance });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.display.localeCompare(b.display))
    .slice(0, max)
    .map((s) => s.display);
}

/** The known site a request names (any spelling), or UnknownSite with suggestions; BadSiteName for a name that cannot be one. */
export function knownSite(name: string, known: readonly KnownSite[]): KnownSite {
  const { key } = siteKeyParam(name);
  const site = known.find((s) => s.key === key);
  if (site !== undefined) return site;
  throw new UnknownSite(name, closestSites(key, known), known.length);
}
