/**
 * Migration 4: bodies stored before the upload door scrubbed IP addresses (an older callprobe
 * stored the NAT reason "2 mappings from 127.0.0.1:40133" as sent) get their addresses replaced,
 * tickets too, in SQLite and PostgreSQL; bodies without one are left byte for byte, and the
 * summary columns read from the bodies are unchanged.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import type { DbTarget } from '../../../server/store/target.js';
import type { NewResult } from '../../../server/store/index.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { describeEachKind, open, storeOptions, testClock } from './store-kit.js';

/** A report as an older callprobe stored it: the NAT reason naming the local socket. */
function olderReport(local: string): string {
  const r = JSON.parse(JSON.stringify(analyze(reflectorInput({ count: 300 })))) as Record<string, unknown>;
  r.nat = {
    mapping: 'endpoint-dependent',
    reason: `one local socket got a different mapped port from each server port (2 mappings from ${local}): the NAT maps per destination`,
    observations: [],
  };
  return JSON.stringify(r);
}

function row(reportJson: string, ticket: string | null): NewResult {
  return { sampleId: null, kind: 'report', startedAtMs: Date.UTC(2026, 0, 15), site: 'Lyon', ticket, verdict: 'pass', reportJson, address: '198.51.100.7' };
}

/** Forgets that migration 4 ran, so the next open runs it over the rows stored meanwhile (as over an older database). */
async function forgetMigration4(target: DbTarget): Promise<void> {
  if (target.kind === 'sqlite') {
    const db = new Database(target.path);
    db.prepare('DELETE FROM schema_migrations WHERE version = 4').run();
    db.close();
    return;
  }
  const c = new pg.Client({ connectionString: target.url });
  await c.connect();
  try {
    await c.query('DELETE FROM schema_migrations WHERE version = 4');
  } finally {
    await c.end();
  }
}

describeEachKind('migration 4 scrubs stored bodies', (kind) => {
  it('replaces the addresses in bodies and tickets stored before it, and leaves the rest as stored', async () => {
    const target = await kind.freshTarget();
    const clock = testClock();
    const before = await open(target, storeOptions(clock, 41));
    const withAddress = await before.results.put(row(olderReport('127.0.0.1:40133'), 'call from 2001:db8:42::7'));
    const clean = await before.results.put(row(olderReport('one socket'), 'INC-4711'));
    const summaryBefore = await before.sites.samples({ site: 'Lyon', sinceMs: 0, limit: 10 });
    expect(summaryBefore).toHaveLength(2);
    await before.close();
    await forgetMigration4(target);

    const after = await open(target, storeOptions(clock, 42));
    try {
      const scrubbed = await after.results.getByCode(withAddress.result.code);
      expect(scrubbed?.reportJson).toContain('2 mappings from [address]:40133');
      expect(scrubbed?.reportJson).not.toContain('127.0.0.1');
      expect(scrubbed?.ticket).toBe('call from [address]');
      expect(JSON.parse(scrubbed?.reportJson ?? '{}')).toMatchObject({ summary: JSON.parse(withAddress.result.reportJson).summary as unknown });
      expect((await after.results.getByCode(clean.result.code))?.reportJson).toBe(clean.result.reportJson);
      // The address table is the one place the address lives, untouched.
      expect((await after.results.getById(withAddress.result.id))?.addresses.map((a) => a.address)).toEqual(['198.51.100.7']);
      expect(await after.sites.samples({ site: 'Lyon', sinceMs: 0, limit: 10 })).toEqual(summaryBefore);
    } finally {
      await after.close();
    }
  }, 60_000);
});
