/** The server the client programs' tests talk to: the HTTP app on loopback over a fresh SQLite store in a temp folder, with the operator token. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../server/http/app.js';
import { openSqliteStore } from '../../server/store/sqlite.js';
import type { ResultStore } from '../../server/store/types.js';
import { appOptionsWithoutRelay, listenLoopback, resultsOptions } from '../kit/app-options.js';
import { storeOptions, testClock } from '../server/store/store-kit.js';

export interface ResultsServer {
  url: string;
  store: ResultStore;
  /** Closes the app and the store and removes the folder. */
  close(): Promise<void>;
}

/** `name` names the temp folder; `codeSeed` seeds the store's result codes. */
export async function startResultsServer(name: string, token: string, codeSeed: number): Promise<ResultsServer> {
  const dir = mkdtempSync(join(tmpdir(), `callprobe-${name}-`));
  const store = openSqliteStore(join(dir, 'r.db'), storeOptions(testClock(), codeSeed));
  const app = await buildApp({
    ...appOptionsWithoutRelay(join(dir, 'no-page')),
    results: resultsOptions(store, token, { postsPerMinutePerIp: 100, readsPerMinutePerIp: 100 }),
  });
  return {
    url: await listenLoopback(app),
    store,
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
