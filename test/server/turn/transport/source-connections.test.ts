/** SourceConnections: TURN TCP/TLS connections counted per source (IPv4 address, IPv6 /64), bounded, released on close. */
import { describe, expect, it } from 'vitest';
import { SourceConnections } from '../../../../server/turn/transport/source-connections.js';

describe('SourceConnections', () => {
  it('counts every address of a /64 as one source, up to the bound; others keep theirs', () => {
    const c = new SourceConnections(3);
    const keys = ['2001:db8:7:1::1', '2001:db8:7:1::2', '2001:db8:7:1:ffff::9'].map((ip) => c.tryOpen(ip));
    expect(keys).toEqual(['2001:db8:7:1::', '2001:db8:7:1::', '2001:db8:7:1::']);
    expect(c.tryOpen('2001:db8:7:1::4')).toBeNull();
    expect(c.tryOpen('2001:db8:7:2::1')).toBe('2001:db8:7:2::');
    expect(c.tryOpen('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(c.openFrom('2001:db8:7:1::77')).toBe(3);
    expect(c.sources).toBe(3);
  });

  it('gives a closed connection back, and forgets a source with none open', () => {
    const c = new SourceConnections(1);
    const key = c.tryOpen('198.51.100.1');
    expect(c.tryOpen('198.51.100.1')).toBeNull();
    if (key === null) throw new Error('refused the first connection');
    c.release(key);
    expect(c.sources).toBe(0);
    expect(c.tryOpen('198.51.100.1')).toBe('198.51.100.1');
  });
});
