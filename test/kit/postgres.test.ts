import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresNeed, startPostgres, type TestPostgres } from './postgres.js';
import { skipReason } from './requires.js';

const unavailable = skipReason('test/kit/postgres', [postgresNeed()]);

describe.skipIf(unavailable !== null)('test/kit/postgres: a throwaway cluster', () => {
  let cluster: TestPostgres;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('answers queries on 127.0.0.1 and creates databases', async () => {
    const url = await cluster.createDatabase('kit_check');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const r = await client.query<{ db: string; one: number }>('SELECT current_database() AS db, 1 AS one');
    await client.end();
    expect(r.rows[0]).toEqual({ db: 'kit_check', one: 1 });
  });
});
