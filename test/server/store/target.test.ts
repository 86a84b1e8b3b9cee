import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/protocol/config-error.js';
import { parseDbTarget } from '../../../server/store/target.js';

describe('--db', () => {
  it('parses --db as a file or a postgres URL', () => {
    expect(parseDbTarget('./data/x.db')).toEqual({ kind: 'sqlite', path: './data/x.db' });
    expect(parseDbTarget('postgres://u@h/db')).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
    expect(parseDbTarget('postgresql://u@h/db').kind).toBe('postgres');
    expect(() => parseDbTarget('mysql://h/db')).toThrow(ConfigError);
    expect(() => parseDbTarget('  ')).toThrow(ConfigError);
  });
});
