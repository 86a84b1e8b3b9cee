/**
 * The results store on SQLite: the driver (./driver/sqlite.ts), the repositories over it, and
 * the retention purge, which wipes what it deleted from the file (secure_delete, then a
 * truncated write-ahead log).
 */
import { sqliteAlerts } from './alerts/sqlite.js';
import { bind, named, openSqliteDriver } from './driver/sqlite.js';
import { fleetRepository } from './fleet/repository.js';
import { chainRepository } from './chain/repository.js';
import { sqliteResults } from './results/sqlite.js';
import { cutoffs, purgeFleetSql } from './retention.js';
import { siteTokensRepository } from './site-tokens/repository.js';
import { consoleSessionsRepository } from './console-sessions/repository.js';
import { edgesRepository } from './edges/repository.js';
import { sqliteOverview } from './sites/overview-sqlite.js';
import { sitesRepository } from './sites/repository.js';
import type { PurgeOutcome, ResultStore, StoreOptions } from './types.js';

/** Opens (creating the file and its folder on first start) and migrates an SQLite store. */
export function openSqliteStore(path: string, opts: StoreOptions): ResultStore {
  const driver = openSqliteDriver(path, opts.nowMs());
  const { db } = driver;
  const deleteAddresses = db.prepare('DELETE FROM result_addresses WHERE stored_at < ?');
  const deleteResultAddresses = db.prepare('DELETE FROM result_addresses WHERE result_id IN (SELECT id FROM results WHERE stored_at < ?)');
  const deleteResults = db.prepare('DELETE FROM results WHERE stored_at < ?');
  return {
    kind: 'sqlite',
    results: sqliteResults(driver, opts),
    sites: sitesRepository(driver.runner, sqliteOverview(db)),
    alerts: sqliteAlerts(driver, opts),
    fleet: fleetRepository(driver.runner),
    siteTokens: siteTokensRepository(driver.runner),
    consoleSessions: consoleSessionsRepository(driver.runner),
    edges: edgesRepository(driver.runner),
    chain: chainRepository(driver.runner),
    purge: async (nowMs): Promise<PurgeOutcome> => {
      const c = cutoffs(opts, nowMs);
      const deleted = db
        .transaction(() => {
          const a = deleteAddresses.run(c.addressesBefore).changes + deleteResultAddresses.run(c.resultsBefore).changes;
          const r = deleteResults.run(c.resultsBefore).changes;
          for (const sql of purgeFleetSql(named)) db.prepare(sql).run(bind([c.resultsBefore]));
          return { addressesDeleted: a, resultsDeleted: r };
        })
        .immediate();
      // The WAL still holds the pages as they were before the delete: copy it into the file and
      // truncate it to nothing. Busy while another connection reads an older snapshot (a second
      // process on the same file): then the next purge tries again.
      const [cp] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      return { ...deleted, wiped: cp?.busy === 0 };
    },
    close: () => driver.close(),
  };
}
