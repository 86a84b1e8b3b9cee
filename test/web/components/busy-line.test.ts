// @vitest-environment happy-dom
/**
 * <cp-busy-line> as a person reads it, from hand-built busy-line sections (each checked against
 * the report's load schema; their sentences as the analysis words them, test/analysis/report/
 * load.test.ts): a line that suffers, one with no effect, one that could not be loaded, and a
 * phase that did not run. Also inside the verdict, from a golden report given that section.
 */
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { BLOAT_GRADE_SOURCE, TEAMS_BANDWIDTH_SOURCE } from '../../../src/analysis/grade/load.js';
import { loadMethodSentence, loadOutcomeSentence } from '../../../src/analysis/present/load.js';
import { loadMessages } from '../../../src/analysis/present/catalogue.js';
import { LoadSchema, type LoadDirectionReport, type LoadReport } from '../../../src/analysis/schema/load-schema.js';
import { BusyLine } from '../../../src/web/components/busy-line.js';
import { VerdictView } from '../../../src/web/components/verdict-view.js';
import { all, axeProblems, golden, mount, one, words } from './dom.js';

BusyLine.define('cp-busy-line');
VerdictView.define('cp-verdict-view');

/** One loaded direction: 10 ms idle round trip, `addedMs` more while loaded, at `mbps`. */
function direction(addedMs: number, mbps: number, over: Partial<LoadDirectionReport> = {}): LoadDirectionReport {
  const grade = addedMs < 5 ? 'A+' : addedMs < 30 ? 'A' : addedMs < 60 ? 'B' : addedMs < 200 ? 'C' : addedMs < 400 ? 'D' : 'F';
  return {
    goodputMbps: mbps,
    bytes: Math.round((mbps * 1e6 * 4) / 8),
    saturated: true,
    stop: 'stable',
    durationMs: 4000,
    windowMs: { fromMs: 0, toMs: 4000 },
    addedDelayMs: addedMs,
    addedDelayMsP90: addedMs,
    idleRttMs: 10,
    loadedRttMs: 10 + addedMs,
    jitterMs: 0.5,
    lossPct: 0,
    burstLossPctMax200ms: 0,
    probes: { sent: 400, received: 400, suspect: 0 },
    targets: [],
    grade,
    flows: 6,
    errors: [],
    ...over,
  };
}

