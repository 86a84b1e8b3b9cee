/**
 * The QoS marks (src/analysis/grade/qos.ts, present/qos.ts, site/qos.ts): what became of the EF
 * mark each way from the DSCP counts, in words in every language, and a site's share of samples
 * that kept it. Never graded: no grade or verdict is read or made here.
 */
import { describe, expect, it } from 'vitest';
import { countedDownstream, markFate, qosOf } from '../../../src/analysis/grade/qos.js';
import { markName, qosLines } from '../../../src/analysis/present/qos.js';
import { qosSentence } from '../../../src/analysis/present/site-text.js';
import { siteQosFacts } from '../../../src/analysis/site/qos.js';
import { EN, loadMessages } from '../../../src/analysis/present/catalogue.js';
import { LANGS } from '../../../src/protocol/lang.js';
import type { Qos } from '../../../src/analysis/schema/qos-schema.js';

describe('what became of the mark', () => {
  it('is decided by the DSCP most packets arrived with: EF kept, 0 cleared, another remarked', () => {
    expect(markFate({ '46': 98, '0': 2 })).toBe('kept');
    expect(markFate({ '0': 213 })).toBe('cleared');
    expect(markFate({ '34': 150, '46': 10 })).toBe('remarked');
    // A tie goes to the mark sent, then to none.
    expect(markFate({ '46': 5, '0': 5 })).toBe('kept');
    expect(markFate({ '0': 5, '34': 5 })).toBe('cleared');
    expect(markFate({})).toBeNull();
  });

  it('says each way from the test evidence: not marked by a browser without networkPriority, not measured where nobody can read', () => {
    expect(qosOf({ pageMarked: true, upstream: { '0': 200 }, echoDscp: 46 })).toEqual({
      upstream: { state: 'cleared', counts: { '0': 200 } },
      downstream: { state: 'not-measured', counts: null, reason: 'browser-cannot-read' },
    });
    // Firefox: no networkPriority; the relay still counts what came (all unmarked).
    expect(qosOf({ pageMarked: false, upstream: { '0': 200 }, echoDscp: 46 }).upstream).toEqual({
      state: 'not-marked',
      counts: { '0': 200 },
      reason: 'browser-cannot-mark',
    });
    // The portable data path: the relay reads and marks nothing.
    expect(qosOf({ pageMarked: true, upstream: null, echoDscp: null })).toEqual({
      upstream: { state: 'not-measured', counts: null, reason: 'server-cannot-read' },
      downstream: { state: 'not-marked', counts: null, reason: 'server-cannot-mark' },
    });
    expect(qosOf({ pageMarked: true, upstream: {}, echoDscp: 46 }).upstream).toEqual({ state: 'not-measured', counts: {}, reason: 'nothing-counted' });
  });

  it('takes what run --qos counted for the way in, or says why it could not count', () => {
    const before = qosOf({ pageMarked: true, upstream: { '46': 10 }, echoDscp: 46 }).downstream;
    expect(countedDownstream(before, { counts: { '46': 190, '0': 3 } })).toEqual({ state: 'kept', counts: { '46': 190, '0': 3 } });
    expect(countedDownstream(before, { counts: { '34': 190 } }).state).toBe('remarked');
    expect(countedDownstream(before, { reason: 'needs-linux-root' })).toEqual({ state: 'not-measured', counts: null, reason: 'needs-linux-root' });
    const unmarked = qosOf({ pageMarked: true, upstream: null, echoDscp: null }).downstream;
    expect(countedDownstream(unmarked, { counts: { '0': 9 } })).toEqual({ state: 'not-marked', counts: { '0': 9 }, reason: 'server-cannot-mark' });
  });
});

describe('the QoS marks in words', () => {
  const cleared: Qos = {
    upstream: { state: 'cleared', counts: { '0': 196, '46': 4 } },
    downstream: { state: 'not-measured', counts: null, reason: 'browser-cannot-read' },
  };

  it('says a cleared mark with its share and advice, that a browser cannot read the way in, and Windows where it applies', () => {
    expect(qosLines(cleared, EN, 'Chrome 131 on Linux')).toEqual([
      'Your network clears QoS marks before our server: only 2% of 200 audio packets arrived still marked EF. The marks help only inside your network, or over ExpressRoute.',
      'What arrives cannot be measured in a browser, so the way in was not measured: on a Linux probe box, callprobe run --qos as root counts the marks that arrive.',
    ]);
    expect(qosLines(cleared, EN, 'Chrome 131 on Windows 11')[1]).toMatch(/^On Windows, the mark is dropped before it leaves the computer unless a QoS policy/);
    expect(markName(34)).toBe('AF41 (34)');
    expect(markName(0)).toBe('no mark (0)');
  });

  it.each(LANGS)('has every sentence in %s, its figures filled in', async (lang) => {
    const m = await loadMessages(lang);
    const every: Qos[] = [
      cleared,
      { upstream: { state: 'kept', counts: { '46': 200 } }, downstream: { state: 'remarked', counts: { '34': 150, '46': 50 } } },
      { upstream: { state: 'remarked', counts: { '34': 200 } }, downstream: { state: 'cleared', counts: { '0': 200 } } },
      {
        upstream: { state: 'not-marked', counts: null, reason: 'browser-cannot-mark' },
        downstream: { state: 'not-marked', counts: null, reason: 'server-cannot-mark' },
      },
      {
        upstream: { state: 'not-measured', counts: null, reason: 'server-cannot-read' },
        downstream: { state: 'not-measured', counts: null, reason: 'needs-linux-root' },
      },
      {
        upstream: { state: 'not-measured', counts: {}, reason: 'nothing-counted' },
        downstream: { state: 'not-measured', counts: null, reason: 'counter-failed' },
      },
    ];
    for (const q of every) {
      for (const line of qosLines(q, m, 'Windows')) {
        expect(line).not.toMatch(/qos\.|\{|\}/);
        expect(line.length).toBeGreaterThan(20);
      }
    }
    expect(m.t('qos.title')).not.toMatch(/^qos\./);
  });
});

describe("a site's QoS marks", () => {
  it('gives the share of the samples that measured the way out in which EF survived, apart from those that could not', () => {
    const states = [
      ...Array.from({ length: 49 }, () => ({ upstream: { state: 'kept' as const }, downstream: { state: 'not-measured' as const } })),
      { upstream: { state: 'cleared' as const }, downstream: { state: 'not-measured' as const } },
      { upstream: { state: 'not-marked' as const }, downstream: { state: 'not-measured' as const } },
    ];
    const facts = siteQosFacts(states);
    expect(facts?.upstream).toEqual({ measured: 50, kept: 49, remarked: 0, cleared: 1, keptPct: 98, notMarked: 1, notMeasured: 0 });
    expect(facts?.downstream.keptPct).toBeNull();
    const sentence = qosSentence(facts ?? expect.fail('facts'));
    expect(sentence).toMatch(/^QoS marks \(not part of the verdict\): EF survived the way out in 98 ?% of samples \(49 of 50 that measured it; cleared in 1\)/);
    expect(sentence).not.toMatch(/clears or changes the mark before/);
    expect(siteQosFacts([])).toBeNull();
  });

  it('says when the site mostly clears the mark before the server, with the advice', () => {
    const facts = siteQosFacts(Array.from({ length: 3 }, () => ({ upstream: { state: 'cleared' as const }, downstream: { state: 'kept' as const } })));
    expect(facts?.downstream.keptPct).toBe(100);
    expect(qosSentence(facts ?? expect.fail('facts'))).toMatch(/only inside the network, or over ExpressRoute\.$/);
  });
});
