/**
 * "Your earlier tests here": the list this browser keeps (src/web/earlier-tests.ts), over an
 * in-memory store: newest first, each code once, at most 5, and whatever is in storage read back
 * entry by entry (bad JSON, another shape, a bad code: dropped, never a crash).
 */
import { describe, expect, it } from 'vitest';
import {
  EARLIER_TESTS_KEY,
  EARLIER_TESTS_MAX,
  forgetTests,
  parseEarlierTests,
  readEarlierTests,
  rememberTest,
  withEarlierTest,
  type EarlierTest,
  type StringStore,
} from '../../src/web/earlier-tests.js';

function memoryStore(initial: Record<string, string> = {}): StringStore & { items: Map<string, string> } {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
}

const T0 = Date.UTC(2026, 2, 1, 9);
const test = (code: string, minutes: number, verdict: EarlierTest['verdict'] = 'pass'): EarlierTest => ({ code, atMs: T0 + minutes * 60_000, verdict });

describe("this browser's earlier tests", () => {
  it('keeps the newest 5, newest first; a code stored again moves to the front once', () => {
    expect(EARLIER_TESTS_MAX).toBe(5);
    const store = memoryStore();
    const codes = ['AAAA-0001', 'AAAA-0002', 'AAAA-0003', 'AAAA-0004', 'AAAA-0005', 'AAAA-0006'];
    codes.forEach((c, i) => rememberTest(store, test(c, i)));
    expect(readEarlierTests(store).map((t) => t.code)).toEqual(['AAAA-0006', 'AAAA-0005', 'AAAA-0004', 'AAAA-0003', 'AAAA-0002']);
    expect(withEarlierTest(readEarlierTests(store), test('AAAA-0004', 10, 'fail')).map((t) => [t.code, t.verdict])).toEqual([
      ['AAAA-0004', 'fail'],
      ['AAAA-0006', 'pass'],
      ['AAAA-0005', 'pass'],
      ['AAAA-0003', 'pass'],
      ['AAAA-0002', 'pass'],
    ]);
  });

  it('reads back only valid entries, and nothing from text that is no list', () => {
    for (const text of [null, '', '{', 'null', '42', '{"code":"AAAA-0001"}', '"x"']) expect(parseEarlierTests(text)).toEqual([]);
    const mixed = JSON.stringify([
      { code: 'aaaa0001', atMs: T0, verdict: 'fail' },
      { code: 'AAAA-0001', atMs: T0 - 1, verdict: 'pass' },
      { code: 'UUUU-0000', atMs: T0, verdict: 'pass' },
      { code: 'AAAA-0002', atMs: 'yesterday', verdict: 'pass' },
      { code: 'AAAA-0003', atMs: T0 + 1, verdict: 'great' },
      { code: 'AAAA-0004', atMs: T0 + 2, verdict: null },
      null,
      'AAAA-0005',
    ]);
    expect(parseEarlierTests(mixed)).toEqual([
      { code: 'AAAA-0004', atMs: T0 + 2, verdict: null },
      { code: 'AAAA-0001', atMs: T0, verdict: 'fail' },
    ]);
  });

  it('replaces a list it cannot read when it keeps the next test, and Clear empties it', () => {
    const store = memoryStore({ [EARLIER_TESTS_KEY]: '[{"code":' });
    expect(readEarlierTests(store)).toEqual([]);
    rememberTest(store, test('AAAA-0007', 0, 'insufficient'));
    expect(JSON.parse(store.items.get(EARLIER_TESTS_KEY) ?? '')).toEqual([test('AAAA-0007', 0, 'insufficient')]);
    forgetTests(store);
    expect(store.items.has(EARLIER_TESTS_KEY)).toBe(false);
    expect(readEarlierTests(store)).toEqual([]);
  });
});
