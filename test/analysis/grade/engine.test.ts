import { describe, expect, it } from 'vitest';
import { browserEngine, loopbackRelayPolicy } from '../../../src/analysis/grade/engine.js';

describe('the engine of a user agent', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36', 'chromium'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'chromium'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0', 'firefox'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15', 'webkit'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/123.0.6312.52 Mobile/15E148 Safari/604.1',
      'webkit',
    ],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/124.0 Mobile/15E148 Safari/605.1.15', 'webkit'],
    ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15', 'webkit'],
    ['node v20.20.2 @roamhq/wrtc', 'other'],
  ])('%s', (ua, engine) => {
    expect(browserEngine(ua)).toBe(engine);
  });

  it('what each does with a relay on loopback, as seen here', () => {
    expect(loopbackRelayPolicy('chromium')).toBe('refused-unless-flag');
    expect(loopbackRelayPolicy('firefox')).toBe('refused');
    expect(loopbackRelayPolicy('webkit')).toBe('unknown');
  });
});
