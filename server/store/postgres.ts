/**
 * The results store on PostgreSQL: the driver (./driver/postgres.ts: same schema and migrations
 * as SQLite, run under an advisory lock), the repositories over it, and the retention purge,
 * which rewrites the address table so what it deleted leaves the files.
 */
import { postgresAlerts } from './alerts/postgres.js';
import { openPostgresDriver } from './driver/postgres.js';
import { fleetRepository } from './fleet/repository.js';
import { chainRepository } from './chain/repository.js';
import { postgresResults } from './results/postgres.js';
import { cutoffs, purgeFleetSql } from './retention.js';
import { siteTokensRepository } from './site-tokens/repository.js';
import { consoleSessionsRepository } from './console-sessions/repository.js';
import { edgesRepository } from './edges/repository.js';
import { postgresOverview } from './sites/overview-postgres.js';
import { sitesRepository } from './sites/repository.js';
import type { ResultStore, StoreOptions } from './types.js';

/** Connects to and migrates a PostgreSQL store. */
export async function openPostgresStore(url: string, opts: StoreOptions): Promise<ResultStore> {
  const driver = await openPostgresDriver(url, opts);
  const { pool, transaction } = driver;
  /** Deleted addresses may still be in the table's file: at open (rows deleted before a restart, or by an older callprobe) and after each purge that deleted some. */
  let addressVacuumDue = true;
  return {
    kind: 'postgres',
    results: postgresResults(driver, opts),
    sites: sitesRepository(driver.runner, postgresOverview(driver)),
    alerts: postgresAlerts(driver, opts),
    fleet: fleetRepository(driver.runner),
    siteTokens: siteTokensRepository(driver.runner),
    consoleSessions: consoleSessionsRepository(driver.runner),
    edges: edgesRepository(driver.runner),
    chain: chainRepository(driver.runner),
    purge: async (nowMs) => {
      const c = cutoffs(opts, nowMs);
      const deleted = await transaction(async (client) => {
        const a1 = await client.query('DELETE FROM result_addresses WHERE stored_at < $1', [c.addressesBefore]);
        const a2 = await client.query('DELETE FROM result_addresses WHERE result_id IN (SELECT id FROM results WHERE stored_at < $1)', [c.resultsBefore]);
        const r = await client.query('DELETE FROM results WHERE stored_at < $1', [c.resultsBefore]);
        for (const sql of purgeFleetSql((k) => `$${k}`)) await client.query(sql, [c.resultsBefore]);
        return { addressesDeleted: (a1.rowCount ?? 0) + (a2.rowCount ?? 0), resultsDeleted: r.rowCount ?? 0 };
      });
      if (deleted.addressesDeleted > 0) addressVacuumDue = true;
      if (addressVacuumDue) {
        // A deleted row stays in its heap page until the page is rewritten: plain VACUUM only
        // compacts pages (what it frees keeps its bytes, and it leaves copies of the rows it
        // moves). VACUUM FULL writes the table anew, without them, and drops the old file. It
        // locks the table while it runs (inserts wait): it holds only --retain-ip-days of
        // addresses, about 150 bytes each.
        await pool.query('VACUUM FULL result_addresses');
        addressVacuumDue = false;
      }
      return { ...deleted, wiped: true };
    },
    close: () => driver.close(),
  };
}
