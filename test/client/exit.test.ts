import { CommanderError, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXIT, errorText, exitCodeFor, oneLine } from '../../client/exit.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { HeadlessError } from '../../client/headless/chromium.js';

describe('exitCodeFor', () => {
  it('maps verdicts: 0 pass, 1 fail, 2 insufficient, 4 a test cut short (connection lost), 5 a pass only over a fallback path', () => {
    expect(exitCodeFor({ verdict: 'pass', caution: 'fallback-path' })).toBe(5);
    expect(exitCodeFor({ verdict: 'pass', caution: null })).toBe(0);
    // A caution qualifies a pass only; a cut-short test is 4 whatever it says.
    expect(exitCodeFor({ verdict: 'fail', caution: 'fallback-path' })).toBe(1);
    expect(exitCodeFor({ verdict: 'pass', cutShort: true, caution: 'fallback-path' })).toBe(4);
    expect(exitCodeFor({ verdict: 'pass' })).toBe(0);
    expect(exitCodeFor({ verdict: 'fail' })).toBe(1);
    expect(exitCodeFor({ verdict: 'insufficient' })).toBe(2);
    expect(exitCodeFor({ verdict: 'insufficient', cutShort: true })).toBe(4);
    // The one verdict a test cut short can give: calls cannot connect, this network blocked every port Teams uses.
    expect(exitCodeFor({ verdict: 'fail', cutShort: true, caution: null })).toBe(1);
    expect(EXIT).toEqual({ pass: 0, fail: 1, insufficient: 2, usage: 3, cannotTest: 4, passFallback: 5 });
  });

  it('maps a page that could not test: 3 for bad parameters, else 4', () => {
    expect(exitCodeFor({ notTested: 'bad-parameters' })).toBe(3);
    expect(exitCodeFor({ notTested: 'could-not-connect' })).toBe(4);
  });

  it('maps errors: usage errors 3, help and version 0, anything else 4 (could not test)', () => {
    expect(exitCodeFor({ error: new ConfigError('missing-option', '--tls-port needs --tls-cert and --tls-key') })).toBe(3);
    expect(exitCodeFor({ error: new InvalidArgumentError('--http-port must be an integer 0..65535') })).toBe(3);
    expect(exitCodeFor({ error: new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'") })).toBe(3);
    expect(exitCodeFor({ error: new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)') })).toBe(0);
    expect(exitCodeFor({ error: new HeadlessError('browser-failed', 'no chromium') })).toBe(4);
    expect(exitCodeFor({ error: new Error('bug') })).toBe(4);
    expect(exitCodeFor({ error: 'thrown string' })).toBe(4);
  });
});

describe('error text', () => {
  it('prints a usage error as one line without stack or terminal escapes', () => {
    const text = errorText(new ConfigError('bad-value', 'bad host "\u001b[31mred\u001b[0m"\nsecond line'));
    expect(text).toBe('callprobe: bad host "\\x1b[31mred\\x1b[0m" second line');
    expect(text).not.toContain('\n');
    expect(text).not.toContain('\u001b');
    expect(errorText(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--bogus'"))).toBe(
      "callprobe: unknown option '--bogus' (see --help)",
    );
  });

  it('keeps the stack of a fault (a bug to report), still without escapes', () => {
    const err = new Error('boom \u009b2J');
    const text = errorText(err);
    expect(text.split('\n').length).toBeGreaterThan(1);
    expect(text).toContain('boom \\x9b2J');
    expect(text).toMatch(/\nat /);
  });

  it('folds newlines and shows C0/C1 controls as \\xNN', () => {
    expect(oneLine('a\r\n  b\tc\u0007')).toBe('a b\\x09c\\x07');
    expect(oneLine('plain, ünïcode')).toBe('plain, ünïcode');
  });
});
