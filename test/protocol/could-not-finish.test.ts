/** could-not-finish.ts: the one list of reasons, their sides, former spellings and the relay's evidence. */
import { describe, expect, it } from 'vitest';
import { FINISH_REASONS, finishReasonOf, RELAY_EVIDENCE_MAX_AGE_MS, relayEvidenceOf, SIDE_OF, sideOf } from '../../src/protocol/could-not-finish.js';

describe('why a test could not finish', () => {
  it('gives every reason a side, reads a former spelling as its successor, and an unknown code as unknown', () => {
    expect(Object.keys(SIDE_OF).sort()).toEqual([...FINISH_REASONS].sort());
    expect(finishReasonOf('relay-unreachable')).toBe('could-not-connect');
    expect(finishReasonOf('connection-lost')).toBe('connection-lost');
    expect(finishReasonOf('toString')).toBeNull();
    expect(sideOf('relay-unreachable')).toBe('network-or-server');
    expect(sideOf('server-busy')).toBe('server');
    expect(sideOf('not-a-reason')).toBe('unknown');
    // The side stored with a record (its evidence) wins; a side this release does not know does not.
    expect(sideOf('could-not-connect', 'network')).toBe('network');
    expect(sideOf('could-not-connect', 'elsewhere')).toBe('network-or-server');
  });

  it('speaks for the relay from a test through it within the last 10 minutes, not before', () => {
    const at = 1_700_000_000_000;
    expect(relayEvidenceOf(null, at)).toBeNull();
    expect(relayEvidenceOf(at, at + RELAY_EVIDENCE_MAX_AGE_MS)).toEqual({ kind: 'recent-test', atMs: at });
    expect(relayEvidenceOf(at, at + RELAY_EVIDENCE_MAX_AGE_MS + 1)).toBeNull();
    expect(RELAY_EVIDENCE_MAX_AGE_MS).toBe(600_000);
  });
});
