/** One spooled sample sent to its server (the scheduler's passes and `callprobe spool send`), the answer sorted for the spool. */
import type { Report } from '../../src/analysis/schema/report-schema.js';
import type { CouldNotTest } from '../../src/analysis/schema/could-not-test-schema.js';
import { saveResult } from '../save.js';
import { refusedAsMalformed, refusedForToken, tokenWords } from '../token-check.js';
import type { SendOutcome, SpoolEntry } from './spool.js';

/**
 * The server's answer to one upload, sorted: stored (or stored already, 409), refused for its
 * token (it waits for a good one), refused as malformed (refused/), or try later (no answer, the
 * server's fault, "slow down", anything else).
 */
export async function sendSpooled(entry: SpoolEntry, token: string | null, server: string, codes?: Map<string, string>): Promise<SendOutcome> {
  const saved = await saveResult(entry.record as unknown as Report | CouldNotTest, { server, adminToken: token, sampleId: entry.sampleId });
  if (saved.ok) {
    codes?.set(entry.sampleId, saved.ack.code);
    return { kind: 'stored' };
  }
  // Stored under its sampleId already, its code given to the address that stored it: nothing left to send.
  if (saved.status === 409 && saved.reason === 'already-stored') return { kind: 'stored' };
  const why = `${saved.message} (${saved.reason})`;
  if (refusedForToken(saved.status)) return { kind: 'token', why: `${token === null ? 'no token was given' : `${tokenWords(token)} was refused`}: ${why}` };
  if (refusedAsMalformed(saved.status)) return { kind: 'refused', why };
  return { kind: 'retry', why };
}
