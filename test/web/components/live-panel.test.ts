// @vitest-environment happy-dom
/**
 * <cp-live-panel> while a test runs, as a person reads it: before the first answer, too early to
 * tell, likely a pass, a settled fail; and once the verdict is shown, the chart in words and as a
 * table. The provisional answers are the analysis's own (provisionalFrom over recorded probes, as
 * in test/analysis/report/provisional.test.ts); no chart is drawn (Chart.js is not loaded here).
 */
import { describe, expect, it } from 'vitest';
import { provisionalFrom } from '../../../src/analysis/grade/provisional.js';
import { resolveProfile } from '../../../src/analysis/grade/targets.js';
import { beforeFirstWords, connectingWords, PROVISIONAL_MEANING, provisionalView, type ProvisionalView } from '../../../src/analysis/present/provisional.js';
import type { LiveFigures } from '../../../src/session/collect/live.js';
import { loadMessages } from '../../../src/analysis/present/catalogue.js';
import { LivePanel } from '../../../src/web/components/live-panel.js';
import { provisionalMoment, reflectorInput } from '../../analysis/report/inputs.js';
import { all, axeProblems, mount, one, words } from './dom.js';

LivePanel.define('cp-live-panel');

const SETTING = { profile: resolveProfile({ id: 'client-to-edge' }), ratePps: 100, channelOk: true, durationS: 15, intervalMs: 10, likelyClaims: true };
const PATH = { path: { transport: 'udp', port: 3478 }, quiet: [] } as const;

/** 15.1 s at 100 probes/s; with `burst`, upstream probes 300-302 (3000-3020 ms) never arrive: 3 of 20 in 200 ms. */
function answerAt(nowMs: number, burst: boolean): ProvisionalView {
  const input = reflectorInput({ count: 1510, ...(burst ? { up: { lost: (i: number) => i >= 300 && i <= 302 } } : {}), down: { startMs: 5000 } });
  return provisionalView(provisionalFrom(provisionalMoment(input, nowMs), { ...SETTING, failedBefore: false }).facts, PATH);
}

function figures(elapsedS: number, provisional: ProvisionalView | null): LiveFigures {
  return {
    elapsedS,
    rttMs: 40,
    jitterMs: 0.4,
    sent: Math.round(elapsedS * 100),
    received: Math.round(elapsedS * 100) - 1,
    provisional,
    provisionalFrom: null,
    method: 'data channel, unordered, no retransmits',
    mainThreadSender: false,
  };
}

const show = (f: LiveFigures | null, final = false, stage: LivePanel['stage'] = 'measuring'): Promise<LivePanel> =>
  mount<LivePanel>('cp-live-panel', { figures: f, chart: null, durationS: 15, final, stage });

/** The answer's items as read: "Settled Connected through ...". */
const items = (p: LivePanel): string[] => all(p, '.answer li').map((li) => words(li));