function section(over: Partial<LoadReport>): LoadReport {
  const load: LoadReport = {
    budgetBytesPerDirection: 50_000_000,
    startedAt: '2026-01-01T00:00:02.000Z',
    bytes: 11_900_000,
    durationMs: 8000,
    up: direction(180, 4.8),
    down: direction(40, 19),
    capacity: {
      items: [
        { use: 'audio', label: 'Audio call', upKbps: 76, downKbps: 76, room: 'yes' },
        { use: 'video', label: 'Video call', upKbps: 1500, downKbps: 1500, room: 'yes' },
      ],
      sentence: 'While the line was busy there was room for an audio call and a video call.',
      source: TEAMS_BANDWIDTH_SOURCE,
    },
    gradeSource: BLOAT_GRADE_SOURCE,
    method: loadMethodSentence(),
    ...over,
  };
  expect([...Value.Errors(LoadSchema, load)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
  return load;
}

const SUFFERS = section({ verdict: { kind: 'suffers', text: 'Calls will suffer when the line is busy: uploads add 180 ms.', directions: ['up'] } });
const NO_EFFECT = section({
  up: direction(0, 4.8),
  down: direction(0, 19),
  verdict: { kind: 'no-effect', text: 'No effect seen at 4.8 Mbit/s up and 19 Mbit/s down: calls should hold up when the line is busy.', directions: [] },
});
const COULD_NOT_LOAD = section({
  up: direction(0, 4.8),
  down: direction(0, 19, { saturated: false, stop: 'budget' }),
  verdict: {
    kind: 'could-not-load',
    text: 'Could not load the line: downloads reached 19 Mbit/s and used the whole byte budget before filling it. No effect on calls was seen at 4.8 Mbit/s up and 19 Mbit/s down, but this is not a pass.',
    directions: [],
  },
});
const REFUSED = section({
  up: null,
  down: null,
  bytes: 0,
  durationMs: 0,
  startedAt: null,
  capacity: null,
  outcome: { reason: 'refused', detail: 'too-many-phases: 30 in the last hour', sentence: loadOutcomeSentence('refused') },
});

const show = (load: LoadReport): Promise<BusyLine> => mount<BusyLine>('cp-busy-line', { load });

/** Each loaded direction's row: its heading and cells, as read. */
const rows = (b: BusyLine): string[] => all(b, 'tr[data-load-direction]').map((tr) => words(tr));

describe('the busy line', () => {
  it('that suffers: the sentence in bold, each loaded direction with its round trip idle, loaded and added, and its grade', async () => {
    const b = await show(SUFFERS);
    expect(words(one(b, 'h2'))).toBe('With the line busy');
    expect(words(one(b, '[data-load-sentence] strong'))).toBe('Calls will suffer when the line is busy: uploads add 180 ms.');
    expect(one(b, 'section').dataset.load).toBe('suffers');
    expect(rows(b)).toEqual([
      'While uploading (you → relay) 4.8 Mbit/s 10.0 ms 190.0 ms +180.0 ms (grade C) 0.5 ms 0.00% yes (stable)',
      'While downloading (relay → you) 19 Mbit/s 10.0 ms 50.0 ms +40.0 ms (grade B) 0.5 ms 0.00% yes (stable)',
    ]);
    expect(words(one(b, '[data-capacity]'))).toBe('While the line was busy there was room for an audio call and a video call.');
    expect(words(b)).toMatch(/Moved 11.9 MB of at most 100 MB \(50 MB each way\) in 8 s\./);
    expect(await axeProblems()).toEqual([]);
  });

  it('with no effect: says calls should hold up, at the rates measured', async () => {
    const b = await show(NO_EFFECT);
    expect(one(b, 'section').dataset.load).toBe('no-effect');
    expect(words(one(b, '[data-load-sentence]'))).toBe('No effect seen at 4.8 Mbit/s up and 19 Mbit/s down: calls should hold up when the line is busy.');
    expect(rows(b).map((r) => r.split(' 10.0 ms')[0])).toEqual(['While uploading (you → relay) 4.8 Mbit/s', 'While downloading (relay → you) 19 Mbit/s']);
    // A check asked for while another runs (as a timed-out test leaves its own) waits for it, never "Axe is already running".
    expect(await Promise.all([axeProblems(), axeProblems()])).toEqual([[], []]);
  });

  it('that could not be loaded: never a pass, and the direction that did not fill the line says why', async () => {
    const b = await show(COULD_NOT_LOAD);
    expect(one(b, 'section').dataset.load).toBe('could-not-load');
    expect(words(one(b, '[data-load-sentence]'))).toMatch(/^Could not load the line: .* but this is not a pass\.$/);
    expect(words(one(b, 'tr[data-load-direction="down"]'))).toMatch(/no \(byte budget used\)$/);
    expect(await axeProblems()).toEqual([]);
  });

  it('that did not run: why, the server’s detail, and no table', async () => {
    const b = await show(REFUSED);
    expect(words(one(b, '[data-load-sentence]'))).toBe('The busy-line test did not run: the server refused it.');
    expect(words(b)).toContain('too-many-phases: 30 in the last hour');
    expect(all(b, 'table')).toEqual([]);
    expect(await axeProblems()).toEqual([]);
  });

  it('inside the verdict: a line that suffers turns a clean pass into advice (clean-15s with a busy-line section)', async () => {
    const v = await mount<VerdictView>('cp-verdict-view', { report: { ...golden('clean-15s'), load: SUFFERS }, save: { kind: 'saving' } });
    expect(words(one(v, '#answer'))).toBe('Calls should work well while the line is quiet, but will suffer when it is busy.');
    expect(words(one(v, '[data-finding="busy-line"]'))).toBe('Calls will suffer when the line is busy: uploads add 180 ms.');
    expect(all(v, '[data-advice="smart-queue"]')).toHaveLength(1);
    expect(words(one(one(v, 'cp-busy-line'), '[data-load-sentence]'))).toBe('Calls will suffer when the line is busy: uploads add 180 ms.');
    expect(await axeProblems()).toEqual([]);
  });

  it('in German: every word of the section from its codes and figures, with German numbers', async () => {
    const de = await loadMessages('de');
    const b = await mount<BusyLine>('cp-busy-line', { load: NO_EFFECT, messages: de });
    expect(words(one(b, 'h2'))).toBe('Bei ausgelasteter Leitung');
    expect(words(one(b, '[data-load-sentence]'))).toBe(
      'Keine Auswirkung bei 4,8 Mbit/s im Upstream und 19 Mbit/s im Downstream: Anrufe sollten auch bei ausgelasteter Leitung gut bleiben.',
    );
    expect(rows(b)[0]).toMatch(/^Beim Hochladen \(Sie → Relay\) 4,8 Mbit\/s 10,0 ms 10,0 ms \+0,0 ms \(Note A\+\) .* ja \(stabil\)$/);
    expect(words(one(b, '[data-capacity]'))).toMatch(/^Die Leitung hat Platz für Audio und HD-Video\. Sie übertrug /);
    expect(words(b)).toContain('Übertragen: 11,9 MB von höchstens 100 MB (50 MB je Richtung) in 8 s.');
    const refused = await mount<BusyLine>('cp-busy-line', { load: REFUSED, messages: de });
    expect(words(one(refused, '[data-load-sentence]'))).toBe('Der Test mit ausgelasteter Leitung lief nicht: Der Server hat ihn abgelehnt.');
    expect(await axeProblems()).toEqual([]);
  });
});

/**
 * A 2 Mbit/s line as a user saw it: uploads queue 700 ms on their own way; while downloading,
 * the downloads' own way added nothing (+0.02 ms) but the round trip rose from 1.1 to 705 ms
 * (the queue was on the way up). The verdict, as graded, names uploads only.
 */
const UP_QUEUE = section({
  up: direction(700, 1.9, { idleRttMs: 1.1, loadedRttMs: 702.3, grade: 'F' }),
  down: direction(0.02, 13, { idleRttMs: 1.1, loadedRttMs: 705, addedDelayMsP90: 0.4, grade: 'A+' }),
  verdict: { kind: 'suffers', text: 'Calls will suffer when the line is busy: uploads add 700 ms.', directions: ['up'] },
});

/** A row's figures as numbers: the round trip idle, loaded and what the load added. */
const roundTrip = (b: BusyLine, direction: 'up' | 'down') =>
  (['idle', 'loaded', 'added'] as const).map((cell) =>
    Number((words(one(b, `tr[data-load-direction="${direction}"] [data-cell="${cell}"]`)).match(/[+-]?\d+(\.\d+)?/) ?? ['NaN'])[0]),
  );

describe('the busy line tells one story', () => {
  it('its colour is the worse of the idle verdict and the busy line: never green beside a fail, never green where the busy line harms calls', async () => {
    const tone = async (load: LoadReport, idle?: 'pass' | 'fail' | 'insufficient') =>
      one(await mount<BusyLine>('cp-busy-line', { load, ...(idle === undefined ? {} : { idle }) }), 'section').dataset.tone;
    expect(await tone(NO_EFFECT, 'pass')).toBe('pass');
    expect(await tone(NO_EFFECT, 'fail')).toBe('fail');
    expect(await tone(NO_EFFECT, 'insufficient')).toBe('insufficient');
    expect(await tone(SUFFERS, 'pass')).toBe('fail');
    expect(await tone(COULD_NOT_LOAD, 'pass')).toBe('neutral');
    expect(await tone(COULD_NOT_LOAD, 'fail')).toBe('fail');
    expect(await tone(NO_EFFECT)).toBe('pass');
    expect(await axeProblems()).toEqual([]);
  });

  it('inside a pass whose busy line harms calls: the answer box and its title are not a plain green pass, the card is red', async () => {
    const v = await mount<VerdictView>('cp-verdict-view', { report: { ...golden('clean-15s'), load: SUFFERS }, save: { kind: 'saving' } });
    const banner = one(v, 'section.banner');
    expect(banner.dataset.verdict).toBe('pass');
    expect(banner.classList.contains('bad')).toBe(true);
    expect(words(one(v, '[data-title]'))).toBe('Pass, only while the line is quiet');
    expect(one(one(v, 'cp-busy-line'), 'section').dataset.tone).toBe('fail');
    const clean = await mount<VerdictView>('cp-verdict-view', { report: { ...golden('clean-15s'), load: NO_EFFECT }, save: { kind: 'saving' } });
    expect(words(one(clean, '[data-title]'))).toBe('Pass');
    expect(one(one(clean, 'cp-busy-line'), 'section').dataset.tone).toBe('pass');
  });

  it('each row says the round trip idle, loaded and what the load added, one set of figures (added = loaded - idle), graded by that rise', async () => {
    const b = await show(UP_QUEUE);
    expect(rows(b)).toEqual([
      'While uploading (you → relay) 1.9 Mbit/s 1.1 ms 702.3 ms +701.2 ms (grade F) 0.5 ms 0.00% yes (stable)',
      'While downloading (relay → you) 13 Mbit/s 1.1 ms 705.0 ms +703.9 ms (grade F) 0.5 ms 0.00% yes (stable)',
    ]);
    for (const d of ['up', 'down'] as const) {
      const [idle = NaN, loaded = NaN, added = NaN] = roundTrip(b, d);
      expect(added).toBeCloseTo(loaded - idle, 1);
    }
    // The one-way transit that disagreed with the round trip is not on the card.
    expect(words(b)).not.toContain('0.02');
    expect(all(b, 'th[scope="col"]').map((th) => words(th))).toEqual([
      'While',
      'Speed',
      'Round trip idle',
      'Round trip loaded',
      'Added by the load',
      'Jitter',
      'Loss',
      'Filled the line',
    ]);
    // On a narrow screen each figure is under its column's name.
    expect(all(b, 'tr[data-load-direction="down"] td').map((td) => td.dataset.label)).toEqual([
      'Speed',
      'Round trip idle',
      'Round trip loaded',
      'Added by the load',
      'Jitter',
      'Loss',
      'Filled the line',
    ]);
    expect(await axeProblems()).toEqual([]);
  });

  it('the sentence names each direction that harms a call: downloads too when the round trip rose while downloading, in the card and in the answer', async () => {
    const both = 'Calls will suffer when the line is busy: uploads add 700 ms; downloads add 704 ms to the round trip.';
    expect(words(one(await show(UP_QUEUE), '[data-load-sentence]'))).toBe(both);
    const v = await mount<VerdictView>('cp-verdict-view', { report: { ...golden('clean-15s'), load: UP_QUEUE }, save: { kind: 'saving' } });
    expect(words(one(v, '[data-finding="busy-line"]'))).toBe(both);
    expect(words(one(v, '[data-advice="smart-queue"] small'))).toContain('downloads add 704 ms to the round trip');
    const de = await loadMessages('de');
    expect(words(one(await mount<BusyLine>('cp-busy-line', { load: UP_QUEUE, messages: de }), '[data-load-sentence]'))).toBe(de.t('busyLine.suffers.both'));
    // A rise this device made is not the line's: the verdict's sentence stands.
    const deviceMade = section({
      ...UP_QUEUE,
      down: direction(0.02, 13, {
        idleRttMs: 1.1,
        loadedRttMs: 705,
        grade: null,
        attribution: { who: 'device', why: 'receive-lag', sentence: 'this device handed the echoes to the page late' },
      }),
    });
    expect(words(one(await show(deviceMade), '[data-load-sentence]'))).toBe('Calls will suffer when the line is busy: uploads add 700 ms.');
    expect(await axeProblems()).toEqual([]);
  });
});
