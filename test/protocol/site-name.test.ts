import { describe, expect, it } from 'vitest';
import { canonicalSite, canonicalSiteOrNull, SITE_NAME_MAX_CHARS, SiteNameError } from '../../src/protocol/site-name.js';

function reason(name: string): string {
  try {
    canonicalSite(name);
  } catch (err) {
    if (err instanceof SiteNameError) return err.reason;
    throw err;
  }
  return 'accepted';
}

describe('canonicalSite', () => {
  it('makes one site of the spellings people type', () => {
    const spellings = ['Paris office', 'paris office', ' Paris office ', 'PARIS   OFFICE', 'Paris\toffice', 'Paris\u00a0office', 'Ｐａｒｉｓ office'];
    const keys = new Set(spellings.map((s) => canonicalSite(s).key));
    expect([...keys]).toEqual(['paris office']);
  });

  it('keeps the display name as written, trimmed and with single spaces', () => {
    expect(canonicalSite('  Paris   Office ')).toEqual({ display: 'Paris Office', key: 'paris office' });
    expect(canonicalSite('Zürich-Nord 2')).toEqual({ display: 'Zürich-Nord 2', key: 'zürich-nord 2' });
  });

  it('refuses an empty or white-space-only name', () => {
    expect(reason('')).toBe('empty');
    expect(reason('   ')).toBe('empty');
    expect(reason('\u00a0\t\n')).toBe('empty');
  });

  it('refuses control and format characters', () => {
    expect(reason('Paris\u0000')).toBe('control-character');
    expect(reason('Paris\u007f')).toBe('control-character');
    expect(reason('Paris\u0085x')).toBe('control-character');
    expect(reason('Par\u202eis')).toBe('control-character');
    expect(reason('Par\u200bis')).toBe('control-character');
  });

  it('refuses formula prefixes, including their full-width and space-led spellings (OWASP CSV Injection)', () => {
    for (const name of ['=1+1', '+cmd', '-2', '@SUM(A1)', ';x', '|x', ' =1', '\n=1', '\u00a0=1', '\uff1d1', '\uff0bx'])
      expect(reason(name)).toBe('formula-prefix');
    // A formula character inside a name is fine.
    expect(canonicalSite('Paris-Nord').display).toBe('Paris-Nord');
  });

  it(`refuses a name over ${SITE_NAME_MAX_CHARS} characters, counting characters, not UTF-16 units`, () => {
    expect(reason('x'.repeat(SITE_NAME_MAX_CHARS))).toBe('accepted');
    expect(reason('x'.repeat(SITE_NAME_MAX_CHARS + 1))).toBe('too-long');
    expect(reason('😀'.repeat(SITE_NAME_MAX_CHARS))).toBe('accepted');
  });

  it('passes null through', () => {
    expect(canonicalSiteOrNull(null)).toBeNull();
    expect(canonicalSiteOrNull(undefined)).toBeNull();
    expect(canonicalSiteOrNull(' a ')).toEqual({ display: 'a', key: 'a' });
  });
});
