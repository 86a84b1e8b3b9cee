/**
 * The embedded page's messages and their one target (src/protocol/embed.ts, src/web/embed.ts):
 * the origin that framed the page, from location.ancestorOrigins or else the referrer, and only
 * when the server lists it; never any other, never `*`.
 */
import { describe, expect, it } from 'vitest';
import { EMBED_MESSAGE_VERSION, embedMessage, embedTarget } from '../../src/protocol/embed.js';
import { framingOrigin } from '../../src/web/embed.js';

describe('the embedded page', () => {
  it('takes the framing origin from ancestorOrigins first, else the referrer; nothing from an opaque or absent one', () => {
    expect(framingOrigin(['https://help.example.com', 'https://top.example'], 'https://other.example/page')).toBe('https://help.example.com');
    expect(framingOrigin(null, 'https://help.example.com:8443/portal/ticket?id=7')).toBe('https://help.example.com:8443');
    expect(framingOrigin([], 'http://127.0.0.1:8081/')).toBe('http://127.0.0.1:8081');
    expect(framingOrigin(['null'], 'https://help.example.com/')).toBeNull();
    expect(framingOrigin(null, '')).toBeNull();
    expect(framingOrigin(null, 'file:///home/x/page.html')).toBeNull();
  });

  it('posts only to a listed origin, exactly as listed', () => {
    const listed = ['https://help.example.com', 'http://127.0.0.1:8081'];
    expect(embedTarget(listed, 'https://help.example.com')).toBe('https://help.example.com');
    expect(embedTarget(listed, 'http://127.0.0.1:8081')).toBe('http://127.0.0.1:8081');
    expect(embedTarget(listed, 'http://help.example.com')).toBeNull();
    expect(embedTarget(listed, 'https://help.example.com:444')).toBeNull();
    expect(embedTarget(listed, null)).toBeNull();
    expect(embedTarget([], 'https://help.example.com')).toBeNull();
  });

  it('says who it is, the version, and the fields of each message', () => {
    expect(EMBED_MESSAGE_VERSION).toBe(1);
    expect(embedMessage('result', { code: 'K7QF-3MZD', verdict: 'pass', answer: 'Calls should work well here.', lang: 'en' })).toEqual({
      source: 'callprobe',
      version: 1,
      type: 'result',
      code: 'K7QF-3MZD',
      verdict: 'pass',
      answer: 'Calls should work well here.',
      lang: 'en',
    });
  });
});
