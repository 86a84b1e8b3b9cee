import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/protocol/config-error.js';
import { formatTurnUri, parseTurnUri, parseTurnUriParts, tryParseTurnUriParts } from '../../src/protocol/turn-uri.js';
import { portOfTurnUrl } from '../../src/session/stats/adapter.js';

describe('TURN URIs (RFC 7065)', () => {
  it('parses the URIs --turn and --external-turn take', () => {
    expect(parseTurnUri('turn:127.0.0.1:3479?transport=udp')).toEqual({ url: 'turn:127.0.0.1:3479?transport=udp', transport: 'udp', port: 3479 });
    expect(parseTurnUri('turn:relay.example.org?transport=tcp')).toMatchObject({ transport: 'tcp', port: 3478 });
    expect(parseTurnUri('turns:relay.example.org:443?transport=tcp')).toMatchObject({ transport: 'tls', port: 443 });
    expect(() => parseTurnUri('stun:x')).toThrow(ConfigError);
  });

  it('reads the examples of RFC 7065 Appendix B (secure, port, transport as written)', () => {
    const cases: [string, ReturnType<typeof parseTurnUriParts>][] = [
      ['turn:example.org', { scheme: 'turn', host: 'example.org', port: null, transport: null }],
      ['turns:example.org', { scheme: 'turns', host: 'example.org', port: null, transport: null }],
      ['turn:example.org:8000', { scheme: 'turn', host: 'example.org', port: 8000, transport: null }],
      ['turn:example.org?transport=udp', { scheme: 'turn', host: 'example.org', port: null, transport: 'udp' }],
      ['turn:example.org?transport=tcp', { scheme: 'turn', host: 'example.org', port: null, transport: 'tcp' }],
      ['turns:example.org?transport=tcp', { scheme: 'turns', host: 'example.org', port: null, transport: 'tcp' }],
    ];
    for (const [uri, parts] of cases) expect(parseTurnUriParts(uri), uri).toEqual(parts);
  });

  it('defaults the port (3478, turns: 5349) and the transport into the page entry', () => {
    expect(parseTurnUri('turn:example.org')).toEqual({ url: 'turn:example.org', transport: 'udp', port: 3478 });
    expect(parseTurnUri('turns:example.org')).toEqual({ url: 'turns:example.org', transport: 'tls', port: 5349 });
    expect(parseTurnUri('turn:example.org:8000')).toEqual({ url: 'turn:example.org:8000', transport: 'udp', port: 8000 });
    expect(parseTurnUri('turn:example.org?transport=tcp')).toEqual({ url: 'turn:example.org?transport=tcp', transport: 'tcp', port: 3478 });
    expect(parseTurnUri('turns:example.org?transport=tcp')).toEqual({ url: 'turns:example.org?transport=tcp', transport: 'tls', port: 5349 });
    expect(parseTurnUri('  turn:192.0.2.1:3479?transport=udp ')).toEqual({ url: 'turn:192.0.2.1:3479?transport=udp', transport: 'udp', port: 3479 });
  });

  it('reads IPv6 literals in brackets (RFC 3986 §3.2.2)', () => {
    expect(parseTurnUriParts('turn:[2001:db8::1]:3480?transport=udp')).toEqual({ scheme: 'turn', host: '2001:db8::1', port: 3480, transport: 'udp' });
    expect(parseTurnUri('turns:[::1]?transport=tcp')).toEqual({ url: 'turns:[::1]?transport=tcp', transport: 'tls', port: 5349 });
    expect(parseTurnUriParts('turn:[::ffff:192.0.2.1]').host).toBe('::ffff:192.0.2.1');
  });

  it('refuses what is not a TURN URI, with the reason', () => {
    const bad = [
      'stun:example.org',
      'turn:',
      'turn://example.org',
      'turn:example.org:',
      'turn:example.org:0',
      'turn:example.org:65536',
      'turn:example.org?transport=sctp',
      'turn:example.org?transport=',
      'turns:example.org?transport=udp',
      'turn:2001:db8::1',
      'turn:[example.org]',
      'TURN:example.org',
      'turn:user@example.org',
    ];
    for (const uri of bad) {
      expect(() => parseTurnUri(uri), uri).toThrow(expect.objectContaining({ name: 'ConfigError', reason: 'bad-turn-uri' }));
      expect(tryParseTurnUriParts(uri), uri).toBeNull();
    }
    expect(() => parseTurnUri('turn:example.org:65536')).toThrow(/port 65536 is not 1\.\.65535/);
    expect(() => parseTurnUri('turns:example.org?transport=udp')).toThrow(/DTLS/);
  });

  it('formats what it parses back: every listener URI round-trips', () => {
    const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain());
    const transport = fc.constantFrom('udp' as const, 'tcp' as const, 'tls' as const);
    fc.assert(
      fc.property(host, fc.integer({ min: 1, max: 65535 }), transport, (h, port, t) => {
        const url = formatTurnUri(h, port, t);
        expect(parseTurnUri(url)).toEqual({ url, transport: t, port });
        expect(parseTurnUriParts(url).host).toBe(h);
      }),
    );
  });

  it('gives the stats adapter the port as written, or null', () => {
    expect(portOfTurnUrl('turn:[::1]:3480?transport=udp')).toBe(3480);
    expect(portOfTurnUrl('turn:relay.example.org')).toBeNull();
    expect(portOfTurnUrl('not a uri')).toBeNull();
  });
});
