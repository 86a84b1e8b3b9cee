import { describe, expect, it } from 'vitest';
import { saveFailureWords } from '../../src/web/results.js';

describe('the save card when a result was not saved', () => {
  it("says why in words, never the browser's own error text or a retry count", () => {
    const unreachable = saveFailureWords('unreachable', 'Failed to fetch (4 tries)');
    expect(unreachable).toBe('The server did not answer, even after several tries, so the result is only on this page.');
    expect(unreachable).not.toMatch(/Failed to fetch|tries\)/);
    expect(saveFailureWords('bad-answer', 'Unexpected token < in JSON')).not.toContain('Unexpected token');
    // A refusal is the server's own words.
    expect(saveFailureWords('refused', 'this server stores no results (--no-store)')).toBe(
      'The server did not store it: this server stores no results (--no-store)',
    );
  });
});