describe('the provisional answer', () => {
  it('while connecting: says so, and that the first answer is timed from the start of the measuring', async () => {
    const p = await show(null, false, 'connecting');
    expect(words(one(p, '[data-provisional="none"]'))).toBe(connectingWords());
    expect(connectingWords()).toBe('Connecting to the test server. A first answer comes 3 seconds after the measuring starts.');
    expect(await axeProblems()).toEqual([]);
  });

  it('before the first answer: says one comes 3 seconds after the measuring started, and the progress is at the start', async () => {
    const p = await show(figures(1, null));
    expect(words(one(p, '[data-provisional="none"]'))).toBe(beforeFirstWords());
    expect(one<HTMLProgressElement>(p, 'progress').value).toBe(1);
    expect(words(one(p, '[data-live="count"]'))).toBe('100 / 99');
    expect(await axeProblems()).toEqual([]);
  });

  it('3 s in: too early to tell, the path settled, the round trip not yet judged, and what "provisional" means', async () => {
    const p = await show(figures(3, answerAt(3000, true)));
    expect(one(p, '.answer').dataset.provisional).toBe('unsure');
    expect(words(one(p, '.when'))).toBe('Provisional answer, 3 s of 15 s measured');
    // Two whole seconds judged: not enough for any likely claim (the claims need five), said as that.
    expect(words(one(p, '.headline'))).toBe('Too early to tell: not enough seconds measured yet to be 95% sure.');
    expect(items(p)).toContain('So far Loss so far, you to the relay: none of 201 probes lost; not enough seconds measured yet to be 95% sure.');
    expect(items(p)[0]).toBe('Settled Connected through the relay the way calls prefer (port 3478).');
    expect(
      items(p).some((it) => /^So far Round trip so far: 40 ms, under the 100 ms target so far; not enough seconds measured yet to be 95% sure\./.test(it)),
      items(p).join('\n'),
    ).toBe(true);
    expect(words(one(p, '.meaning'))).toBe(PROVISIONAL_MEANING);
    expect(one(p, '.headline').getAttribute('role')).toBe('status');
    expect(await axeProblems()).toEqual([]);
  });

  it('in German: the page words the same facts in its language (the session words them in English), tags and all', async () => {
    const input = reflectorInput({ count: 1510, up: { lost: (i: number) => i >= 300 && i <= 302 }, down: { startMs: 5000 } });
    const facts = provisionalFrom(provisionalMoment(input, 3500), { ...SETTING, failedBefore: false }).facts;
    const f: LiveFigures = { ...figures(3.5, provisionalView(facts, PATH)), provisionalFrom: { facts, context: PATH } };
    const p = await mount<LivePanel>('cp-live-panel', {
      figures: f,
      chart: null,
      durationS: 15,
      final: false,
      stage: 'measuring',
      messages: await loadMessages('de'),
    });
    expect(words(one(p, '.headline'))).toBe('Zu früh für eine Aussage: noch nicht genug Sekunden gemessen, um zu 95 % sicher zu sein.');
    expect(items(p)[0]).toBe('Feststehend Über das Relay verbunden, so wie Anrufe es bevorzugen (Port 3478).');
    expect(words(one(p, '.when'))).toBe('Vorläufige Antwort, 3,5 s von 15 s gemessen');
    expect(await axeProblems()).toEqual([]);
  });

  it('7 s into a clean test: good so far, and only the full 15 seconds can give a pass', async () => {
    const p = await show(figures(7, answerAt(7000, false)));
    expect(one(p, '.answer').dataset.provisional).toBe('good');
    expect(words(one(p, '.headline'))).toBe('Good so far: little loss and a short round trip. Only the full 15 seconds can give a pass.');
    expect(items(p)).toContain('Likely Loss, you to the relay: under 1% with 95% confidence for these 6.01 s (none of 601 probes lost).');
    expect(await axeProblems()).toEqual([]);
  });

  it('during the busy-line phase: says what the phase is doing, never the quiet line\'s "Good so far"', async () => {
    const p = await mount<LivePanel>('cp-live-panel', {
      figures: figures(20, answerAt(5000, false)),
      chart: null,
      durationS: 15,
      final: false,
      busy: 'loading the line with uploads: 4.8 Mbit/s',
    });
    expect(one(p, '.answer').dataset.provisional).toBe('busy-line');
    expect(words(one(p, '.headline'))).toBe('Testing with the line busy: loading the line with uploads: 4.8 Mbit/s.');
    expect(words(p.renderRoot as unknown as Element)).not.toMatch(/Good so far/);
    expect(await axeProblems()).toEqual([]);
  });

  it('5 s into a burst of loss: a settled fail that will not change, listed first', async () => {
    const p = await show(figures(5, answerAt(5000, true)));
    expect(one(p, '.answer').dataset.provisional).toBe('bad');
    expect(words(one(p, '.headline'))).toBe(
      'Calls will break up here: 3 of 20 probes (15%) lost in 200 ms at 2.83 s, you to the relay. This will not change. The test goes on to the end to measure everything else.',
    );
    expect(all(p, '.answer li').map((li) => li.dataset.state)).toEqual(['settled', 'settled', 'so-far', 'so-far', 'so-far', 'so-far', 'so-far']);
    expect(items(p)[1]).toBe('Settled Lost in a burst, you to the relay: 3 of 20 probes (15%) lost in 200 ms at 2.83 s (the limit is under 10%).');
    expect(await axeProblems()).toEqual([]);
  });

  it('never more seconds than the test has, then "finishing" once the probes have stopped', async () => {
    const late = { ...answerAt(5000, false), atS: 15.5 };
    const p = await show(figures(15.5, late));
    expect(words(one(p, '.when'))).toBe('Provisional answer, 15 s of 15 s measured');
    p.stage = 'finishing';
    await p.updateComplete;
    expect(words(one(p, '.when'))).toBe('Provisional answer, from 15 s of 15 s: finishing the test');
  });

  it('the chart has a legend a person can read: each line named, with its colour and its dash', async () => {
    const p = await show(figures(3, null));
    expect(all(p, '.legend li').map((li) => words(li))).toEqual(['Round trip (ms), solid line', 'Jitter (ms), dashed line']);
    expect(all(p, '.legend svg.jitter line')).toHaveLength(1);
  });

  it('once the verdict is shown: no answer, and the chart in words and as a table, one row per second', async () => {
    const p = await show(figures(1, null));
    for (const s of [2, 3]) {
      p.figures = figures(s, answerAt(3000, false));
      await p.updateComplete;
    }
    p.final = true;
    await p.updateComplete;
    expect(all(p, '.answer')).toEqual([]);
    expect(all(p, 'progress')).toEqual([]);
    expect(words(one(p, '#chart-summary'))).not.toBe('');
    expect(all(p, 'tbody tr')).toHaveLength(3);
    expect(one(p, 'canvas').getAttribute('aria-describedby')).toBe('chart-summary');
    expect(await axeProblems()).toEqual([]);
  });
});
