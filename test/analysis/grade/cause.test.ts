import { describe, expect, it } from 'vitest';
import { insufficientCause, type CauseInput } from '../../../src/analysis/grade/cause.js';

const base: CauseInput = { verdict: 'insufficient', unfinished: false, grades: [], suspectReasons: [], busy: null, plannedShort: false };
const lacking = (...reasons: Array<CauseInput['grades'][number]['reason']>): CauseInput['grades'] =>
  reasons.map((reason) => ({ status: 'insufficient', reason }));

describe('insufficientCause', () => {
  it('is null unless the verdict is insufficient', () => {
    expect(insufficientCause({ ...base, verdict: 'pass' })).toBeNull();
    expect(insufficientCause({ ...base, verdict: 'fail', grades: lacking('suspect-windows') })).toBeNull();
  });

  it('names a test our side could not finish first', () => {
    expect(insufficientCause({ ...base, unfinished: true, grades: lacking('device-busy') })).toBe('could-not-finish');
  });

  it('names whose time the suspect evidence was: a hidden page, then the attribution, then the grades and the intervals', () => {
    expect(insufficientCause({ ...base, grades: lacking('suspect-windows'), suspectReasons: ['sender-stall', 'page-hidden'] })).toBe('page-hidden');
    expect(insufficientCause({ ...base, grades: lacking('suspect-windows'), suspectReasons: ['sender-stall'], busy: 'server-busy' })).toBe('server-busy');
    expect(insufficientCause({ ...base, grades: lacking('server-busy') })).toBe('server-busy');
    expect(insufficientCause({ ...base, grades: lacking('suspect-windows'), suspectReasons: ['path-change', 'receiver-stall'] })).toBe('device-busy');
    expect(insufficientCause({ ...base, grades: lacking('suspect-windows'), suspectReasons: ['path-change'] })).toBe('path-changed');
  });

  it('names a test planned shorter than a grading window before whose time the evidence was: a longer test is what helps', () => {
    const short = { ...base, plannedShort: true };
    expect(insufficientCause({ ...short, grades: lacking('window-not-filled', 'server-busy'), busy: 'server-busy' })).toBe('too-short');
    expect(insufficientCause({ ...short, grades: lacking('suspect-windows', 'window-not-filled'), suspectReasons: ['sender-stall'] })).toBe('too-short');
    expect(insufficientCause({ ...short, unfinished: true, grades: lacking('window-not-filled') })).toBe('could-not-finish');
    // A test of the window's length that a busy device ended a little early: the device, not the length.
    expect(insufficientCause({ ...base, grades: lacking('window-not-filled', 'server-busy'), busy: 'server-busy' })).toBe('server-busy');
    expect(insufficientCause({ ...base, grades: lacking('suspect-windows', 'window-not-filled'), suspectReasons: ['sender-stall'] })).toBe('device-busy');
    // The same with every other grade passed on its bounds: the window not filled is the only gap left.
    expect(insufficientCause({ ...base, grades: lacking('window-not-filled'), suspectReasons: ['sender-stall'] })).toBe('device-busy');
    expect(insufficientCause({ ...base, grades: lacking('window-not-filled'), suspectReasons: ['receiver-stall'], busy: 'server-busy' })).toBe('server-busy');
    expect(insufficientCause({ ...base, grades: lacking('window-not-filled'), suspectReasons: ['page-hidden'] })).toBe('page-hidden');
    expect(insufficientCause({ ...base, grades: lacking('window-not-filled'), suspectReasons: ['path-change'] })).toBe('too-short');
  });

  it('then the channel, too few probes, too short a test and what cannot be resolved, in that order', () => {
    expect(insufficientCause({ ...base, grades: lacking('not-resolvable', 'reliable-channel') })).toBe('reliable-channel');
    expect(insufficientCause({ ...base, grades: lacking('window-not-filled', 'too-few-packets') })).toBe('too-few-probes');
    expect(insufficientCause({ ...base, grades: lacking('not-resolvable', 'window-not-filled') })).toBe('too-short');
    expect(insufficientCause({ ...base, grades: lacking('not-resolvable') })).toBe('not-resolvable');
  });
});
