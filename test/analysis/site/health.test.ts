/**
 * When a site's last report was heard of, for its silence (src/analysis/site/health.ts): the
 * earlier of its newest start and when the server received its newest report.
 */
import { describe, expect, it } from 'vitest';
import { lastReportHeardAtMs } from '../../../src/analysis/site/health.js';

const MIN = 60_000;

describe('lastReportHeardAtMs', () => {
  it('a prober whose clock runs fast is heard when its report arrived, not at the start it wrote', () => {
    expect(lastReportHeardAtMs(1000 + 9 * MIN, 1000)).toBe(1000);
  });

  it('a test that ran long ago and arrived late from a spool is heard when it ran', () => {
    expect(lastReportHeardAtMs(1000, 1000 + 300 * MIN)).toBe(1000);
  });

  it('one of the two alone (a site stored before the receive time was kept), or neither', () => {
    expect(lastReportHeardAtMs(1000, null)).toBe(1000);
    expect(lastReportHeardAtMs(null, 2000)).toBe(2000);
    expect(lastReportHeardAtMs(null, null)).toBeNull();
  });
});
