/**
 * This browser's last results on this server ("Your earlier tests here"): at most
 * EARLIER_TESTS_MAX entries (code, when, verdict), newest first, kept in the page origin's
 * localStorage under one key. What is read back is checked entry by entry: a value that is not
 * JSON, or an entry of another shape, is dropped, never a crash. Nothing here leaves the
 * browser; the storage is passed in, so the functions are tested without one.
 */
import { parseResultCode, ResultCodeError } from '../protocol/result-code.js';

/** The localStorage key of the list. */
export const EARLIER_TESTS_KEY = 'callprobe.earlierTests';
/** Entries kept: the newest this many. */
export const EARLIER_TESTS_MAX = 5;

/** One stored result as this browser remembers it. */
export interface EarlierTest {
  /** The result code, canonical (`K7QF-3MZD`). */
  code: string;
  /** When the test started, ms since the epoch. */
  atMs: number;
  /** pass / fail / insufficient, or null for a test that could not run. */
  verdict: 'pass' | 'fail' | 'insufficient' | null;
}

/** The part of the Web Storage API the list uses (window.localStorage). */
export interface StringStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const VERDICTS: ReadonlySet<unknown> = new Set(['pass', 'fail', 'insufficient', null]);

/** One entry read back, or null when it is not one (another shape, a bad code, a time that is no time). */
function entryOf(v: unknown): EarlierTest | null {
  if (typeof v !== 'object' || v === null) return null;
  const { code, atMs, verdict } = v as Record<string, unknown>;
  if (typeof code !== 'string' || typeof atMs !== 'number' || !Number.isFinite(atMs) || atMs < 0 || !VERDICTS.has(verdict)) return null;
  try {
    return { code: parseResultCode(code), atMs, verdict: verdict as EarlierTest['verdict'] };
  } catch (err) {
    if (err instanceof ResultCodeError) return null;
    throw err;
  }
}

/** The list a stored text holds: its valid entries, newest first, each code once, at most EARLIER_TESTS_MAX; anything else is none. */
export function parseEarlierTests(text: string | null): EarlierTest[] {
  if (text === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) return [];
    throw err;
  }
  if (!Array.isArray(parsed)) return [];
  const out: EarlierTest[] = [];
  for (const e of parsed.map(entryOf)) if (e !== null && !out.some((o) => o.code === e.code)) out.push(e);
  return out.sort((a, b) => b.atMs - a.atMs).slice(0, EARLIER_TESTS_MAX);
}

/** The list with `entry` first (a code already there moves), cut to EARLIER_TESTS_MAX. */
export function withEarlierTest(list: readonly EarlierTest[], entry: EarlierTest): EarlierTest[] {
  return [entry, ...list.filter((e) => e.code !== entry.code)].sort((a, b) => b.atMs - a.atMs).slice(0, EARLIER_TESTS_MAX);
}

/** The list this store holds (none when the text in it is not a list). */
export function readEarlierTests(store: StringStore): EarlierTest[] {
  return parseEarlierTests(store.getItem(EARLIER_TESTS_KEY));
}

/** Adds `entry` and returns the list as kept. */
export function rememberTest(store: StringStore, entry: EarlierTest): EarlierTest[] {
  const list = withEarlierTest(readEarlierTests(store), entry);
  store.setItem(EARLIER_TESTS_KEY, JSON.stringify(list));
  return list;
}

/** Forgets every entry ("Clear"). */
export function forgetTests(store: StringStore): void {
  store.removeItem(EARLIER_TESTS_KEY);
}

/**
 * The page's localStorage, or null where the browser refuses it (storage blocked in a frame, a
 * private mode that throws): the list is then not kept, and the page says nothing of it.
 */
export function pageStorage(): StringStore | null {
  try {
    const s = globalThis.localStorage;
    // Reading it throws where storage is blocked (a SecurityError).
    s.getItem(EARLIER_TESTS_KEY);
    return s;
  } catch (err) {
    if (err instanceof DOMException || err instanceof TypeError) return null;
    throw err;
  }
}
